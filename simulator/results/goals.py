"""Targets and budgets of a simulated Dataset, per path, and which one is the headline.

The rule for when a goal holds is :mod:`simulator.core.goals` (shared with streamed runs);
this module applies it to a Dataset's scopes and years.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
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
        Label of the posts it is judged on, e.g. ``"all"``, ``"wmo@hilversum"``.
    amounts : dict of int to float
        Year -> the target or budget [EUR].
    holds : dict of int to ndarray
        Year -> per path whether it holds (bool, dims (path,)).
    measured : dict of int to ndarray
        Year -> per path what is judged [EUR]: savings, or spending for a budget.
    against : {"baseline", "base_year"}
        A target's basis.
    """

    id: str
    kind: str
    scope: str
    amounts: dict[int, float]
    holds: dict[int, np.ndarray]
    measured: dict[int, np.ndarray]
    against: str = "baseline"


def _goal(ds: Any, item: dict, kind: str) -> Goal:
    net = ds["scope_net_savings"].sel(scope=item["scope"])
    base = ds["scope_baseline"].sel(scope=item["scope"])
    against = item.get("against", "baseline")
    holds, amounts, measured = {}, {}, {}
    for key, a in item["amounts"].items():
        y = int(key)
        value = rule.judged(kind, against, net.sel(year=y).values, base.sel(year=y).values,
                            item.get("base_year_spending", 0.0))
        holds[y], amounts[y], measured[y] = rule.holds(kind, value, a), a, value
    return Goal(item["id"], kind, item["scope"], amounts, holds, measured, against)


def goals(ds: Any, *, municipality: str | None = None) -> list[Goal]:
    """Targets and budgets of the region (or one municipality), evaluated per path."""
    return [_goal(ds, item, kind)
            for kind, key in (("target", "targets"), ("budget", "budgets"))
            for item in json.loads(ds.attrs.get(key, "[]"))
            if item.get("municipality") == municipality]


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
