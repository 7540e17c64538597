"""Quantities (number, expression, distribution, table of years) and the random inputs they create."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from simulator.errors import ExpressionError
from simulator.scenario import distributions as dist
from simulator.scenario._context import _Ctx, _is_year_table, _kind, _number, _reach, _year
from simulator.scenario.expressions import parse
from simulator.scenario.model import ByYear, Const, Formula, Quantity, RandomInput, Ref, Role, quantity_names


class _Builder:
    """Collects random inputs while quantities are read, keyed by stable names."""

    def __init__(self, file: str):
        self.file = file
        self.inputs: dict[str, RandomInput] = {}
        self.years: tuple[int, ...] = ()
        self.horizon: tuple[int, ...] = ()
        self.parameters: dict[str, Quantity] = {}

    def add_input(self, ctx: _Ctx, key: str, spec: dist.Distribution, role: str, *,
                  per_year: bool = False, deterministic: Literal["point", "mean"] = "point", label: str = "") -> Ref:
        if key in self.inputs:
            raise ctx.error(f"the name {key!r} is used twice")
        self.inputs[key] = RandomInput(key, spec, Role(role), per_year, deterministic, label or key)
        return Ref(key)

    def distribution(self, ctx: _Ctx, v: Mapping[str, Any]) -> tuple[dist.Distribution, bool]:
        v = dict(v)
        per_year = v.pop("per_year", False)
        if not isinstance(per_year, bool):
            raise ctx.at("per_year").error("per_year must be true or false")
        try:
            return dist.from_table(v), per_year
        except dist.DistributionError as exc:
            key = next((k for k in v if k in dist.REGISTRY), None)
            raise (ctx.at(key) if key else ctx).error(str(exc)) from None

    def quantity(self, ctx: _Ctx, v: Any, key: str, role: str, *, deterministic: Literal["point", "mean"] = "point",
                 low: float = -1e15, high: float = 1e15, allow_year_table: bool = True) -> Quantity:
        """number | "expression" | {distribution} | {year = any of these}."""
        if isinstance(v, bool):
            raise ctx.error("expected a number, an expression, a distribution or a table of years")
        if isinstance(v, (int, float)):
            return Const(_number(ctx, v, low=low, high=high))
        if isinstance(v, str):
            try:
                return Formula(parse(v))
            except ExpressionError as exc:
                raise ctx.error(exc.problem) from None
        if isinstance(v, Mapping) and dist.is_distribution_table(v):
            spec, per_year = self.distribution(ctx, v)
            s_low, s_high = _reach(spec)
            if s_low < low or s_high > high:
                raise ctx.error(f"the distribution's range [{s_low:g}, {s_high:g}] leaves the allowed "
                                f"range [{low:g}, {high:g}]")
            if not spec.is_random:
                return Const(spec.point)
            return self.add_input(ctx, key, spec, role, per_year=per_year, deterministic=deterministic)
        if allow_year_table and _is_year_table(v):
            years, values = [], []
            checked = [(_year(ctx.at(str(k)), k, self.years), k, x) for k, x in v.items()]
            for y, k, x in sorted(checked, key=lambda t: t[0]):
                years.append(y)
                values.append(self.quantity(ctx.at(str(k)), x, f"{key}.{y}", role,
                                            deterministic=deterministic, low=low, high=high,
                                            allow_year_table=False))
            return ByYear(tuple(years), tuple(values))
        if isinstance(v, Mapping):
            raise ctx.error("expected a number, an expression, a table of years or a distribution "
                            f"({', '.join(dist.REGISTRY)})")
        raise ctx.error(f"expected a number, an expression, a distribution or a table of years, "
                        f"got {_kind(v)}")


def _is_random(q: Quantity, b: _Builder, params: Mapping[str, Quantity] | None = None) -> bool:
    """Whether a quantity reads any random input (directly or through parameters)."""
    names = quantity_names(q)
    if any(n in b.inputs for n in names):
        return True
    params = params if params is not None else b.parameters
    return any(_is_random(params[n], b, params) for n in names if n in params)
