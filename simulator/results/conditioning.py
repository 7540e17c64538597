"""The forecast given what is realised: decisions made certain, observations weigh the paths.

Two kinds of knowledge enter differently:

* a **decision** (go-ahead yes/no, start date) is a fact the council made: its input is fixed
  for every path (``overrides``), the other inputs keep their random numbers (common random
  numbers with the plan run). A measure without a go-ahead input that is decided "no" leaves
  the package (``active``).
* an **observation** (a realised effect, spending, an input's realised value) is a noisy
  measurement of something the model simulates. Each path is weighted by the likelihood of
  the observation under a normal measurement error, w_i ∝ prod_k N(y_k; model_ik, sd_k)
  (importance sampling with the prior as proposal: the weighted paths are a sample of the
  posterior). Estimates are self-normalised; their Monte Carlo error follows the delta method,
  se(p)^2 = sum_i w_i^2 (f_i - p)^2, which for equal weights is p (1 - p) / n, and the effective
  sample size ESS = 1 / sum w_i^2 says how many equally weighted paths they are worth.

Conditioning on a decision by fixing its input is a do-operation: inputs rank-correlated with
that go-ahead keep their planned distribution. This is noted in the result when it applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.i18n import t
from simulator.results.summary import goals, savings_of
from simulator.scenario.model import Scenario
from simulator.scenario.realised import Observation, Realised, RealisedError

MIN_ESS = 400  # below this a probability's standard error can exceed 2.5 points: warn
ZERO_LIKELIHOOD_Z = 8.0  # no path within 8 measurement sd: density ratio e^-32, the model rules it out
CERTAINTY = 0.90


@dataclass(frozen=True, slots=True)
class Plan:
    """What the decisions change in the run: inputs fixed, measures left out, and why."""

    overrides: dict[str, float]
    active: frozenset[str] | None
    notes: tuple[str, ...]


def plan_of(scenario: Scenario, realised: Realised | None) -> Plan:
    """Overrides and active set for the decisions of ``realised`` (none: the plan run)."""
    if realised is None or not realised.decisions:
        return Plan({}, None, ())
    overrides: dict[str, float] = {}
    dropped: set[str] = set()
    notes: list[str] = []
    correlated = {k for c in scenario.correlations for k in c.members}
    for d in realised.decisions:
        m = scenario.measure(d.measure)
        if m.go_ahead is not None:
            overrides[m.go_ahead] = 1.0 if d.go_ahead else 0.0
            if m.go_ahead in correlated:
                notes.append(t("note.correlated", "en").format(measure=d.measure))
        elif not d.go_ahead:
            dropped.add(m.id)
            notes.append(t("note.dropped", "en").format(measure=d.measure))
        if d.delay is not None and d.go_ahead:
            if m.delay is not None:
                if d.delay < 0:
                    notes.append(t("note.early", "en").format(measure=d.measure, years=f"{-d.delay:.2f}"))
                overrides[m.delay] = max(d.delay, 0.0)
            elif d.delay > 0.01:
                notes.append(t("note.start", "en").format(measure=d.measure, start=d.start))
    active = None if not dropped else frozenset(m.id for m in scenario.measures if m.id not in dropped)
    return Plan(overrides, active, tuple(notes))


def model_values(ds, obs: Observation) -> np.ndarray:
    """What the model says the observed figure is, per path (same unit as ``obs.value``)."""
    if obs.kind == "effect":
        return ds["measure_savings"].sel(measure=obs.target, year=obs.year).values * obs.share
    if obs.kind == "spending":
        return ds["post_spending"].sel(post=obs.target, year=obs.year).values * obs.share
    return ds[f"input_{obs.target}"].values


def log_likelihoods(ds, realised: Realised) -> np.ndarray:
    """log N(y_k; model_ik, sd_k) per observation and path, (observation, path).

    Raises :class:`RealisedError` for an observation no simulated path comes near: the model
    gives it zero likelihood (a wrong figure, period or unit, or a model that needs revising).
    """
    n = int(ds.sizes["path"])
    out = np.zeros((len(realised.observations), n))
    for k, obs in enumerate(realised.observations):
        model = model_values(ds, obs)
        z = (model - obs.value) / obs.sd
        if np.min(np.abs(z)) > ZERO_LIKELIHOOD_Z:
            raise RealisedError(
                f"the model gives this observation zero likelihood: {obs.value:,.0f} is more than "
                f"{ZERO_LIKELIHOOD_Z:g} measurement errors ({obs.sd:,.0f}) from every simulated path "
                f"(simulated {np.min(model):,.0f} .. {np.max(model):,.0f}); check the figure, its period "
                "and error, or the decisions (a measure decided 'no' realises nothing)",
                file=realised.file, row=obs.row)
        out[k] = -0.5 * z * z - np.log(obs.sd * np.sqrt(2 * np.pi))
    return out


def normalised(log_weights: np.ndarray) -> np.ndarray:
    """Weights summing to 1 from log weights (shifted by the maximum: no underflow)."""
    w = np.exp(log_weights - np.max(log_weights))
    return w / w.sum()


def effective_sample_size(w: np.ndarray) -> float:
    """Kish's ESS of normalised weights: 1 / sum w^2 (n for equal weights)."""
    return float(1.0 / np.sum(w * w))


def weighted_probability(flag: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """P(flag) and its Monte Carlo standard error (self-normalised IS, delta method)."""
    f = np.asarray(flag, dtype=np.float64)
    p = float(np.dot(w, f))
    se = float(np.sqrt(np.sum(w * w * (f - p) ** 2)))
    return p, se


def weighted_quantile(x: np.ndarray, w: np.ndarray, q) -> np.ndarray:
    """Inverse of the weighted empirical CDF at levels ``q`` (the smallest x with F(x) >= q)."""
    order = np.argsort(x, kind="stable")
    cdf = np.cumsum(w[order])
    cdf /= cdf[-1]
    idx = np.searchsorted(cdf, np.clip(np.asarray(q, dtype=np.float64), 0.0, 1.0) - 1e-12, side="left")
    return x[order][np.minimum(idx, x.size - 1)]


def level_interval(q: float, ess: float, z: float = 1.96) -> tuple[float, float]:
    """CDF levels whose quantiles bound the q-quantile with 95% confidence (order statistics,
    with the ESS in place of n)."""
    half = z * np.sqrt(q * (1.0 - q) / max(ess, 1.0))
    return max(q - half, 0.0), min(q + half, 1.0)


def quantile_with_interval(x: np.ndarray, w: np.ndarray, q: float, ess: float) -> tuple[float, float, float]:
    lo, hi = level_interval(q, ess)
    v = weighted_quantile(x, w, [q, lo, hi])
    return float(v[0]), float(v[1]), float(v[2])


@dataclass(frozen=True, slots=True)
class Conditioned:
    """A run given realised figures: the paths, their weights, and what was done."""

    dataset: Any  # xarray.Dataset (detail and inputs kept)
    weights: np.ndarray  # (path,), sum 1
    ess: float
    plan: Plan
    realised: Realised | None

    @property
    def warnings(self) -> tuple[str, ...]:
        n = int(self.weights.size)
        if self.realised is None or not self.realised.observations or self.ess >= min(MIN_ESS, 0.5 * n):
            return ()
        return (t("note.small_ess", "en").format(ess=f"{self.ess:,.0f}", n=f"{n:,}"),)


def run_conditioned(scenario: Scenario, realised: Realised | None, *, paths: int, seed: int,
                    threads: int | None = None, active: frozenset[str] | None = None) -> Conditioned:
    """Simulate ``scenario`` given ``realised`` (None: the plan, equal weights).

    ``active`` restricts the package further (the optimiser's sets); decisions still apply.
    """
    from simulator.run.dataset import run

    plan = plan_of(scenario, realised)
    act = plan.active
    if active is not None:
        act = active if act is None else act & active
    ds = run(scenario, paths, seed=seed, detail=True, keep_inputs=True, overrides=plan.overrides or None,
             active=act, threads=threads or 1)
    if realised is None or not realised.observations:
        w = np.full(paths, 1.0 / paths)
    else:
        w = normalised(log_likelihoods(ds, realised).sum(axis=0))
    return Conditioned(ds, w, effective_sample_size(w), plan, realised)


def headline(c: Conditioned, *, municipality: str | None = None, year: int | None = None) -> dict:
    """The council's three figures for one goal and year: P(met), reserve at 90%, median savings.

    Each with its Monte Carlo error (standard error, or a 95% interval for quantiles).
    """
    ds, w = c.dataset, c.weights
    gs = goals(ds, municipality=municipality)
    years = [int(y) for y in ds["year"].values]
    year = years[-1] if year is None else year
    goal = next((g for g in gs if g.kind == "target" and year in g.amounts),
                next((g for g in gs if year in g.amounts), None))
    savings = savings_of(ds, municipality).sel(year=year).values
    med, med_lo, med_hi = quantile_with_interval(savings, w, 0.5, c.ess)
    out = {"year": year, "ess": c.ess, "paths": int(w.size),
           "median_savings": med, "median_savings_interval": (med_lo, med_hi),
           "mean_savings": float(np.dot(w, savings)),
           "mean_savings_se": float(np.sqrt(np.sum(w * w * (savings - np.dot(w, savings)) ** 2)))}
    if goal is not None:
        a, m = goal.amounts[year], goal.measured[year]
        short = np.maximum(a - m, 0.0) if goal.kind == "target" else np.maximum(m - a, 0.0)
        p, se = weighted_probability(goal.holds[year], w)
        need, lo, hi = quantile_with_interval(short, w, CERTAINTY, c.ess)
        out.update(goal=goal.id, kind=goal.kind, amount=a, p_met=p, p_met_se=se,
                   reserve=need, reserve_interval=(lo, hi))
    return out


def summary(c: Conditioned, *, municipality: str | None = None) -> dict:
    """Per goal and year the conditioned P(met) (with se), and per year the savings quantiles."""
    ds, w = c.dataset, c.weights
    years = [int(y) for y in ds["year"].values]
    sav = savings_of(ds, municipality)
    per_year = {}
    for y in years:
        x = sav.sel(year=y).values
        q = weighted_quantile(x, w, [0.05, 0.5, 0.95])
        mean = float(np.dot(w, x))
        per_year[y] = {"mean": mean, "mean_se": float(np.sqrt(np.sum(w * w * (x - mean) ** 2))),
                       "p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2])}
    out_goals = []
    for g in goals(ds, municipality=municipality):
        rows = {}
        for y in sorted(g.amounts):
            p, se = weighted_probability(g.holds[y], w)
            rows[y] = {"amount": g.amounts[y], "p": p, "se": se}
        every = np.logical_and.reduce([g.holds[y] for y in g.amounts]) if g.amounts else None
        p_all = weighted_probability(every, w) if every is not None else (None, None)
        out_goals.append({"id": g.id, "kind": g.kind, "scope": g.scope, "years": rows,
                          "p_all_years": p_all[0], "p_all_years_se": p_all[1]})
    return {"paths": int(w.size), "ess": c.ess, "savings": per_year, "goals": out_goals,
            "notes": list(c.plan.notes), "warnings": list(c.warnings),
            "as_of": None if c.realised is None else c.realised.as_of.isoformat(),
            "decisions": 0 if c.realised is None else len(c.realised.decisions),
            "observations": 0 if c.realised is None else len(c.realised.observations)}


def p_every_goal(ds, w: np.ndarray, *, municipality: str | None = None) -> tuple[float, float]:
    """P(every target and budget met in every one of its years) and its standard error."""
    gs = goals(ds, municipality=municipality)
    flags = [g.holds[y] for g in gs for y in g.amounts]
    if not flags:
        return float("nan"), float("nan")
    return weighted_probability(np.logical_and.reduce(flags), w)
