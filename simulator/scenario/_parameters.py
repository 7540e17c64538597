"""``[defaults]`` and ``[parameters]``: named quantities, their evaluation order, and the
check that every name an expression reads exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.scenario import distributions as dist
from simulator.scenario._builder import _Builder
from simulator.scenario._context import (
    MAX_ITEMS,
    NAME_PATTERN,
    RESERVED_NAMES,
    _Ctx,
    _key_text,
    _known,
    _source,
    _table,
    _text,
)
from simulator.scenario.model import Const, CostGroup, Measure, PhaseTurnover, Post, Quantity, Ref, quantity_names


def _read_defaults(ctx: _Ctx, v: Any) -> dict[str, Any]:
    d = _table(ctx, v, {"effect_factor", "cost_factor", "go_ahead", "delay", "reason"})
    if any(k != "reason" for k in d) and "reason" not in d:
        raise ctx.error("defaults need a reason = '...': why this uncertainty fits plain point estimates")
    out: dict[str, Any] = {"reason": _text(ctx.at("reason"), d.get("reason", ""), empty=True)}
    for key in ("effect_factor", "cost_factor", "go_ahead", "delay"):
        out[key] = d.get(key)
    return out


def _read_parameters(ctx: _Ctx, v: Any, b: _Builder) -> tuple[dict[str, Quantity], tuple[str, ...]]:
    table = _table(ctx, v, set(v) if isinstance(v, Mapping) else set())
    if len(table) > MAX_ITEMS:
        raise ctx.error(f"more than {MAX_ITEMS} parameters")
    params: dict[str, Quantity] = {}
    for pname, spec in table.items():
        pctx = ctx.at(pname)
        _key_text(pctx, pname, "a parameter name")
        if not NAME_PATTERN.fullmatch(pname) or pname in RESERVED_NAMES:
            raise pctx.error(f"{pname!r} cannot be a parameter name: use letters, digits and '_', "
                             f"starting with a letter, and none of {sorted(RESERVED_NAMES)}")
        if not isinstance(spec, Mapping):
            raise pctx.error("a parameter is a table with its value and source, e.g. "
                             "{pert = [80, 100, 120], source = '...'} or {value = 5000, source = '...'}")
        spec = dict(spec)
        if "source" not in spec:
            raise pctx.error("missing source: cite the document and section, or 'assumption: <why>'")
        _source(pctx.at("source"), spec.pop("source"))
        label = _text(pctx.at("label"), spec.pop("label", pname), limit=200, line=True)
        unit = spec.pop("unit", None)
        if unit is not None:
            _text(pctx.at("unit"), unit, limit=50, line=True)
        if "value" in spec:
            rest = set(spec) - {"value"}
            if rest:
                raise pctx.error(f"unknown key {sorted(rest)[0]!r} beside value")
            q = b.quantity(pctx.at("value"), spec["value"], pname, "parameter")
        elif dist.is_distribution_table(spec):
            d, per_year = b.distribution(pctx, spec)
            q = (b.add_input(pctx, pname, d, "parameter", per_year=per_year, label=label)
                 if d.is_random else Const(d.point))
        else:
            raise pctx.error("give value = ... or one distribution key "
                             f"({', '.join(dist.REGISTRY)})")
        params[pname] = q
    order = _topological(ctx, params)
    return params, order


def _topological(ctx: _Ctx, params: dict[str, Quantity]) -> tuple[str, ...]:
    """Parameters in evaluation order; unknown names and cycles are errors."""

    def reads(n: str, q: Quantity) -> set[str]:
        # a random parameter is a Ref to its own input; inline inputs have dotted keys
        return {d for d in quantity_names(q) if "." not in d and not (isinstance(q, Ref) and d == n)}

    deps = {}
    for n, q in params.items():
        names = reads(n, q)
        if n in names:
            raise ctx.at(n).error(f"parameter {n!r} refers to itself")
        for u in sorted(names - set(params) - {"year"}):
            raise ctx.at(n).error(f"unknown name {u!r}; {_known(u, sorted(params), 'known parameters')}")
        deps[n] = names & set(params)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            cycle = " -> ".join(trail[trail.index(n):] + [n])
            raise ctx.at(n).error(f"parameters refer to each other in a cycle: {cycle}")
        state[n] = 1
        for d in sorted(deps[n]):
            if d != n:
                visit(d, trail + [n])
        state[n] = 2
        order.append(n)

    for n in sorted(params):
        visit(n, [])
    return tuple(order)


def _check_names(ctx: _Ctx, parameters: Mapping[str, Quantity], posts: tuple[Post, ...],
                 measures: tuple[Measure, ...], cost_groups: tuple[CostGroup, ...], known: set[str]) -> None:
    def check(q: Quantity, where: _Ctx) -> None:
        for n in quantity_names(q):
            if n not in known and "." not in n:
                raise where.error(f"unknown name {n!r} in expression; "
                                  f"{_known(n, sorted(set(known) - {'year'}), 'known parameters')}")

    for m in measures:
        mctx = ctx.at(f'measure "{m.id}"')
        for e in m.effects:
            check(e.value, mctx.at("effect"))
        if m.costs is not None:
            check(m.costs, mctx.at("costs"))
        if m.committed_costs is not None:
            check(m.committed_costs, mctx.at("committed_costs"))
        if m.substitution is not None:
            check(m.substitution.share, mctx.at("substitution"))
        if isinstance(m.phase, PhaseTurnover):
            check(m.phase.rate, mctx.at("phase_in"))
    for g in cost_groups:
        check(g.costs, ctx.at(f'cost_group "{g.id}"', "costs"))
    for p in posts:
        pctx = ctx.at(f'post "{p.id}"')
        for q in (p.volume_growth, p.price_growth):
            if q is not None:
                check(q, pctx)
        if p.stock is not None:
            check(p.stock.outflow_rate, pctx.at("stock"))
            if p.stock.inflow is not None:
                check(p.stock.inflow, pctx.at("stock"))
