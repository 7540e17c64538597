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
import threading
import time

import numpy as np

from .model import Scenario
from .sampling import BLOCK_PATHS, count_variates

#: candidates for "numpy's fastest generator"; the fastest on this machine is used
GENERATORS = ("SFC64", "PCG64DXSM", "PCG64", "Philox", "MT19937")


_tuned = False
_tune_lock = threading.Lock()
#: glibc mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def tune_allocator() -> bool:
    """Let glibc keep freed block-sized arrays for reuse instead of unmapping them.

    A block's temporaries are 0.5-20 MB each. By default glibc serves such sizes with
    mmap and returns them to the system on free, so every temporary of every block
    page-faults its memory in again: measured here, that made an inverse-CDF pass over
    65,536 values five times slower (21 ns instead of 4 per value). Raising the mmap
    threshold to its maximum (32 MB) and the trim threshold keeps them in the heap. Peak
    memory is unchanged; memory freed after a run is kept by the process. Only on glibc
    (Linux); elsewhere nothing happens. Returns whether the allocator was tuned.

    It changes the whole process, so only the owner of the process calls it: the command
    line (every command that loads a scenario), dask workers started for a run, and the
    benchmarks. A program that uses taaksim as a library calls it itself if it wants the
    same speed; the library's functions never do it behind the caller's back.
    """
    global _tuned
    with _tune_lock:
        if _tuned or not sys.platform.startswith("linux"):
            return _tuned
        _tuned = True
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            ok = libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)
            ok &= libc.mallopt(_M_TRIM_THRESHOLD, 1024 * 1024 * 1024)
            return bool(ok)
        except (OSError, AttributeError):  # not glibc (musl, ...): leave the defaults
            return False


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
            repeat: int = 1) -> dict:
    """Time ``repeat`` whole runs (simulate on threads, reduce to the summary) and the floor."""
    from .stream import default_threads, run_stream

    threads = threads or default_threads()
    variates = count_variates(scenario, paths)
    generator = fastest_generator()
    walls, cpus, floors = [], [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        run_stream(scenario, paths, seed=seed, threads=threads).summary()
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
