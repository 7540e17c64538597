"""The report's analysis design (issue 18): stacked runs change no number, the smaller samples
keep their errors honest.

Stacked runs put many variants of one study (an input fixed, a pick-freeze group from sample
B, a set of measures) side by side as slices of one engine call. The model is elementwise over
paths, so each slice must equal the separate run bit for bit: checked here on every bundled
scenario against :func:`simulator.run.dataset.run_blocks` on the numpy engine. The design's
smaller samples (swings on ``swing_paths``, indices on ``aux_paths``) are checked against
larger runs with tolerances of 4 combined standard errors, each side's own.
"""

import math

import numpy as np
import pytest

from simulator.core.options import RunOptions
from simulator.core.sampling import plan_value
from simulator.results.analysis import AUX_PATHS, LEADING, SWING_SHARE, Study, analyse, sensitivity
from simulator.results.sensitivity import indices, swing_values
from simulator.run.dataset import run_blocks
from simulator.scenario.loader import load

from .conftest import SCENARIOS

BUNDLED = sorted(p.name for p in SCENARIOS.glob("*.toml"))


@pytest.fixture(autouse=True)
def _numpy_engine(monkeypatch):
    # run_blocks is the reference: the numpy engine's own separate runs
    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")


def _separate(st: Study, paths: int, **options) -> np.ndarray:
    parts = run_blocks(st.scenario, paths, seed=st.seed, options=RunOptions(**options))
    return np.concatenate([b.scope_net[st.scope, st.year_index] for b in parts])


@pytest.mark.parametrize("name", BUNDLED)
def test_stacked_runs_equal_separate_runs_bit_for_bit(name):
    s = load(SCENARIOS / name)
    st = Study(s, paths=1500, seed=3, aux_paths=1500)
    rng = np.random.default_rng(0)
    picked = [s.inputs[i] for i in sorted(rng.choice(len(s.inputs), size=min(8, len(s.inputs)), replace=False))]
    variants = [{}, *({i.key: v} for i in picked for v in (*swing_values(i), plan_value(i))),
                {i.key: plan_value(i) for i in picked}]
    got = st.stacked(variants)
    for v, row in zip(variants, got, strict=True):
        assert np.array_equal(row, _separate(st, 1500, overrides=v or None)), v
    # structural options apply to every slice; a smaller run is a prefix of the kept draws
    first = s.measures[0].id
    for options in ({"active": frozenset({first})}, {"no_growth": True}, {"extra_delay": 1.0}):
        got = st.stacked(variants[:3], 700, **options)
        for v, row in zip(variants[:3], got, strict=True):
            assert np.array_equal(row, _separate(st, 700, overrides=v or None, **options)), (v, options)


def test_stacked_runs_over_several_blocks_and_in_several_calls(monkeypatch):
    import simulator.results.analysis as analysis

    monkeypatch.setattr(analysis, "STACK_PATHS", 900)  # 2 variants of 400 paths per call
    s = load(SCENARIOS / "huizen-2022.toml")
    st = Study(s, paths=400, seed=1, aux_paths=400)
    variants = [{i.key: plan_value(i)} for i in s.inputs[:5]]
    for v, row in zip(variants, st.stacked(variants), strict=True):
        assert np.array_equal(row, _separate(st, 400, overrides=v)), v
    monkeypatch.undo()
    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")
    # past one block of paths: the second block's draws are its own
    big = Study(s, paths=66_000, seed=1, aux_paths=66_000)
    for v, row in zip(variants[:2], big.stacked(variants[:2]), strict=True):
        assert np.array_equal(row, _separate(big, 66_000, overrides=v)), v


def test_a_per_path_override_takes_those_values():
    # the pick-freeze's B sample: per-path values in a slice equal a block run with them given
    from simulator.core.engine import simulate
    from simulator.core.plan import compile_plan
    from simulator.core.sampling import Inputs, sample_inputs

    s = load(SCENARIOS / "renkum-2025.toml")
    st = Study(s, paths=600, seed=2, aux_paths=600)
    n_years = s.years[-1] - s.base_year
    a = sample_inputs(s, 600, seed=2, block=0, n_years=n_years)
    b = sample_inputs(s, 600, seed=2, block=1 << 30, n_years=n_years)
    keys = [i.key for i in s.inputs[:3]]
    got = st.stacked([{k: b[k] for k in keys}, {}])
    blk = simulate(compile_plan(s), Inputs({**a, **{k: b[k] for k in keys}}, 600), RunOptions())
    assert np.array_equal(got[0], blk.scope_net[st.scope, st.year_index])
    assert np.array_equal(got[1], st.rerun())


def test_the_leading_inputs_indices_are_those_of_the_full_design():
    # each group's run depends on that group only: asking for fewer inputs changes none of them
    s = load(SCENARIOS / "renkum-2025.toml")
    every = indices(Study(s, paths=1000, seed=4, aux_paths=1000))
    keys = [i.key for i in s.inputs[:LEADING]]
    some = indices(Study(s, paths=1000, seed=4, aux_paths=1000), keys)
    for k, v in some["inputs"].items():
        assert v == (every["inputs"][k] if k in keys else None), k
    assert some["measures"] == every["measures"]


def test_the_defaults_of_the_design():
    from simulator.cli.report import report

    assert next(p for p in report.params if p.name == "aux_paths").default == AUX_PATHS
    s = load(SCENARIOS / "huizen-2022.toml")
    st = Study(s)
    assert (st.aux_paths, st.swing_paths) == (AUX_PATHS, round(SWING_SHARE * AUX_PATHS))
    assert Study(s, paths=300).swing_paths == round(SWING_SHARE * 300)  # aux_paths is at most paths
    f = analyse(s, paths=1000, aux_paths=400)
    shown = [r for r in f.sensitivity if r.first_order is not None]
    assert [r.key for r in shown] == [r.key for r in f.sensitivity[:LEADING]]
    assert all(r.first_order_se is not None and r.total_order_se is not None for r in shown)
    assert all(r.swing_se >= 0 for r in f.sensitivity)


@pytest.mark.parametrize("name", ["renkum-2025.toml", "meerinzicht-2026.toml"])
def test_the_small_samples_agree_with_large_ones_within_their_errors(name):
    # the default design against one with 8x the paths: swings within 4 combined SEs, the
    # measures' Sobol' indices within 4 combined bootstrap SEs (independent of the sizes' choice)
    s = load(SCENARIOS / name)
    small = Study(s, paths=4000, seed=5, aux_paths=1000)
    large = Study(s, paths=8000, seed=11, aux_paths=8000)
    big = {r.key: r for r in sensitivity(large)}
    for r in sensitivity(small):
        ref = big[r.key]
        se = math.hypot(r.swing_se, ref.swing_se)
        # a deterministic swing (an input on its own, no interaction) has a rounding-size SE
        assert abs(r.swing - ref.swing) <= 4 * se + 1e-6 * max(1.0, abs(ref.swing)), r.key
    ref_m = {m.id: m for m in indices(large, [])["measures"]}
    for m in indices(small, [])["measures"]:
        for k in ("first_order_estimate", "total_order_estimate"):
            se = math.hypot(getattr(m, k.replace("estimate", "se")), getattr(ref_m[m.id], k.replace("estimate", "se")))
            assert abs(getattr(m, k) - getattr(ref_m[m.id], k)) <= 4 * se + 1e-12, (m.id, k)
