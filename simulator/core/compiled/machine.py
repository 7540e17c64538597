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
"""

from __future__ import annotations

import numpy as np
from numba import njit

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
    OP_CHECK,
    OP_CLIP,
    OP_CONST,
    OP_COPULA,
    OP_COPY,
    OP_CUMGROW,
    OP_DRAW,
    OP_ICDF,
    OP_OUT,
    OP_ROWGET,
    OP_ROWSET,
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


# --- random numbers ------------------------------------------------------------------------------


@_inline
def sfc64_fill(states, s, ws, at, n):
    """n doubles of stream s into ws[at:at + n], as numpy's Generator(SFC64).random does."""
    a, b, c, w = states[s, 0], states[s, 1], states[s, 2], states[s, 3]
    for i in range(n):
        tmp = a + b + w
        w += np.uint64(1)
        a = b ^ (b >> np.uint64(11))
        b = c + (c << np.uint64(3))
        c = ((c << np.uint64(24)) | (c >> np.uint64(40))) + tmp
        ws[at + i] = np.float64(tmp >> np.uint64(11)) * _INV53
    states[s, 0], states[s, 1], states[s, 2], states[s, 3] = a, b, c, w


# --- inverse CDFs ----------------------------------------------------------------------------------


@_inline
def tail(tab, u):
    """A tail-refined table at u (:class:`simulator.scenario.quantiles.TailTable`)."""
    v = 1.0 - u
    if u < v:
        v = u
    idx = int(np.float64(v).view(np.int64) >> _SHIFT) - _OFFSET
    if idx < 0:
        idx = 0
    idx ^= int(np.float64(0.5 - u).view(np.int64) >> 63) & (CELLS - 1)
    if idx > CELLS - 1:
        idx = CELLS - 1
    return tab[idx, 0] + tab[idx, 1] * v


@_inline
def phi(tab, z):
    """Phi by table (:func:`simulator.scenario.quantiles.normal_cdf`)."""
    x = z * _PHI_SCALE
    x += _PHI_MID
    top = tab.shape[0] - 1
    if x > top:
        idx = top
    elif x > 0.0:
        idx = int(x)
    else:
        idx = 0
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
def icdf_simple(pool, at, tables, ntab, u):
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
        lo, hi = 0, k  # first index with cum > u (searchsorted, side="right")
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
def icdf(pool, at, tables, ntab, u):
    if int(pool[at]) == D_MIX:
        if u < pool[at + 1]:
            return 0.0
        q = (u - pool[at + 1]) / pool[at + 2]
        if q < 0.0:
            q = 0.0
        elif q > 1.0:
            q = 1.0
        return icdf_simple(pool, int(pool[at + 3]), tables, ntab, q)
    return icdf_simple(pool, at, tables, ntab, u)


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
def _binary(f, ws, d, a, b, addr, ny, pf, C, n):
    rows = ny[d]
    sa = (C if pf[a] else 1) if ny[a] > 1 else 0
    sb = (C if pf[b] else 1) if ny[b] > 1 else 0
    sd = C if pf[d] else 1
    for y in range(rows):
        oa = addr[a] + y * sa
        ob = addr[b] + y * sb
        od = addr[d] + y * sd
        if pf[d]:
            if pf[a] and pf[b]:
                for p in range(n):
                    ws[od + p] = f(ws[oa + p], ws[ob + p])
            elif pf[a]:
                xb = ws[ob]
                for p in range(n):
                    ws[od + p] = f(ws[oa + p], xb)
            else:
                xa = ws[oa]
                for p in range(n):
                    ws[od + p] = f(xa, ws[ob + p])
        else:
            ws[od] = f(ws[oa], ws[ob])


@_sub_jit
def _bin_add(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_add, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_mul(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_mul, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_sub(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_sub, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_div(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_div, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_divpos(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_divpos, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_min(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_min, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_max(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_max, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _bin_pow(ws, d, a, b, addr, ny, pf, C, n):
    _binary(_pow, ws, d, a, b, addr, ny, pf, C, n)


@_sub_jit
def _unary(code, ws, d, a, addr, ny, pf, C, n):
    m = n if pf[d] else 1
    sa = (C if pf[a] else 1)
    sd = C if pf[d] else 1
    for y in range(ny[d]):
        oa = addr[a] + y * sa
        od = addr[d] + y * sd
        if code == NEG:
            for p in range(m):
                ws[od + p] = -ws[oa + p]
        elif code == ABS:
            for p in range(m):
                ws[od + p] = abs(ws[oa + p])
        elif code == SQRT:
            for p in range(m):
                ws[od + p] = np.sqrt(ws[oa + p])
        elif code == EXP:
            for p in range(m):
                ws[od + p] = np.exp(ws[oa + p])
        else:
            for p in range(m):
                ws[od + p] = np.log(ws[oa + p])


@_inline
def _at(r, y, p, addr, ny, pf, C):
    """Workspace index of register r at (year y, path p), broadcasting size-1 dimensions."""
    i = addr[r]
    if ny[r] > 1:
        i += y * (C if pf[r] else 1)
    if pf[r]:
        i += p
    return i


@_sub_jit
def _exceeds(ws, r, limit, addr, ny, pf, C, n):
    m = n if pf[r] else 1
    s = C if pf[r] else 1
    for y in range(ny[r]):
        o = addr[r] + y * s
        for p in range(m):
            if not abs(ws[o + p]) <= limit:  # also true for NaN
                return True
    return False


# --- the machine -----------------------------------------------------------------------------------


@_jit
def run(code, pool, addr, ny, pf, tables, ntab, ptab, states, n_total, C, h0, out, ws):
    """Run the program over ``n_total`` paths in chunks of ``C``; returns 0 or an error code.

    ``out`` (slot, horizon year, path) receives the OUT instructions' registers.
    """
    zbuf = np.empty(64)
    for start in range(0, n_total, C):
        n = min(C, n_total - start)
        for i in range(code.shape[0]):
            op = code[i, 0]
            d = code[i, 1]
            a = code[i, 2]
            b = code[i, 3]
            c = code[i, 4]
            imm = code[i, 5]
            if op == OP_BIN:
                if c == ADD:
                    _bin_add(ws, d, a, b, addr, ny, pf, C, n)
                elif c == MUL:
                    _bin_mul(ws, d, a, b, addr, ny, pf, C, n)
                elif c == SUB:
                    _bin_sub(ws, d, a, b, addr, ny, pf, C, n)
                elif c == DIV:
                    _bin_div(ws, d, a, b, addr, ny, pf, C, n)
                elif c == DIVPOS:
                    _bin_divpos(ws, d, a, b, addr, ny, pf, C, n)
                elif c == MIN:
                    _bin_min(ws, d, a, b, addr, ny, pf, C, n)
                elif c == MAX:
                    _bin_max(ws, d, a, b, addr, ny, pf, C, n)
                else:
                    if c == POWX and _exceeds(ws, b, MAX_EXPONENT, addr, ny, pf, C, n):
                        return ERR_EXPONENT
                    _bin_pow(ws, d, a, b, addr, ny, pf, C, n)
            elif op == OP_CONST:
                ws[addr[d]] = pool[imm]
            elif op == OP_VEC:
                for y in range(ny[d]):
                    ws[addr[d] + y] = pool[imm + y]
            elif op == OP_DRAW:
                for y in range(ny[d]):
                    sfc64_fill(states, a + y, ws, addr[d] + y * C, n)
            elif op == OP_ICDF:
                m = n if pf[d] else 1
                for y in range(ny[d]):
                    oa = _at(a, y, 0, addr, ny, pf, C)
                    od = _at(d, y, 0, addr, ny, pf, C)
                    for p in range(m):
                        ws[od + p] = icdf(pool, imm, tables, ntab, _clip_u(ws[oa + p]))
            elif op == OP_COPULA:
                k = int(pool[imm])
                chol = imm + 1 + k
                for p in range(n):
                    for j in range(k):
                        zbuf[j] = tail(ntab, ws[addr[int(pool[imm + 1 + j])] + p])
                    for j in range(k):
                        acc = zbuf[0] * pool[chol + j * k]
                        for q in range(1, j + 1):
                            acc += pool[chol + j * k + q] * zbuf[q]
                        ws[addr[int(pool[imm + 1 + j])] + p] = phi(ptab, acc)
            elif op == OP_UN:
                _unary(c, ws, d, a, addr, ny, pf, C, n)
            elif op == OP_CLIP:
                low, high = pool[imm], pool[imm + 1]
                m = n if pf[d] else 1
                for y in range(ny[d]):
                    oa = _at(a, y, 0, addr, ny, pf, C)
                    od = _at(d, y, 0, addr, ny, pf, C)
                    for p in range(m):
                        x = ws[oa + p]
                        ws[od + p] = low if x < low else (high if x > high else x)
            elif op == OP_CHECK:
                if _exceeds(ws, a, pool[imm], addr, ny, pf, C, n):
                    return ERR_VALUE
            elif op == OP_BOUND:
                if _exceeds(ws, a, pool[imm], addr, ny, pf, C, n):
                    return ERR_RESULT
            elif op == OP_SHIFT:
                years = ny[d]
                for p in range(n):
                    dl = ws[_at(b, 0, p, addr, ny, pf, C)]
                    od = addr[d] + p
                    if not (dl >= 0.0 and dl < years):
                        for t in range(years):
                            ws[od + t * C] = 0.0
                        continue
                    kf = np.floor(dl)
                    w = dl - kf
                    k = int(kf)
                    for t in range(years):
                        v = 0.0
                        if t - k >= 0:
                            v = v + (1.0 - w) * ws[_at(a, t - k, p, addr, ny, pf, C)]
                        if t - k - 1 >= 0:
                            v += w * ws[_at(a, t - k - 1, p, addr, ny, pf, C)]
                        ws[od + t * C] = v
            elif op == OP_CUMGROW:
                m = n if pf[d] else 1
                for p in range(m):
                    f = 1.0 + ws[_at(a, 0, p, addr, ny, pf, C)]
                    ws[_at(d, 0, p, addr, ny, pf, C)] = f
                    for t in range(1, ny[d]):
                        f = f * (1.0 + ws[_at(a, t, p, addr, ny, pf, C)])
                        ws[_at(d, t, p, addr, ny, pf, C)] = f
            elif op == OP_COPY or op == OP_ROWSET:
                m = n if pf[d] else 1
                for y in range(ny[d]):
                    for p in range(m):
                        ws[_at(d, y, p, addr, ny, pf, C)] = ws[_at(a, y, p, addr, ny, pf, C)]
                if op == OP_ROWSET:
                    for p in range(m):
                        ws[_at(d, c, p, addr, ny, pf, C)] = ws[_at(b, 0, p, addr, ny, pf, C)]
            elif op == OP_ROWGET:
                m = n if pf[d] else 1
                for p in range(m):
                    ws[_at(d, 0, p, addr, ny, pf, C)] = ws[_at(a, c, p, addr, ny, pf, C)]
            elif op == OP_OUT:
                for y in range(h0, out.shape[1] + h0):
                    row = out[c, y - h0]
                    if pf[a]:
                        o = _at(a, y, 0, addr, ny, pf, C)
                        for p in range(n):
                            row[start + p] = ws[o + p]
                    else:
                        x = ws[_at(a, y, 0, addr, ny, pf, C)]
                        for p in range(n):
                            row[start + p] = x
    return 0
