"""Targets and budgets of a simulated Dataset, per path, and which one is the headline.

The rule for when a goal holds is :mod:`simulator.core.goals` (shared with streamed runs);
this module applies it to a Dataset's scopes and years.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import numpy as np

from simulator.core import goals as rule
from simulator.core.stats import QUANTILES, probability_se


@dataclass(frozen=True, slots=True)
class Goal:
    """A target or budget of a Dataset, evaluated per path.

    Attributes
    ----------
    id : str
        The goal's id in the scenario.
    kind : {"target", "budget"}
    scope : str
        Label of the posts (or measures) it is judged on, e.g. ``"all"``, ``"wmo@hilversum"``.
    amounts : dict of int to float
        Year -> the target or budget [EUR, in ``price_level`` prices].
    holds : dict of int to ndarray
        Year -> per path whether it holds (bool, dims (path,)).
    measured : dict of int to ndarray
        Year -> per path what is judged [EUR, ``price_level`` prices]: savings on the goal's
        basis, or spending for a budget.
    basis : {"counterfactual", "base_year", "budget"}
    spec : GoalSpec
        The rule's record (price level, reference year, begroting, booked savings).
    booked : dict of int to ndarray
        Year -> per path the saving deducted because the participant already booked it [EUR].
    """

    id: str
    kind: str
    scope: str
    amounts: dict[int, float]
    holds: dict[int, np.ndarray]
    measured: dict[int, np.ndarray]
    basis: str = "counterfactual"
    spec: rule.GoalSpec | None = None
    booked: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def price_level(self) -> Any:
        return self.spec.price_level if self.spec is not None else "nominal"


def core_arrays(ds: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A Dataset's scope net savings and baseline as (scope, year, path), and its price index
    (year, path) or None: the layout the rule reads."""
    net = np.ascontiguousarray(ds["scope_net_savings"].transpose("scope", "year", "path").values)
    base = np.ascontiguousarray(ds["scope_baseline"].transpose("scope", "year", "path").values)
    index = (np.ascontiguousarray(ds["price_index"].transpose("year", "path").values)
             if "price_index" in ds else None)
    return net, base, index


def _goal(spec: rule.GoalSpec, years: list[int], arrays: tuple) -> Goal:
    net, base, index = arrays
    holds, amounts, measured, booked = {}, {}, {}, {}
    for y, a in spec.amounts.items():
        value, deducted = spec.judged(y, years, net, base, index)
        holds[y], amounts[y], measured[y] = rule.holds(spec.kind, value, a), a, value
        if deducted is not None:
            booked[y] = deducted
    return Goal(spec.id, spec.kind, spec.scope, amounts, holds, measured, spec.basis, spec, booked)


def specs_of(ds: Any, municipality: str | None = None) -> list[rule.GoalSpec]:
    """The rule's records of a Dataset's goals for the region (or one municipality)."""
    labels = [str(s) for s in ds["scope"].values]
    return [rule.GoalSpec.from_meta(kind, item, labels)
            for kind, key in (("target", "targets"), ("budget", "budgets"))
            for item in json.loads(ds.attrs.get(key, "[]"))
            if item.get("municipality") == municipality]


def goals(ds: Any, *, municipality: str | None = None) -> list[Goal]:
    """Targets and budgets of the region (or one municipality), evaluated per path."""
    specs = specs_of(ds, municipality)
    if not specs:
        return []
    arrays = core_arrays(ds)
    years = [int(y) for y in ds["year"].values]
    return [_goal(spec, years, arrays) for spec in specs]


def basis_words(spec: Any, lang: str = "nl") -> str:
    """A goal's basis and price level in a controller's words, e.g. "t.o.v. de uitgaven in 2019,
    lopende prijzen" (the catalogue's ``basis.`` and ``price.`` entries)."""
    from simulator.i18n import t

    if spec.kind == "budget":
        b = t("basis.ceiling", lang)
    elif spec.basis == "counterfactual":
        b = t("basis.counterfactual", lang)
    elif spec.basis == "base_year":
        b = t("basis.base_year", lang).format(year=spec.reference_year or spec.base_year)
    else:
        b = t("basis.budget_in" if spec.in_budget else "basis.budget_out", lang)
    level = spec.price_level
    price = t("price.nominal", lang) if level == "nominal" else t("price.constant", lang).format(year=level)
    return f"{b}, {price}"


def goal_year(g: Goal, y: int, n: int) -> dict[str, float]:
    """One goal in one year: its amount [EUR], P(met) with standard error, and the QUANTILES of
    what it measures [EUR] (summaries and risk figures both start from these)."""
    p = float(g.holds[y].mean())
    q = np.quantile(g.measured[y], list(QUANTILES.values()))
    return {"amount": g.amounts[y], "p": p, "se": probability_se(p, n),
            **{k: float(v) for k, v in zip(QUANTILES, q, strict=True)}}


def all_years(g: Goal) -> np.ndarray | None:
    """Per path: the goal holds in every one of its years (None for a goal without years)."""
    return np.logical_and.reduce([g.holds[y] for y in g.amounts]) if g.amounts else None


def headline_scope(ds: Any, municipality: str | None) -> str:
    """The label of the headline scope in a Dataset (see :func:`simulator.core.goals.headline_label`)."""
    labels = [str(s) for s in ds["scope"].values]
    known = json.loads(ds.attrs.get("municipalities", "{}"))
    return labels[rule.headline_index(labels, municipality, known)]


class _Judged(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def amounts(self) -> Any: ...


G = TypeVar("G", bound=_Judged)


def headline_goal(goals: Sequence[G], year: int | None = None) -> G | None:
    """Which goal is the headline.

    Without ``year`` (the per-year summary): the first target, whatever its years. With
    ``year`` (the risk figures of one year): the first target that has that year, else the
    first goal of any kind that has it. None when there is none.
    """
    if year is None:
        return next((g for g in goals if g.kind == "target"), None)
    return next((g for g in goals if g.kind == "target" and year in g.amounts),
                next((g for g in goals if year in g.amounts), None))
