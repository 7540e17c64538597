"""``[[measure]]``: effects, start, phase-in, go-ahead, delay, costs and their factors."""

from __future__ import annotations

from collections.abc import Mapping
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
    Effect,
    EffectKind,
    Measure,
    PhaseTable,
    PhaseTurnover,
    Post,
    Quantity,
    Substitution,
)

MEASURE_KEYS = {"id", "name", "law", "post", "effect", "start", "phase_in", "effect_factor",
                "go_ahead", "delay", "costs", "committed_costs", "cost_factor",
                "delay_shifts_costs", "cost_group",
                "substitution", "municipalities", "published", "source", "comment", "candidate"}
EFFECT_KEYS = {"post", "posts", "scope", "fraction", "amount", "lever", "reach"}


def _plan_measures(ctx: _Ctx, v: Any, keep_candidates: bool) -> Any:
    """Measures marked ``candidate = true`` are options for ``taaksim optimise``, not part of the plan."""
    if not isinstance(v, list):
        return v
    for i, m in enumerate(v):
        if isinstance(m, Mapping) and "candidate" in m and not isinstance(m["candidate"], bool):
            raise ctx.at(f"measure[{i}]", "candidate").error("candidate must be true or false")
    return v if keep_candidates else [m for m in v if not (isinstance(m, Mapping) and m.get("candidate") is True)]


def _read_measures(ctx: _Ctx, v: Any, b: _Builder, posts: tuple[Post, ...], known: set[str],
                   defaults: dict[str, Any], group_ids: set[str], muni_ids: set[str]) -> tuple[Measure, ...]:
    post_map = {p.id: p for p in posts}
    out: list[Measure] = []
    seen: set[str] = set()
    for i, m in enumerate(_list(ctx.at("measure"), v)):
        mid = m.get("id") if isinstance(m, Mapping) else None
        mctx = ctx.at(f'measure "{mid}"' if isinstance(mid, str) else f"measure[{i}]")
        out.append(_read_measure(mctx, m, b, post_map, defaults, group_ids, muni_ids, seen))
    pairs = sum(len(m.effects) for m in out)
    if pairs > MAX_EFFECTS:
        raise ctx.at("measure").error(f"{pairs:,} effects (measure-post pairs; a scope counts each of its posts) "
                                      f"is more than the limit of {MAX_EFFECTS:,}")
    return tuple(out)


def _read_measure(mctx: _Ctx, m: Any, b: _Builder, post_map: dict[str, Post], defaults: dict[str, Any],
                  group_ids: set[str], muni_ids: set[str], seen: set[str]) -> Measure:
    m = _table(mctx, m, MEASURE_KEYS, {"id", "source"})
    mid = _ident(mctx.at("id"), m["id"])
    if mid in seen:
        raise mctx.at("id").error(f"duplicate measure id {mid!r}")
    seen.add(mid)
    default_post = m.get("post")
    if default_post is not None and _unknown(default_post, post_map):
        raise mctx.at("post").error(f"unknown post {_shown(default_post)}; "
                                    f"{_known(default_post, post_map)}")
    effects = _read_effects(mctx, m, b, post_map, default_post, mid)
    booked = default_post if default_post is not None else effects[0].post
    law = m.get("law", post_map[booked].law)
    if law not in LAWS:
        raise mctx.at("law").error(f"law must be one of {', '.join(LAWS)}")
    start = _year(mctx.at("start"), m["start"], b.years) if "start" in m else b.horizon[0]
    phase = _read_phase(mctx.at("phase_in"), m.get("phase_in"), b, mid, start)

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
    if "comment" in m:
        _text(mctx.at("comment"), m["comment"])
    return Measure(
        id=mid, name=_text(mctx.at("name"), m.get("name", mid), limit=300, line=True), law=law,
        effects=tuple(effects), start=start, phase=phase, effect_factor=effect_factor,
        go_ahead=go_ahead, delay=delay, costs=costs, committed_costs=committed, post=booked,
        cost_factor=cost_factor,
        delay_shifts_costs=shifts, cost_group=group, substitution=substitution,
        municipalities=munis, published=published, source=_source(mctx.at("source"), m["source"]))


def _read_effects(mctx: _Ctx, m: dict[str, Any], b: _Builder, post_map: dict[str, Post],
                  default_post: str | None, mid: str) -> list[Effect]:
    """A measure's effect table or list of them; a measure with costs only has none."""
    effects: list[Effect] = []
    raw_effects = m.get("effect", [])
    raw_effects = raw_effects if isinstance(raw_effects, list) else [raw_effects]
    if not raw_effects and not any(k in m for k in ("costs", "committed_costs", "cost_group")):
        raise mctx.error("a measure needs an effect, or costs (a measure with costs only)")
    if not raw_effects and default_post is None:
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
