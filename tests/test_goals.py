"""Goals on their own basis, price level and scope: closed-form cases for every rule of
simulator/core/goals.py, and the worked examples of docs/model.md ("Goals")."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.core import goals as rule
from simulator.errors import ScenarioError
from simulator.results.goals import goals
from simulator.results.risk import risk_of
from simulator.run.dataset import run
from tests.helpers import scenario

SRC = "assumption: test"
# one post of 1,000,000 in 2024, no growth; one measure saving 10% from 2025 with costs 20,000
POST = [{"id": "p", "base": 1_000_000}]
MEASURE = [{"id": "m", "post": "p", "effect": {"fraction": 0.10}, "costs": 20_000}]


def _goal(s, goal_id):
    ds = run(s, 4, seed=1)
    return next(g for g in goals(ds) if g.id == goal_id), ds


def test_counterfactual_judges_net_savings():
    # saving 100,000 less costs 20,000 = 80,000: a target of 80,000 holds, 80,001 does not
    s = scenario(POST, MEASURE, targets=[{"id": "a", "amounts": {"2025": 80_000}},
                                         {"id": "b", "amounts": {"2025": 80_001}}])
    a, ds = _goal(s, "a")
    b = next(g for g in goals(ds) if g.id == "b")
    assert np.allclose(a.measured[2025], 80_000) and a.holds[2025].all() and not b.holds[2025].any()


def test_base_year_judges_spending_below_the_base_year_with_growth():
    # growth 5%: spending 2025 = 1,050,000 x 0.9 + 20,000 = 965,000; against 2024: 35,000
    s = scenario([{"id": "p", "base": 1_000_000, "growth": 0.05}], MEASURE,
                 targets=[{"id": "t", "basis": "base_year", "base_year": 2024, "amounts": {"2025": 35_000}}])
    t, _ = _goal(s, "t")
    assert np.allclose(t.measured[2025], 35_000)


def test_budget_basis_with_and_without_the_taakstelling_in_it():
    # spending 2025 = 920,000. Begroting 950,000 with the 50,000 in it: holds (room 30,000);
    # begroting 950,000 with the 50,000 still to come off: 900,000 < 920,000, misses by 20,000
    common = {"basis": "budget", "budget": {"2025": 950_000}, "amounts": {"2025": 50_000}}
    s = scenario(POST, MEASURE, targets=[{"id": "in", "taakstelling_in_budget": True, **common},
                                         {"id": "out", "taakstelling_in_budget": False, **common}])
    ds = run(s, 4, seed=1)
    g = {x.id: x for x in goals(ds)}
    assert np.allclose(g["in"].measured[2025], 950_000 + 50_000 - 920_000) and g["in"].holds[2025].all()
    assert np.allclose(g["out"].measured[2025], 30_000) and not g["out"].holds[2025].any()
    r = risk_of(ds, year=2025)
    assert r.goal("out").years[2025].needed_capacity == pytest.approx(20_000)


def test_price_conversion_nominal_goal_on_constant_prices():
    # simulated in constant 2024 prices; indexation 3%: a nominal budget of 950,000 in 2026 sees
    # spending 920,000 x 1.03^2 = 976,028
    s = scenario(POST, MEASURE, budgets=[{"id": "b", "price_level": "nominal", "amounts": {"2026": 950_000}}],
                 prices={"simulated": 2024, "indexation": 0.03, "source": SRC})
    b, _ = _goal(s, "b")
    assert np.allclose(b.measured[2026], 920_000 * 1.03 ** 2)
    assert not b.holds[2026].any()


def test_level_factor_closed_form():
    index = np.array([[1.03], [1.03 ** 2]])  # 2025, 2026
    years = [2025, 2026]
    assert rule.level_factor("nominal", 1, years, 2024, index) == pytest.approx([1.03 ** 2])
    assert rule.level_factor(2025, 1, years, 2024, index) == pytest.approx([1.03])
    assert rule.level_factor(2024, 1, years, 2024, index) == 1.0
    assert rule.level_factor("nominal", 1, years, 2024, None) == 1.0


def test_measure_scope_judges_those_measures_alone():
    # two measures on one post: m 10% (costs 20,000), n 5% (no costs). Combined multiplicatively
    # the post saves 1 - 0.9 x 0.95 = 14.5%; attribution gives m 100,000 x 0.145/0.15
    measures = [*MEASURE, {"id": "n", "post": "p", "effect": {"fraction": 0.05}}]
    s = scenario(POST, measures, targets=[{"id": "t", "scope": {"measures": ["m"]}, "amounts": {"2025": 1}}])
    t, _ = _goal(s, "t")
    assert np.allclose(t.measured[2025], 145_000 * 0.10 / 0.15 - 20_000)


def test_booked_overlap_counts_once():
    # a participant with 40% of the Wmo; measure m nets 80,000 for the region, 32,000 for it.
    # It already booked 50,000 overlapping m: min(50,000, 32,000) = 32,000 comes off -> 0
    munis = [{"id": "a", "name": "A", "share": 0.4, "source": SRC},
             {"id": "b", "name": "B", "share": 0.6, "source": SRC}]
    level = 2024
    s = scenario(POST, MEASURE, municipality=munis,
                 targets=[{"id": "t", "municipality": "a", "amounts": {"2025": 10_000}}],
                 booked=[{"municipality": "a", "amounts": {"2025": 50_000}, "overlaps": ["m"],
                          "price_level": level, "source": SRC}])
    ds = run(s, 4, seed=1)
    t = goals(ds, municipality="a")[0]
    assert np.allclose(t.measured[2025], 0.0) and np.allclose(t.booked[2025], 32_000)
    assert risk_of(ds, year=2025, municipality="a").goal("t").years[2025].booked == pytest.approx(32_000)


def test_combined_reserve_sums_disjoint_and_takes_the_largest_of_overlapping():
    a, b, c = (np.array([0.0, 10.0, 20.0, 30.0]), np.array([5.0, 5.0, 5.0, 5.0]), np.array([1.0, 0, 0, 0]))
    # a and b share post "p": per path max(a, b) = 5, 10, 20, 30; c is on "q": added
    total = rule.combined_shortfall([frozenset({"p"}), frozenset({"p", "r"}), frozenset({"q"})],
                                    {(0, 2025): a, (1, 2025): b, (2, 2025): c, (2, 2026): c})
    assert total.tolist() == [7.0, 10.0, 20.0, 30.0]


def test_programme_reserve_in_risk_and_the_ratio_uses_it():
    # two targets on disjoint posts, each missing by a fixed amount: the reserve is their sum
    posts = [{"id": "p", "base": 1_000_000}, {"id": "q", "base": 1_000_000, "law": "jeugdwet"}]
    s = scenario(posts, MEASURE, targets=[{"id": "tp", "scope": ["p"], "amounts": {"2025": 90_000}},
                                          {"id": "tq", "scope": ["q"], "amounts": {"2025": 5_000, "2026": 5_000}}])
    r = risk_of(run(s, 8, seed=1), year=2025, capacity=30_000)
    assert r.programme_reserve == pytest.approx(10_000 + 5_000 + 5_000)
    assert r.headline.ratio == pytest.approx(30_000 / 20_000)
    assert r.hardest == ("tp", 2025)


@pytest.mark.parametrize("change, fragment", [
    ({"basis": None}, "missing required key 'basis'"),
    ({"against": "baseline"}, "write basis = 'counterfactual'"),
    ({"price_level": None}, "missing required key 'price_level'"),
    ({"basis": "base_year"}, "needs base_year = YEAR"),
    ({"basis": "budget"}, "needs budget"),
    ({"price_level": "current"}, "price_level is 'nominal'"),
])
def test_goal_messages(change, fragment):
    t = {"id": "t", "amounts": {"2025": 1}}
    t.update({k: v for k, v in change.items() if v is not None})
    import copy

    from simulator.scenario.loader import build
    from tests.helpers import BASE

    doc = copy.deepcopy(BASE)
    doc["post"] = [{"id": "p", "law": "wmo", "base": 1e6, "source": SRC}]
    doc["target"] = [{"source": SRC, "basis": "counterfactual", "price_level": 2024, **t}]
    for k, v in change.items():
        if v is None:
            doc["target"][0].pop(k)
    with pytest.raises(ScenarioError, match=fragment.replace("(", r"\(").replace("[", r"\[")):
        build(doc, file="t.toml")


def test_the_streamed_summary_gives_the_same_reserves():
    from simulator.results.summary import Summary
    from simulator.run.streaming import run_stream

    posts = [{"id": "p", "base": 1_000_000}, {"id": "q", "base": 1_000_000, "law": "jeugdwet"}]
    measures = [{"id": "m", "post": "p", "effect": {"fraction": {"pert": [0.0, 0.08, 0.12]}}, "costs": 20_000}]
    s = scenario(posts, measures, targets=[{"id": "tp", "scope": ["p"], "amounts": {"2025": 60_000}},
                                           {"id": "ta", "amounts": {"2025": 50_000, "2026": 60_000}}],
                 budgets=[{"id": "bq", "scope": ["q"], "amounts": {"2026": 1_000_000}}])
    full = Summary.from_dataset(run(s, 5000, seed=3))
    streamed = Summary.from_merged(run_stream(s, 5000, seed=3))
    # the sketch is within 0.01% or 1 euro of every quantile
    assert streamed.programme_reserve == pytest.approx(full.programme_reserve, rel=2e-4, abs=2.0)
    for a, b in zip(full.goals, streamed.goals, strict=True):
        for y in a.years:
            assert b.years[y].reserve == pytest.approx(a.years[y].reserve, rel=2e-4, abs=2.0)
    assert full.hardest == streamed.hardest


def test_readings_rewrite_the_document_and_unknown_ones_are_refused():
    from simulator.scenario.loader import load

    s = load("scenarios/meerinzicht-2026.toml")
    assert s.reading == "zoals-gedrukt" and [r.literal for r in s.readings].count(True) == 1
    z = load("scenarios/meerinzicht-2026.toml", reading="zeewolde-structureel")
    t = next(x for x in z.targets if x.id == "taakstelling-zeewolde")
    assert t.amounts[2027] == 105_000
    with pytest.raises(ScenarioError, match="no reading 'nope'; readings: zoals-gedrukt"):
        load("scenarios/meerinzicht-2026.toml", reading="nope")


def test_hilversum_shows_the_2022_risk_and_a_programme_reserve():
    from simulator.scenario.loader import load

    s = load("scenarios/gooi-en-vechtstreek-2021.toml")
    r = risk_of(run(s, 2000, seed=1), year=2024, municipality="hilversum", capacity=1_000_000)
    assert r.hardest == ("hilversum-taakstelling", 2022)
    assert r.programme_reserve > 0 and r.headline.ratio == pytest.approx(1_000_000 / r.programme_reserve)
    assert r.goal("hilversum-taakstelling").years[2022].booked > 0  # the Begroting 2021's own savings


@pytest.mark.parametrize("municipality", [None, "hilversum"])
def test_the_kernel_judges_measure_scopes_and_booked_savings_as_numpy(monkeypatch, municipality):
    # Meerinzicht's targets are on measures, Hilversum's loses its booked savings: the compiled
    # kernel and the numpy engine give the same summary on the same paths
    from simulator.results.summary import Summary
    from simulator.run.streaming import run_stream
    from simulator.scenario.loader import load

    for path, muni in (("scenarios/meerinzicht-2026.toml", None), ("scenarios/gooi-en-vechtstreek-2021.toml",
                                                                   municipality)):
        s = load(path)
        out = {}
        for engine in ("numpy", "numba"):
            monkeypatch.setenv("TAAKSIM_ENGINE", engine)
            out[engine] = Summary.from_merged(run_stream(s, 3000, seed=2, municipality=muni)).to_json()
        a, b = out["numpy"], out["numba"]
        assert (b["programme_reserve"] is None if a["programme_reserve"] is None
                else b["programme_reserve"] == pytest.approx(a["programme_reserve"], rel=1e-9))
        for ga, gb in zip(a["goals"], b["goals"], strict=True):
            for y, d in ga["years"].items():
                assert gb["years"][y]["p"] == d["p"]
                assert gb["years"][y]["p50"] == pytest.approx(d["p50"], rel=1e-9, abs=1e-6)
