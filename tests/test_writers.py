"""Output formats come from one registry keyed by file suffix (simulator.report.writers.WRITERS):
the command line asks it what a format needs, and adding one is a function and an entry."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simulator.cli import main
from simulator.report.writers import WRITERS, Writer, one_file, report_types, result_types

ROOT = Path(__file__).resolve().parent.parent


def test_the_registry_lists_every_format_once():
    assert result_types() == (".nc", ".csv", ".xlsx")
    assert report_types() == (".html", ".md")
    assert {w.needs for w in WRITERS.values()} == {"paths", "summary", "findings"}


def test_a_new_output_format_is_a_function_and_a_registry_entry(minimal_path, tmp_path, monkeypatch):
    def summary_json(rows, path, lang):
        path.write_text(rows.reset_index().to_json(orient="records"), encoding="utf-8")

    monkeypatch.setitem(WRITERS, ".json", Writer(needs="summary", write=one_file(summary_json)))
    out = tmp_path / "result.json"
    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "200", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert [row["year"] for row in json.loads(out.read_text(encoding="utf-8"))] == [2025, 2026]
    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "200", "--out", str(out)])
    assert r.exit_code == 2 and "exists; use --force" in r.output


def test_the_run_keeps_what_the_writer_needs(minimal_path, tmp_path, monkeypatch):
    got = {}

    def keep(data, path, lang):
        got["data"] = data
        path.write_text("x", encoding="utf-8")

    monkeypatch.setitem(WRITERS, ".paths", Writer(needs="paths", write=one_file(keep)))
    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "300", "--out", str(tmp_path / "r.paths")])
    assert r.exit_code == 0, r.output
    assert got["data"].sizes["path"] == 300  # every path: the full Dataset, not a summary
    assert "shortfall" in r.output  # a full run gives the risk figures


def test_an_unknown_suffix_names_the_registered_ones(minimal_path, tmp_path):
    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "200", "--out", str(tmp_path / "r.pdf")])
    assert r.exit_code == 2 and "use .nc, .csv or .xlsx" in r.output
