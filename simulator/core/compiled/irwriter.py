"""The LLVM IR of a program's model section: one loop over groups of paths, registers as SSA values.

Written by :mod:`simulator.core.compiled.codegen`, which compiles it, keeps the machine code and
says why it exists. Safety: the function is built from the program's integer instructions and
its float pool, which the scenario loader validated and the translator wrote; no text of a
scenario reaches LLVM (instruction ``c`` picks one of a fixed set of operations, registers are
indices, numbers are IEEE constants or loads from the pool). Nothing is evaluated as Python.

Semantics: instruction for instruction what the interpreter (:mod:`simulator.core.compiled.machine`)
computes, in the same order, with no fast-math flag (no reassociation, no fused multiply-add)
and the same libm calls (``llvm.pow``, ``llvm.exp``, ``llvm.log``, as numba lowers ``**``,
``np.exp``, ``np.log``), so the same bits. The one difference is deliberate and exact: a
delay's lag sum runs over every lag up to the year instead of the chunk's largest delay; the
extra terms are exact zeros (0 x a finite value), which leave the sum's bits unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.core.compiled.irdraws import write_draws
from simulator.core.compiled.layout import reads
from simulator.core.compiled.program import (
    ABS,
    ADD,
    ARENA_SAMPLE,
    DIV,
    DIVPOS,
    EXP,
    LOG,
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
    OP_COPY,
    OP_CUMGROW,
    OP_ESHIFT,
    OP_OUT,
    OP_OUTSUM,
    OP_SHIFT,
    OP_UN,
    OP_VEC,
    POW,
    POWX,
    SQRT,
    SUB,
    Program,
)

#: paths per iteration: one vector of doubles per register row (8: an AVX-512 register, or two AVX2 ones)
WIDTH = 8

_SUPPORTED = frozenset({OP_BIN, OP_BOUND, OP_BYYEAR, OP_CHECK, OP_CLIP, OP_CONST, OP_COPY, OP_CUMGROW,
                        OP_ESHIFT, OP_OUT, OP_OUTSUM, OP_SHIFT, OP_UN, OP_VEC})


class NotCoded(Exception):
    """The program has something this generator does not write (the interpreter runs it)."""


def supported(prog: Program) -> bool:
    """Whether :func:`module_ir` writes this program's model section."""
    defined = prog.code[:, 1][prog.code[:, 0] != OP_CHECK]
    defined = defined[defined >= 0]
    return (set(np.unique(prog.code[prog.sample_end:, 0]).tolist()) <= _SUPPORTED
            and len(np.unique(defined)) == len(defined))


@dataclass
class _Limit:
    """The values checked against one limit in the loop: four running maxima of their
    sign-cleared bits (filled in turn), and the limit's preamble value."""

    value: Any
    maxima: list = field(default_factory=lambda: [None] * 4)
    count: int = 0


class _Writer:
    """One function of the module: the preamble computes what does not vary by path (once per
    call), the loop body what does (once per WIDTH paths)."""

    def __init__(self, ir, module, prog: Program, S: int, C: int, width: int, name: str):
        self.ir, self.prog, self.S, self.width = ir, prog, S, width
        dbl = self.dbl = ir.DoubleType()
        i64 = self.i64 = ir.IntType(64)
        self.i1 = ir.IntType(1)
        self.vt = ir.VectorType(dbl, width) if width > 1 else dbl
        dp = dbl.as_pointer()
        fnty = ir.FunctionType(i64, [dp, dp, dp, i64, i64, i64, i64])
        self.fn = ir.Function(module, fnty, name=name)
        self.ws, self.out, self.pool, self.start, self.ostride, self.p0, self.p1 = self.fn.args
        for arg in (self.ws, self.out, self.pool):
            arg.add_attribute("noalias")
        self.module = module
        self.entry = self.fn.append_basic_block("entry")
        self.loop = self.fn.append_basic_block("loop")
        self.done = self.fn.append_basic_block("done")
        self.pre = ir.IRBuilder(self.entry)
        self.body = ir.IRBuilder(self.loop)
        self.p = self.body.phi(i64, name="p")
        self.carried = self.body.phi(self.i1, name="bad")  # phis open the block
        self.scalars: dict[int, list] = {}  # register -> row values (doubles), computed in the preamble
        self.vectors: dict[int, list] = {}  # register -> row values (vectors), computed in the body
        self.splats: dict[tuple[int, int], object] = {}
        self.loads: dict[tuple[int, int], object] = {}
        self.pre_bad = ir.Constant(self.i1, 0)
        self.limits: dict[str, _Limit] = {}  # by the limit's value (hex)
        self.sample_at = prog.small + prog.slots * C
        # the instruction that computes each register of the model (checks and outputs compute none)
        self.producer = {int(op[1]): i for i, op in enumerate(prog.code) if i >= prog.sample_end
                         and op[1] >= 0 and op[0] not in (OP_CHECK, OP_BOUND, OP_OUT, OP_OUTSUM)}
        self.emitted: set[int] = set()

    # --- values ------------------------------------------------------------------------------------

    def const(self, x: float, vec: bool):
        c = self.ir.Constant(self.dbl, float(x))
        return self.ir.Constant(self.vt, [c] * self.width) if vec and self.width > 1 else c

    def splat(self, x):
        if self.width == 1:
            return x
        ir = self.ir
        vt = ir.VectorType(x.type, self.width)
        one = self.pre.insert_element(ir.Constant(vt, ir.Undefined), x, ir.Constant(ir.IntType(32), 0))
        return self.pre.shuffle_vector(one, ir.Constant(vt, ir.Undefined),
                                       ir.Constant(ir.VectorType(ir.IntType(32), self.width), [0] * self.width))

    def pool_value(self, at: int):
        ptr = self.pre.gep(self.pool, [self.ir.Constant(self.i64, int(at))], inbounds=True)
        return self.pre.load(ptr, typ=self.dbl)

    def varies(self, r: int) -> bool:
        return bool(self.prog.reg_pf[r])

    def rows(self, r: int) -> int:
        return int(self.prog.reg_ny[r])

    def ensure(self, r: int) -> None:
        """Write the instruction that computes register r, after those it needs (depth first).

        Values are written where they are first needed, not in program order: what lives from
        its definition to its use is then mostly a few values, not hundreds, and the register
        allocator spills less (Gooi: see docs/performance.md).
        """
        first = self.producer.get(r)
        if first is None or first in self.emitted:
            return
        stack = [(first, False)]
        while stack:
            i, ready = stack.pop()
            if i in self.emitted:
                continue
            if ready:
                self.emitted.add(i)
                self.instruction(*(int(v) for v in self.prog.code[i]))
                continue
            stack.append((i, True))
            for reg in reversed(reads(self.prog.code[i], self.prog.pool)):
                j = self.producer.get(reg)
                if j is not None and j not in self.emitted:
                    stack.append((j, False))

    def scalar(self, r: int, y: int):
        """Row y of a register that does not vary by path (a preamble value)."""
        if r not in self.scalars:
            self.ensure(r)
        row = y if self.rows(r) > 1 else 0
        if self.varies(r):  # pragma: no cover - a value that does not vary is computed from ones that do not
            raise NotCoded(f"register {r} varies by path")
        if r not in self.scalars:
            if r in self.producer:  # pragma: no cover - programs define before use
                raise NotCoded(f"register {r} read before it is defined")
            # defined in the sampling section: its values sit in the small arena
            at = int(self.prog.reg_off[r])
            self.scalars[r] = [self.pre.load(self.pre.gep(self.ws, [self.ir.Constant(self.i64, at + k)], inbounds=True),
                                             typ=self.dbl) for k in range(self.rows(r))]
        return self.scalars[r][row]

    def vector(self, r: int, y: int):
        """Row y of register r as a vector of this iteration's paths (broadcast where it does not vary)."""
        row = y if self.rows(r) > 1 else 0
        if r not in self.vectors:
            self.ensure(r)
        if not self.varies(r):
            key = (r, row)
            if key not in self.splats:
                self.splats[key] = self.splat(self.scalar(r, row))
            return self.splats[key]
        if r in self.vectors:
            return self.vectors[r][row]
        if r in self.producer or self.prog.reg_arena[r] != ARENA_SAMPLE:  # pragma: no cover
            raise NotCoded(f"register {r} read before it is defined")
        key = (r, row)
        if key not in self.loads:
            at = self.sample_at + int(self.prog.reg_off[r]) * self.S + row * self.S
            idx = self.body.add(self.p, self.ir.Constant(self.i64, at))
            ptr = self.body.bitcast(self.body.gep(self.ws, [idx], inbounds=True), self.vt.as_pointer())
            self.loads[key] = self.body.load(ptr, typ=self.vt, align=8)
        return self.loads[key]

    def get(self, r: int, y: int, vec: bool):
        return self.vector(r, y) if vec else self.scalar(r, y)

    # --- operations ------------------------------------------------------------------------------

    def call(self, b, name: str, *args):
        """An LLVM intrinsic over doubles (or, for reductions, over one vector), by its overloaded name."""
        t = args[0].type
        vec = isinstance(t, self.ir.VectorType)
        e = t.element if vec else t
        elem = "i1" if e == self.i1 else "i64" if e == self.i64 else "f64"
        full = f"{name}.{f'v{t.count}' if vec else ''}{elem}"
        fn = self.module.globals.get(full)
        if fn is None:
            ret = self.i1 if name.startswith("llvm.vector.reduce") else t
            fn = self.ir.Function(self.module, self.ir.FunctionType(ret, [a.type for a in args]), name=full)
        return b.call(fn, list(args))

    def binary(self, b, c: int, x, z, vec: bool):
        if c == ADD:
            return b.fadd(x, z)
        if c == SUB:
            return b.fsub(x, z)
        if c == MUL:
            return b.fmul(x, z)
        if c == DIV:
            return b.fdiv(x, z)
        if c in (POW, POWX):
            return self.call(b, "llvm.pow", x, z)
        if c == MIN:  # x if (x < y or x != x) else y: NaN from either side stays NaN, as np.minimum
            return b.select(b.or_(b.fcmp_ordered("<", x, z), b.fcmp_unordered("uno", x, x)), x, z)
        if c == MAX:
            return b.select(b.or_(b.fcmp_ordered(">", x, z), b.fcmp_unordered("uno", x, x)), x, z)
        if c == DIVPOS:
            return b.select(b.fcmp_ordered(">", z, self.const(0.0, vec)), b.fdiv(x, z), self.const(0.0, vec))
        raise NotCoded(f"binary operation {c}")  # pragma: no cover - every code of program.py is above

    def unary(self, b, c: int, x):
        if c == NEG:
            return b.fneg(x)
        if c == ABS:
            return self.call(b, "llvm.fabs", x)
        name = {SQRT: "llvm.sqrt", EXP: "llvm.exp", LOG: "llvm.log"}.get(c)
        if name is None:  # pragma: no cover - every code of program.py is above
            raise NotCoded(f"unary operation {c}")
        return self.call(b, name, x)

    def flag(self, b, x, limit, vec: bool, key: float):
        """Note whether x is not a number of at most ``limit`` (= ``key``) in absolute value.

        In the loop: a double's bits with the sign cleared, read as an integer, order as its
        absolute value does, and NaN's lie above infinity's. So the largest such integer of the
        values checked against one limit, compared with the limit's bits once per iteration,
        answers for all of them: one AND and one integer max per value (four running maxima
        per limit, so no long chain) instead of a compare and a mask OR kept live to the end.
        """
        if not vec:
            self.pre_bad = b.or_(self.pre_bad, b.fcmp_unordered(">", self.call(b, "llvm.fabs", x), limit))
            return
        ir = self.ir
        it = ir.VectorType(self.i64, self.width) if self.width > 1 else self.i64
        mask = ir.Constant(self.i64, 0x7FFFFFFFFFFFFFFF)
        a = b.and_(b.bitcast(x, it), ir.Constant(it, [mask] * self.width) if self.width > 1 else mask)
        name = float(key).hex()  # by its bits (a NaN limit would be a key of its own each time)
        lim = self.limits.setdefault(name, _Limit(limit))
        k = lim.count % 4
        lim.count += 1
        lim.maxima[k] = a if lim.maxima[k] is None else self.call(b, "llvm.smax", lim.maxima[k], a)

    def check(self, r: int, limit, key: float):
        vec = self.varies(r)
        b = self.body if vec else self.pre
        for y in range(self.rows(r)):
            self.flag(b, self.get(r, y, vec), limit, vec, key)

    def lags(self, b, delay, years: int, vec: bool):
        """(whole years, fraction) of each path's delay; out of [0, years): years + 1 and 0 (no lag lands)."""
        inr = b.and_(b.fcmp_ordered(">=", delay, self.const(0.0, vec)),
                     b.fcmp_ordered("<", delay, self.const(float(years), vec)))
        kf = self.call(b, "llvm.floor", delay)
        k = b.select(inr, kf, self.const(float(years + 1), vec))
        w = b.select(inr, b.fsub(delay, kf), self.const(0.0, vec))
        return k, w

    def coef(self, b, k, w, j: int, vec: bool):
        """c_j = (1 - w if k == j else 0) + (w if k == j - 1 else 0), as the interpreter's lag sum."""
        zero = self.const(0.0, vec)
        first = b.select(b.fcmp_ordered("==", k, self.const(float(j), vec)), b.fsub(self.const(1.0, vec), w), zero)
        second = b.select(b.fcmp_ordered("==", k, self.const(float(j - 1), vec)), w, zero)
        return b.fadd(first, second)

    # --- instructions ----------------------------------------------------------------------------

    def instruction(self, op: int, d: int, a: int, bb: int, c: int, imm: int) -> None:
        prog = self.prog
        if op in (OP_CHECK, OP_BOUND):
            self.check(a, self.pool_value(imm), float(prog.pool[imm]))
            return
        if op == OP_OUTSUM:
            self.outsum(c, imm)
            return
        if op == OP_OUT:
            for y in range(prog.horizon_start, prog.n_years):
                self.store(c, y, self.vector(a, y))
            return
        vec = self.varies(d)
        b = self.body if vec else self.pre
        ny = self.rows(d)
        rows: list
        if op == OP_BIN:
            if c == POWX:
                self.check(bb, self.const(MAX_EXPONENT, False), MAX_EXPONENT)
            rows = [self.binary(b, c, self.get(a, y, vec), self.get(bb, y, vec), vec) for y in range(ny)]
            if imm >= 0:
                limit = self.pool_value(imm)
                for v in rows:
                    self.flag(b, v, limit, vec, float(prog.pool[imm]))
        elif op == OP_CONST:
            rows = [self.pool_value(imm)]
        elif op == OP_VEC:
            rows = [self.pool_value(imm + y) for y in range(ny)]
        elif op == OP_UN:
            rows = [self.unary(b, c, self.get(a, y, vec)) for y in range(ny)]
        elif op == OP_CLIP:
            low, high = self.pool_value(imm), self.pool_value(imm + 1)
            if vec:
                low, high = self.splat(low), self.splat(high)
            rows = []
            for y in range(ny):
                v = self.get(a, y, vec)
                rows.append(b.select(b.fcmp_ordered("<", v, low), low,
                                     b.select(b.fcmp_ordered(">", v, high), high, v)))
        elif op == OP_CUMGROW:
            one = self.const(1.0, vec)
            rows = [b.fadd(one, self.get(a, 0, vec))]
            for t in range(1, ny):
                rows.append(b.fmul(rows[-1], b.fadd(one, self.get(a, t, vec))))
        elif op == OP_COPY:
            rows = [self.get(a, y, vec) for y in range(ny)]
        elif op == OP_BYYEAR:
            rows = [self.const(0.0, vec)] * ny
            for j in range(int(prog.pool[imm])):
                t, r = int(prog.pool[imm + 1 + 2 * j]), int(prog.pool[imm + 2 + 2 * j])
                rows[t] = self.get(r, t, vec)
        elif op == OP_SHIFT:
            rows = self.shift(b, a, bb, ny, vec)
        elif op == OP_ESHIFT:
            rows = self.euro_shift(b, a, bb, c, ny, vec)
        else:  # pragma: no cover - supported() admits only the above
            raise NotCoded(f"instruction {op}")
        (self.vectors if vec else self.scalars)[d] = rows

    def shift(self, b, a: int, delay_reg: int, years: int, vec: bool) -> list:
        k, w = self.lags(b, self.get(delay_reg, 0, vec), years, vec)
        coef = [self.coef(b, k, w, j, vec) for j in range(years)]
        rows = []
        for t in range(years):
            acc = self.const(0.0, vec)
            for j in range(t + 1):
                acc = b.fadd(acc, b.fmul(coef[j], self.get(a, t - j, vec)))
            rows.append(acc)
        return rows

    def euro_shift(self, b, a: int, delay_reg: int, base_reg: int, years: int, vec: bool) -> list:
        delay = self.get(delay_reg, 0, vec)
        k, w = self.lags(b, delay, years, vec)
        coef = [self.coef(b, k, w, j, vec) for j in range(years)]
        zero = self.const(0.0, vec)
        products: dict[int, object] = {}  # x * B per year, as numpy's profile * baseline holds it
        rows = []
        for t in range(years):
            moved, euro = zero, zero
            for j in range(t + 1):
                cj = coef[j]
                x, bx = self.get(a, t - j, vec), self.get(base_reg, t - j, vec)
                if t - j not in products:
                    products[t - j] = b.fmul(x, bx)
                moved = b.fadd(moved, b.fmul(cj, x))
                euro = b.fadd(euro, b.fmul(cj, products[t - j]))
            base = self.get(base_reg, t, vec)
            share = b.select(b.fcmp_ordered(">", base, zero), b.fdiv(euro, base), moved)
            rows.append(b.select(b.fcmp_ordered("==", delay, zero), self.get(a, t, vec), share))
        return rows

    def store(self, slot: int, y: int, value) -> None:
        prog, b = self.prog, self.body
        horizon = prog.n_years - prog.horizon_start
        row = b.mul(self.ir.Constant(self.i64, slot * horizon + y - prog.horizon_start), self.ostride)
        idx = b.add(b.add(row, self.start), self.p)
        b.store(value, b.bitcast(b.gep(self.out, [idx], inbounds=True), self.vt.as_pointer()), align=8)

    def outsum(self, slot: int, at: int) -> None:
        prog, b = self.prog, self.body
        k = int(prog.pool[at])
        for y in range(prog.horizon_start, prog.n_years):
            acc = self.const(0.0, True)
            for j in range(k):
                r, wt = int(prog.pool[at + 1 + 2 * j]), float(prog.pool[at + 2 + 2 * j])
                if self.varies(r):
                    x = self.vector(r, y)
                    if wt == 1.0:
                        acc = b.fadd(acc, x)
                    elif wt == -1.0:
                        acc = b.fsub(acc, x)
                    else:
                        acc = b.fadd(acc, b.fmul(self.const(wt, True), x))
                else:
                    x = self.scalar(r, y)
                    v = (x if wt == 1.0 else self.pre.fneg(x) if wt == -1.0
                         else self.pre.fmul(self.const(wt, False), x))
                    acc = b.fadd(acc, self.splat(v))
            self.store(slot, y, acc)

    # --- the function ------------------------------------------------------------------------------

    def write(self) -> None:
        ir, prog = self.ir, self.prog
        effects = (OP_CHECK, OP_BOUND, OP_OUT, OP_OUTSUM)
        for i in range(prog.sample_end, len(prog.code)):  # checks and outputs in order, each after what it reads
            if prog.code[i, 0] in effects:
                for r in reads(prog.code[i], prog.pool):
                    self.ensure(r)
                self.instruction(*(int(v) for v in prog.code[i]))
        for r in list(self.producer):  # values wanted only for a check moved into their operation
            self.ensure(r)
        body = self.body
        bad = self.ir.Constant(self.i1, 0)
        for lim in self.limits.values():
            live = [x for x in lim.maxima if x is not None]
            top = live[0]
            for x in live[1:]:
                top = self.call(body, "llvm.smax", top, x)
            bits = self.pre.bitcast(lim.value, self.i64)
            if self.width > 1:
                bits = self.splat(bits)
            over = body.icmp_signed(">", top, bits)
            if self.width > 1:
                over = self.call(body, "llvm.vector.reduce.or", over)
            bad = body.or_(bad, over)
        carried = self.carried
        now = body.or_(carried, bad)
        nxt = body.add(self.p, ir.Constant(self.i64, self.width))
        body.cbranch(body.icmp_signed("<", nxt, self.p1), self.loop, self.done)
        self.pre.cbranch(self.pre.icmp_signed("<", self.p0, self.p1), self.loop, self.done)
        self.p.add_incoming(self.p0, self.entry)
        self.p.add_incoming(nxt, self.loop)
        carried.add_incoming(self.pre_bad, self.entry)
        carried.add_incoming(now, self.loop)
        end = ir.IRBuilder(self.done)
        result = end.phi(self.i1)
        result.add_incoming(self.pre_bad, self.entry)
        result.add_incoming(now, self.loop)
        end.ret(end.zext(result, self.i64))


def module_ir(prog: Program, S: int, C: int, width: int = WIDTH) -> str:
    """LLVM IR of ``model{width}`` (``width`` paths per iteration) and ``model1`` (the
    remainder): ``i64 f(ws, out, pool, start, ostride, p0, p1)`` runs the model section over
    paths p0..p1-1 of the sample chunk in ``ws`` (laid out as :func:`runner.run_program`
    lays it out for sample chunks of S and model chunks of C paths), writing out[slot, year,
    start + p] (row stride ``ostride``); returns 1 when a check failed, else 0. And ``draw``
    (:func:`simulator.core.compiled.irdraws.write_draws`), the uniforms of the leading draws."""
    from llvmlite import ir

    module = ir.Module(name="taaksim_model")
    for w in sorted({width, 1}, reverse=True):
        _Writer(ir, module, prog, S, C, w, f"model{w}").write()
    write_draws(ir, module, prog, S, C)
    return str(module)
