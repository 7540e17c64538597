"""Which uncertain input matters: swings, rank correlations and Sobol' indices, each with its error.

Three views of one question, all on net savings of the study's scope in the study year:

* **swing** (the tornado): the mean of net savings with the input fixed at a high value minus
  with it fixed at a low value, every other input keeping its draws (common random numbers).
  Low and high are the input's P10 and P90; where those coincide (a go-ahead of 0.95 has
  P10 = P90 = 1) they are the two ends of its range, so a go-ahead's swing is go against
  no-go. The *mean* is used, not the median: a median sitting on an atom (a go-ahead of 0.5
  puts half the paths on "no-go") jumps between two values from seed to seed, a mean does
  not. Its standard error comes from the per-path differences. Swings run on the study's
  ``swing_paths`` (by default half its ``aux_paths``): paired differences are precise on few
  paths (docs/results.md gives the errors measured on the bundled scenarios).
* **Spearman**: rank correlation of the input's drawn value and net savings, with a 95%
  interval on Fisher's z scale (standard error sqrt(1.06 / (n - 3)), Fieller et al. 1957).
* **Sobol' indices**: first order S1 (the share of the variance of net savings the input
  explains alone) and total order ST (alone and in interaction with others), by pick-freeze:
  samples A and B of every input, and per input (or per measure: its inputs together) a run
  of A with that input taken from B. S1 is Saltelli et al. (2010)'s estimator (with f_B
  centred, which keeps it unbiased and cuts its noise when savings are large against their
  spread), ST Jansen's (1999); both are unbiased for any marginal, skewed or discrete, unlike a binned
  ("given data") estimate. A is the study's own draws, B comes from independent block
  streams, and every run reuses them (common random numbers). Errors are bootstrap standard
  errors and percentile intervals over paths (:data:`BOOTSTRAP` resamples). A report computes
  them per measure and for its leading inputs only (:func:`indices`): one run each.

An input drawn per year (growth) enters the study year through all years up to it: its
"value" for Spearman is the cumulative growth to the study year, and its swing fixes every
year's rate at the constant that gives the P10 (or P90) of that cumulative growth.

Correlated inputs: S1 and ST of one member of a correlation group are those of its own
variation with the other members kept at their draws (the copula is not resampled), so a
group's indices need not add up; the group of a measure's inputs is resampled together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.core.sampling import BLOCK_PATHS, blocks, draw_uniforms, sample_inputs
from simulator.core.stats import Z95
from simulator.scenario.distributions import U_EPS
from simulator.scenario.model import RandomInput, Scenario

#: sample B of the pick-freeze design comes from these block indices: streams independent of
#: every block a run of up to 2^46 paths uses, and the same for every input's run
B_BLOCK_OFFSET = 1 << 30
#: bootstrap resamples of the indices' errors
BOOTSTRAP = 200


def spearman_interval(rho: float, n: int) -> tuple[float, float]:
    """A 95% interval for a rank correlation from ``n`` pairs (Fisher z, Fieller et al. 1957)."""
    if n <= 3 or abs(rho) >= 1.0:
        return float(rho), float(rho)
    z, se = math.atanh(rho), math.sqrt(1.06 / (n - 3))
    return math.tanh(z - Z95 * se), math.tanh(z + Z95 * se)


def swing_values(inp: RandomInput) -> tuple[float, float]:
    """The low and high value of an input's swing: P10 and P90, or the ends of its range
    where those coincide (a go-ahead of 0.95: no-go and go)."""
    d = inp.distribution
    low, high = (float(v) for v in d.ppf(np.array([[0.10, 0.90]]))[0])
    if low == high:
        low, high = (float(v) for v in d.ppf(np.array([[U_EPS, 1.0 - U_EPS]]))[0])
    return low, high


def cumulative(inp: RandomInput, x: np.ndarray, year_index: int) -> np.ndarray:
    """What a per-year input amounts to by model year ``year_index`` (0 = first), per path:
    cumulative growth prod(1 + g) - 1 for growth, the mean of the years otherwise."""
    upto = x[: year_index + 1]
    if inp.role == "growth":
        return np.prod(1.0 + upto, axis=0) - 1.0
    return upto.mean(axis=0)


def per_year_constant(inp: RandomInput, total: float, years: int) -> float:
    """The rate that, held in each of ``years`` years, gives the cumulative ``total``."""
    if inp.role == "growth":
        return float(math.copysign(abs(1.0 + total) ** (1.0 / years), 1.0 + total) - 1.0)
    return float(total)


def pick_freeze(model: Callable[[dict[str, np.ndarray]], np.ndarray], a: dict[str, np.ndarray],
                b: dict[str, np.ndarray], groups: dict[str, tuple[str, ...]], *,
                rng: np.random.Generator, f_a: np.ndarray | None = None) -> dict[str, dict]:
    """First- and total-order Sobol' indices of each group of inputs, with bootstrap errors.

    Parameters
    ----------
    model : maps overrides (input key -> values per path, the A sample's other inputs kept)
        to the output per path; called with ``{}`` for A (unless ``f_a`` is given), with all
        of B, and with each group taken from B.
    a, b : input key -> (..., path) draws of two independent samples.
    groups : name -> input keys resampled together.
    rng : the bootstrap's generator.

    Returns
    -------
    name -> {"first_order", "first_order_se", "first_order_interval", "total_order",
    "total_order_se", "total_order_interval"}; 0 for a group whose swap changes no path.
    """
    fa = model({}) if f_a is None else f_a
    fb = model(dict(b))
    both = np.concatenate([fa, fb])
    var, centre = float(both.var()), float(both.mean())
    zero = {"first_order": 0.0, "first_order_se": 0.0, "first_order_interval": (0.0, 0.0),
            "total_order": 0.0, "total_order_se": 0.0, "total_order_interval": (0.0, 0.0)}
    names, terms, out = [], [], {}
    for name, keys in groups.items():
        fab = model({k: b[k] for k in keys})
        if var == 0.0 or np.array_equal(fab, fa):
            out[name] = dict(zero)
            continue
        names.append(name)
        # Saltelli et al. 2010, eq. (b), with f_B centred: unbiased for any constant (E f_AB = E f_A),
        # and far less noisy when savings are large against their spread, as budgets are
        terms.append((fb - centre) * (fab - fa))
        terms.append(0.5 * (fa - fab) ** 2)  # Jansen 1999
    if not names:
        return out
    columns = np.column_stack([*terms, (fa + fb) / 2.0, (fa * fa + fb * fb) / 2.0])  # (path, term)
    boot, var_b = _bootstrap(columns, rng)
    means = columns.mean(axis=0)
    for g, name in enumerate(names):
        row: dict[str, object] = {}
        for j, label in ((2 * g, "first_order"), (2 * g + 1, "total_order")):
            value = float(means[j]) / var
            with np.errstate(divide="ignore", invalid="ignore"):
                b_vals = boot[:, j] / var_b
            b_vals = b_vals[np.isfinite(b_vals)]
            row[label] = value
            row[f"{label}_se"] = float(b_vals.std(ddof=1)) if b_vals.size > 1 else 0.0
            row[f"{label}_interval"] = ((float(np.quantile(b_vals, 0.025)), float(np.quantile(b_vals, 0.975)))
                                        if b_vals.size > 1 else (value, value))
        out[name] = row
    return out


def _bootstrap(columns: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each term's mean over :data:`BOOTSTRAP` resamples of paths, (resample, term), and each
    resample's variance of the output (the last two columns: its mean and mean square).

    The resampling keeps each path's A, B and A_B values together: resample weights
    (resample, path) times every group's per-path terms, in one product.
    """
    n = columns.shape[0]
    counts = np.empty((BOOTSTRAP, n))
    for r in range(BOOTSTRAP):
        counts[r] = np.bincount(rng.integers(0, n, n), minlength=n)
    counts /= n
    boot = counts @ columns
    return boot, boot[:, -1] - boot[:, -2] ** 2


def study_indices(study: Any, groups: dict[str, tuple[str, ...]]) -> dict[str, dict]:
    """:func:`pick_freeze` on a study's scenario: net savings of its scope in its year over
    ``study.aux_paths`` paths. A is the study's own draws (block by block, as every rerun).

    B's run and every group's run share A's paths: one stacked run (:meth:`Study.stacked`),
    the same numbers as a run per group.
    """
    s = study.scenario
    n_years = len(range(s.base_year + 1, s.years[-1] + 1))
    plan = blocks(study.aux_paths)
    assert all(b * BLOCK_PATHS < B_BLOCK_OFFSET for b, _ in plan)
    b_parts = [sample_inputs(s, n, seed=study.seed, block=B_BLOCK_OFFSET + b, n_years=n_years) for b, n in plan]
    b_all = {k: np.concatenate([p[k] for p in b_parts], axis=-1) for k in (i.key for i in s.inputs)}
    runs = [tuple(b_all), *dict.fromkeys(groups.values())]
    found = dict(zip(runs, study.stacked([{k: b_all[k] for k in keys} for keys in runs]), strict=True))

    def model(overrides: dict[str, np.ndarray]) -> np.ndarray:
        return found[tuple(overrides)]

    rng = np.random.default_rng(np.random.SeedSequence(study.seed, spawn_key=(B_BLOCK_OFFSET,)))
    return pick_freeze(model, b_all, b_all, groups, rng=rng, f_a=study.rerun())


def drawn_for_study(study: Any, inp: RandomInput, drawn: np.ndarray) -> np.ndarray:
    """An input's value per path of the main run as it bears on the study year (per-year
    inputs: their cumulative effect, from the very draws the engine used)."""
    if not inp.per_year:
        return drawn
    s = study.scenario
    n_years = s.years[-1] - s.base_year
    t = study.year - s.base_year - 1
    parts = []
    for b, n in blocks(study.paths):
        u = draw_uniforms(inp, n_years, n, seed=study.seed, block=b)
        np.clip(u, U_EPS, 1.0 - U_EPS, out=u)
        parts.append(cumulative(inp, inp.distribution.ppf(u), t))
    return np.concatenate(parts)


# --- the study's indices --------------------------------------------------------------------


def measure_of(scenario: Scenario, key: str) -> str | None:
    """The measure an input key belongs to (``<measure>.<what>``), if any."""
    head = key.split(".", 1)[0]
    return head if "." in key and any(m.id == head for m in scenario.measures) else None


#: the indices of an input or group whose variation changes no path
ZERO = {"first_order": 0.0, "first_order_se": 0.0, "first_order_interval": (0.0, 0.0),
        "total_order": 0.0, "total_order_se": 0.0, "total_order_interval": (0.0, 0.0)}


def shown(ix: dict) -> dict:
    """Indices as shown: clipped into [0, 1] (the unbiased estimates can stray outside by
    sampling error; they stay under ``*_estimate``)."""
    out = dict(ix)
    for k in ("first_order", "total_order"):
        out[f"{k}_estimate"] = ix[k]
        out[k] = float(min(max(ix[k], 0.0), 1.0))
    return out


@dataclass(frozen=True, slots=True)
class MeasureSensitivity:
    """Sobol' indices of one measure's uncertain inputs taken together.

    Attributes
    ----------
    id, name : str
        The measure.
    inputs : tuple of str
        Keys of its uncertain inputs (empty: none; its indices are then 0).
    first_order, total_order : float
        Share of the variance of net savings in the study year its inputs explain alone, and
        alone or with other inputs [0-1], clipped into [0, 1].
    first_order_se, total_order_se : float
        Their bootstrap standard errors [share].
    first_order_interval, total_order_interval : tuple of float
        Their 95% bootstrap percentile intervals [share].
    first_order_estimate, total_order_estimate : float
        The unclipped unbiased estimates [share] (may stray below 0 or above 1 by sampling error).
    """

    id: str
    name: str
    inputs: tuple[str, ...]
    first_order: float
    first_order_se: float
    first_order_interval: tuple[float, float]
    first_order_estimate: float
    total_order: float
    total_order_se: float
    total_order_interval: tuple[float, float]
    total_order_estimate: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "inputs": list(self.inputs),
                **{k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("id", "name", "inputs")}}


def indices(study: Any, inputs: Sequence[str] | None = None) -> dict[str, Any]:
    """Sobol' indices of each measure's inputs together ("measures": :class:`MeasureSensitivity`
    in the scenario's order) and of single inputs ("inputs": key -> :func:`shown` indices, or
    None for an input not asked for), by pick-freeze with common random numbers.

    ``inputs``: the keys that get indices of their own (None: every input). A report asks for
    its leading inputs only (:data:`simulator.results.analysis.LEADING`): the measures' groups
    cover every input, and each extra input costs a run. Computed once per study and key set.
    """
    s = study.scenario
    asked = None if inputs is None else frozenset(inputs)
    cache = ("indices", asked)
    if cache in study._runs:
        return study._runs[cache]
    varying = [i for i in s.inputs if i.per_year or (lambda lh: lh[0] != lh[1])(swing_values(i))]
    groups = {i.key: (i.key,) for i in varying if asked is None or i.key in asked}
    by_measure: dict[str, tuple[str, ...]] = {}
    for i in varying:
        mid = measure_of(s, i.key)
        if mid is not None:
            by_measure[mid] = (*by_measure.get(mid, ()), i.key)
    # a measure's group of one input is that input's run (no second run)
    found = study_indices(study, {**groups, **{f"measure:{m}": keys for m, keys in by_measure.items()
                                               if keys not in groups.values()}})
    found.update({f"measure:{m}": found[keys[0]] for m, keys in by_measure.items() if keys in groups.values()})
    out = {
        "inputs": {i.key: shown(found.get(i.key, ZERO)) if asked is None or i.key in asked else None
                   for i in s.inputs},
        "measures": [MeasureSensitivity(m.id, m.name, by_measure.get(m.id, ()),
                                        **shown(found.get(f"measure:{m.id}", ZERO))) for m in s.measures],
        "paths": study.aux_paths,
    }
    study._runs[cache] = out
    return out
