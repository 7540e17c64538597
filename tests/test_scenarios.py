"""Regression cases per bundled scenario (tests/regression/*.toml), readable by a controller.

A failure reads: ``case > output@year: expected X +- m, got Y``.
"""

import tomllib
from pathlib import Path

import pytest

import simulator
from simulator.results.check import check
from simulator.results.summary import summarise_years

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((Path(__file__).parent / "regression").glob("*.toml"))
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def _load(case):
    return tomllib.loads(case.read_text(encoding="utf-8"))


def test_every_bundled_scenario_has_a_regression_case():
    assert {p.stem for p in SCENARIOS} == {c.stem for c in CASES}
    assert len(SCENARIOS) == 5


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_validates_and_reproduces_its_document(path):
    result = check(simulator.load(path))
    failed = [f"{f.what}@{f.year}: published {f.published:,.0f}, computed {f.computed:,.0f}"
              for f in result.figures if not f.ok and not f.inconsistency]
    assert result.ok, failed


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_deterministic_figures_are_pinned(case):
    spec = _load(case)
    result = check(simulator.load(ROOT / spec["scenario"]))
    det = spec["deterministic"]
    assert result.ok == det["check_ok"]
    assert sum(f.inconsistency for f in result.figures) == det["inconsistencies"], \
        f"{spec['name']} > document inconsistencies changed"
    if "counts" in det:
        assert result.counts() == det["counts"], f"{spec['name']} > check class counts changed: {result.counts()}"
    for key, got_map in (("package_net", result.package_total), ("standalone_net", result.standalone_total)):
        for y, want in det[key].items():
            got = got_map[int(y)]
            message = f"{spec['name']} > {key}@{y}: expected {want:,.0f} +- 1, got {got:,.0f}"
            assert abs(got - want) <= 1.0, message


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_monte_carlo_summary_within_its_standard_error(case):
    spec = _load(case)
    ds = simulator.simulate(simulator.load(ROOT / spec["scenario"]), spec["paths"], seed=spec["seed"])
    summary = summarise_years(ds)
    errors = []
    for output, table in spec["monte_carlo"].items():
        for y, exp in table.items():
            got = (getattr(summary.savings[int(y)], output) if output in ("mean", "p50")
                   else getattr(summary, output)[int(y)])
            if abs(got - exp["value"]) > exp["margin"]:
                errors.append(f"{spec['name']} > {output}@{y}: expected {exp['value']:,.4f} "
                              f"+- {exp['margin']:,.4f}, got {got:,.4f}")
    assert not errors, "\n".join(errors)
