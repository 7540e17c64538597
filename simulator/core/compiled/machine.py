"""The kernel: one compiled call runs a translated scenario over a block of paths.

The block is cut into chunks of ``C`` paths; for each chunk the whole program runs, so a
register (at most years x C doubles) is written and read back while it is in the cache.
Uniforms are drawn here with SFC64 from states that numpy's own ``SFC64(SeedSequence(...))``
set up (:mod:`simulator.core.compiled.runner`): the same bits numpy's ``Generator.random``
would return, without writing them to memory first. Every other formula repeats what the
numpy engine and the distributions compute, operation for operation (see
:mod:`simulator.core.compiled.program` for the instruction set).

``nogil=True``: blocks run on every core from plain Python threads. ``cache=True``: the
machine code is kept next to this file (or in ``NUMBA_CACHE_DIR``), so only the first run
after an install or upgrade compiles (a few seconds). ``error_model="numpy"``: a division
by zero gives inf or NaN as in numpy; the checks then send the block to the numpy engine,
which raises the message a user sees.

One module on purpose (over the ~500 lines of issue 11): numba's on-disk cache of a
function is invalidated by the timestamp of the file that defines it only, not by the
files of the jitted functions it calls. Everything compiled into :func:`run` (the random
streams, the inverse CDFs, the operations, the dispatch loop) lives here, so editing any of
it recompiles the kernel instead of running stale machine code; the compile notice and the
stale-cache check in :mod:`simulator.core.compiled.runner` rely on this file too.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir as llir
from numba import njit, types
from numba.extending import intrinsic

from simulator.core.compiled.program import (
    ABS,
    ADD,
    D_BERN,
    D_DISCRETE,
    D_FIXED,
    D_LOGNORMAL,
    D_MIX,
    D_NORMAL,
    D_TABLE,
    D_TRI,
    D_UNIFORM,
    DIV,
    DIVPOS,
    ERR_EXPONENT,
    ERR_RESULT,
    ERR_VALUE,
    EXP,
    MAX,
    MAX_EXPONENT,
    MIN,
    MUL,
    NEG,
    OP_BIN,
    OP_BOUND,
    OP_BYYEAR,
    OP_CHECK,
    OP_CLIP,
    OP_CONST,
    OP_COPULA,
    OP_COPY,
    OP_CUMGROW,
    OP_DRAW,
    OP_ESHIFT,
    OP_ICDF,
    OP_OUT,
    OP_OUTSUM,
    OP_SHIFT,
    OP_UN,
    OP_VEC,
    POWX,
    SQRT,
    SUB,
    U_EPS,
)
from simulator.scenario.quantiles import _OFFSET, _PHI_CELLS, _PHI_LIMIT, _SHIFT, CELLS

_PHI_SCALE = _PHI_CELLS / (2 * _PHI_LIMIT)
_PHI_MID = _PHI_CELLS / 2
_INV53 = 1.0 / 9007199254740992.0
_U_HIGH = 1.0 - U_EPS

_jit = njit(cache=True, nogil=True, error_model="numpy")
_inline = njit(inline="always", error_model="numpy")
_sub_jit = njit(cache=True, nogil=True, error_model="numpy")


# --- registers -------------------------------------------------------------------------------------


@_inline
def _row(ws, r, y, meta, n):
    """Row y of register r as a view: n values, or one when the register does not vary by path."""
    o = meta[r, 0] + (y * meta[r, 2] if meta[r, 1] > 1 else 0)
    return ws[o:o + (n if meta[r, 3] else 1)]


@_inline
def _put(z, x, m, varies):
    """z[:m] = x, or x's one value where x does not vary by path."""
    if varies:
        for p in range(m):
            z[p] = x[p]
    else:
        v = x[0]
        for p in range(m):
            z[p] = v


@_inline
def _at(ws, r, y, p, meta):
    """Workspace index of register r at (year y, path p), broadcasting size-1 dimensions."""
    i = meta[r, 0]
    if meta[r, 1] > 1:
        i += y * meta[r, 2]
    if meta[r, 3]:
        i += p
    return i


# --- random numbers ------------------------------------------------------------------------------


@_inline
def _sfc64_step(a, b, c, w):
    """One step of SFC64: the new state and the double in [0, 1) that numpy makes of it."""
    tmp = a + b + w
    w += np.uint64(1)
    a = b ^ (b >> np.uint64(11))
    b = c + (c << np.uint64(3))
    c = ((c << np.uint64(24)) | (c >> np.uint64(40))) + tmp
    return a, b, c, w, np.float64(tmp >> np.uint64(11)) * _INV53


@_sub_jit
def sfc64_fill(states, s, out, n):
    """n doubles of stream s into out[:n], as numpy's Generator(SFC64).random does."""
    a, b, c, w = states[s, 0], states[s, 1], states[s, 2], states[s, 3]
    for i in range(n):
        a, b, c, w, out[i] = _sfc64_step(a, b, c, w)
    states[s, 0], states[s, 1], states[s, 2], states[s, 3] = a, b, c, w


@_sub_jit
def sfc64_fill2(states, s, out, t, out2, n):
    """:func:`sfc64_fill` of two streams in one loop: each stream's update is a chain of
    dependent operations, so two chains side by side keep the core busy (1.23 against 0.96 ns
    per value measured); every stream's values are those it gives alone."""
    a, b, c, w = states[s, 0], states[s, 1], states[s, 2], states[s, 3]
    a2, b2, c2, w2 = states[t, 0], states[t, 1], states[t, 2], states[t, 3]
    for i in range(n):
        a, b, c, w, out[i] = _sfc64_step(a, b, c, w)
        a2, b2, c2, w2, out2[i] = _sfc64_step(a2, b2, c2, w2)
    states[s, 0], states[s, 1], states[s, 2], states[s, 3] = a, b, c, w
    states[t, 0], states[t, 1], states[t, 2], states[t, 3] = a2, b2, c2, w2


# --- inverse CDFs ----------------------------------------------------------------------------------

#: values per pass of a two-pass table lookup (see :func:`_table_rows`): its cells stay in L1
_LB = 256


@_inline
def _cell(u):
    """The cell of a tail-refined table that holds u, and v = min(u, 1 - u) (see :func:`tail`)."""
    v = 1.0 - u
    if u < v:
        v = u
    idx = int(np.float64(v).view(np.int64) >> _SHIFT) - _OFFSET
    if idx < 0:
        idx = 0
    idx ^= int(np.float64(0.5 - u).view(np.int64) >> 63) & (CELLS - 1)
    if idx > CELLS - 1:
        idx = CELLS - 1
    return idx, v


@_inline
def tail(tab, u):
    """A tail-refined table at u (:class:`simulator.scenario.quantiles.TailTable`)."""
    idx, v = _cell(u)
    return tab[idx, 0] + tab[idx, 1] * v


@_inline
def phi(tab, z):
    """Phi by table (:func:`simulator.scenario.quantiles.normal_cdf`)."""
    return _phi_at(tab, _phi_cell(tab, z), z)


@_inline
def _phi_cell(tab, z):
    x = z * _PHI_SCALE
    x += _PHI_MID
    top = tab.shape[0] - 1
    if x > top:
        return top
    if x > 0.0:
        return int(x)
    return 0


@_inline
def _phi_at(tab, idx, z):
    out = tab[idx, 0] + tab[idx, 1] * z
    if out < 0.0:
        return 0.0
    if out > 1.0:
        return 1.0
    return out


@_inline
def _clip_u(u):
    if u < U_EPS:
        return U_EPS
    if u > _U_HIGH:
        return _U_HIGH
    return u


@_inline
def icdf(pool, at, tables, ntab, u):
    """The inverse CDF of the distribution described at pool[at] (not a mixture)."""
    kind = int(pool[at])
    if kind == D_TABLE:
        x = tail(tables[int(pool[at + 1])], u)
        x *= pool[at + 2]
        x += pool[at + 3]
        return x
    if kind == D_FIXED:
        return pool[at + 1]
    if kind == D_UNIFORM:
        return pool[at + 1] + pool[at + 2] * u
    if kind == D_TRI:
        if u < pool[at + 3]:
            return pool[at + 1] + np.sqrt(u * pool[at + 4] * pool[at + 5])
        return pool[at + 2] - np.sqrt((1.0 - u) * pool[at + 4] * pool[at + 6])
    if kind == D_NORMAL:
        return pool[at + 1] + pool[at + 2] * tail(ntab, _clip_u(u))
    if kind == D_LOGNORMAL:
        return np.exp(pool[at + 1] + pool[at + 2] * tail(ntab, _clip_u(u)))
    if kind == D_BERN:
        return 1.0 if u >= pool[at + 1] else 0.0
    if kind == D_DISCRETE:
        k = int(pool[at + 1])
        cum = at + 2 + k
        lo, hi = 0, k  # the first index with cum > u (searchsorted, side="right")
        while lo < hi:
            mid = (lo + hi) >> 1
            if pool[cum + mid] <= u:
                lo = mid + 1
            else:
                hi = mid
        if lo > k - 1:
            lo = k - 1
        return pool[at + 2 + lo]
    return np.nan


@_sub_jit
def _lookup(tab, cell, dist, dst, m, span, low):
    """dst[p] = (tab[cell[p], 0] + tab[cell[p], 1] * dist[p]) * span + low for p < m.

    A function of its own, one value at a time: in the same loop as the cells' arithmetic (or
    as a vector gather, which LLVM picks when it sees both) a lookup costs about twice as much
    on this machine's cores (AMD Zen 4; measured: 1.9 against 1.1 ns per value).
    """
    for p in range(m):
        i = cell[p]
        if i < 0:  # never (cells are >= 0): a second exit keeps LLVM from turning the loop into
            break  # vector gathers, slower here (1.07 against 1.25 ns per value measured)
        x = tab[i, 0] + tab[i, 1] * dist[p]
        x *= span
        x += low
        dst[p] = x


@_sub_jit
def _lookup_raw(tab, cell, dist, dst, m):
    """dst[p] = tab[cell[p], 0] + tab[cell[p], 1] * dist[p] for p < m (normal scores, Phi)."""
    for p in range(m):
        i = cell[p]
        if i < 0:  # never: see _lookup
            break
        dst[p] = tab[i, 0] + tab[i, 1] * dist[p]


@_inline
def _table_rows(tab, src, dst, m, span, low, clip, cell, dist):
    """dst[:m] = tail(tab, u) * span + low of the uniforms src[:m] (clipped first if ``clip``).

    Two passes per ``_LB`` values: the cells' arithmetic (vectorised by LLVM), then the
    lookups. The same operations as :func:`tail` per value, so the same bits.
    """
    for s0 in range(0, m, _LB):
        nb = min(_LB, m - s0)
        sb = src[s0:s0 + nb]  # indexes from a range only: no negative-index check, so vectorised
        if clip:
            for p in range(nb):
                cell[p], dist[p] = _cell(_clip_u(sb[p]))
        else:
            for p in range(nb):
                cell[p], dist[p] = _cell(sb[p])
        _lookup(tab, cell, dist, dst[s0:s0 + nb], nb, span, low)


@_sub_jit
def _mix_rows(pool, at, tables, ntab, src, dst, m, cell, dist, qbuf, late):
    """A delay mixture (no delay with probability ``none``, else the inner distribution at
    the rescaled uniform): dst[:m] from the uniforms src[:m]; dst may be src.

    Per value the numpy engine's arithmetic; no branch on the uniform (a random branch is
    mispredicted every other value): the inner value is computed for every path and set to
    zero where there is no delay. Inner tables, fixed, uniform and triangular values in
    passes of ``_LB``; any other inner kind one value at a time.
    """
    none, p_delay, inner = pool[at + 1], pool[at + 2], int(pool[at + 3])
    ik = int(pool[inner])
    for s0 in range(0, m, _LB):
        nb = min(_LB, m - s0)
        sb = src[s0:s0 + nb]
        for p in range(nb):
            u = _clip_u(sb[p])
            late[p] = u >= none
            q = (u - none) / p_delay
            if q < 0.0:
                q = 0.0
            elif q > 1.0:
                q = 1.0
            qbuf[p] = q
        out = dst[s0:s0 + nb]
        if ik == D_TABLE:
            for p in range(nb):
                cell[p], dist[p] = _cell(qbuf[p])
            _lookup(tables[int(pool[inner + 1])], cell, dist, out, nb, pool[inner + 2], pool[inner + 3])
        elif ik == D_FIXED:
            c = pool[inner + 1]
            for p in range(nb):
                out[p] = c
        elif ik == D_UNIFORM:
            lo, w = pool[inner + 1], pool[inner + 2]
            for p in range(nb):
                out[p] = lo + w * qbuf[p]
        elif ik == D_TRI:
            lo, hi, mode, w, left, right = (pool[inner + 1], pool[inner + 2], pool[inner + 3], pool[inner + 4],
                                            pool[inner + 5], pool[inner + 6])
            for p in range(nb):
                q = qbuf[p]
                x_lo = lo + np.sqrt(q * w * left)
                x_hi = hi - np.sqrt((1.0 - q) * w * right)
                out[p] = x_lo if q < mode else x_hi
        else:
            for p in range(nb):
                out[p] = icdf(pool, inner, tables, ntab, qbuf[p])
        for p in range(nb):
            if not late[p]:
                out[p] = 0.0


@_sub_jit
def _icdf_rows(pool, at, tables, ntab, src, dst, m, cell, dist, qbuf, late):
    """dst[:m] = the inverse CDF of the uniforms src[:m] (clipped first; dst may be src).

    ``cell``, ``dist``, ``qbuf``, ``late``: scratch of ``_LB`` values.
    """
    kind = int(pool[at])
    if kind == D_TABLE:
        _table_rows(tables[int(pool[at + 1])], src, dst, m, pool[at + 2], pool[at + 3], True, cell, dist)
    elif kind == D_BERN:
        q = pool[at + 1]
        for p in range(m):
            dst[p] = 1.0 if _clip_u(src[p]) >= q else 0.0
    elif kind == D_MIX:
        _mix_rows(pool, at, tables, ntab, src, dst, m, cell, dist, qbuf, late)
    elif kind == D_TRI:
        lo, hi, mode, w, left, right = (pool[at + 1], pool[at + 2], pool[at + 3], pool[at + 4], pool[at + 5],
                                        pool[at + 6])
        for p in range(m):
            u = _clip_u(src[p])
            x_lo = lo + np.sqrt(u * w * left)
            x_hi = hi - np.sqrt((1.0 - u) * w * right)
            dst[p] = x_lo if u < mode else x_hi
    else:
        for p in range(m):
            dst[p] = icdf(pool, at, tables, ntab, _clip_u(src[p]))


@_sub_jit
def icdf_row(pool, at, tables, ntab, src, dst, m):
    """dst[:m] = the inverse CDF of the uniforms src[:m] (clipped first; dst may be src)."""
    _icdf_rows(pool, at, tables, ntab, src, dst, m, np.empty(_LB, dtype=np.int64), np.empty(_LB),
               np.empty(_LB), np.empty(_LB, dtype=np.bool_))


# --- elementwise operations --------------------------------------------------------------------------


@_inline
def _add(x, y):
    return x + y


@_inline
def _sub(x, y):
    return x - y


@_inline
def _mul(x, y):
    return x * y


@_inline
def _div(x, y):
    return x / y


@_inline
def _pow(x, y):
    return x ** y


@_inline
def _min(x, y):
    return x if (x < y or x != x) else y  # NaN from either side stays NaN, as np.minimum


@_inline
def _max(x, y):
    return x if (x > y or x != x) else y


@_inline
def _divpos(x, y):
    return x / y if y > 0.0 else 0.0


@_inline
def _flat(meta, r, ny, n):
    """Whether register r holds ny rows of n values back to back (a model register of a full chunk)."""
    return meta[r, 3] == 1 and meta[r, 1] == ny and meta[r, 2] == n


@_inline
def _scalar(meta, r):
    return meta[r, 3] == 0 and meta[r, 1] == 1


@_inline
def _apply(f, z, xa, xb, m, a_vec, b_vec, limit):
    """z[:m] = f(xa, xb), an operand that is not a vector (``a_vec``, ``b_vec``) being its one
    value; returns whether a value written is not a number of at most ``limit`` in absolute
    value (tested while the value is in a register, not in a second pass)."""
    bad = False
    if a_vec and b_vec:
        for p in range(m):
            v = f(xa[p], xb[p])
            z[p] = v
            bad |= not abs(v) <= limit
    elif a_vec:
        vb = xb[0]
        for p in range(m):
            v = f(xa[p], vb)
            z[p] = v
            bad |= not abs(v) <= limit
    else:
        va = xa[0]
        for p in range(m):
            v = f(va, xb[p])
            z[p] = v
            bad |= not abs(v) <= limit
    return bad


@_inline
def _binary(f, ws, d, a, b, meta, n, limit):
    """Register d = f(a, b), broadcasting as numpy does; returns whether a value written fails
    the check a layout moved into this operation (``limit``; inf when there is none)."""
    ny = meta[d, 1]
    if ny > 1 and _flat(meta, d, ny, n):
        # every year in one loop: per year, a loop's set-up cost as much as a tenth of its work
        fa, fb = _flat(meta, a, ny, n), _flat(meta, b, ny, n)
        if (fa and (fb or _scalar(meta, b))) or (fb and _scalar(meta, a)):
            m = ny * n
            return _apply(f, ws[meta[d, 0]:meta[d, 0] + m], ws[meta[a, 0]:meta[a, 0] + (m if fa else 1)],
                          ws[meta[b, 0]:meta[b, 0] + (m if fb else 1)], m, fa, fb, limit)
    bad = False
    for y in range(ny):
        z = _row(ws, d, y, meta, n)
        xa = _row(ws, a, y, meta, n)
        xb = _row(ws, b, y, meta, n)
        if meta[d, 3]:
            bad |= _apply(f, z, xa, xb, n, meta[a, 3] == 1, meta[b, 3] == 1, limit)
        else:
            bad |= _apply(f, z, xa, xb, 1, True, True, limit)
    return bad


@_sub_jit
def _bin_add(ws, d, a, b, meta, n, limit):
    return _binary(_add, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_mul(ws, d, a, b, meta, n, limit):
    return _binary(_mul, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_sub(ws, d, a, b, meta, n, limit):
    return _binary(_sub, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_div(ws, d, a, b, meta, n, limit):
    return _binary(_div, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_divpos(ws, d, a, b, meta, n, limit):
    return _binary(_divpos, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_min(ws, d, a, b, meta, n, limit):
    return _binary(_min, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_max(ws, d, a, b, meta, n, limit):
    return _binary(_max, ws, d, a, b, meta, n, limit)


@_sub_jit
def _bin_pow(ws, d, a, b, meta, n, limit):
    return _binary(_pow, ws, d, a, b, meta, n, limit)


@_sub_jit
def _unary(code, ws, d, a, meta, n):
    m = n if meta[d, 3] else 1
    for y in range(meta[d, 1]):
        z = _row(ws, d, y, meta, n)
        x = _row(ws, a, y, meta, n)
        if code == NEG:
            for p in range(m):
                z[p] = -x[p]
        elif code == ABS:
            for p in range(m):
                z[p] = abs(x[p])
        elif code == SQRT:
            for p in range(m):
                z[p] = np.sqrt(x[p])
        elif code == EXP:
            for p in range(m):
                z[p] = np.exp(x[p])
        else:
            for p in range(m):
                z[p] = np.log(x[p])


@_sub_jit
def _exceeds(ws, r, limit, meta, n):
    """Whether some value of register r is not a number of at most ``limit`` in absolute value."""
    m = n if meta[r, 3] else 1
    bad = False
    for y in range(meta[r, 1]):
        x = _row(ws, r, y, meta, n)
        for p in range(m):
            bad |= not abs(x[p]) <= limit  # also true for NaN
    return bad


@_sub_jit
def _copula(pool, at, ws, meta, n, ntab, ptab, zbuf):
    """Gaussian copula on the members' uniforms, in place (:func:`simulator.core.sampling.correlate`)."""
    _copula_rows(pool, at, ws, meta, n, ntab, ptab, zbuf, np.empty(n), np.empty(_LB, dtype=np.int64),
                 np.empty(_LB))


@_sub_jit
def _copula_rows(pool, at, ws, meta, n, ntab, ptab, zbuf, acc, cell, dist):
    """:func:`_copula` with its scratch given: ``acc`` n values, ``cell`` and ``dist`` ``_LB``.

    Normal scores by table (the members' uniforms are not clipped, as in the numpy engine),
    the lower-triangular mix a row at a time (per path the same sum in the same order), and
    Phi by table, each in passes over the paths that LLVM can vectorise.
    """
    k = int(pool[at])
    chol = at + 1 + k
    for j in range(k):
        u = _row(ws, int(pool[at + 1 + j]), 0, meta, n)
        z = zbuf[j]
        for s0 in range(0, n, _LB):
            nb = min(_LB, n - s0)
            ub = u[s0:s0 + nb]
            for p in range(nb):
                cell[p], dist[p] = _cell(ub[p])
            _lookup_raw(ntab, cell, dist, z[s0:s0 + nb], nb)
    for j in range(k):
        u = _row(ws, int(pool[at + 1 + j]), 0, meta, n)
        c0 = pool[chol + j * k]
        z0 = zbuf[0]
        for p in range(n):
            acc[p] = z0[p] * c0
        for q in range(1, j + 1):
            c = pool[chol + j * k + q]
            zq = zbuf[q]
            for p in range(n):
                acc[p] += c * zq[p]
        for s0 in range(0, n, _LB):
            nb = min(_LB, n - s0)
            ab = acc[s0:s0 + nb]
            ub = u[s0:s0 + nb]
            for p in range(nb):
                cell[p] = _phi_cell(ptab, ab[p])
            for p in range(nb):
                ub[p] = _phi_at(ptab, cell[p], ab[p])


@_inline
def _strides(meta, r):
    """Register r's start, year stride and path stride (0 where it does not vary by that axis)."""
    return meta[r, 0], (meta[r, 2] if meta[r, 1] > 1 else 0), (1 if meta[r, 3] else 0)


@_inline
def _lags(delay, pd, years, n, kbuf, wbuf):
    """Each path's delay split into whole years (kbuf) and the fraction of the next (wbuf);
    a delay that lands no lag inside the years gets years + 1 (the profile becomes all zero)."""
    for p in range(n):
        dl = delay[p * pd]
        if dl >= 0.0 and dl < years:
            kf = np.floor(dl)
            kbuf[p] = int(kf)
            wbuf[p] = dl - kf
        else:
            kbuf[p] = years + 1
            wbuf[p] = 0.0


@_inline
def _top_lag(kbuf, n, years):
    """The largest lag a path of the chunk reaches (k + 1 for the fraction), at most years - 1:
    lags beyond it only add exact zeros (as the numpy engine's ``shift`` skips them)."""
    top = 0
    for p in range(n):
        k = kbuf[p]
        if k < years and k + 1 > top:
            top = k + 1
    return min(top, years - 1)


@_inline
def _lag_sum(ws, xa, sx, px, t, top, n, kbuf, wbuf, acc):
    """acc[:n] = 0 + c_0 x[t] + c_1 x[t - 1] + ... over the lags j <= min(t, top), with
    c_j = (1 - w if k == j else 0) + (w if k == j - 1 else 0): the numpy engine's ``shift``
    term for term, so the same bits. Branch-free and contiguous per lag (a per-path branch on
    a random delay was mispredicted about every other value, a per-path gather is not
    vectorised): about 15 multiply-adds per value instead of two, and still faster."""
    for p in range(n):
        acc[p] = 0.0
    for j in range(min(t, top) + 1):
        row = xa + (t - j) * sx
        if px:
            x = ws[row:row + n]
            for p in range(n):
                k = kbuf[p]
                w = wbuf[p]
                c = (1.0 - w if k == j else 0.0) + (w if k == j - 1 else 0.0)
                acc[p] += c * x[p]
        else:
            v = ws[row]
            for p in range(n):
                k = kbuf[p]
                w = wbuf[p]
                c = (1.0 - w if k == j else 0.0) + (w if k == j - 1 else 0.0)
                acc[p] += c * v


@_sub_jit
def _shift(ws, d, a, b, meta, n, kbuf, wbuf):
    """Delay a (year, path) profile by each path's delay [years] (:func:`simulator.core.measures.shift`)."""
    years = meta[d, 1]
    _lags(_row(ws, b, 0, meta, n), 1 if meta[b, 3] else 0, years, n, kbuf, wbuf)
    top = _top_lag(kbuf, n, years)
    xa, sx, px = _strides(meta, a)
    for t in range(years):
        _lag_sum(ws, xa, sx, px, t, top, n, kbuf, wbuf, _row(ws, d, t, meta, n))


@_inline
def _as_row(ws, r, y, meta, n, buf):
    """Row y of register r as n values: its own row, or its one value copied into ``buf`` (so
    one loop serves every shape; the value is the same double either way)."""
    x = _row(ws, r, y, meta, n)
    if meta[r, 3]:
        return x
    v = x[0]
    for p in range(n):
        buf[p] = v
    return buf[:n]


@_sub_jit
def _euro_shift(ws, d, a, b, c, meta, n, kbuf, wbuf, scratch):
    """Delay a share of a cost as its planned euros (:func:`simulator.core.measures.delayed`).

    Per path: no delay keeps the share a (year, path); otherwise the euros a x B (B the post's
    baseline, register c) move as :func:`_shift` moves a profile and become a share of the
    realised year's baseline; where B is not positive the share itself moves. Both sums in
    one pass per lag, the product a x B formed where it is added (the same product numpy's
    ``profile * baseline`` holds, so the same bits). ``scratch``: five rows of ``len(kbuf)``
    values (the two sums, and the delay, share and baseline where they do not vary by path).
    """
    w = kbuf.shape[0]
    moved, euro = scratch[0:n], scratch[w:w + n]
    sa, sc = scratch[3 * w:4 * w], scratch[4 * w:5 * w]
    years = meta[d, 1]
    delay = _as_row(ws, b, 0, meta, n, scratch[2 * w:3 * w])
    _lags(delay, 1, years, n, kbuf, wbuf)
    top = _top_lag(kbuf, n, years)
    for t in range(years):
        for p in range(n):
            moved[p] = 0.0
            euro[p] = 0.0
        for j in range(min(t, top) + 1):
            x = _as_row(ws, a, t - j, meta, n, sa)
            bx = _as_row(ws, c, t - j, meta, n, sc)
            for p in range(n):
                k = kbuf[p]
                wp = wbuf[p]
                cj = (1.0 - wp if k == j else 0.0) + (wp if k == j - 1 else 0.0)
                moved[p] += cj * x[p]
                euro[p] += cj * (x[p] * bx[p])
        keep = _as_row(ws, a, t, meta, n, sa)
        base = _as_row(ws, c, t, meta, n, sc)
        z = _row(ws, d, t, meta, n)
        for p in range(n):
            bv = base[p]
            share = euro[p] / bv if bv > 0.0 else moved[p]
            z[p] = keep[p] if delay[p] == 0.0 else share


@_sub_jit
def _outsum(pool, at, ws, meta, n, h0, start, out, slot, acc):
    """out[slot] over the horizon = 0 + each term in turn (:func:`simulator.core.scopes.add_scaled`):
    + x for weight 1, - x for -1, + w x otherwise; terms (register, weight) are listed at pool[at].

    Summed in ``acc`` (n values, in the L1 cache) and written to ``out`` once: ``out`` holds the
    whole block, so adding each term there read and wrote memory beyond the caches per term.
    """
    k = int(pool[at])
    for y in range(h0, out.shape[1] + h0):
        z = acc[:n]
        for p in range(n):
            z[p] = 0.0
        for j in range(k):
            r = int(pool[at + 1 + 2 * j])
            w = pool[at + 2 + 2 * j]
            x = _row(ws, r, y, meta, n)
            if meta[r, 3]:
                if w == 1.0:
                    for p in range(n):
                        z[p] += x[p]
                elif w == -1.0:
                    for p in range(n):
                        z[p] -= x[p]
                else:
                    for p in range(n):
                        z[p] += w * x[p]
            else:
                v = x[0] if w == 1.0 else (-x[0] if w == -1.0 else w * x[0])
                for p in range(n):
                    z[p] += v
        row = out[slot, y - h0, start:start + n]
        for p in range(n):
            row[p] = z[p]


@_sub_jit
def _execute(code, first, last, pool, meta, tables, ntab, ptab, states, n, h0, start, out, ws,
             zbuf, kbuf, wbuf, scratch):
    """Instructions first..last-1 over n paths (the chunk starting at path ``start``).

    One function on purpose (over the ~60 lines of issue 11): this is the interpreter's
    dispatch loop, one branch per opcode, each a call to a compiled helper. Splitting the
    branches into further functions adds a call per instruction and per chunk (numba does not
    inline across a table of calls) and gives nothing to read: each branch is a line or two.
    """
    for i in range(first, last):
        op = code[i, 0]
        d = code[i, 1]
        a = code[i, 2]
        b = code[i, 3]
        c = code[i, 4]
        imm = code[i, 5]
        if op == OP_BIN:
            # a check moved here by the layout (``layout._fuse_checks``) is tested as the values
            # are written (imm: the pool offset of its limit and error code)
            limit = pool[imm] if imm >= 0 else np.inf
            if c == ADD:
                bad = _bin_add(ws, d, a, b, meta, n, limit)
            elif c == MUL:
                bad = _bin_mul(ws, d, a, b, meta, n, limit)
            elif c == SUB:
                bad = _bin_sub(ws, d, a, b, meta, n, limit)
            elif c == DIV:
                bad = _bin_div(ws, d, a, b, meta, n, limit)
            elif c == DIVPOS:
                bad = _bin_divpos(ws, d, a, b, meta, n, limit)
            elif c == MIN:
                bad = _bin_min(ws, d, a, b, meta, n, limit)
            elif c == MAX:
                bad = _bin_max(ws, d, a, b, meta, n, limit)
            else:
                if c == POWX and _exceeds(ws, b, MAX_EXPONENT, meta, n):
                    return ERR_EXPONENT
                bad = _bin_pow(ws, d, a, b, meta, n, limit)
            if imm >= 0 and bad:
                return int(pool[imm + 1])
        elif op == OP_CONST:
            ws[meta[d, 0]] = pool[imm]
        elif op == OP_VEC:
            for y in range(meta[d, 1]):
                ws[meta[d, 0] + y] = pool[imm + y]
        elif op == OP_DRAW:
            for y in range(meta[d, 1]):
                sfc64_fill(states, a + y, _row(ws, d, y, meta, n), n)
        elif op == OP_ICDF:
            for y in range(meta[d, 1]):
                icdf_row(pool, imm, tables, ntab, _row(ws, a, y, meta, n),
                         _row(ws, d, y, meta, n), n)
        elif op == OP_COPULA:
            _copula(pool, imm, ws, meta, n, ntab, ptab, zbuf)
        elif op == OP_UN:
            _unary(c, ws, d, a, meta, n)
        elif op == OP_CLIP:
            low, high = pool[imm], pool[imm + 1]
            m = n if meta[d, 3] else 1
            for y in range(meta[d, 1]):
                z = _row(ws, d, y, meta, n)
                x = _row(ws, a, y, meta, n)
                for p in range(m):
                    v = x[p]
                    z[p] = low if v < low else (high if v > high else v)
        elif op == OP_CHECK:
            if _exceeds(ws, a, pool[imm], meta, n):
                return ERR_VALUE
        elif op == OP_BOUND:
            if _exceeds(ws, a, pool[imm], meta, n):
                return ERR_RESULT
        elif op == OP_SHIFT:
            _shift(ws, d, a, b, meta, n, kbuf, wbuf)
        elif op == OP_ESHIFT:
            _euro_shift(ws, d, a, b, c, meta, n, kbuf, wbuf, scratch)
        elif op == OP_CUMGROW:
            m = n if meta[d, 3] else 1
            g = _row(ws, a, 0, meta, n)
            z = _row(ws, d, 0, meta, n)
            for p in range(m):
                z[p] = 1.0 + g[p]
            for t in range(1, meta[d, 1]):
                prev = z
                g = _row(ws, a, t, meta, n)
                z = _row(ws, d, t, meta, n)
                for p in range(m):
                    z[p] = prev[p] * (1.0 + g[p])
        elif op == OP_COPY:
            m = n if meta[d, 3] else 1
            for y in range(meta[d, 1]):
                _put(_row(ws, d, y, meta, n), _row(ws, a, y, meta, n), m, meta[a, 3])
        elif op == OP_BYYEAR:
            m = n if meta[d, 3] else 1
            for y in range(meta[d, 1]):
                z = _row(ws, d, y, meta, n)
                for p in range(m):
                    z[p] = 0.0
            for j in range(int(pool[imm])):
                t = int(pool[imm + 1 + 2 * j])
                r = int(pool[imm + 2 + 2 * j])
                _put(_row(ws, d, t, meta, n), _row(ws, r, t, meta, n), m, meta[r, 3])
        elif op == OP_OUTSUM:
            _outsum(pool, imm, ws, meta, n, h0, start, out, c, scratch)
        elif op == OP_OUT:
            for y in range(h0, out.shape[1] + h0):
                _put(out[c, y - h0, start:start + n], _row(ws, a, y, meta, n), n, meta[a, 3])
    return 0


# --- sampling ----------------------------------------------------------------------------------------


@_sub_jit
def _sample(code, first, last, pool, meta, tables, ntab, ptab, states, n, h0, start, out, ws, zbuf, kbuf,
            wbuf, scratch, acc, cell, dist, qbuf, late):
    """Instructions first..last-1 of the sampling section over n paths: what :func:`_execute`
    does, with the inverse CDFs and copula given their scratch once per run instead of
    allocating it per row (see :func:`_icdf_rows`); any other instruction is left to
    :func:`_execute`."""
    held_s = -1  # a stream waiting for a second to be drawn with (see sfc64_fill2): its number,
    held_r = 0  # register and year
    held_y = 0
    for i in range(first, last):
        op = code[i, 0]
        d = code[i, 1]
        if op != OP_DRAW and held_s >= 0:
            sfc64_fill(states, held_s, _row(ws, held_r, held_y, meta, n), n)
            held_s = -1
        if op == OP_DRAW:
            for y in range(meta[d, 1]):
                if held_s >= 0:
                    sfc64_fill2(states, held_s, _row(ws, held_r, held_y, meta, n), code[i, 2] + y,
                                _row(ws, d, y, meta, n), n)
                    held_s = -1
                else:
                    held_s, held_r, held_y = code[i, 2] + y, d, y
        elif op == OP_ICDF:
            for y in range(meta[d, 1]):
                _icdf_rows(pool, code[i, 5], tables, ntab, _row(ws, code[i, 2], y, meta, n), _row(ws, d, y, meta, n),
                           n, cell, dist, qbuf, late)
        elif op == OP_COPULA:
            _copula_rows(pool, code[i, 5], ws, meta, n, ntab, ptab, zbuf, acc, cell, dist)
        else:
            err = _execute(code, i, i + 1, pool, meta, tables, ntab, ptab, states, n, h0, start, out, ws, zbuf, kbuf,
                           wbuf, scratch)
            if err:
                return err
    if held_s >= 0:
        sfc64_fill(states, held_s, _row(ws, held_r, held_y, meta, n), n)
    return 0


# --- the machine -----------------------------------------------------------------------------------


@_jit
def compiled_codes():
    """The instruction and distribution codes as compiled into the cached kernel.

    numba freezes imported constants into the machine code and re-checks only this file's
    own source when it loads its cache, so a change of a code in ``program.py`` alone would
    leave a stale kernel: the runner compares these with ``program.codes()`` first.
    """
    return np.array([OP_BIN, OP_CONST, OP_VEC, OP_DRAW, OP_ICDF, OP_COPULA, OP_UN, OP_CLIP, OP_CHECK, OP_BOUND,
                     OP_SHIFT, OP_CUMGROW, OP_COPY, OP_BYYEAR, OP_OUT, OP_ESHIFT, OP_OUTSUM,
                     ADD, MUL, SUB, DIV, DIVPOS, MIN, MAX, POWX, NEG, ABS, SQRT, EXP,
                     D_TABLE, D_BERN, D_MIX, D_FIXED, D_UNIFORM, D_TRI, D_NORMAL, D_LOGNORMAL, D_DISCRETE,
                     ERR_EXPONENT, ERR_VALUE, ERR_RESULT], dtype=np.int64)


@_inline
def _scratch(S, C):
    """A run's scratch: copula scores (64 members x S), delay lags and fractions (C), five rows
    of C for euro delays and sums, S for the copula's mix, and the table passes' four of _LB."""
    return (np.empty((64, S)), np.empty(C, dtype=np.int64), np.empty(C), np.empty(5 * C), np.empty(S),
            np.empty(_LB, dtype=np.int64), np.empty(_LB), np.empty(_LB), np.empty(_LB, dtype=np.bool_))


@_jit
def run(code, sample_end, pool, base, sample_regs, tables, ntab, ptab, states, n_total, S, C, h0,
        out, ws):
    """Run the program over ``n_total`` paths; returns 0 or an error code.

    Sampling (instructions before ``sample_end``) runs per sample chunk of ``S`` paths, so
    each inverse-CDF table serves many values while it is in the cache; the model runs per
    model chunk of ``C`` paths within it, so its registers stay in the L1/L2 cache.
    ``base``: per register (address, rows, row stride, varies by path) for a chunk at the
    start of a sample chunk; the sample registers (``sample_regs``) move along it.
    ``out`` (slot, horizon year, path) receives the OUT instructions' registers.
    """
    meta = base.copy()
    zbuf, kbuf, wbuf, scratch, acc, cell, dist, qbuf, late = _scratch(S, C)
    last = code.shape[0]
    for s0 in range(0, n_total, S):
        ns = min(S, n_total - s0)
        for r in sample_regs:
            meta[r, 0] = base[r, 0]
        err = _sample(code, 0, sample_end, pool, meta, tables, ntab, ptab, states, ns, h0, s0, out, ws, zbuf, kbuf,
                      wbuf, scratch, acc, cell, dist, qbuf, late)
        if err:
            return err
        for c0 in range(0, ns, C):
            nc = min(C, ns - c0)
            for r in sample_regs:
                meta[r, 0] = base[r, 0] + c0
            err = _execute(code, sample_end, last, pool, meta, tables, ntab, ptab, states, nc, h0,
                           s0 + c0, out, ws, zbuf, kbuf, wbuf, scratch)
            if err:
                return err
    return 0


# --- the machine with the model compiled per program (simulator.core.compiled.codegen) -----------------


def _call_address(builder, args, params):
    """Lower a call of the function at address args[0] with args[1:] (int64s: the pointers among
    ``params``, the LLVM parameter types, are cast from their addresses)."""
    i64 = llir.IntType(64)
    fn = builder.inttoptr(args[0], llir.FunctionType(i64, params).as_pointer())
    return builder.call(fn, [builder.inttoptr(x, t) if isinstance(t, llir.PointerType) else x
                             for x, t in zip(args[1:], params, strict=True)])


_I64, _PD = llir.IntType(64), llir.DoubleType().as_pointer()


@intrinsic
def _call_model(typingctx, fn, ws, out, pool, start, ostride, p0, p1):
    """Call the compiled model at address ``fn`` (``codegen``'s ``model8``/``model1``)."""
    return (types.int64(*[types.int64] * 8),
            lambda context, builder, sig, args: _call_address(builder, args, [_PD, _PD, _PD, _I64, _I64, _I64, _I64]))


@intrinsic
def _call_draw(typingctx, fn, states, ws, n):
    """Call the compiled draws at address ``fn`` (``codegen``'s ``draw``)."""
    return (types.int64(*[types.int64] * 4),
            lambda context, builder, sig, args: _call_address(builder, args, [_I64.as_pointer(), _PD, _I64]))


@_jit
def run_coded(code, sample_end, pool, base, sample_regs, tables, ntab, ptab, states, n_total, S, C, h0,
              out, ws, fn_vec, fn_one, width, fn_draw, draws):
    """:func:`run` with the model section run by its compiled function (``fn_vec`` over whole
    groups of ``width`` paths, ``fn_one`` over the rest) once per sample chunk instead of by
    :func:`_execute` per model chunk, and the first ``draws`` instructions (all draws) by the
    compiled ``fn_draw``; the rest of the sampling section runs as in :func:`run`."""
    meta = base.copy()
    zbuf, kbuf, wbuf, scratch, acc, cell, dist, qbuf, late = _scratch(S, C)
    at_ws, at_out, at_pool, at_states = ws.ctypes.data, out.ctypes.data, pool.ctypes.data, states.ctypes.data
    for s0 in range(0, n_total, S):
        ns = min(S, n_total - s0)
        if draws:
            _call_draw(fn_draw, at_states, at_ws, ns)  # type: ignore[call-arg]
        err = _sample(code, draws, sample_end, pool, meta, tables, ntab, ptab, states, ns, h0, s0, out, ws, zbuf,
                      kbuf, wbuf, scratch, acc, cell, dist, qbuf, late)
        if err:
            return err
        whole = ns - ns % width
        # (numba passes the typing context itself: mypy sees one argument missing)
        if _call_model(fn_vec, at_ws, at_out, at_pool, s0, n_total, 0, whole):  # type: ignore[call-arg]
            return ERR_VALUE
        if whole < ns and _call_model(fn_one, at_ws, at_out, at_pool, s0, n_total, whole, ns):
            return ERR_VALUE
    return 0
