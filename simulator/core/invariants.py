"""Checks on what the engine computes: domains of evaluated quantities, and invariants of a
block's results that hold for every valid scenario.

The loader checks what a file says; an expression's value, a stock's path and a sum over
posts are only known when a block is computed. A violation here is an error that names the
file and the place (``post "wmo-hh" > stock > inflow``), never a silently wrong figure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from simulator.errors import SimulationError

if TYPE_CHECKING:
    from simulator.scenario.model import Measure, Scenario

#: largest magnitude of a result [EUR]: far above any municipal figure, far enough below
#: float64 overflow that sums and squares over 1e8 paths stay finite
MAX_RESULT = 1e18

class Totals(Protocol):
    """What the checks read of an engine Block: totals over the horizon, dims (year, path) [EUR]."""

    @property
    def baseline(self) -> np.ndarray: ...

    @property
    def gross(self) -> np.ndarray: ...

    @property
    def net(self) -> np.ndarray: ...

    @property
    def scope_spending(self) -> np.ndarray: ...


def check_domain(v: np.ndarray, domain: tuple[float, float], *, file: str, what: str,
                 years: np.ndarray) -> None:
    """Raise :class:`SimulationError` when any draw of ``v`` (year, path) leaves ``domain``.

    Parameters
    ----------
    v : ndarray
        Evaluated quantity, dims (year, path) or broadcastable (1 year or 1 path).
    domain : (float, float)
        Its documented domain (see :data:`simulator.scenario.domains.DOMAINS`), in its unit.
    file, what : str
        The scenario file and the key path, for the message.
    years : ndarray
        The model years, dims (year,), to say when it happens.
    """
    low, high = domain
    bad = (v < low) | (v > high)
    if not bad.any():
        return
    row, col = np.argwhere(bad)[0]
    year = years[row] if v.shape[0] == len(years) else years[0]
    raise SimulationError(f"{file}: {what}: {float(v[row, col]):g} in {int(year)} is outside its domain "
                          f"[{low:g}, {high:g}] in {int(bad.sum()):,} of {bad.size:,} values (year x path); "
                          "check the expression (see docs/validation.md, domains)")


def check_block(scenario: Scenario, block: Totals, *, measures: Sequence[Measure], post_baseline: np.ndarray,
                costs: np.ndarray) -> None:
    """Invariants of one block's results; raise :class:`SimulationError` naming where one fails.

    Parameters
    ----------
    block : Block
        The block's results over the horizon years (see :class:`Totals`).
    measures : sequence of Measure
        The measures in the package, in the order of ``costs``.
    post_baseline : ndarray
        Baseline per post [EUR], dims (post, year, path), horizon years.
    costs : ndarray
        Costs per measure [EUR], dims (measure, year, path), horizon years.
    """
    file = scenario.file
    for p, b in zip(scenario.posts, post_baseline, strict=True):
        if not (np.abs(b) <= MAX_RESULT).all():  # also False for NaN
            raise SimulationError(f'{file}: post "{p.id}": its baseline is not a finite number of at most '
                                  f"{MAX_RESULT:g} EUR for some draws; check its growth and stock for extreme values")
        if (b < 0).any():
            raise SimulationError(f'{file}: post "{p.id}": its baseline is negative ({float(b.min()):,.0f} EUR) '
                                  "for some draws; check its stock's inflow and outflow")
    for m, k in zip(measures, costs, strict=True):
        if not (np.abs(k) <= MAX_RESULT).all():
            raise SimulationError(f'{file}: measure "{m.id}": its costs are not a finite number of at most '
                                  f"{MAX_RESULT:g} EUR for some draws; check its costs for extreme values")
    if not all((np.abs(x) <= MAX_RESULT).all() for x in (block.net, block.scope_spending)):
        raise SimulationError(f"{file}: the simulation produced a number that is not finite or "
                              f"beyond {MAX_RESULT:g} EUR; check the scenario's expressions, amounts and "
                              "growth for extreme values")
    # every post's spending stays >= 0 (fractions are capped at 1), so the gross saving of all
    # measures together can never exceed the baseline: a margin for rounding only
    excess = block.gross - block.baseline
    slack = 1e-9 * np.abs(block.baseline) + 1e-6
    if (excess > slack).any():
        raise SimulationError(f"{file}: the savings exceed the whole baseline by up to {float(excess.max()):,.0f} "
                              "EUR; this is a bug in taaksim, please report it with the scenario")


@contextlib.contextmanager
def floating_point_errors_named(file: str) -> Iterator[None]:
    """Run the block inside with numpy's floating-point warnings raised as errors, and turn
    them into a :class:`SimulationError` naming the scenario ``file``, instead of warnings
    that leak to stderr with taaksim's source paths. Expressions name their own key path (the
    engine checks each evaluated quantity); this catches what is left."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
    except FloatingPointError as exc:
        raise SimulationError(f"{file}: a number overflowed or became undefined ({exc}) while "
                              "combining posts and measures; check the scenario for extreme values") from None
