"""Typed results: one rule for goals, the same Summary from a full and a streamed run, one
error for an unknown municipality, and every field documented."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import simulator
from simulator.cli import main
from simulator.core import goals as rule
from simulator.errors import UnknownMunicipalityError
from simulator.results import analysis, contributions, risk, sensitivity, summary, variants, waterfall
from simulator.results.analysis import Study
from simulator.results.summary import Summary, summarise_years
from simulator.run.reduce import ReportSpec
from simulator.run.streaming import run_stream

from .conftest import SCENARIOS


def test_the_goal_rule_on_a_worked_example():
    # saved 100/200/300 of a baseline of 1000, base-year spending 900:
    # against the base year 900 - (1000 - saved) = saved - 100; a budget judges spending 1000 - saved
    saved, baseline = np.array([100.0, 200.0, 300.0]), np.full(3, 1000.0)
    assert rule.judged("target", "baseline", saved, baseline, 900.0).tolist() == [100, 200, 300]
    assert rule.judged("target", "base_year", saved, baseline, 900.0).tolist() == [0, 100, 200]
    spending = rule.judged("budget", "baseline", saved, baseline, 900.0)
    assert spending.tolist() == [900, 800, 700]
    assert rule.holds("target", saved, 200.0).tolist() == [False, True, True]
    assert rule.holds("budget", spending, 800.0).tolist() == [False, True, True]
    assert rule.shortfall("target", saved, 200.0).tolist() == [100, 0, 0]
    assert rule.shortfall("budget", spending, 800.0).tolist() == [100, 0, 0]


@given(st.sampled_from(["target", "budget"]),
       st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=20), st.floats(-1e9, 1e9))
def test_a_goal_holds_exactly_where_it_has_no_shortfall(kind, values, amount):
    v = np.array(values)
    short = rule.shortfall(kind, v, amount)
    assert (short >= 0).all()
    np.testing.assert_array_equal(rule.holds(kind, v, amount), short == 0)


def test_a_full_and_a_streamed_run_give_the_same_summary(minimal):
    full = summarise_years(simulator.simulate(minimal, 3000, seed=4))
    streamed = Summary.from_merged(run_stream(minimal, 3000, seed=4, threads=1))
    assert type(full) is type(streamed) is Summary
    assert full.years == streamed.years == (2025, 2026) and full.paths == streamed.paths == 3000
    for y in full.years:
        assert full.savings[y].p50 == streamed.savings[y].p50
        assert full.p_target_met[y] == streamed.p_target_met[y]
        assert full.target[y] == streamed.target[y]
    assert [(g.id, tuple(g.years)) for g in full.goals] == [(g.id, tuple(g.years)) for g in streamed.goals]
    # the JSON form has string years and plain types only
    text = json.dumps(full.to_json())
    assert json.loads(text)["savings"]["2026"]["p50"] == full.savings[2026].p50


def test_the_summary_frame_is_the_public_summarise(minimal):
    ds = simulator.simulate(minimal, 500, seed=1)
    frame = simulator.summarise(ds)
    assert frame.equals(summarise_years(ds).to_frame())
    assert list(frame.index) == [2025, 2026]


def test_an_unknown_municipality_is_one_error_with_one_message_everywhere():
    s = simulator.load(SCENARIOS / "meerinzicht-2026.toml")
    known = ", ".join(m.id for m in s.municipalities)
    want = f"unknown municipality 'nowhere'; known: {known}"
    with pytest.raises(UnknownMunicipalityError) as spec:
        ReportSpec.of(s, "nowhere")
    with pytest.raises(UnknownMunicipalityError) as study:
        Study(s, paths=10, municipality="nowhere")
    with pytest.raises(UnknownMunicipalityError) as full:
        summarise_years(simulator.simulate(s, 10, seed=0), municipality="nowhere")
    assert str(spec.value) == str(study.value) == str(full.value) == want
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "meerinzicht-2026.toml"), "--paths", "10",
                                  "--municipality", "nowhere"])
    assert r.exit_code == 2 and f"error: {want}" in r.output


def test_the_risk_frame_has_a_row_per_goal_and_year(minimal):
    r = risk.risk_of(Study(minimal, paths=400, seed=2).dataset, year=2026)
    frame = r.to_frame()
    assert list(frame.index) == [(g.id, y) for g in r.goals for y in g.years]
    g = r.goals[0]
    assert frame.loc[(g.id, 2026), "p_met"] == g.years[2026].p_met
    assert (frame["needed_low"] <= frame["needed_capacity"]).all()


RESULT_TYPES = [summary.YearRange, summary.GoalYear, summary.GoalSummary, summary.Summary, risk.RiskYear,
                risk.Headline, risk.GoalRisk, risk.Risk, analysis.SensitivityRow, contributions.Distribution,
                contributions.Contribution, contributions.Contributions, waterfall.WaterfallStep,
                variants.VariantResult, analysis.Findings, sensitivity.MeasureSensitivity]


@pytest.mark.parametrize("cls", RESULT_TYPES, ids=lambda c: c.__name__)
def test_every_field_of_a_result_is_documented_and_frozen(cls):
    assert "Attributes" in (cls.__doc__ or ""), cls.__name__
    doc = "".join(c.__doc__ or "" for c in cls.__mro__ if dataclasses.is_dataclass(c))  # inherited fields too
    for f in dataclasses.fields(cls):
        assert re.search(rf"\b{f.name}\b", doc), f"{cls.__name__}.{f.name} is not documented"
    assert cls.__dataclass_params__.frozen
