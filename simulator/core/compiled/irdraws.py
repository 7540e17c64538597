"""The LLVM IR of a program's draws: eight SFC64 streams stepped side by side in vectors.

Written into the same module as the model (:mod:`simulator.core.compiled.irwriter`) and
compiled with it (:mod:`simulator.core.compiled.codegen`); called once per sample chunk by
:func:`simulator.core.compiled.machine.run_coded` before the rest of the sampling section.
"""

from __future__ import annotations

from simulator.core.compiled.program import OP_DRAW, Program

#: streams stepped together: one vector each of a, b, c and the counter (eight 64-bit lanes)
LANES = 8


def leading_draws(prog: Program) -> int:
    """How many instructions at the start of the program draw uniforms (the draw function's)."""
    ops = prog.code[:prog.sample_end, 0]
    k = 0
    while k < len(ops) and ops[k] == OP_DRAW:
        k += 1
    return k


def _rows(prog: Program, S: int, C: int) -> list[tuple[int, int]]:
    """(stream, offset of its row in the workspace) of every row the leading draws fill, laid
    out as :func:`simulator.core.compiled.runner.run_program` lays out the sample arena."""
    sample_at = prog.small + prog.slots * C
    rows = []
    for op in prog.code[:leading_draws(prog)]:
        d, first = int(op[1]), int(op[2])
        for y in range(int(prog.reg_ny[d])):
            rows.append((first + y, sample_at + int(prog.reg_off[d]) * S + y * S))
    return rows


def write_draws(ir, module, prog: Program, S: int, C: int) -> None:
    """``i64 draw(states, ws, n)``: n uniforms of every stream the leading draws draw, into their
    rows of the sample arena, as numpy's ``Generator(SFC64).random`` gives them; returns the
    number of rows.

    SFC64's step is a chain of dependent operations (an add, shifts, a rotate); one stream at a
    time the core waits on it, two side by side (``machine.sfc64_fill2``) halve the wait. Here
    ``LANES`` streams step together as one vector each of a, b, c and the counter: the same
    64-bit arithmetic per lane, so each stream's numbers are its own. The double is numpy's
    ``(tmp >> 11) * 2**-53``: the integer is below 2**53, so its conversion is exact.
    """
    i64, dbl = ir.IntType(64), ir.DoubleType()
    fn = ir.Function(module, ir.FunctionType(i64, [i64.as_pointer(), dbl.as_pointer(), i64]), name="draw")
    states, ws, n = fn.args
    for arg in (states, ws):
        arg.add_attribute("noalias")
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    rows = _rows(prog, S, C)
    for g in range(0, len(rows), LANES):
        _group(ir, fn, b, states, ws, n, rows[g:g + LANES], g)
    b.ret(ir.Constant(i64, len(rows)))


def _group(ir, fn, b, states, ws, n, group: list[tuple[int, int]], g: int) -> None:
    """One loop over the chunk's paths for up to ``LANES`` streams (a short group repeats its
    last stream: the same numbers to the same row, the same state written back)."""
    i64, dbl = ir.IntType(64), ir.DoubleType()
    vt, dt = ir.VectorType(i64, LANES), ir.VectorType(dbl, LANES)
    lane = [ir.Constant(ir.IntType(32), k) for k in range(LANES)]
    full = group + [group[-1]] * (LANES - len(group))

    def splat(x: int):
        return ir.Constant(vt, [ir.Constant(i64, x)] * LANES)

    def word(stream: int, w: int):
        return b.gep(states, [ir.Constant(i64, 4 * stream + w)], inbounds=True)

    state = []
    for w in range(4):
        v = ir.Constant(vt, ir.Undefined)
        for k, (stream, _) in enumerate(full):
            v = b.insert_element(v, b.load(word(stream, w)), lane[k])
        state.append(v)
    head, loop, done = b.block, fn.append_basic_block(f"loop{g}"), fn.append_basic_block(f"done{g}")
    b.cbranch(b.icmp_signed(">", n, ir.Constant(i64, 0)), loop, done)
    b.position_at_end(loop)
    i = b.phi(i64)
    a_, b_, c_, w_ = phis = [b.phi(vt) for _ in range(4)]
    tmp = b.add(b.add(a_, b_), w_)
    step = (b.xor(b_, b.lshr(b_, splat(11))), b.add(c_, b.shl(c_, splat(3))),
            b.add(b.or_(b.shl(c_, splat(24)), b.lshr(c_, splat(40))), tmp), b.add(w_, splat(1)))
    x = b.fmul(b.uitofp(b.lshr(tmp, splat(11)), dt), ir.Constant(dt, [ir.Constant(dbl, 2.0 ** -53)] * LANES))
    for k, (_, offset) in enumerate(group):
        b.store(b.extract_element(x, lane[k]), b.gep(ws, [b.add(i, ir.Constant(i64, offset))], inbounds=True))
    nxt = b.add(i, ir.Constant(i64, 1))
    i.add_incoming(ir.Constant(i64, 0), head)
    i.add_incoming(nxt, loop)
    for ph, v0, v1 in zip(phis, state, step, strict=True):
        ph.add_incoming(v0, head)
        ph.add_incoming(v1, loop)
    b.cbranch(b.icmp_signed("<", nxt, n), loop, done)
    b.position_at_end(done)
    final = [b.phi(vt) for _ in range(4)]  # phis open the block
    for w, (f, v0, v1) in enumerate(zip(final, state, step, strict=True)):
        f.add_incoming(v0, head)
        f.add_incoming(v1, loop)
        for k, (stream, _) in enumerate(group):
            b.store(b.extract_element(f, lane[k]), word(stream, w))
