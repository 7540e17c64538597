"""Distributions written the way estimators talk, as inert specs sampled later.

Every spec maps uniforms to values through its inverse CDF (``ppf``), so the engine can
draw one block of uniforms, correlate them on ranks if asked, and transform. Every spec
has a ``point`` value (the plan figure used in deterministic mode: the mode, the median
of a lognormal, or a declared ``plan`` value) and a ``mean``.

Scenario syntax (one distribution key per table)::

    {fixed = 0.05}                          # a number alone means the same
    {uniform = [low, high]}
    {triangular = [low, mode, high]}
    {pert = [low, likely, high]}            # optional lambda = 4
    {normal = [mean, sd]}  or {normal = {ci90 = [low, high]}}
    {lognormal = {ci90 = [low, high]}}  or {lognormal = {mu = m, sigma = s}}
    {ci90 = [low, high]}                    # lognormal if low > 0, else normal
    {beta = [a, b]}                         # optional range = [low, high]
    {bernoulli = p}  or {p = p}
    {discrete = {values = [...], probabilities = [...]}}

Any of them may add ``plan = x`` to declare the point value explicitly.

One module on purpose (over the ~500 lines of issue 11): each family's spec, its table
reader and its ``REGISTRY`` line sit together, so adding a distribution is one file of code
(docs/architecture.md, "Adding a distribution").
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

#: z-score of the 95th percentile: a 90% interval is mean +- Z90 * sd.
Z90 = 1.6448536269514722
#: Uniforms are kept this far from 0 and 1 so unbounded inverse CDFs stay finite.
U_EPS = 1e-12


class DistributionError(ValueError):
    """Raised by the constructors; the loader adds file and key path."""


def _ndtri(u):
    """The standard normal inverse CDF by table (see :mod:`simulator.scenario.quantiles`), numpy only."""
    from simulator.scenario.quantiles import normal_table

    return normal_table()(np.clip(u, U_EPS, 1.0 - U_EPS))


@dataclass(frozen=True, slots=True)
class Distribution:
    """Base class. ``point`` is the plan value, ``mean`` the expectation."""

    plan: float | None = field(default=None, kw_only=True)

    @property
    def is_random(self) -> bool:
        return True

    @property
    def point(self) -> float:
        return self.plan if self.plan is not None else self._natural_point()

    def _natural_point(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:  # pragma: no cover - overridden
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, shape, *, rng: np.random.Generator) -> np.ndarray:
        """Draw ``shape`` values (uniforms first, then the inverse CDF)."""
        return self.ppf(np.clip(rng.random(shape), U_EPS, 1.0 - U_EPS))


@dataclass(frozen=True, slots=True)
class Fixed(Distribution):
    value: float

    @property
    def is_random(self) -> bool:
        return False

    def _natural_point(self) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value

    @property
    def support(self):
        return (self.value, self.value)

    def ppf(self, u):
        return np.full(np.shape(u), self.value)


@dataclass(frozen=True, slots=True)
class Uniform(Distribution):
    low: float
    high: float

    def _natural_point(self):
        return 0.5 * (self.low + self.high)

    @property
    def mean(self):
        return 0.5 * (self.low + self.high)

    @property
    def support(self):
        return (self.low, self.high)

    def ppf(self, u):
        return self.low + (self.high - self.low) * np.asarray(u)


@dataclass(frozen=True, slots=True)
class Triangular(Distribution):
    low: float
    mode: float
    high: float

    def _natural_point(self):
        return self.mode

    @property
    def mean(self):
        return (self.low + self.mode + self.high) / 3.0

    @property
    def support(self):
        return (self.low, self.high)

    def ppf(self, u):
        u = np.asarray(u)
        a, c, b = self.low, self.mode, self.high
        if b == a:
            return np.full(u.shape, a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)


@lru_cache(maxsize=64)
def _beta_table(a: float, b: float):
    """The inverse CDF of Beta(a, b) on [0, 1] as a tail-refined table (3e-7 of the range).

    scipy's exact inverse (betaincinv) costs about 40 uniform draws per value; a table
    lookup costs about two. Shapes below 1/2 (a U-shaped or J-shaped beta, never a PERT)
    have a density the numpy integration cannot follow, so their table's edges come from
    scipy.
    """
    from simulator.scenario import quantiles

    if min(a, b) >= 0.5:
        return quantiles.beta_table(a, b)
    from scipy.special import betaincinv

    v = quantiles.edges()
    return quantiles.TailTable(betaincinv(a, b, v), betaincinv(a, b, 1.0 - v))


@dataclass(frozen=True, slots=True)
class Beta(Distribution):
    """Beta(a, b) scaled to [low, high]."""

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0

    def _natural_point(self):
        if self.a > 1 and self.b > 1:
            return self.low + (self.high - self.low) * (self.a - 1) / (self.a + self.b - 2)
        return self.mean

    @property
    def mean(self):
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    @property
    def support(self):
        return (self.low, self.high)

    def ppf(self, u):
        if self.high == self.low:
            return np.full(np.shape(u), self.low)
        x = _beta_table(self.a, self.b)(u)
        x *= self.high - self.low
        x += self.low
        return x


@dataclass(frozen=True, slots=True)
class Pert(Distribution):
    """PERT: the analyst's low / most likely / high, a beta with weight ``lam`` on the mode."""

    low: float
    mode: float
    high: float
    lam: float = 4.0

    def _as_beta(self) -> Beta:
        span = self.high - self.low
        if span == 0:
            return Beta(1.0, 1.0, self.low, self.high)
        a = 1.0 + self.lam * (self.mode - self.low) / span
        b = 1.0 + self.lam * (self.high - self.mode) / span
        return Beta(a, b, self.low, self.high)

    def _natural_point(self):
        return self.mode

    @property
    def mean(self):
        return (self.low + self.lam * self.mode + self.high) / (self.lam + 2.0)

    @property
    def support(self):
        return (self.low, self.high)

    def ppf(self, u):
        return self._as_beta().ppf(u)


@dataclass(frozen=True, slots=True)
class Normal(Distribution):
    mu: float
    sd: float

    def _natural_point(self):
        return self.mu

    @property
    def mean(self):
        return self.mu

    @property
    def support(self):
        return (-math.inf, math.inf) if self.sd > 0 else (self.mu, self.mu)

    def ppf(self, u):
        return self.mu + self.sd * _ndtri(u)


@dataclass(frozen=True, slots=True)
class LogNormal(Distribution):
    mu: float
    sigma: float

    def _natural_point(self):
        return math.exp(self.mu)  # the median: what an estimator's "about x" means

    @property
    def mean(self):
        return math.exp(self.mu + 0.5 * self.sigma**2)

    @property
    def support(self):
        return (0.0, math.inf)

    def ppf(self, u):
        return np.exp(self.mu + self.sigma * _ndtri(u))


@dataclass(frozen=True, slots=True)
class Bernoulli(Distribution):
    p: float

    def _natural_point(self):
        return 1.0 if self.p >= 0.5 else 0.0

    @property
    def mean(self):
        return self.p

    @property
    def support(self):
        return (0.0, 1.0)

    def ppf(self, u):
        # High uniforms map to 1, so every inverse CDF here is increasing in u and a rank
        # correlation means the same thing for every kind of input.
        return (np.asarray(u) >= 1.0 - self.p).astype(np.float64)


@dataclass(frozen=True, slots=True)
class Discrete(Distribution):
    values: tuple[float, ...]
    probabilities: tuple[float, ...]

    def _natural_point(self):
        return self.values[int(np.argmax(self.probabilities))]

    @property
    def mean(self):
        return float(np.dot(self.values, self.probabilities))

    @property
    def support(self):
        return (min(self.values), max(self.values))

    def ppf(self, u):
        order = np.argsort(self.values, kind="stable")
        values = np.asarray(self.values)[order]
        cum = np.cumsum(np.asarray(self.probabilities)[order])
        cum[-1] = 1.0
        idx = np.searchsorted(cum, np.asarray(u), side="right")
        return values[np.minimum(idx, len(values) - 1)]


@dataclass(frozen=True, slots=True)
class DelayMixture(Distribution):
    """No delay with probability 1 - p, else a delay [years] drawn from ``years``."""

    p: float
    years: Distribution

    def _natural_point(self):
        return 0.0

    @property
    def mean(self):
        return self.p * self.years.mean

    @property
    def support(self):
        return (0.0, self.years.support[1])

    def ppf(self, u):
        u = np.asarray(u)
        q = np.clip((u - (1.0 - self.p)) / max(self.p, 1e-300), 0.0, 1.0)
        return np.where(u < 1.0 - self.p, 0.0, self.years.ppf(q))


# --- construction from scenario data -------------------------------------------------


def _number(x, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise DistributionError(f"{what} must be a number, got {x!r}")
    try:
        x = float(x)
    except OverflowError:  # an integer literal beyond float range
        raise DistributionError(f"{what} = {str(x)[:12]}... is out of range (at most 1e15 in absolute value)") from None
    if not math.isfinite(x):
        raise DistributionError(f"{what} must be finite, got {x!r}")
    if abs(x) > 1e15:
        raise DistributionError(f"{what} = {x:g} is out of range (at most 1e15 in absolute value)")
    return x


def _numbers(x, n: int, what: str) -> list[float]:
    if not isinstance(x, list) or len(x) != n:
        raise DistributionError(f"{what} must be a list of {n} numbers, got {x!r}")
    return [_number(v, f"{what}[{i}]") for i, v in enumerate(x)]


def _ordered(values: list[float], names: str) -> None:
    if any(a > b for a, b in zip(values, values[1:], strict=False)):
        raise DistributionError(f"needs {names} in that order, got {values}")


def _fixed(v, extra):
    return Fixed(_number(v, "fixed"))


def _uniform(v, extra):
    low, high = _numbers(v, 2, "uniform")
    _ordered([low, high], "low <= high")
    return Uniform(low, high)


def _triangular(v, extra):
    values = _numbers(v, 3, "triangular")
    _ordered(values, "low <= mode <= high")
    return Triangular(*values)


def _pert(v, extra):
    values = _numbers(v, 3, "pert")
    _ordered(values, "low <= likely <= high")
    lam = _number(extra.pop("lambda", 4.0), "lambda")
    if not 0 < lam <= 100:
        raise DistributionError(f"lambda must be in (0, 100], got {lam:g}")
    return Pert(values[0], values[1], values[2], lam=lam)


def _normal_from(v, what):
    if isinstance(v, list):
        mu, sd = _numbers(v, 2, what)
    elif isinstance(v, dict) and set(v) == {"ci90"}:
        low, high = _numbers(v["ci90"], 2, f"{what} > ci90")
        _ordered([low, high], "low <= high")
        mu, sd = 0.5 * (low + high), (high - low) / (2 * Z90)
    elif isinstance(v, dict) and set(v) == {"mean", "sd"}:
        mu, sd = _number(v["mean"], f"{what} > mean"), _number(v["sd"], f"{what} > sd")
    else:
        raise DistributionError(f"{what} takes [mean, sd], {{mean, sd}} or {{ci90 = [low, high]}}")
    if sd < 0:
        raise DistributionError(f"{what}: sd must be >= 0, got {sd:g}")
    return Normal(mu, sd)


def _normal(v, extra):
    return _normal_from(v, "normal")


def _lognormal_ci90(low, high, what):
    if not 0 < low <= high:
        raise DistributionError(f"{what}: a lognormal needs 0 < low <= high, got [{low:g}, {high:g}]")
    mu = 0.5 * (math.log(low) + math.log(high))
    return LogNormal(mu, (math.log(high) - math.log(low)) / (2 * Z90))


def _lognormal(v, extra):
    if isinstance(v, dict) and set(v) == {"ci90"}:
        low, high = _numbers(v["ci90"], 2, "lognormal > ci90")
        return _lognormal_ci90(low, high, "lognormal > ci90")
    if isinstance(v, dict) and set(v) == {"mu", "sigma"}:
        mu = _number(v["mu"], "lognormal > mu")
        sigma = _number(v["sigma"], "lognormal > sigma")
        if sigma < 0 or abs(mu) > 50 or sigma > 10:
            raise DistributionError("lognormal needs sigma in [0, 10] and |mu| <= 50 (log scale)")
        return LogNormal(mu, sigma)
    raise DistributionError("lognormal takes {ci90 = [low, high]} or {mu = .., sigma = ..}")


def _ci90(v, extra):
    low, high = _numbers(v, 2, "ci90")
    _ordered([low, high], "low <= high")
    if low > 0:
        return _lognormal_ci90(low, high, "ci90")
    return _normal_from({"ci90": v}, "ci90")


def _beta(v, extra):
    a, b = _numbers(v, 2, "beta")
    if not (0.05 <= a <= 1e4 and 0.05 <= b <= 1e4):
        raise DistributionError(f"beta shape parameters must lie in [0.05, 1e4], got [{a:g}, {b:g}]")
    low, high = _numbers(extra.pop("range", [0.0, 1.0]), 2, "range")
    _ordered([low, high], "low <= high")
    return Beta(a, b, low, high)


def _bernoulli(v, extra):
    p = _number(v, "probability")
    if not 0.0 <= p <= 1.0:
        raise DistributionError(f"a probability must lie in [0, 1], got {p:g}")
    return Bernoulli(p)


def _discrete(v, extra):
    if not isinstance(v, dict) or set(v) != {"values", "probabilities"}:
        raise DistributionError("discrete takes {values = [...], probabilities = [...]}")
    vals, probs = v["values"], v["probabilities"]
    if not isinstance(vals, list) or not isinstance(probs, list) or len(vals) != len(probs) or not vals:
        raise DistributionError("discrete needs equally long, non-empty values and probabilities")
    if len(vals) > 1000:
        raise DistributionError("discrete takes at most 1000 values")
    values = tuple(_number(x, "values") for x in vals)
    probabilities = tuple(_number(x, "probabilities") for x in probs)
    if any(p < 0 for p in probabilities) or abs(sum(probabilities) - 1.0) > 1e-6:
        raise DistributionError(f"probabilities must be >= 0 and add up to 1, got {sum(probabilities):g}")
    return Discrete(values, probabilities)


#: distribution key -> constructor(value, remaining options)
REGISTRY: dict[str, Callable[[object, dict], Distribution]] = {
    "fixed": _fixed,
    "uniform": _uniform,
    "triangular": _triangular,
    "pert": _pert,
    "normal": _normal,
    "lognormal": _lognormal,
    "ci90": _ci90,
    "beta": _beta,
    "bernoulli": _bernoulli,
    "p": _bernoulli,
    "discrete": _discrete,
}
#: keys a distribution table may carry besides its one distribution key
OPTIONS = {"plan", "lambda", "range"}


def is_distribution_table(data: Mapping) -> bool:
    return isinstance(data, Mapping) and any(k in REGISTRY for k in data)


def from_table(data: Mapping) -> Distribution:
    """Build a spec from ``{pert = [..], plan = ..}``; raises :class:`DistributionError`."""
    keys = [k for k in data if k in REGISTRY]
    if len(keys) != 1:
        raise DistributionError(f"give exactly one distribution, one of: {', '.join(REGISTRY)}")
    (key,) = keys
    extra = {k: v for k, v in data.items() if k != key}
    unknown = set(extra) - OPTIONS
    if unknown:
        raise DistributionError(f"unknown key(s) {sorted(unknown)}; allowed besides {key}: {sorted(OPTIONS)}")
    plan = extra.pop("plan", None)
    spec = REGISTRY[key](data[key], extra)
    if extra:
        raise DistributionError(f"{sorted(extra)} does not apply to {key}")
    if plan is not None:
        plan = _number(plan, "plan")
        low, high = spec.support
        if not low <= plan <= high:
            raise DistributionError(f"plan = {plan:g} lies outside the distribution's range "
                                    f"[{low:g}, {high:g}]")
        spec = dataclasses.replace(spec, plan=plan)
    return spec
