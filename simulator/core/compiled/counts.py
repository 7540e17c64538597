"""Counting a block's values into log-spaced buckets in one compiled pass (numba, ``nogil``, cached).

:meth:`simulator.run.reduce.LogSketch.span` reduces each goal's judged amounts of a block to
counts per bucket. In numpy that is nine passes over the block (abs, clip, log, scale, ceil,
sign, cast, minimum, bincount) and, with Huizen's 27 goal-years, about as much time as the
kernel's simulation of the block. The logarithm stays numpy's (its last bit can differ from
the C library's, and a bucket edge depends on it); everything after it runs here in two
passes, with the same arithmetic per value, so the counts are the same.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def log_buckets(logs, x, scale, offset):
    """(first bucket, counts from there) of bucket ``ceil(logs * scale)`` signed as ``x``, plus
    ``offset``: what ``LogSketch.span`` computes from ``logs = log(clip(|x|, 1, 1e13))``."""
    n = logs.shape[0]
    k = np.empty(n, dtype=np.int64)
    lo = 0
    hi = 0
    for i in range(n):
        a = int(np.ceil(logs[i] * scale))
        # numpy's copysign then the cast: a is 0 wherever x is (a zero of either sign)
        ki = (-a if x[i] < 0.0 else a) + offset
        k[i] = ki
        lo = min(lo, ki) if i else ki
        hi = max(hi, ki) if i else ki
    counts = np.zeros(hi - lo + 1 if n else 0, dtype=np.int64)
    for i in range(n):
        counts[k[i] - lo] += 1
    return lo, counts
