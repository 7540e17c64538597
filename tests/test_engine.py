"""The engine against hand calculations, one mechanism at a time."""

import numpy as np
import pytest

from simulator.core.engine import simulate_block
from simulator.core.options import RunOptions
from simulator.results.check import deterministic
from simulator.run.dataset import run

from .helpers import scenario

POST = {"id": "hh", "base": 1_000_000}


def det(s, active=None):
    return deterministic(s, active)


def test_two_ten_percent_cuts_on_one_post_save_nineteen_percent():
    s = scenario([POST], [
        {"id": "a", "post": "hh", "effect": {"fraction": 0.1}},
        {"id": "b", "post": "hh", "effect": {"fraction": 0.1}},
    ])
    assert det(s)["net"][2025] == pytest.approx(190_000)
    assert det(s, frozenset({"a"}))["net"][2025] == pytest.approx(100_000)


def test_additive_posts_add_up_to_the_post_and_no_further():
    s = scenario([{**POST, "combine": "additive"}], [
        {"id": "a", "post": "hh", "effect": {"fraction": 0.7}},
        {"id": "b", "post": "hh", "effect": {"fraction": 0.7}},
    ])
    assert det(s)["net"][2025] == pytest.approx(1_000_000)


def test_amount_alone_is_reproduced_whatever_the_growth():
    s = scenario([{**POST, "growth": 0.05}], [{"id": "a", "post": "hh", "effect": {"amount": 123_456}}])
    assert det(s)["effect"] == pytest.approx({2025: 123_456, 2026: 123_456})


def test_post_never_goes_below_zero():
    s = scenario([POST], [{"id": "a", "post": "hh", "effect": {"amount": 5_000_000}}])
    b = simulate_block(s, 1, options=RunOptions(deterministic=True, detail=True))
    assert b.post_spending.min() == 0.0
    assert det(s)["effect"][2025] == pytest.approx(1_000_000)


def test_growth_compounds_from_the_base_year():
    s = scenario([{**POST, "growth": 0.02, "price_growth": 0.03}], [], years=(2026, 2027), base_year=2024)
    b = simulate_block(s, 1, options=RunOptions(deterministic=True))
    assert b.baseline[:, 0] == pytest.approx([1e6 * (1.02 * 1.03) ** 2, 1e6 * (1.02 * 1.03) ** 3])


def test_phase_in_holds_its_last_share_and_costs_are_one_off():
    s = scenario([POST], [{"id": "a", "post": "hh", "effect": {"amount": 100_000},
                           "phase_in": {"2025": 0.25}, "costs": {"2025": 10_000}}],
                 years=(2025, 2026, 2027))
    r = det(s)
    assert r["effect"] == pytest.approx({2025: 25_000, 2026: 25_000, 2027: 25_000})
    assert r["cost"] == pytest.approx({2025: 10_000, 2026: 0, 2027: 0})


def test_turnover_phase_in_follows_the_formula():
    s = scenario([POST], [{"id": "a", "post": "hh", "effect": {"amount": 100_000},
                           "phase_in": {"turnover": 0.3}}], years=(2025, 2026))
    r = det(s)
    assert r["effect"][2025] == pytest.approx(100_000 * (1 - 0.7**0.5))
    assert r["effect"][2026] == pytest.approx(100_000 * (1 - 0.7**1.5))


def test_delay_moves_the_effect_profile_and_fractions_interpolate():
    base = {"id": "a", "post": "hh", "effect": {"amount": {"2025": 100, "2026": 200, "2027": 300}}}
    for years, expected in ((1, [0, 100, 200]), (0.5, [50, 150, 250])):
        s = scenario([POST], [{**base, "delay": {"p": 1.0, "years": years}}], years=(2025, 2026, 2027))
        b = simulate_block(s, 3, seed=1)
        np.testing.assert_allclose(b.gross[:, 0], expected)


def test_no_go_removes_effect_and_costs():
    s = scenario([POST], [{"id": "a", "post": "hh", "effect": {"amount": 100}, "costs": 10,
                           "go_ahead": 0.0}])
    b = simulate_block(s, 100, seed=3)
    assert np.all(b.net == 0)


def test_cost_group_is_paid_once_in_the_package_and_fully_alone():
    s = scenario([POST], [
        {"id": "a", "post": "hh", "effect": {"amount": 100}, "cost_group": "g"},
        {"id": "b", "post": "hh", "effect": {"amount": 100}, "cost_group": "g"},
    ], cost_group=[{"id": "g", "costs": {"2025": 50}, "source": "assumption: test"}])
    assert det(s, frozenset({"a"}))["cost"][2025] == pytest.approx(50)
    assert det(s)["cost"][2025] == pytest.approx(50)


def test_substitution_returns_part_of_the_saving_as_cost():
    s = scenario([POST, {"id": "team", "base": 0}], [
        {"id": "a", "post": "hh", "effect": {"amount": 1000}, "substitution": {"share": 0.3, "post": "team"}},
    ])
    r = det(s)
    assert r["effect"][2025] == pytest.approx(1000)
    assert r["cost"][2025] == pytest.approx(300)
    assert r["net"][2025] == pytest.approx(700)


def test_cross_effect_on_a_second_post():
    s = scenario([POST, {"id": "vervoer", "base": 400_000}], [
        {"id": "a", "post": "hh", "effect": [{"amount": 1000}, {"post": "vervoer", "fraction": 0.1}]},
    ])
    assert det(s)["effect"][2025] == pytest.approx(1000 + 40_000)


def test_stock_in_steady_state_keeps_its_cost():
    s = scenario([{**POST, "clients": 100, "stock": {"duration": 2.0}}], [], years=(2025, 2026, 2027))
    b = simulate_block(s, 1, options=RunOptions(deterministic=True))
    np.testing.assert_allclose(b.baseline[:, 0], 1_000_000)


def test_less_inflow_lowers_cost_gradually():
    s = scenario([{**POST, "clients": 100, "stock": {"duration": 2.0}}],
                 [{"id": "a", "post": "hh", "effect": {"fraction": 0.2, "lever": "inflow"}}],
                 years=(2025, 2026, 2027))
    e = det(s)["effect"]
    # N1 = 100*0.5 + 50*0.8 = 90; N2 = 45 + 40 = 85; N3 = 82.5; cost per client 10,000
    assert [e[y] for y in (2025, 2026, 2027)] == pytest.approx([100_000, 150_000, 175_000])


def test_price_for_new_clients_only_ramps_with_turnover():
    s = scenario([{**POST, "clients": 100, "stock": {"duration": 4.0}}],
                 [{"id": "a", "post": "hh", "effect": {"fraction": 0.1, "lever": "price", "reach": "new"}}],
                 years=(2025, 2026))
    e = det(s)["effect"]
    # turnover = inflow / stock = 25%: reached 25% then 1 - 0.75^2 = 43.75%
    assert e[2025] == pytest.approx(1e6 * 0.1 * 0.25)
    assert e[2026] == pytest.approx(1e6 * 0.1 * 0.4375)


def test_municipality_sees_its_share_and_own_measures():
    s = scenario([POST], [
        {"id": "regional", "post": "hh", "effect": {"amount": 1000}},
        {"id": "local", "post": "hh", "effect": {"amount": 500}, "municipalities": ["a"]},
    ], municipality=[{"id": "a", "share": 0.4, "source": "assumption: test"},
                     {"id": "b", "share": 0.6, "source": "assumption: test"}])
    ds = run(s, 10, seed=0)
    net = ds["scope_net_savings"].isel(path=0, year=0)
    assert float(net.sel(scope="all@a")) == pytest.approx(0.4 * 1000 + 500, rel=1e-3)
    assert float(net.sel(scope="all@b")) == pytest.approx(0.6 * 1000, rel=1e-3)


def test_same_seed_same_numbers_and_block_prefix():
    s = scenario([{**POST, "growth": {"pert": [0, 0.02, 0.05]}}],
                 [{"id": "a", "post": "hh", "effect": {"fraction": {"pert": [0.01, 0.05, 0.1]}},
                   "go_ahead": 0.7, "delay": {"p": 0.4, "years": {"uniform": [0, 2]}}}])
    a = run(s, 1000, seed=42)["net_savings"].values
    b = run(s, 1000, seed=42)["net_savings"].values
    np.testing.assert_array_equal(a, b)
    c = run(s, 300, seed=42)["net_savings"].values
    np.testing.assert_array_equal(a[:300], c)
    assert not np.array_equal(a, run(s, 1000, seed=43)["net_savings"].values)


def test_adding_a_measure_does_not_reshuffle_the_others():
    m1 = {"id": "a", "post": "hh", "effect": {"fraction": {"pert": [0.01, 0.05, 0.1]}}}
    m2 = {"id": "z", "post": "other", "effect": {"fraction": {"pert": [0.01, 0.05, 0.1]}}}
    s1 = scenario([POST, {"id": "other", "base": 5}], [m1])
    s2 = scenario([POST, {"id": "other", "base": 5}], [m1, m2])
    a = run(s1, 500, seed=1, detail=True)["measure_savings"].sel(measure="a").values
    b = run(s2, 500, seed=1, detail=True)["measure_savings"].sel(measure="a").values
    np.testing.assert_array_equal(a, b)


def test_stock_given_by_cost_per_client():
    s = scenario([{"id": "v", "stock": {"clients": 10, "duration": 1.0, "cost_per_client": 50_000}}], [])
    assert s.post("v").base == 500_000
    b = simulate_block(s, 1, options=RunOptions(deterministic=True))
    np.testing.assert_allclose(b.baseline[:, 0], 500_000)


def test_check_without_growth_ignores_growth_in_any_form():
    posts = [{**POST, "growth": "0.01 + 0.02", "price_growth": {"2025": 0.05}}]
    s = scenario(posts, [{"id": "a", "post": "hh", "effect": {"fraction": 0.1}}],
                 check={"growth": "none", "reason": "test"})
    assert det(s)["effect"][2025] == pytest.approx(100_000)
    grown = scenario(posts, [{"id": "a", "post": "hh", "effect": {"fraction": 0.1}}])
    assert det(grown)["effect"][2025] == pytest.approx(100_000 * 1.03 * 1.05)


def test_delay_zero_overrides_the_default_and_a_number_is_certain():
    defaults = {"delay": {"p": 1.0, "years": 1}, "reason": "test"}
    m = {"id": "a", "post": "hh", "effect": {"amount": 100}}
    s = scenario([POST], [{**m, "delay": 0}], defaults=defaults)
    assert simulate_block(s, 4, seed=1).gross[0, 0] == 100
    s = scenario([POST], [m], defaults=defaults)
    assert simulate_block(s, 4, seed=1).gross[0, 0] == 0
    s = scenario([POST], [{**m, "delay": 1}])
    assert simulate_block(s, 4, seed=1).gross[0, 0] == 0


def test_committed_costs_are_paid_without_go_ahead_and_cost_only_measures():
    s = scenario([POST], [
        {"id": "a", "post": "hh", "effect": {"amount": 100}, "go_ahead": 0.0,
         "costs": {"2026": 30}, "committed_costs": {"2025": 20}},
        {"id": "programme", "post": "hh", "costs": 7},
    ])
    b = simulate_block(s, 50, seed=2)
    np.testing.assert_allclose(b.costs[:, 0], [27, 7])
    np.testing.assert_allclose(b.gross, 0)
