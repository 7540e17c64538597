"""Measuring a run against the hardware's floor (``taaksim bench``).

The floor: drawing the random numbers a run needs cannot be avoided, so the time numpy's
fastest bit generator needs to fill the same number of doubles, in cache-sized chunks into
one reused buffer (the fastest way numpy offers), on one thread, is what every other cost
is set against. Timed runs and the floor are measured in the same process, alternately and
over the same repeats, and both are reported as medians, so a busy machine slows both.
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
    """Best-of-``repeat`` seconds to draw ``variates`` uniform doubles with ``generator``
    (``measure`` calls it with ``repeat=1`` per repeat of the run and takes the median)."""
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

    Floor and run are measured the same way: each repeat times the floor and then the run
    on every thread count, back to back, and every figure is the median over the repeats
    (a busy machine slows both alike; CPU times are reported too: on a machine shared with
    other work they say more than wall time). Thread counts: ``threads`` if given, else 1 and the
    default (one per core). A whole untimed run first loads the engine (compiled kernel or
    tables) and grows the heap, so no timed run pays for start-up. The keys without a thread suffix are those
    of the run on ``threads`` (default: one per core).
    """
    from simulator.core.compiled.runner import engine_name
    from simulator.run.blocks import default_threads
    from simulator.run.streaming import engine_used, run_stream

    engine, why = engine_used(scenario, paths)  # the engine that runs, not the one asked for
    main_threads = threads or default_threads()
    counts = sorted({main_threads} if threads else {1, main_threads})
    variates = count_variates(scenario, paths)
    generator = fastest_generator()
    # warm-up: one whole run as the timed ones, so the first timed run pays neither for loading
    # compiled code from the cache nor for growing the heap to the run's size (measured: the
    # first of 200,000 Gooi paths took 0.8 s, the next 0.2 s, after a one-block warm-up)
    warm = run_stream(scenario, paths, seed=seed, threads=1)
    if summarise is not None:
        summarise(warm)
    floors, floor_cpus, walls, cpus = _time_repeats(scenario, paths, seed, counts, repeat, variates, generator,
                                                    summarise)
    floor = statistics.median(floors)
    floor_cpu = statistics.median(floor_cpus)
    seconds = statistics.median(walls[main_threads])
    by_threads: dict[str, dict[str, float]] = {}
    out: dict[str, object] = {
        "scenario": scenario.name,
        "paths": paths,
        "variates": variates,
        "seconds": seconds,
        "paths_per_second": paths / seconds,
        "floor_seconds": floor,
        "floor_ratio": seconds / floor,
        "peak_memory_mb": peak_memory_mb(),
        "threads": main_threads,
        "cpu_seconds": statistics.median(cpus[main_threads]),
        "generator": generator,
        "floor_cpu_seconds": floor_cpu,
        "engine": engine,
        "engine_requested": engine_name(),
        "engine_note": why,
        "repeat": repeat,
        "by_threads": by_threads,
    }
    for t in counts:
        sec = statistics.median(walls[t])
        cpu = statistics.median(cpus[t])
        by_threads[str(t)] = {"seconds": sec, "paths_per_second": paths / sec, "floor_ratio": sec / floor,
                              "cpu_seconds": cpu, "cpu_floor_ratio": cpu / floor_cpu}
        out[f"floor_ratio_{t}t"] = sec / floor
        out[f"paths_per_second_{t}t"] = paths / sec
    return out


def _time_repeats(scenario: Scenario, paths: int, seed: int, counts: list[int], repeat: int, variates: int,
                  generator: str, summarise: Callable[[Merged], object] | None
                  ) -> tuple[list[float], list[float], dict[int, list[float]], dict[int, list[float]]]:
    """Per repeat, the floor and then the run on every thread count, back to back (seconds).

    Returns the floor's wall and CPU times and, per thread count, the run's wall and CPU times.
    """
    from simulator.run.streaming import run_stream

    walls: dict[int, list[float]] = {t: [] for t in counts}
    cpus: dict[int, list[float]] = {t: [] for t in counts}
    floors: list[float] = []
    floor_cpus: list[float] = []
    for _ in range(repeat):
        c0 = time.process_time()
        floors.append(draw_floor(variates, generator, repeat=1))
        floor_cpus.append(time.process_time() - c0)
        for t in counts:
            c0, t0 = time.process_time(), time.perf_counter()
            merged = run_stream(scenario, paths, seed=seed, threads=t)
            if summarise is not None:
                summarise(merged)
            walls[t].append(time.perf_counter() - t0)
            cpus[t].append(time.process_time() - c0)
    return floors, floor_cpus, walls, cpus
