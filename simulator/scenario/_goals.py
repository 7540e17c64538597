"""Published figures, targets (taakstellingen), budgets and the scopes they cover."""

from __future__ import annotations

from typing import Any

from simulator.scenario._context import (
    _Ctx,
    _frozen,
    _ident,
    _is_year_table,
    _known,
    _number,
    _shown,
    _source,
    _table,
    _text,
    _unknown,
    _year,
    _year_numbers,
)
from simulator.scenario.model import LAWS, Budget, Post, Published, PublishedTotals, Scope, Target


def _read_published(ctx: _Ctx, v: Any, years: tuple[int, ...]) -> Published:
    p = _table(ctx, v, {"effect", "cost", "net", "notes", "tolerance"})
    out = {}
    for key in ("effect", "cost", "net"):
        if key in p:
            out[key] = _year_numbers(ctx.at(key), p[key], years)
    notes = {}
    if "notes" in p:
        nt = _table(ctx.at("notes"), p["notes"], {"effect", "cost", "net"})
        for key, t in nt.items():
            if not _is_year_table(t):
                raise ctx.at("notes", key).error("notes per year, e.g. {2022 = 'net row says ...'}")
            for y, text in t.items():
                yy = _year(ctx.at("notes", key, str(y)), y, years)
                notes[f"{key} {yy}"] = _text(ctx.at("notes", key, str(y)), text)
    tol = _number(ctx.at("tolerance"), p["tolerance"], low=0.0, high=1e9) if "tolerance" in p else None
    return Published(_frozen(out.get("effect", {})), _frozen(out.get("cost", {})),
                     _frozen(out.get("net", {})), _frozen(notes), tol)


def _read_published_totals(ctx: _Ctx, v: Any, years: tuple[int, ...]) -> PublishedTotals:
    p = _table(ctx, v, {"effect", "cost", "net", "notes", "tolerance", "unit", "total_tolerance", *LAWS})
    unit = _number(ctx.at("unit"), p.get("unit", 1.0), low=1e-6, high=1e9)
    tol = _number(ctx.at("tolerance"), p.get("tolerance", 1.0 / unit), low=0.0, high=1e9)
    total_tol = _number(ctx.at("total_tolerance"), p.get("total_tolerance", tol), low=0.0, high=1e9)
    inner = _read_published(ctx, {k: p[k] for k in ("effect", "cost", "net", "notes") if k in p}, years)
    by_law = {law: _read_published(ctx.at(law), p[law], years) for law in LAWS if law in p}
    return PublishedTotals(inner.effect, inner.cost, inner.net, inner.notes,
                           tolerance=total_tol, figure_tolerance=tol, unit=unit, by_law=_frozen(by_law))


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
