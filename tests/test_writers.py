"""Output formats come from one registry keyed by file suffix (simulator.report.writers.WRITERS):
the command line asks it what a format needs, and adding one is a function and an entry."""

from __future__ import annotations

import json
import re
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
    # the worked example of docs/architecture.md, "An output format"
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


def test_every_file_named_in_architecture_md_exists():
    # the recipes name the files to edit; a moved file must not leave the page stale
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:simulator|tests|docs)/[\w/]+\.(?:py|md|toml))`", text))
    assert len(named) > 20
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def test_every_module_named_in_the_moves_table_imports():
    import importlib

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## Where the old modules went", 1)[1]
    now = {m for line in table.splitlines() if line.startswith("| `simulator.")
           for m in re.findall(r"`(simulator(?:\.\w+)+)`", line.split("|")[2])}
    assert len(now) > 15
    for name in sorted(now):
        importlib.import_module(name)
