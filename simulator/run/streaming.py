"""Streaming runs: the summary of any number of paths in bounded memory, on threads or dask.

A Dataset holds every path of every scope; ten million paths of the largest scenario would
not fit in 2 GB. ``taaksim run`` needs far less: per year the distribution of the headline
savings and, per target and budget, whether it holds and the range of what it judges. So
each block of paths is reduced as soon as it is simulated to a :class:`BlockStats`, and the
blocks' stats are merged.

What is exact and what is approximate:

* the headline series (net savings of the region or municipality per year) is kept whole,
  8 bytes per path and year, so its mean and percentiles are exactly those of
  :func:`simulator.results.summary.summarise_years` on the same paths;
* every probability is a count of paths, exact;
* the p5/p50/p95 of each target's and budget's judged amount come from a mergeable
  log-bucket histogram (:class:`LogSketch`): within 0.01% of the value or 1 euro.

Reproducibility: a block's numbers depend only on (seed, block), so threads and dask
workers may simulate blocks in any order. Integer counts merge in any order; the few float
sums are folded in block order at the end, and the headline series is written at its
block's offset, so a run gives the same bits on one thread, on two, or on a cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simulator.core.options import BlockEngine, RunOptions
from simulator.core.sampling import blocks
from simulator.run.blocks import default_threads, map_blocks
from simulator.run.reduce import BlockStats, Merged, ReportSpec, in_order, simulate_stats
from simulator.scenario.model import Scenario


def run_stream(
    scenario: Scenario,
    paths: int,
    *,
    seed: int = 0,
    municipality: str | None = None,
    detail: bool = False,
    threads: int | None = None,
    scheduler: str | None = None,
    precision: float | None = None,
    max_paths: int = 10_000_000,
    active: frozenset[str] | None = None,
    overrides: dict[str, float] | None = None,
    progress: Callable[[int], None] | None = None,
    sampling: str = "mc",
) -> Merged:
    """Simulate and summarise without keeping paths: returns the :class:`Merged` blocks.

    ``scheduler``: None or "threads" (local, ``threads`` workers), "dask" (a local dask
    cluster) or "dask://HOST:PORT" (an existing one). ``precision``: keep adding blocks
    until the standard error of every reported probability is below it (at most
    ``max_paths``); ``paths`` is then ignored. The error waited on is Wilson's
    (:meth:`Merged.stopping_errors`), so a probability of 0 or 1 does not stop a run early.
    ``sampling``: "mc", "lhs" or "sobol" (:mod:`simulator.core.qmc`); with the latter two every
    probability's error is the spread of the independent randomisations.
    """
    _check(sampling, precision)
    spec = ReportSpec.of(scenario, municipality, detail=detail)
    threads = default_threads() if threads is None else max(1, threads)
    if precision is not None:
        plan = blocks(max(max_paths, 1))
        merged = Merged(spec, threads=threads)
    else:
        plan = blocks(paths)
        merged = Merged(spec, capacity=paths, threads=threads)

    engine = _block_engine(max_paths if precision is not None else paths, sampling)
    options = RunOptions(active=active, overrides=tuple((overrides or {}).items()), sampling=sampling)

    def one(b: int, n: int) -> BlockStats:
        return simulate_stats(scenario, spec, b, n, seed=seed, options=options, engine=engine)

    if scheduler and scheduler.startswith("dask"):
        from simulator.run.cluster import dask_stats

        source = dask_stats(scenario, spec, plan, seed=seed, address=_dask_address(scheduler),
                            active=active, overrides=overrides, stop=_stopper(precision),
                            sampling=sampling, engine=engine)
    else:
        source = map_blocks(one, plan, threads=threads)
    done = _stopper(precision)
    for s in in_order(source):
        merged.add(s)
        if progress is not None:
            progress(s.n)
        if done(merged):
            break
    if hasattr(source, "close"):
        source.close()  # stop a generator that may still hold running blocks
    return merged


def _block_engine(paths: int, sampling: str) -> BlockEngine:
    """What simulates the blocks (imported here: the numpy engine's runs need no numba)."""
    from simulator.core.compiled.runner import block_engine

    return block_engine(paths, sampling)


def engine_used(scenario: Scenario, paths: int, *, detail: bool = False, sampling: str = "mc",
                active: frozenset[str] | None = None, overrides: dict[str, float] | None = None
                ) -> tuple[str, str | None]:
    """The engine :func:`run_stream` runs these blocks on ("numba" or "numpy"), and why not the
    compiled kernel when it was asked for or chosen but does not run them (else None).

    A block whose checks fail on the kernel still reruns on numpy (to raise numpy's message);
    that is decided per block and not foreseen here.
    """
    from simulator.core.compiled.runner import AUTO_PATHS, engine_name, use_kernel
    from simulator.core.compiled.translate import declined

    name = engine_name()
    if name == "numpy":
        return "numpy", None
    if not use_kernel(paths):
        return "numpy", (f"auto: the numpy engine below {AUTO_PATHS:,} paths" if name == "auto"
                         else "numba is not installed")
    if sampling != "mc":
        return "numpy", f"the kernel draws plain Monte Carlo only, not {sampling}"
    if detail:
        return "numpy", "the detail per measure comes from the numpy engine only"
    why = declined(scenario, active=active, overrides=overrides)
    return ("numpy", f"the kernel does not run {why}") if why else ("numba", None)


def _check(sampling: str, precision: float | None) -> None:
    """Refuse an unknown sampling method and a precision that is not a positive number."""
    from simulator.core.qmc import METHODS

    if sampling not in METHODS:
        raise ValueError(f"unknown sampling {sampling!r}: use one of {', '.join(METHODS)}")
    if precision is not None and not (math.isfinite(precision) and precision > 0):
        raise ValueError(f"precision must be a positive number, got {precision!r}")


def _stopper(precision: float | None) -> Callable[[Merged], bool]:
    if precision is None:
        return lambda m: False
    return lambda m: all(se < precision for se in m.stopping_errors())


def _dask_address(scheduler: str) -> str | None:
    if scheduler == "dask":
        return None
    if scheduler.startswith("dask://"):
        return "tcp://" + scheduler[len("dask://"):]
    raise ValueError(f"unknown scheduler {scheduler!r}: use threads, dask or dask://HOST:PORT")
