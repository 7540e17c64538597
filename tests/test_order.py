"""The streamed summary's compiled reductions: percentiles by selection (the same bits as
np.quantile and np.partition) and sketch counts (the same as numpy's)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.core.compiled.select import select
from simulator.core.stats import QUANTILES, quantile_interval
from simulator.run.order import head_percentiles

QS = list(QUANTILES.values())


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool((a.view(np.uint64) == b.view(np.uint64)).all())


def _check(head: np.ndarray, compiled: bool) -> None:
    qs, bounds = head_percentiles(head, QS, compiled=compiled, threads=2)
    assert _same_bits(qs, np.quantile(head, QS, axis=1))
    for j in range(head.shape[0]):
        want = [quantile_interval(head[j], q) for q in QS]
        assert _same_bits(bounds[j], want)


ROWS = {
    "normal": lambda rng, n: rng.normal(1e7, 2e6, n),
    "heavy tails": lambda rng, n: rng.standard_cauchy(n) * 1e6,
    "ties": lambda rng, n: rng.integers(-3, 4, n).astype(float) * 1e5,
    "a mass at zero": lambda rng, n: np.where(rng.random(n) < 0.3, 0.0, rng.lognormal(14, 1, n)),
    "constant": lambda rng, n: np.full(n, 125_000.5),
    "tiny and huge": lambda rng, n: rng.choice([-1e300, -1e-300, 5e-324, 1.0, 1e300], n),
}


@pytest.mark.parametrize("kind", list(ROWS))
@pytest.mark.parametrize("n", [1, 2, 3, 7, 100, 513, 5_000, 300_000])
@pytest.mark.parametrize("compiled", [True, False])
def test_percentiles_are_numpys_bit_for_bit(kind, n, compiled):
    rng = np.random.default_rng(n)
    _check(np.stack([ROWS[kind](rng, n) for _ in range(3)]), compiled)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # numpy's own, on inf - inf
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, -0.0])
def test_nan_infinity_and_signed_zeros_take_numpys_own_path(bad):
    rng = np.random.default_rng(5)
    head = np.where(rng.random((2, 1001)) < 0.5, 0.0, rng.normal(0, 1, (2, 1001)))
    head[0, ::7] = bad
    for compiled in (True, False):
        _check(head, compiled)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=700),
       st.data())
def test_select_finds_every_rank(values, data):
    row = np.array(values)
    ranks = np.array(sorted(set(data.draw(st.lists(st.integers(0, len(row) - 1), min_size=1, max_size=25)))),
                     dtype=np.int64)
    out = np.empty(len(ranks))
    assert select(row, ranks, out) == 0
    want = np.sort(row)[ranks]
    assert np.array_equal(out, want)  # == : a zero of either sign is the order statistic


@given(st.lists(st.floats(-1e15, 1e15, allow_nan=False), min_size=1, max_size=300))
def test_compiled_sketch_counts_are_numpys(values):
    from simulator.run.reduce import LogSketch

    x = np.array(values)
    lo, counts = LogSketch.span(x, compiled=True)
    want_lo, want = LogSketch.span(x)
    assert lo == want_lo and np.array_equal(counts, want) and counts.dtype == want.dtype


def test_compiled_sketch_counts_of_a_block():
    from simulator.run.reduce import LogSketch

    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(2e6, 3e6, 60_000), rng.uniform(-2, 2, 5_000), [0.0, -0.0, 1.0, -1.0, 1e14]])
    for block in (x, x.reshape(5, -1), x[::3]):
        lo, counts = LogSketch.span(block, compiled=True)
        want_lo, want = LogSketch.span(block)
        assert lo == want_lo and np.array_equal(counts, want)


def test_one_thread_selects_the_bits_of_two():
    rng = np.random.default_rng(11)
    head = np.stack([ROWS[kind](rng, 20_001) for kind in ("normal", "heavy tails", "ties", "a mass at zero")])
    one_q, one_b = head_percentiles(head, QS, compiled=True, threads=1)
    two_q, two_b = head_percentiles(head, QS, compiled=True, threads=2)
    assert _same_bits(one_q, two_q) and _same_bits(one_b, two_b)


def test_one_thread_starts_no_pool(monkeypatch):
    from simulator.run import order

    def no_pool(*args, **kwargs):
        raise AssertionError("a thread pool for threads=1")

    monkeypatch.setattr(order, "ThreadPoolExecutor", no_pool)
    head = np.random.default_rng(3).normal(0, 1, (3, 1001))
    qs, _ = head_percentiles(head, QS, compiled=True, threads=1)
    assert _same_bits(qs, np.quantile(head, QS, axis=1))


def _threads_seen(monkeypatch) -> list[int | None]:
    """The ``threads`` every call of head_percentiles gets from here on."""
    from simulator.run import order

    from .helpers import keyword_seen

    return keyword_seen(monkeypatch, order, "head_percentiles", "threads")


@pytest.mark.parametrize("threads", [1, 2])
def test_the_runs_threads_reach_the_selection(monkeypatch, threads):
    from simulator.results.summary import Summary
    from simulator.run.streaming import run_stream
    from simulator.scenario.loader import load

    from .conftest import SCENARIOS

    s = load(SCENARIOS / "huizen-2022.toml")
    seen = _threads_seen(monkeypatch)
    Summary.from_merged(run_stream(s, 3000, seed=1, threads=threads))
    Summary.from_merged(run_stream(s, 3000, seed=1, threads=threads, precision=0.05, max_paths=3000))
    assert seen == [threads, threads]


def test_run_with_one_thread_selects_on_one(monkeypatch):
    from click.testing import CliRunner

    from simulator.cli import main

    from .conftest import SCENARIOS

    seen = _threads_seen(monkeypatch)
    for scenario in ("huizen-2022", "gooi-en-vechtstreek-2021"):
        r = CliRunner().invoke(main, ["run", str(SCENARIOS / f"{scenario}.toml"), "--paths", "2000", "--threads", "1",
                                      "--json"])
        assert r.exit_code == 0, r.output
    assert seen and set(seen) == {1}
