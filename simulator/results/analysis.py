"""From a simulation to council answers: risk figures, sensitivity and contributions.

Every comparison here uses common random numbers: each run of a :class:`Study` uses the
same seed, so path i of a run with measure 7 dropped saw exactly the same draws of every
other input as path i of the full package. Differences between runs are then differences
of the model, not of sampling noise, and per-path differences (marginal contributions,
interaction losses) are meaningful.

Definitions (also in docs/results.md):

* shortfall of a target in a year: max(target - savings, 0) per path (for a budget: the
  overrun, max(spending - budget, 0)); mean shortfall is its mean over every path (0 where
  the goal is met; ``expected_shortfall`` is kept as an alias of it); CVaR is the mean
  shortfall in the worst 10% of paths (what risk users call expected shortfall).
* benodigde weerstandscapaciteit: the shortfall that is not exceeded in 90% of the paths
  (the 90th percentile of the shortfall, i.e. "covered with 90% certainty").
* weerstandsratio: available capacity / needed capacity, classed A-F on the standard
  six-step scale with each lower bound inclusive (1.4 is B, exactly 2.0 is B).
* realisatierisico: P(target missed) x maximum consequence, where the maximum consequence is
  the 95th percentile of the shortfall among the paths that miss: one line for a register.
* tornado swing: mean savings with the input fixed at its own P90, minus with it at its P10
  (other inputs keep their draws; a go-ahead or other input whose P10 and P90 coincide swings
  between the ends of its range, no-go against go); Spearman: rank correlation of input and
  savings; first- and total-order Sobol' indices: the share of the variance of savings the
  input explains alone, and alone or with others (pick-freeze, :mod:`simulator.results.sensitivity`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simulator.core.engine import scopes_of, simulate_block
from simulator.core.stats import QUANTILES, quantile_interval, wilson_interval
from simulator.i18n import pick
from simulator.results.summary import all_years, goal_year, goals, probability_se
from simulator.run.dataset import run_blocks, to_dataset
from simulator.scenario.model import RandomInput, Scenario, scope_label

#: paths for the many extra runs of sensitivity and contributions (common random numbers
#: make their differences precise long before their levels are)
AUX_PATHS = 10_000
#: certainty the reserve must give (the Dutch convention for weerstandscapaciteit)
CERTAINTY = 0.90
#: (class, lower bound inclusive, Dutch, English), best first; A needs more than 2.0
RATIO_CLASSES = (
    ("A", None, "uitstekend", "excellent"),
    ("B", 1.4, "ruim voldoende", "more than sufficient"),
    ("C", 1.0, "voldoende", "sufficient"),
    ("D", 0.8, "matig", "moderate"),
    ("E", 0.6, "onvoldoende", "insufficient"),
    ("F", -np.inf, "ruim onvoldoende", "far from sufficient"),
)
#: roles whose inputs are switched to their plan value step by step in the waterfall
GO, DELAY, COST, GROWTH = "go_ahead", "delay", ("cost", "cost_factor"), "growth"


def ratio_class(ratio: float) -> tuple[str, str, str]:
    """(class, Dutch, English) of a weerstandsratio.

    >>> [ratio_class(r)[0] for r in (2.01, 2.0, 1.4, 1.39, 1.0, 0.8, 0.6, 0.59)]
    ['A', 'B', 'B', 'C', 'C', 'D', 'E', 'F']
    """
    if ratio != ratio:  # nan compares false everywhere and would fall through to A
        raise ValueError("the weerstandsratio is not a number (is the capacity?)")
    if not ratio > 2.0:
        for cls, lower, nl, en in RATIO_CLASSES[1:]:
            if ratio >= lower:
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


def rank(x: np.ndarray) -> np.ndarray:
    """Ranks from 0, ties averaged (Bernoulli and discrete inputs tie a lot)."""
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    first = np.r_[True, sorted_x[1:] != sorted_x[:-1]]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    counts = np.diff(np.r_[starts, x.size])
    avg = starts + (counts - 1) / 2.0
    out = np.empty(x.size)
    out[order] = avg[group]
    return out


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Rank correlation; 0 when either side does not vary (no influence can be seen)."""
    rx, ry = rank(x), rank(y)
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return 0.0
    return float(np.mean((rx - rx.mean()) * (ry - ry.mean())) / (sx * sy))


def first_order_index(x: np.ndarray, y: np.ndarray, bins: int = 50) -> float:
    """Var(E[y | x]) / Var(y), estimated from the sample itself ("given data").

    Paths are grouped by x (equal-count bins by rank, or one group per value for a
    discrete input); the variance of the group means, less its expected inflation by
    within-group noise, over the total variance. 0 when y or x does not vary.
    """
    vy = y.var()
    values = np.unique(x)
    if vy == 0 or values.size < 2:
        return 0.0
    if values.size <= bins:
        group = np.searchsorted(values, x)
    else:
        group = (rank(x) * bins // x.size).astype(np.intp)  # ranks run from 0
    counts = np.bincount(group)
    keep = counts > 1
    sums = np.bincount(group, weights=y)
    sq = np.bincount(group, weights=y * y)
    counts, sums, sq = counts[keep], sums[keep], sq[keep]
    means = sums / counts
    within = (sq - counts * means**2) / (counts - 1)
    w = counts / counts.sum()
    between = np.sum(w * (means - y.mean()) ** 2) - np.sum(w * within / counts)
    return float(np.clip(between / vy, 0.0, 1.0))


def measure_of(scenario: Scenario, key: str) -> str | None:
    """The measure an input key belongs to (``<measure>.<what>``), if any."""
    head = key.split(".", 1)[0]
    return head if "." in key and any(m.id == head for m in scenario.measures) else None


def describe_input(scenario: Scenario, inp: RandomInput, lang: str = "nl") -> str:
    """A reader's name for an input: the parameter's label, or what it does to a measure."""
    mid = measure_of(scenario, inp.key)
    nl = lang == "nl"
    if mid is not None:
        what = inp.key.split(".", 1)[1]
        name = scenario.measure(mid).name
        words = {
            "go_ahead": ("doorgang van", "go-ahead of"),
            "delay": ("vertraging van", "delay of"),
            "costs": ("kosten van", "costs of"),
            "cost_factor": ("kostenoverschrijding van", "cost overrun of"),
            "committed_costs": ("reeds gemaakte kosten van", "committed costs of"),
            "effect_factor": ("effect van", "effect of"),
            "substitution": ("weglek (substitutie) van", "substitution of"),
            "turnover": ("doorstroom bij", "turnover under"),
        }.get(what.split(".")[0], ("effect van", "effect of"))
        return f"{pick(words, lang)} {name}"
    if inp.role == "growth":
        post_id, kind = inp.key.rsplit(".", 1)
        post = next((p for p in scenario.posts if p.id == post_id), None)
        name = post.name if post else post_id
        if kind == "price_growth":
            return f"prijsgroei {name}" if nl else f"price growth of {name}"
        return f"volumegroei {name}" if nl else f"volume growth of {name}"
    return inp.label or inp.key


# --- the study: one scenario, one seed, many runs with common random numbers ---------------


@dataclass
class Study:
    """A scenario seen from one scope (the region or a municipality) in one year."""

    scenario: Scenario
    paths: int = 10_000
    seed: int = 0
    municipality: str | None = None
    year: int | None = None  # None: the last horizon year
    aux_paths: int = AUX_PATHS
    _runs: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.year is None:
            self.year = self.scenario.years[-1]
        if self.year not in self.scenario.years:
            raise ValueError(f"year {self.year} is not a horizon year "
                             f"({self.scenario.years[0]}-{self.scenario.years[-1]})")
        self.aux_paths = min(self.aux_paths, self.paths)
        label = "all" + (f"@{self.municipality}" if self.municipality else "")
        labels = [scope_label(s) for s in scopes_of(self.scenario)]
        if label not in labels:
            raise ValueError(f"unknown municipality {self.municipality!r}")
        self.scope = labels.index(label)
        self.year_index = self.scenario.years.index(self.year)

    # the main run keeps inputs (sensitivity) and detail (attribution per measure)
    @cached_property
    def blocks(self):
        return run_blocks(self.scenario, self.paths, seed=self.seed, keep_inputs=True, detail=True)

    @cached_property
    def dataset(self):
        return to_dataset(self.scenario, self.blocks, seed=self.seed)

    @cached_property
    def savings(self) -> np.ndarray:
        """Net savings of the scope, (year, path), main run."""
        return np.concatenate([b.scope_net[self.scope] for b in self.blocks], axis=-1)

    @property
    def net(self) -> np.ndarray:
        """Net savings of the scope in the study year, per path of the main run."""
        return self.savings[self.year_index]

    def inputs(self) -> dict[str, np.ndarray]:
        keys = [i.key for i in self.scenario.inputs]
        return {k: np.concatenate([b.inputs[k] for b in self.blocks]) for k in keys}

    def rerun(self, paths: int | None = None, **options) -> np.ndarray:
        """Net savings of the scope in the study year under changed options, same seed."""
        paths = paths or self.aux_paths
        key = (paths, repr(sorted(options.items(), key=lambda kv: kv[0])))
        if key not in self._runs:
            parts = run_blocks(self.scenario, paths, seed=self.seed, **options)
            self._runs[key] = np.concatenate([b.scope_net[self.scope, self.year_index] for b in parts])
        return self._runs[key]

    def deterministic(self, active: frozenset[str] | None = None, year: int | None = None) -> float:
        """Net savings of the scope at plan values (the study year unless ``year``); each
        set of measures is computed once (plan, contributions and waterfall all ask)."""
        key = ("deterministic", active)
        if key not in self._runs:
            b = simulate_block(self.scenario, 1, deterministic=True, active=active)
            self._runs[key] = b.scope_net[self.scope, :, 0]
        yi = self.year_index if year is None else self.scenario.years.index(year)
        return float(self._runs[key][yi])

    def keys(self, roles) -> list[RandomInput]:
        roles = (roles,) if isinstance(roles, str) else roles
        return [i for i in self.scenario.inputs if i.role in roles]

    def plan_values(self, roles, measure: str | None = None) -> dict[str, float]:
        """Overrides that put inputs of these roles at their deterministic value."""
        out = {}
        for inp in self.keys(roles):
            if measure is not None and measure_of(self.scenario, inp.key) != measure:
                continue
            if inp.role == GO:
                out[inp.key] = 1.0
            elif inp.role == DELAY:
                out[inp.key] = 0.0
            elif inp.deterministic == "mean":
                out[inp.key] = inp.distribution.mean
            else:
                out[inp.key] = inp.distribution.point
        return out


def _se(x: np.ndarray) -> float:
    """Standard error of the mean of x [its unit]."""
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0


def _dist(x: np.ndarray) -> dict:
    p5, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95])
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
    return {"mean": float(x.mean()), "mean_se": se, "p5": float(p5), "p50": float(p50), "p95": float(p95)}


# --- risk ---------------------------------------------------------------------------------


def risk(study: Study, capacity: float | None = None) -> dict:
    """Per target and budget and per year: P(met), shortfall, reserve at 90%; the headline.

    The headline goal is the scope's first target (else its first budget) in the study year.
    """
    return risk_of(study.dataset, year=study.year, municipality=study.municipality, capacity=capacity)


def risk_of(ds, *, year: int, municipality: str | None = None, capacity: float | None = None) -> dict:
    """:func:`risk` for a simulated Dataset (see :func:`simulator.run.dataset.run`)."""
    if capacity is not None and not np.isfinite(capacity):
        raise ValueError(f"capacity must be a finite amount, got {capacity!r}")
    n = int(ds.sizes["path"])
    out_goals = []
    for g in goals(ds, municipality=municipality):
        years = {}
        shortfalls = {}
        for y in sorted(g.amounts):
            a, m = g.amounts[y], g.measured[y]
            short = np.maximum(a - m, 0.0) if g.kind == "target" else np.maximum(m - a, 0.0)
            shortfalls[y] = short
            stats = goal_year(g, y, n)
            p, se = stats.pop("p"), stats.pop("se")
            need = float(np.quantile(short, CERTAINTY))
            lo, hi = quantile_interval(short, CERTAINTY)
            missed = short[short > 0]
            worst = float(np.quantile(missed, 0.95)) if missed.size else 0.0
            mean_short = float(short.mean())
            mean_short_se = float(short.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
            cvar, cvar_se = tail_mean(short, CERTAINTY)
            lo_p, hi_p = wilson_interval(p, n)
            years[y] = {
                **stats, "p_met": p, "p_met_se": se, "p_met_interval": (lo_p, hi_p),
                **{f"{k}_interval": quantile_interval(g.measured[y], q) for k, q in QUANTILES.items()},
                # the mean over every path, 0 where the goal is met (not the risk literature's
                # "expected shortfall", which is the CVaR below); the old name stays as an alias
                "mean_shortfall": mean_short, "mean_shortfall_se": mean_short_se,
                "expected_shortfall": mean_short, "expected_shortfall_se": mean_short_se,
                "cvar": cvar, "cvar_se": cvar_se,
                "needed_capacity": need, "needed_capacity_interval": (lo, hi),
                "max_consequence": worst, "realisatierisico": (1.0 - p) * worst,
            }
        together = all_years(g)
        total_short = sum(shortfalls.values()) if shortfalls else None
        out_goals.append({
            "id": g.id, "kind": g.kind, "scope": g.scope, "against": g.against, "years": years,
            "p_all_years": None if together is None else float(together.mean()),
            "p_all_years_se": None if together is None else probability_se(float(together.mean()), n),
            "needed_capacity_all_years": (None if total_short is None
                                          else float(np.quantile(total_short, CERTAINTY))),
        })
    head = next((g for g in out_goals if g["kind"] == "target" and year in g["years"]),
                next((g for g in out_goals if year in g["years"]), None))
    headline = None
    if head is not None:
        h = head["years"][year]
        headline = {"goal": head["id"], "kind": head["kind"], "year": year, **h}
        if capacity is not None:
            need = h["needed_capacity"]
            ratio = float("inf") if need <= 0 else capacity / need
            cls, nl, en = ratio_class(ratio)
            headline.update(capacity=capacity, ratio=ratio, ratio_class=cls, ratio_nl=nl, ratio_en=en)
    return {"goals": out_goals, "headline": headline, "paths": n, "certainty": CERTAINTY}


# --- sensitivity --------------------------------------------------------------------------


def sensitivity(study: Study, *, leading: int | None = None) -> list[dict]:
    """Every uncertain input's influence on net savings in the study year, largest swing first.

    Definitions and estimators: :mod:`simulator.results.sensitivity`. ``leading``: how many
    of the largest get Sobol' indices (None: every input; the others get None).
    """
    from simulator.results.sensitivity import (
        drawn_for_study,
        per_year_constant,
        spearman_interval,
        swing_values,
    )

    y = study.net
    drawn = study.inputs()
    base = study.rerun()
    rows = []
    for inp in study.scenario.inputs:
        x = drawn_for_study(study, inp, drawn[inp.key])
        if inp.per_year:
            t = study.year - study.scenario.base_year
            q_low, q_high = (float(v) for v in np.quantile(x, [0.10, 0.90]))
            low, high = per_year_constant(inp, q_low, t), per_year_constant(inp, q_high, t)
        else:
            low, high = swing_values(inp)
        if low == high:
            at_low = at_high = base
        else:
            at_low, at_high = study.rerun(overrides={inp.key: low}), study.rerun(overrides={inp.key: high})
        diff = at_high - at_low
        rho = spearman(x, y)
        mean_low, mean_high = float(at_low.mean()), float(at_high.mean())
        rows.append({
            "key": inp.key, "label": describe_input(study.scenario, inp, "nl"),
            "label_en": describe_input(study.scenario, inp, "en"), "role": inp.role,
            "measure": measure_of(study.scenario, inp.key),
            "spearman": rho, "spearman_interval": spearman_interval(rho, y.size),
            "p10_value": low, "p90_value": high,
            # kept under their old names for the report: since issue 16 these are means, not P50s
            "p50_at_p10": mean_low, "p50_at_p90": mean_high,
            "low_value": low, "high_value": high, "mean_at_low": mean_low, "mean_at_high": mean_high,
            "swing": mean_high - mean_low,
            "swing_se": float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else 0.0,
            "first_order": None,
        })
    rows.sort(key=lambda r: (-abs(r["swing"]), -abs(r["spearman"]), r["key"]))
    chosen = rows if leading is None else rows[:leading]
    found = indices(study)
    for r in chosen:
        r.update(_shown(found["inputs"][r["key"]]))
    return rows


def _shown(ix: dict) -> dict:
    """Indices as shown: clipped into [0, 1] (the unbiased estimates can stray outside by
    sampling error; they stay under ``*_estimate``)."""
    out = dict(ix)
    for k in ("first_order", "total_order"):
        out[f"{k}_estimate"] = ix[k]
        out[k] = float(min(max(ix[k], 0.0), 1.0))
    return out


def indices(study: Study) -> dict[str, dict]:
    """Sobol' indices of every input ("inputs") and of each measure's inputs together
    ("measures"), by pick-freeze with common random numbers; computed once per study."""
    from simulator.results.sensitivity import study_indices, swing_values

    if "indices" in study._runs:
        return study._runs["indices"]
    s = study.scenario
    varying = [i for i in s.inputs
               if i.per_year or (lambda lh: lh[0] != lh[1])(swing_values(i))]
    groups = {i.key: (i.key,) for i in varying}
    by_measure: dict[str, tuple[str, ...]] = {}
    for i in varying:
        mid = measure_of(s, i.key)
        if mid is not None:
            by_measure[mid] = (*by_measure.get(mid, ()), i.key)
    # a measure with one uncertain input: its group is that input (no second run)
    found = study_indices(study, {**groups, **{f"measure:{m}": keys for m, keys in by_measure.items()
                                               if len(keys) > 1}})
    found.update({f"measure:{m}": found[keys[0]] for m, keys in by_measure.items() if len(keys) == 1})
    zero = {"first_order": 0.0, "first_order_se": 0.0, "first_order_interval": (0.0, 0.0),
            "total_order": 0.0, "total_order_se": 0.0, "total_order_interval": (0.0, 0.0)}
    out = {
        "inputs": {i.key: found.get(i.key, zero) for i in s.inputs},
        "measures": [{"id": m.id, "name": m.name, "inputs": list(by_measure.get(m.id, ())),
                      **_shown(found.get(f"measure:{m.id}", zero))} for m in s.measures],
        "paths": study.aux_paths,
    }
    study._runs["indices"] = out
    return out


# --- contributions and the waterfall ------------------------------------------------------


def published_net(scenario: Scenario, measure_id: str, year: int) -> float | None:
    """The net figure the document prints for a measure in a year [EUR], if any."""
    m = scenario.measure(measure_id)
    unit = scenario.published_totals.unit
    pub = m.published
    if year in pub.net:
        return pub.net[year] * unit
    if year in pub.effect:
        return (pub.effect[year] - pub.cost.get(year, 0.0)) * unit
    return None


def contributions(study: Study) -> dict:
    """Per measure: standalone range, marginal contribution, and what no-go, delay and cost
    overruns take off it; for the package: the interaction loss. Study year, study scope."""
    s = study.scenario
    package = study.rerun()
    all_ids = frozenset(m.id for m in s.measures)
    rows, standalone_sum = [], np.zeros_like(package)
    for m in s.measures:
        alone = study.rerun(active=frozenset({m.id}))
        without = study.rerun(active=all_ids - {m.id})
        standalone_sum = standalone_sum + alone
        marginal = package - without

        def loss(roles, m=m) -> tuple[float, float]:
            """What letting this measure's inputs of these roles vary takes off the package (<= 0
            for a loss): package mean minus the package with them at their plan value, and its
            standard error (paired paths: the same random numbers)."""
            over = study.plan_values(roles, m.id)
            if not over:
                return 0.0, 0.0
            d = package - study.rerun(overrides=over)
            return float(d.mean()), _se(d)

        go = s.measure(m.id).go_ahead
        p_go = 1.0 if go is None else float(next(i for i in s.inputs if i.key == go).distribution.mean)
        plan = None if study.municipality else published_net(s, m.id, study.year)
        det = study.deterministic(frozenset({m.id}))
        rows.append({
            "id": m.id, "name": m.name, "law": m.law, "p_go_ahead": p_go,
            "published": plan, "plan_value": det,
            "standalone": _dist(alone), "marginal": _dist(marginal),
            **{f"loss_{name}{suffix}": v for name, roles in (("no_go", GO), ("delay", DELAY),
                                                              ("cost_overrun", COST))
               for suffix, v in zip(("", "_se"), loss(roles), strict=True)},
            "shortfall_vs_plan": (plan if plan is not None else det) - float(alone.mean()),
            "p_below_plan": float(np.mean(alone < (plan if plan is not None else det) - 0.5)),
        })
    interaction = standalone_sum - package
    return {
        "year": study.year, "paths": study.aux_paths, "measures": rows,
        "package": _dist(package), "sum_standalone": _dist(standalone_sum),
        "interaction_loss": _dist(interaction),
    }


def plan_of(study: Study, year: int) -> tuple[float, bool]:
    """The plan in a year, and whether it is the document's own: its printed net figures summed
    over the measures, or, where a measure's year is not printed (or for a municipality), the
    measures alone at plan values, summed."""
    s = study.scenario
    printed = [None if study.municipality else published_net(s, m.id, year) for m in s.measures]
    if printed and all(p is not None for p in printed):
        return float(sum(printed)), True
    return sum(study.deterministic(frozenset({m.id}), year) for m in s.measures), False


def plan_by_year(study: Study) -> dict[int, float]:
    """:func:`plan_of` for every horizon year."""
    return {y: plan_of(study, y)[0] for y in study.scenario.years}


def waterfall(study: Study) -> list[dict]:
    """From the plan to the P50 result in the study year, one cause per step.

    Steps, taken in this order (each is the change of the mean when one more kind of
    uncertainty is let in, with the same random numbers throughout):
    plan (sum of published figures) -> model at plan values (sum of measures alone) ->
    interaction loss -> effect ranges -> no-go -> delay -> cost overruns -> autonomous
    growth -> mean to median -> P50.
    """
    s = study.scenario
    det_alone = sum(study.deterministic(frozenset({m.id})) for m in s.measures)
    plan, has_plan = plan_of(study, study.year)
    det_package = study.deterministic()

    # the growth basis of the plan: the document's own (mean growth, or none at all)
    basis = {"no_growth": True} if s.check_growth == "none" else {
        "overrides": study.plan_values(GROWTH)}
    fixed = {r: study.plan_values(r) for r in (GO, DELAY, COST)}

    def with_(let_in: set[str]) -> np.ndarray:
        """Paths with the other kinds at plan, growth on the plan's basis (the full run has it free)."""
        over = {}
        for r, values in fixed.items():
            if r not in let_in:
                over.update(values)
        opts = dict(basis)
        over.update(opts.pop("overrides", {}))
        return study.rerun(study.paths, overrides=over or None, **opts)

    r0, r1, r2, r3 = with_(set()), with_({GO}), with_({GO, DELAY}), with_({GO, DELAY, COST})
    m0, m1, m2, m3 = (float(r.mean()) for r in (r0, r1, r2, r3))
    full = study.net
    m4, p50 = float(full.mean()), float(np.median(full))
    lo, hi = quantile_interval(full, 0.5)
    p50_se = (hi - lo) / (2 * 1.96)
    # each step's error: of the mean of its per-path differences (every run has the same paths
    # and random numbers); the deterministic steps have none
    steps = [("plan", plan, "total", 0.0)]
    if has_plan:
        steps.append(("model_vs_document", det_alone - plan, "step", 0.0))
    steps += [
        ("interaction_loss", det_package - det_alone, "step", 0.0),
        ("effect_ranges", m0 - det_package, "step", _se(r0)),
        ("no_go", m1 - m0, "step", _se(r1 - r0)),
        ("delay", m2 - m1, "step", _se(r2 - r1)),
        ("cost_overruns", m3 - m2, "step", _se(r3 - r2)),
        ("autonomous_growth", m4 - m3, "step", _se(full - r3)),
        ("mean_to_median", p50 - m4, "step", math.hypot(p50_se, _se(full))),
        ("p50", p50, "total", p50_se),
    ]
    return [{"step": k, "value": float(v), "kind": kind, "se": float(se)} for k, v, kind, se in steps]


WATERFALL_LABELS = {
    "plan": ("plan (som van de maatregelen)", "plan (sum of the measures)"),
    "model_vs_document": ("model t.o.v. document", "model vs document"),
    "interaction_loss": ("communicerende vaten", "interaction loss"),
    "effect_ranges": ("bandbreedte effecten", "effect ranges"),
    "no_go": ("maatregelen gaan niet door", "measures not going ahead"),
    "delay": ("vertraging", "delay"),
    "cost_overruns": ("kostenoverschrijding", "cost overruns"),
    "autonomous_growth": ("autonome groei", "autonomous growth"),
    "mean_to_median": ("gemiddelde naar mediaan", "mean to median"),
    "p50": ("resultaat (P50)", "result (P50)"),
}


# --- everything at once -------------------------------------------------------------------


@dataclass(frozen=True)
class Findings:
    """What a report, an export or a risk paragraph needs, from one study."""

    study: Study
    summary: dict  # summary.summarise_years
    risk: dict
    sensitivity: list[dict]
    contributions: dict
    waterfall: list[dict]
    plan: dict[int, float]  # per horizon year: the sum of the measures as the plan states them
    capacity: float | None
    #: Sobol' indices of each measure's inputs together (see :func:`indices`), largest first
    sensitivity_measures: list[dict] = field(default_factory=list)


def analyse(scenario: Scenario, *, paths: int = 10_000, seed: int = 0, municipality: str | None = None,
            year: int | None = None, capacity: float | None = None, aux_paths: int = AUX_PATHS) -> Findings:
    """Run the scenario and derive every council answer (see the module docstring)."""
    from simulator.results.summary import summarise_years

    study = Study(scenario, paths, seed, municipality, year, aux_paths)
    return Findings(
        study=study,
        summary=summarise_years(study.dataset, municipality=municipality),
        risk=risk(study, capacity),
        sensitivity=sensitivity(study),
        contributions=contributions(study),
        waterfall=waterfall(study),
        plan=plan_by_year(study),
        capacity=capacity,
        sensitivity_measures=sorted(indices(study)["measures"], key=lambda r: -r["total_order"]),
    )
