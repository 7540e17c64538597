"""Running blocks of paths: in order, on threads, with the allocator tuned for block-sized arrays."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

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


def default_threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


T = TypeVar("T")


def map_blocks(fn: Callable[[int, int], T], plan: list[tuple[int, int]], *, threads: int = 1,
               window: int | None = None) -> Iterator[T]:
    """fn(block, n) for every (block, n) of ``plan``, yielded in plan order.

    On threads, numpy releases the GIL in its loops, so blocks overlap; at most ``window``
    blocks are in flight, which bounds memory whatever the run's length.
    """
    if threads <= 1 or len(plan) <= 1:
        for b, n in plan:
            yield fn(b, n)
        return
    window = window or 2 * threads
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="taaksim-block") as pool:
        pending = []
        it = iter(plan)
        for b, n in it:
            pending.append(pool.submit(fn, b, n))
            if len(pending) >= window:
                break
        while pending:
            f = pending.pop(0)
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(fn, *nxt))
            yield f.result()
