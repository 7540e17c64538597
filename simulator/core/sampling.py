"""Random streams and the drawing of every random input, block by block.

Reproducibility rests on two rules. Paths are cut into fixed blocks of ``BLOCK_PATHS``
whatever the chunking or threading, and every random input draws from its own stream,
seeded by (seed, block index, a hash of the input's stable key, year). So a seed gives the
same numbers however a run is split, and adding a measure never reshuffles the others.
Within a block, the first ``n`` draws of a stream do not depend on ``n``: a 10,000-path
run is the prefix of a 100,000-path run.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from simulator.core.options import RunOptions
from simulator.scenario.model import RandomInput, Role, Scenario

#: Paths per block. Part of the definition of a seed's numbers: changing it changes results.
BLOCK_PATHS = 1 << 16


def key_words(key: str) -> tuple[int, int]:
    """Two stable 32-bit words from a key (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:], "little")


def stream(seed: int, block: int, key: str, year_index: int = 0) -> np.random.Generator:
    """The generator of one input in one block (and year, for per-year inputs)."""
    ss = np.random.SeedSequence(seed, spawn_key=(block, *key_words(key), year_index))
    return np.random.Generator(np.random.SFC64(ss))


def draw_uniforms(inp: RandomInput, n_years: int, n: int, *, seed: int, block: int) -> np.ndarray:
    """Uniforms for one input: shape (1, n), or (n_years, n) when drawn per year."""
    if inp.per_year:
        out = np.empty((n_years, n))
        for y in range(n_years):
            stream(seed, block, inp.key, y + 1).random(out=out[y])
        return out
    out = np.empty((1, n))
    stream(seed, block, inp.key).random(out=out[0])
    return out


def spearman_to_pearson(rank: np.ndarray) -> np.ndarray:
    """Pearson correlation of a Gaussian copula that gives the requested rank correlation."""
    return 2.0 * np.sin(np.pi * np.asarray(rank) / 6.0)


def correlate(uniforms: dict[str, np.ndarray], scenario: Scenario) -> None:
    """Induce the scenario's rank correlations on the uniforms in place (Gaussian copula).

    Marginals stay exact because only the ranks are rearranged through normal scores; the
    latent matrix is calibrated once per correlation group (:func:`simulator.core.copula.calibrate`).
    """
    if not scenario.correlations:
        return
    # normal scores and back by table (simulator.scenario.quantiles): exact to ~1e-7, no scipy import
    from simulator.scenario.quantiles import normal_cdf, normal_table

    ndtri = normal_table()

    from simulator.core.copula import calibrate

    by_key = {i.key: i for i in scenario.inputs}
    for c in scenario.correlations:
        # per pair, the latent correlation whose rank correlation is the asked one for these
        # marginals (go-aheads and delays have atoms): see simulator.core.copula
        chol = np.linalg.cholesky(calibrate(c, by_key, scenario.file).latent)
        z = ndtri(np.vstack([uniforms[k] for k in c.members]))
        corr = normal_cdf(_lower_times(chol, z))
        for i, k in enumerate(c.members):
            uniforms[k] = corr[i : i + 1]


def _lower_times(chol: np.ndarray, z: np.ndarray) -> np.ndarray:
    """chol @ z for a lower-triangular chol, row by row in numpy's own loops.

    Not BLAS: OpenBLAS would start its own threads, which spin after each call and take
    the core a second block's thread needs; a handful of rows costs the same either way.
    """
    out = np.empty_like(z)
    for i in range(len(chol)):
        np.multiply(z[0], chol[i, 0], out=out[i])
        for j in range(1, i + 1):
            out[i] += chol[i, j] * z[j]
    return out


def sample_inputs(
    scenario: Scenario, n: int, *, seed: int, block: int, n_years: int, sampling: str = "mc"
) -> dict[str, np.ndarray]:
    """Every random input's values for one block: key -> (1, n) or (n_years, n).

    ``sampling``: "mc" (plain Monte Carlo), or "lhs" / "sobol" (:mod:`simulator.core.qmc`).
    """
    if sampling == "mc":
        uniforms = {
            inp.key: draw_uniforms(inp, n_years, n, seed=seed, block=block) for inp in scenario.inputs
        }
    else:
        from simulator.core.qmc import block_uniforms

        uniforms = block_uniforms(scenario, n, seed=seed, block=block, n_years=n_years, method=sampling,
                                  stream=stream)
    correlate(uniforms, scenario)
    from simulator.scenario.distributions import U_EPS

    # uniforms are kept U_EPS away from 0 and 1: the loader checks ranges on that basis
    for u in uniforms.values():
        np.clip(u, U_EPS, 1.0 - U_EPS, out=u)
    return {inp.key: inp.distribution.ppf(uniforms[inp.key]) for inp in scenario.inputs}


def plan_value(inp: RandomInput, *, growth: str = "mean") -> float:
    """An input's plan value: the one rule for "plan values by role".

    Go-ahead certain (1), no delay (0), growth at its mean (or 0 when ``growth`` is "none":
    the document computes on base-year figures), any other input at the value its
    ``deterministic`` field names: the plan ``point`` or the ``mean``.
    """
    if inp.role == Role.GO_AHEAD:
        v = 1.0
    elif inp.role == Role.DELAY:
        v = 0.0
    elif inp.role == Role.GROWTH:
        v = 0.0 if growth == "none" else inp.distribution.mean
    elif inp.deterministic == "mean":
        v = inp.distribution.mean
    else:
        v = inp.distribution.point
    return float(v)


def plan_values(inputs: Iterable[RandomInput], *, growth: str = "mean") -> dict[str, float]:
    """Key -> plan value of each input (see :func:`plan_value`)."""
    return {inp.key: plan_value(inp, growth=growth) for inp in inputs}


def point_inputs(scenario: Scenario, *, growth: str = "mean") -> dict[str, np.ndarray]:
    """Deterministic mode: plan values, go-ahead certain, no delay, growth at its mean."""
    return {key: np.full((1, 1), v) for key, v in plan_values(scenario.inputs, growth=growth).items()}


@dataclass(frozen=True, slots=True)
class Inputs:
    """The random inputs of one block: what the engine reads besides the plan.

    Attributes
    ----------
    values : dict of str to ndarray
        Input key -> values, dims (1, path), (year, path) for per-year inputs, or (1, 1)
        for a value every path shares (plan values, overrides); in the input's unit.
    n : int
        Paths in the block.
    """

    values: dict[str, np.ndarray]
    n: int


def block_inputs(scenario: Scenario, n: int, *, seed: int, block: int, options: RunOptions) -> Inputs:
    """Draw (or, deterministic, set) every input of one block, then apply the overrides."""
    if options.deterministic:
        n = 1
        values = point_inputs(scenario, growth=scenario.check_growth)
    else:
        values = sample_inputs(scenario, n, seed=seed, block=block, n_years=scenario.years[-1] - scenario.base_year,
                               sampling=options.sampling)
    for k, v in options.overrides:
        values[k] = np.full((1, 1), float(v))
    return Inputs(values, n)


def count_variates(scenario: Scenario, n: int) -> int:
    """How many random numbers a run of ``n`` paths draws."""
    n_years = scenario.years[-1] - scenario.base_year
    return n * sum(n_years if i.per_year else 1 for i in scenario.inputs)


def blocks(n_paths: int) -> list[tuple[int, int]]:
    """(block index, paths in block) for a run of ``n_paths``."""
    count = math.ceil(n_paths / BLOCK_PATHS)
    return [(b, min(BLOCK_PATHS, n_paths - b * BLOCK_PATHS)) for b in range(count)]
