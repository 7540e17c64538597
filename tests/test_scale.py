"""Scale: threads and dask give the bits of one thread, streamed summaries agree with the
Dataset's, --precision stops where it should, bench prints its schema, start-up stays light.

Speed itself is measured by the asv suite in benchmarks/, not here.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simulator
from simulator.cli import main
from simulator.core.options import RunOptions
from simulator.core.sampling import BLOCK_PATHS
from simulator.results.summary import Summary, summarise_years
from simulator.run.dataset import run_blocks
from simulator.run.reduce import LogSketch
from simulator.run.streaming import run_stream

from .conftest import SCENARIOS

GOOI = SCENARIOS / "gooi-en-vechtstreek-2021.toml"
MEERINZICHT = SCENARIOS / "meerinzicht-2026.toml"
BLOCK_FIELDS = ("baseline", "spending", "net", "gross", "costs", "scope_net", "scope_spending",
                "scope_baseline", "post_baseline", "post_spending", "measure_gross", "measure_costs")


@pytest.fixture(scope="module")
def gooi():
    return simulator.load(GOOI)


@pytest.fixture(scope="module")
def meerinzicht():
    return simulator.load(MEERINZICHT)


def test_threads_give_the_bits_of_one_thread(gooi):
    paths = BLOCK_PATHS + 1_000  # two blocks, the second short
    one = run_blocks(gooi, paths, seed=11, threads=1, options=RunOptions(detail=True))
    two = run_blocks(gooi, paths, seed=11, threads=2, options=RunOptions(detail=True))
    assert len(one) == len(two) == 2
    for a, b in zip(one, two, strict=True):
        for name in BLOCK_FIELDS:
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_streamed_threads_give_the_bits_of_one_thread(meerinzicht):
    a = run_stream(meerinzicht, 2 * BLOCK_PATHS + 7, seed=4, threads=1, municipality="ermelo")
    b = run_stream(meerinzicht, 2 * BLOCK_PATHS + 7, seed=4, threads=3, municipality="ermelo")
    np.testing.assert_array_equal(a.head(), b.head())
    assert Summary.from_merged(a) == Summary.from_merged(b)


@pytest.mark.parametrize("municipality", [None, "harderwijk"])
def test_streamed_summary_agrees_with_the_dataset_summary(meerinzicht, municipality):
    paths = BLOCK_PATHS + 3_000
    ds = simulator.simulate(meerinzicht, paths, seed=8)
    want = summarise_years(ds, municipality=municipality)
    got = Summary.from_merged(run_stream(meerinzicht, paths, seed=8, threads=2, municipality=municipality))
    assert got.years == want.years and got.paths == want.paths == paths
    for y, row in want.savings.items():
        for k, v in row.to_json().items():
            # percentiles exact (the same paths); mean and its error summed in another order
            assert getattr(got.savings[y], k) == pytest.approx(v, rel=1e-12, abs=1e-9), (y, k)
    for key in ("target", "p_target_met", "p_target_met_se", "p_within_budget", "p_within_budget_se"):
        assert getattr(got, key) == getattr(want, key), key
    assert [g.id for g in got.goals] == [g.id for g in want.goals]
    for gw, gg in zip(want.goals, got.goals, strict=True):
        assert gg.p_all_years == gw.p_all_years
        for y, d in gw.years.items():
            assert gg.years[y].p == d.p and gg.years[y].se == d.se
            for k in ("p5", "p50", "p95"):  # from the log-bucket sketch: 0.01% or 1 euro
                assert abs(getattr(gg.years[y], k) - getattr(d, k)) <= LogSketch.ALPHA * abs(getattr(d, k)) + 1.0, (
                    gw.id, y, k)


def test_dask_local_cluster_gives_the_numbers_of_a_local_run(meerinzicht):
    pytest.importorskip("dask.distributed")
    paths = 2 * BLOCK_PATHS + 100
    local = run_stream(meerinzicht, paths, seed=21, threads=1, municipality="zeewolde")
    remote = run_stream(meerinzicht, paths, seed=21, scheduler="dask", municipality="zeewolde")
    np.testing.assert_array_equal(local.head(), remote.head())
    assert Summary.from_merged(local) == Summary.from_merged(remote)


def test_scenarios_travel_to_workers():
    import simulator.run.cluster  # noqa: F401  (registers how read-only tables pickle)

    s = simulator.load(GOOI)
    again = pickle.loads(pickle.dumps(s))
    assert again.digest == s.digest and again.parameters == s.parameters


def test_precision_adds_blocks_until_every_probability_is_that_precise(meerinzicht):
    precision = 0.0016
    m = run_stream(meerinzicht, 0, seed=2, precision=precision, municipality="ermelo", threads=2)
    assert m.n % BLOCK_PATHS == 0 and m.n >= BLOCK_PATHS
    assert m.probability_errors() and max(m.probability_errors()) < precision
    # one block fewer was not enough (a shorter run is a prefix of a longer one)
    if m.n > BLOCK_PATHS:
        shorter = run_stream(meerinzicht, m.n - BLOCK_PATHS, seed=2, municipality="ermelo")
        assert max(shorter.probability_errors()) >= precision


def test_cli_precision_reports_the_paths_it_took(minimal_path):
    from click.testing import CliRunner

    r = CliRunner().invoke(main, ["run", str(minimal_path), "--precision", "0.01", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["paths"] == BLOCK_PATHS and out["precision"] == 0.01
    assert all(se is None or se < 0.01 for se in out["mc_error"]["p_target_met"].values())


def test_cli_detail_streams_measure_means(minimal_path):
    from click.testing import CliRunner

    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "3000", "--detail", "--json"])
    assert r.exit_code == 0, r.output
    detail = json.loads(r.output)["detail"]
    assert set(detail) == {"measure_savings", "measure_costs", "post_baseline", "post_spending"}
    s = simulator.load(minimal_path)
    assert len(detail["measure_savings"]) == len(s.measures)
    assert len(detail["measure_savings"][0]) == len(s.years)


def test_bench_json_schema(minimal_path):
    from click.testing import CliRunner

    r = CliRunner().invoke(main, ["bench", str(minimal_path), "--paths", "3000", "--json", "--threads", "2"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    types = {"scenario": str, "paths": int, "variates": int, "seconds": float, "paths_per_second": float,
             "floor_seconds": float, "floor_ratio": float, "peak_memory_mb": float}
    assert set(types) <= set(out)  # the keys of before, and new ones (engine, per thread count)
    for k, t in types.items():
        assert isinstance(out[k], t), k
    s = simulator.load(minimal_path)
    assert out["paths"] == 3000 and out["variates"] == 3000 * len(s.inputs)
    assert out["floor_ratio"] == pytest.approx(out["seconds"] / out["floor_seconds"])
    assert out["seconds"] > 0 and out["floor_seconds"] > 0 and out["peak_memory_mb"] > 0


def test_a_streamed_run_imports_no_scipy_pandas_or_xarray(minimal_path):
    code = ("import sys\nfrom simulator.cli import main\n"
            f"main(['run', {str(minimal_path)!r}, '--paths', '500', '--threads', '2'],\n"
            "     standalone_mode=False)\n"
            "print([m for m in ('scipy', 'pandas', 'xarray', 'dask') if m in sys.modules])")
    # the engine a quick run chooses by itself (CI forces the compiled one, whose numba loads scipy)
    env = {k: v for k, v in os.environ.items() if k != "TAAKSIM_ENGINE"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "[]"


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=300),
       st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=0, max_size=300))
def test_log_sketch_quantiles_within_alpha_and_merge_by_addition(a, b):
    x = np.array(a + b)
    counts = LogSketch.counts(np.array(a)) + LogSketch.counts(np.array(b))
    np.testing.assert_array_equal(counts, LogSketch.counts(x))
    xs = np.sort(x)
    for q, got in zip((0.05, 0.5, 0.95), LogSketch.quantiles(counts, (0.05, 0.5, 0.95)), strict=True):
        # the two order statistics numpy interpolates between are each within ALPHA (or 1 euro)
        pos = q * (len(xs) - 1)
        lo, hi = xs[math.floor(pos)], xs[math.ceil(pos)]
        want = np.quantile(x, q)
        assert abs(got - want) <= LogSketch.ALPHA * max(abs(lo), abs(hi)) * (1 + 1e-9) + 1.0


def test_library_calls_leave_the_process_allocator_alone():
    """malloc's settings belong to the program: run and run_stream never change them, the
    command line does (simulator.run.blocks.tune_allocator)."""
    code = ("from simulator.scenario.loader import load; from simulator.run.dataset import run; "
            "from simulator.run.streaming import run_stream; from simulator.run import blocks as perf; "
            f"s = load({str(SCENARIOS / 'huizen-2022.toml')!r}); run(s, 2000); run_stream(s, 2000); "
            "print(perf._tuned)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
