"""Exact order statistics of a large array by radix selection (numba, ``nogil``, cached).

A streamed run's summary needs about twenty order statistics per year of the headline series
(five percentiles, each between two ranks, and the ranks of their intervals) over every path:
``np.quantile`` and one ``np.partition`` per interval made six partitions of a million values
per year, 280 ns per path of Gooi en Vechtstreek, all on one thread after the blocks ran.

Here every rank of a row is found in about two passes over it. A double's bits, turned into an
unsigned key that sorts as the numbers do, are read 16 bits at a time from the top: one pass
counts the keys per bucket of their top 16 bits, which tells in which bucket each rank lies and
at which rank inside it; a second gathers only those buckets' keys, and each gathered bucket is
treated the same way with the next 16 bits, until a bucket is small enough to sort. An order
statistic is one value, whatever the algorithm that finds it, so the result is the value
``np.partition`` puts at that rank: the caller (:mod:`simulator.run.order`) leaves rows with a
NaN, an infinity, or a zero of both signs to numpy, where that would not hold bit for bit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_jit = njit(cache=True, nogil=True)

_DIGIT = 16
_BUCKETS = 1 << _DIGIT
#: a segment at most this long is sorted instead of split further
_SMALL = 512
_SIGN = np.uint64(1) << np.uint64(63)
#: keys of +inf and -inf: NaNs of either sign lie beyond them
_KEY_INF = np.uint64(0xFFF0000000000000)
_KEY_NEG_INF = np.uint64(0x000FFFFFFFFFFFFF)


@_jit
def _key(x):
    """An unsigned key that orders doubles as ``<`` does (negative zero just below zero)."""
    b = np.float64(x).view(np.uint64)
    if b & _SIGN:
        return ~b
    return b | _SIGN


@_jit
def _value(k):
    if k & _SIGN:
        return np.uint64(k ^ _SIGN).view(np.float64)
    return np.uint64(~k).view(np.float64)


@_jit
def _span(seg):
    lo = seg[0]
    hi = seg[0]
    for i in range(1, seg.shape[0]):
        u = seg[i]
        if u < lo:
            lo = u
        if u > hi:
            hi = u
    return lo, hi


@_jit
def _shift_for(span):
    """The least shift that maps a span of keys onto at most _BUCKETS buckets."""
    shift = 0
    while (span >> np.uint64(shift)) >= np.uint64(_BUCKETS):
        shift += 1
    return np.uint64(shift)


@_jit
def _locate(hist, nbk, local, r0, nr, bucket_of, ranks_in):
    """Which buckets hold the ranks local[r0:r0+nr] (made relative to their bucket in place);
    returns how many, with each one's number of ranks in ranks_in."""
    nb = 0
    cum = 0
    j = r0
    for b in range(nbk):
        c = hist[b]
        if c == 0:
            continue
        if local[j] < cum + c:
            bucket_of[nb] = b
            ranks_in[nb] = 0
            while j < r0 + nr and local[j] < cum + c:
                local[j] -= cum
                ranks_in[nb] += 1
                j += 1
            nb += 1
            if j == r0 + nr:
                break
        cum += c
    return nb


@_jit
def select(row, ranks, out):
    """out[i] = the value at rank ranks[i] of ``row`` sorted ascending (ranks ascending, 0-based).

    Returns 1, leaving ``out`` unfinished, if ``row`` holds an infinity or a NaN (the answer
    is then numpy's to give), else 0. ``row`` is not modified.
    """
    n = row.shape[0]
    k = ranks.shape[0]
    if n == 0 or k == 0:
        return 0
    # the row itself: keys are made on the fly (writing them all would cost a pass)
    lo = _key(row[0])
    hi = lo
    for i in range(1, n):
        u = _key(row[i])
        if u < lo:
            lo = u
        if u > hi:
            hi = u
    if hi >= _KEY_INF or lo <= _KEY_NEG_INF:
        return 1
    local = ranks.copy()  # each rank relative to the segment it lies in
    hist = np.zeros(_BUCKETS, dtype=np.int64)
    slot = np.full(_BUCKETS, -1, dtype=np.int64)
    fill = np.empty(k, dtype=np.int64)
    bucket_of = np.empty(k, dtype=np.int64)
    ranks_in = np.empty(k, dtype=np.int64)
    if lo == hi:
        for j in range(k):
            out[j] = _value(lo)
        return 0
    sh = _shift_for(hi - lo)
    nbk = int((hi - lo) >> sh) + 1
    for i in range(n):
        hist[(_key(row[i]) - lo) >> sh] += 1
    nb = _locate(hist, nbk, local, 0, k, bucket_of, ranks_in)
    size = 0
    for t in range(nb):
        slot[bucket_of[t]] = t
        fill[t] = size
        size += hist[bucket_of[t]]
    keys = np.empty(size, dtype=np.uint64)
    for i in range(n):
        u = _key(row[i])
        t = slot[(u - lo) >> sh]
        if t >= 0:
            keys[fill[t]] = u
            fill[t] += 1
    other = np.empty(size, dtype=np.uint64)
    # segments still to split: (buffer 0 = keys / 1 = other, start, length, first rank, number
    # of ranks); a segment's ranks are consecutive in ``local``. Each split narrows a segment's
    # span of keys at least _BUCKETS times, so the stack holds at most 64/_DIGIT generations.
    stack = np.empty((k * (64 // _DIGIT + 1) + 1, 5), dtype=np.int64)
    top = 0
    j = 0
    for t in range(nb):
        slot[bucket_of[t]] = -1
        c = hist[bucket_of[t]]
        stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3], stack[top, 4] = 0, fill[t] - c, c, j, ranks_in[t]
        j += ranks_in[t]
        top += 1
    while top > 0:
        top -= 1
        which, s0, m = stack[top, 0], stack[top, 1], stack[top, 2]
        r0, nr = stack[top, 3], stack[top, 4]
        src = keys if which == 0 else other
        dst = other if which == 0 else keys
        seg = src[s0:s0 + m]
        if m <= _SMALL:
            srt = np.sort(seg)
            for j in range(r0, r0 + nr):
                out[j] = _value(srt[local[j]])
            continue
        lo, hi = _span(seg)
        if lo == hi:
            for j in range(r0, r0 + nr):
                out[j] = _value(lo)
            continue
        sh = _shift_for(hi - lo)
        nbk = int((hi - lo) >> sh) + 1
        hist[:nbk] = 0
        for i in range(m):
            hist[(seg[i] - lo) >> sh] += 1
        nb = _locate(hist, nbk, local, r0, nr, bucket_of, ranks_in)
        at = s0
        for t in range(nb):
            slot[bucket_of[t]] = t
            fill[t] = at
            at += hist[bucket_of[t]]
        for i in range(m):
            t = slot[(seg[i] - lo) >> sh]
            if t >= 0:
                dst[fill[t]] = seg[i]
                fill[t] += 1
        j = r0
        for t in range(nb):
            slot[bucket_of[t]] = -1
            c = hist[bucket_of[t]]
            stack[top, 0], stack[top, 1], stack[top, 2] = 1 - which, fill[t] - c, c
            stack[top, 3], stack[top, 4] = j, ranks_in[t]
            j += ranks_in[t]
            top += 1
    return 0
