"""The register builder the translator emits instructions through, and distribution descriptors.

Registers are SSA (each defined once); their storage is assigned afterwards by
:func:`simulator.core.compiled.layout.layout`.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.core.compiled.program import (
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
    MAX_VALUE,
    MUL,
    OP_BIN,
    OP_CHECK,
    OP_CLIP,
    OP_CONST,
    OP_COPY,
    OP_UN,
    OP_VEC,
    Unsupported,
    _interleaved,
)
from simulator.scenario.distributions import (
    Bernoulli,
    Beta,
    DelayMixture,
    Discrete,
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
)

# --- the builder ------------------------------------------------------------------------------


class Builder:
    """Emits instructions over SSA registers; layout is assigned at the end."""

    def __init__(self, n_years: int):
        self.Y = n_years
        self.ops: list[list[int]] = []
        self.shape: list[tuple[bool, bool]] = []  # (varies by year, varies by path)
        self.pool: list[float] = []
        self.consts: dict[tuple[float, float], int] = {}
        self.effects: set[int] = set()  # instructions with side effects (checks, outputs)
        self.ones: set[int] = set()  # registers that hold 1.0 everywhere (x * 1.0 is x, bit for bit)
        # value numbering: an operation on the same registers gives the same bits, so it is computed once
        self.memo: dict[tuple, int] = {}

    def reg(self, yf: bool, pf: bool) -> int:
        self.shape.append((yf, pf))
        return len(self.shape) - 1

    def emit(self, op: int, dst: int = -1, a: int = -1, b: int = -1, c: int = -1, imm: int = -1,
             effect: bool = False) -> int:
        self.ops.append([op, dst, a, b, c, imm])
        if effect:
            self.effects.add(len(self.ops) - 1)
        return dst

    def put(self, values) -> int:
        at = len(self.pool)
        self.pool.extend(float(v) for v in values)
        return at

    def const(self, value: float) -> int:
        value = float(value)
        key = (value, math.copysign(1.0, value))  # 0.0 and -0.0 are different constants
        if key not in self.consts:
            self.consts[key] = self.emit(OP_CONST, self.reg(False, False), imm=self.put([value]))
            if value == 1.0:
                self.ones.add(self.consts[key])
        return self.consts[key]

    def vec(self, values) -> int:
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        assert len(values) == self.Y
        key = ("vec", values.tobytes())
        if key not in self.memo:
            self.memo[key] = r = self.emit(OP_VEC, self.reg(True, False), imm=self.put(values))
            if (values == 1.0).all():
                self.ones.add(r)
        return self.memo[key]

    def bin(self, code: int, a: int, b: int) -> int:
        """The binary operation ``code`` of a and b, broadcast as numpy broadcasts.

        A product with ones (an undelayed phase-in that has started, no growth) is the other
        operand itself, exactly: x * 1.0 is x for every double. The register may then have a
        row for all years where numpy's array has one per year; every instruction broadcasts it.
        """
        if code == MUL and b in self.ones:
            return a
        if code == MUL and a in self.ones:
            return b
        # a sum and a product are exactly commutative (min and max are not: the sign of a zero)
        key = (OP_BIN, code, *(sorted((a, b)) if code in (ADD, MUL) else (a, b)))
        if key not in self.memo:
            (ya, pa), (yb, pb) = self.shape[a], self.shape[b]
            self.memo[key] = self.emit(OP_BIN, self.reg(ya or yb, pa or pb), a, b, code)
        return self.memo[key]

    def un(self, code: int, a: int) -> int:
        key = (OP_UN, code, a)
        if key not in self.memo:
            self.memo[key] = self.emit(OP_UN, self.reg(*self.shape[a]), a, c=code)
        return self.memo[key]

    def clip(self, a: int, low: float, high: float) -> int:
        """np.clip(a, low, high): NaN stays NaN."""
        key = (OP_CLIP, a, low, high)
        if key not in self.memo:
            self.memo[key] = self.emit(OP_CLIP, self.reg(*self.shape[a]), a, imm=self.put([low, high]))
        return self.memo[key]

    def full_years(self, a: int) -> int:
        """The same value with a row per year (numpy's ``x * np.ones((Y, 1))``: exact)."""
        ya, pa = self.shape[a]
        if ya:
            return a
        key = (OP_COPY, a)
        if key not in self.memo:
            self.memo[key] = self.emit(OP_COPY, self.reg(True, pa), a)
        return self.memo[key]

    def check(self, a: int) -> None:
        key = (OP_CHECK, a)
        if key not in self.memo:  # the same values checked again can only pass again
            self.memo[key] = self.emit(OP_CHECK, a=a, imm=self.put([MAX_VALUE]), effect=True)


# --- distributions ----------------------------------------------------------------------------


class Tables:
    """Beta tables used by a program, interleaved (base, slope) per cell for one cache line."""

    def __init__(self):
        self.index: dict[tuple[float, float], int] = {}
        self.items: list[np.ndarray] = []

    def of(self, a: float, b: float) -> int:
        if (a, b) not in self.index:
            self.index[(a, b)] = len(self.items)
            self.items.append(_interleaved(a, b))
        return self.index[(a, b)]

    def array(self) -> np.ndarray:
        if not self.items:
            return np.zeros((1, 1, 2))
        return np.stack(self.items)


def describe(d: Distribution, b: Builder, tables: Tables) -> int:
    """Put a distribution's descriptor in the pool; returns its offset.

    Every number is computed here exactly as the distribution's own ``ppf`` computes it in
    Python floats, so the kernel repeats numpy's arithmetic (see ``machine.icdf``).
    """
    match d:
        case Fixed(value=v):
            return b.put([D_FIXED, v])
        case Uniform(low=lo, high=hi):
            return b.put([D_UNIFORM, lo, hi - lo])
        case Triangular(low=a, mode=c, high=hi):
            if hi == a:
                return b.put([D_FIXED, a])
            return b.put([D_TRI, a, hi, (c - a) / (hi - a), hi - a, c - a, hi - c])
        case Pert():
            return describe(d._as_beta(), b, tables)
        case Beta(a=a, b=bb, low=lo, high=hi):
            if hi == lo:
                return b.put([D_FIXED, lo])
            return b.put([D_TABLE, tables.of(a, bb), hi - lo, lo])
        case Normal(mu=mu, sd=sd):
            return b.put([D_NORMAL, mu, sd])
        case LogNormal(mu=mu, sigma=s):
            return b.put([D_LOGNORMAL, mu, s])
        case Bernoulli(p=p):
            return b.put([D_BERN, 1.0 - p])
        case Discrete(values=vals, probabilities=probs):
            order = np.argsort(vals, kind="stable")
            values = np.asarray(vals)[order]
            cum = np.cumsum(np.asarray(probs)[order])
            cum[-1] = 1.0
            return b.put([D_DISCRETE, len(values), *values, *cum])
        case DelayMixture(p=p, years=inner):
            at = b.put([D_MIX, 1.0 - p, max(p, 1e-300), 0.0])
            b.pool[at + 3] = describe(inner, b, tables)
            return at
    raise Unsupported(f"distribution {type(d).__name__}")


__all__ = ["Builder", "Tables", "describe"]
