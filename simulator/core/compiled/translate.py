"""Translate a scenario and its run options into a register program for the kernel.

The translation follows :func:`simulator.core.engine.simulate_block` step by step, operation
by operation, so the kernel computes the same floats in the same order (transcendental
functions may differ in the last bit between numpy and LLVM). The instruction set and
:class:`~simulator.core.compiled.program.Program` are in :mod:`simulator.core.compiled.program`.

Nothing here imports numba; the machine (:mod:`simulator.core.compiled.machine`) runs the
program. What the kernel does not implement (stock posts, a correlated input drawn per
year) raises :class:`~simulator.core.compiled.program.Unsupported` and the run uses the numpy engine.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simulator.core.compiled.builder import Builder, Tables, describe
from simulator.core.compiled.layout import layout
from simulator.core.compiled.program import (
    ABS,
    ADD,
    DIV,
    DIVPOS,
    EXP,
    LOG,
    MAX,
    MAX_RESULT,
    MIN,
    MIN_FRACTION,
    MUL,
    NEG,
    OP_BOUND,
    OP_BYYEAR,
    OP_COPULA,
    OP_CUMGROW,
    OP_DRAW,
    OP_ESHIFT,
    OP_ICDF,
    OP_OUT,
    OP_OUTSUM,
    OP_SHIFT,
    POW,
    POWX,
    SQRT,
    SUB,
    Options,
    Program,
    Unsupported,
)
from simulator.scenario.expressions import Binary, Call, Name, Node, Number, Unary
from simulator.scenario.model import ByYear, Const, Formula, PhaseTable, PhaseTurnover, Quantity, Ref, Scenario

# --- the model --------------------------------------------------------------------------------


class _Model:
    def __init__(self, scenario: Scenario, opts: Options):
        from simulator.core.plan import measure_weight, model_years, scopes_of, share_of

        self.sc = scenario
        self.opts = opts
        self.years = model_years(scenario)
        self.Y = len(self.years)
        self.b = Builder(self.Y)
        self.tables = Tables()
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
        from simulator.core.plan import compile_plan

        sc, b, opts = self.sc, self.b, self.opts
        if any(p.stock is not None for p in sc.posts):
            raise Unsupported("stock posts")
        self.plan = plan = compile_plan(sc)
        self.sample()
        self.values["year"] = b.vec(self.years.astype(np.float64))
        for name in sc.parameter_order:
            self.values[name] = self.full(sc.parameters[name])
        self.active = [int(i) for i in plan.active(opts.active)]
        measures = [plan.measures[i] for i in self.active]
        one = b.const(1.0)
        baseline = self.baselines()
        fractions, costs, go_of = self.profiles(measures, baseline, one)
        self.cost_groups(measures, costs, go_of)
        gross_by, post_saved = self.combine(measures, baseline, fractions, one)
        self.substitution(measures, costs, gross_by)
        return self.finish(measures, baseline, costs, gross_by, post_saved)

    def baselines(self) -> list[int]:
        """The baseline register of each post: its base times volume and price growth."""
        b, opts, Y = self.b, self.opts, self.Y
        baseline = []
        for p in self.sc.posts:
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
        return baseline

    def go_aheads(self, one: int) -> tuple[list[int], list[int | None]]:
        """Every measure's go-ahead and delay register, decisions and relations included, in
        the order and with the products of :func:`simulator.core.measures.go_aheads`."""
        from simulator.core.plan import RELATION_CODES
        from simulator.scenario.model import Relation

        plan, b, values = self.plan, self.b, self.values
        require, replace, exclude = (RELATION_CODES[r] for r in (Relation.REQUIRE, Relation.REPLACE,
                                                                  Relation.EXCLUDE))
        n_m = len(plan.measures)
        in_package = set(self.active)
        zero = b.const(0.0)
        dec_go = [values[d.go_ahead] if d.go_ahead else one for d in plan.decisions]
        go = [one] * n_m
        stands = [one] * n_m  # goes ahead, or its replacement does
        excluded_by: list[list[int]] = [[] for _ in range(n_m)]
        for i in range(n_m):
            for r in range(plan.relation_offsets[i], plan.relation_offsets[i + 1]):
                if plan.relation_kind[r] == exclude:
                    excluded_by[int(plan.relation_target[r])].append(i)
        for i in (int(x) for x in plan.measure_order):
            m = plan.measures[i]
            if i not in in_package:
                go[i] = stands[i] = zero
                continue
            g = values[m.go_ahead] if m.go_ahead else one
            if plan.measure_decision[i] >= 0:
                g = b.bin(MUL, g, dec_go[int(plan.measure_decision[i])])
            for r in range(plan.relation_offsets[i], plan.relation_offsets[i + 1]):
                t, kind = int(plan.relation_target[r]), plan.relation_kind[r]
                if kind == require:
                    g = b.bin(MUL, g, dec_go[t] if plan.relation_is_decision[r] else stands[t])
                elif kind == replace:
                    g = b.bin(MUL, g, b.bin(SUB, one, go[t]))
            for j in excluded_by[i]:
                g = b.bin(MUL, g, b.bin(SUB, one, go[j]))
            go[i] = stands[i] = g
            for r in range(plan.relation_offsets[i], plan.relation_offsets[i + 1]):
                if plan.relation_kind[r] == replace:
                    t = int(plan.relation_target[r])
                    stands[t] = b.bin(MAX, stands[t], g)
        extra = b.const(self.opts.extra_delay) if self.opts.extra_delay else None
        delays: list[int | None] = []
        for i, m in enumerate(plan.measures):
            d = None
            if plan.measure_decision[i] >= 0:
                dk = plan.decisions[int(plan.measure_decision[i])].delay
                d = values[dk] if dk else None
            d = self.add_delay(d, values[m.delay] if m.delay else None)
            delays.append(self.add_delay(d, extra))
        return go, delays

    def add_delay(self, a: int | None, x: int | None) -> int | None:
        """The sum of two delays; None is no delay (:func:`simulator.core.measures.add_delay`)."""
        if a is None:
            return x
        return a if x is None else self.b.bin(ADD, a, x)

    def profiles(self, measures, baseline: list[int], one: int
                 ) -> tuple[dict[int, list[tuple[int, int, int]]], list[int | None], list[int]]:
        """Each measure's effect profiles per post, its costs and its go-ahead register
        (:func:`simulator.core.measures.measure_effects`: components, euro delays)."""
        from simulator.core.levers import KindCode

        plan, b, years = self.plan, self.b, self.years
        fractions: dict[int, list[tuple[int, int, int]]] = {i: [] for i in range(len(self.sc.posts))}
        costs: list[int | None] = [None] * len(measures)
        go_all, delay_all = self.go_aheads(one)
        go_of: list[int] = []
        for row, mi in enumerate(self.active):
            m = plan.measures[mi]
            go = go_all[mi]
            go_of.append(go)
            delay = delay_all[mi]
            ph = self.phase(m)
            factor = self.values[m.effect_factor] if m.effect_factor else None
            for ei in range(plan.effect_offsets[mi], plan.effect_offsets[mi + 1]):
                pi = int(plan.effect_post[ei])
                ci = int(plan.effect_component[ei])
                e_go, e_delay, e_ph, e_factor = go, delay, ph, factor
                if ci >= 0:  # a part: its own timing, go-ahead and factor on top of the measure's
                    c = plan.components[ci]
                    e_ph = self.phase(c) if c.phase is not m.phase or c.start != m.start else ph
                    e_go = b.bin(MUL, go, self.values[c.go_ahead]) if c.go_ahead else go
                    e_delay = self.add_delay(delay, self.values[c.delay] if c.delay else None)
                    if c.effect_factor:
                        cf = self.values[c.effect_factor]
                        e_factor = cf if factor is None else b.bin(MUL, factor, cf)
                raw = self.full(plan.effects[ei].value)
                profile = b.bin(MUL, raw, e_ph)
                if e_factor is not None:
                    profile = b.bin(MUL, profile, e_factor)
                if e_delay is not None:
                    if plan.effect_euro_delay[ei]:
                        profile = self.euro_shift(profile, e_delay, baseline[pi])
                    else:
                        profile = self.shift(profile, e_delay)
                profile = b.bin(MUL, profile, e_go)
                if plan.effect_kind[ei] == KindCode.AMOUNT:
                    profile = b.bin(DIVPOS, profile, baseline[pi])
                profile = b.clip(profile, MIN_FRACTION, 1.0)
                lever = int(plan.effect_lever[ei])
                items = fractions[pi]
                if ci >= 0 and items and items[-1][0] == row and items[-1][2] == lever:
                    # the parts of one measure on one post add up to the measure's share
                    items[-1] = (row, b.clip(b.bin(ADD, items[-1][1], profile), MIN_FRACTION, 1.0), lever)
                else:
                    items.append((row, profile, lever))
            if m.costs is not None:
                k = b.full_years(self.full(m.costs))
                if m.start > years[0]:
                    k = b.bin(MUL, k, b.vec((years >= m.start).astype(np.float64)))
                if m.cost_factor:
                    k = b.bin(MUL, k, self.values[m.cost_factor])
                if delay is not None and m.delay_shifts_costs:
                    k = self.shift(k, delay)
                costs[row] = b.bin(MUL, k, go)
            if m.committed_costs is not None:
                k = b.full_years(self.full(m.committed_costs))
                if m.cost_factor:
                    k = b.bin(MUL, k, self.values[m.cost_factor])
                costs[row] = _plus(b, costs[row], k)
        return fractions, costs, go_of

    def cost_groups(self, measures, costs: list[int | None], go_of: list[int]) -> None:
        """Add each cost group's costs to its members, shared among those that go ahead (in place)."""
        b = self.b
        for group in self.sc.cost_groups:
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

    def combine(self, measures, baseline: list[int], fractions: dict[int, list[tuple[int, int, int]]], one: int
                ) -> tuple[list[list[tuple[int, int]]], list[int]]:
        """Combine the measures on each post: each measure's gross saving per post, and each post's saving."""
        b = self.b
        gross_by: list[list[tuple[int, int]]] = [[] for _ in measures]
        post_saved: list[int] = []
        for pi, p in enumerate(self.sc.posts):
            items = fractions[pi]
            if not items:
                continue
            fs = [fr for _, fr, _ in items]
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
            for (mi, _, _), x, w in zip(items, standalone, weight, strict=True):
                gross_by[mi].append((pi, b.bin(ADD, b.bin(MUL, w, per_weight), x)))
        return gross_by, post_saved

    def substitution(self, measures, costs: list[int | None], gross_by: list[list[tuple[int, int]]]) -> None:
        """Substitution: part of the saving reappears as cost (added to ``costs`` in place)."""
        b = self.b
        for mi, m in enumerate(measures):
            if m.substitution is None:
                continue
            sh = self.full(m.substitution.share)
            summed: int | None = None
            for _, saved in gross_by[mi]:
                summed = _plus(b, summed, saved)
            extra = b.bin(MUL, sh, summed if summed is not None else b.full_years(b.const(0.0)))
            costs[mi] = _plus(b, costs[mi], extra)

    def finish(self, measures, baseline, costs, gross_by, post_saved) -> Program:
        sc, b = self.sc, self.b
        # bound every term a scope or total adds up: if all hold, no sum can pass MAX_RESULT
        # (the numpy engine's check on results), so only a failing bound needs the numpy rerun
        weights = [abs(self.share_of(sc, s.municipality, p.law)) for s in self.scopes for p in sc.posts]
        weights += [abs(self.measure_weight(sc, m, s.municipality)) for s in self.scopes for m in measures]
        weights += [abs(float(w)) for w in self.plan.scope_cost_weight.reshape(-1)]
        bounded = [*baseline, *(c for c in costs if c is not None), *post_saved,
                   *(x for pairs in gross_by for _, x in pairs)]
        limit = MAX_RESULT / (2.0 * (len(bounded) + 1) * max([1.0, *weights]))
        for t in dict.fromkeys(bounded):  # a register computed once is bounded once
            b.emit(OP_BOUND, a=t, imm=b.put([limit]), effect=True)

        wanted = self.opts.outputs
        if wanted is None:
            from simulator.scenario.model import scope_label

            labels = [scope_label(s) for s in self.scopes]
            wanted = (*(f"net:{x}" for x in labels), *(f"baseline:{x}" for x in labels),
                      "gross", "costs", "baseline", *(("price_index",) if sc.prices.indexation is not None else ()))
        plan = self.plan
        outputs = []
        for slot, what in enumerate(wanted):
            kind, _, label = what.partition(":")
            # a sum into zeros, term by term as the numpy engine adds them: (register, weight)
            terms: list[tuple[int, float]] = []
            if kind == "gross":
                terms = [(r, 1.0) for r in post_saved]
            elif kind == "costs":
                # costs paid from outside the programme (paid_by = "outside") are in no total
                terms = [(c, 1.0) for row, c in enumerate(costs)
                         if c is not None and plan.measure_cost_in_total[self.active[row]]]
            elif kind == "baseline" and not label:
                terms = [(r, 1.0) for r in baseline]
            elif kind == "price_index":
                # prod (1 + indexation) over the model years (:func:`simulator.core.goals.price_index`)
                if sc.prices.indexation is None:
                    raise ValueError(what)
                g = self.full(sc.prices.indexation)
                b.emit(OP_OUT, a=b.emit(OP_CUMGROW, b.reg(True, b.shape[g][1]), g), c=slot, effect=True)
                outputs.append(what)
                continue
            else:
                si = self.scope(label)
                in_scope = plan.scope_posts[si]
                if kind == "baseline":
                    terms = [(baseline[pi], float(plan.scope_post_weight[si, pi]))
                             for pi in range(len(sc.posts)) if in_scope[pi]]
                elif kind == "net":
                    for row, mi in enumerate(self.active):
                        # a measure scope (issue 13) counts its own measures' savings only
                        w = float(plan.scope_measure_weight[si, mi])
                        if w != 0.0:
                            terms += [(saved, w) for pi, saved in gross_by[row] if in_scope[pi]]
                        # the payer's part (paid_by; by default the measure's post, at its weight)
                        if costs[row] is not None:
                            terms.append((costs[row], -float(plan.scope_cost_weight[si, mi])))
                else:
                    raise ValueError(what)
            terms = [(r, w) for r, w in terms if w != 0.0]  # add_scaled skips a weight 0 (and -0)
            # one pass per term over the horizon rows, straight into the output: no register per
            # partial sum, and no model year before the horizon
            b.emit(OP_OUTSUM, c=slot, imm=b.put([len(terms), *(x for t in terms for x in t)]), effect=True)
            outputs.append(what)
        return layout(b, self.tables, tuple(self.streams), tuple(outputs), self.Y,
                       self.Y - len(sc.years))

    def scope(self, label: str) -> int:
        """The index of the scope labelled ``label`` (in :func:`simulator.core.plan.scopes_of`'s order)."""
        from simulator.scenario.model import scope_label

        for i, s in enumerate(self.scopes):
            if scope_label(s) == label:
                return i
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

    def euro_shift(self, x: int, delay: int, baseline: int) -> int:
        """A share of a cost delayed as euros (:func:`simulator.core.measures.delayed`)."""
        b = self.b
        x = b.full_years(x)
        return b.emit(OP_ESHIFT, b.reg(True, True), x, delay, baseline)


def _plus(b: Builder, acc: int | None, x: int) -> int:
    """acc + x, where acc None stands for the numpy engine's zeros (0 + x is x)."""
    return x if acc is None else b.bin(ADD, acc, x)


def _cholesky(c, sc) -> np.ndarray:
    """The copula's factor, computed as :func:`simulator.core.sampling.correlate` does: of the
    latent matrix calibrated so the asked rank correlations hold (:mod:`simulator.core.copula`)."""
    from simulator.core.copula import calibrate

    return np.linalg.cholesky(calibrate(c, {i.key: i for i in sc.inputs}, sc.file).latent)


@lru_cache(maxsize=128)
def translate(scenario: Scenario, opts: Options) -> Program:
    """The program of a scenario under ``opts`` (cached: a Scenario hashes by its file's digest)."""
    return _Model(scenario, opts).build()


def declined(scenario: Scenario, *, active: frozenset[str] | None = None,
             overrides: dict[str, float] | None = None) -> str | None:
    """What the kernel does not implement in this scenario (then the numpy engine runs it), or None."""
    opts = Options(active=frozenset(active) if active is not None else None,
                   overrides=tuple(sorted((str(k), float(v)) for k, v in (overrides or {}).items())))
    try:
        translate(scenario, opts)
    except Unsupported as exc:
        return str(exc)
    return None


__all__ = ["declined", "translate"]
