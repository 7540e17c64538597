"""The summary of a run: per year the range of net savings and the chance of meeting each goal.

One set of types for a full run (a Dataset, :meth:`Summary.from_dataset`) and a streamed run
(merged blocks, :meth:`Summary.from_merged`); ``taaksim run --json`` is rendered from it in
one place, :meth:`Summary.to_json`.

Every probability comes with its Monte Carlo standard error, sqrt(p (1 - p) / n) (with Latin
hypercube or Sobol' sampling: the spread of independent randomisations), every mean with its
standard error, and every percentile of savings with a distribution-free 95% interval from
order statistics (``savings_interval``), so a reader can see how much of a figure is sampling
noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.core import goals as rule
from simulator.core.stats import QUANTILES, probability_se, quantile_interval
from simulator.results.goals import Goal, all_years, basis_words, goal_year, goals, headline_goal, headline_scope

#: certainty the reserve must give (the Dutch convention for weerstandscapaciteit)
CERTAINTY = 0.90

if TYPE_CHECKING:
    import pandas as pd

    from simulator.run.reduce import Merged

__all__ = ["Goal", "GoalSummary", "GoalYear", "Summary", "YearRange", "all_years", "frame_of", "goal_year",
           "goals", "headline_scope", "savings_of", "summarise_years", "summary_frame", "target_beside_savings"]


@dataclass(frozen=True, slots=True)
class YearRange:
    """Net savings of the headline scope in one year, over the paths.

    Attributes
    ----------
    mean : float
        Mean net savings [EUR].
    p5, p10, p50, p90, p95 : float
        Percentiles of net savings [EUR] (numpy's linear interpolation).
    mean_se : float
        Monte Carlo standard error of ``mean`` [EUR] (0 with a single path).
    """

    mean: float
    p5: float
    p10: float
    p50: float
    p90: float
    p95: float
    mean_se: float

    def to_json(self) -> dict[str, float]:
        return {"mean": self.mean, "p5": self.p5, "p10": self.p10, "p50": self.p50, "p90": self.p90,
                "p95": self.p95, "mean_se": self.mean_se}


@dataclass(frozen=True, slots=True)
class GoalYear:
    """One goal in one year.

    Attributes
    ----------
    amount : float
        The target or budget [EUR].
    p : float
        Probability the goal holds (a target is reached, a budget not exceeded) [0-1].
    se : float
        Monte Carlo standard error of ``p`` [probability].
    p5, p50, p95 : float
        Percentiles of what the goal judges [EUR, the goal's price level]: savings on its basis,
        or spending for a budget. From a streamed run within 0.01% or 1 euro (a mergeable sketch).
    reserve : float
        The shortfall not exceeded in 90% of the paths [EUR]: what a target misses below its
        P10, or a budget's overrun above its P90.
    """

    amount: float
    p: float
    se: float
    p5: float
    p50: float
    p95: float
    reserve: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {"amount": self.amount, "p": self.p, "se": self.se, "p5": self.p5, "p50": self.p50,
                "p95": self.p95, "reserve": self.reserve}


@dataclass(frozen=True, slots=True)
class GoalSummary:
    """A target or budget over its years, judged on its own scope and basis.

    Attributes
    ----------
    id : str
        The goal's id in the scenario.
    kind : {"target", "budget"}
    scope : str
        Label of the posts it is judged on, e.g. ``"all"``, ``"wmo@hilversum"``.
    basis : {"counterfactual", "base_year", "budget"}
        What it is measured against.
    years : dict of int to GoalYear
        Its years, ascending.
    p_all_years : float or None
        Probability it holds in every one of its years together [0-1]; None without years.
    price_level : str or int
        "nominal" or the year of constant prices of its amounts and figures.
    basis_text : str
        Basis and price level in a controller's words (Dutch).
    """

    id: str
    kind: str
    scope: str
    basis: str
    years: dict[int, GoalYear]
    p_all_years: float | None
    price_level: Any = "nominal"
    basis_text: str = ""

    @property
    def amounts(self) -> dict[int, float]:
        """Year -> amount [EUR]."""
        return {y: d.amount for y, d in self.years.items()}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "scope": self.scope, "basis": self.basis,
                "price_level": self.price_level, "basis_text": self.basis_text,
                "years": {str(y): d.to_json() for y, d in self.years.items()},
                "p_all_years": self.p_all_years}


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of ``taaksim run``, the same from a full and from a streamed run.

    The headline target is the first declared target of the region (or municipality); the
    budget probability is that of every declared budget holding together in that year.

    Attributes
    ----------
    years : tuple of int
        Horizon years, ascending.
    paths : int
        Number of simulated paths.
    savings : dict of int to YearRange
        Year -> range of net savings of the region (or municipality) [EUR].
    target : dict of int to float or None
        Year -> the headline target [EUR]; None in a year it does not cover.
    p_target_met, p_target_met_se : dict of int to float or None
        Year -> probability the headline target is met [0-1] and its standard error.
    p_within_budget, p_within_budget_se : dict of int to float or None
        Year -> probability every budget of that year holds [0-1] and its standard error;
        None in a year without a budget.
    goals : tuple of GoalSummary
        Every target, then every budget, of the region (or municipality).
    savings_interval : dict of int to dict of str to (float, float)
        Year -> percentile name (``p5`` .. ``p95``) -> a distribution-free 95% interval for
        that percentile of net savings [EUR], from order statistics.
    detail : dict of str to list, optional
        Streamed ``--detail`` only: name -> (item, year) means over paths [EUR] of
        ``measure_savings``, ``measure_costs``, ``post_baseline`` and ``post_spending``.
    programme_reserve : float or None
        Benodigde weerstandscapaciteit of every goal and year together [EUR]: P90 over paths of
        the summed shortfall, overlapping goals counted once (the largest per path and year);
        None without goals.
    """

    years: tuple[int, ...]
    paths: int
    savings: dict[int, YearRange]
    target: dict[int, float | None]
    p_target_met: dict[int, float | None]
    p_target_met_se: dict[int, float | None]
    p_within_budget: dict[int, float | None]
    p_within_budget_se: dict[int, float | None]
    goals: tuple[GoalSummary, ...]
    savings_interval: dict[int, dict[str, tuple[float, float]]]
    detail: dict[str, list] | None = None
    programme_reserve: float | None = None

    @property
    def hardest(self) -> tuple[str, int] | None:
        """(goal id, year) with the lowest P(met); None without goals."""
        cells = [(d.p, g.id, y) for g in self.goals for y, d in g.years.items()]
        return None if not cells else min(cells)[1:]

    @classmethod
    def from_dataset(cls, ds: Any, *, municipality: str | None = None) -> Summary:
        """The summary of a simulated Dataset (:func:`simulator.run.dataset.run`)."""
        net = savings_of(ds, municipality)
        n = int(net.sizes["path"])
        years = tuple(int(y) for y in ds["year"].values)
        values = net.values  # (path, year)
        qs = np.quantile(values, list(QUANTILES.values()), axis=0)
        gs = goals(ds, municipality=municipality)
        savings = {}
        for j, y in enumerate(years):
            col = values[:, j]
            savings[y] = YearRange(mean=float(col.mean()), **{k: float(qs[i, j]) for i, k in enumerate(QUANTILES)},
                                   mean_se=float(col.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0)
        head = headline_goal(gs)
        p_target = {y: float(head.holds[y].mean()) if head is not None and y in head.amounts else None
                    for y in years}
        p_budget = {}
        for y in years:
            in_year = [b.holds[y] for b in gs if b.kind == "budget" and y in b.amounts]
            p_budget[y] = float(np.logical_and.reduce(in_year).mean()) if in_year else None
        summaries = []
        shortfalls = {}
        for gi, g in enumerate(gs):
            per_year = {}
            for y in sorted(g.amounts):
                st = goal_year(g, y, n)
                short = rule.shortfall(g.kind, g.measured[y], g.amounts[y])
                shortfalls[(gi, y)] = short
                per_year[y] = GoalYear(st["amount"], st["p"], st["se"], st["p5"], st["p50"], st["p95"],
                                       float(np.quantile(short, CERTAINTY)))
            together = all_years(g)
            summaries.append(GoalSummary(g.id, g.kind, g.scope, g.basis, per_year,
                                         float(together.mean()) if together is not None else None,
                                         g.price_level, basis_words(g.spec) if g.spec is not None else ""))
        combined = rule.combined_shortfall([g.spec.footprint if g.spec else frozenset() for g in gs], shortfalls)
        reserve = float(np.quantile(combined, CERTAINTY)) if combined is not None else None
        return cls._of(years, n, savings, head.amounts if head is not None else {}, p_target, p_budget,
                       tuple(summaries), _intervals(values.T, years), programme_reserve=reserve)

    @classmethod
    def from_merged(cls, m: Merged) -> Summary:
        """The summary of a streamed run (:func:`simulator.run.streaming.run_stream`): the same
        numbers as :meth:`from_dataset` on the same paths, except the goals' percentiles
        (within 0.01% or 1 euro, see :class:`simulator.run.reduce.LogSketch`). The percentiles are
        selected on the run's threads (``m.threads``): the same bits on any number."""
        from simulator.run.order import head_percentiles
        from simulator.run.reduce import LogSketch

        spec, n = m.spec, m.n
        years = tuple(spec.years)
        # np.quantile(head, axis=1) and quantile_interval per year and q, in one selection per year
        qs, bounds = head_percentiles(m.head(), list(QUANTILES.values()), threads=m.threads)  # (q, year)
        mean, var = m.moments()
        savings = {y: YearRange(mean=float(mean[j]), **{k: float(qs[i, j]) for i, k in enumerate(QUANTILES)},
                                mean_se=float(math.sqrt(var[j] / n)) if n > 1 else 0.0)
                   for j, y in enumerate(years)}
        series = spec.series
        holds, budgets, together = m.counts()
        head = headline_goal(spec.goals)
        hi = next((i for i, g in enumerate(spec.goals) if g is head), -1)
        p_target = {y: float(holds[series.index((hi, y))] / n) if head is not None and y in head.amounts
                    else None for y in years}
        p_budget = {y: float(budgets[j] / n)
                    if any(g.kind == "budget" and y in g.amounts for g in spec.goals) else None
                    for j, y in enumerate(years)}
        # Latin hypercube / Sobol': errors from the randomisations' spread, not the binomial formula
        rep_holds, rep_budgets = m.replicate_errors("holds"), m.replicate_errors("budgets")
        summaries = []
        for gi, g in enumerate(spec.goals):
            per_year = {}
            for y in sorted(g.amounts):
                si = series.index((gi, y))
                p = float(holds[si] / n)
                lo, p10, mid, p90, top = LogSketch.quantiles(m.sketch_of(si), (0.05, 0.1, 0.5, 0.9, 0.95))
                # the shortfall is monotone in what is judged: its P90 is the judged P10 (or P90) from the amount
                reserve = max(g.amounts[y] - p10, 0.0) if g.kind == "target" else max(p90 - g.amounts[y], 0.0)
                se = probability_se(p, n) if rep_holds is None else float(rep_holds[si])
                per_year[y] = GoalYear(g.amounts[y], p, se, lo, mid, top, reserve)
            summaries.append(GoalSummary(g.id, g.kind, g.scope, g.basis, per_year,
                                         float(together[gi] / n) if g.amounts else None, g.price_level,
                                         basis_words(g)))
        detail = m.detail_sums()
        programme = (LogSketch.quantiles(m.programme, (CERTAINTY,))[0]
                     if m.programme is not None and spec.goals else None)
        out = cls._of(years, n, savings, dict(head.amounts) if head is not None else {}, p_target, p_budget,
                      tuple(summaries), {y: dict(zip(QUANTILES, bounds[j], strict=True)) for j, y in enumerate(years)},
                      None if detail is None else {k: (v / n).tolist() for k, v in detail.items()},
                      programme_reserve=programme)
        if rep_holds is None or rep_budgets is None:
            return out
        return replace(out, p_target_met_se={y: None if p_target[y] is None else float(rep_holds[series.index((hi, y))])
                                             for y in years},
                       p_within_budget_se={y: None if p_budget[y] is None else float(rep_budgets[j])
                                           for j, y in enumerate(years)})

    @classmethod
    def _of(cls, years: tuple[int, ...], n: int, savings: dict[int, YearRange], amounts: dict[int, float],
            p_target: dict[int, float | None], p_budget: dict[int, float | None],
            goal_summaries: tuple[GoalSummary, ...], intervals: dict[int, dict[str, tuple[float, float]]],
            detail: dict[str, list] | None = None, *, programme_reserve: float | None = None) -> Summary:
        def se(p: float | None) -> float | None:
            return None if p is None else probability_se(p, n)

        return cls(years, n, savings, {y: amounts[y] if p_target[y] is not None else None for y in years},
                   p_target, {y: se(p) for y, p in p_target.items()}, p_budget,
                   {y: se(p) for y, p in p_budget.items()}, goal_summaries, intervals, detail, programme_reserve)

    def to_json(self) -> dict[str, Any]:
        """The summary as plain JSON types: string year keys, the keys ``taaksim run --json`` is built from."""
        def by_year(d: dict[int, Any]) -> dict[str, Any]:
            return {str(y): v for y, v in d.items()}

        out: dict[str, Any] = {
            "years": list(self.years), "paths": self.paths,
            "savings": {str(y): v.to_json() for y, v in self.savings.items()},
            "savings_interval": {str(y): v for y, v in self.savings_interval.items()},
            "target": by_year(self.target), "p_target_met": by_year(self.p_target_met),
            "p_target_met_se": by_year(self.p_target_met_se), "p_within_budget": by_year(self.p_within_budget),
            "p_within_budget_se": by_year(self.p_within_budget_se), "goals": [g.to_json() for g in self.goals]}
        out["programme_reserve"] = self.programme_reserve
        h = self.hardest
        out["hardest"] = None if h is None else {"goal": h[0], "year": h[1]}
        if self.detail is not None:
            out["detail"] = self.detail
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per year (index: year): the savings range (against spending without the measures),
        the headline target, P(target met), P(within budget), and the target's basis in words."""
        import pandas as pd

        head = next((g for g in self.goals if g.kind == "target"), None)
        # the target is judged on its own basis: say which, beside net savings against the counterfactual
        basis = f"{head.id}: {head.basis_text}" if head is not None else None
        rows = [{"year": y, **self.savings[y].to_json(), "target": self.target[y],
                 "p_target_met": self.p_target_met[y], "p_within_budget": self.p_within_budget[y],
                 "target_basis": basis if self.target[y] is not None else None}
                for y in self.years]
        return pd.DataFrame(rows).set_index("year")


def _intervals(head: np.ndarray, years: tuple[int, ...]) -> dict[int, dict[str, tuple[float, float]]]:
    """Per year (rows of ``head``, paths along columns) each percentile's order-statistic interval."""
    return {y: {k: quantile_interval(head[j], q) for k, q in QUANTILES.items()} for j, y in enumerate(years)}


def target_beside_savings(summary: Summary, scenario: Any, municipality: str | None = None) -> bool:
    """Whether the headline target may stand beside net savings of all posts: only when it judges
    exactly that quantity (basis counterfactual, all posts, the simulated price level, nothing
    booked), never a target on another basis beside savings on this one."""
    head = next((g for g in summary.goals if g.kind == "target"), None)
    return (head is not None and head.basis == "counterfactual" and head.scope.split("@")[0] == "all"
            and head.price_level == scenario.prices.simulated
            and not any(k.municipality == municipality for k in scenario.booked))


def savings_of(ds: Any, municipality: str | None = None) -> Any:
    """Net savings (path, year) of the region or of one municipality (its share) [EUR]."""
    return ds["scope_net_savings"].sel(scope=headline_scope(ds, municipality))


def summarise_years(ds: Any, *, municipality: str | None = None) -> Summary:
    """The figures of ``taaksim run`` for a Dataset (:meth:`Summary.from_dataset`)."""
    return Summary.from_dataset(ds, municipality=municipality)


def summary_frame(ds: Any, *, municipality: str | None = None) -> pd.DataFrame:
    """Per-year summary as a pandas DataFrame (index: year)."""
    return Summary.from_dataset(ds, municipality=municipality).to_frame()


def frame_of(s: Summary) -> pd.DataFrame:
    """A summary (from a Dataset or a streamed run) as a DataFrame, one row per year."""
    return s.to_frame()
