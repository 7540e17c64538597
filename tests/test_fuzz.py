"""Fuzzing whole scenario documents (issue 6, part 1).

Every generated or mutated document must either validate and run to finite figures, or be
refused with a short message naming the file, the key path and the problem: never another
exception, a hang or a NaN. The oracle is :func:`tests.fuzz.assert_handled`.

Sources of documents:
* rich valid documents generated from the format (they must all validate and run);
* those documents with one to three hostile edits (missing keys, wrong types, negative or
  non-finite numbers, reversed ranges, unknown references, cycles, duplicates, empty lists,
  years outside the horizon, hostile expressions);
* the five real scenarios in scenarios/, mutated the same way, and as text: lines dropped,
  duplicated or swapped, truncated, random bytes, a byte-order mark, CRLF line ends;
* everything round-tripped through TOML text, so the file reader is fuzzed too;
* issue 12's classes, each from its own generator: integers beyond float range, ids and
  year keys in disguise (white space, control characters, bidi overrides, look-alike
  letters), expressions that leave their domain, injection text (formulas, HTML, Markdown,
  terminal escapes), documents over a size limit, number options of the command line
  (nan, inf, 1e400, ...), and faults at every step of writing a report (full disk, no
  permission, I/O error, Ctrl-C) with the old files checked byte for byte afterwards.

In CI (profile `ci`, derandomised) the suite draws about 900 documents in well under a
minute; `--slow` adds longer variants (25 times the profile's examples) and
`HYPOTHESIS_PROFILE=thorough` multiplies every count by ten.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.scenario.loader import build

from .fuzz import (
    INJECTIONS,
    REAL,
    assert_handled,
    mutated,
    mutated_text,
    number_option,
    oversized,
    real_documents,
    rich_doc,
    round_two,
    to_toml,
    write_fault,
)

REAL_DOCS = real_documents()
#: examples of the active profile (ci: 40, thorough: 400); the suites below take multiples
N = settings.default.max_examples
SLOW = settings(max_examples=25 * N)


@settings(max_examples=2 * N)
@given(rich_doc())
def test_generated_valid_documents_validate_and_run_finite(doc):
    build(doc, file="fuzz.toml")  # a valid document is never refused
    assert assert_handled(doc) in ("ran", "refused")


@given(rich_doc())
def test_generated_documents_read_the_same_as_toml_text(doc):
    assert assert_handled(to_toml(doc)) in ("ran", "refused")


@settings(max_examples=6 * N)
@given(rich_doc().flatmap(mutated))
def test_mutated_generated_documents_are_run_or_refused_clearly(doc):
    assert_handled(doc)


@settings(max_examples=3 * N)
@given(rich_doc().flatmap(mutated))
def test_mutated_documents_as_toml_text(doc):
    assert_handled(to_toml(doc))


@pytest.mark.parametrize("name", sorted(REAL_DOCS))
@settings(max_examples=N)
@given(data=st.data())
def test_mutated_real_scenarios_are_run_or_refused_clearly(name, data):
    doc = data.draw(mutated(REAL_DOCS[name]))
    assert_handled(doc, paths=16)


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
@settings(max_examples=N)
@given(data=st.data())
def test_edited_real_scenario_files_are_run_or_refused_clearly(path, data):
    text = data.draw(mutated_text(path.read_text(encoding="utf-8")))
    assert_handled(text, paths=16)


# --- issue 12: hostile input, round two ------------------------------------------------------


@settings(max_examples=3 * N)
@given(rich_doc().flatmap(round_two))
def test_round_two_edits_are_run_or_refused_clearly(doc):
    assert_handled(doc)


@settings(max_examples=2 * N)
@given(rich_doc().flatmap(round_two))
def test_round_two_edits_as_toml_text(doc):
    assert_handled(to_toml(doc))


@pytest.mark.parametrize("name", sorted(REAL_DOCS))
@settings(max_examples=N)
@given(data=st.data())
def test_round_two_edits_of_real_scenarios(name, data):
    assert_handled(data.draw(round_two(REAL_DOCS[name])), paths=16)


@settings(max_examples=max(3, N // 8))
@given(oversized())
def test_documents_over_a_size_limit_are_refused_fast(doc):
    import time

    t = time.perf_counter()
    assert assert_handled(doc) == "rejected"
    assert time.perf_counter() - t < 5


@settings(max_examples=N, deadline=None)
@given(number_option())
def test_number_options_are_refused_in_two_lines_or_run_to_standard_json(case):
    import json

    from click.testing import CliRunner

    from simulator.cli import main

    from .test_messages import MINIMAL

    command, option, value = case
    args = [command, MINIMAL, "--paths", "10", "--json"]
    if command == "report":
        args += ["--aux-paths", "100"]
    result = CliRunner().invoke(main, [*args, f"{option}={value}"])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), (case, result.output, result.exception)
    if result.exit_code == 2:
        lines = result.output.strip().splitlines()
        assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), result.output
    else:
        json.loads(result.output, parse_constant=lambda c: pytest.fail(f"{case}: JSON constant {c}"))


@given(st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=40),
                 st.tuples(st.sampled_from(INJECTIONS), st.text(max_size=20)).map("".join)))
def test_scenario_text_is_inert_in_every_output(text):
    import re

    from openpyxl import Workbook

    from simulator.errors import HIDDEN, ScenarioError, inert
    from simulator.report.markdown import escape as _md_escape
    from simulator.report.xlsx import _inert

    assert not HIDDEN.search(inert(text))  # the terminal, for whatever text
    doc = {"scenario": {"name": text or "x", "base_year": 2024, "years": [2025]},
           "post": [{"id": "p", "law": "wmo", "base": 1.0, "source": "assumption: x"}]}
    try:
        s = build(doc, file="fuzz.toml")
    except ScenarioError as exc:
        assert not HIDDEN.search(str(exc))
        return
    assert not HIDDEN.search(s.name)  # nothing invisible gets past the loader
    md = _md_escape(s.name)  # Markdown: no tag, entity, link, code span or table bar acts
    assert not re.search(r"<[A-Za-z/!?]", md)
    assert not re.search(r"&#?\w+;", md.replace("&amp;", "").replace("&lt;", ""))
    assert not re.search(r"(?<!\\)[\[\]`|]", md.replace("\\\\", ""))
    ws = Workbook().active  # the spreadsheet: never a formula
    ws.append([s.name])
    _inert(ws[1])
    assert ws["A1"].data_type != "f"


def _tree(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


@settings(max_examples=2 * N, deadline=None)
@given(write_fault(), st.booleans())
def test_report_writes_under_faults_leave_the_old_files_or_the_new_ones_whole(fault, existing):
    import contextlib
    import os
    import shutil
    import tempfile
    from pathlib import Path
    from unittest import mock

    from simulator.errors import OutputError
    from simulator.report import writers

    point, nth, how = fault
    if how == "interrupt" and point == "replace":
        how = 5  # renames run with Ctrl-C held: an interrupt cannot land inside them
    root = Path(tempfile.mkdtemp())
    try:
        if existing:
            (root / "r.md").write_bytes(b"old report")
            (root / "r_files").mkdir()
            (root / "r_files" / "fan.png").write_bytes(b"old fan")
            (root / "r_files" / "extra.png").write_bytes(b"old extra")
        before = _tree(root)
        calls = {"n": 0}
        real = {"write_bytes": Path.write_bytes, "replace": os.replace, "mkdir": Path.mkdir,
                "mkdtemp": tempfile.mkdtemp}[point]

        def faulty(*a, **k):
            calls["n"] += 1
            if calls["n"] == nth:
                raise KeyboardInterrupt if how == "interrupt" else OSError(how, os.strerror(how))
            return real(*a, **k)

        target = {"write_bytes": (Path, "write_bytes"), "replace": (writers.os, "replace"),
                  "mkdir": (Path, "mkdir"), "mkdtemp": (writers.tempfile, "mkdtemp")}[point]
        new = {"r.md": b"new report", "r_files/fan.png": b"new fan", "r_files/tornado.png": b"new tornado"}
        failed = False
        with mock.patch.object(*target, faulty):
            try:
                writers.write_with_folder(root / "r.md", new["r.md"], "r_files",
                                          {"fan.png": new["r_files/fan.png"],
                                           "tornado.png": new["r_files/tornado.png"]}, force=True)
            except (OutputError, KeyboardInterrupt) as exc:
                failed = True
                if isinstance(exc, OutputError):
                    assert "nothing was changed" in str(exc) or "cannot write in" in str(exc), str(exc)
        after = _tree(root)
        if failed:
            assert after == before, (fault, sorted(after))
        else:
            assert after == {"r.md": new["r.md"], "r_files": None, **new}, (fault, sorted(after))
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(root)


# --- long variants (run with --slow; HYPOTHESIS_PROFILE=thorough raises the others) ----------


@pytest.mark.slow
@SLOW
@given(rich_doc(max_posts=6, max_measures=10).flatmap(lambda d: mutated(d, max_mutations=6)))
def test_slow_many_mutations(doc):
    assert_handled(doc)


@pytest.mark.slow
@SLOW
@given(st.sampled_from(sorted(REAL_DOCS)).flatmap(lambda n: mutated(REAL_DOCS[n], max_mutations=5)))
def test_slow_real_scenarios_many_mutations(doc):
    assert_handled(doc, paths=16)


@pytest.mark.slow
@SLOW
@given(st.sampled_from(REAL).flatmap(lambda p: mutated_text(p.read_text(encoding="utf-8"))))
def test_slow_real_scenario_text_edits(text):
    assert_handled(text, paths=16)
