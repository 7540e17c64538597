"""Exports a controller opens without editing: the register lines (csv, xlsx), the xlsx with its
metadata sheet and Dutch sheet names, csv in the reader's Excel dialect, and CF-style NetCDF."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import simulator
from simulator.cli import main
from simulator.report.register import (
    CHANCE_CLASSES,
    CONSEQUENCE_CLASSES,
    chance_class,
    consequence_class,
    register_lines,
    shown_chance,
)
from simulator.report.spreadsheet import csv_cell, csv_text, dialect_for
from simulator.results.risk import risk_of
from simulator.run.dataset import run

from .conftest import SCENARIOS

GOOI = str(SCENARIOS / "gooi-en-vechtstreek-2021.toml")
RENKUM = str(SCENARIOS / "renkum-2025.toml")


@given(st.floats(0, 1))
def test_chance_classes_are_monotone_and_cover_0_to_1(p):
    c = chance_class(p)
    assert 1 <= c <= 5
    assert all(chance_class(q) <= c for q in np.linspace(0, p, 5))


@given(st.floats(0, 1e9))
def test_consequence_classes_follow_the_euro_bounds(x):
    c = consequence_class(x)
    upper = CONSEQUENCE_CLASSES[c - 1][0]
    lower = 0.0 if c == 1 else CONSEQUENCE_CLASSES[c - 2][0]
    assert lower < x <= upper or (c == 1 and x == 0)


def test_class_tables_are_ordered():
    assert [c for _, c, _ in CHANCE_CLASSES] == [1, 2, 3, 4, 5]
    assert [b for b, _, _ in CHANCE_CLASSES] == sorted(b for b, _, _ in CHANCE_CLASSES)


@pytest.fixture(scope="module")
def hilversum():
    s = simulator.load(GOOI)
    ds = run(s, 4000, seed=0)
    return s, ds, risk_of(ds, year=2024, municipality="hilversum")


def test_register_lines_are_the_risk_figures(hilversum):
    _, _, risk = hilversum
    lines = register_lines(risk)
    assert len(lines) == sum(len(g.years) for g in risk.goals)
    for line in lines:
        d = risk.goal(line.goal).years[line.year]
        assert line.chance == pytest.approx(1 - d.p_met)
        assert line.consequence == d.max_consequence
        assert line.risk_amount == pytest.approx(line.chance * line.consequence)
        assert line.score == line.chance_class * line.consequence_class
        assert line.expected_shortfall == d.expected_shortfall


def test_the_register_line_product_is_the_product_of_the_shown_figures(hilversum):
    _, _, risk = hilversum
    r = CliRunner().invoke(main, ["register", GOOI, "--paths", "4000", "--municipality", "hilversum"])
    assert r.exit_code == 0, r.output
    for line, text in zip(register_lines(risk), r.output.strip().split("\n")[1::2], strict=True):
        shown, value = shown_chance(line)
        assert f"kans {shown} " in text
        product = text.split(" = ")[1].split(";")[0].replace("<= ", "")
        want = round(value * round(line.consequence))
        assert product == f"€ {want:,}".replace(",", ".")


def test_a_bound_is_labelled_by_its_side():
    s = simulator.load(RENKUM)
    ds = run(s, 2000, seed=0)
    lines = register_lines(risk_of(ds, year=2026))
    certain = [x for x in lines if x.chance == 1.0]
    assert certain, "Renkum's 2025 target is missed on every path: the test needs such a line"
    for x in certain:
        assert x.chance_bound == pytest.approx(1 - 3 / 2000)
        assert shown_chance(x)[0] == "> 99,85%"


@pytest.mark.parametrize("dialect", ["nl", "en"])
def test_register_csv_opens_in_the_dialects_excel(tmp_path, dialect):
    out = tmp_path / "r.csv"
    r = CliRunner().invoke(main, ["register", RENKUM, "--paths", "500", "--out", str(out), "--csv-dialect", dialect])
    assert r.exit_code == 0, r.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel's cue for UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";" if dialect == "nl" else ","))
    assert len({len(r) for r in rows}) == 1 and len(rows[0]) > 10
    chance = rows[1][4]
    assert ("," in chance or chance in ("0", "1")) if dialect == "nl" else ("," not in chance)


def test_register_xlsx_has_numbers_and_a_metadata_sheet(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    r = CliRunner().invoke(main, ["register", RENKUM, "--paths", "500", "--out", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["Over deze cijfers", "Risicoregister"]
    ws = wb["Risicoregister"]
    assert isinstance(ws.cell(2, 5).value, (int, float))
    meta = {row[0].value: row[1].value for row in wb["Over deze cijfers"].iter_rows()}
    assert meta["Gesimuleerde paden"] == 500 and len(meta["Scenario-hash (sha256)"]) == 64


def test_register_json(tmp_path):
    r = CliRunner().invoke(main, ["register", RENKUM, "--paths", "300", "--json", "--year", "2026"])
    data = json.loads(r.output)
    assert data["lines"] and {x["year"] for x in data["lines"]} == {2026}


def test_csv_cells_in_both_dialects():
    assert csv_cell(1234.5, "nl") == "1234,5" and csv_cell(1234.5, "en") == "1234.5"
    assert csv_cell(float("nan"), "nl") == "" and csv_cell(float("inf"), "en") == "inf"
    text = csv_text(["a", "b"], [[0.25, "x;y"]], "nl")
    assert text == 'a;b\r\n0,25;"x;y"\r\n'
    assert dialect_for("nl") == "nl" and dialect_for("en") == "en" and dialect_for("nl", "en") == "en"


def test_xlsx_has_metadata_dutch_sheet_names_and_bound_columns(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "x.xlsx"
    r = CliRunner().invoke(main, ["run", GOOI, "--paths", "1000", "--municipality", "hilversum",
                                  "--weerstandscapaciteit", "2.500.000", "--out", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Over deze cijfers"
    assert {"Samenvatting", "Risico", "Bijdragen", "Waterval", "Gevoeligheid", "Invoer"} <= set(wb.sheetnames)
    meta = {row[0].value: row[1].value for row in wb["Over deze cijfers"].iter_rows()}
    for key in ("Scenario", "Scenario-hash (sha256)", "Startgetal (seed)", "Gesimuleerde paden", "Versie taaksim",
                "Datum", "Gemeente", "Beschikbare weerstandscapaciteit [EUR]", "Weerstandsratio", "Leeswijzer"):
        assert meta.get(key) not in (None, ""), key
    assert meta["Beschikbare weerstandscapaciteit [EUR]"] == 2_500_000 and meta["Gemeente"].startswith("Hilversum")
    en = tmp_path / "e.xlsx"
    CliRunner().invoke(main, ["run", GOOI, "--paths", "300", "--out", str(en), "--lang", "en"])
    assert load_workbook(en).sheetnames[:2] == ["About these figures", "Summary"]


def test_a_probability_no_path_crossed_has_a_numeric_bound_beside_it(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "x.xlsx"
    CliRunner().invoke(main, ["run", RENKUM, "--paths", "2000", "--out", str(out)])
    ws = load_workbook(out)["Risico"]
    header = [c.value for c in ws[2]]
    bound_cols = [j for j, h in enumerate(header) if h and "grens" in h]
    assert bound_cols
    for j in bound_cols:
        for row in ws.iter_rows(min_row=3):
            p, b = row[j - 1].value, row[j].value
            if p in (0, 1):
                assert b == pytest.approx(3 / 2000 if p == 0 else 1 - 3 / 2000)
            else:
                assert b is None


def test_netcdf_is_cf_and_compressed_with_the_municipality(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("netCDF4")
    from simulator.report.netcdf import cf_dataset, write_netcdf

    s = simulator.load(GOOI)
    ds = run(s, 20_000, seed=0)
    out = tmp_path / "x.nc"
    write_netcdf(ds, out, municipality="hilversum")
    back = xr.open_dataset(out, engine="netcdf4")
    assert back.attrs["Conventions"].startswith("CF-") and "taaksim" in back.attrs["history"]
    assert back.attrs["municipality"] == "hilversum" and back.attrs["municipality_name"] == "Hilversum"
    for name, var in back.variables.items():
        assert var.attrs.get("long_name"), name
        if var.dtype.kind in "iuf":
            assert var.attrs.get("units"), name
    np.testing.assert_array_equal(back["municipality_net_savings"].values,
                                  ds["scope_net_savings"].sel(scope="all@hilversum").values)
    np.testing.assert_array_equal(back["net_savings"].values, ds["net_savings"].values)
    assert back["net_savings"].encoding.get("zlib") or back["net_savings"].encoding.get("compression") == "zlib"
    plain = tmp_path / "plain.nc"
    cf_dataset(ds).to_netcdf(plain, engine="scipy")
    # random doubles compress little losslessly (about 10%); the index and repeated values much more
    assert out.stat().st_size < 0.95 * plain.stat().st_size


def test_every_sheet_of_a_workbook_is_named_in_the_readers_language(tmp_path):
    # "readings" and "sources" reached Dutch workbooks as code words (a silent fallback to the key)
    from openpyxl import load_workbook

    from simulator.report.xlsx import SHEETS

    for lang, member in (("nl", 0), ("en", 1)):
        out = tmp_path / f"{lang}.xlsx"
        r = CliRunner().invoke(main, ["run", GOOI, "--paths", "300", "--out", str(out), "--lang", lang])
        assert r.exit_code == 0, r.output
        names = load_workbook(out).sheetnames
        assert {"readings", "sources"} <= set(SHEETS)
        assert set(names) <= {pair[member][:31] for pair in SHEETS.values()}, names
