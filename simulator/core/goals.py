"""When a goal is met: the one rule, on arrays, for full and streamed runs alike.

A target holds in a year when what it judges reaches its amount; a budget holds when
spending in its scope stays at or under it. What a goal judges [EUR, per path]:

* a target against the baseline: the scope's net savings;
* a target against the base year: base-year spending minus this year's spending;
* a budget: this year's spending (the baseline less the savings).

The shortfall is what is missing from a target, or the overrun of a budget, never negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from simulator.errors import UnknownMunicipalityError


def judged(kind: str, against: str, saved: np.ndarray, baseline: np.ndarray,
           base_year_spending: float) -> np.ndarray:
    """What a goal judges, per path [EUR].

    Parameters
    ----------
    kind : {"target", "budget"}
    against : {"baseline", "base_year"}
        A target's basis (ignored for a budget).
    saved : ndarray
        Net savings of the goal's scope in the year [EUR], any shape (paths last).
    baseline : ndarray
        Spending of the scope without the measures in that year [EUR], the shape of ``saved``.
    base_year_spending : float
        Spending of the scope in the base year [EUR] (used by a target against the base year).
    """
    if kind == "target" and against != "base_year":
        return saved
    spending = baseline - saved
    return spending if kind == "budget" else base_year_spending - spending


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
