"""When a goal is met: the one rule, on arrays, for full and streamed runs alike.

Every goal is judged in its own price level, on its own basis. What a goal judges [EUR, per path]:

* a budget: this year's spending of its scope (baseline less net savings);
* a target, basis ``counterfactual``: the scope's net savings (spending without the measures
  less spending with them);
* a target, basis ``base_year``: spending in the named year less this year's spending;
* a target, basis ``budget``: the begroting before the taakstelling less this year's spending
  (the begroting plus the amount when the taakstelling is already in it), so the target holds
  exactly when spending stays within the begroting (less the amount if it is not yet in it).

A target then loses what a participant already booked for the same measures
(:class:`Booked`): min(booked, the overlapping measures' net savings, at least 0) per path and year.

Price levels: ``I(t)`` is the price index of year t (1 in the scenario's base year, the product
of 1 + indexation over the years after it, per path); the euro of a level in year t is worth
``L(nominal, t) = I(t)`` or ``L(Y, t) = I(Y)`` base-year euros, so an amount of year t moves from
the simulated level to a goal's level by the factor ``L(goal, t) / L(simulated, t)``.

The shortfall is what is missing from a target, or the overrun of a budget, never negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.errors import UnknownMunicipalityError


def level_factor(level: Any, t: int | None, years: Sequence[int], base_year: int,
                 index: np.ndarray | None) -> np.ndarray | float:
    """``L(level, year)``: base-year euros per euro of ``level`` in horizon year ``years[t]``
    (``t`` None: the base year) [-], per path or 1.0.

    ``index`` is the price index I over the horizon years, dims (year, path), or None (no
    indexation: every level is the same).
    """
    if index is None:
        return 1.0
    year = base_year if t is None else years[t]
    if level != "nominal":
        year = int(level)
    if year == base_year:
        return 1.0
    return index[years.index(year)]


@dataclass(frozen=True, slots=True)
class BookedSpec:
    """A booked saving as a goal deducts it: amounts per year in its price level, and the scope
    index of the overlapping measures' net savings."""

    amounts: Mapping[int, float]
    price_level: Any
    scope_index: int


@dataclass(frozen=True, slots=True)
class GoalSpec:
    """A target or budget as the arrays judge it (full and streamed runs alike).

    Attributes
    ----------
    id, kind, basis, scope : str
        The goal's id, "target" or "budget", its basis and scope label.
    scope_index : int
        Position of its scope among the run's scopes.
    amounts : dict of int to float
        Year -> amount [EUR, in ``price_level`` prices].
    price_level, simulated : str or int
        "nominal" or the year of constant prices: of the goal, and of the simulated costs.
    base_year : int
        The scenario's base year (index 1).
    reference_year : int or None
        Basis ``base_year``: the year whose spending is the reference.
    base_spending : float
        The scope's spending in the scenario's base year [EUR, base-year prices].
    budget : dict of int to float
        Basis ``budget``: the begroting per year [EUR, ``price_level`` prices].
    in_budget : bool
        Basis ``budget``: the taakstelling is already deducted in the begroting.
    booked : tuple of BookedSpec
        What the participant already booked for overlapping measures (targets only).
    footprint : frozenset of str
        The posts the goal's scope touches: goals whose footprints meet overlap.
    """

    id: str
    kind: str
    basis: str
    scope: str
    scope_index: int
    amounts: Mapping[int, float]
    price_level: Any = "nominal"
    simulated: Any = "nominal"
    base_year: int = 0
    reference_year: int | None = None
    base_spending: float = 0.0
    budget: Mapping[int, float] = field(default_factory=dict)
    in_budget: bool = False
    booked: tuple[BookedSpec, ...] = ()
    footprint: frozenset[str] = frozenset()

    @classmethod
    def from_meta(cls, kind: str, item: Mapping[str, Any], labels: Sequence[str]) -> GoalSpec:
        """From a goal's record (:mod:`simulator.run.meta`, a Dataset's attrs)."""
        return cls(
            id=item["id"], kind=kind, basis=item["basis"], scope=item["scope"],
            scope_index=list(labels).index(item["scope"]),
            amounts={int(y): float(a) for y, a in item["amounts"].items()},
            price_level=item["price_level"], simulated=item["simulated"], base_year=int(item["base_year"]),
            reference_year=item.get("reference_year"), base_spending=float(item.get("base_spending", 0.0)),
            budget={int(y): float(a) for y, a in (item.get("budget") or {}).items()},
            in_budget=bool(item.get("taakstelling_in_budget")),
            booked=tuple(BookedSpec({int(y): float(a) for y, a in k["amounts"].items()}, k["price_level"],
                                    list(labels).index(k["scope"])) for k in item.get("booked", ())),
            footprint=frozenset(item.get("footprint", ())))

    def judged(self, y: int, years: Sequence[int], scope_net: np.ndarray, scope_base: np.ndarray,
               index: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """What the goal judges in year ``y``, per path, in its price level [EUR], and what was
        deducted for booked savings (None when nothing is booked).

        ``scope_net`` and ``scope_base`` are (scope, year, path) over the horizon ``years`` in
        simulated prices; ``index`` the price index (year, path) or None.
        """
        t = list(years).index(y)

        def to_goal(level_t: int | None, level: Any = None) -> np.ndarray | float:
            src = self.simulated if level is None else level
            return (level_factor(self.price_level, level_t, years, self.base_year, index)
                    / level_factor(src, level_t, years, self.base_year, index))

        f = to_goal(t)
        si = self.scope_index
        net = scope_net[si, t]
        spending = (scope_base[si, t] - net) * f
        if self.kind == "budget":
            return spending, None
        if self.basis == "counterfactual":
            value = net * f
        elif self.basis == "base_year":
            if self.reference_year is None or self.reference_year == self.base_year:
                ref = self.base_spending * to_goal(None)
            else:
                r = list(years).index(self.reference_year)
                ref = (scope_base[si, r] - scope_net[si, r]) * to_goal(r)
            value = ref - spending
        else:
            ref = self.budget[y] + (self.amounts[y] if self.in_budget else 0.0)
            value = ref - spending
        deducted = None
        for k in self.booked:
            amount = k.amounts.get(y, 0.0)
            if amount == 0.0:
                continue
            overlap = np.maximum(scope_net[k.scope_index, t] * f, 0.0)
            part = np.minimum(amount * to_goal(t, k.price_level), overlap)
            deducted = part if deducted is None else deducted + part
        if deducted is not None:
            value = value - deducted
        return np.asarray(value, dtype=np.float64), deducted


def price_index(env: Any, indexation: Any, horizon: slice) -> np.ndarray | None:
    """The price index I over the horizon years, dims (year, path) [-]: the product of
    1 + indexation [fraction per year] over the model years up to each year (1 in the base
    year); None without an indexation."""
    if indexation is None:
        return None
    rate = np.broadcast_to(env.full(indexation, what="[prices] indexation"), (env.n_years, env.n))
    index = np.cumprod(1.0 + rate, axis=0)
    return np.ascontiguousarray(index[horizon])


def judged(kind: str, against: str, saved: np.ndarray, baseline: np.ndarray,
           base_year_spending: float) -> np.ndarray:
    """What a goal judges, per path [EUR], without price levels or booked savings (see
    :meth:`GoalSpec.judged` for the full rule).

    ``against``: "counterfactual" (or the old word "baseline"), "base_year" (spending
    ``base_year_spending`` as the reference); ignored for a budget.
    """
    if kind == "target" and against not in ("base_year",):
        return saved
    spending = baseline - saved
    return spending if kind == "budget" else base_year_spending - spending


def components(footprints: Sequence[frozenset[str]]) -> list[list[int]]:
    """Goals grouped so that overlapping footprints (sharing a post) share a group, transitively."""
    parent = list(range(len(footprints)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(footprints)):
        for j in range(i):
            if footprints[i] & footprints[j]:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(footprints)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def combined_shortfall(footprints: Sequence[frozenset[str]],
                       shortfalls: Mapping[tuple[int, int], np.ndarray]) -> np.ndarray | None:
    """The programme's shortfall per path [EUR]: summed over years and over groups of
    overlapping goals, the largest shortfall within a group (so a euro missed on two goals of
    the same posts is counted once); None without any goal-year.

    ``shortfalls`` maps (goal index, year) to the shortfall per path.
    """
    if not shortfalls:
        return None
    total: np.ndarray | None = None
    years = sorted({y for _, y in shortfalls})
    for group in components(footprints):
        for y in years:
            parts = [shortfalls[(g, y)] for g in group if (g, y) in shortfalls]
            if not parts:
                continue
            worst = parts[0] if len(parts) == 1 else np.maximum.reduce(parts)
            total = worst.copy() if total is None else total + worst
    return total


def holds(kind: str, value: np.ndarray, amount: float) -> np.ndarray:
    """Per path, whether the goal holds: a target is reached, a budget is not exceeded (bool)."""
    return value <= amount if kind == "budget" else value >= amount


def shortfall(kind: str, value: np.ndarray, amount: float) -> np.ndarray:
    """Per path, what is missing from a target or the overrun of a budget [EUR], >= 0."""
    return np.maximum(value - amount, 0.0) if kind == "budget" else np.maximum(amount - value, 0.0)


def headline_label(municipality: str | None) -> str:
    """The scope label of the headline: every post of the region ("all") or of one municipality
    ("all@hilversum")."""
    return "all" + (f"@{municipality}" if municipality else "")


def headline_index(labels: Sequence[str], municipality: str | None, known: Iterable[str]) -> int:
    """Position of the headline scope among ``labels``.

    Raises
    ------
    UnknownMunicipalityError
        When the scenario (whose municipality ids are ``known``) has no such municipality.
    """
    label = headline_label(municipality)
    if label not in labels:
        raise UnknownMunicipalityError(municipality, known)
    return list(labels).index(label)


def check_municipality(municipality: str | None, known: Iterable[str]) -> None:
    """Raise :class:`UnknownMunicipalityError` unless ``municipality`` is None or among ``known``."""
    known = tuple(known)
    if municipality is not None and municipality not in known:
        raise UnknownMunicipalityError(municipality, known)
