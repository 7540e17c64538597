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

How many paths each takes (docs/results.md, "How many paths the analysis takes"): the main run
``paths``; the Sobol' indices and contributions ``aux_paths`` (:data:`AUX_PATHS`); the swings
``swing_paths`` (:data:`SWING_SHARE` of it). Runs that differ only by fixed inputs are stacked
into few engine calls (:meth:`Study.stacked`), which changes no number.
"""

from __future__ import annotations

import os
import pickle
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, cast

import numpy as np

from simulator.core.engine import scopes_of, simulate, simulate_block
from simulator.core.goals import headline_index
from simulator.core.options import RunOptions
from simulator.core.plan import compile_plan
from simulator.core.sampling import BLOCK_PATHS, Inputs, blocks, plan_value, sample_inputs
from simulator.i18n import TEXT, t
from simulator.results.contributions import (
    COST,
    DELAY,
    GO,
    GROWTH,
    Contribution,
    Contributions,
    Distribution,
    contributions,
    plan_by_year,
    plan_of,
    published_net,
)
from simulator.results.risk import (
    CERTAINTY,
    RATIO_CLASSES,
    GoalRisk,
    Headline,
    Risk,
    RiskYear,
    quantile_interval,
    ratio_class,
    risk_of,
)
from simulator.results.sensitivity import (
    MeasureSensitivity,
    drawn_for_study,
    indices,
    measure_of,
    per_year_constant,
    spearman_interval,
    swing_values,
)
from simulator.results.summary import Summary
from simulator.results.waterfall import WATERFALL_LABELS, WaterfallStep, waterfall
from simulator.run.dataset import run_blocks, to_dataset
from simulator.scenario.model import RandomInput, Scenario, scope_label

__all__ = ["AUX_PATHS", "CERTAINTY", "COST", "DELAY", "GO", "GROWTH", "LEADING", "RATIO_CLASSES", "SWING_SHARE",
           "WATERFALL_LABELS", "Contribution", "Contributions", "Distribution", "Findings", "GoalRisk", "Headline",
           "MeasureSensitivity",
           "Risk", "RiskYear",
           "SensitivityRow", "Study", "WaterfallStep", "analyse", "contributions", "describe_input",
           "first_order_index", "measure_of", "plan_by_year", "plan_of", "published_net", "quantile_interval",
           "rank", "ratio_class", "risk", "risk_of", "sensitivity", "spearman", "waterfall"]

#: paths for the extra runs of the Sobol' indices and the contributions (common random numbers
#: make their differences precise long before their levels are; docs/results.md gives the
#: standard errors this buys on the bundled scenarios)
AUX_PATHS = 2_000
#: the tornado's swings run on this share of the auxiliary paths: two runs per input, and
#: paired differences that are precise on few paths
SWING_SHARE = 0.5
#: inputs with the largest swings that get Sobol' indices of their own (every input is in its
#: measure's indices); the tornado shows as many
LEADING = 10
#: paths per engine call of a stacked run (:meth:`Study.stacked`): the engine's (post, year,
#: path) arrays then stay in cache; measured fastest per path on Gooi and Rotterdam (2.2-2.5
#: and 1.7 us against 2.9 and 2.5 us at 65,536 paths)
STACK_PATHS = 1 << 13


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


def spearman(x: np.ndarray, y: np.ndarray, *, ranked_y: np.ndarray | None = None) -> float:
    """Rank correlation; 0 when either side does not vary (no influence can be seen).
    ``ranked_y``: ``rank(y)``, when the caller correlates many inputs with one output."""
    rx, ry = rank(x), rank(y) if ranked_y is None else ranked_y
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


def describe_input(scenario: Scenario, inp: RandomInput, lang: str = "nl") -> str:
    """A reader's name for an input: the parameter's label, or what it does to a measure."""
    mid = measure_of(scenario, inp.key)
    head = inp.key.split(".", 1)[0]
    if mid is None and "." in inp.key and any(d.id == head for d in scenario.decisions):
        d = scenario.decision(head)
        kind = inp.key.split(".", 1)[1]
        return t("input.decision_go_ahead" if kind == "go_ahead" else "input.decision_delay", lang).format(name=d.name)
    if mid is not None:
        what = inp.key.split(".", 1)[1]
        m = scenario.measure(mid)
        name = m.name
        part = what.split(".", 1)[0]
        component = next((c for c in m.components if c.id == part), None)
        if component is not None and "." in what:  # a part of the measure: "<measure>.<part>.<what>"
            what = what.split(".", 1)[1]
            name = f"{name} ({component.name})"
        what = what.split(".")[0]
        words = f"input.{what}" if f"input.{what}" in TEXT else "input.effect_factor"
        return f"{t(words, lang)} {name}"
    if inp.role == "growth":
        post_id, kind = inp.key.rsplit(".", 1)
        post = next((p for p in scenario.posts if p.id == post_id), None)
        name = post.name if post else post_id
        return t("growth.price" if kind == "price_growth" else "growth.volume", lang).format(name=name)
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
    swing_paths: int | None = None  # None: SWING_SHARE of aux_paths
    _runs: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.year is None:
            self.year = self.scenario.years[-1]
        if self.year not in self.scenario.years:
            raise ValueError(f"year {self.year} is not a horizon year "
                             f"({self.scenario.years[0]}-{self.scenario.years[-1]})")
        self.aux_paths = min(self.aux_paths, self.paths)
        share = max(1, round(SWING_SHARE * self.aux_paths)) if self.swing_paths is None else self.swing_paths
        self.swing_paths = min(share, self.aux_paths)
        labels = [scope_label(s) for s in scopes_of(self.scenario)]
        self.scope = headline_index(labels, self.municipality, (m.id for m in self.scenario.municipalities))
        self.year_index = self.scenario.years.index(self.year)

    # the main run keeps inputs (sensitivity) and detail (attribution per measure)
    @cached_property
    def blocks(self):
        return run_blocks(self.scenario, self.paths, seed=self.seed,
                          options=RunOptions(keep_inputs=True, detail=True))

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
        """Net savings of the scope in the study year under changed options, same seed.

        A random run reuses the study's draws (:meth:`reruns`); the numbers are those of a run
        of its own on the numpy engine, which every run of a study takes, so that differences
        between runs are differences of the model alone.
        """
        paths = paths or self.aux_paths
        opts = RunOptions(**options)
        key = (paths, opts)
        if key not in self._runs:
            if opts.deterministic or opts.detail or opts.keep_inputs:
                parts = run_blocks(self.scenario, paths, seed=self.seed, options=opts)
                self._runs[key] = np.concatenate([b.scope_net[self.scope, self.year_index] for b in parts])
            else:
                rest = {k: getattr(opts, k) for k in ("active", "no_growth", "extra_delay", "sampling")}
                self.reruns([opts.override_map], paths, **rest)
        return self._runs[key]

    def reruns(self, variants: Sequence[Mapping[str, float]], paths: int | None = None,
               **options: Any) -> list[np.ndarray]:
        """:meth:`rerun` with ``overrides=v`` for every ``v`` of ``variants``, in few engine calls.

        Each result is the one :meth:`rerun` gives (and is cached as it): the variants are
        stacked as slices of one long run over the same drawn paths (:meth:`stacked`).
        """
        paths = paths or self.aux_paths
        keys = [(paths, RunOptions(overrides=tuple(v.items()), **options)) for v in variants]
        todo = list(dict.fromkeys(k for k in keys if k not in self._runs))
        if todo:
            found = self.stacked([dict(k[1].overrides) for k in todo], paths, **options)
            self._runs.update(zip(todo, found, strict=True))
        return [self._runs[k] for k in keys]

    def stacked(self, variants: Sequence[Mapping[str, float | np.ndarray]], paths: int | None = None,
                **options: Any) -> np.ndarray:
        """Net savings of the scope in the study year [EUR], (variant, path): each variant is the
        run of ``paths`` paths with its inputs replaced, all others keeping their draws.

        A variant maps input keys to a value for every path (a float) or to values per path
        ((1, paths) or, for a per-year input, (year, paths): the pick-freeze's B sample). The
        inputs are drawn once per block; the variants become slices of one input set that a
        single :func:`~simulator.core.engine.simulate` call runs (in calls of about
        :data:`STACK_PATHS` paths, so memory stays below that of one block). The model is elementwise
        over paths, so each slice is bit for bit the separate run (tests check it): only the
        per-call cost and the repeated drawing are saved.
        """
        paths = paths or self.aux_paths
        opts = RunOptions(**options)
        if opts.deterministic or opts.detail or opts.keep_inputs:
            raise ValueError("stacked runs are random runs of net savings only")
        plan = compile_plan(self.scenario)
        out = np.empty((len(variants), paths))
        if not variants:
            return out
        start = 0
        for b, n in blocks(paths):
            base = self._drawn(b, n, opts.sampling)
            per_call = max(1, STACK_PATHS // n)
            for v0 in range(0, len(variants), per_call):
                chunk = variants[v0:v0 + per_call]
                m = len(chunk)
                values = {}
                for key, arr in base.items():
                    if not any(key in v for v in chunk):
                        values[key] = np.tile(arr, (1, m))
                        continue
                    full = np.empty((arr.shape[0], m * n))
                    for j, v in enumerate(chunk):
                        given = v.get(key)
                        if given is None:
                            full[:, j * n:(j + 1) * n] = arr
                        elif np.ndim(given) == 0:
                            full[:, j * n:(j + 1) * n] = float(given)
                        else:
                            full[:, j * n:(j + 1) * n] = np.asarray(given)[..., start:start + n]
                    values[key] = full
                blk = simulate(plan, Inputs(values, m * n), opts)
                out[v0:v0 + m, start:start + n] = blk.scope_net[self.scope, self.year_index].reshape(m, n)
            start += n
        return out

    def _drawn(self, block: int, n: int, sampling: str = "mc") -> dict[str, np.ndarray]:
        """The inputs of the first ``n`` paths of block ``block``, as every run draws them.

        One block's draws are kept (the first ``n`` draws of a stream do not depend on ``n``,
        so smaller runs take a prefix); other blocks are drawn when asked.
        """
        n_years = self.scenario.years[-1] - self.scenario.base_year
        if block != 0 or sampling != "mc":
            return sample_inputs(self.scenario, n, seed=self.seed, block=block, n_years=n_years, sampling=sampling)
        kept = self._runs.get("drawn")
        if kept is None or kept[0] < n:
            size = max(n, min(self.paths, BLOCK_PATHS))
            kept = (size, sample_inputs(self.scenario, size, seed=self.seed, block=0, n_years=n_years))
            self._runs["drawn"] = kept
        return {k: v[:, :n] for k, v in kept[1].items()}

    def deterministic(self, active: frozenset[str] | None = None, year: int | None = None) -> float:
        """Net savings of the scope at plan values (the study year unless ``year``); each
        set of measures is computed once (plan, contributions and waterfall all ask)."""
        key = ("deterministic", active)
        if key not in self._runs:
            b = simulate_block(self.scenario, 1, options=RunOptions(deterministic=True, active=active))
            self._runs[key] = b.scope_net[self.scope, :, 0]
        yi = self.year_index if year is None else self.scenario.years.index(year)
        return float(self._runs[key][yi])

    def keys(self, roles) -> list[RandomInput]:
        roles = (roles,) if isinstance(roles, str) else roles
        return [i for i in self.scenario.inputs if i.role in roles]

    def plan_values(self, roles, measure: str | None = None) -> dict[str, float]:
        """Overrides that put inputs of these roles at their plan value (:func:`plan_value`)."""
        # a measure's own inputs, its parts' and its decision's (shared with the decision's other measures)
        shared = set(self.scenario.measure_inputs(measure)) if measure is not None else set()
        return {inp.key: plan_value(inp) for inp in self.keys(roles)
                if measure is None or measure_of(self.scenario, inp.key) == measure or inp.key in shared}


# --- risk ---------------------------------------------------------------------------------


def risk(study: Study, capacity: float | None = None, goal: str | None = None) -> Risk:
    """Per target and budget and per year: P(met), shortfall, reserve at 90%; the headline and
    the programme's reserve over every goal and year.

    The headline goal is ``goal``, else the scope's first target (else its first budget) in the
    study year.
    """
    assert study.year is not None
    return risk_of(study.dataset, year=study.year, municipality=study.municipality, capacity=capacity, goal=goal)


# --- sensitivity --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    """One uncertain input's influence on net savings in the study year.

    Definitions and estimators: :mod:`simulator.results.sensitivity`.

    Attributes
    ----------
    key : str
        The input's key, e.g. ``"m7.effect_factor"``.
    label, label_en : str
        A reader's name for it in Dutch and English (:func:`describe_input`).
    role : str
        Its role (``go_ahead``, ``delay``, ``cost``, ``growth``, ...).
    measure : str or None
        The measure it belongs to.
    spearman : float
        Rank correlation of the input and net savings [-1, 1] (a per-year input: its cumulative
        effect by the study year).
    spearman_interval : tuple of float
        95% interval of ``spearman`` (Fisher's z).
    low_value, high_value : float
        The input's value at the two ends of the swing [the input's unit]: its P10 and P90, or
        the ends of its range where those coincide (a near-certain go-ahead: no-go and go).
        ``p10_value`` and ``p90_value`` are kept as aliases.
    mean_at_low, mean_at_high : float
        Mean net savings with the input fixed there [EUR] (the other inputs keep their draws).
        ``mean_at_p10`` and ``mean_at_p90`` are kept as aliases.
    swing, swing_se : float
        ``mean_at_high - mean_at_low`` [EUR]: the tornado bar, and its standard error [EUR]
        (paired paths).
    first_order, total_order : float or None
        First- and total-order Sobol' indices: the share of the variance of net savings the input
        explains alone, and alone or with others [0-1], clipped into [0, 1].
    first_order_se, total_order_se : float or None
        Their bootstrap standard errors [share].
    first_order_interval, total_order_interval : tuple of float or None
        Their 95% bootstrap percentile intervals [share].
    first_order_estimate, total_order_estimate : float or None
        The unclipped unbiased estimates [share].
    """

    key: str
    label: str
    label_en: str
    role: str
    measure: str | None
    spearman: float
    spearman_interval: tuple[float, float]
    low_value: float
    high_value: float
    mean_at_low: float
    mean_at_high: float
    swing: float
    swing_se: float
    first_order: float | None = None
    first_order_se: float | None = None
    first_order_interval: tuple[float, float] | None = None
    first_order_estimate: float | None = None
    total_order: float | None = None
    total_order_se: float | None = None
    total_order_interval: tuple[float, float] | None = None
    total_order_estimate: float | None = None

    @property
    def p10_value(self) -> float:
        """Alias of ``low_value``."""
        return self.low_value

    @property
    def p90_value(self) -> float:
        """Alias of ``high_value``."""
        return self.high_value

    @property
    def mean_at_p10(self) -> float:
        """Alias of ``mean_at_low`` [EUR]."""
        return self.mean_at_low

    @property
    def mean_at_p90(self) -> float:
        """Alias of ``mean_at_high`` [EUR]."""
        return self.mean_at_high

    def to_json(self) -> dict[str, Any]:
        head = ("key", "label", "label_en", "role", "measure", "spearman", "spearman_interval")
        tail = ("swing", "swing_se", "first_order", "first_order_se", "first_order_interval",
                "first_order_estimate", "total_order", "total_order_se", "total_order_interval",
                "total_order_estimate")
        return {**{k: getattr(self, k) for k in head},
                "p10_value": self.low_value, "p90_value": self.high_value,
                "mean_at_p10": self.mean_at_low, "mean_at_p90": self.mean_at_high,
                "low_value": self.low_value, "high_value": self.high_value,
                "mean_at_low": self.mean_at_low, "mean_at_high": self.mean_at_high,
                **{k: getattr(self, k) for k in tail}}


def _swing_ends(study: Study, inp: RandomInput, x: np.ndarray) -> tuple[float, float]:
    """The low and high value of an input's swing (a per-year input: the constant rates that
    give the P10 and P90 of its cumulative effect by the study year)."""
    if not inp.per_year:
        return swing_values(inp)
    assert study.year is not None
    t = study.year - study.scenario.base_year
    q_low, q_high = (float(v) for v in np.quantile(x, [0.10, 0.90]))
    return per_year_constant(inp, q_low, t), per_year_constant(inp, q_high, t)


def sensitivity(study: Study, *, leading: int | None = LEADING) -> list[SensitivityRow]:
    """Every uncertain input's influence on net savings in the study year, largest swing first.

    Definitions and estimators: :mod:`simulator.results.sensitivity`. Swings are over the
    study's ``swing_paths``, Sobol' indices over its ``aux_paths``. ``leading``: how many of
    the largest get Sobol' indices of their own (None: every input; the others get None; every
    input is in its measure's indices, :func:`simulator.results.sensitivity.indices`).
    """
    y = study.net
    drawn = study.inputs()
    base = study.rerun(study.swing_paths)
    ends = {}
    for inp in study.scenario.inputs:
        x = drawn_for_study(study, inp, drawn[inp.key])
        ends[inp.key] = (x, *_swing_ends(study, inp, x))
    wanted = [(k, v) for k, (_, low, high) in ends.items() if low != high for v in (low, high)]
    swings = dict(zip(wanted, study.reruns([{k: v} for k, v in wanted], study.swing_paths), strict=True))
    rows, ry = [], rank(y)
    for inp in study.scenario.inputs:
        x, low, high = ends[inp.key]
        if low == high:
            at_low = at_high = base
        else:
            at_low, at_high = swings[(inp.key, low)], swings[(inp.key, high)]
        diff = at_high - at_low
        rho = spearman(x, y, ranked_y=ry)
        rows.append(SensitivityRow(
            inp.key, describe_input(study.scenario, inp, "nl"), describe_input(study.scenario, inp, "en"),
            inp.role, measure_of(study.scenario, inp.key), rho, spearman_interval(rho, y.size), low, high,
            float(at_low.mean()), float(at_high.mean()), float(at_high.mean()) - float(at_low.mean()),
            float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else 0.0))
    rows.sort(key=lambda r: (-abs(r.swing), -abs(r.spearman), r.key))
    found = indices(study, leading_keys(rows, leading))["inputs"]
    return [replace(r, **found[r.key]) if found[r.key] is not None else r for r in rows]


def leading_keys(rows: Sequence[SensitivityRow], leading: int | None = LEADING) -> list[str] | None:
    """The keys of the ``leading`` rows (rows sorted largest swing first; None: every input)."""
    return None if leading is None else [r.key for r in rows[:leading]]


# --- everything at once -------------------------------------------------------------------


@dataclass(frozen=True)
class Findings:
    """What a report, an export or a risk paragraph needs, from one study.

    Attributes
    ----------
    study : Study
        The scenario, scope, year, seed and paths, with the main run.
    summary : Summary
        Per year the range of net savings and P(goal met) (as ``taaksim run``).
    risk : Risk
        Per goal and year the shortfall and the reserve needed; the headline.
    sensitivity : list of SensitivityRow
        Every uncertain input, largest swing first.
    contributions : Contributions
        Per measure alone and in the package; the interaction loss.
    waterfall : list of WaterfallStep
        From the plan to the P50 result in the study year.
    readings : list of ReadingResult
        Every goal under each declared reading of the document (empty without readings).
    plan : dict of int to float
        Per horizon year the sum of the measures as the plan states them [EUR].
    capacity : float or None
        The available weerstandscapaciteit given [EUR].
    sensitivity_measures : list of MeasureSensitivity
        Sobol' indices of each measure's inputs together, largest total-order index first.
    """

    study: Study
    summary: Summary
    risk: Risk
    sensitivity: list[SensitivityRow]
    contributions: Contributions
    waterfall: list[WaterfallStep]
    plan: dict[int, float]
    capacity: float | None
    sensitivity_measures: list[MeasureSensitivity] = field(default_factory=list)
    readings: list = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The figures of ``taaksim report --json`` (int year keys and tuples: the command line
        finishes them with :func:`simulator.cli.format.jsonable`)."""
        return {"risk": self.risk.to_json(), "sensitivity": [r.to_json() for r in self.sensitivity],
                "sensitivity_measures": [m.to_json() for m in self.sensitivity_measures],
                "contributions": self.contributions.to_json(),
                "waterfall": [s.to_json() for s in self.waterfall], "plan": self.plan,
                "readings": [r.to_json() for r in self.readings]}


class _Forked:
    """``fn()`` computed in a forked process while this one goes on; :meth:`result` collects it.

    The numpy engine holds the GIL for most of a run (hundreds of numpy calls on a few thousand
    paths each, with Python between them): two threads of the analysis took as long as one
    after the other (measured on Gooi en Vechtstreek: 1.04 s against 0.94 s). A forked process
    shares what is computed so far without copying it and runs on the other core. Its result
    comes back pickled; where fork is missing, or the child fails in any way, :meth:`result`
    computes ``fn()`` here: the same numbers, since every figure depends only on the study.
    """

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._pid = 0
        self._read = -1
        if not hasattr(os, "fork") or threading.active_count() > 1 and not _forkable():
            return
        read, write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns on fork in a process with other OS threads (numpy's BLAS pool
            # here, idle; the only Python threads allowed are daemon ones, checked above): the
            # child touches no lock they may hold (it computes, pickles to a pipe and leaves with
            # os._exit, printing nothing), and the suite turns simulator's DeprecationWarnings
            # into errors, which would fail the fork after it happened
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
            code = 1
            try:
                os.close(read)
                with warnings.catch_warnings(record=True) as caught:  # shown by the parent, as its own
                    value = fn()
                said = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
                data = pickle.dumps((value, said), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: BLE001 - the parent computes it again and shows any error
                pass
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Any:
        if self._pid:
            pid, self._pid = self._pid, 0
            try:
                with os.fdopen(self._read, "rb") as inp:
                    data = inp.read()
            except BaseException:
                _stop(pid)
                raise
            _, status = os.waitpid(pid, 0)
            if status == 0 and data:
                value, said = pickle.loads(data)
                for message, category, filename, lineno in said:
                    warnings.warn_explicit(message, category, filename, lineno)
                return value
        return self._fn()

    def cancel(self) -> None:
        """Stop the child (its result is no longer wanted) and reap it."""
        if self._pid:
            pid, self._pid = self._pid, 0
            os.close(self._read)
            _stop(pid)


def _stop(pid: int) -> None:
    """End a child whose result is no longer wanted, and reap it."""
    os.kill(pid, 15)
    os.waitpid(pid, 0)


def _forkable() -> bool:
    """Whether the threads besides this one may be forked past: daemon threads only (a progress
    line), which the child never waits for."""
    return all(th.daemon for th in threading.enumerate() if th is not threading.current_thread())


def _heavy(study: Study) -> tuple[list[SensitivityRow], Contributions, list[MeasureSensitivity], dict]:
    """The sensitivity and the contributions, with the runs they made (for the tornado's base)."""
    before = set(study._runs)
    rows = sensitivity(study)
    found = contributions(study)
    measures = sorted(indices(study, leading_keys(rows))["measures"], key=lambda r: -r.total_order)
    runs = {k: v for k, v in study._runs.items() if k not in before and k != "drawn"}
    return rows, found, measures, runs


def analyse(scenario: Scenario, *, paths: int = 10_000, seed: int = 0, municipality: str | None = None,
            year: int | None = None, capacity: float | None = None, aux_paths: int = AUX_PATHS,
            goal: str | None = None, processes: int = 1,
            meanwhile: Callable[[Findings], object] | None = None) -> Findings:
    """Run the scenario and derive every council answer (see the module docstring); with
    declared readings, every goal under each of them too (:mod:`simulator.results.readings`).

    ``processes``: 2 computes the sensitivity and the contributions (their extra runs) in a
    forked process while this one derives the rest (:class:`_Forked`); the same numbers.
    ``meanwhile``: called with the findings so far, before they are waited for (their
    ``sensitivity`` and ``sensitivity_measures`` empty, their ``contributions`` None), e.g. to
    draw the pictures that do not show them.
    """
    from simulator.results.readings import side_by_side

    study = Study(scenario, paths, seed, municipality, year, aux_paths)
    other = None
    if processes > 1:
        study.blocks  # noqa: B018 - the main run, before the fork: the child reads its paths
        other = _Forked(lambda: _heavy(study))
    try:
        summary = Summary.from_dataset(study.dataset, municipality=municipality)
        found = Findings(
            study=study,
            summary=summary,
            # each reading on the main run's paths: the literal one is the main run itself
            readings=side_by_side(scenario, summary, paths=paths, seed=seed, municipality=municipality),
            risk=risk(study, capacity, goal),
            sensitivity=[],
            contributions=cast(Contributions, None),
            waterfall=waterfall(study),
            plan=plan_by_year(study),
            capacity=capacity,
        )
        if meanwhile is not None:
            meanwhile(found)
    except BaseException:
        if other is not None:  # no child left behind
            other.cancel()
        raise
    if other is None:
        rows, contributed, measures, _ = _heavy(study)
    else:
        rows, contributed, measures, runs = other.result()
        for key, value in runs.items():  # the child's runs, for the tornado's base
            study._runs.setdefault(key, value)
    return replace(found, sensitivity=rows, contributions=contributed, sensitivity_measures=measures)
