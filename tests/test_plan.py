"""The engine's seam: the compiled plan, RunOptions, the registries and plan values by role."""

import dataclasses
import pickle

import numpy as np
import pytest

from simulator.core.engine import simulate, simulate_block
from simulator.core.levers import COMBINE_RULES, EFFECT_KINDS, STOCK_LEVERS
from simulator.core.options import RunOptions
from simulator.core.plan import compile_plan
from simulator.core.sampling import block_inputs, plan_value, point_inputs
from simulator.results.analysis import Study
from simulator.scenario.model import Combine, Const, EffectKind, Lever, Role

from .conftest import SCENARIOS
from .helpers import scenario

POST = {"id": "hh", "base": 1_000_000}


def _two_posts():
    return scenario([POST, {"id": "vervoer", "base": 400_000, "law": "jeugdwet"}], [
        {"id": "a", "post": "hh", "effect": [{"amount": 1000}, {"post": "vervoer", "fraction": 0.1}]},
        {"id": "b", "post": "vervoer", "effect": {"fraction": 0.2}, "costs": 50},
    ])


def test_the_plan_indexes_effects_posts_and_scopes():
    plan = compile_plan(_two_posts())
    assert plan.effect_offsets.tolist() == [0, 2, 3]
    assert plan.effect_post.tolist() == [0, 1, 1]
    assert [EFFECT_KINDS.name(c) for c in plan.effect_kind] == ["amount", "fraction", "fraction"]
    assert plan.measure_post.tolist() == [0, 1]
    labels = [s.label for s in plan.scopes]
    assert plan.scope_posts[labels.index("wmo")].tolist() == [True, False]
    assert plan.scope_posts[labels.index("all")].all()
    assert plan.model_years.tolist() == [2025, 2026] and plan.horizon_start == 0
    with pytest.raises(ValueError):
        plan.post_base[0] = 0.0  # read-only: blocks on threads share one plan


def test_a_plan_is_compiled_once_per_scenario():
    s = _two_posts()
    assert compile_plan(s) is compile_plan(s)
    assert compile_plan(_two_posts()) is not compile_plan(s)  # equal digest, another object


def test_simulate_over_plan_and_inputs_is_simulate_block():
    s = _two_posts()
    opts = RunOptions(detail=True, keep_inputs=True)
    a = simulate_block(s, 64, seed=3, block=2, options=opts)
    b = simulate(compile_plan(s), block_inputs(s, 64, seed=3, block=2, options=opts), opts)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, dict):
            assert x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
        else:
            assert np.array_equal(x, y)


def test_run_options_are_frozen_hashable_and_travel():
    a = RunOptions(active={"a"}, overrides={"x": 1.0})
    assert a == RunOptions(active=frozenset({"a"}), overrides=(("x", 1.0),))
    assert hash(a) == hash(pickle.loads(pickle.dumps(a)))
    assert a.with_(detail=True).detail and not a.detail
    assert a.override_map == {"x": 1.0}
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.detail = True


def test_vocabulary_words_are_the_registries_names():
    assert set(EFFECT_KINDS) >= set(EffectKind)
    assert set(STOCK_LEVERS) >= set(Lever)
    assert set(COMBINE_RULES) == set(Combine)


def toy_percent(profile, baseline):
    """A toy effect kind: a share of the post written in percent."""
    return profile / 100.0


def test_a_new_effect_kind_is_a_function_and_a_registry_entry():
    EFFECT_KINDS.register("toy_percent", toy_percent)
    s = scenario([POST], [{"id": "a", "post": "hh", "effect": {"fraction": 0.1}}])
    m = s.measures[0]
    toy = dataclasses.replace(m.effects[0], kind="toy_percent", value=Const(10.0))
    s_toy = dataclasses.replace(s, measures=(dataclasses.replace(m, effects=(toy,)),))
    opts = RunOptions(deterministic=True)
    assert simulate_block(s_toy, 1, options=opts).net[:, 0] == pytest.approx([100_000, 100_000])
    assert np.array_equal(simulate_block(s_toy, 1, options=opts).net, simulate_block(s, 1, options=opts).net)


def test_an_unknown_effect_kind_is_named():
    s = scenario([POST], [{"id": "a", "post": "hh", "effect": {"fraction": 0.1}}])
    m = s.measures[0]
    odd = dataclasses.replace(s, measures=(dataclasses.replace(
        m, effects=(dataclasses.replace(m.effects[0], kind="no_such_kind"),)),))
    with pytest.raises(KeyError, match="no_such_kind"):
        compile_plan(odd)


def test_plan_values_by_role_are_one_rule():
    from simulator.scenario.loader import load

    s = load(SCENARIOS / "huizen-2022.toml")
    study = Study(s, paths=10)
    roles = sorted({i.role for i in s.inputs})
    assert study.plan_values(roles) == {i.key: plan_value(i) for i in s.inputs}
    points = point_inputs(s)
    for inp in s.inputs:
        assert points[inp.key][0, 0] == plan_value(inp)
        if inp.role == Role.GO_AHEAD:
            assert plan_value(inp) == 1.0
        if inp.role == Role.DELAY:
            assert plan_value(inp) == 0.0
        if inp.role == Role.GROWTH:
            assert plan_value(inp, growth="none") == 0.0


def test_built_in_codes_are_the_registry_positions():
    from simulator.core.levers import CombineCode, KindCode, LeverCode

    for codes, registry in ((KindCode, EFFECT_KINDS), (LeverCode, STOCK_LEVERS), (CombineCode, COMBINE_RULES)):
        assert [registry.code(c.name.lower()) for c in codes] == [int(c) for c in codes]
