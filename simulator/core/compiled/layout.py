"""Dead code, liveness and the register layout of a translated program.

Drops what no output or check needs and gives every register its rows in an arena (the
sample arena per sample chunk, the model and small arenas reused once a register is dead).
"""

from __future__ import annotations

import numpy as np

from simulator.core.compiled.builder import Builder, Tables
from simulator.core.compiled.program import (
    ARENA_MODEL,
    ARENA_SAMPLE,
    ARENA_SMALL,
    D_BERN,
    D_DISCRETE,
    D_FIXED,
    D_LOGNORMAL,
    D_NORMAL,
    D_TABLE,
    D_TRI,
    D_UNIFORM,
    ERR_RESULT,
    ERR_VALUE,
    OP_BIN,
    OP_BOUND,
    OP_BYYEAR,
    OP_CHECK,
    OP_CONST,
    OP_COPULA,
    OP_COPY,
    OP_DRAW,
    OP_ESHIFT,
    OP_ICDF,
    OP_OUTSUM,
    OP_VEC,
    Program,
)

# --- dead code, liveness and the register layout ------------------------------------------------


def _reads(op: list[int]) -> list[int]:
    code = op[0]
    if code in (OP_CONST, OP_VEC, OP_DRAW, OP_COPULA, OP_BYYEAR, OP_OUTSUM):
        return []  # copula members and year-table values are listed in the pool; see layout
    if code == OP_ESHIFT:  # a euro delay also reads the post's baseline
        return [r for r in (op[2], op[3], op[4]) if r >= 0]
    return [r for r in (op[2], op[3]) if r >= 0]


def layout(b: Builder, tables: Tables, streams, outputs, n_years: int, horizon_start: int) -> Program:
    """Drop what no output or check needs and place every register in its arena."""
    ops = b.ops
    pool = np.array(b.pool, dtype=np.float64)
    copula_regs = _pool_reads(ops, pool)
    n_regs = len(b.shape)
    reg_ny = np.array([n_years if s[0] else 1 for s in b.shape], dtype=np.int64)
    kept = _kept(ops, b.effects, copula_regs)
    implied = _implied_checks(ops, kept, pool, tables.array(), reg_ny)
    if implied:
        kept = _kept(ops, b.effects - implied, copula_regs)
    ops, kept, pool = _fuse_checks(ops, kept, pool)
    kept = _by_table(ops, kept, pool)
    first, last = _liveness(ops, kept, copula_regs)
    reg_off = np.full(n_regs, -1, dtype=np.int64)
    reg_pf = np.array([1 if s[1] else 0 for s in b.shape], dtype=np.int64)
    reg_arena = np.where(reg_pf == 1, ARENA_MODEL, ARENA_SMALL).astype(np.int64)
    sample_rows, sample_end = _place_sample(ops, kept, reg_off, reg_ny, reg_arena)
    top = _place_model(ops, kept, first, last, sample_end, reg_off, reg_ny, reg_pf, reg_arena)
    code = np.array([ops[i] for i in kept], dtype=np.int64).reshape(-1, 6)
    if any(op[0] in (OP_DRAW, OP_ICDF, OP_COPULA) for op in code[sample_end:]) or \
            any(op[0] not in (OP_DRAW, OP_ICDF, OP_COPULA, OP_CONST) for op in code[:sample_end]):
        raise AssertionError("sampling instructions must come first")  # pragma: no cover
    return Program(code=code, pool=pool, reg_off=reg_off, reg_ny=reg_ny, reg_pf=reg_pf, reg_arena=reg_arena,
                   slots=top[True], small=top[False], sample_rows=sample_rows, sample_end=sample_end,
                   tables=tables.array(), streams=streams, outputs=outputs, n_years=n_years,
                   horizon_start=horizon_start)


def listed(op, pool: np.ndarray) -> list[int]:
    """The registers an instruction lists in its pool entry: a copula's members, a year table's
    values, an output sum's terms (as (row or register, value or weight) pairs)."""
    code, at = op[0], op[5]
    if code == OP_COPULA:
        return [int(x) for x in pool[at + 1: at + 1 + int(pool[at])]]
    if code in (OP_BYYEAR, OP_OUTSUM):
        first = 2 if code == OP_BYYEAR else 1
        return [int(x) for x in pool[at + first: at + 1 + 2 * int(pool[at]): 2]]
    return []


def reads(op, pool: np.ndarray) -> list[int]:
    """Every register an instruction reads (those in its fields and those its pool entry lists)."""
    return _reads(op) + listed(op, pool)


def _pool_reads(ops: list[list[int]], pool: np.ndarray) -> dict[int, list[int]]:
    """The registers each instruction that lists some reads from its pool entry (see :func:`listed`)."""
    return {i: listed(op, pool) for i, op in enumerate(ops) if op[0] in (OP_COPULA, OP_BYYEAR, OP_OUTSUM)}


def _kept(ops: list[list[int]], effects, copula_regs: dict[int, list[int]]) -> list[int]:
    """The instructions an output or a check needs, in program order."""
    needed = set()
    keep = [False] * len(ops)
    for i in range(len(ops) - 1, -1, -1):
        op = ops[i]
        if i in effects or (op[1] >= 0 and op[1] in needed):
            keep[i] = True
            needed.update(_reads(op))
            needed.update(copula_regs.get(i, []))
    # a copula is kept if any member is needed: its members' draws are then needed too
    for i, regs in copula_regs.items():
        if ops[i][0] != OP_COPULA:
            continue
        if any(r in needed for r in regs):
            keep[i] = True
            needed.update(regs)
        else:
            keep[i] = False
    for i, op in enumerate(ops):
        if op[0] == OP_DRAW and op[1] in needed:
            keep[i] = True
    return [i for i in range(len(ops)) if keep[i]]


#: instructions whose every value is a value of another register (or zero): their checks can be implied
_STRUCTURAL = (OP_BYYEAR, OP_COPY)


def _by_table(ops: list[list[int]], kept: list[int], pool: np.ndarray) -> list[int]:
    """The inverse CDFs (all after the draws and copulas, each reading its own uniforms) in the
    order of their table, so a table's cells stay in the cache from one input to the next
    (Gooi: 67 inputs over 27 tables of 512 kB). Each writes only its own register: the values
    are the same in any order."""
    icdf = [k for k, i in enumerate(kept) if ops[i][0] == OP_ICDF]
    if not icdf or icdf != list(range(icdf[0], icdf[0] + len(icdf))):
        return kept  # pragma: no cover - the translator emits the inverse CDFs in one run

    def table(i: int) -> tuple[int, int]:
        at = ops[i][5]
        kind = int(pool[at])
        return (kind, int(pool[at + 1]) if kind == D_TABLE else 0)

    run = sorted(kept[icdf[0]:icdf[-1] + 1], key=table)
    return kept[:icdf[0]] + run + kept[icdf[-1] + 1:]


def _implied_checks(ops: list[list[int]], kept: list[int], pool: np.ndarray, tables: np.ndarray,
                    reg_ny: np.ndarray) -> set[int]:
    """The checks that cannot fail while every other check passes: dropped, they cost nothing.

    A check (is every value a number of at most L in absolute value?) is implied
    - when its register's values are bounded by at most L whatever the draw: a constant, or an
      inverse CDF whose range is bounded by its parameters (:func:`_icdf_bound`);
    - when its register only copies values of registers that are so bounded or that keep a
      check of their own with a limit of at most L (a year table, a copy, a row).
    Any failing check sends the whole block to the numpy engine, whichever it is and wherever
    it runs, so the block goes there exactly when it did with every check (and numpy raises
    the message). The values are untouched.
    """
    from simulator.core.compiled.program import normal_cells

    ntab = normal_cells()
    producer = {ops[i][1]: i for i in kept if ops[i][1] >= 0 and ops[i][0] not in (OP_CHECK, OP_BOUND)}
    bound: dict[int, float] = {}
    for i in kept:
        op = ops[i]
        if op[0] == OP_ICDF:
            bound[op[1]] = _icdf_bound(pool, op[5], tables, ntab)
        elif op[0] == OP_CONST:
            bound[op[1]] = abs(float(pool[op[5]]))
        elif op[0] == OP_VEC:
            bound[op[1]] = float(np.abs(pool[op[5]:op[5] + reg_ny[op[1]]]).max())
    checks = [i for i in kept if ops[i][0] in (OP_CHECK, OP_BOUND)]
    limit = {i: float(pool[ops[i][5]]) for i in checks}
    dropped = {i for i in checks if bound.get(ops[i][2], np.inf) <= limit[i]}
    # a copy's check may lean on its sources' checks, never on another copy's (no two checks
    # can then imply each other and both go)
    own: dict[int, float] = {}
    for i in checks:
        r = ops[i][2]
        if i not in dropped and r in producer and ops[producer[r]][0] not in _STRUCTURAL:
            own[r] = min(own.get(r, np.inf), limit[i])
    for i in checks:
        j = producer.get(ops[i][2])
        if i in dropped or j is None or ops[j][0] not in _STRUCTURAL:
            continue
        if all(bound.get(r, np.inf) <= limit[i] or own.get(r, np.inf) <= limit[i] for r in reads(ops[j], pool)):
            dropped.add(i)
    return dropped


def _icdf_bound(pool: np.ndarray, at: int, tables: np.ndarray, ntab: np.ndarray) -> float:
    """An upper bound of |x| over every value the inverse CDF at pool[at] returns (see
    ``machine.icdf``), or inf where none is proven (a mixture). Widened by a relative 1e-9
    for the rounding of the few operations on the way."""
    kind, p = int(pool[at]), pool[at + 1:at + 7].tolist() + [0.0] * 6
    cells = _table_bound

    with np.errstate(over="ignore", invalid="ignore"):
        if kind == D_FIXED:
            b = abs(p[0])
        elif kind == D_UNIFORM:
            b = abs(p[0]) + abs(p[1])
        elif kind == D_TRI:
            b = max(abs(p[0]) + np.sqrt(abs(p[3] * p[4])), abs(p[1]) + np.sqrt(abs(p[3] * p[5])))
        elif kind == D_TABLE:
            b = cells(tables[int(p[0])]) * abs(p[1]) + abs(p[2])
        elif kind == D_NORMAL:
            b = abs(p[0]) + abs(p[1]) * cells(ntab)
        elif kind == D_LOGNORMAL:
            b = float(np.exp(abs(p[0]) + abs(p[1]) * cells(ntab)))
        elif kind == D_BERN:
            b = 1.0
        elif kind == D_DISCRETE:
            b = float(np.abs(pool[at + 2:at + 2 + int(pool[at + 1])]).max())
        else:
            return np.inf
    b = float(b) * (1.0 + 1e-9)
    return b if np.isfinite(b) else np.inf


def _table_bound(tab: np.ndarray) -> float:
    """max |base + slope * v| over each cell of a tail-refined table and the v that select it
    (:func:`machine._cell`): cell k of the lower half holds the v whose bits, shifted, give k;
    the upper half mirrors it; the first cell also takes every smaller v, down to 0; cells
    whose v would exceed 1/2 are never selected."""
    from simulator.scenario.quantiles import _OFFSET, _SHIFT, CELLS

    c = np.arange(len(tab), dtype=np.int64)
    k = np.where(c < CELLS // 2, c, (CELLS - 1) - c)
    v_lo = ((k + _OFFSET) << _SHIFT).view(np.float64)
    v_hi = np.minimum(((k + 1 + _OFFSET) << _SHIFT).view(np.float64), 0.5)
    v_lo = np.where(k == 0, 0.0, v_lo)
    ends = np.abs(tab[:, :1] + tab[:, 1:] * np.stack([v_lo, v_hi], axis=1))
    return float(ends[v_lo <= 0.5].max())  # cells above v = 1/2 are never selected


def _fuse_checks(ops: list[list[int]], kept: list[int], pool: np.ndarray
                 ) -> tuple[list[list[int]], list[int], np.ndarray]:
    """Move each check of an operation's result into that operation (its ``imm``: the pool
    offset of (limit, error code)).

    The machine then checks the values right after writing them, while they are in the L1
    cache, and the register need not live until the check, so the model arena is smaller. The
    values are the same bits; what the block returns is too: any failing check (whichever,
    wherever) sends the whole block to the numpy engine.
    """
    ops = [list(op) for op in ops]
    extra: list[float] = []
    defined = {ops[i][1]: i for i in kept if ops[i][1] >= 0}
    dropped = set()
    for i in kept:
        op = ops[i]
        if op[0] not in (OP_CHECK, OP_BOUND):
            continue
        j = defined.get(op[2])
        if j is None or ops[j][0] != OP_BIN or ops[j][5] >= 0:
            continue
        ops[j][5] = len(pool) + len(extra)
        extra += [float(pool[op[5]]), float(ERR_VALUE if op[0] == OP_CHECK else ERR_RESULT)]
        dropped.add(i)
    return ops, [i for i in kept if i not in dropped], np.concatenate([pool, np.array(extra, dtype=np.float64)])


def _liveness(ops: list[list[int]], kept: list[int], copula_regs: dict[int, list[int]]
              ) -> tuple[dict[int, int], dict[int, int]]:
    """Liveness over the kept instructions: a register lives from its definition to its last use.

    Returns register -> position of its first definition and of its last use (in ``kept``).
    """
    last: dict[int, int] = {}
    first: dict[int, int] = {}
    for pos, i in enumerate(kept):
        op = ops[i]
        used = _reads(op) + copula_regs.get(i, [])
        for r in used:
            last[r] = pos
        if op[1] >= 0:
            first.setdefault(op[1], pos)
            last.setdefault(op[1], pos)
        for r in copula_regs.get(i, []):
            last[r] = max(last.get(r, pos), pos)
    return first, last


def _place_sample(ops: list[list[int]], kept: list[int], reg_off: np.ndarray, reg_ny: np.ndarray,
                  reg_arena: np.ndarray) -> tuple[int, int]:
    """Place the sample arena's registers (in place); returns its rows and the end of sampling.

    Every draw has rows of its own for a whole sample chunk; an input's values overwrite its
    uniforms (the inverse CDF works element by element).
    """
    sample_rows = 0
    sample_end = 0
    for pos, i in enumerate(kept):
        op = ops[i]
        if op[0] == OP_DRAW:
            reg_off[op[1]] = sample_rows
            reg_arena[op[1]] = ARENA_SAMPLE
            sample_rows += int(reg_ny[op[1]])
        elif op[0] == OP_ICDF:
            reg_off[op[1]] = reg_off[op[2]]
            reg_arena[op[1]] = ARENA_SAMPLE
        if op[0] in (OP_DRAW, OP_ICDF, OP_COPULA):
            sample_end = pos + 1
    return sample_rows, sample_end


def _place_model(ops: list[list[int]], kept: list[int], first: dict[int, int], last: dict[int, int],
                 sample_end: int, reg_off: np.ndarray, reg_ny: np.ndarray, reg_pf: np.ndarray,
                 reg_arena: np.ndarray) -> dict[bool, int]:
    """Place the model arena (rows of a model chunk) and the small one (in place), reusing dead registers' rows.

    Returns each arena's rows: True the model arena's, False the small one's.
    """
    free: dict[tuple[bool, int], list[int]] = {}
    top = {True: 0, False: 0}
    ends: dict[int, list[int]] = {}
    for r, pos in last.items():
        ends.setdefault(pos, []).append(r)
    for pos, i in enumerate(kept):
        op = ops[i]
        d = op[1]
        if d >= 0 and first.get(d) == pos and reg_off[d] < 0:
            key = (bool(reg_pf[d]), int(reg_ny[d]))
            lst = free.get(key)
            if lst:
                reg_off[d] = lst.pop()
            else:
                reg_off[d] = top[key[0]]
                top[key[0]] += int(reg_ny[d])
        for r in ends.get(pos, []):
            # what sampling defines is not redefined per model chunk: keep its storage
            if reg_off[r] >= 0 and reg_arena[r] != ARENA_SAMPLE and first[r] >= sample_end:
                free.setdefault((bool(reg_pf[r]), int(reg_ny[r])), []).append(int(reg_off[r]))
    return top


__all__ = ["layout"]
