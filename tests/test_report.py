"""Reports, exports, the risk paragraph and variants, as a new user would run them."""

import json
import os
import re
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.errors import OutputError, VariantError
from simulator.report.paragraph import risk_paragraph
from simulator.report.text import money
from simulator.report.writers import write_report
from simulator.results.analysis import analyse
from simulator.results.variants import compare, parse_variant
from simulator.scenario.loader import load

from . import browser
from .conftest import ROOT, SCENARIOS
from .helpers import scenario

BUNDLED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def renkum():
    return analyse(load(SCENARIOS / "renkum-2025.toml"), paths=4000, seed=1, capacity=2_500_000, aux_paths=2000)


# --- the risk paragraph -------------------------------------------------------------------


def test_dutch_paragraph_reads_as_a_raadsvoorstel(renkum):
    text = risk_paragraph(renkum, "nl")
    assert text.startswith("Risico's bij de taakstelling sociaal domein: Renkum")
    for needed in ("taakstelling", "P5", "P50", "kans", "benodigde weerstandscapaciteit",
                   "weerstandsratio", "klasse", "risicoregister", "communicerende vaten", "doorgang"):
        assert needed in text, needed
    # Dutch number format: "€ 1.234.567" and "€ 1,2 mln", percentages without a space
    assert re.search(r"€ -?\d{1,3}(\.\d{3})+\b", text)
    assert re.search(r"€ \d+,\d mln", text)
    assert re.search(r"\d%", text) and not re.search(r"\d %", text)
    assert not re.search(r"€ \d+\.\d mln", text), "an English decimal point in a Dutch text"
    assert not re.search(r"\d,\d{3}\b(?! mln)", text.replace("€ ", "")), "an English thousands separator"
    assert "nan" not in text.lower() and "inf" not in text.lower()


def test_english_paragraph_uses_english_numbers(renkum):
    text = risk_paragraph(renkum, "en")
    assert text.startswith("Risks to the savings target")
    assert re.search(r"€ \d+\.\d mln", text) and re.search(r"€ -?\d{1,3}(,\d{3})+\b", text)


def test_three_drivers_and_the_measure_most_at_risk(renkum):
    text = risk_paragraph(renkum, "nl")
    top = [r.label for r in renkum.sensitivity[:3]]
    assert all(t in text for t in top)
    worst = max(renkum.contributions.measures, key=lambda m: m.shortfall_vs_plan)
    assert worst.name in text


def test_paragraph_names_a_harder_year_than_the_one_it_is_about():
    """Hilversum's target is hardest in 2022 (EUR 900,000 after half a year of measures), not
    in the last year: a text about 2024 alone would tell the council no reserve is needed."""
    f = analyse(load(SCENARIOS / "gooi-en-vechtstreek-2021.toml"), paths=4000, seed=1,
                municipality="hilversum", aux_paths=500)
    goal = next(g for g in f.risk.goals if g.id == f.risk.headline.goal)
    hard = goal.years[2022]
    assert f.study.year == 2024 and hard.p_met < goal.years[2024].p_met and hard.needed_capacity > 0
    text = risk_paragraph(f, "nl")
    assert "Het moeilijkste jaar is 2022" in text
    assert f"is {money(hard.needed_capacity, 'nl')} weerstandscapaciteit nodig" in text
    assert f"alle jaren 2022-2024 samen met 90% zekerheid op te vangen is " \
           f"{money(goal.needed_capacity_all_years, 'nl')} nodig" in text
    assert "The hardest year is 2022" in risk_paragraph(f, "en")
    # asked about the hardest year itself, the text has nothing to add
    f22 = analyse(load(SCENARIOS / "gooi-en-vechtstreek-2021.toml"), paths=4000, seed=1,
                  municipality="hilversum", year=2022, aux_paths=500)
    assert "moeilijkste jaar" not in risk_paragraph(f22, "nl")


def test_a_target_on_some_posts_is_named_by_the_posts_names():
    from simulator.report.paragraph import scope_words

    s = load(SCENARIOS / "gooi-en-vechtstreek-2021.toml")
    names = {p.id: p.name for p in s.posts}
    assert scope_words("begeleiding+dagbesteding", "nl", s) == \
        f"de posten {names['begeleiding']} en {names['dagbesteding']}"
    assert scope_words("begeleiding", "en", s) == f"the post {names['begeleiding']}"
    assert scope_words("wmo@hilversum", "nl", s) == "de Wmo"
    assert scope_words("x+y", "nl") == "de posten x en y"  # without the scenario: the ids


# --- files: html, markdown, xlsx ----------------------------------------------------------


def test_html_report_is_self_contained(renkum, tmp_path):
    out = tmp_path / "r.html"
    write_report(renkum, out)
    html = out.read_text(encoding="utf-8")
    assert html.count('<img src="data:image/png;base64,') == 4
    assert not re.search(r'(src|href)="(?!data:|#)', html), "an external resource"
    assert "weerstandsratio" in html and "1,4 is B, precies 2,0 is B" in html
    with pytest.raises(OutputError, match="exists; use --force"):
        write_report(renkum, out)
    write_report(renkum, out, force=True)


def test_markdown_report_has_its_plots_beside_it(renkum, tmp_path):
    out = tmp_path / "r.md"
    write_report(renkum, out, lang="en")
    text = out.read_text(encoding="utf-8")
    for name in ("fan", "s_curve", "tornado", "waterfall"):
        assert f"](r_files/{name}.png)" in text
        assert (tmp_path / "r_files" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| P50 |" in text or "| P50 " in text


def test_unknown_report_type_is_refused(renkum, tmp_path):
    with pytest.raises(OutputError, match="use .html or .md"):
        write_report(renkum, tmp_path / "r.pdf")


def test_xlsx_has_one_sheet_per_table(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "huizen-2022.toml"), "--paths", "1500", "--out", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert {"summary", "contributions", "sensitivity", "inputs"} <= set(wb.sheetnames)
    ws = wb["summary"]
    assert ws["A2"].value == "jaar" and isinstance(ws["C3"].value, (int, float))  # numbers stay numbers
    assert wb["contributions"].max_row > 3 and wb["sensitivity"].max_row > 3


def test_nc_reopens_with_xarray(tmp_path):
    import xarray as xr

    out = tmp_path / "r.nc"
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "huizen-2022.toml"), "--paths", "800", "--out", str(out)])
    assert r.exit_code == 0, r.output
    with xr.open_dataset(out, engine="scipy") as ds:
        assert ds.sizes["path"] == 800 and "net_savings" in ds


# --- the command line ---------------------------------------------------------------------


def test_report_prints_the_paragraph_and_writes_html(tmp_path):
    out = tmp_path / "renkum.html"
    r = CliRunner().invoke(main, ["report", str(SCENARIOS / "renkum-2025.toml"), "--paths", "1000",
                                  "--aux-paths", "500", "--weerstandscapaciteit", "1000000", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Risico's bij de taakstelling" in r.output and out.exists()


def test_report_json(tmp_path):
    r = CliRunner().invoke(main, ["report", str(SCENARIOS / "huizen-2022.toml"), "--paths", "800",
                                  "--aux-paths", "400", "--json", "--lang", "en"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {"risk", "sensitivity", "contributions", "waterfall", "paragraph", "plan"} <= set(out)
    assert out["paragraph"].startswith("Risks")


@pytest.mark.parametrize(("args", "message"), [
    (["--year", "1999"], "is not a year of the scenario"),
    (["--municipality", "nowhere"], "unknown municipality"),
    (["--out", "x.pdf"], "use .html or .md"),
])
def test_report_refuses_bad_options_with_exit_2(args, message, tmp_path):
    r = CliRunner().invoke(main, ["report", str(SCENARIOS / "huizen-2022.toml"), "--paths", "200", *args])
    assert r.exit_code == 2 and message in r.output


def test_run_shows_the_reserve_and_the_class():
    r = CliRunner().invoke(main, ["run", str(SCENARIOS / "huizen-2022.toml"), "--paths", "2000",
                                  "--weerstandscapaciteit", "150000"])
    assert r.exit_code == 0, r.output
    assert "needed reserve, 90% certain" in r.output and re.search(r"class [A-F] \(", r.output)


def test_compare_prints_and_plots_variants(tmp_path):
    png = tmp_path / "v.png"
    r = CliRunner().invoke(main, ["compare", str(SCENARIOS / "renkum-2025.toml"), "--paths", "1000",
                                  "--variant", "zonder-abo=without:abonnementstarief", "--variant", "later=later:1",
                                  "--variant", "pessimistisch=@growth=p90", "--variant", "smi-zeker=smi.go_ahead=1",
                                  "--plot", str(png)])
    assert r.exit_code == 0, r.output
    for name in ("basis", "zonder-abo", "later", "pessimistisch", "smi-zeker"):
        assert name in r.output
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(("variant", "message"), [
    ("x=without:nope", "unknown measure 'nope'"),
    ("x=nothing.here=1", "no uncertain input matches"),
    ("x=@growth=high", "not a number, pNN, plan or mean"),
    ("x=@growth=p100", "between p1 and p99"),
    ("x", "write NAME=CHANGE"),
    ("bad name=later:1", "variant name"),
    ("x=later:99", "0 to 10 years"),
    ("x=frobnicate", "expected without:IDS"),
])
def test_bad_variants_are_refused(variant, message):
    s = load(SCENARIOS / "renkum-2025.toml")
    with pytest.raises(VariantError, match=re.escape(message)):
        parse_variant(variant, s)
    r = CliRunner().invoke(main, ["compare", str(SCENARIOS / "renkum-2025.toml"), "--paths", "100",
                                  "--variant", variant])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_variants_use_common_random_numbers():
    # two measures on separate posts: dropping one changes every path by exactly its saving
    s = scenario([{"id": "a", "base": 5_000_000}, {"id": "b", "base": 5_000_000}],
                 [{"id": "m1", "post": "a", "effect": {"amount": {"normal": [100_000, 20_000]}}},
                  {"id": "m2", "post": "b", "effect": {"amount": {"normal": [50_000, 10_000]}}}], years=(2025,))
    rows = compare(s, [parse_variant("same=later:0", s), parse_variant("zonder=without:m2", s)],
                   paths=3000, seed=2)
    assert rows[1].delta_mean == 0.0 and rows[1].p50 == rows[0].p50
    alone = compare(s, [parse_variant("m2=without:m1", s)], paths=3000, seed=2)[1]
    assert rows[2].delta_mean == pytest.approx(-alone.mean, rel=1e-12)
    assert rows[2].delta_mean_se > 0 and np.isfinite(rows[2].delta_mean_se)


# --- in a real browser --------------------------------------------------------------------


def _need_browser():
    if browser.chromium() is None:
        if os.environ.get("TAAKSIM_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (TAAKSIM_REQUIRE_BROWSER is set) but not installed")
        pytest.skip("chromium not installed (.ci/run installs it)")


@pytest.mark.parametrize("name", BUNDLED)
def test_report_renders_in_a_browser(name, tmp_path):
    """Every bundled scenario: the report renders, every image loads, nothing is cut off or
    hidden in a scroll box at 1280 px, and it needs nothing from outside. A screenshot is kept
    in artifacts/ for a human to look at."""
    _need_browser()
    f = analyse(load(SCENARIOS / f"{name}.toml"), paths=1500, seed=1, aux_paths=500, capacity=1_000_000)
    out = tmp_path / f"{name}.html"
    write_report(f, out)
    seen = browser.inspect(out, tmp_path)
    assert seen["images"] == 4 and seen["broken"] == [], seen
    assert seen["page_overflow"] <= 0 and seen["images_outside"] == [], seen
    assert seen["hidden_in_boxes"] == [], seen
    assert seen["external"] == [], seen
    assert seen["text_length"] > 3000
    ARTIFACTS.mkdir(exist_ok=True)
    shot = browser.screenshot(out, tmp_path / f"{name}.png", height=seen["height"])
    shutil.copy(shot, ARTIFACTS / f"report-{name}.png")
    assert (ARTIFACTS / f"report-{name}.png").stat().st_size > 10_000
