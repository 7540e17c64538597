"""``[[measure]]``: effects, start, phase-in, go-ahead, delay, costs and their factors."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any, Literal

from simulator.scenario import distributions as dist
from simulator.scenario._builder import _Builder, _is_random
from simulator.scenario._context import (
    MAX_EFFECTS,
    _Ctx,
    _ident,
    _is_year_table,
    _known,
    _list,
    _number,
    _shown,
    _source,
    _table,
    _text,
    _unknown,
    _year,
    _year_numbers,
)
from simulator.scenario._goals import _read_published
from simulator.scenario.domains import DOMAINS
from simulator.scenario.model import (
    LAWS,
    Component,
    Decision,
    Effect,
    EffectKind,
    Measure,
    PaidBy,
    Payer,
    PhaseTable,
    PhaseTurnover,
    Post,
    Quantity,
    Ref,
    Relation,
    Role,
    Substitution,
    relation_graph,
)

MEASURE_KEYS = {"id", "name", "law", "post", "effect", "start", "phase_in", "effect_factor",
                "go_ahead", "delay", "costs", "committed_costs", "cost_factor",
                "delay_shifts_costs", "cost_group",
                "substitution", "municipalities", "published", "source", "comment",
                "decision", "require", "replace", "exclude", "component", "paid_by", "candidate"}
COMPONENT_KEYS = {"id", "name", "effect", "start", "phase_in", "effect_factor", "go_ahead", "delay",
                  "source", "comment"}
DECISION_KEYS = {"id", "name", "go_ahead", "delay", "source", "comment"}
PAYERS = tuple(p.value for p in Payer)
EFFECT_KEYS = {"post", "posts", "scope", "fraction", "amount", "lever", "reach"}


def _read_decisions(ctx: _Ctx, v: Any, b: _Builder) -> tuple[Decision, ...]:
    """``[[decision]]``: a go-ahead and a delay that several measures share (one draw per path)."""
    out: list[Decision] = []
    for i, d in enumerate(_list(ctx.at("decision"), v)):
        did = d.get("id") if isinstance(d, Mapping) else None
        dctx = ctx.at(f'decision "{did}"' if isinstance(did, str) else f"decision[{i}]")
        d = _table(dctx, d, DECISION_KEYS, {"id", "source"})
        did = _ident(dctx.at("id"), d["id"])
        if any(x.id == did for x in out):
            raise dctx.at("id").error(f"duplicate decision id {did!r}")
        if "go_ahead" not in d and "delay" not in d:
            raise dctx.error("a decision needs go_ahead = {p = ...} or delay = ... (else it changes nothing)")
        if "comment" in d:
            _text(dctx.at("comment"), d["comment"])
        go = d.get("go_ahead")
        delay = d.get("delay")
        out.append(Decision(
            did, _text(dctx.at("name"), d.get("name", did), limit=300),
            _parameter_as(dctx.at("go_ahead"), go, b, Role.GO_AHEAD) if isinstance(go, str)
            else _read_go_ahead(dctx.at("go_ahead"), go, b, did),
            _parameter_as(dctx.at("delay"), delay, b, Role.DELAY) if isinstance(delay, str)
            else _read_delay(dctx.at("delay"), delay, b, did), _source(dctx.at("source"), d["source"])))
    return tuple(out)


def _parameter_as(ctx: _Ctx, name: str, b: _Builder, role: Role) -> str:
    """A decision's go-ahead or delay given as a parameter's name: the same draw then moves the
    measures that hang on the decision and the expressions that read the parameter. The
    parameter's input takes the decision's role, so plan values, the waterfall and ``@delay``
    treat it as the decision's."""
    q = b.parameters.get(name)
    if not isinstance(q, Ref) or q.name not in b.inputs:
        raise ctx.error(f"{_shown(name)} is not a parameter with a distribution; give "
                        + ("{p = ...} or the name of a {p = ...} parameter" if role == Role.GO_AHEAD
                           else "a delay in years or the name of a parameter with a distribution of years"))
    inp = b.inputs[q.name]
    lo, hi = inp.distribution.support
    if role == Role.GO_AHEAD and not isinstance(inp.distribution, dist.Bernoulli):
        raise ctx.error(f"parameter {name!r} must be a go-ahead, {{p = ...}}")
    if role == Role.DELAY and (lo < 0 or hi > 10):
        raise ctx.error(f"parameter {name!r} ranges [{lo:g}, {hi:g}]; a delay lies between 0 and 10 years")
    if inp.per_year:
        raise ctx.error(f"parameter {name!r} is drawn per year; a decision is one draw per path")
    b.inputs[q.name] = dataclasses.replace(inp, role=role)
    return q.name

def _plan_measures(ctx: _Ctx, v: Any, keep_candidates: bool) -> Any:
    """Measures marked ``candidate = true`` are options for ``taaksim optimise``, not part of the plan."""
    if not isinstance(v, list):
        return v
    for i, m in enumerate(v):
        if isinstance(m, Mapping) and "candidate" in m and not isinstance(m["candidate"], bool):
            raise ctx.at(f"measure[{i}]", "candidate").error("candidate must be true or false")
    return v if keep_candidates else [m for m in v if not (isinstance(m, Mapping) and m.get("candidate") is True)]


def _read_measures(ctx: _Ctx, v: Any, b: _Builder, posts: tuple[Post, ...], known: set[str],
                   defaults: dict[str, Any], group_ids: set[str], muni_ids: set[str],
                   decisions: tuple[Decision, ...] = ()) -> tuple[Measure, ...]:
    post_map = {p.id: p for p in posts}
    out: list[Measure] = []
    seen: set[str] = set()
    decision_ids = {d.id for d in decisions}
    raw = _list(ctx.at("measure"), v)
    measure_ids = {m["id"] for m in raw if isinstance(m, Mapping) and isinstance(m.get("id"), str)}
    for i, m in enumerate(raw):
        mid = m.get("id") if isinstance(m, Mapping) else None
        mctx = ctx.at(f'measure "{mid}"' if isinstance(mid, str) else f"measure[{i}]")
        out.append(_read_measure(mctx, m, b, post_map, defaults, group_ids, muni_ids, seen, decision_ids,
                                 measure_ids))
    pairs = sum(len(m.effects) for m in out)
    if pairs > MAX_EFFECTS:
        raise ctx.at("measure").error(f"{pairs:,} effects (measure-post pairs; a scope counts each of its posts) "
                                      f"is more than the limit of {MAX_EFFECTS:,}")
    _check_relations(ctx, out)
    return tuple(out)


def _read_measure(mctx: _Ctx, m: Any, b: _Builder, post_map: dict[str, Post], defaults: dict[str, Any],
                  group_ids: set[str], muni_ids: set[str], seen: set[str], decision_ids: Collection[str] = frozenset(),
                  measure_ids: Collection[str] = frozenset()) -> Measure:
    m = _table(mctx, m, MEASURE_KEYS, {"id", "source"})
    mid = _ident(mctx.at("id"), m["id"])
    if mid in seen:
        raise mctx.at("id").error(f"duplicate measure id {mid!r}")
    if mid in decision_ids:
        raise mctx.at("id").error(f"{mid!r} is also a decision's id; measures and decisions share one namespace")
    seen.add(mid)
    default_post = m.get("post")
    if default_post is not None and _unknown(default_post, post_map):
        raise mctx.at("post").error(f"unknown post {_shown(default_post)}; "
                                    f"{_known(default_post, post_map)}")
    effects = _read_effects(mctx, m, b, post_map, default_post, mid)
    start = _year(mctx.at("start"), m["start"], b.years) if "start" in m else b.horizon[0]
    phase = _read_phase(mctx.at("phase_in"), m.get("phase_in"), b, mid, start)
    components, component_effects = _read_components(mctx, m.get("component"), b, post_map, default_post, mid,
                                                     start, phase)
    effects = effects + component_effects
    booked = default_post if default_post is not None else effects[0].post
    law = m.get("law", post_map[booked].law)
    if law not in LAWS:
        raise mctx.at("law").error(f"law must be one of {', '.join(LAWS)}")

    certain_effect = not any(_is_random(e.value, b) for e in effects)
    effect_factor = (_factor(mctx, "effect_factor", m, defaults, b, mid, certain_effect, "effect")
                     if effects else None)  # no effect, nothing to scale: no idle random input
    go_ahead = _read_go_ahead(mctx.at("go_ahead"), m.get("go_ahead", defaults["go_ahead"]), b, mid)
    delay = _read_delay(mctx.at("delay"), m.get("delay", defaults["delay"]), b, mid)
    costs, committed, cost_factor = _read_costs(mctx, m, b, mid, defaults)
    shifts = m.get("delay_shifts_costs", False)
    if not isinstance(shifts, bool):
        raise mctx.at("delay_shifts_costs").error("must be true or false")
    group = m.get("cost_group")
    if group is not None and _unknown(group, group_ids):
        raise mctx.at("cost_group").error(f"unknown cost group {_shown(group)}; "
                                          "declare it as [[cost_group]]")
    substitution = (_read_substitution(mctx.at("substitution"), m["substitution"], b, post_map, mid)
                    if "substitution" in m else None)
    munis = (_read_measure_municipalities(mctx.at("municipalities"), m["municipalities"], muni_ids)
             if "municipalities" in m else None)
    published = _read_published(mctx.at("published"), m.get("published", {}), b.horizon)
    decision = m.get("decision")
    if decision is not None and _unknown(decision, decision_ids):
        raise mctx.at("decision").error(f"unknown decision {_shown(decision)}; "
                                        f"{_known(decision, sorted(decision_ids))} (declare it as [[decision]])")
    relations = _read_relations(mctx, m, mid, decision_ids, measure_ids)
    paid_by = _read_paid_by(mctx.at("paid_by"), m["paid_by"], post_map, muni_ids) if "paid_by" in m else None
    if "comment" in m:
        _text(mctx.at("comment"), m["comment"])
    return Measure(
        id=mid, name=_text(mctx.at("name"), m.get("name", mid), limit=300, line=True), law=law,
        effects=tuple(effects), start=start, phase=phase, effect_factor=effect_factor,
        go_ahead=go_ahead, delay=delay, costs=costs, committed_costs=committed, post=booked,
        cost_factor=cost_factor,
        delay_shifts_costs=shifts, cost_group=group, substitution=substitution,
        municipalities=munis, published=published, source=_source(mctx.at("source"), m["source"]),
        decision=decision, relations=relations, components=components, paid_by=paid_by)


def _read_components(mctx: _Ctx, v: Any, b: _Builder, post_map: dict[str, Post], default_post: str | None,
                     mid: str, measure_start: int, measure_phase: PhaseTable | PhaseTurnover | None
                     ) -> tuple[tuple[Component, ...], list[Effect]]:
    """``[[measure.component]]``: parts with their own effect, go-ahead, delay and phase-in
    (a component that gives neither start nor phase_in has the measure's)."""
    if v is None:
        return (), []
    components: list[Component] = []
    effects: list[Effect] = []
    for j, c in enumerate(_list(mctx.at("component"), v)):
        cid = c.get("id") if isinstance(c, Mapping) else None
        cctx = mctx.at(f'component "{cid}"' if isinstance(cid, str) else f"component[{j}]")
        c = _table(cctx, c, COMPONENT_KEYS, {"id", "source"})
        cid = _ident(cctx.at("id"), c["id"])
        if any(x.id == cid for x in components):
            raise cctx.at("id").error(f"duplicate component id {cid!r}")
        key = f"{mid}.{cid}"
        raw = c.get("effect")
        if raw is None or raw == [] or raw == {}:
            raise cctx.error("a component needs an effect (fraction or amount); "
                             "costs belong to the measure")
        raw = raw if isinstance(raw, list) else [raw]
        own: list[Effect] = []
        for k, e in enumerate(raw):
            ectx = cctx.at("effect" if len(raw) == 1 else f"effect[{k}]")
            own.extend(_read_effect(ectx, e, b, post_map, default_post, f"{key}.effect" + ("" if k == 0 else f"{k}")))
        start = _year(cctx.at("start"), c["start"], b.years) if "start" in c else measure_start
        factor = None
        if "effect_factor" in c:
            factor = _factor(cctx, "effect_factor", c, {}, b, key, False, "effect")
        if "comment" in c:
            _text(cctx.at("comment"), c["comment"])
        components.append(Component(
            cid, _text(cctx.at("name"), c.get("name", cid), limit=300), start,
            _read_phase(cctx.at("phase_in"), c.get("phase_in"), b, key, start)
            if "start" in c or "phase_in" in c else measure_phase, factor,
            _read_go_ahead(cctx.at("go_ahead"), c.get("go_ahead"), b, key),
            _read_delay(cctx.at("delay"), c.get("delay"), b, key), _source(cctx.at("source"), c["source"])))
        effects.extend(dataclasses.replace(e, component=j) for e in own)
    return tuple(components), effects


def _read_relations(mctx: _Ctx, m: dict[str, Any], mid: str, decision_ids: Collection[str],
                    measure_ids: Collection[str]) -> tuple[tuple[Relation, str], ...]:
    """``require`` (measures or decisions), ``replace`` (one measure), ``exclude`` (measures)."""
    out: list[tuple[Relation, str]] = []
    for how in Relation:
        if how.value not in m:
            continue
        rctx = mctx.at(how.value)
        v = m[how.value]
        ids = v if isinstance(v, list) else [v]
        if not ids or (how == Relation.REPLACE and len(ids) > 1):
            raise rctx.error("one measure id" if how == Relation.REPLACE else "an id or a non-empty list of ids")
        allowed = set(measure_ids) | set(decision_ids) if how == Relation.REQUIRE else set(measure_ids)
        for x in ids:
            if _unknown(x, allowed):
                what = "measure or decision" if how == Relation.REQUIRE else "measure"
                raise rctx.error(f"unknown {what} {_shown(x)}; {_known(x, sorted(allowed))}")
            if x == mid:
                raise rctx.error(f"a measure cannot {how.value} itself")
            if any(y == x for _, y in out):
                other = next(h for h, y in out if y == x)
                raise rctx.error(f"{x!r} is also in {other.value}: a measure cannot both {other.value} and "
                                 f"{how.value} the same measure")
            out.append((how, x))
    return tuple(out)


def _check_relations(ctx: _Ctx, measures: list[Measure]) -> None:
    """Refuse contradictions and cycles: each go-ahead must follow from those settled before it."""
    by_id = {m.id: m for m in measures}
    for m in measures:
        for how, x in m.relations:
            if how == Relation.REPLACE and any(h == Relation.REQUIRE and y == m.id for h, y in by_id[x].relations):
                raise ctx.at(f'measure "{m.id}"', "replace").error(
                    f"measure {x!r} requires {m.id!r}, so {m.id!r} cannot replace it "
                    "(it could only go ahead where the other fails, and the other needs it)")
            if how == Relation.REQUIRE and x in by_id and any(
                    h == Relation.EXCLUDE and y == m.id for h, y in by_id[x].relations):
                raise ctx.at(f'measure "{m.id}"', "require").error(
                    f"measure {x!r} excludes {m.id!r}, so {m.id!r} cannot require it (it could never go ahead)")
    before = relation_graph(measures)
    state: dict[str, int] = {}

    def visit(mid: str, trail: list[str]) -> None:
        if state.get(mid) == 2:
            return
        if state.get(mid) == 1:
            cycle = trail[trail.index(mid):] + [mid]
            raise ctx.at(f'measure "{mid}"').error(
                "require / replace / exclude form a cycle (each needs the other settled first): "
                + " -> ".join(cycle))
        state[mid] = 1
        for x in sorted(before[mid]):
            visit(x, trail + [mid])
        state[mid] = 2

    for m in measures:
        visit(m.id, [])


def _read_paid_by(ctx: _Ctx, v: Any, post_map: dict[str, Post], muni_ids: set[str]) -> PaidBy:
    """``paid_by = "post:<id>" | "law:<law>" | "municipality:<id>" | "fund:<name>" | "outside"``."""
    if not isinstance(v, str):
        raise ctx.error(f"expected text such as 'post:<id>', 'law:wmo', 'municipality:<id>', 'fund:<name>' "
                        f"or 'outside', got {_shown(v)}")
    kind, _, ref = v.partition(":")
    if kind not in PAYERS:
        raise ctx.error(f"{_shown(v)}: the payer must start with one of {', '.join(PAYERS)}")
    if kind == Payer.OUTSIDE:
        if ref:
            raise ctx.error("'outside' takes no name")
        return PaidBy(Payer.OUTSIDE, None)
    if not ref:
        raise ctx.error(f"{kind!r} needs a name after the colon, e.g. '{kind}:...'")
    if kind == Payer.POST and ref not in post_map:
        raise ctx.error(f"unknown post {ref!r}; {_known(ref, post_map)}")
    if kind == Payer.LAW and ref not in LAWS:
        raise ctx.error(f"unknown law {ref!r}; law is one of {', '.join(LAWS)}")
    if kind == Payer.MUNICIPALITY and ref not in muni_ids:
        raise ctx.error(f"unknown municipality {ref!r}; {_known(ref, sorted(muni_ids))}")
    if kind == Payer.FUND and not ref.strip():
        raise ctx.error("a fund needs a name")
    return PaidBy(Payer(kind), ref)


def _read_effects(mctx: _Ctx, m: dict[str, Any], b: _Builder, post_map: dict[str, Post],
                  default_post: str | None, mid: str) -> list[Effect]:
    """A measure's effect table or list of them; a measure with costs only has none."""
    effects: list[Effect] = []
    raw_effects = m.get("effect", [])
    raw_effects = raw_effects if isinstance(raw_effects, list) else [raw_effects]
    if not raw_effects and not any(k in m for k in ("costs", "committed_costs", "cost_group", "component")):
        raise mctx.error("a measure needs an effect, or costs (a measure with costs only)")
    if not raw_effects and default_post is None and "component" not in m:
        raise mctx.at("post").error("a measure with costs only needs post = '...' to book them on")
    for j, e in enumerate(raw_effects):
        ectx = mctx.at("effect" if len(raw_effects) == 1 else f"effect[{j}]")
        effects.extend(_read_effect(ectx, e, b, post_map, default_post, f"{mid}.effect"
                                    + ("" if j == 0 else f"{j}")))
    return effects


def _read_go_ahead(gctx: _Ctx, go: Any, b: _Builder, mid: str) -> str | None:
    """The probability the measure goes ahead at all: a number or {p = ...}; 1 needs no input."""
    if go is None:
        return None
    p = go if not isinstance(go, Mapping) else _table(gctx, go, {"p"}, {"p"})["p"]
    p = _number(gctx, p, low=0.0, high=1.0)
    if p < 1.0:
        return b.add_input(gctx, f"{mid}.go_ahead", dist.Bernoulli(p), "go_ahead").name
    return None


def _read_costs(mctx: _Ctx, m: dict[str, Any], b: _Builder, mid: str,
                defaults: dict[str, Any]) -> tuple[Quantity | None, Quantity | None, str | None]:
    """Costs, committed costs and the cost factor (only when there are costs to scale)."""
    costs = (b.quantity(mctx.at("costs"), m["costs"], f"{mid}.costs", "cost", low=-1e12, high=1e12)
             if "costs" in m else None)
    committed = (b.quantity(mctx.at("committed_costs"), m["committed_costs"], f"{mid}.committed_costs",
                            "cost", low=-1e12, high=1e12) if "committed_costs" in m else None)
    cost_factor = None
    if costs is not None or committed is not None or m.get("cost_group"):
        certain_cost = not any(q is not None and _is_random(q, b) for q in (costs, committed))
        cost_factor = _factor(mctx, "cost_factor", m, defaults, b, mid, certain_cost, "cost")
    return costs, committed, cost_factor


def _read_substitution(sctx: _Ctx, v: Any, b: _Builder, post_map: dict[str, Post], mid: str) -> Substitution:
    s = _table(sctx, v, {"share", "post"}, {"share"})
    spost = s.get("post")
    if spost is not None and _unknown(spost, post_map):
        raise sctx.at("post").error(f"unknown post {_shown(spost)}; {_known(spost, post_map)}")
    return Substitution(
        b.quantity(sctx.at("share"), s["share"], f"{mid}.substitution", "substitution",
                   low=DOMAINS["substitution"][0], high=DOMAINS["substitution"][1]), spost)


def _read_measure_municipalities(ctx: _Ctx, mv: Any, muni_ids: set[str]) -> tuple[str, ...]:
    if not isinstance(mv, list) or not mv:
        raise ctx.error("a non-empty list of municipality ids")
    for x in mv:
        if _unknown(x, muni_ids):
            raise ctx.error(f"unknown municipality {_shown(x)}; {_known(x, sorted(muni_ids))}")
    return tuple(mv)


def _factor(mctx: _Ctx, key: str, m: dict[str, Any], defaults: dict[str, Any], b: _Builder, mid: str,
            certain: bool, what: str) -> str | None:
    """A multiplier on a measure's effect or cost: explicit, else the default if the value is certain."""
    if key in m:
        v = m[key]
        fctx = mctx.at(key)
    elif certain and defaults.get(key) is not None:
        v = defaults[key]
        fctx = _Ctx(mctx.file, ("defaults", key))
    else:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        _number(fctx, v, low=0.0, high=10.0)
        return None if v == 1 else b.add_input(fctx, f"{mid}.{what}_factor", dist.Fixed(float(v)),
                                                 f"{what}_factor").name
    if not isinstance(v, Mapping) or not dist.is_distribution_table(v):
        raise fctx.error("expected a number or a distribution, e.g. {pert = [0.6, 1.0, 1.1]}")
    d, _ = b.distribution(fctx, v)
    low, high = d.support
    if low < 0 or high > 10:
        raise fctx.error(f"a factor must stay within [0, 10], this one ranges [{low:g}, {high:g}]")
    return b.add_input(fctx, f"{mid}.{what}_factor", d, f"{what}_factor").name


def _read_effect(ectx: _Ctx, e: Any, b: _Builder, post_map: dict[str, Post], default_post: str | None,
                 key: str) -> list[Effect]:
    e = _table(ectx, e, EFFECT_KEYS)
    targets = [k for k in ("post", "posts", "scope") if k in e]
    if len(targets) > 1:
        raise ectx.error("give one of post, posts or scope")
    if targets == ["posts"]:
        ids = e["posts"]
        if not isinstance(ids, list) or not ids:
            raise ectx.at("posts").error("a non-empty list of post ids")
    elif targets == ["scope"]:
        if e["scope"] not in (*LAWS, "all"):
            raise ectx.at("scope").error(f"scope must be one of all, {', '.join(LAWS)}")
        ids = [p for p, post in post_map.items() if e["scope"] in ("all", post.law)]
        if not ids:
            raise ectx.at("scope").error(f"no post has law {e['scope']!r}")
    else:
        pid = e.get("post", default_post)
        if pid is None:
            raise ectx.error("name the post the effect acts on (post = '...', here or on the measure)")
        ids = [pid]
    for pid in ids:
        if _unknown(pid, post_map):
            raise ectx.at("post").error(f"unknown post {_shown(pid)}; {_known(pid, post_map)}")
    kinds = [k for k in ("fraction", "amount") if k in e]
    if len(kinds) != 1:
        raise ectx.error("give exactly one of fraction (share of the post) or amount (EUR per year)")
    kind: Literal["fraction", "amount"] = "fraction" if kinds[0] == "fraction" else "amount"
    if kind == "amount" and len(ids) > 1:
        raise ectx.error("an amount acts on one post; use fraction for several posts")
    lever = e.get("lever", "cost")
    if lever not in ("cost", "inflow", "duration", "price"):
        raise ectx.at("lever").error("lever must be cost, inflow, duration or price")
    reach = e.get("reach", "all")
    if reach not in ("all", "new"):
        raise ectx.at("reach").error("reach must be 'all' or 'new'")
    for pid in ids:
        post = post_map[pid]
        if (lever != "cost" or reach == "new") and post.stock is None:
            raise ectx.at("lever" if lever != "cost" else "reach").error(
                f"post {pid!r} has no stock of clients; lever {lever!r} / reach 'new' need [post.stock]")
        if lever != "cost" and kind != "fraction":
            raise ectx.at(kind).error(f"lever {lever!r} takes a fraction")
    high = 1.0 if kind == "fraction" else 1e12
    low = -10.0 if kind == "fraction" else -1e12
    value = b.quantity(ectx.at(kind), e[kind], key, "effect", low=low, high=high)
    return [Effect(pid, EffectKind(kind), value, lever, reach) for pid in ids]


def _read_phase(ctx: _Ctx, v: Any, b: _Builder, mid: str, start: int) -> PhaseTable | PhaseTurnover | None:
    if v is None:
        return None
    if isinstance(v, Mapping) and set(v) == {"turnover"}:
        return PhaseTurnover(b.quantity(ctx.at("turnover"), v["turnover"], f"{mid}.turnover",
                                        "phase", low=DOMAINS["turnover"][0], high=DOMAINS["turnover"][1]))
    if _is_year_table(v):
        table = _year_numbers(ctx, v, b.years, low=0.0, high=1.0)
        return PhaseTable(tuple(table), tuple(table.values()))
    raise ctx.error("phase_in is a table of years with shares 0..1, e.g. {2025 = 0.5, 2026 = 1.0}, "
                    "or {turnover = rate}")


def _read_delay(ctx: _Ctx, v: Any, b: _Builder, mid: str) -> str | None:
    if v is None:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        length = _number(ctx, v, low=0.0, high=10.0)  # 0: no delay, overriding [defaults]
        return None if length == 0 else b.add_input(ctx, f"{mid}.delay", dist.Fixed(length), "delay").name
    spec: dist.Distribution
    years: dist.Distribution
    if isinstance(v, Mapping) and "p" in v and "years" in v:
        d = _table(ctx, v, {"p", "years"})
        p = _number(ctx.at("p"), d["p"], low=0.0, high=1.0)
        yv = d["years"]
        if isinstance(yv, Mapping):
            years, _ = b.distribution(ctx.at("years"), yv)
        else:
            years = dist.Fixed(_number(ctx.at("years"), yv, low=0.0, high=10.0))
        lo, hi = years.support
        if lo < 0 or hi > 10:
            raise ctx.at("years").error("a delay lies between 0 and 10 years")
        if p == 0 or (not years.is_random and years.point == 0):
            return None
        spec = dist.DelayMixture(p, years)
    elif isinstance(v, Mapping) and dist.is_distribution_table(v):
        spec, _ = b.distribution(ctx, v)
        lo, hi = spec.support
        if lo < 0 or hi > 10:
            raise ctx.error(f"a delay lies between 0 and 10 years; this one ranges [{lo:g}, {hi:g}]")
    else:
        raise ctx.error("delay is a number of years (0: none), {p = probability, years = length} "
                        "or a distribution of years")
    return b.add_input(ctx, f"{mid}.delay", spec, "delay").name
