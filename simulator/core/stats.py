"""Monte Carlo statistics shared by full and streamed runs: one rule each."""

from __future__ import annotations

import numpy as np

QUANTILES = {"p5": 0.05, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p95": 0.95}


def probability_se(p: float, n: int) -> float:
    """Standard error of a Monte Carlo probability estimate from ``n`` paths."""
    return float(np.sqrt(max(p * (1.0 - p), 0.0) / n)) if n > 0 else float("nan")


#: the normal quantile of two-sided 95% intervals
Z95 = 1.959963984540054


def wilson_interval(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a probability from ``n`` paths (95% by default).

    Unlike p +- z SE it does not shrink to a point when no path (or every path) meets a
    goal: with p = 0 its upper end is z^2 / (n + z^2), about the rule of three's 3 / n.
    """
    if n <= 0:
        return 0.0, 1.0
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z * np.sqrt(max(p * (1.0 - p), 0.0) / n + z2n / (4.0 * n)) / (1.0 + z2n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))


def wilson_se(p: float, n: int) -> float:
    """The Wilson interval's half-width over z: the plain standard error where p is well
    inside (0, 1), about 1 / n (not 0) at p = 0 or 1. What ``--precision`` waits on."""
    lo, hi = wilson_interval(p, n)
    return (hi - lo) / (2.0 * Z95)


def quantile_interval(values: np.ndarray, q: float, z: float = 1.96) -> tuple[float, float]:
    """A distribution-free 95% interval for the q-quantile, from order statistics: the values
    at ranks n q -+ z sqrt(n q (1 - q)) (the binomial's normal approximation)."""
    n = values.size
    if n == 0:
        return float("nan"), float("nan")
    lo, hi = interval_ranks(n, q, z)
    s = np.partition(values, (lo, hi))
    return float(s[lo]), float(s[hi])


def interval_ranks(n: int, q: float, z: float = 1.96) -> tuple[int, int]:
    """The ranks (0-based, ascending order) whose values bound :func:`quantile_interval`, n > 0."""
    half = z * np.sqrt(n * q * (1.0 - q))
    return int(max(np.floor(n * q - half), 0)), int(min(np.ceil(n * q + half), n - 1))
