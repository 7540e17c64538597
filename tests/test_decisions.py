"""Measures as decided (issue 14): delays that move euros, shared decisions, relations,
components and who pays, against closed forms and a per-path plain-Python oracle of the rules
in docs/model.md."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.core.engine import simulate_block
from simulator.core.options import RunOptions
from simulator.errors import ScenarioError

from .helpers import scenario

YEARS = (2025, 2026, 2027)
SRC = {"source": "assumption: test"}


def net(s, n=1, **opts):
    """Net savings per horizon year and path [EUR], dims (year, path)."""
    return simulate_block(s, n, options=RunOptions(**opts)).net


# --- delay semantics: closed forms ---------------------------------------------------------


def grown(rate):
    return [{"id": "p", "base": 1_000_000, "growth": rate}]


def test_a_delayed_fraction_moves_its_planned_euros_not_its_share():
    # B = 1.1 M (2025), 1.21 M (2026), 1.331 M (2027). Planned: 10% -> 110,000 / 121,000 / 133,100.
    # One year late: 0 / 110,000 / 121,000 (the old rule gave 0 / 121,000 / 133,100).
    s = scenario(grown(0.1), [{"id": "a", "post": "p", "effect": {"fraction": 0.1}, "delay": 1}], years=YEARS)
    assert net(s)[:, 0] == pytest.approx([0.0, 110_000.0, 121_000.0])


def test_a_fractional_delay_interpolates_the_euros():
    s = scenario(grown(0.1), [{"id": "a", "post": "p", "effect": {"fraction": 0.1}, "delay": 0.5}], years=YEARS)
    assert net(s)[:, 0] == pytest.approx([55_000.0, 0.5 * 110_000 + 0.5 * 121_000, 0.5 * 121_000 + 0.5 * 133_100])


def test_a_delayed_amount_moves_its_euros():
    s = scenario(grown(0.1), [{"id": "a", "post": "p", "effect": {"amount": {2025: 100, 2026: 200, 2027: 300}},
                               "delay": 1}], years=YEARS)
    assert net(s)[:, 0] == pytest.approx([0.0, 100.0, 200.0])


def test_without_delay_a_fraction_is_exactly_its_share():
    s = scenario(grown(0.1), [{"id": "a", "post": "p", "effect": {"fraction": 0.1}, "delay": 0}], years=YEARS)
    plain = scenario(grown(0.1), [{"id": "a", "post": "p", "effect": {"fraction": 0.1}}], years=YEARS)
    d = scenario(grown(0.1), [{"id": "a", "post": "p", "effect": {"fraction": 0.1},
                               "delay": {"p": 0.5, "years": 1}}], years=YEARS)
    x, y = net(plain, 1000), net(d, 1000)
    assert net(s)[:, 0].tolist() == net(plain)[:, 0].tolist()
    on_time = y[2] == y[2].max()
    assert y[:, on_time].tolist() == np.broadcast_to(x[:, :1], y[:, on_time].shape).tolist()


def test_a_cross_effect_follows_its_measures_delay_and_phase_in():
    posts = [{"id": "care", "base": 1_000_000, "growth": 0.1}, {"id": "transport", "base": 400_000}]
    s = scenario(posts, [{"id": "m10", "phase_in": {2025: 0.4, 2026: 0.6, 2027: 1.0}, "delay": 1, "effect": [
        {"post": "care", "fraction": 0.1}, {"post": "transport", "amount": 40_000}]}], years=YEARS)
    # care: planned 0.4*0.1*1.1M = 44,000, 0.6*0.1*1.21M = 72,600; transport 16,000, 24,000; one year late
    assert net(s)[:, 0] == pytest.approx([0.0, 44_000 + 16_000, 72_600 + 24_000])


# --- shared decisions -------------------------------------------------------------------------


def two_posts():
    return [{"id": "a", "base": 1_000_000}, {"id": "b", "base": 1_000_000}]


def test_a_shared_decision_is_one_draw_for_all_its_measures():
    s = scenario(two_posts(), [{"id": "x", "post": "a", "effect": {"amount": 100}, "decision": "raad"},
                               {"id": "y", "post": "b", "effect": {"amount": 200}, "decision": "raad"}],
                 decision=[{"id": "raad", "go_ahead": {"p": 0.6}, **SRC}])
    n = 20_000
    x = net(s, n)[0]
    assert set(np.round(x, 6)) == {0.0, 300.0}  # both or neither
    p = float(np.mean(x == 300.0))
    assert abs(p - 0.6) < 4 * math.sqrt(0.6 * 0.4 / n)


def test_a_decisions_delay_adds_to_the_measures_own():
    s = scenario([{"id": "a", "base": 1_000_000}],
                 [{"id": "x", "post": "a", "effect": {"amount": 100}, "decision": "raad", "delay": 1}],
                 decision=[{"id": "raad", "delay": 1, **SRC}], years=YEARS)
    assert net(s)[:, 0] == pytest.approx([0.0, 0.0, 100.0])


ADD = [{"id": "a", "base": 1_000_000, "combine": "additive"}]  # amounts add up: no interaction


def test_replace_goes_ahead_only_where_the_other_fails_and_then_counts_as_it():
    s = scenario(ADD, [
        {"id": "doorbraak", "post": "a", "effect": {"amount": 1000}, "go_ahead": 0.7},
        {"id": "m4", "post": "a", "effect": {"amount": 100}, "go_ahead": 0.5, "replace": "doorbraak"},
        {"id": "volg", "post": "a", "effect": {"amount": 10}, "require": "doorbraak"},
        {"id": "alt", "post": "a", "effect": {"amount": 1}, "exclude": "m4"},
    ])
    n = 40_000
    x = net(s, n)[0]
    # doorbraak 0.7; m4 0.3 * 0.5 but excluded by alt (certain): never; volg where doorbraak or m4 stands
    expected = 0.7 * 1000 + 0.0 * 100 + 0.7 * 10 + 1
    se = x.std() / math.sqrt(n)
    assert abs(x.mean() - expected) < 4 * se
    s2 = scenario(ADD, [
        {"id": "doorbraak", "post": "a", "effect": {"amount": 1000}, "go_ahead": 0.7},
        {"id": "m4", "post": "a", "effect": {"amount": 100}, "go_ahead": 0.5, "replace": "doorbraak"},
        {"id": "volg", "post": "a", "effect": {"amount": 10}, "require": "doorbraak"},
    ])
    x = net(s2, n)[0]
    expected = 0.7 * 1000 + 0.15 * 100 + (0.7 + 0.15) * 10
    assert abs(x.mean() - expected) < 4 * x.std() / math.sqrt(n)
    assert set(np.round(x, 6)) == {1010.0, 110.0, 0.0}


def test_require_a_decision():
    s = scenario([{"id": "a", "base": 1_000_000}], [{"id": "x", "post": "a", "effect": {"amount": 100},
                                                     "require": "raad"}],
                 decision=[{"id": "raad", "go_ahead": 0.25, **SRC}])
    n = 20_000
    p = float(np.mean(net(s, n)[0] == 100.0))
    assert abs(p - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)


# --- components -------------------------------------------------------------------------------


def test_components_have_their_own_go_ahead_and_delay():
    s = scenario(ADD, [{"id": "m2", "post": "a", "component": [
        {"id": "contract", "effect": {"amount": 100}, **SRC},
        {"id": "gedrag", "effect": {"amount": 50}, "delay": 1, **SRC}]}], years=YEARS)
    assert net(s)[:, 0] == pytest.approx([100.0, 150.0, 150.0])
    s = scenario(ADD, [{"id": "m2", "post": "a", "component": [
        {"id": "contract", "effect": {"amount": 100}, **SRC},
        {"id": "gedrag", "effect": {"amount": 50}, "go_ahead": 0.4, **SRC}]}])
    n = 20_000
    x = net(s, n)[0]
    assert set(np.round(x, 6)) == {100.0, 150.0}
    assert abs(np.mean(x == 150.0) - 0.4) < 4 * math.sqrt(0.24 / n)


def test_a_component_goes_ahead_only_with_its_measure():
    s = scenario([{"id": "a", "base": 1_000_000}], [{"id": "m", "post": "a", "go_ahead": 0.5, "component": [
        {"id": "c", "effect": {"amount": 50}, **SRC}]}])
    x = net(s, 20_000)[0]
    assert set(np.round(x, 6)) == {0.0, 50.0}


# --- who pays ---------------------------------------------------------------------------------


def paying(payer):
    return scenario([{"id": "a", "base": 1_000_000}], [{"id": "x", "post": "a", "effect": {"amount": 100},
                                                        "costs": 30, "paid_by": payer}],
                    municipality=[{"id": "g1", "share": 0.4, **SRC}, {"id": "g2", "share": 0.6, **SRC}])


def scope_net(s, label, muni=None):
    from simulator.core.plan import compile_plan

    plan = compile_plan(s)
    i = next(k for k, sc in enumerate(plan.scopes) if sc.label == label and sc.municipality == muni)
    return simulate_block(s, 1, options=RunOptions(deterministic=True)).scope_net[i, 0, 0]


@pytest.mark.parametrize("payer, total, g1, g2", [
    (None, 70.0, 0.4 * 70, 0.6 * 70),
    ("municipality:g1", 70.0, 40.0 - 30.0, 60.0),
    ("fund:transformatiefonds", 70.0, 40.0, 60.0),
    ("outside", 100.0, 40.0, 60.0),
    ("law:wmo", 70.0, 0.4 * 70, 0.6 * 70),
    ("law:jeugdwet", 70.0, 40.0, 60.0),
])
def test_paid_by_counts_a_cost_where_its_payer_is(payer, total, g1, g2):
    s = paying(payer) if payer else scenario(
        [{"id": "a", "base": 1_000_000}], [{"id": "x", "post": "a", "effect": {"amount": 100}, "costs": 30}],
        municipality=[{"id": "g1", "share": 0.4, **SRC}, {"id": "g2", "share": 0.6, **SRC}])
    assert net(s, deterministic=True)[0, 0] == pytest.approx(total)
    assert scope_net(s, "all", "g1") == pytest.approx(g1)
    assert scope_net(s, "all", "g2") == pytest.approx(g2)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("measures, decisions, where, problem", [
    ([{"id": "a", "post": "a", "effect": {"amount": 1}, "require": "a"}], [], 'measure "a" > require', "itself"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}, "require": "b"},
      {"id": "b", "post": "a", "effect": {"amount": 1}, "replace": "a"}], [], 'measure "b" > replace', "requires"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}, "require": "b"},
      {"id": "b", "post": "a", "effect": {"amount": 1}, "require": "a"}], [], 'measure "a"', "cycle"),
    ([{"id": "a", "post": "a", "component": [{"id": "c", **SRC}]}], [], 'component "c"', "needs an effect"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}, "decision": "nope"}], [], "decision", "unknown decision"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}, "require": "b", "exclude": "b"},
      {"id": "b", "post": "a", "effect": {"amount": 1}}], [], "exclude", "both"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}, "paid_by": "bank:x"}], [], "paid_by", "payer"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}}], [{"id": "d", **SRC}], 'decision "d"', "go_ahead"),
    ([{"id": "a", "post": "a", "effect": {"amount": 1}}], [{"id": "a", "delay": 1, **SRC}], 'measure "a" > id',
     "namespace"),
])
def test_bad_combinations_are_refused_with_key_path_and_problem(measures, decisions, where, problem):
    extra = {"decision": decisions} if decisions else {}
    with pytest.raises(ScenarioError) as err:
        scenario([{"id": "a", "base": 1000}], measures, **extra)
    text = str(err.value)
    assert where in text and problem in text and "<test>" in text


# --- the reference model: engine == a per-path plain-Python evaluation of the documented rules ---


def oracle(base, growth, post2_base, frac, amount, cross, decision_go, decision_delay, own_delay, cost,
           shared_cost, go_b, years=YEARS, base_year=2024):
    """Per path, in plain Python: docs/model.md §3-§5 for the reference model below.

    Measure a: fraction ``frac`` on post p (grown by ``growth``) plus a cross effect of
    ``cross`` EUR on post q, hanging on the decision (go-ahead, delay) with its own delay too.
    Measure b: ``amount`` on p, its own go-ahead ``go_b``, the decision too. Both share cost group g
    (``shared_cost`` a year when any goes ahead, split over those that do); a pays ``cost`` a year.
    """
    model = list(range(base_year + 1, years[-1] + 1))
    B = {t: base * (1 + growth) ** (t - base_year) for t in model}
    Bq = {t: post2_base for t in model}

    def late(planned, d):
        k = math.floor(d)
        w = d - k
        return {t: (1 - w) * planned.get(t - k, 0.0) + w * planned.get(t - k - 1, 0.0) for t in model}

    da = decision_delay + own_delay
    go_a = decision_go
    gb = decision_go * go_b
    euro_a = late({t: frac * B[t] for t in model}, da)
    share_a = {t: (euro_a[t] / B[t] if da else frac) * go_a for t in model}
    cross_a = late({t: cross for t in model}, da)
    share_q = {t: cross_a[t] / Bq[t] * go_a for t in model}
    euro_b = late({t: amount for t in model}, decision_delay)
    share_b = {t: euro_b[t] / B[t] * gb for t in model}
    out = []
    for t in years:
        keep = (1 - min(share_a[t], 1.0)) * (1 - min(share_b[t], 1.0))
        saved = B[t] * (1 - keep) + Bq[t] * min(share_q[t], 1.0)
        n_go = go_a + gb
        group = shared_cost if n_go else 0.0
        out.append(saved - cost * go_a - group)
    return out


def reference(base, growth, post2_base, frac, amount, cross, p_decision, decision_delay, own_delay, cost,
              shared_cost, p_b):
    return scenario(
        [{"id": "p", "base": base, "growth": growth}, {"id": "q", "base": post2_base}],
        [{"id": "a", "post": "p", "effect": [{"fraction": frac}, {"post": "q", "amount": cross}],
          "decision": "raad", "delay": own_delay, "costs": cost, "cost_group": "g"},
         {"id": "b", "post": "p", "effect": {"amount": amount}, "decision": "raad", "go_ahead": p_b,
          "cost_group": "g"}],
        decision=[{"id": "raad", "go_ahead": {"p": p_decision}, "delay": decision_delay, **SRC}],
        cost_group=[{"id": "g", "costs": shared_cost, **SRC}], years=YEARS)


@settings(max_examples=40, deadline=None)
@given(base=st.floats(1e5, 1e7), growth=st.floats(-0.05, 0.2), post2=st.floats(1e5, 1e6),
       frac=st.floats(0.0, 0.5), amount=st.floats(0.0, 5e4), cross=st.floats(0.0, 5e4),
       d_dec=st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.75]), d_own=st.sampled_from([0.0, 0.5, 1.0]),
       cost=st.floats(0.0, 1e4), shared=st.floats(0.0, 1e4), dec_go=st.sampled_from([0.0, 1.0]),
       b_go=st.sampled_from([0.0, 1.0]))
def test_the_engine_is_the_documented_rule_path_by_path(base, growth, post2, frac, amount, cross, d_dec, d_own,
                                                        cost, shared, dec_go, b_go):
    s = reference(base, growth, post2, frac, amount, cross, 0.5, d_dec, d_own, cost, shared, 0.5)
    # one path with its random inputs set: the decision's and b's go-ahead
    over = {"raad.go_ahead": dec_go, "b.go_ahead": b_go}
    got = simulate_block(s, 1, options=RunOptions(overrides=over)).net[:, 0]
    want = oracle(base, growth, post2, frac, amount, cross, dec_go, d_dec, d_own, cost, shared, b_go)
    assert got == pytest.approx(want, rel=1e-9, abs=1e-6)


def test_the_reference_models_distribution_is_the_hand_calculation_path_by_path():
    # random decision delay, go-aheads: each drawn path evaluated by the oracle from its own inputs
    s = scenario(
        [{"id": "p", "base": 2_000_000, "growth": 0.04}, {"id": "q", "base": 400_000}],
        [{"id": "a", "post": "p", "effect": [{"fraction": 0.05}, {"post": "q", "amount": 40_000}],
          "decision": "raad", "costs": 20_000, "cost_group": "g"},
         {"id": "b", "post": "p", "effect": {"amount": 30_000}, "decision": "raad", "go_ahead": 0.8,
          "cost_group": "g"}],
        decision=[{"id": "raad", "go_ahead": {"p": 0.9},
                   "delay": {"discrete": {"values": [0, 0.25, 0.5, 0.75], "probabilities": [0.45, 0.3, 0.15, 0.1]}},
                   **SRC}],
        cost_group=[{"id": "g", "costs": 10_000, **SRC}], years=YEARS)
    n = 2000
    block = simulate_block(s, n, seed=7, options=RunOptions(keep_inputs=True))
    inp = block.inputs
    assert inp is not None
    want = np.array([oracle(2_000_000, 0.04, 400_000, 0.05, 30_000, 40_000, inp["raad.go_ahead"][i],
                            inp["raad.delay"][i], 0.0, 20_000, 10_000, inp["b.go_ahead"][i]) for i in range(n)]).T
    assert block.net == pytest.approx(want, rel=1e-9, abs=1e-6)
    # and the distribution is not degenerate: delays and no-gos both occur
    assert len(set(np.round(block.net[0], 3))) > 4


# --- the analysis sees decisions and parts ----------------------------------------------------


def decided():
    return scenario(two_posts(), [
        {"id": "x", "post": "a", "effect": {"amount": 100}, "decision": "raad"},
        {"id": "y", "post": "b", "component": [
            {"id": "vast", "effect": {"amount": 50}, **SRC},
            {"id": "gedrag", "effect": {"amount": 30}, "go_ahead": 0.5, "delay": {"p": 0.5, "years": 1}, **SRC}]}],
        decision=[{"id": "raad", "go_ahead": {"p": 0.6}, "delay": {"p": 0.5, "years": 1}, **SRC}], years=YEARS)


def test_decision_variants_and_roles_reach_decision_and_part_inputs():
    from simulator.results.variants import parse_variant

    s = decided()
    v = parse_variant("zeker=@decision=1", s)
    assert dict(v.overrides) == {"raad.go_ahead": 1.0, "raad.delay": 1.0}
    v = parse_variant("op-tijd=@delay=0", s)
    assert set(dict(v.overrides)) == {"raad.delay", "y.gedrag.delay"}
    assert set(s.measure_inputs("x")) == {"raad.go_ahead", "raad.delay"}
    assert set(s.measure_inputs("y")) == {"y.gedrag.go_ahead", "y.gedrag.delay"}


def test_detail_shows_each_parts_standalone_saving():
    s = decided()
    b = simulate_block(s, 20_000, options=RunOptions(detail=True))
    assert b.component_gross is not None and b.component_gross.shape == (2, 3, 20_000)
    assert b.component_gross[0].mean(axis=1) == pytest.approx([50.0, 50.0, 50.0])
    # 30 EUR with P(go) 0.5; half the paths a year late: 2025 mean 0.5 * 0.5 * 30, later 0.5 * 30
    mean = b.component_gross[1].mean(axis=1)
    se = b.component_gross[1].std(axis=1) / math.sqrt(20_000)
    assert np.all(np.abs(mean - [7.5, 15.0, 15.0]) < 4 * se + 1e-9)
    assert b.measure_gross is not None
    assert b.measure_gross[1].mean(axis=1) == pytest.approx(b.component_gross.sum(axis=0).mean(axis=1))


def test_contributions_list_parts_and_count_the_decision_in_the_measures_losses():
    from simulator.results.analysis import Study
    from simulator.results.contributions import contributions, go_probability

    s = decided()
    assert go_probability(s, "x") == pytest.approx(0.6)
    c = contributions(Study(s, paths=4000, seed=3, aux_paths=4000))
    x, y = c.measures
    assert x.p_go_ahead == pytest.approx(0.6)
    assert x.loss_no_go < 0 and x.loss_delay <= 0  # the decision's risk is the measure's
    assert [p.id for p in y.parts] == ["vast", "gedrag"]
    assert y.parts[1].p_go_ahead == 0.5 and y.parts[1].loss_no_go < 0
    assert "parts" in y.to_json() and "parts" not in x.to_json()


def test_a_decisions_delay_may_be_a_parameter_that_expressions_read_too():
    s = scenario(two_posts(), [
        {"id": "native", "post": "a", "effect": {"amount": 120}, "decision": "raad"},
        {"id": "partial", "post": "b", "effect": {"amount": {2025: "120 * (1 - late)", 2026: 120, 2027: 120}}}],
        parameters={"late": {"discrete": {"values": [0, 0.5], "probabilities": [0.5, 0.5]}}},
        decision=[{"id": "raad", "delay": "late", **SRC}], years=YEARS)
    role = next(i.role for i in s.inputs if i.key == "late")
    assert role == "delay"  # the waterfall's delay step and @delay see it
    b = simulate_block(s, 4000, options=RunOptions(detail=True))
    assert b.measure_gross is not None
    # one draw: the native shift and the expression agree in every path
    assert b.measure_gross[0, 0] == pytest.approx(b.measure_gross[1, 0])
    assert set(np.round(b.measure_gross[0, 0], 6)) == {60.0, 120.0}
