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
    LAWS,
    Budget,
    FigureVersion,
    Post,
    Published,
    PublishedGroup,
    PublishedTotals,
    Scope,
    Target,
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


def _read_goal(ctx: _Ctx, t: Any, years: tuple[int, ...], posts: tuple[Post, ...], muni_ids: set[str], *,
               kind: str) -> tuple[str, Scope, Any, str, dict[str, Any]]:
    """What targets and budgets share: id, scope (posts, municipality), amounts per year, source."""
    allowed = {"id", "scope", "municipality", "amounts", "source", "against"}
    if kind == "budget":
        allowed -= {"against"}
    t = _table(ctx, t, allowed, {"amounts", "source"})
    scope = _scope(ctx.at("scope"), t.get("scope", "all"), posts)
    muni = t.get("municipality")
    if muni is not None and _unknown(muni, muni_ids):
        raise ctx.at("municipality").error(f"unknown municipality {_shown(muni)}; "
                                           f"{_known(muni, sorted(muni_ids))}")
    scope = Scope(scope.posts, scope.label, muni)
    amounts = _frozen(_year_numbers(ctx.at("amounts"), t["amounts"], years, low=-1e12, high=1e12))
    default_id = f"{kind}-{scope.label}" + (f"-{muni}" if muni else "")
    tid = _ident(ctx.at("id"), t["id"]) if "id" in t else default_id
    src = _source(ctx.at("source"), t["source"])
    return tid, scope, amounts, src, t


def _read_target(ctx: _Ctx, t: Any, years: tuple[int, ...], posts: tuple[Post, ...],
                 muni_ids: set[str]) -> Target:
    tid, scope, amounts, src, table = _read_goal(ctx, t, years, posts, muni_ids, kind="target")
    against = table.get("against", "baseline")
    if against not in ("baseline", "base_year"):
        raise ctx.at("against").error("against must be 'baseline' (counterfactual) or 'base_year'")
    return Target(tid, scope, amounts, against, src)


def _read_budget(ctx: _Ctx, t: Any, years: tuple[int, ...], posts: tuple[Post, ...],
                 muni_ids: set[str]) -> Budget:
    tid, scope, amounts, src, _ = _read_goal(ctx, t, years, posts, muni_ids, kind="budget")
    return Budget(tid, scope, amounts, src)


def _scope(ctx: _Ctx, v: Any, posts: tuple[Post, ...]) -> Scope:
    ids = [p.id for p in posts]
    if isinstance(v, str):
        if v not in (*LAWS, "all"):
            raise ctx.error(f"scope is all, {', '.join(LAWS)} or a list of post ids")
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
    raise ctx.error(f"scope is all, {', '.join(LAWS)} or a list of post ids")
