"""Inverse CDFs by table, built with numpy alone.

Measured against scipy (tests/test_statistics.py::test_inverse_cdf_tables_are_as_exact_as_documented):
within 3e-7 of the range for beta shapes of at least 1 (every PERT), 1e-6 for the normal;
for shapes below 1 the quantile function is steep inside the body and the error grows, to
6e-4 of the range for Beta(0.05, 0.05).

Drawing a PERT value is a uniform and an inverse CDF; the inverse CDF is the part we can
make cheap. A table with linear interpolation costs two gathers and a multiply-add per
value, but a table on an even grid in ``u`` is poor where the quantile function bends most:
at both ends (a PERT whose mode is its high end has Q(u) ~ u^(1/5) near 0).

So the cells are refined towards both ends through the floating-point format itself. With
``v = min(u, 1 - u)``, the bit pattern of ``v`` read as an integer and shifted right keeps
the exponent and the top ``CELL_BITS`` bits of the mantissa: an index with ``2^CELL_BITS``
cells per octave of ``v``, from 2^-OCTAVES up to 1/2, at the cost of two integer operations.
Each cell is relatively as fine (0.4% of its distance to the nearer end) wherever it lies,
so deep tails are as exact as the body. The half is chosen with the sign bit of ``0.5 - u``
and an XOR, so no branch and no masked write is needed (a masked ufunc is ten times slower).

Tables are built without scipy (its import alone costs 0.3 s of a strategist's quick run):
the beta quantiles come from integrating the density in ``x = sin^2(theta)`` and inverting in
log-log coordinates, the normal quantiles from the standard library's ``NormalDist``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

#: cells per octave of min(u, 1 - u): 2^CELL_BITS
CELL_BITS = 8
#: octaves below 1 with cells of their own (a power of two: the XOR mirror needs CELLS = 2^k)
OCTAVES = 64
HALF = OCTAVES << CELL_BITS
CELLS = 2 * HALF
_SHIFT = 52 - CELL_BITS
_OFFSET = (1023 - OCTAVES) << CELL_BITS


@lru_cache(maxsize=1)
def edges() -> np.ndarray:
    """Cell edges in v = min(u, 1 - u): V[j] is where cell j starts; V[0] = 0."""
    bits = (np.arange(HALF + 1, dtype=np.int64) + _OFFSET) << _SHIFT
    v = bits.view(np.float64).copy()
    v[0] = 0.0
    v.setflags(write=False)
    return v


class TailTable:
    """A piecewise-linear inverse CDF on tail-refined cells (see the module docstring).

    Built from the quantiles at the cell edges: ``lower[j] = Q(V[j])`` and
    ``upper[j] = Q(1 - V[j])``. Evaluation is ``base[c] + slope[c] * v`` for cell ``c``.
    """

    __slots__ = ("base", "slope")

    def __init__(self, lower: np.ndarray, upper: np.ndarray):
        v = edges()
        span = np.diff(v)
        lo_slope = np.diff(lower) / span
        up_slope = np.diff(upper) / span
        lo_base = lower[:-1] - lo_slope * v[:-1]
        up_base = upper[:-1] - up_slope * v[:-1]
        # lower cells in order of u, then the upper cells mirrored: cell index c grows with u
        self.base = np.concatenate([lo_base, up_base[::-1]])
        self.slope = np.concatenate([lo_slope, up_slope[::-1]])
        for a in (self.base, self.slope):
            if not np.isfinite(a).all():  # pragma: no cover - guarded by the builders
                raise ValueError("quantile table is not finite")
            a.setflags(write=False)

    def __call__(self, u) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        shape = u.shape
        u = u.reshape(-1)
        v = np.subtract(1.0, u)
        np.minimum(u, v, out=v)
        idx = v.view(np.int64) >> _SHIFT
        idx -= _OFFSET
        np.maximum(idx, 0, out=idx)  # v below 2^-OCTAVES (and u = 0 or 1): the end cells
        # -1 (all bits) where u > 0.5: mirror the index into the upper half
        side = np.subtract(0.5, u).view(np.int64) >> 63
        side &= CELLS - 1
        idx ^= side
        out = np.take(self.base, idx, mode="clip")
        slope = np.take(self.slope, idx, mode="clip")
        slope *= v
        out += slope
        return out.reshape(shape)


# --- beta ------------------------------------------------------------------------------

#: integration steps in theta (x = sin^2 theta) for beta quantiles
_STEPS = 1 << 14


def beta_tails(a: float, b: float, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of Beta(a, b) at ``v`` and at ``1 - v`` (both accurate near their end).

    In theta, where x = sin^2(theta), the density is proportional to
    sin^(2a-1) cos^(2b-1): bounded for a, b >= 1/2 and smooth, so the trapezoid rule on a
    fine grid gives the CDF F and its complement G = 1 - F (summed from the other end, so
    no cancellation near 1). The first and last steps use the exact integral of the power
    law the density follows there, which also covers a or b below 1/2. The inverse is
    linear in (log F, log theta), exact for the power-law tails, with the power law itself
    beyond the grid.
    """
    theta = np.linspace(0.0, np.pi / 2, _STEPS + 1)
    h = theta[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ls, lc = np.log(np.sin(theta)), np.log(np.cos(theta))
        logg = (0.0 if a == 0.5 else 2 * a - 1) * ls + (0.0 if b == 0.5 else 2 * b - 1) * lc
    inner = logg[1:-1]
    g = np.exp(logg - inner.max())
    steps = 0.5 * (g[1:] + g[:-1]) * h
    steps[0] = g[1] * h / (2 * a)  # exact for g ~ theta^(2a-1)
    steps[-1] = g[-2] * h / (2 * b)
    F = np.concatenate([[0.0], np.cumsum(steps)])
    G = np.concatenate([np.cumsum(steps[::-1])[::-1], [0.0]])
    total = F[-1]
    F /= total
    G /= total

    def invert(p, c, t, power):
        """t where the tail mass c(t) = p: log-log interpolation, power law below the grid."""
        ok = c > 0
        lc_, lt = np.log(c[ok]), np.log(t[ok])
        with np.errstate(divide="ignore"):
            lp = np.log(p)
        out = np.interp(lp, lc_, lt)
        below = lp < lc_[0]
        out[below] = lt[0] + (lp[below] - lc_[0]) / power
        return np.exp(out)

    th = invert(v, F[1:], theta[1:], 2 * a)
    phi = invert(v, G[:-1][::-1], (np.pi / 2 - theta[:-1])[::-1], 2 * b)
    lower = np.sin(th) ** 2
    upper = 1.0 - np.sin(phi) ** 2
    lower[v <= 0] = 0.0
    upper[v <= 0] = 1.0
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


@lru_cache(maxsize=256)
def beta_table(a: float, b: float) -> TailTable:
    """The inverse CDF of Beta(a, b) on [0, 1] as a table."""
    v = edges()
    lower, upper = beta_tails(a, b, v)
    return TailTable(lower, upper)


# --- the standard normal -----------------------------------------------------------------


@lru_cache(maxsize=1)
def normal_table() -> TailTable:
    """The standard normal inverse CDF as a table (for the copula and normal inputs)."""
    from statistics import NormalDist

    v = edges()
    inv = NormalDist().inv_cdf
    lower = np.array([inv(x) if 0.0 < x < 1.0 else 0.0 for x in v])
    lower[0] = lower[1] - (lower[2] - lower[1])  # u = 0: a finite value beyond 2^-64
    # v above 1/2 is never used by the lower half but must be finite: mirror
    upper = -lower
    return TailTable(lower, upper)


#: the copula maps correlated normal scores back to uniforms on this grid
_PHI_LIMIT = 9.0
_PHI_CELLS = 1 << 13


@lru_cache(maxsize=1)
def _phi_grid() -> tuple[np.ndarray, np.ndarray]:
    z = np.linspace(-_PHI_LIMIT, _PHI_LIMIT, _PHI_CELLS + 1)
    p = np.array([0.5 * math.erfc(-x / math.sqrt(2.0)) for x in z])
    slope = np.diff(p) * (_PHI_CELLS / (2 * _PHI_LIMIT))
    base = p[:-1] - slope * z[:-1]
    return base, slope


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Phi(z) by table: linear between 8,192 points on [-9, 9] (error below 2e-7, and
    relatively small in the tails, where Phi is log-concave and the cells narrow)."""
    base, slope = _phi_grid()
    z = np.asarray(z, dtype=np.float64)
    x = z * (_PHI_CELLS / (2 * _PHI_LIMIT))
    x += _PHI_CELLS / 2
    idx = x.astype(np.intp)
    out = np.take(base, idx, mode="clip")
    s = np.take(slope, idx, mode="clip")
    s *= z
    out += s
    # beyond +-9 the table's end pieces would extrapolate: clamp into (0, 1)
    np.clip(out, 0.0, 1.0, out=out)
    return out
