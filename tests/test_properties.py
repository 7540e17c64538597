"""Invariants over generated valid scenarios."""

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.core.engine import simulate_block
from simulator.core.options import RunOptions
from simulator.results.check import deterministic
from simulator.run.dataset import run
from simulator.scenario.loader import build

from .strategies import scenario_doc


def _deterministic_doc(doc):
    """The same document with every measure certain and every distribution at a point."""
    d = copy.deepcopy(doc)
    for m in d["measure"]:
        m.pop("go_ahead", None)
        m.pop("delay", None)
        eff = m["effect"]
        if isinstance(eff.get("fraction"), dict):
            eff["fraction"] = eff["fraction"]["pert"][1]
    for p in d["post"]:
        if isinstance(p.get("growth"), dict):
            p["growth"] = p["growth"]["pert"][1]
    return d


def hand_calculation(doc):
    """Spreadsheet arithmetic: baseline grown, fractions compound per post, amounts as
    fractions of the baseline, costs subtracted."""
    years = doc["scenario"]["years"]
    out = {}
    for y in years:
        t = y - doc["scenario"]["base_year"]
        net = 0.0
        for p in doc["post"]:
            base = p["base"] * (1 + p.get("growth", 0.0)) ** t
            keep = 1.0
            for m in doc["measure"]:
                if m["post"] != p["id"]:
                    continue
                phase = 1.0
                if "phase_in" in m:
                    phase = m["phase_in"]["2025"] if y == 2025 else 1.0
                eff = m["effect"]
                f = eff["fraction"] if "fraction" in eff else eff["amount"] / base
                keep *= 1 - min(f * phase, 1.0)
            net += base * (1 - keep)
        net -= sum(m.get("costs", 0.0) for m in doc["measure"])
        out[y] = net
    return out


@given(scenario_doc())
def test_deterministic_mode_equals_the_hand_calculation(doc):
    d = _deterministic_doc(doc)
    s = build(d)
    got = deterministic(s)["net"]
    want = hand_calculation(d)
    for y in want:
        assert abs(got[y] - want[y]) <= 1e-6 * max(1.0, abs(want[y]))


@given(scenario_doc())
def test_zero_variance_inputs_give_zero_width_ranges(doc):
    s = build(_deterministic_doc(doc))
    b = simulate_block(s, 64, seed=3)
    assert np.ptp(b.net, axis=1).max() <= 1e-6 * max(1.0, np.abs(b.net).max())


@given(scenario_doc(), st.randoms(use_true_random=False))
def test_order_of_measures_and_posts_never_changes_a_result(doc, rnd):
    a = run(build(doc), 200, seed=9)["net_savings"].values
    shuffled = copy.deepcopy(doc)
    rnd.shuffle(shuffled["measure"])
    rnd.shuffle(shuffled["post"])
    b = run(build(shuffled), 200, seed=9)["net_savings"].values
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6)


@given(scenario_doc())
def test_savings_on_a_post_never_exceed_the_post(doc):
    b = simulate_block(build(doc), 128, seed=5, options=RunOptions(detail=True))
    assert np.all(b.post_spending >= -1e-6)
    assert np.all(b.post_baseline - b.post_spending <= b.post_baseline + 1e-6)


@given(scenario_doc(), st.integers(0, 5), st.floats(1.0, 3.0))
def test_a_larger_effect_never_lowers_savings(doc, which, factor):
    d = _deterministic_doc(doc)
    m = d["measure"][which % len(d["measure"])]
    before = deterministic(build(d))["net"]
    eff = m["effect"]
    key = "fraction" if "fraction" in eff else "amount"
    eff[key] = min(eff[key] * factor, 1.0) if key == "fraction" else eff[key] * factor
    after = deterministic(build(d))["net"]
    for y in before:
        assert after[y] >= before[y] - 1e-6 * max(1.0, abs(before[y]))


@settings(max_examples=15)
@given(scenario_doc(), st.integers(0, 2**32))
def test_same_seed_same_result_and_prefix_consistency(doc, seed):
    s = build(doc)
    a = run(s, 400, seed=seed)["net_savings"].values
    b = run(s, 400, seed=seed)["net_savings"].values
    assert np.array_equal(a, b)
    assert np.array_equal(run(s, 150, seed=seed)["net_savings"].values, a[:150])


@settings(max_examples=10)
@given(scenario_doc())
def test_quantiles_are_ordered_and_probabilities_bounded(doc):
    from simulator.results.summary import summarise_years

    summary = summarise_years(run(build(doc), 300, seed=1))
    for y, v in summary.savings.items():
        assert v.p5 <= v.p10 <= v.p50 <= v.p90 <= v.p95
        for k in ("p_target_met", "p_within_budget"):
            p = getattr(summary, k)[y]
            assert p is None or 0.0 <= p <= 1.0
