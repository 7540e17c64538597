"""The document check's classes: what it proves, and what it only shows.

Each case edits the minimal scenario (tests/scenarios/minimal.toml): measure ``kids`` saves
children x per_child = 100 x 5,000 = 500,000 a year at plan and costs 100,000 in 2025.
"""

from pathlib import Path

import pytest

from simulator.cli.check import format_text
from simulator.results.check import (
    CONSTRUCTION,
    DERIVED,
    FAILED,
    INCONSISTENT,
    REPRODUCED,
    check,
)
from simulator.scenario.loader import loads

MINIMAL = (Path(__file__).parent / "scenarios" / "minimal.toml").read_text(encoding="utf-8")
PUBLISHED = ('published = { effect = { 2025 = 500000, 2026 = 500000 }, cost = { 2025 = 100000 }, '
             'net = { 2025 = 400000, 2026 = 500000 } }')


def _with(published: str, extra: str = ""):
    assert PUBLISHED in MINIMAL
    return check(loads(MINIMAL.replace(PUBLISHED, published) + extra))


def _cls(result, what, year, version="table"):
    (f,) = [f for f in result.figures if f.what.startswith(what) and f.year == year and f.version == version]
    return f


def test_a_printed_figure_typed_in_is_equal_by_construction_not_reproduced():
    r = _with(PUBLISHED)
    assert {f.cls for f in r.figures} == {CONSTRUCTION}
    assert r.counts()[REPRODUCED] == 0 and r.counts()[CONSTRUCTION] == 5


def test_drivers_basis_counts_as_reproduced():
    r = _with(PUBLISHED.replace(" }, cost", " }, basis = { effect = 'drivers' }, cost"))
    assert _cls(r, "measure kids effect", 2025).cls == REPRODUCED
    assert _cls(r, "measure kids cost", 2025).cls == CONSTRUCTION


def test_the_version_the_scenario_does_not_follow_is_an_inconsistency_never_ok():
    # the table prints 510,000; the text driver (line 12) gives the 500,000 the scenario computes
    r = _with('published = { effect = { 2026 = 510000 }, lines = { effect = 7 }, versions = ['
              '{ version = "text driver", field = "effect", year = 2026, value = 500000, line = 12, '
              'quote = "100 kinderen x 5.000" }] }')
    table, text = _cls(r, "measure kids effect", 2026), _cls(r, "measure kids effect", 2026, "text driver")
    assert table.cls == INCONSISTENT and not table.ok
    assert "(l.7)" in table.note and "(l.12)" in table.note and "100 kinderen" in table.note
    assert text.cls == CONSTRUCTION
    assert r.ok


def test_a_note_excuses_nothing():
    r = _with('published = { effect = { 2026 = 510000 }, notes = { effect = { 2026 = "the writer thinks so" } } }')
    f = _cls(r, "measure kids effect", 2026)
    assert f.cls == FAILED and f.excuse == "the writer thinks so"
    assert not r.ok
    assert "excuse given: the writer thinks so" in format_text(r, "en")


def test_an_explanation_is_shown_and_changes_nothing():
    r = _with('published = { effect = { 2026 = 500000 }, explain = { effect = { 2026 = "why 500,000" } } }')
    f = _cls(r, "measure kids effect", 2026)
    assert f.cls == CONSTRUCTION and f.explain == "why 500,000"
    assert "explains: why 500,000" in format_text(r, "en")


def test_a_net_that_follows_a_contradicted_cost_is_an_inconsistency_not_a_failure():
    # table cost 120,000 (contradicted by the text's 100,000) and its consistent net 380,000
    r = _with('published = { cost = { 2025 = 120000 }, net = { 2025 = 380000 }, versions = ['
              '{ version = "text", field = "cost", year = 2025, value = 100000, line = 3 }] }')
    assert _cls(r, "measure kids cost", 2025).cls == INCONSISTENT
    assert _cls(r, "measure kids net", 2025).cls == INCONSISTENT
    # a net off by anything else still fails
    r = _with('published = { cost = { 2025 = 120000 }, net = { 2025 = 370000 }, versions = ['
              '{ version = "text", field = "cost", year = 2025, value = 100000, line = 3 }] }')
    assert _cls(r, "measure kids net", 2025).cls == FAILED


def test_derived_figures_are_not_counted_as_printed():
    r = _with('published = { effect = { 2025 = 500000 }, net = { 2025 = 400000 }, basis = { net = "derived" } }')
    assert _cls(r, "measure kids net", 2025).cls == DERIVED
    assert r.counts()[DERIVED] == 1 and sum(r.counts().values()) == 2


def test_one_printed_cell_quoted_twice_counts_once():
    # the measure's net and a one-measure group total quote the same cell (line 9, 2026, 500,000)
    r = _with('published = { net = { 2026 = 500000 }, lines = { net = 9 } }',
              '\n[published.groups.one]\nmeasures = ["kids"]\nnet = { 2026 = 500000 }\nlines = { net = 9 }\n'
              'basis = { net = "input" }\n')
    assert len([f for f in r.figures if f.year == 2026]) == 2
    assert r.counts()[CONSTRUCTION] == 1


@pytest.mark.parametrize("printed, cls", [(900_000, REPRODUCED), (950_000, FAILED)])
def test_a_printed_group_total_is_checked_against_its_measures_alone(printed, cls):
    # kids 500,000 + hh-10b 10% of 4,000,000 = 900,000 in 2026; hh-10 is not in the group
    r = _with(PUBLISHED, f'\n[published.groups.twee]\nmeasures = ["kids", "hh-10b"]\neffect = {{ 2026 = {printed} }}\n')
    assert _cls(r, "group twee", 2026).cls == cls


def test_text_output_prints_the_class_counts():
    text = format_text(_with(PUBLISHED), "en")
    assert text.splitlines()[-1] == ("5 distinct printed figures: 0 reproduced, 5 by construction, 0 document "
                                     "inconsistencies, 0 failed; 0 derived (not printed): OK")
