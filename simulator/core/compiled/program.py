"""Translate a scenario and its run options into a register program for the kernel.

A program is a list of instructions over registers. A register holds a value per model
year and path of a chunk, or fewer when the value does not vary: its shape is (Y or 1,
C or 1) and is known here, at translation, exactly as numpy's broadcasting would make it.
Each instruction is one row of an integer array ``(opcode, dst, a, b, c, imm)``; numbers
live in a float pool. The translation follows :func:`simulator.core.engine.simulate_block`
step by step, operation by operation, so the kernel computes the same floats in the same
order (transcendental functions may differ in the last bit between numpy and LLVM).

Nothing here imports numba; the machine (:mod:`simulator.core.compiled.machine`) runs the
program. What the kernel does not implement (stock posts, a correlated input drawn per
year) raises :class:`Unsupported` and the run uses the numpy engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulator.scenario import quantiles
from simulator.scenario.distributions import (
    U_EPS,
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
    _beta_table,
)
from simulator.scenario.expressions import MAX_EXPONENT, Binary, Call, Name, Node, Number, Unary
from simulator.scenario.model import ByYear, Const, Formula, PhaseTable, PhaseTurnover, Quantity, Ref, Scenario

# --- instruction set (shared with the machine) ------------------------------------------------

OP_CONST, OP_VEC, OP_DRAW, OP_ICDF, OP_COPULA, OP_BIN, OP_UN, OP_CHECK = 1, 2, 3, 4, 5, 6, 7, 8
OP_CUMGROW, OP_SHIFT, OP_ROWGET, OP_ROWSET, OP_COPY, OP_OUT, OP_BOUND, OP_CLIP = 9, 10, 11, 12, 13, 14, 15, 16
OP_BYYEAR = 17
#: binary operations (field c of OP_BIN)
ADD, SUB, MUL, DIV, POW, POWX, MIN, MAX, DIVPOS = 0, 1, 2, 3, 4, 5, 6, 7, 8
#: unary operations (field c of OP_UN)
NEG, ABS, SQRT, EXP, LOG = 0, 1, 2, 3, 4
#: distribution kinds (first pool value of a descriptor)
D_FIXED, D_UNIFORM, D_TRI, D_TABLE, D_NORMAL, D_LOGNORMAL, D_BERN, D_DISCRETE, D_MIX = range(9)

#: where a register lives: values that do not vary by path; rows of a model chunk; rows of a sample chunk
ARENA_SMALL, ARENA_MODEL, ARENA_SAMPLE = 0, 1, 2

#: error codes the kernel returns (any of them: the block is rerun by the numpy engine,
#: which raises the message a user sees, naming the scenario file and the quantity)
ERR_VALUE, ERR_EXPONENT, ERR_RESULT = 1, 2, 3

#: the engine's limits, repeated here so a translation does not import the numpy engine's module
MIN_FRACTION = -10.0
MAX_VALUE, MAX_RESULT = 1e15, 1e18


def codes() -> list[int]:
    """The codes the machine compiles in, in the order of ``machine.compiled_codes``."""
    return [OP_BIN, OP_CONST, OP_VEC, OP_DRAW, OP_ICDF, OP_COPULA, OP_UN, OP_CLIP, OP_CHECK, OP_BOUND,
            OP_SHIFT, OP_CUMGROW, OP_COPY, OP_ROWSET, OP_BYYEAR, OP_ROWGET, OP_OUT, ADD, MUL, SUB, DIV,
            DIVPOS, MIN, MAX, POWX, NEG, ABS, SQRT, EXP, D_TABLE, D_BERN, D_MIX, D_FIXED, D_UNIFORM,
            D_TRI, D_NORMAL, D_LOGNORMAL, D_DISCRETE, ERR_EXPONENT, ERR_VALUE, ERR_RESULT]


class Unsupported(Exception):
    """The scenario uses something the kernel does not implement: use the numpy engine."""


@dataclass(frozen=True, slots=True)
class Program:
    """A translated scenario: instructions, constants, register layout and tables.

    Attributes
    ----------
    code : ndarray
        Instructions, dims (instruction, 6), int64: opcode, dst, a, b, c, imm.
    pool : ndarray
        Constants, distribution descriptors and Cholesky factors, float64.
    reg_off, reg_ny, reg_pf, reg_arena : ndarray
        Per register: offset in its arena [rows], rows (1 or Y), whether it varies by
        path, and its arena (ARENA_SMALL, ARENA_MODEL or ARENA_SAMPLE).
    slots, small, sample_rows : int
        Size of the model arena [rows of a model chunk], the small one [doubles] and the
        sample arena [rows of a sample chunk].
    sample_end : int
        Instructions before this index draw and transform the random inputs (run once per
        sample chunk); the rest is the model (run once per model chunk).
    tables : ndarray
        Beta inverse-CDF tables, dims (table, cell, 2): base and slope interleaved.
    streams : tuple of (str, int)
        (input key, year index) of every random stream, in the order the kernel draws them.
    outputs : tuple of str
        What each output slot holds ("net:<scope>", "baseline:<scope>", "gross", ...).
    n_years, horizon_start : int
        Model years and the index of the first horizon year.
    """

    code: np.ndarray
    pool: np.ndarray
    reg_off: np.ndarray
    reg_ny: np.ndarray
    reg_pf: np.ndarray
    reg_arena: np.ndarray
    slots: int
    small: int
    sample_rows: int
    sample_end: int
    tables: np.ndarray
    streams: tuple[tuple[str, int], ...]
    outputs: tuple[str, ...]
    n_years: int
    horizon_start: int


# --- the builder ------------------------------------------------------------------------------


class _Builder:
    """Emits instructions over SSA registers; layout is assigned at the end."""

    def __init__(self, n_years: int):
        self.Y = n_years
        self.ops: list[list[int]] = []
        self.shape: list[tuple[bool, bool]] = []  # (varies by year, varies by path)
        self.pool: list[float] = []
        self.consts: dict[tuple[float, float], int] = {}
        self.effects: set[int] = set()  # instructions with side effects (checks, outputs)

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
        return self.consts[key]

    def vec(self, values) -> int:
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        assert len(values) == self.Y
        return self.emit(OP_VEC, self.reg(True, False), imm=self.put(values))

    def bin(self, code: int, a: int, b: int) -> int:
        (ya, pa), (yb, pb) = self.shape[a], self.shape[b]
        return self.emit(OP_BIN, self.reg(ya or yb, pa or pb), a, b, code)

    def un(self, code: int, a: int) -> int:
        return self.emit(OP_UN, self.reg(*self.shape[a]), a, c=code)

    def clip(self, a: int, low: float, high: float) -> int:
        """np.clip(a, low, high): NaN stays NaN."""
        return self.emit(OP_CLIP, self.reg(*self.shape[a]), a, imm=self.put([low, high]))

    def full_years(self, a: int) -> int:
        """The same value with a row per year (numpy's ``x * np.ones((Y, 1))``: exact)."""
        ya, pa = self.shape[a]
        if ya:
            return a
        return self.emit(OP_COPY, self.reg(True, pa), a)

    def check(self, a: int) -> None:
        self.emit(OP_CHECK, a=a, imm=self.put([MAX_VALUE]), effect=True)


# --- distributions ----------------------------------------------------------------------------


class _Tables:
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


@lru_cache(maxsize=256)
def _interleaved(a: float, b: float) -> np.ndarray:
    t = _beta_table(a, b)
    out = np.empty((len(t.base), 2))
    out[:, 0] = t.base
    out[:, 1] = t.slope
    out.setflags(write=False)
    return out


@lru_cache(maxsize=1)
def normal_cells() -> np.ndarray:
    """The standard normal inverse-CDF table, interleaved like the beta tables."""
    t = quantiles.normal_table()
    out = np.empty((len(t.base), 2))
    out[:, 0] = t.base
    out[:, 1] = t.slope
    out.setflags(write=False)
    return out


@lru_cache(maxsize=1)
def phi_cells() -> np.ndarray:
    """Phi by table (:func:`simulator.scenario.quantiles.normal_cdf`), interleaved."""
    base, slope = quantiles._phi_grid()
    out = np.empty((len(base), 2))
    out[:, 0] = base
    out[:, 1] = slope
    out.setflags(write=False)
    return out


def describe(d: Distribution, b: _Builder, tables: _Tables) -> int:
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


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The run options the kernel implements (the rest take the numpy engine)."""

    active: frozenset[str] | None = None
    overrides: tuple[tuple[str, float], ...] = ()
    no_growth: bool = False
    extra_delay: float = 0.0
    outputs: tuple[str, ...] | None = None  # None: every scope's net and baseline, and the totals


class _Model:
    def __init__(self, scenario: Scenario, opts: Options):
        from simulator.core.plan import measure_weight, model_years, scopes_of, share_of

        self.sc = scenario
        self.opts = opts
        self.years = model_years(scenario)
        self.Y = len(self.years)
        self.b = _Builder(self.Y)
        self.tables = _Tables()
        self.values: dict[str, int] = {}
        self.streams: list[tuple[str, int]] = []
        self.scopes = scopes_of(scenario)
        self.share_of = share_of
        self.measure_weight = measure_weight

    # quantities -----------------------------------------------------------------------------

    def quantity(self, q: Quantity) -> int:
        b = self.b
        match q:
            case Const(value):
                return b.const(value)
            case Ref(name):
                return self.values[name]
            case Formula(expression):
                return self.expr(expression.tree)
            case ByYear(years, values):
                # exactly the listed years; unlisted years are 0 (one-off costs stay one-off)
                pairs = []
                for y, v in zip(years, values, strict=True):
                    rows = np.flatnonzero(self.years == y)
                    if len(rows):
                        pairs.append((int(rows[0]), self.quantity(v)))
                pf = any(b.shape[r][1] for _, r in pairs)
                at = b.put([len(pairs), *(x for pair in pairs for x in pair)])
                return b.emit(OP_BYYEAR, b.reg(True, pf), imm=at)
        raise TypeError(q)  # pragma: no cover

    def expr(self, node: Node) -> int:
        b = self.b
        match node:
            case Number(value):
                return b.const(value)
            case Name(name):
                return self.values[name]
            case Unary(operand):
                return b.un(NEG, self.expr(operand))
            case Binary(op, left, right):
                x, y = self.expr(left), self.expr(right)
                code = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "**": POWX}[op]
                return b.bin(code, x, y)
            case Call(function, arguments):
                args = [self.expr(a) for a in arguments]
                if function in ("min", "max"):
                    out = args[0]
                    for a in args[1:]:
                        out = b.bin(MIN if function == "min" else MAX, out, a)
                    return out
                if function == "clip":
                    return b.bin(MIN, b.bin(MAX, args[0], args[1]), args[2])
                return b.un({"abs": ABS, "sqrt": SQRT, "exp": EXP, "log": LOG}[function], args[0])
        raise Unsupported(type(node).__name__)  # pragma: no cover

    def full(self, q: Quantity) -> int:
        r = self.quantity(q)
        self.b.check(r)
        return r

    # the run --------------------------------------------------------------------------------

    def sample(self) -> None:
        sc, b = self.sc, self.b
        uniforms: dict[str, int] = {}
        for inp in sc.inputs:
            r = b.reg(inp.per_year, True)
            b.emit(OP_DRAW, r, a=len(self.streams))
            if inp.per_year:
                self.streams.extend((inp.key, y + 1) for y in range(self.Y))
            else:
                self.streams.append((inp.key, 0))
            uniforms[inp.key] = r
        for c in sc.correlations:
            if any(b.shape[uniforms[k]][0] for k in c.members):
                raise Unsupported("a correlated input drawn per year")
            chol = _cholesky(c, sc)
            regs = [uniforms[k] for k in c.members]
            at = b.put([len(regs), *regs, *chol.reshape(-1)])
            # the copula rewrites its members in place: one instruction reads and writes them all
            b.emit(OP_COPULA, a=regs[0], imm=at, effect=True)
        overrides = dict(self.opts.overrides)
        for inp in sc.inputs:
            if inp.key in overrides:
                self.values[inp.key] = b.const(float(overrides[inp.key]))
                continue
            u = uniforms[inp.key]
            self.values[inp.key] = b.emit(OP_ICDF, b.reg(*b.shape[u]), u,
                                          imm=describe(inp.distribution, b, self.tables))
        self._copula_regs = uniforms

    def build(self) -> Program:
        sc, b, opts = self.sc, self.b, self.opts
        Y, years = self.Y, self.years
        if any(p.stock is not None for p in sc.posts):
            raise Unsupported("stock posts")
        _check_measure_logic(sc, opts)
        self.sample()
        self.values["year"] = b.vec(years.astype(np.float64))
        for name in sc.parameter_order:
            self.values[name] = self.full(sc.parameters[name])
        measures = [m for m in sc.measures if opts.active is None or m.id in opts.active]
        post_index = {p.id: i for i, p in enumerate(sc.posts)}
        one = b.const(1.0)

        # baseline per post
        baseline = []
        for p in sc.posts:
            f: list[int | None] = []
            growth: tuple[Quantity | None, ...] = (p.volume_growth, p.price_growth)
            for q in growth:
                if q is None or opts.no_growth:
                    f.append(None)
                    continue
                g = self.full(q)
                f.append(b.emit(OP_CUMGROW, b.reg(True, b.shape[g][1]), g))
            base = b.const(p.base)
            vol = f[0] if f[0] is not None else b.vec(np.ones(Y))
            price = f[1] if f[1] is not None else b.vec(np.ones(Y))
            baseline.append(b.bin(MUL, b.bin(MUL, base, vol), price))

        # each measure's profile, go-ahead and delay
        fractions: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(sc.posts))}
        costs: list[int | None] = [None] * len(measures)
        go_of: list[int] = []
        for mi, m in enumerate(measures):
            go = self.values[m.go_ahead] if m.go_ahead else one
            go_of.append(go)
            delay = self.values[m.delay] if m.delay else None
            if opts.extra_delay:
                extra = b.const(opts.extra_delay)
                delay = extra if delay is None else b.bin(ADD, delay, extra)
            phase = self.phase(m)
            factor = self.values[m.effect_factor] if m.effect_factor else None
            for e in m.effects:
                raw = self.full(e.value)
                profile = b.bin(MUL, raw, phase)
                if factor is not None:
                    profile = b.bin(MUL, profile, factor)
                if delay is not None:
                    profile = self.shift(profile, delay)
                profile = b.bin(MUL, profile, go)
                if e.kind == "amount":
                    profile = b.bin(DIVPOS, profile, baseline[post_index[e.post]])
                profile = b.clip(profile, MIN_FRACTION, 1.0)
                fractions[post_index[e.post]].append((mi, profile))
            if m.costs is not None:
                k = b.full_years(self.full(m.costs))
                if m.start > years[0]:
                    k = b.bin(MUL, k, b.vec((years >= m.start).astype(np.float64)))
                if m.cost_factor:
                    k = b.bin(MUL, k, self.values[m.cost_factor])
                if delay is not None and m.delay_shifts_costs:
                    k = self.shift(k, delay)
                costs[mi] = b.bin(MUL, k, go)
            if m.committed_costs is not None:
                k = b.full_years(self.full(m.committed_costs))
                if m.cost_factor:
                    k = b.bin(MUL, k, self.values[m.cost_factor])
                costs[mi] = _plus(b, costs[mi], k)

        # cost groups
        for group in sc.cost_groups:
            members = [mi for mi, m in enumerate(measures) if m.cost_group == group.id]
            if not members:
                continue
            gk = b.full_years(self.full(group.costs))
            n_go = go_of[members[0]]
            for mi in members[1:]:
                n_go = b.bin(ADD, n_go, go_of[mi])
            for mi in members:
                m = measures[mi]
                share = b.bin(DIVPOS, go_of[mi], n_go)
                k = b.bin(MUL, gk, share)
                if m.cost_factor:
                    k = b.bin(MUL, k, self.values[m.cost_factor])
                costs[mi] = _plus(b, costs[mi], k)

        # combine on each post
        gross_by: list[list[tuple[int, int]]] = [[] for _ in measures]
        post_saved: list[int] = []
        for pi, p in enumerate(sc.posts):
            items = fractions[pi]
            if not items:
                continue
            fs = [fr for _, fr in items]
            base = baseline[pi]
            if p.combine == "additive" and len(fs) > 1:
                total = fs[0]
                for fr in fs[1:]:
                    total = b.bin(ADD, total, fr)
                total = b.bin(MIN, total, one)
                spending = b.bin(MUL, base, b.bin(SUB, one, total))
            else:
                keep = b.bin(SUB, one, fs[0])
                for fr in fs[1:]:
                    keep = b.bin(MUL, keep, b.bin(SUB, one, fr))
                spending = b.bin(MUL, base, keep)
            saved = b.bin(SUB, base, spending)
            post_saved.append(saved)
            if len(items) == 1:
                gross_by[items[0][0]].append((pi, saved))
                continue
            standalone = [b.bin(MUL, f, base) for f in fs]
            total = standalone[0]
            for x in standalone[1:]:
                total = b.bin(ADD, total, x)
            loss = b.bin(SUB, saved, total)
            weight = [b.un(ABS, x) for x in standalone]
            wsum = weight[0]
            for w in weight[1:]:
                wsum = b.bin(ADD, wsum, w)
            per_weight = b.bin(DIVPOS, loss, wsum)
            for (mi, _), x, w in zip(items, standalone, weight, strict=True):
                gross_by[mi].append((pi, b.bin(ADD, b.bin(MUL, w, per_weight), x)))

        # substitution: part of the saving reappears as cost
        for mi, m in enumerate(measures):
            if m.substitution is None:
                continue
            sh = self.full(m.substitution.share)
            summed: int | None = None
            for _, saved in gross_by[mi]:
                summed = _plus(b, summed, saved)
            extra = b.bin(MUL, sh, summed if summed is not None else b.full_years(b.const(0.0)))
            costs[mi] = _plus(b, costs[mi], extra)

        return self.finish(measures, baseline, costs, gross_by, post_saved)

    def finish(self, measures, baseline, costs, gross_by, post_saved) -> Program:
        sc, b = self.sc, self.b
        post_index = {p.id: i for i, p in enumerate(sc.posts)}
        # bound every term a scope or total adds up: if all hold, no sum can pass MAX_RESULT
        # (the numpy engine's check on results), so only a failing bound needs the numpy rerun
        weights = [abs(self.share_of(sc, s.municipality, p.law)) for s in self.scopes for p in sc.posts]
        weights += [abs(self.measure_weight(sc, m, s.municipality)) for s in self.scopes for m in measures]
        terms = [*baseline, *(c for c in costs if c is not None), *post_saved,
                 *(x for pairs in gross_by for _, x in pairs)]
        limit = MAX_RESULT / (2.0 * (len(terms) + 1) * max([1.0, *weights]))
        for t in terms:
            b.emit(OP_BOUND, a=t, imm=b.put([limit]), effect=True)

        wanted = self.opts.outputs
        if wanted is None:
            from simulator.scenario.model import scope_label

            labels = [scope_label(s) for s in self.scopes]
            wanted = (*(f"net:{x}" for x in labels), *(f"baseline:{x}" for x in labels),
                      "gross", "costs", "baseline")
        outputs = []
        for slot, what in enumerate(wanted):
            kind, _, label = what.partition(":")
            if kind == "gross":
                r = _sum(b, post_saved)
            elif kind == "costs":
                r = _sum(b, [c for c in costs if c is not None])
            elif kind == "baseline" and not label:
                r = _sum(b, baseline)
            else:
                s = self.scope(label)
                in_scope = {post_index[pid] for pid in s.posts}
                if kind == "baseline":
                    r = None
                    for pi, p in enumerate(sc.posts):
                        if pi in in_scope:
                            r = _add_scaled(b, r, baseline[pi], self.share_of(sc, s.municipality, p.law))
                elif kind == "net":
                    r = None
                    for mi, m in enumerate(measures):
                        w = self.measure_weight(sc, m, s.municipality)
                        if w == 0.0:
                            continue
                        for pi, saved in gross_by[mi]:
                            if pi in in_scope:
                                r = _add_scaled(b, r, saved, w)
                        if m.post in s.posts and costs[mi] is not None:
                            r = _add_scaled(b, r, costs[mi], -w)
                else:
                    raise ValueError(what)
            if r is None:
                r = b.const(0.0)
            b.emit(OP_OUT, a=r, c=slot, effect=True)
            outputs.append(what)
        return _layout(b, self.tables, tuple(self.streams), tuple(outputs), self.Y,
                       self.Y - len(sc.years))

    def scope(self, label: str):
        from simulator.scenario.model import scope_label

        for s in self.scopes:
            if scope_label(s) == label:
                return s
        raise KeyError(label)

    def phase(self, m) -> int:
        b, years = self.b, self.years
        started = (years >= m.start).astype(np.float64)
        match m.phase:
            case None:
                return b.vec(started)
            case PhaseTable(tyears, shares):
                idx = np.searchsorted(np.array(tyears), years, side="right") - 1
                vals = np.where(idx >= 0, np.array(shares)[np.maximum(idx, 0)], 0.0)
                return b.vec(vals * started)
            case PhaseTurnover(rate):
                r = self.full(rate)
                k = b.vec(np.maximum(years - m.start + 0.5, 0.0))
                one = b.const(1.0)
                reached = b.bin(SUB, one, b.bin(POW, b.bin(SUB, one, r), k))
                return b.bin(MUL, reached, b.vec(started))
        raise TypeError(m.phase)  # pragma: no cover

    def shift(self, x: int, delay: int) -> int:
        b = self.b
        x = b.full_years(x)
        return b.emit(OP_SHIFT, b.reg(True, True), x, delay)


def _add_scaled(b: _Builder, acc: int | None, x: int, w: float) -> int | None:
    """acc + w x as the numpy engine adds it (into zeros; w = 1 and -1 without a product)."""
    if w == 0.0:
        return acc
    if w == 1.0:
        term, op = x, ADD
    elif w == -1.0:
        term, op = x, SUB
    else:
        term, op = b.bin(MUL, b.const(w), x), ADD
    if acc is None:
        acc = b.const(0.0)
    return b.bin(op, acc, term)


def _plus(b: _Builder, acc: int | None, x: int) -> int:
    """acc + x, where acc None stands for the numpy engine's zeros (0 + x is x)."""
    return x if acc is None else b.bin(ADD, acc, x)


def _sum(b: _Builder, regs: list[int]) -> int:
    acc = b.const(0.0)
    for r in regs:
        acc = b.bin(ADD, acc, r)
    return acc


def _cholesky(c, sc) -> np.ndarray:
    """The copula's factor, computed as :func:`simulator.core.sampling.correlate` does: of the
    latent matrix calibrated so the asked rank correlations hold (:mod:`simulator.core.copula`)."""
    from simulator.core.copula import calibrate

    return np.linalg.cholesky(calibrate(c, {i.key: i for i in sc.inputs}, sc.file).latent)


# --- dead code, liveness and the register layout ------------------------------------------------


def _reads(op: list[int]) -> list[int]:
    code = op[0]
    if code in (OP_CONST, OP_VEC, OP_DRAW, OP_COPULA, OP_BYYEAR):
        return []  # copula members and year-table values are listed in the pool; see _layout
    return [r for r in (op[2], op[3]) if r >= 0]


def _layout(b: _Builder, tables: _Tables, streams, outputs, n_years: int, horizon_start: int) -> Program:
    ops = b.ops
    pool = np.array(b.pool, dtype=np.float64)
    copula_regs: dict[int, list[int]] = {}  # registers an instruction reads from its pool entry
    for i, op in enumerate(ops):
        if op[0] == OP_COPULA:
            at = op[5]
            m = int(pool[at])
            copula_regs[i] = [int(x) for x in pool[at + 1: at + 1 + m]]
        elif op[0] == OP_BYYEAR:
            at = op[5]
            m = int(pool[at])
            copula_regs[i] = [int(x) for x in pool[at + 2: at + 1 + 2 * m: 2]]
    # keep what an output or a check needs
    needed = set()
    keep = [False] * len(ops)
    for i in range(len(ops) - 1, -1, -1):
        op = ops[i]
        if i in b.effects or (op[1] >= 0 and op[1] in needed):
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
    kept = [i for i in range(len(ops)) if keep[i]]
    # liveness over the kept instructions: a register lives from its definition to its last use
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
    n_regs = len(b.shape)
    reg_off = np.full(n_regs, -1, dtype=np.int64)
    reg_ny = np.array([n_years if s[0] else 1 for s in b.shape], dtype=np.int64)
    reg_pf = np.array([1 if s[1] else 0 for s in b.shape], dtype=np.int64)
    reg_arena = np.where(reg_pf == 1, ARENA_MODEL, ARENA_SMALL).astype(np.int64)
    # the sample arena: every draw has rows of its own for a whole sample chunk; an input's
    # values overwrite its uniforms (the inverse CDF works element by element)
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
    # the model arena (rows of a model chunk) and the small one: reused once a register is dead
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
    code = np.array([ops[i] for i in kept], dtype=np.int64).reshape(-1, 6)
    if any(op[0] in (OP_DRAW, OP_ICDF, OP_COPULA) for op in code[sample_end:]) or \
            any(op[0] not in (OP_DRAW, OP_ICDF, OP_COPULA, OP_CONST) for op in code[:sample_end]):
        raise AssertionError("sampling instructions must come first")  # pragma: no cover
    return Program(code=code, pool=pool, reg_off=reg_off, reg_ny=reg_ny, reg_pf=reg_pf, reg_arena=reg_arena,
                   slots=top[True], small=top[False], sample_rows=sample_rows, sample_end=sample_end,
                   tables=tables.array(), streams=streams, outputs=outputs, n_years=n_years,
                   horizon_start=horizon_start)


def _check_measure_logic(sc: Scenario, opts: Options) -> None:
    """Measure logic the kernel does not (yet) run: the numpy engine takes such scenarios.

    Shared decisions, require/replace/exclude, components and ``paid_by`` settle go-aheads and
    costs in ways the instruction set has no ops for; a delayed fraction on a cost moves its
    planned euros (:func:`simulator.core.measures.delayed`), which needs a baseline-weighted
    shift the machine does not have.
    """
    from simulator.core.plan import euro_delay

    if sc.decisions:
        raise Unsupported("shared decisions")
    for m in sc.measures:
        if m.relations or m.components or m.paid_by is not None or m.decision is not None:
            raise Unsupported("require/replace/exclude, components or paid_by")
        delayed = m.delay is not None or bool(opts.extra_delay)
        if delayed and any(euro_delay(e) for e in m.effects):
            raise Unsupported("a delayed fraction of a cost (its euros move)")


@lru_cache(maxsize=128)
def translate(scenario: Scenario, opts: Options) -> Program:
    """The program of a scenario under ``opts`` (cached: a Scenario hashes by its file's digest)."""
    return _Model(scenario, opts).build()


__all__ = ["Options", "Program", "Unsupported", "translate", "U_EPS", "MAX_EXPONENT"]
