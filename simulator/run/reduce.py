"""Streaming runs: the summary of any number of paths in bounded memory, on threads or dask.

A Dataset holds every path of every scope; ten million paths of the largest scenario would
not fit in 2 GB. ``taaksim run`` needs far less: per year the distribution of the headline
savings and, per target and budget, whether it holds and the range of what it judges. So
each block of paths is reduced as soon as it is simulated to a :class:`BlockStats`, and the
blocks' stats are merged (:class:`Merged`); :meth:`simulator.results.summary.Summary.from_merged`
turns the merge into the same summary a full run gives.

What is exact and what is approximate:

* the headline series (net savings of the region or municipality per year) is kept whole,
  8 bytes per path and year, so its mean and percentiles are exactly those of
  :meth:`simulator.results.summary.Summary.from_dataset` on the same paths;
* every probability is a count of paths, exact;
* the p5/p50/p95 of each target's and budget's judged amount come from a mergeable
  log-bucket histogram (:class:`LogSketch`): within 0.01% of the value or 1 euro.

Reproducibility: a block's numbers depend only on (seed, block), so threads and dask
workers may simulate blocks in any order. Integer counts merge in any order; the few float
sums are folded in block order at the end, and the headline series is written at its
block's offset, so a run gives the same bits on one thread, on two, or on a cluster.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from simulator.core import goals as rule
from simulator.core.engine import Block, scopes_of, simulate_block
from simulator.core.goals import GoalSpec
from simulator.core.options import BlockEngine, RunOptions
from simulator.core.sampling import BLOCK_PATHS
from simulator.core.stats import probability_se, wilson_se
from simulator.run.meta import budgets_meta, targets_meta
from simulator.scenario.model import Scenario, scope_label

# --- what a run reports --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    """Which scope is the headline and which goals are judged, for one municipality (or the
    region): everything a block must keep for the summary."""

    years: tuple[int, ...]
    headline: int  # scope index
    goals: tuple[GoalSpec, ...]
    detail: bool = False

    @classmethod
    def of(cls, scenario: Scenario, municipality: str | None = None, *, detail: bool = False) -> ReportSpec:
        labels = [scope_label(s) for s in scopes_of(scenario)]
        head = rule.headline_index(labels, municipality, (m.id for m in scenario.municipalities))
        goals = [GoalSpec.from_meta(kind, it, labels)
                 for kind, items in (("target", targets_meta(scenario)), ("budget", budgets_meta(scenario)))
                 for it in items if it.get("municipality") == municipality]
        return cls(tuple(scenario.years), head, tuple(goals), detail)

    @property
    def series(self) -> list[tuple[int, int]]:
        """(goal index, year) of every judged amount, in report order."""
        return [(gi, y) for gi, g in enumerate(self.goals) for y in sorted(g.amounts)]


# --- a mergeable quantile sketch -----------------------------------------------------------


class LogSketch:
    """Counts on log-spaced buckets: every quantile within relative ``ALPHA`` (or 1 euro).

    Bucket k holds |x| in (gamma^(k-1), gamma^k], gamma = (1 + ALPHA) / (1 - ALPHA); its
    representative 2 gamma^k / (gamma + 1) is within ALPHA of every value in it. |x| below
    1 (euro) counts as 0, above 1e13 as 1e13. Counts are integers: merging is addition,
    exact in any order.
    """

    ALPHA = 1e-4
    GAMMA = (1 + ALPHA) / (1 - ALPHA)
    K = math.ceil(math.log(1e13) / math.log(GAMMA))  # buckets per sign
    SIZE = 2 * K + 1  # negative buckets, zero, positive buckets

    @classmethod
    def index(cls, x: np.ndarray) -> np.ndarray:
        a = np.abs(x)
        np.clip(a, 1.0, 1e13, out=a)
        np.log(a, out=a)
        a *= 1.0 / math.log(cls.GAMMA)
        np.ceil(a, out=a)
        np.copysign(a, x, out=a)  # |x| < 1: log 1 = 0, the zero bucket whatever the sign
        k = a.astype(np.intp)
        k += cls.K
        return k

    @classmethod
    def counts(cls, x: np.ndarray) -> np.ndarray:
        """Dense counts over all SIZE buckets."""
        out = np.zeros(cls.SIZE, dtype=np.int64)
        cls.add(out, *cls.span(x))
        return out

    @classmethod
    def span(cls, x: np.ndarray, *, compiled: bool = False) -> tuple[int, np.ndarray]:
        """(first bucket, counts from there): a block's values span few buckets, so this is
        small to keep and to ship, and cheap to count. ``compiled``: count with
        :func:`simulator.core.compiled.counts.log_buckets` (the same counts, fewer passes;
        for runs on the compiled kernel, which has numba loaded)."""
        if compiled and x.size:
            from simulator.core.compiled.counts import log_buckets

            flat = x.reshape(-1)
            a = np.abs(flat)
            np.clip(a, 1.0, 1e13, out=a)
            np.log(a, out=a)
            lo, counts = log_buckets(a, flat, 1.0 / math.log(cls.GAMMA), cls.K)
            return int(lo), counts
        k = cls.index(x.reshape(-1))
        if k.size == 0:
            return 0, np.zeros(0, dtype=np.int64)
        lo = int(k.min())
        k -= lo
        return lo, np.bincount(k).astype(np.int64, copy=False)

    @staticmethod
    def add(dense: np.ndarray, lo: int, counts: np.ndarray) -> None:
        dense[lo:lo + len(counts)] += counts

    @classmethod
    def quantiles(cls, counts: np.ndarray, qs: Iterable[float]) -> list[float]:
        """Values at the ranks numpy's default ('linear') quantile would interpolate between."""
        n = int(counts.sum())
        cum = np.cumsum(counts)
        out = []
        for q in qs:
            pos = q * (n - 1)
            lo, hi = math.floor(pos), math.ceil(pos)
            vlo, vhi = cls._value(cum, lo), cls._value(cum, hi)
            out.append(vlo + (pos - lo) * (vhi - vlo))
        return out

    @classmethod
    def _value(cls, cum: np.ndarray, rank: int) -> float:
        k = int(np.searchsorted(cum, rank, side="right")) - cls.K
        if k == 0:
            return 0.0
        v = 2.0 * cls.GAMMA ** abs(k) / (cls.GAMMA + 1.0)
        return math.copysign(v, k)


# --- one block ------------------------------------------------------------------------------


@dataclass
class BlockStats:
    """What one block contributes. Floats are per block (folded in block order later)."""

    block: int
    n: int
    head: np.ndarray  # (year, path) headline net savings
    mean: np.ndarray  # (year,) of this block
    m2: np.ndarray  # (year,) sum of squared deviations from this block's mean
    holds: np.ndarray  # (series,) paths where each goal holds in each of its years
    all_years: np.ndarray  # (goal,) paths where a goal holds in every one of its years
    budgets: np.ndarray  # (year,) paths where every budget of that year holds
    sketch: list[tuple[int, np.ndarray]]  # per series: LogSketch.span of the judged amounts
    detail: dict[str, np.ndarray] | None = None  # name -> (item, year) sums over paths
    programme: tuple[int, np.ndarray] = (0, np.zeros(0, dtype=np.int64))  # LogSketch.span of the combined shortfall
    # Latin hypercube / Sobol' only: paths, holds (replicate, series) and budgets (replicate,
    # year) of each independent randomisation in the block (simulator.core.qmc.REPLICATES)
    replicate_n: np.ndarray | None = None
    replicate_holds: np.ndarray | None = None
    replicate_budgets: np.ndarray | None = None


def block_stats(spec: ReportSpec, b: Block, block: int, sampling: str = "mc", *, compiled: bool = False
                ) -> BlockStats:
    """Reduce a simulated block to what the summary needs (and, for Latin hypercube or Sobol'
    sampling, each randomisation's counts: their spread is the honest error). ``compiled``:
    count the sketches with numba (:meth:`LogSketch.span`; the same numbers)."""
    head = b.scope_net[spec.headline]  # (year, path)
    n = head.shape[1]
    mean = head.mean(axis=1)
    dev = head - mean[:, None]
    m2 = np.einsum("ij,ij->i", dev, dev)
    years = list(spec.years)
    series = spec.series
    holds = np.zeros(len(series), dtype=np.int64)
    sketch = []
    all_years = np.zeros(len(spec.goals), dtype=np.int64)
    budget_ok: list[np.ndarray | None] = [None] * len(years)
    per_goal: dict[int, np.ndarray] = {}
    slices = _replicate_slices(n, sampling)
    rep_holds = np.zeros((len(slices), len(series)), dtype=np.int64)
    shortfalls: dict[tuple[int, int], np.ndarray] = {}
    for si, (gi, y) in enumerate(series):
        g = spec.goals[gi]
        t = years.index(y)
        value, _ = g.judged(y, years, b.scope_net, b.scope_baseline, b.price_index)
        ok = rule.holds(g.kind, value, g.amounts[y])
        shortfalls[(gi, y)] = rule.shortfall(g.kind, value, g.amounts[y])
        if g.kind == "budget":
            prev = budget_ok[t]
            budget_ok[t] = ok if prev is None else prev & ok
        holds[si] = np.count_nonzero(ok)
        if slices:
            rep_holds[:, si] = [np.count_nonzero(ok[sl]) for sl in slices]
        per_goal[gi] = ok if gi not in per_goal else per_goal[gi] & ok
        sketch.append(LogSketch.span(value, compiled=compiled))
    for gi, ok in per_goal.items():
        all_years[gi] = np.count_nonzero(ok)
    budgets = np.array([np.count_nonzero(ok) if ok is not None else 0 for ok in budget_ok],
                       dtype=np.int64)
    detail = None
    if spec.detail and b.measure_gross is not None:
        assert b.measure_costs is not None and b.post_baseline is not None and b.post_spending is not None
        detail = {"measure_savings": b.measure_gross.sum(axis=2),
                  "measure_costs": b.measure_costs.sum(axis=2),
                  "post_baseline": b.post_baseline.sum(axis=2),
                  "post_spending": b.post_spending.sum(axis=2)}
        if b.component_gross is not None:  # the parts of measures with components
            detail["component_savings"] = b.component_gross.sum(axis=2)
    combined = rule.combined_shortfall([g.footprint for g in spec.goals], shortfalls)
    programme = (LogSketch.span(combined, compiled=compiled) if combined is not None
                 else (0, np.zeros(0, dtype=np.int64)))
    out = BlockStats(block, n, np.ascontiguousarray(head), mean, m2, holds, all_years, budgets, sketch, detail,
                     programme)
    if slices:
        out.replicate_n = np.array([sl.stop - sl.start for sl in slices], dtype=np.int64)
        out.replicate_holds = rep_holds
        out.replicate_budgets = np.array([[np.count_nonzero(ok[sl]) if ok is not None else 0 for ok in budget_ok]
                                          for sl in slices], dtype=np.int64).reshape(len(slices), len(years))
    return out


def _replicate_slices(n: int, sampling: str) -> list[slice]:
    """The paths of each independent randomisation (none for plain Monte Carlo)."""
    if sampling == "mc":
        return []
    from simulator.core.qmc import replicate_slices

    return replicate_slices(n)


def simulate_stats(scenario: Scenario, spec: ReportSpec, block: int, n: int, *, seed: int,
                   options: RunOptions | None = None, engine: BlockEngine = "numpy") -> BlockStats:
    """Simulate one block under ``options`` (detail as ``spec`` asks) and reduce it: on the
    compiled kernel if ``engine`` says so (:func:`simulator.core.compiled.runner.block_engine`)
    and it can run the scenario (the same numbers), else numpy."""
    opts = (options or RunOptions()).with_(detail=spec.detail)
    if engine != "numpy" and opts.sampling == "mc" and not (opts.detail or opts.deterministic or opts.keep_inputs):
        rows = _kernel_rows(scenario, spec, block, n, seed=seed, options=opts, coded=engine == "coded")
        if rows is not None:
            return block_stats(spec, rows, block, compiled=True)  # type: ignore[arg-type]
    b = simulate_block(scenario, n, seed=seed, block=block, options=opts)
    return block_stats(spec, b, block, opts.sampling)


class _ScopeRows:
    """The few scope rows a summary reads, indexed like a Block's (scope, year, path) arrays."""

    def __init__(self, rows: dict[int, np.ndarray]):
        self.rows = rows

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self.rows[key[0]][key[1:]]
        return self.rows[key]


@dataclass
class _KernelBlock:
    scope_net: _ScopeRows
    scope_baseline: _ScopeRows
    measure_gross: None = None
    price_index: np.ndarray | None = None  # (horizon year, path) [-], with a [prices] indexation


def _kernel_rows(scenario: Scenario, spec: ReportSpec, block: int, n: int, *, seed: int,
                 options: RunOptions, coded: bool = False) -> _KernelBlock | None:
    """The headline and goal scopes of one block from the compiled kernel, or None (numpy runs)."""
    from simulator.core.compiled.runner import program_for, run_program

    labels = [scope_label(s) for s in scopes_of(scenario)]
    # the headline, every goal's scope and the measures a booked saving overlaps
    nets = sorted({spec.headline, *(g.scope_index for g in spec.goals),
                   *(k.scope_index for g in spec.goals for k in g.booked)})
    bases = sorted({g.scope_index for g in spec.goals})  # the goal rule is given every goal's baseline
    indexed = scenario.prices.indexation is not None  # goals in prices of their year need the index
    outputs = (*(f"net:{labels[i]}" for i in nets), *(f"baseline:{labels[i]}" for i in bases),
               *(("price_index",) if indexed else ()))
    prog = program_for(scenario, active=options.active, overrides=options.override_map,
                       no_growth=options.no_growth, extra_delay=options.extra_delay, outputs=outputs)
    if prog is None:
        return None
    out = run_program(prog, n, seed=seed, block=block, coded=coded)
    if out is None:
        return None
    return _KernelBlock(_ScopeRows({i: out[k] for k, i in enumerate(nets)}),
                        _ScopeRows({i: out[len(nets) + k] for k, i in enumerate(bases)}),
                        price_index=out[-1] if indexed else None)


# --- merging ----------------------------------------------------------------------------------


@dataclass
class Merged:
    """The merge of blocks 0..k-1 (integer parts in any order, float parts in block order)."""

    spec: ReportSpec
    capacity: int | None = None  # paths, when known in advance: the headline is preallocated
    threads: int | None = None  # the run's threads, for the work on the merge too (None: one per core)
    n: int = 0
    blocks: int = 0
    holds: np.ndarray | None = None
    all_years: np.ndarray | None = None
    budgets: np.ndarray | None = None
    sketch: np.ndarray | None = None
    programme: np.ndarray | None = None  # LogSketch counts of the programme's combined shortfall
    _head: np.ndarray | None = None
    _parts: list[np.ndarray] = field(default_factory=list)
    _moments: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    _detail: dict[str, np.ndarray] | None = None
    _replicates: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, s: BlockStats) -> None:
        """Add the next block: blocks must come in order (see :func:`in_order`)."""
        assert s.block == self.blocks, "blocks are merged in order"
        if self.capacity is not None:
            if self._head is None:
                self._head = np.empty((len(self.spec.years), self.capacity))
            start = s.block * BLOCK_PATHS
            self._head[:, start:start + s.n] = s.head
        else:
            self._parts.append(s.head)
        self._moments.append((s.n, s.mean, s.m2))
        for name in ("holds", "all_years", "budgets"):
            cur = getattr(self, name)
            setattr(self, name, s.__dict__[name].copy() if cur is None else cur + s.__dict__[name])
        if self.sketch is None:
            self.sketch = np.zeros((len(s.sketch), LogSketch.SIZE), dtype=np.int64)
        for row, (lo, counts) in zip(self.sketch, s.sketch, strict=True):
            LogSketch.add(row, lo, counts)
        if self.programme is None:
            self.programme = np.zeros(LogSketch.SIZE, dtype=np.int64)
        LogSketch.add(self.programme, *s.programme)
        if s.detail is not None:
            self._detail = ({k: v.copy() for k, v in s.detail.items()} if self._detail is None
                            else {k: self._detail[k] + v for k, v in s.detail.items()})
        if s.replicate_n is not None:
            assert s.replicate_holds is not None and s.replicate_budgets is not None
            self._replicates.append((s.replicate_n, s.replicate_holds, s.replicate_budgets))
        self.n += s.n
        self.blocks += 1

    def head(self) -> np.ndarray:
        """The headline series (year, path) of every merged path."""
        if self.capacity is not None:
            assert self._head is not None, "no block merged"
            return self._head[:, : self.n]
        if len(self._parts) > 1:
            self._parts = [np.concatenate(self._parts, axis=1)]
        return self._parts[0]

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sample variance per year, blocks combined in order (Chan et al.)."""
        assert self._moments, "no block merged"
        n, mean, m2 = self._moments[0][0], self._moments[0][1].copy(), self._moments[0][2].copy()
        for nb, mb, m2b in self._moments[1:]:
            delta = mb - mean
            tot = n + nb
            mean = mean + delta * (nb / tot)
            m2 = m2 + m2b + delta * delta * (n * nb / tot)
            n = tot
        var = m2 / (n - 1) if n > 1 else np.zeros_like(m2)
        return mean, var

    def probability_errors(self) -> list[float]:
        """Standard error of every reported probability (each goal in each year)."""
        if self.holds is None or self.n == 0:
            return []
        return [probability_se(float(p), self.n) for p in self.holds / self.n]

    def stopping_errors(self) -> list[float]:
        """Per reported probability, an error that stays honest at 0 and 1 (Wilson; see
        :func:`simulator.core.stats.wilson_se`): the plain one is 0 there after any block.
        With Latin hypercube or Sobol' sampling: the spread of the independent randomisations
        (Wilson's where no randomisation saw a path miss, or every one did)."""
        if self.holds is None or self.n == 0:
            return []
        wilson = [wilson_se(float(h) / self.n, self.n) for h in self.holds]
        spread = self.replicate_errors("holds")
        if spread is None:
            return wilson
        return [w if h in (0, self.n) else float(r) for w, h, r in zip(wilson, self.holds, spread, strict=True)]

    def replicate_errors(self, what: str = "holds") -> np.ndarray | None:
        """Standard errors of the probabilities ("holds": each goal in each year; "budgets":
        every budget per year) from the spread of the randomisations, or None for plain MC."""
        if not self._replicates:
            return None
        from simulator.core.qmc import between_block_se

        n = np.concatenate([r[0] for r in self._replicates])
        counts = np.concatenate([r[1] if what == "holds" else r[2] for r in self._replicates])
        keep = n > 0
        n, counts = n[keep], counts[keep]
        return np.array([between_block_se(counts[:, j] / n, n) for j in range(counts.shape[1])])

    def counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Paths where each goal holds in each year (per :attr:`ReportSpec.series`), where every
        budget holds (per year), and where each goal holds in all its years (per goal)."""
        assert self.holds is not None and self.budgets is not None and self.all_years is not None, "no block"
        return self.holds, self.budgets, self.all_years

    def sketch_of(self, series: int) -> np.ndarray:
        """The :class:`LogSketch` counts of what one series (goal, year) judges."""
        assert self.sketch is not None, "no block merged"
        return self.sketch[series]

    def detail_sums(self) -> dict[str, np.ndarray] | None:
        """With ``detail``: name -> (item, year) sums over every merged path [EUR]."""
        return self._detail


def in_order(stats: Iterable[BlockStats]) -> Iterator[BlockStats]:
    """Yield block stats in block order, holding back those that arrive early."""
    waiting: dict[int, BlockStats] = {}
    nxt = 0
    for s in stats:
        waiting[s.block] = s
        while nxt in waiting:
            yield waiting.pop(nxt)
            nxt += 1
