"""The command line as a user meets it: exit codes, JSON shapes, files, messages."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from simulator.cli import main

from .conftest import TEST_SCENARIOS

INVALID = TEST_SCENARIOS / "invalid"


@pytest.fixture
def cli():
    return CliRunner()


def test_validate_ok(cli, minimal_path):
    r = cli.invoke(main, ["validate", str(minimal_path), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "valid" in r.output


def test_validate_bad_file_exits_2_with_key_path_and_no_traceback():
    # a real process: what a user sees on the terminal
    bad = INVALID / "pert-out-of-order.toml"
    p = subprocess.run([sys.executable, "-m", "simulator", "validate", str(bad)],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert 'measure "m" > effect > fraction > pert' in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert len(p.stderr.strip().splitlines()) <= 2


def test_debug_shows_the_traceback():
    bad = INVALID / "pert-out-of-order.toml"
    p = subprocess.run([sys.executable, "-m", "simulator", "--debug", "validate", str(bad)],
                       capture_output=True, text=True)
    assert p.returncode != 0 and "Traceback" in p.stderr


def test_run_json_has_exactly_the_documented_keys(cli, minimal_path):
    r = cli.invoke(main, ["run", str(minimal_path), "--paths", "2000", "--seed", "3", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    # issue 13: every goal on its basis, the programme's reserve, the hardest goal and the price level
    assert set(out) == {"scenario", "paths", "seed", "years", "savings", "target", "p_target_met",
                        "p_target_met_se", "p_within_budget", "p_within_budget_se", "mc_error",
                        "goals", "programme_reserve", "hardest", "prices"}
    assert {"basis", "price_level", "basis_text"} <= set(out["goals"][0])
    assert set(out["mc_error"]) == {"savings_mean", "p_target_met", "p_within_budget"}
    assert 0 < out["mc_error"]["savings_mean"]["2025"] < abs(out["savings"]["2025"]["mean"])
    # with the available capacity, the headline risk figures join in
    r = cli.invoke(main, ["run", str(minimal_path), "--paths", "2000", "--seed", "3", "--json",
                          "--weerstandscapaciteit", "100000"])
    risk = json.loads(r.output)["risk"]
    assert set(risk) >= {"goal", "year", "p_met", "expected_shortfall", "needed_capacity", "realisatierisico",
                         "ratio", "ratio_class"}
    assert out["paths"] == 2000 and out["seed"] == 3 and out["years"] == [2025, 2026]
    assert set(out["savings"]["2025"]) == {"mean", "p5", "p10", "p50", "p90", "p95"}
    assert out["target"]["2025"] == 600_000
    assert 0 <= out["p_target_met"]["2025"] <= 1
    assert out["p_within_budget"]["2025"] is None


def test_run_text_is_reproducible(cli, minimal_path):
    a = cli.invoke(main, ["run", str(minimal_path), "--paths", "500", "--seed", "9", "--lang", "en"]).output
    b = cli.invoke(main, ["run", str(minimal_path), "--paths", "500", "--seed", "9", "--lang", "en"]).output
    assert a == b and "P(target met)" in a


def test_run_saves_netcdf_that_reopens(cli, minimal_path, tmp_path):
    import xarray as xr

    out = tmp_path / "result.nc"
    r = cli.invoke(main, ["run", str(minimal_path), "--paths", "300", "--out", str(out), "--detail"])
    assert r.exit_code == 0, r.output
    ds = xr.open_dataset(out, engine="netcdf4")  # compressed netCDF-4 since issue 17
    assert ds.attrs["paths"] == 300 and ds.attrs["seed"] == 0
    assert ds.attrs["scenario_sha256"]
    assert ds["net_savings"].dims == ("path", "year")
    assert "measure_savings" in ds
    ds.close()
    again = cli.invoke(main, ["run", str(minimal_path), "--paths", "300", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    forced = cli.invoke(main, ["run", str(minimal_path), "--paths", "300", "--out", str(out), "--force"])
    assert forced.exit_code == 0


def test_run_csv_summary(cli, minimal_path, tmp_path):
    out = tmp_path / "summary.csv"
    # the English dialect; the Dutch one (';', decimal comma) is the default with --lang nl (issue 17),
    # and Excel's UTF-8 mark opens the file
    r = cli.invoke(main, ["run", str(minimal_path), "--paths", "300", "--out", str(out), "--csv-dialect", "en"])
    assert r.exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("year,mean,p5")
    assert not list(tmp_path.glob(".*part*"))


def test_unknown_output_type_and_municipality(cli, minimal_path, tmp_path):
    r = cli.invoke(main, ["run", str(minimal_path), "--paths", "10", "--out", str(tmp_path / "x.doc")])
    assert r.exit_code == 2 and "unknown output type" in r.output
    r = cli.invoke(main, ["run", str(minimal_path), "--paths", "10", "--municipality", "bussum"])
    assert r.exit_code == 2 and "unknown municipality" in r.output


def test_check_json_shape_and_exit_code(cli, minimal_path):
    r = cli.invoke(main, ["check", str(minimal_path), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(out) == {"scenario", "ok", "counts", "figures", "package_total", "interaction_loss"}
    assert out["ok"] is True
    assert set(out["figures"][0]) == {"what", "year", "published", "computed", "ok", "note", "class", "version",
                                      "line", "explain", "excuse"}
    assert out["interaction_loss"]["2025"] == pytest.approx(20_000)


def test_check_fails_with_exit_1_when_a_consistent_figure_is_missed(cli, tmp_path, minimal_path):
    # 2026 prints effect and net but no cost: a wrong net there is a plain miss, not a contradiction
    text = minimal_path.read_text().replace("net = { 2025 = 400000, 2026 = 500000 }",
                                            "net = { 2025 = 400000, 2026 = 520000 }")
    f = tmp_path / "wrong.toml"
    f.write_text(text)
    r = cli.invoke(main, ["check", str(f), "--lang", "en"])
    assert r.exit_code == 1
    assert "FAIL" in r.output


def test_check_reports_a_self_contradicting_row_as_document_inconsistency(cli, tmp_path, minimal_path):
    # effect 510,000 - cost 100,000 != printed net 400,000, while cost and net are reproduced
    text = minimal_path.read_text().replace("effect = { 2025 = 500000", "effect = { 2025 = 510000")
    f = tmp_path / "contradiction.toml"
    f.write_text(text)
    r = cli.invoke(main, ["check", str(f), "--json"])
    assert r.exit_code == 0
    bad = [x for x in json.loads(r.output)["figures"] if not x["ok"]]
    assert len(bad) == 1 and bad[0]["note"].startswith("document inconsistency")


def test_help_is_fast_to_import():
    # importing the CLI module must not pull in numpy, scipy, pandas or xarray
    code = ("import sys, simulator.cli; heavy = [m for m in ('numpy', 'scipy', 'pandas', 'xarray') "
            "if m in sys.modules]; print(heavy)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == "[]"
