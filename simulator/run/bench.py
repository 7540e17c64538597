"""Measuring a run against the hardware's floor (``taaksim bench``).

The floor: drawing the random numbers a run needs cannot be avoided, so the time numpy's
fastest bit generator needs to fill the same number of doubles, in cache-sized chunks into
one reused buffer (the fastest way numpy offers), on one thread, is what every other cost
is set against. Timed runs and the floor are measured in the same process, one after the
other, so a busy machine slows both.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from simulator.core.sampling import BLOCK_PATHS, count_variates
from simulator.scenario.model import Scenario

if TYPE_CHECKING:
    from simulator.run.reduce import Merged

#: candidates for "numpy's fastest generator"; the fastest on this machine is used
GENERATORS = ("SFC64", "PCG64DXSM", "PCG64", "Philox", "MT19937")


def draw_floor(variates: int, generator: str = "SFC64", *, repeat: int = 3) -> float:
    """Best-of-``repeat`` seconds to draw ``variates`` uniform doubles with ``generator``."""
    rng = np.random.Generator(getattr(np.random, generator)(12345))
    buf = np.empty(BLOCK_PATHS)
    full, rest = divmod(variates, BLOCK_PATHS)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(full):
            rng.random(out=buf)
        if rest:
            rng.random(out=buf[:rest])
        best = min(best, time.perf_counter() - t)
    return best


def fastest_generator(sample: int = 1 << 22) -> str:
    """The bit generator that draws doubles fastest here (a short trial of each)."""
    return min(GENERATORS, key=lambda g: draw_floor(sample, g, repeat=2))


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far [MB]."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure(scenario: Scenario, paths: int, *, seed: int = 0, threads: int | None = None,
            repeat: int = 1, summarise: Callable[[Merged], object] | None = None) -> dict:
    """Time ``repeat`` whole runs (simulate on threads, reduce to the summary) and the floor.

    ``summarise`` turns the merged blocks into the summary (the caller's, e.g.
    :meth:`simulator.results.summary.Summary.from_merged`: the run layer does not import results).
    """
    from simulator.run.blocks import default_threads
    from simulator.run.streaming import run_stream

    threads = threads or default_threads()
    variates = count_variates(scenario, paths)
    generator = fastest_generator()
    walls, cpus, floors = [], [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        merged = run_stream(scenario, paths, seed=seed, threads=threads)
        if summarise is not None:
            summarise(merged)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        floors.append(draw_floor(variates, generator))
    seconds = statistics.median(walls)
    floor = min(floors)  # the floor is a best case: the fastest of the repeats
    return {
        "scenario": scenario.name,
        "paths": paths,
        "variates": variates,
        "seconds": seconds,
        "paths_per_second": paths / seconds,
        "floor_seconds": floor,
        "floor_ratio": seconds / floor,
        "peak_memory_mb": peak_memory_mb(),
        "threads": threads,
        "cpu_seconds": statistics.median(cpus),
        "generator": generator,
    }
