"""Published figures, targets (taakstellingen), budgets and the scopes they cover."""

from __future__ import annotations

from typing import Any

from simulator.scenario._context import (
    _Ctx,
    _frozen,
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
from simulator.scenario.model import (
    BASES,
    GOAL_BASES,
    LAWS,
    Basis,
    Booked,
    Budget,
    FigureVersion,
    Post,
    PriceLevel,
    Prices,
    Published,
    PublishedGroup,
    PublishedTotals,
    Scope,
    Target,
    measure_scope,
)

PUBLISHED_ROW_KEYS = ("effect", "cost", "net", "notes", "basis", "lines", "explain", "versions")


def _read_published(ctx: _Ctx, v: Any, years: tuple[int, ...]) -> Published:
    p = _table(ctx, v, {*PUBLISHED_ROW_KEYS, "tolerance"})
    out = {}
    for key in ("effect", "cost", "net"):
        if key in p:
            out[key] = _year_numbers(ctx.at(key), p[key], years)
    tol = _number(ctx.at("tolerance"), p["tolerance"], low=0.0, high=1e9) if "tolerance" in p else None
    basis = {}
    for key, b in _table(ctx.at("basis"), p.get("basis", {}), {"effect", "cost", "net"}).items():
        if b not in BASES:
            raise ctx.at("basis", key).error(f"basis is one of {', '.join(BASES)}: 'drivers' (computed from the "
                                             "document's drivers), 'input' (the printed figure is the scenario's "
                                             f"input), 'derived' (not printed); got {_shown(b)}")
        basis[key] = b
    lines = {key: int(_number(ctx.at("lines", key), n, low=1, high=1e7))
             for key, n in _table(ctx.at("lines"), p.get("lines", {}), {"effect", "cost", "net"}).items()}
    versions = tuple(_read_version(ctx.at("versions", str(i + 1)), item, years)
                     for i, item in enumerate(_list(ctx.at("versions"), p.get("versions", []))))
    return Published(_frozen(out.get("effect", {})), _frozen(out.get("cost", {})),
                     _frozen(out.get("net", {})), _frozen(_published_notes(ctx, p, "notes", years)), tol,
                     basis=_frozen(basis), lines=_frozen(lines),
                     explain=_frozen(_published_notes(ctx, p, "explain", years)), versions=versions)


def _read_version(ctx: _Ctx, item: Any, years: tuple[int, ...]) -> FigureVersion:
    """One other printed version of a figure: {version, field, year, value, line, quote, basis}."""
    t = _table(ctx, item, {"version", "field", "year", "value", "line", "quote", "basis"},
               {"version", "field", "year", "value"})
    if t["field"] not in ("effect", "cost", "net"):
        raise ctx.at("field").error(f"field is effect, cost or net; got {_shown(t['field'])}")
    if "basis" in t and t["basis"] not in BASES:
        raise ctx.at("basis").error(f"basis is one of {', '.join(BASES)}; got {_shown(t['basis'])}")
    return FigureVersion(
        version=_text(ctx.at("version"), t["version"], limit=200), field=t["field"],
        year=_year(ctx.at("year"), t["year"], years), value=_number(ctx.at("value"), t["value"]),
        line=int(_number(ctx.at("line"), t["line"], low=1, high=1e7)) if "line" in t else None,
        quote=_text(ctx.at("quote"), t.get("quote", ""), empty=True), basis=t.get("basis"))


def _published_notes(ctx: _Ctx, p: dict[str, Any], key: str, years: tuple[int, ...]) -> dict[str, str]:
    """``notes`` (excuses) or ``explain`` per row and year, keyed "net 2022"."""
    out = {}
    for row, t in _table(ctx.at(key), p.get(key, {}), {"effect", "cost", "net"}).items():
        if not _is_year_table(t):
            raise ctx.at(key, row).error(f"{key} per year, e.g. {{2022 = 'net row says ...'}}")
        for y, text in t.items():
            yy = _year(ctx.at(key, row, str(y)), y, years)
            out[f"{row} {yy}"] = _text(ctx.at(key, row, str(y)), text)
    return out


def _read_published_totals(ctx: _Ctx, v: Any, years: tuple[int, ...],
                           measure_ids: frozenset[str] = frozenset()) -> PublishedTotals:
    p = _table(ctx, v, {*PUBLISHED_ROW_KEYS, "tolerance", "unit", "total_tolerance", "groups", *LAWS})
    unit = _number(ctx.at("unit"), p.get("unit", 1.0), low=1e-6, high=1e9)
    tol = _number(ctx.at("tolerance"), p.get("tolerance", 1.0 / unit), low=0.0, high=1e9)
    total_tol = _number(ctx.at("total_tolerance"), p.get("total_tolerance", tol), low=0.0, high=1e9)
    inner = _read_published(ctx, {k: p[k] for k in PUBLISHED_ROW_KEYS if k in p}, years)
    by_law = {law: _read_published(ctx.at(law), p[law], years) for law in LAWS if law in p}
    raw_groups = p.get("groups", {})
    groups = {}
    for name, g in _table(ctx.at("groups"), raw_groups, set(raw_groups) if isinstance(raw_groups, dict)
                          else set()).items():
        groups[name] = _read_group(ctx.at("groups", name), g, years, measure_ids)
    return PublishedTotals(inner.effect, inner.cost, inner.net, inner.notes,
                           tolerance=total_tol, figure_tolerance=tol, unit=unit, by_law=_frozen(by_law),
                           total=inner, groups=_frozen(groups))


def _read_group(ctx: _Ctx, g: Any, years: tuple[int, ...], measure_ids: frozenset[str]) -> PublishedGroup:
    """A printed subtotal: ``measures = [ids]`` and the keys of a measure's ``published``."""
    g = _table(ctx, g, {*PUBLISHED_ROW_KEYS, "measures"}, {"measures"})
    ids = [_text(ctx.at("measures"), m, limit=200) for m in _list(ctx.at("measures"), g["measures"])]
    unknown = sorted(set(ids) - measure_ids)
    if unknown:
        raise ctx.at("measures").error(f"unknown measure {_shown(unknown[0])}; a group sums measures of this "
                                       "scenario by id")
    return PublishedGroup(tuple(ids), _read_published(ctx, {k: g[k] for k in PUBLISHED_ROW_KEYS if k in g}, years))


GOAL_KEYS = {"id", "scope", "municipality", "amounts", "source", "basis", "price_level", "base_year", "budget",
             "taakstelling_in_budget"}
BASIS_WORDS = ("'counterfactual' (spending without the measures: the scope's net savings), 'base_year' (spending "
               "in a named year, base_year = YEAR), or 'budget' (a begroting path, budget = {YEAR = EUR, ...} with "
               "taakstelling_in_budget = true|false)")


def _price_level(ctx: _Ctx, v: Any, base_year: int, years: tuple[int, ...]) -> PriceLevel:
    """``price_level``: "nominal" or a year of constant prices (the base year or a horizon year)."""
    if v == "nominal":
        return "nominal"
    if isinstance(v, int) and not isinstance(v, bool) and (v == base_year or v in years):
        return v
    raise ctx.error(f"price_level is 'nominal' (lopende prijzen) or the year of constant prices: {base_year} "
                    f"(the base year) or a horizon year {years[0]}-{years[-1]}; got {_shown(v)}")


def _read_goal(ctx: _Ctx, t: Any, years: tuple[int, ...], posts: tuple[Post, ...], muni_ids: set[str], *,
               kind: str, measure_ids: frozenset[str] = frozenset(), base_year: int = 0,
               measure_posts: dict[str, tuple[str, ...]] | None = None
               ) -> tuple[str, Scope, Any, str, dict[str, Any], PriceLevel]:
    """What targets and budgets share: id, scope (posts or measures, municipality), amounts per
    year, source, price level."""
    if isinstance(t, dict) and "against" in t:
        old = t["against"]
        repl = {"baseline": "'counterfactual'", "base_year": "'base_year'"}.get(old, "one of " + BASIS_WORDS)
        raise ctx.at("against").error(f"'against' is replaced by 'basis': write basis = {repl} (and "
                                      "price_level = 'nominal' or a year)")
    t = _table(ctx, t, GOAL_KEYS if kind == "target" else GOAL_KEYS - {"base_year", "budget",
                                                                         "taakstelling_in_budget"},
               {"amounts", "source"})
    if "basis" not in t:
        raise ctx.error(f"missing required key 'basis': what the {kind} is measured against; "
                        + (BASIS_WORDS if kind == "target" else "a budget's basis is the begroting: basis = 'budget'"))
    if "price_level" not in t:
        raise ctx.error(f"missing required key 'price_level': 'nominal' (lopende prijzen) or the year of "
                        f"constant prices, e.g. price_level = {base_year}")
    level = _price_level(ctx.at("price_level"), t["price_level"], base_year, years)
    scope = _scope(ctx.at("scope"), t.get("scope", "all"), posts, measure_ids, measure_posts or {})
    muni = t.get("municipality")
    if muni is not None and _unknown(muni, muni_ids):
        raise ctx.at("municipality").error(f"unknown municipality {_shown(muni)}; "
                                           f"{_known(muni, sorted(muni_ids))}")
    scope = Scope(scope.posts, scope.label, muni, scope.measures)
    amounts = _frozen(_year_numbers(ctx.at("amounts"), t["amounts"], years, low=-1e12, high=1e12))
    default_id = f"{kind}-{scope.label}" + (f"-{muni}" if muni else "")
    tid = _ident(ctx.at("id"), t["id"]) if "id" in t else default_id
    src = _source(ctx.at("source"), t["source"])
    return tid, scope, amounts, src, t, level


def _read_target(ctx: _Ctx, t: Any, years: tuple[int, ...], posts: tuple[Post, ...],
                 muni_ids: set[str], measure_ids: frozenset[str] = frozenset(), base_year: int = 0,
                 measure_posts: dict[str, tuple[str, ...]] | None = None) -> Target:
    tid, scope, amounts, src, table, level = _read_goal(ctx, t, years, posts, muni_ids, kind="target",
                                                        measure_ids=measure_ids, base_year=base_year,
                                                        measure_posts=measure_posts)
    basis = table["basis"]
    if basis not in GOAL_BASES:
        raise ctx.at("basis").error(f"basis is one of {BASIS_WORDS}; got {_shown(basis)}")
    if scope.measures is not None and basis != "counterfactual":
        raise ctx.at("basis").error("a target on measures (scope = {measures = [...]}) judges their net savings: "
                                    "basis = 'counterfactual'")
    by, budget, inside = None, None, None
    for key, needed in (("base_year", "base_year"), ("budget", "budget"), ("taakstelling_in_budget", "budget")):
        if key in table and basis != needed:
            raise ctx.at(key).error(f"{key} belongs to basis = '{needed}'; this target's basis is '{basis}'")
    if basis == "base_year":
        if "base_year" not in table:
            raise ctx.error(f"basis = 'base_year' needs base_year = YEAR: the year whose spending the savings are "
                            f"measured against, e.g. base_year = {base_year}")
        by = _year(ctx.at("base_year"), table["base_year"])
        if by != base_year and (by not in years or by >= min(amounts, default=by + 1)):
            raise ctx.at("base_year").error(f"base_year is the scenario's base year {base_year} or a horizon year "
                                            "before the target's first year")
    if basis == "budget":
        missing = [k for k in ("budget", "taakstelling_in_budget") if k not in table]
        if missing:
            raise ctx.error(f"basis = 'budget' needs {missing[0]}: budget = {{YEAR = EUR, ...}} (the begroting "
                            "per year) and taakstelling_in_budget = true (the taakstelling is already deducted in "
                            "it) or false (it still has to come off)")
        budget = _frozen(_year_numbers(ctx.at("budget"), table["budget"], years, low=0.0, high=1e13))
        lacking = sorted(set(amounts) - set(budget))
        if lacking:
            raise ctx.at("budget").error(f"no budget for {lacking[0]}: the begroting must cover every year of "
                                         "the amounts")
        inside = table["taakstelling_in_budget"]
        if not isinstance(inside, bool):
            raise ctx.at("taakstelling_in_budget").error("taakstelling_in_budget is true or false")
    return Target(tid, scope, amounts, Basis(basis), src, level, by, budget, inside)


def _read_budget(ctx: _Ctx, t: Any, years: tuple[int, ...], posts: tuple[Post, ...],
                 muni_ids: set[str], measure_ids: frozenset[str] = frozenset(), base_year: int = 0,
                 measure_posts: dict[str, tuple[str, ...]] | None = None) -> Budget:
    tid, scope, amounts, src, table, level = _read_goal(ctx, t, years, posts, muni_ids, kind="budget",
                                                        measure_ids=measure_ids, base_year=base_year,
                                                        measure_posts=measure_posts)
    if table["basis"] != "budget":
        raise ctx.at("basis").error("a [[budget]] is a ceiling on spending: its basis is the begroting itself, "
                                    f"basis = 'budget'; got {_shown(table['basis'])} (a saving against another "
                                    "basis is a [[target]])")
    if scope.measures is not None:
        raise ctx.at("scope").error("a budget is a ceiling on the spending of posts, not of measures")
    return Budget(tid, scope, amounts, src, level)


def _read_prices(ctx: _Ctx, v: Any, b: Any, posts: tuple[Post, ...], base_year: int,
                 years: tuple[int, ...]) -> Prices:
    """``[prices]``: what the simulated costs are in, and the indexation between price levels."""
    inferred: PriceLevel = "nominal" if any(p.price_growth is not None for p in posts) else base_year
    if v is None:
        return Prices(inferred, None, "")
    t = _table(ctx, v, {"simulated", "indexation", "source"}, {"simulated", "source"})
    # declared, it may differ from the inference: a post's base and growth copied from a
    # nominal begroting are nominal without a separate price growth (the source says why)
    level = _price_level(ctx.at("simulated"), t["simulated"], base_year, years)
    ind = None
    if "indexation" in t:
        ind = b.quantity(ctx.at("indexation"), t["indexation"], "prices.indexation", "growth",
                         deterministic="mean", low=-0.5, high=1.0)
    return Prices(level, ind, _source(ctx.at("source"), t["source"]))


def _check_price_levels(ctx: _Ctx, prices: Prices, goals: Any) -> None:
    """A goal in other prices than the simulation needs an indexation to convert."""
    if prices.indexation is not None:
        return
    for where, g in goals:
        if g.price_level != prices.simulated:
            raise ctx.at(where, "price_level").error(
                f"the amounts are in {_level(g.price_level)}, the simulated costs in {_level(prices.simulated)}: "
                "add [prices] indexation (the yearly price rise: a number, a table of years or a distribution) "
                f"to convert, or state the goal in price_level = {prices.simulated!r}".replace("'", '"'))


def _level(level: PriceLevel) -> str:
    return "nominal prices" if level == "nominal" else f"constant {level} prices"


def _read_booked(ctx: _Ctx, v: Any, years: tuple[int, ...], muni_ids: set[str], measure_ids: frozenset[str],
                 base_year: int) -> tuple[Booked, ...]:
    """``[[booked]]``: savings a participant already booked that overlap programme measures."""
    out = []
    for i, item in enumerate(_list(ctx.at("booked"), v)):
        c = ctx.at(f"booked[{i}]")
        t = _table(c, item, {"id", "municipality", "amounts", "overlaps", "source", "price_level"},
                   {"municipality", "amounts", "overlaps", "source", "price_level"})
        muni = t["municipality"]
        if _unknown(muni, muni_ids):
            raise c.at("municipality").error(f"unknown municipality {_shown(muni)}; {_known(muni, sorted(muni_ids))}")
        ids = [x for x in _list(c.at("overlaps"), t["overlaps"])] if isinstance(t["overlaps"], list) else None
        if not ids:
            raise c.at("overlaps").error("overlaps is a non-empty list of measure ids the booked saving overlaps")
        for m in ids:
            if _unknown(m, measure_ids):
                raise c.at("overlaps").error(f"unknown measure {_shown(m)}; {_known(m, sorted(measure_ids))}")
        amounts = _frozen(_year_numbers(c.at("amounts"), t["amounts"], years, low=0.0, high=1e12))
        bid = _ident(c.at("id"), t["id"]) if "id" in t else f"booked-{muni}-{i + 1}"
        out.append(Booked(bid, muni, amounts, tuple(ids), _source(c.at("source"), t["source"]),
                          _price_level(c.at("price_level"), t["price_level"], base_year, years)))
    return tuple(out)


def _scope(ctx: _Ctx, v: Any, posts: tuple[Post, ...], measure_ids: frozenset[str] = frozenset(),
           measure_posts: dict[str, tuple[str, ...]] | None = None) -> Scope:
    ids = [p.id for p in posts]
    choices = (f"scope is all, {', '.join(LAWS)}, a list of post ids, {{posts = [ids]}} or {{measures = [ids]}} "
               "(optionally {measures = [ids], posts = [ids]}: their savings on those posts, their costs booked there)")
    if isinstance(v, dict):
        if set(v) == {"posts"}:
            return _scope(ctx.at("posts"), v["posts"], posts)
        if "measures" not in v or set(v) - {"measures", "posts"}:
            raise ctx.error(choices)
        ms = v["measures"]
        if not isinstance(ms, list) or not ms:
            raise ctx.at("measures").error("measures is a non-empty list of measure ids")
        for m in ms:
            if _unknown(m, measure_ids):
                raise ctx.at("measures").error(f"unknown measure {_shown(m)}; {_known(m, sorted(measure_ids))}")
        touched = {p for m in ms for p in (measure_posts or {}).get(m, ())}
        if "posts" in v:  # their savings on these posts and the costs booked there
            only = _scope(ctx.at("posts"), v["posts"], posts)
            s = measure_scope(tuple(ms), only.posts, None)
            return Scope(s.posts, f"{s.label}@posts:{'+'.join(only.posts)}", None, s.measures)
        return measure_scope(tuple(ms), tuple(p for p in ids if p in touched), None)
    if isinstance(v, str):
        if v not in (*LAWS, "all"):
            raise ctx.error(choices)
        chosen = tuple(p.id for p in posts if v in ("all", p.law))
        if not chosen:
            raise ctx.error(f"no post has law {v!r}")
        return Scope(chosen, v)
    if isinstance(v, list) and v:
        for x in v:
            if _unknown(x, ids):
                raise ctx.error(f"unknown post {_shown(x)}; {_known(x, ids)}")
        chosen = tuple(x for x in ids if x in v)
        # one label per set of posts (order and repeats in the list do not matter), never
        # the label of a law scope: a post may be called "wmo"
        label = "+".join(chosen)
        return Scope(chosen, f"posts:{label}" if label in (*LAWS, "all") else label)
    raise ctx.error(choices)
