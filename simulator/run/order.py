"""The headline series' percentiles and their intervals, exactly, in one selection per year.

:meth:`simulator.results.summary.Summary.from_merged` reports per year five percentiles of
the headline savings (numpy's default, linearly interpolated quantile) and, per percentile,
a distribution-free interval between two order statistics (:func:`simulator.core.stats.
quantile_interval`). Done as written, that is one ``np.quantile`` and five ``np.partition``
per year over every path, serially after the blocks ran: 280 ms of a 1.3 s run of a
million paths of Gooi en Vechtstreek. All of them are order statistics of the same row, so
here every rank a year needs is selected at once (:func:`simulator.core.compiled.select.
select`, years on threads: it releases the GIL), and numpy's interpolation is repeated
operation for operation on the selected values.

The numbers are the same bits as before: an order statistic is one value whatever finds it,
and the interpolation is numpy's own arithmetic. Two cases where that would not hold are
left to the numpy calls themselves: a row with a NaN or an infinity (numpy's NaN rules), and
a selected zero in a row holding zeros of both signs (which of them a partition returns
depends on its algorithm). Runs small enough for the numpy engine (which do not load numba)
select with one ``np.partition`` per year over all ranks.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from simulator.core.stats import interval_ranks, quantile_interval

#: below this many paths per row, numpy's partition is as quick as starting numba's select
_COMPILED_PATHS = 200_000


def quantile_indexes(n: int, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's linear-method positions of ``qs`` among n sorted values: (previous rank, next
    rank, weight of the next), computed as ``np.quantile`` computes them."""
    q = np.asarray(qs, dtype=np.float64)
    virtual = (n - 1) * q
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1  # numpy takes the last value there (index -1) ...
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0  # ... and the first here
    prev[below] = 0
    nxt[below] = 0
    prev_i, nxt_i = prev.astype(np.intp), nxt.astype(np.intp)
    gamma = virtual - prev_i  # with the -1 in: its sign decides the sign of a zero result
    prev_i[prev_i < 0] += n
    nxt_i[nxt_i < 0] += n
    return prev_i, nxt_i, gamma


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's quantile interpolation (``numpy.lib._function_base_impl._lerp``), bit for bit."""
    diff = b - a
    out = np.add(a, diff * t)
    np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out


def head_percentiles(head: np.ndarray, qs: Sequence[float], *, compiled: bool | None = None,
                     threads: int | None = None) -> tuple[np.ndarray, list[list[tuple[float, float]]]]:
    """Per row of ``head`` (year, path): ``np.quantile(head, qs, axis=1)`` and, per row and q,
    :func:`simulator.core.stats.quantile_interval` (row, q), the same bits, with one selection
    per row. ``compiled``: select with the numba kernel (default: for runs of at least
    200,000 paths when the kernel is in use). ``threads``: the compiled selection's rows on at
    most this many threads (default: one per core; 1: all in this thread), the same bits on any
    number. Returns ((q, row) quantiles, intervals).
    """
    rows, n = head.shape
    if n == 0:
        return np.quantile(head, qs, axis=1), [[quantile_interval(head[j], q) for q in qs] for j in range(rows)]
    prev, nxt, gamma = quantile_indexes(n, qs)
    bounds = np.array([interval_ranks(n, q) for q in qs], dtype=np.intp)  # (q, 2)
    ranks = np.unique(np.concatenate([prev, nxt, bounds.ravel()]))
    where = {int(r): i for i, r in enumerate(ranks)}
    if compiled is None:
        compiled = n >= _COMPILED_PATHS and _kernel_in_use(n)
    if compiled:
        from simulator.core.compiled.select import select

        def one(j: int) -> np.ndarray | None:
            out = np.empty(len(ranks))
            row = np.ascontiguousarray(head[j])
            return None if select(row, ranks, out) else out
    else:
        def one(j: int) -> np.ndarray | None:
            row = head[j]
            return None if not np.isfinite(row).all() else np.partition(row, ranks)[ranks]

    if compiled and rows > 1 and (threads or 0) != 1:
        from simulator.run.blocks import default_threads

        with ThreadPoolExecutor(max_workers=min(rows, threads or default_threads())) as pool:
            picked = list(pool.map(one, range(rows)))
    else:
        picked = [one(j) for j in range(rows)]
    quantiles = np.empty((len(qs), rows))
    intervals = []
    at_prev = [where[int(r)] for r in prev]
    at_next = [where[int(r)] for r in nxt]
    for j, vals in enumerate(picked):
        if vals is None or (np.any(vals == 0.0) and _zeros_of_both_signs(head[j])):
            quantiles[:, j] = np.quantile(head[j], qs)
            intervals.append([quantile_interval(head[j], q) for q in qs])
            continue
        quantiles[:, j] = _lerp(vals[at_prev], vals[at_next], gamma)
        intervals.append([(float(vals[where[int(lo)]]), float(vals[where[int(hi)]])) for lo, hi in bounds])
    return quantiles, intervals


def _zeros_of_both_signs(row: np.ndarray) -> bool:
    signs = np.signbit(row[row == 0.0])
    return bool(signs.any() and not signs.all())


def _kernel_in_use(paths: int) -> bool:
    from simulator.core.compiled.runner import use_kernel

    return use_kernel(paths)
