"""Quantities evaluated over (model year, path): the bridge from the scenario's numbers,
names, formulas and year tables to arrays. Formulas go through the scenario's own safe
evaluator (:mod:`simulator.scenario.expressions`); nothing here evals text."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from simulator.core.invariants import check_domain
from simulator.errors import ExpressionError, SimulationError
from simulator.scenario.domains import DOMAINS
from simulator.scenario.model import ByYear, Const, Formula, Quantity, Ref, Scenario

#: euro amounts are float64, chosen here once
MONEY = np.float64
#: largest magnitude of an evaluated quantity [EUR]: far above any municipal figure, far
#: enough below float64 overflow that sums and squares over 1e8 paths stay finite
MAX_VALUE = 1e15


class Env:
    """Evaluates quantities over (model year, path) with numpy broadcasting.

    Parameters
    ----------
    scenario : Scenario
        Its parameters are evaluated once here, in dependency order; its file names errors.
    years : ndarray
        Model years [year], dims (year,).
    values : mapping of str to ndarray
        Random input key -> drawn values, dims (1, path) or (year, path).
    n : int
        Paths in the block.
    """

    def __init__(self, scenario: Scenario, years: np.ndarray, values: Mapping[str, np.ndarray], n: int):
        self.years = years
        self.n_years = len(years)
        self.n = n
        self.file = scenario.file
        self.values = dict(values)
        self.values["year"] = self.years.astype(MONEY)[:, None]
        for name in scenario.parameter_order:
            self.values[name] = self.full(scenario.parameters[name], what=f"parameter {name!r}")

    def eval(self, q: Quantity):
        """The value of ``q``: a number, or an array broadcastable to (year, path)."""
        match q:
            case Const(value):
                return value
            case Ref(name):
                return self.values[name]
            case Formula(expression):
                return expression.evaluate(self.values)
            case ByYear(years, values):
                return self._by_year(years, values)
        raise TypeError(q)  # pragma: no cover

    def _by_year(self, years: tuple[int, ...], values: tuple[Quantity, ...]) -> np.ndarray:
        # exactly the listed years; unlisted years are 0 (one-off costs stay one-off)
        out = np.zeros((self.n_years, 1))
        for y, v in zip(years, values, strict=True):
            row = self.years == y
            val = np.asarray(self.eval(v), dtype=MONEY)
            if val.ndim < 2:  # a number, or one value per path
                val = val.reshape(1, -1)
            elif val.shape[0] > 1:  # a per-year input: this year's row
                val = val[row]
            if val.shape[1] > out.shape[1]:
                out = np.repeat(out, val.shape[1], axis=1)
            out[row] = val
        return out

    def full(self, q: Quantity, *, what: str, domain: str | None = None) -> np.ndarray:
        """Evaluate and check: finite, inside its ``domain`` (a key of
        :data:`simulator.scenario.domains.DOMAINS`), and shaped (year, path) or broadcastable to it.

        Returns
        -------
        ndarray
            The value, dims (year or 1, path or 1), in the quantity's unit.
        """
        try:
            v = np.asarray(self.eval(q), dtype=MONEY)
        except ExpressionError as exc:  # e.g. an exponent too large for some draws: say where
            raise ExpressionError(exc.problem, file=self.file, path=(what,)) from None
        if v.ndim < 2:
            v = v.reshape((1, 1)) if v.ndim == 0 else v.reshape((1, -1))
        if not (np.abs(v) <= MAX_VALUE).all():  # also False for NaN
            raise SimulationError(f"{self.file}: {what} is not a finite number of at most {MAX_VALUE:g} "
                                  "for some draws (division by zero, log of a negative, or overflow?)")
        if domain is not None:
            check_domain(v, DOMAINS[domain], file=self.file, what=what, years=self.years)
        return v
