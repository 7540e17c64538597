"""Risk figures of a simulated Dataset: per goal and year P(met), shortfall and the reserve
needed at 90% certainty; the headline goal with its weerstandsratio (definitions in
:mod:`simulator.results.analysis` and docs/results.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.core import goals as rule
from simulator.core.stats import QUANTILES, probability_se, quantile_interval, wilson_interval
from simulator.i18n import pair
from simulator.results.goals import all_years, basis_words, goal_year, goals, headline_goal

#: certainty the reserve must give (the Dutch convention for weerstandscapaciteit)
CERTAINTY = 0.90
#: (class, lower bound inclusive, Dutch, English), best first; A needs more than 2.0
RATIO_CLASSES = (
    ("A", None, *pair("ratio.A")),
    ("B", 1.4, *pair("ratio.B")),
    ("C", 1.0, *pair("ratio.C")),
    ("D", 0.8, *pair("ratio.D")),
    ("E", 0.6, *pair("ratio.E")),
    ("F", -np.inf, *pair("ratio.F")),
)


def ratio_class(ratio: float) -> tuple[str, str, str]:
    """(class, Dutch, English) of a weerstandsratio.

    >>> [ratio_class(r)[0] for r in (2.01, 2.0, 1.4, 1.39, 1.0, 0.8, 0.6, 0.59)]
    ['A', 'B', 'B', 'C', 'C', 'D', 'E', 'F']
    """
    if ratio != ratio:  # nan compares false everywhere and would fall through to A
        raise ValueError("the weerstandsratio is not a number (is the capacity?)")
    if not ratio > 2.0:
        for cls, lower, nl, en in RATIO_CLASSES[1:]:
            if lower is not None and ratio >= lower:
                return cls, nl, en
    cls, _, nl, en = RATIO_CLASSES[0]
    return cls, nl, en


def tail_mean(values: np.ndarray, level: float) -> tuple[float, float]:
    """CVaR: the mean of the worst ``1 - level`` of the values (largest first), and its
    standard error.

    Estimated as VaR + mean((x - VaR)+) / (1 - level), VaR the ``level`` quantile; its
    asymptotic standard error is sd((x - VaR)+) / ((1 - level) sqrt(n)) (the VaR's own
    error enters only at second order; Hong and Liu 2009).
    """
    n = values.size
    if n == 0:
        return 0.0, 0.0
    var = float(np.quantile(values, level))
    excess = np.maximum(values - var, 0.0)
    alpha = 1.0 - level
    se = float(excess.std(ddof=1) / (alpha * np.sqrt(n))) if n > 1 else 0.0
    return var + float(excess.mean()) / alpha, se


@dataclass(frozen=True, slots=True)
class RiskYear:
    """One goal in one year, with its shortfall.

    Attributes
    ----------
    amount : float
        The target or budget [EUR].
    p5, p10, p50, p90, p95 : float
        Percentiles of what the goal judges [EUR] (savings on its basis, or spending).
    p_met, p_met_se : float
        Probability the goal holds [0-1] and its Monte Carlo standard error.
    p_met_interval : tuple of float
        Wilson's 95% interval of ``p_met`` [0-1] (not a point at 0 or 1).
    p5_interval, p10_interval, p50_interval, p90_interval, p95_interval : tuple of float
        Distribution-free 95% intervals of the percentiles, from order statistics [EUR].
    mean_shortfall, mean_shortfall_se : float
        Mean shortfall over every path (what a target misses, what a budget overruns; 0 where
        it holds) [EUR] and its standard error [EUR]. ``expected_shortfall`` and
        ``expected_shortfall_se`` are kept as aliases (not the risk literature's expected
        shortfall, which is ``cvar``).
    cvar, cvar_se : float
        CVaR: the mean shortfall in the worst 10% of paths [EUR] and its standard error [EUR].
    needed_capacity : float
        The shortfall not exceeded in 90% of the paths: benodigde weerstandscapaciteit [EUR].
    needed_capacity_interval : tuple of float
        Distribution-free 95% interval of ``needed_capacity`` [EUR].
    max_consequence : float
        P95 of the shortfall among the paths that miss [EUR] (0 when none does).
    realisatierisico : float
        P(missed) x ``max_consequence`` [EUR]: one line for a risk register.
    booked : float
        Mean saving deducted because the participant already booked it for overlapping
        measures [EUR] (0 when nothing is booked).
    """

    amount: float
    p5: float
    p10: float
    p50: float
    p90: float
    p95: float
    p_met: float
    p_met_se: float
    p_met_interval: tuple[float, float]
    p5_interval: tuple[float, float]
    p10_interval: tuple[float, float]
    p50_interval: tuple[float, float]
    p90_interval: tuple[float, float]
    p95_interval: tuple[float, float]
    mean_shortfall: float
    mean_shortfall_se: float
    cvar: float
    cvar_se: float
    needed_capacity: float
    needed_capacity_interval: tuple[float, float]
    max_consequence: float
    realisatierisico: float
    booked: float = 0.0

    @property
    def expected_shortfall(self) -> float:
        """Alias of ``mean_shortfall`` [EUR] (the name before issue 16)."""
        return self.mean_shortfall

    @property
    def expected_shortfall_se(self) -> float:
        """Alias of ``mean_shortfall_se`` [EUR]."""
        return self.mean_shortfall_se

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "p5": self.p5, "p10": self.p10, "p50": self.p50, "p90": self.p90,
                "p95": self.p95, "p_met": self.p_met, "p_met_se": self.p_met_se,
                "p_met_interval": self.p_met_interval,
                **{f"{k}_interval": getattr(self, f"{k}_interval") for k in QUANTILES},
                "mean_shortfall": self.mean_shortfall, "mean_shortfall_se": self.mean_shortfall_se,
                "expected_shortfall": self.mean_shortfall, "expected_shortfall_se": self.mean_shortfall_se,
                "cvar": self.cvar, "cvar_se": self.cvar_se, "needed_capacity": self.needed_capacity,
                "needed_capacity_interval": self.needed_capacity_interval,
                "max_consequence": self.max_consequence, "realisatierisico": self.realisatierisico,
                "booked": self.booked}


@dataclass(frozen=True, slots=True)
class Headline(RiskYear):
    """The headline goal in the study year: :class:`RiskYear` plus which goal, and, when the
    available reserve is given, the weerstandsratio.

    Attributes
    ----------
    goal : str
        Id of the headline goal (the scope's first target with that year, else its first goal).
    kind : {"target", "budget"}
    year : int
        The study year.
    capacity : float or None
        Available weerstandscapaciteit [EUR], if given.
    ratio : float or None
        ``capacity / programme_reserve`` (inf when nothing is needed); None without capacity.
    programme_reserve : float
        Benodigde weerstandscapaciteit of every goal and year together [EUR] (see :class:`Risk`).
    ratio_class, ratio_nl, ratio_en : str or None
        Its class A-F and the class in Dutch and English words.
    """

    goal: str = ""
    kind: str = "target"
    year: int = 0
    capacity: float | None = None
    ratio: float | None = None
    ratio_class: str | None = None
    ratio_nl: str | None = None
    ratio_en: str | None = None
    programme_reserve: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = {"goal": self.goal, "kind": self.kind, "year": self.year, **RiskYear.to_json(self),
               "programme_reserve": self.programme_reserve}
        if self.capacity is not None:
            out.update(capacity=self.capacity, ratio=self.ratio, ratio_class=self.ratio_class,
                       ratio_nl=self.ratio_nl, ratio_en=self.ratio_en)
        return out


@dataclass(frozen=True, slots=True)
class GoalRisk:
    """A target or budget over its years.

    Attributes
    ----------
    id, kind, scope, basis : str
        As :class:`simulator.results.summary.GoalSummary`.
    price_level : str or int
        "nominal" or the year of constant prices.
    basis_text, basis_text_en : str
        Basis and price level in a controller's words (Dutch, English).
    years : dict of int to RiskYear
        Its years, ascending.
    p_all_years, p_all_years_se : float or None
        Probability it holds in every year together [0-1] and its standard error.
    needed_capacity_all_years : float or None
        P90 of the shortfall summed over its years [EUR].
    """

    id: str
    kind: str
    scope: str
    basis: str
    years: dict[int, RiskYear]
    p_all_years: float | None
    p_all_years_se: float | None
    needed_capacity_all_years: float | None
    price_level: Any = "nominal"
    basis_text: str = ""
    basis_text_en: str = ""

    def basis_in(self, lang: str) -> str:
        """The basis in words, in ``lang``."""
        return self.basis_text if lang == "nl" else self.basis_text_en

    @property
    def amounts(self) -> dict[int, float]:
        """Year -> amount [EUR]."""
        return {y: d.amount for y, d in self.years.items()}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "scope": self.scope, "basis": self.basis,
                "price_level": self.price_level, "basis_text": self.basis_text, "basis_text_en": self.basis_text_en,
                "years": {y: d.to_json() for y, d in self.years.items()}, "p_all_years": self.p_all_years,
                "p_all_years_se": self.p_all_years_se, "needed_capacity_all_years": self.needed_capacity_all_years}


@dataclass(frozen=True, slots=True)
class Risk:
    """Risk figures of one scope.

    Attributes
    ----------
    goals : tuple of GoalRisk
        Every target, then every budget.
    headline : Headline or None
        The headline goal in the study year; None when no goal has that year.
    paths : int
        Number of paths.
    certainty : float
        Certainty the needed capacity gives [0-1] (:data:`CERTAINTY`).
    programme_reserve : float
        Benodigde weerstandscapaciteit of the programme [EUR]: the P90 over paths of the
        shortfall summed over every goal and year, goals on overlapping scopes counted once
        (per path and year the largest shortfall among them).
    programme_reserve_interval : tuple of float
        Distribution-free 95% interval of ``programme_reserve`` [EUR] (its Monte Carlo error).
    hardest : tuple of (str, int) or None
        (goal id, year) with the lowest P(met).
    """

    goals: tuple[GoalRisk, ...]
    headline: Headline | None
    paths: int
    certainty: float = field(default=CERTAINTY)
    programme_reserve: float = 0.0
    programme_reserve_interval: tuple[float, float] = (0.0, 0.0)
    hardest: tuple[str, int] | None = None

    def goal(self, goal_id: str) -> GoalRisk:
        """The goal with this id."""
        return next(g for g in self.goals if g.id == goal_id)

    def to_frame(self) -> Any:
        """One row per goal and year (index: goal, year): every :class:`RiskYear` figure, the
        interval split into ``needed_low`` and ``needed_high``, and the goal's kind, scope and basis."""
        import pandas as pd

        rows = []
        for g in self.goals:
            for y, d in g.years.items():
                row = {"goal": g.id, "year": y, "kind": g.kind, "scope": g.scope, "basis": g.basis,
                       "price_level": g.price_level,
                       **d.to_json()}
                row["needed_low"], row["needed_high"] = row.pop("needed_capacity_interval")
                rows.append(row)
        return pd.DataFrame(rows).set_index(["goal", "year"])

    def to_json(self) -> dict[str, Any]:
        """As plain types (int year keys and tuples: :func:`simulator.cli.format.jsonable` finishes)."""
        return {"goals": [g.to_json() for g in self.goals],
                "headline": None if self.headline is None else self.headline.to_json(),
                "paths": self.paths, "certainty": self.certainty, "programme_reserve": self.programme_reserve,
                "programme_reserve_interval": self.programme_reserve_interval,
                "hardest": None if self.hardest is None else {"goal": self.hardest[0], "year": self.hardest[1]}}


def _risk_year(g: Any, y: int, n: int) -> tuple[RiskYear, np.ndarray]:
    a, m = g.amounts[y], g.measured[y]
    short = rule.shortfall(g.kind, m, a)
    st = goal_year(g, y, n)
    p = st["p"]
    lo, hi = quantile_interval(short, CERTAINTY)
    missed = short[short > 0]
    worst = float(np.quantile(missed, 0.95)) if missed.size else 0.0
    cvar, cvar_se = tail_mean(short, CERTAINTY)
    return RiskYear(
        amount=st["amount"], p5=st["p5"], p10=st["p10"], p50=st["p50"], p90=st["p90"], p95=st["p95"],
        p_met=p, p_met_se=st["se"], p_met_interval=wilson_interval(p, n),
        **{f"{k}_interval": quantile_interval(m, q) for k, q in QUANTILES.items()},
        # the mean over every path, 0 where the goal is met (not the risk literature's "expected
        # shortfall", which is the CVaR)
        mean_shortfall=float(short.mean()),
        mean_shortfall_se=float(short.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
        cvar=cvar, cvar_se=cvar_se,
        needed_capacity=float(np.quantile(short, CERTAINTY)), needed_capacity_interval=(lo, hi),
        max_consequence=worst, realisatierisico=(1.0 - p) * worst,
        booked=float(g.booked[y].mean()) if y in g.booked else 0.0), short


def _headline(out_goals: list[GoalRisk], year: int, capacity: float | None, reserve: float,
              goal: str | None = None) -> Headline | None:
    if goal is not None:
        chosen = next((g for g in out_goals if g.id == goal), None)
        if chosen is None:
            raise ValueError(f"no goal {goal!r}; goals: {', '.join(g.id for g in out_goals) or 'none'}")
        if year not in chosen.years:  # its hardest year
            year = max(chosen.years, key=lambda y: (chosen.years[y].needed_capacity, -chosen.years[y].p_met))
        head: GoalRisk | None = chosen
    else:
        head = headline_goal(out_goals, year)
    if head is None:
        return None
    h = head.years[year]
    extra: dict[str, Any] = {}
    if capacity is not None:
        need = reserve
        ratio = float("inf") if need <= 0 else capacity / need
        cls, nl, en = ratio_class(ratio)
        extra = dict(capacity=capacity, ratio=ratio, ratio_class=cls, ratio_nl=nl, ratio_en=en)
    return Headline(**{k: getattr(h, k) for k in RiskYear.__dataclass_fields__},
                    goal=head.id, kind=head.kind, year=year, programme_reserve=reserve, **extra)


def risk_of(ds: Any, *, year: int, municipality: str | None = None, capacity: float | None = None,
            goal: str | None = None) -> Risk:
    """Per target and budget and per year: P(met), shortfall, reserve at 90%; the headline.

    Parameters
    ----------
    ds : xarray.Dataset
        A simulated run (:func:`simulator.run.dataset.run`).
    year : int
        The study year (of the headline).
    municipality : str, optional
        Judge the municipality's goals instead of the region's.
    capacity : float, optional
        Available weerstandscapaciteit [EUR]: adds the ratio (against the programme's reserve)
        and its class to the headline.
    goal : str, optional
        The headline goal (default: the first target with the study year).
    """
    if capacity is not None and not np.isfinite(capacity):
        raise ValueError(f"capacity must be a finite amount, got {capacity!r}")
    n = int(ds.sizes["path"])
    out_goals = []
    gs = goals(ds, municipality=municipality)
    every: dict[tuple[int, int], np.ndarray] = {}
    for gi, g in enumerate(gs):
        years, shortfalls = {}, {}
        for y in sorted(g.amounts):
            years[y], shortfalls[y] = _risk_year(g, y, n)
            every[(gi, y)] = shortfalls[y]
        together = all_years(g)
        total_short = sum(shortfalls.values()) if shortfalls else None
        out_goals.append(GoalRisk(
            g.id, g.kind, g.scope, g.basis, years,
            p_all_years=None if together is None else float(together.mean()),
            p_all_years_se=None if together is None else probability_se(float(together.mean()), n),
            needed_capacity_all_years=(None if total_short is None
                                       else float(np.quantile(total_short, CERTAINTY))),
            price_level=g.price_level, basis_text=basis_words(g.spec) if g.spec is not None else "",
            basis_text_en=basis_words(g.spec, "en") if g.spec is not None else ""))
    combined = rule.combined_shortfall([g.spec.footprint if g.spec else frozenset() for g in gs], every)
    reserve, interval = 0.0, (0.0, 0.0)
    if combined is not None:
        reserve, interval = float(np.quantile(combined, CERTAINTY)), quantile_interval(combined, CERTAINTY)
    cells = [(d.p_met, g.id, y) for g in out_goals for y, d in g.years.items()]
    hardest = min(cells)[1:] if cells else None
    return Risk(tuple(out_goals), _headline(out_goals, year, capacity, reserve, goal), n, CERTAINTY,
                reserve, interval, hardest)
