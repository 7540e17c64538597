"""Latent correlations of the Gaussian copula that give the asked rank correlations exactly.

A scenario asks for a Spearman rank correlation between inputs. The copula correlates
normal scores; ``2 sin(pi r / 6)`` is the latent correlation that gives rank correlation
``r`` only when both inputs are continuous. A go-ahead, a discrete input or a delay that is
0 with some probability has atoms, and ties on an atom weaken the rank correlation (a
go-ahead pair asked 0.6 got 0.405 that way). Here the latent correlation is found per pair
by root-finding on the exact rank correlation of the two marginals under the copula.

The rank correlation with ties (mid-ranks, as :func:`scipy.stats.spearmanr`) is, for large
samples, the Pearson correlation of ``g(U1)`` and ``g(U2)`` where ``U`` are the copula's
uniforms and ``g`` the mid-distribution function seen from ``u``: ``g(u) = u`` where the
input is continuous, and on an atom occupying ``[a, b)`` of the uniform axis, the middle
``(a + b) / 2``. So ``E g = 1/2`` and ``Var g = (1 - sum (b - a)^3) / 12``, and only
``E[g1(U1) g2(U2)]`` needs work: an integral over ``U1`` of ``g1`` times the conditional
mean of ``g2`` given ``Z1``, which is a closed form in the normal and bivariate normal CDFs.

The pairwise latent matrix may not be positive definite; it is then moved to the nearest
correlation matrix (eigenvalues clipped) and a :class:`CorrelationWarning` names the rank
correlations that will hold instead. A rank correlation out of the marginals' reach (two
go-aheads of 0.9 and 0.1 cannot have rank correlation 0.9) is set to the nearest reachable
value, with a warning giving the reachable range.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulator.scenario.distributions import Bernoulli, DelayMixture, Discrete, Distribution, Fixed
from simulator.scenario.model import Correlation, RandomInput

#: Gauss-Legendre nodes per piece of the outer integral and of the bivariate normal integral
_NODES = 48
#: latent correlations are searched within +-(1 - _EDGE); the limits +-1 are computed exactly
_EDGE = 1e-6


class CorrelationWarning(UserWarning):
    """A rank correlation cannot hold as asked; the message says what holds instead."""


Atoms = tuple[tuple[float, float], ...]


def atoms_of(dist: Distribution) -> Atoms:
    """The intervals ``[a, b)`` of the uniform axis that map to one value (an atom) [-]."""
    if isinstance(dist, Fixed):
        return ((0.0, 1.0),)
    if isinstance(dist, Bernoulli):
        q = 1.0 - dist.p
        return tuple(iv for iv in ((0.0, q), (q, 1.0)) if iv[1] > iv[0])
    if isinstance(dist, Discrete):
        order = np.argsort(dist.values, kind="stable")
        values = np.asarray(dist.values, dtype=float)[order]
        cum = np.cumsum(np.asarray(dist.probabilities, dtype=float)[order])
        cum[-1] = 1.0
        out: list[tuple[float, float]] = []
        lo = 0.0
        for i, v in enumerate(values):
            hi = float(cum[i])
            if i + 1 < len(values) and values[i + 1] == v:
                continue  # the same value twice: one atom
            if hi > lo:
                out.append((lo, hi))
            lo = hi
        return tuple(out)
    if isinstance(dist, DelayMixture):
        q = 1.0 - dist.p
        inner = [(q + dist.p * a, q + dist.p * b) for a, b in atoms_of(dist.years)]
        if inner and inner[0][0] <= q and dist.years.ppf(np.array([0.0]))[0] == 0.0:
            inner[0] = (0.0, inner[0][1])  # the delay distribution's own atom at 0 joins "no delay"
            return tuple(inner)
        return tuple(iv for iv in [(0.0, q), *inner] if iv[1] > iv[0])
    return ()


def _pieces(atoms: Atoms) -> list[tuple[float, float, float | None]]:
    """[0, 1] cut into (lo, hi, value): value is the atom's middle, or None where g(u) = u."""
    out: list[tuple[float, float, float | None]] = []
    at = 0.0
    for a, b in atoms:
        if a > at:
            out.append((at, a, None))
        out.append((a, b, 0.5 * (a + b)))
        at = b
    if at < 1.0:
        out.append((at, 1.0, None))
    return out


def _variance(atoms: Atoms) -> float:
    """Var g(U) [-]: 1/12 less the variance lost inside each atom."""
    return (1.0 - sum((b - a) ** 3 for a, b in atoms)) / 12.0


@lru_cache(maxsize=1)
def _legendre() -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(_NODES)
    return x, w


def bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """P(X <= h, Y <= k) for standard normals with correlation ``r`` (|r| < 1).

    Sheppard's formula, Phi(h) Phi(k) + 1/(2 pi) int_0^asin r exp(-(h^2 + k^2 - 2 h k sin t)
    / (2 cos^2 t)) dt, by Gauss-Legendre; infinite limits are taken at +-40.
    """
    from scipy.special import ndtr

    h = np.clip(np.asarray(h, dtype=float), -40.0, 40.0)
    k = np.clip(np.asarray(k, dtype=float), -40.0, 40.0)
    x, w = _legendre()
    top = math.asin(r)
    t = 0.5 * top * (x + 1.0)
    s, c2 = np.sin(t), np.cos(t) ** 2
    hh, kk = h[..., None], k[..., None]
    f = np.exp(-(hh * hh + kk * kk - 2.0 * hh * kk * s) / (2.0 * c2))
    return ndtr(h) * ndtr(k) + (0.5 * top / (2.0 * math.pi)) * (f @ w)


def _conditional_mean(z: np.ndarray, rho: float, atoms: Atoms) -> np.ndarray:
    """E[g(Phi(Z2)) | Z1 = z] for latent correlation ``rho`` (closed form per piece)."""
    from scipy.special import ndtr, ndtri

    mu = rho * z
    sigma = math.sqrt(1.0 - rho * rho)
    scale = math.sqrt(1.0 + sigma * sigma)
    r = -sigma / scale
    out = np.zeros_like(z)
    for lo, hi, value in _pieces(atoms):
        s = -np.inf if lo <= 0.0 else float(ndtri(lo))
        t = np.inf if hi >= 1.0 else float(ndtri(hi))
        if value is not None:
            out += value * (ndtr((t - mu) / sigma) - ndtr((s - mu) / sigma))
            continue

        # E[Phi(Z2) 1{Z2 < t}] = P(Z3 < Z2 < t), Z3 an independent standard normal
        def below(t: float) -> np.ndarray:
            if t == np.inf:
                return ndtr(mu / scale)
            if t == -np.inf:
                return np.zeros_like(mu)
            return bivariate_normal_cdf(mu / scale, (t - mu) / sigma, r)

        out += below(t) - below(s)
    return out


def rank_correlation(rho: float, atoms1: Atoms, atoms2: Atoms) -> float:
    """Spearman's rank correlation (mid-ranks) of two inputs under latent correlation ``rho``."""
    v1, v2 = _variance(atoms1), _variance(atoms2)
    if v1 <= 0.0 or v2 <= 0.0:
        return 0.0
    if not atoms1 and not atoms2:
        return 6.0 / math.pi * math.asin(rho / 2.0)
    if rho >= 1.0 or rho <= -1.0:
        return _limit(rho > 0, atoms1, atoms2) / math.sqrt(v1 * v2)
    from scipy.special import ndtr, ndtri

    # cut the outer integral where g1 jumps and where E[g2 | z] turns fastest (z = threshold / rho)
    cuts = {0.0, 1.0}
    for lo, hi, _ in _pieces(atoms1):
        cuts.update((lo, hi))
    if rho != 0.0:
        for a, b in atoms2:
            for edge in (a, b):
                if 0.0 < edge < 1.0:
                    cuts.add(float(ndtr(ndtri(edge) / rho)))
    edges = sorted(cuts)
    x, w = _legendre()
    g1 = dict(((lo, hi), value) for lo, hi, value in _pieces(atoms1))
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi <= lo:
            continue
        u = lo + 0.5 * (hi - lo) * (x + 1.0)
        value = next((v for (a, b), v in g1.items() if a <= lo and hi <= b), None)
        g = u if value is None else np.full_like(u, value)
        total += 0.5 * (hi - lo) * float(np.sum(w * g * _conditional_mean(ndtri(u), rho, atoms2)))
    return (total - 0.25) / math.sqrt(v1 * v2)


def _limit(upper: bool, atoms1: Atoms, atoms2: Atoms) -> float:
    """Cov(g1(U), g2(U)) (upper) or Cov(g1(U), g2(1 - U)): the copula at rho = +1 or -1."""
    x, w = _legendre()
    if upper:
        edges = sorted({0.0, 1.0, *(e for a in atoms1 + atoms2 for e in a)})
    else:
        edges = sorted({0.0, 1.0, *(e for a in atoms1 for e in a), *(1.0 - e for a in atoms2 for e in a)})

    def g(atoms: Atoms, u: np.ndarray) -> np.ndarray:
        out = u.copy()
        for a, b in atoms:
            out[(u >= a) & (u < b)] = 0.5 * (a + b)
        return out

    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi <= lo:
            continue
        u = lo + 0.5 * (hi - lo) * (x + 1.0)
        other = g(atoms2, u) if upper else g(atoms2, 1.0 - u)
        total += 0.5 * (hi - lo) * float(np.sum(w * g(atoms1, u) * other))
    return total - 0.25


def reachable(atoms1: Atoms, atoms2: Atoms) -> tuple[float, float]:
    """The lowest and highest rank correlation these two marginals can have [-]."""
    v = math.sqrt(_variance(atoms1) * _variance(atoms2))
    if v <= 0.0:
        return 0.0, 0.0
    return _limit(False, atoms1, atoms2) / v, _limit(True, atoms1, atoms2) / v


@lru_cache(maxsize=4096)
def latent_correlation(rank: float, atoms1: Atoms, atoms2: Atoms) -> float:
    """The latent (normal-score) correlation that gives rank correlation ``rank`` [-].

    Continuous pairs get the closed form 2 sin(pi r / 6); others a root of
    :func:`rank_correlation`, which increases with ``rho``. ``rank`` must be reachable.
    """
    if not atoms1 and not atoms2:
        return 2.0 * math.sin(math.pi * rank / 6.0)
    if rank == 0.0:
        return 0.0
    lo, hi = -1.0 + _EDGE, 1.0 - _EDGE
    f_lo = rank_correlation(lo, atoms1, atoms2) - rank
    f_hi = rank_correlation(hi, atoms1, atoms2) - rank
    if f_lo >= 0.0:
        return lo
    if f_hi <= 0.0:
        return hi
    return brentq(lambda r: rank_correlation(r, atoms1, atoms2) - rank, lo, hi, xtol=1e-10)


def brentq(f: Callable[[float], float], xa: float, xb: float, xtol: float,
           rtol: float = 4 * 2.220446049250313e-16, maxiter: int = 100) -> float:
    """A root of ``f`` bracketed by ``xa`` and ``xb``: scipy.optimize.brentq's own steps.

    The same arithmetic as scipy's C implementation (scipy/optimize/Zeros/brentq.c), so the
    same root to the bit (tests/test_copula.py compares them), without importing
    scipy.optimize, which costs a run or report 0.1-0.4 s for this one call.
    """
    xpre, xcur = float(xa), float(xb)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = float(f(xpre)), float(f(xcur))
    if fpre * fcur > 0:
        raise ValueError("f(a) and f(b) must have different signs")
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    for _ in range(maxiter):
        if fpre * fcur < 0:
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):  # good short step
                spre, scur = scur, stry
            else:
                spre = scur = sbis
        else:
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = float(f(xcur))
    raise RuntimeError(f"brentq did not converge in {maxiter} iterations")


@dataclass(frozen=True)
class Calibration:
    """One correlation group: what was asked, the latent matrix used, what holds [-]."""

    members: tuple[str, ...]
    asked: np.ndarray  # (member, member) rank correlations asked
    latent: np.ndarray  # (member, member) normal-score correlations, positive definite
    achieved: np.ndarray  # (member, member) rank correlations the latent matrix gives
    adjusted: bool  # True when achieved differs from asked (unreachable, or not positive definite)
    notes: tuple[str, ...]


def _nearest_correlation(m: np.ndarray) -> np.ndarray:
    """Eigenvalues clipped, then rescaled to a unit diagonal (Rebonato-Jaeckel)."""
    w, v = np.linalg.eigh(m)
    fixed = (v * np.maximum(w, 1e-9)) @ v.T
    d = np.sqrt(np.diag(fixed))
    return fixed / np.outer(d, d)


def _positive_definite(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


def calibrate(correlation: Correlation, inputs: dict[str, RandomInput], file: str = "") -> Calibration:
    """The latent matrix of one correlation group, warning (naming ``file``) when the asked one
    cannot hold."""
    return _calibrate(correlation, tuple(inputs[k].distribution for k in correlation.members), file)


@lru_cache(maxsize=256)
def _calibrate(correlation: Correlation, dists: tuple[Distribution, ...], file: str = "") -> Calibration:
    members = correlation.members
    asked = np.array(correlation.matrix, dtype=float)
    atoms = [atoms_of(d) for d in dists]
    key = _key(members, asked, atoms)
    found = _stored(key, len(members))
    if found is None:
        found = _solve(members, asked, atoms)
        _store(key, *found)
    latent, achieved, adjusted, notes = found
    if adjusted:
        shown = "; ".join("[" + ", ".join(f"{x:.3f}" for x in row) + "]" for row in achieved)
        where = f"{file}: " if file else ""
        warnings.warn(f"{where}correlation between {', '.join(members)}: {' / '.join(notes)}. "
                      f"Rank correlations that hold: [{shown}]", CorrelationWarning, stacklevel=3)
    return Calibration(members, asked, latent, achieved, adjusted, notes)


Solved = tuple[np.ndarray, np.ndarray, bool, tuple[str, ...]]


def _solve(members: tuple[str, ...], asked: np.ndarray, atoms: list[Atoms]) -> Solved:
    """The latent matrix, the rank correlations it gives, whether they differ from the asked
    ones and why: a function of the members' names, the asked matrix and the atoms alone."""
    n = len(members)
    target = asked.copy()
    notes: list[str] = []
    for i in range(n):
        for j in range(i + 1, n):
            low, high = reachable(atoms[i], atoms[j])
            r = asked[i, j]
            if not (low - 1e-9 <= r <= high + 1e-9):
                near = min(max(r, low), high)
                notes.append(f"{members[i]} ~ {members[j]}: rank correlation {r:g} cannot hold for these "
                             f"inputs (reachable {low:.3f} to {high:.3f}); using {near:.3f}")
                target[i, j] = target[j, i] = near
    # continuous pairs: the closed form, computed on the whole matrix as it always was (same bits)
    latent = 2.0 * np.sin(np.pi * target / 6.0)
    np.fill_diagonal(latent, 1.0)
    for i in range(n):
        for j in range(i + 1, n):
            if atoms[i] or atoms[j]:
                latent[i, j] = latent[j, i] = latent_correlation(float(target[i, j]), atoms[i], atoms[j])
    if not _positive_definite(latent):
        latent = _nearest_correlation(latent)
    achieved = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            achieved[i, j] = achieved[j, i] = rank_correlation(float(latent[i, j]), atoms[i], atoms[j])
    # a difference of 1e-6 is far below any run's sampling error; more is worth a word
    adjusted = bool(np.max(np.abs(achieved - asked)) > 1e-6)
    if adjusted and not notes:
        notes.append("the asked rank matrix needs a latent matrix that is not positive definite; "
                     "the nearest one is used")
    return latent, achieved, adjusted, tuple(notes)


# --- the calibrations kept on disk --------------------------------------------------------
#
# A group with atoms (a go-ahead, a delay that may be 0) is solved by root-finding in scipy's
# normal functions: importing scipy.special and the search cost a run 0.1-0.2 s, every run of
# the same scenario. The result is a pure function of the names, the asked matrix and the atoms
# (and of this file's code), so it is kept in a small file named by a hash of all of them, with
# every float written exactly (float.hex): a run that finds it gets the very same bits.


def cache_dir() -> Path | None:
    """Where calibrations are kept: ``$TAAKSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/taaksim``, else
    ``~/.cache/taaksim``; None when ``TAAKSIM_CACHE_DIR`` is set empty (no cache)."""
    given = os.environ.get("TAAKSIM_CACHE_DIR")
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "taaksim"


@lru_cache(maxsize=1)
def _code() -> bytes:
    """This file's source and the versions of the libraries whose functions it calls: a changed
    solver, or a scipy or numpy whose normal functions may differ in a last bit, never reads an
    old solution."""
    from importlib.metadata import PackageNotFoundError, version

    stamp = []
    for lib in ("numpy", "scipy"):
        try:
            stamp.append(f"{lib} {version(lib)}")
        except PackageNotFoundError:  # pragma: no cover - both are dependencies
            stamp.append(f"{lib} ?")
    return Path(__file__).read_bytes() + "\n".join(stamp).encode()


def _key(members: tuple[str, ...], asked: np.ndarray, atoms: list[Atoms]) -> str:
    text = repr((members, [x.hex() for x in asked.ravel().tolist()],
                 [[(a.hex(), b.hex()) for a, b in at] for at in atoms]))
    return hashlib.sha256(_code() + text.encode()).hexdigest()


def _stored(key: str, n: int) -> Solved | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"copula-{key}.json").read_text(encoding="utf-8"))
        latent = np.array([float.fromhex(x) for x in data["latent"]]).reshape(n, n)
        achieved = np.array([float.fromhex(x) for x in data["achieved"]]).reshape(n, n)
        return latent, achieved, bool(data["adjusted"]), tuple(str(x) for x in data["notes"])
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or unreadable: solve again
        return None


def _store(key: str, latent: np.ndarray, achieved: np.ndarray, adjusted: bool, notes: tuple[str, ...]) -> None:
    folder = cache_dir()
    if folder is None:
        return
    data = {"latent": [x.hex() for x in latent.ravel().tolist()],
            "achieved": [x.hex() for x in achieved.ravel().tolist()], "adjusted": adjusted, "notes": list(notes)}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".copula-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(tmp, folder / f"copula-{key}.json")  # whole or not at all, also with two runs at once
    except OSError:  # a read-only home: the next run solves again
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
