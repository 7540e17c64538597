"""Variance reduction: Latin hypercube and scrambled Sobol' uniforms for a block.

The uniforms replace plain Monte Carlo's and then go through the same copula and inverse
CDFs (:func:`simulator.core.sampling.sample_inputs`), so marginals and rank correlations are
those of the scenario whatever the method.

Reproducibility is kept per block: a block's uniforms depend only on (seed, block) and, for
the Latin hypercube, on the input's own key, as plain Monte Carlo's do. Two things differ
from plain Monte Carlo, both inherent to the methods:

* a run of ``n`` paths is no longer the prefix of a longer run (the strata depend on ``n``);
* with Sobol' the points are spread jointly over every input, so adding an input changes
  the others' draws (the Latin hypercube keeps each input's stream its own).

Each block holds :data:`REPLICATES` independent randomisations (fresh permutations, fresh
Owen scrambles), each on a consecutive run of the block's paths, so the spread between them
is an honest error estimate even for a one-block run: see :func:`between_block_se`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from simulator.scenario.model import Scenario

#: the sampling methods: plain Monte Carlo, Latin hypercube, scrambled Sobol'
METHODS = ("mc", "lhs", "sobol")
#: independent randomisations per block: consecutive runs of paths, each its own hypercube or
#: scramble, so even a one-block run has an error estimate (their spread)
REPLICATES = 16


def replicate_slices(n: int) -> list[slice]:
    """The paths of each randomisation of an ``n``-path block (as equal as can be)."""
    edges = np.linspace(0, n, REPLICATES + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


#: (seed, block, key, year) -> generator: :func:`simulator.core.sampling.stream`, passed in
#: (this module sits below sampling, which calls it)
Streams = Callable[[int, int, str, int], np.random.Generator]


def latin_hypercube(inp_key: str, rows: int, n: int, *, seed: int, block: int, stream: Streams,
                    replicate: int = 0) -> np.ndarray:
    """(rows, n) uniforms, each row a Latin hypercube column: one point in each of n equal
    strata, in random order. Drawn from the input's own stream (per row, as per-year inputs)."""
    out = np.empty((rows, n))
    for y in range(rows):
        rng = stream(seed, block, f"lhs:{replicate}:{inp_key}", y + 1 if rows > 1 else 0)
        out[y] = (rng.permutation(n) + rng.random(n)) / n
    return out


def sobol_points(dims: int, n: int, *, seed: int, block: int, stream: Streams, replicate: int = 0) -> np.ndarray:
    """(dims, n) scrambled Sobol' uniforms (Owen scrambling, seeded by seed, block, replicate)."""
    from scipy.stats import qmc

    rng = stream(seed, block, f"qmc:sobol:{replicate}", 0)
    engine = qmc.Sobol(d=dims, scramble=True, seed=rng)
    with warnings.catch_warnings():
        # a count that is not a power of two loses a little balance, nothing else
        warnings.simplefilter("ignore", UserWarning)
        return np.ascontiguousarray(engine.random(n).T)


def block_uniforms(scenario: Scenario, n: int, *, seed: int, block: int, n_years: int,
                   method: str, stream: Streams) -> dict[str, np.ndarray]:
    """Every input's uniforms for one block by ``method`` ("lhs" or "sobol"): key -> (1, n) or
    (n_years, n) for inputs drawn per year."""
    if method not in ("lhs", "sobol"):
        raise ValueError(f"unknown sampling method {method!r}: use one of {', '.join(METHODS)}")
    rows = {inp.key: n_years if inp.per_year else 1 for inp in scenario.inputs}
    out = {k: np.empty((r, n)) for k, r in rows.items()}
    dims = max(sum(rows.values()), 1)
    for rep, part in enumerate(replicate_slices(n)):
        m = part.stop - part.start
        if m == 0:
            continue
        if method == "lhs":
            for k, r in rows.items():
                out[k][:, part] = latin_hypercube(k, r, m, seed=seed, block=block, stream=stream, replicate=rep)
            continue
        pts = sobol_points(dims, m, seed=seed, block=block, stream=stream, replicate=rep)
        at = 0
        for k, r in rows.items():
            out[k][:, part] = pts[at:at + r]
            at += r
    return out


def between_block_se(values: np.ndarray, counts: np.ndarray) -> float:
    """Standard error of a pooled mean from per-block means of independent randomisations.

    ``values``: each block's mean; ``counts``: its paths. Weighted by paths; needs 2 blocks.
    """
    values, w = np.asarray(values, dtype=float), np.asarray(counts, dtype=float)
    k = values.size
    if k < 2:
        return float("nan")
    w = w / w.sum()
    mean = float(w @ values)
    # unbiased for equal weights: sum w^2 (x - mean)^2 * k / (k - 1)
    return float(np.sqrt(np.sum(w * w * (values - mean) ** 2) * k / (k - 1)))
