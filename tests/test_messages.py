"""Every user-facing error: one or two lines, names what to fix, exit code 2; --debug shows
the traceback; Ctrl-C leaves no file behind (issue 6, parts 3 and 4).

Most cases go through click's CliRunner (fast); a few run the real command in a process,
as a user meets it, to see that stderr holds no traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.errors import OutputError, SimulationError
from simulator.report.writers import atomic_write, check_output

from .conftest import TEST_SCENARIOS

MINIMAL = str(TEST_SCENARIOS / "minimal.toml")
BROKEN = str(TEST_SCENARIOS / "invalid" / "pert-out-of-order.toml")


def assert_short_error(result, expect: str, code: int = 2):
    text = result.stderr if hasattr(result, "stderr") and result.stderr else result.output
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = text.strip().splitlines()
    assert 1 <= len(lines) <= 2, text
    assert lines[0].startswith("error: "), text
    assert expect in text, text


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exists.nc").write_bytes(b"old result")
    (tmp_path / "afolder").mkdir()
    (tmp_path / "afile").write_text("x")
    (tmp_path / "afile_files").write_text("x")
    (tmp_path / "bad.toml").write_bytes(b"[scenario]\nname = \"\xff\"\n")
    return CliRunner()


CASES = {
    # the scenario argument
    "missing file": (["validate", "nope.toml"], "nope.toml: file not found"),
    "missing file, run": (["run", "nope.toml"], "nope.toml: file not found"),
    "missing file, check": (["check", "nope.toml"], "nope.toml: file not found"),
    "directory given": (["validate", "afolder"], "'afolder' is a directory"),
    "not UTF-8": (["validate", "bad.toml"], "bad.toml: not UTF-8 text"),
    "invalid scenario": (["run", BROKEN], 'measure "m" > effect > fraction > pert: needs low <= likely'),
    "no scenario": (["run"], "Missing argument 'SCENARIO'"),
    # options
    "unknown municipality": (["run", MINIMAL, "--paths", "10", "--municipality", "bussum"],
                             "unknown municipality 'bussum'; known: none in this scenario"),
    "paths zero": (["run", MINIMAL, "--paths", "0"], "'--paths': 0 is not in the range 1<=x<=100000000"),
    "paths too many": (["run", MINIMAL, "--paths", "100000001"], "not in the range 1<=x<=100000000"),
    "paths text": (["run", MINIMAL, "--paths", "many"], "'--paths': 'many' is not a valid integer"),
    "paths float": (["run", MINIMAL, "--paths", "1e6"], "'--paths': '1e6' is not a valid integer"),
    "negative seed": (["run", MINIMAL, "--seed", "-1"], "'--seed': -1 is not in the range"),
    "unknown option": (["run", MINIMAL, "--sed", "1"], "No such option '--sed'"),
    "unknown command": (["simulate", MINIMAL], "No such command 'simulate'"),
    "unknown group option": (["--verbose", "run", MINIMAL], "No such option '--verbose'"),
    # outputs
    "existing out without --force": (["run", MINIMAL, "--paths", "10", "--out", "exists.nc"],
                                     "exists.nc exists; use --force to overwrite it"),
    "unknown output type": (["run", MINIMAL, "--paths", "10", "--out", "x.doc"],
                            "unknown output type '.doc': use .nc, .csv or .xlsx"),
    "no output type": (["run", MINIMAL, "--paths", "10", "--out", "result"], "unknown output type '(none)'"),
    "unknown report type": (["report", MINIMAL, "--paths", "10", "--out", "x.docx"],  # .pdf since issue 17
                            "unknown report type '.docx': use .html, .md or .pdf"),
    "report year": (["report", MINIMAL, "--paths", "10", "--year", "1990"], "--year 1990 is not a year"),
    "no variant": (["compare", MINIMAL, "--paths", "10"], "give at least one --variant"),
    "bad variant": (["compare", MINIMAL, "--paths", "10", "--variant", "x=without:nope"], "unknown measure 'nope'"),
    "out is a folder": (["run", MINIMAL, "--paths", "10", "--out", "afolder"], "'afolder' is a directory"),
    "out folder missing": (["run", MINIMAL, "--paths", "10", "--out", "nodir/x.csv"],
                           "folder nodir does not exist"),
    "out folder is a file": (["run", MINIMAL, "--paths", "10", "--out", "afile/x.csv"],
                             "folder afile is not a folder"),
    # issue 12: nan and inf where a number enters on the command line (was: a traceback, or
    # accepted and printed as the JSON constant Infinity)
    "capacity nan": (["report", MINIMAL, "--paths", "10", "--weerstandscapaciteit", "nan"],
                     "'--weerstandscapaciteit': 'nan' is not a finite number"),
    "capacity inf": (["run", MINIMAL, "--paths", "10", "--weerstandscapaciteit", "inf"], "'--weerstandscapaciteit'"),
    "precision nan": (["run", MINIMAL, "--precision", "nan"], "'--precision': 'nan' is not a finite number"),
    "precision inf": (["run", MINIMAL, "--precision", "inf"], "'--precision': inf is not in the range"),
    "precision huge": (["run", MINIMAL, "--precision", "1e400"], "'--precision'"),
    "scheduler port 0": (["run", MINIMAL, "--paths", "10", "--scheduler", "dask://nohost:0"],
                         "write dask://HOST:PORT with a port from 1 to 65535"),
    "variant outside the domain": (["compare", MINIMAL, "--paths", "10", "--variant", "x=kids.go_ahead=5"],
                                   "5 is outside the domain of kids.go_ahead (go_ahead): [0, 1]"),
    "variant percentile below p1": (["compare", MINIMAL, "--paths", "10", "--variant", "x=children=p0.5"],
                                    "percentile must be between p1 and p99"),
    "md picture folder is a file": (["report", MINIMAL, "--paths", "10", "--out", "afile.md"],
                                    "afile_files exists and is not a folder"),
}


@pytest.mark.parametrize("args, expect", CASES.values(), ids=CASES.keys())
def test_each_user_error_is_short_and_says_what_to_fix(cli, args, expect, tmp_path):
    r = cli.invoke(main, args)
    assert_short_error(r, expect)
    assert (tmp_path / "exists.nc").read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "afile_files", "afolder", "bad.toml", "exists.nc"]


def test_a_refused_output_is_refused_before_the_run(cli, monkeypatch):
    # was: the run went first, and only then did writing fail (a long run lost)
    import simulator.run.dataset

    def no_run(*a, **k):
        raise AssertionError("the simulation ran before --out was checked")

    monkeypatch.setattr(simulator.run.dataset, "run", no_run)
    for out in ("exists.nc", "x.doc", "nodir/x.csv"):
        assert cli.invoke(main, ["run", MINIMAL, "--out", out]).exit_code == 2


def test_force_overwrites_and_leaves_no_temporary_file(cli, tmp_path):
    r = cli.invoke(main, ["run", MINIMAL, "--paths", "20", "--out", "exists.nc", "--force"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "exists.nc").read_bytes() != b"old result"
    assert not list(tmp_path.glob(".*.part*"))


def test_a_run_time_error_is_short_and_debug_shows_the_traceback(cli, tmp_path):
    f = tmp_path / "div.toml"
    text = Path(MINIMAL).read_text()
    f.write_text(text.replace('"children * per_child"', '"children / (per_child - 5000)"'))
    r = cli.invoke(main, ["run", str(f), "--paths", "10"])
    assert_short_error(r, f"{f}: measure \"kids\" effect is not a finite number")
    r = cli.invoke(main, ["--debug", "run", str(f), "--paths", "10"])
    assert isinstance(r.exception, SimulationError)


def test_ctrl_c_in_the_cli_exits_130_with_a_short_message(cli, monkeypatch, tmp_path):
    import simulator.run.dataset

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(simulator.run.dataset, "run", interrupted)
    r = cli.invoke(main, ["run", MINIMAL, "--out", "new.nc"])
    assert r.exit_code == 130
    assert r.output.strip() == "interrupted: no output was written"
    assert not (tmp_path / "new.nc").exists()


def test_ctrl_c_while_writing_leaves_neither_the_file_nor_a_temporary(tmp_path):
    def half_then_interrupt(tmp: Path):
        tmp.write_bytes(b"half a result")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "r.nc", half_then_interrupt)
    assert list(tmp_path.iterdir()) == []
    # an existing file survives an interrupted --force overwrite untouched
    (tmp_path / "r.nc").write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "r.nc", half_then_interrupt, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["r.nc"] and (tmp_path / "r.nc").read_bytes() == b"old"


def test_a_failing_write_is_an_output_error_and_leaves_nothing(tmp_path):
    def disk_full(tmp: Path):
        tmp.write_bytes(b"part")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="cannot write .*r.csv: No space left on device"):
        atomic_write(tmp_path / "r.csv", disk_full)
    assert list(tmp_path.iterdir()) == []


def test_check_output_accepts_a_new_file(tmp_path):
    assert check_output(tmp_path / "new.csv") == tmp_path / "new.csv"


# --- real processes ------------------------------------------------------------------------


def _taaksim(*args, **kw):
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True,
                          timeout=120, **kw)


@pytest.mark.parametrize("args, expect", [
    (["validate", "nope.toml"], "file not found"),
    (["run", MINIMAL, "--paths", "0"], "'--paths'"),
    (["run", MINIMAL, "--paths", "10", "--municipality", "x"], "unknown municipality"),
    (["report", MINIMAL, "--paths", "10", "--out", "x.docx"], "use .html, .md or .pdf"),  # .pdf: issue 17
])
def test_real_process_errors_have_no_traceback(args, expect, tmp_path):
    p = _taaksim(*args, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert len(p.stderr.strip().splitlines()) <= 2 and expect in p.stderr


def _numpy_loaded(pid: int) -> bool:
    try:
        return "numpy" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to see that the run has started")
def test_ctrl_c_during_a_real_run_exits_130_and_leaves_no_file(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "simulator", "run", MINIMAL, "--paths", "20000000",
                             "--seed", "1", "--out", "result.nc"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _numpy_loaded(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # numpy is imported inside the command: the run is under way
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # once seen (exit 0, empty stderr) on a machine running three test suites at once and
    # not reproduced since: say everything the process printed if it happens again
    assert proc.returncode == 130, (err, out[-2000:], sorted(p.name for p in tmp_path.iterdir()))
    # a cold numba cache (a fresh machine) also announces its one compilation, and a cold cache
    # of compiled models this scenario's: allowed, nothing else
    lines = [ln for ln in err.strip().splitlines()
             if "compiling the simulation kernel" not in ln and "compiling this scenario's model" not in ln]
    assert lines == ["interrupted: no output was written"], err
    assert "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []  # neither result.nc nor .result.nc.*.part.nc


# --- issue 12: outputs under faults, inert outputs, standard JSON ------------------------------


def test_the_dask_scheduler_not_answering_is_one_line_within_seconds(cli):
    # was: dask's client retried for 30 s and ended in a traceback
    for address, expect in (("dask://nohost.invalid:8786", "cannot reach the dask scheduler at nohost.invalid:8786"),
                            ("dask://127.0.0.1:1", "cannot reach the dask scheduler at 127.0.0.1:1")):
        t = time.perf_counter()
        r = cli.invoke(main, ["run", MINIMAL, "--paths", "10", "--scheduler", address])
        assert_short_error(r, expect)
        assert time.perf_counter() - t < 10


def test_json_output_is_always_standard():
    import json

    from simulator.cli.format import dumps as _dumps

    def strict(text):
        return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))

    assert strict(_dumps({"a": float("inf"), "b": [float("nan"), 1.0], 2025: (1, 2)})) == \
        {"a": None, "b": [None, 1.0], "2025": [1, 2]}
    r = CliRunner().invoke(main, ["run", MINIMAL, "--paths", "1", "--json"])
    assert r.exit_code == 0, r.output
    strict(r.output)


def test_probabilities_shown_stay_within_0_and_100_percent_at_one_path():
    # was: 'P(met) >-200.000%' at --paths 1 (the rule of three, 3 / n, is above 1 there)
    from simulator.report.text import rule_of_three

    assert rule_of_three(1) == rule_of_three(3) == 1.0 and rule_of_three(300) == 0.01
    r = CliRunner().invoke(main, ["run", MINIMAL, "--paths", "1"])
    assert r.exit_code == 0, r.output
    assert "-200" not in r.output and ">-" not in r.output


def test_an_existing_picture_folder_is_not_touched_without_force(cli, tmp_path):
    # was: 'report --out new.md' silently overwrote an existing new_files/fan.png
    (tmp_path / "new_files").mkdir()
    (tmp_path / "new_files" / "fan.png").write_bytes(b"mine")
    r = cli.invoke(main, ["report", MINIMAL, "--paths", "10", "--out", "new.md"])
    assert_short_error(r, "new_files exists; use --force")
    assert (tmp_path / "new_files" / "fan.png").read_bytes() == b"mine" and not (tmp_path / "new.md").exists()


def _pictures():
    return {"fan.png": b"new fan", "tornado.png": b"new tornado"}


def test_a_markdown_report_and_its_folder_are_written_all_or_nothing(tmp_path, monkeypatch):
    # was: a full disk left a half-written r_files/ folder beside the old report
    from simulator.report import writers

    (tmp_path / "r.md").write_text("old report")
    (tmp_path / "r_files").mkdir()
    (tmp_path / "r_files" / "fan.png").write_bytes(b"old fan")
    real = Path.write_bytes
    calls = []

    def full_disk(self, data):
        calls.append(self.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OutputError, match="cannot write .*r.md: No space left on device; nothing was changed"):
        writers.write_with_folder(tmp_path / "r.md", b"new report", "r_files", _pictures(), force=True)
    monkeypatch.setattr(Path, "write_bytes", real)
    assert (tmp_path / "r.md").read_text() == "old report"
    assert [p.name for p in (tmp_path / "r_files").iterdir()] == ["fan.png"]
    assert (tmp_path / "r_files" / "fan.png").read_bytes() == b"old fan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r_files"]  # no temporaries
    # and with room on the disk, the new report replaces the old one whole
    written = writers.write_with_folder(tmp_path / "r.md", b"new report", "r_files", _pictures(), force=True)
    assert written[0] == tmp_path / "r.md" and (tmp_path / "r.md").read_bytes() == b"new report"
    assert sorted(p.name for p in (tmp_path / "r_files").iterdir()) == ["fan.png", "tornado.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r_files"]


def test_a_failed_move_puts_the_old_picture_folder_back(tmp_path, monkeypatch):
    from simulator.report import writers

    (tmp_path / "r.md").write_text("old report")
    (tmp_path / "r_files").mkdir()
    (tmp_path / "r_files" / "fan.png").write_bytes(b"old fan")
    real = os.replace

    def fail_on_the_report(src, dst):
        if Path(dst).name == "r.md":
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(writers.os, "replace", fail_on_the_report)
    with pytest.raises(OutputError, match="Input/output error; nothing was changed"):
        writers.write_with_folder(tmp_path / "r.md", b"new", "r_files", _pictures(), force=True)
    assert (tmp_path / "r_files" / "fan.png").read_bytes() == b"old fan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r_files"]


def test_a_read_only_folder_is_one_line_and_exit_2(cli, tmp_path, monkeypatch):
    # was: 'report --out ro/r.md' ended in OSError with a traceback (tested by refusing the
    # temporary folder: the tests may run as root, for whom no folder is read-only)
    import tempfile

    import matplotlib.pyplot  # noqa: F401 - its cache folder is made on import, before the patch

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    monkeypatch.setattr(Path, "mkdir", denied)
    for args in (["report", MINIMAL, "--paths", "100", "--aux-paths", "100", "--out", "r.md"],
                 ["report", MINIMAL, "--paths", "100", "--aux-paths", "100", "--out", "r.html"],
                 ["run", MINIMAL, "--paths", "10", "--out", "r.csv"]):
        r = cli.invoke(main, args)
        assert_short_error(r, "Permission denied")
        out = args[-1]
        assert not (tmp_path / out).exists()


def test_a_full_disk_while_writing_xlsx_is_one_line_and_exit_2(cli, tmp_path, monkeypatch):
    # was: OSError with a traceback
    import simulator.report.xlsx

    def disk_full(f, path, lang="nl"):
        Path(path).write_bytes(b"PK half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(simulator.report.xlsx, "write_xlsx", disk_full)
    r = cli.invoke(main, ["run", MINIMAL, "--paths", "10", "--out", "r.xlsx"])
    assert_short_error(r, "cannot write r.xlsx: No space left on device; nothing was changed")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("r.", ".r."))]


def test_an_interrupt_after_a_file_is_written_says_so(cli, tmp_path, monkeypatch):
    # was: the report replaced the file with --force, then said 'no output was written'
    import simulator.report.writers as writers

    real = writers.write_result

    def write_then_interrupt(*a, **k):
        real(*a, **k)
        raise KeyboardInterrupt

    monkeypatch.setattr(writers, "write_result", write_then_interrupt)
    r = cli.invoke(main, ["run", MINIMAL, "--paths", "10", "--out", "exists.nc", "--force"])
    assert r.exit_code == 130
    assert r.output.strip() == ("interrupted: exists.nc written completely before the interrupt; "
                                "nothing else was changed")
    assert (tmp_path / "exists.nc").read_bytes() != b"old result"


def test_temporaries_of_killed_runs_are_removed_by_the_next_write(tmp_path):
    # was: SIGKILL during a write left .part files that no later run removed
    from simulator.report.writers import atomic_write

    dead = tmp_path / ".r.csv.4194305.abc123.part.csv"  # above any pid_max: that process is gone
    dead.write_bytes(b"half")
    dead_dir = tmp_path / ".r.md.4194305.xyz.part"
    dead_dir.mkdir()
    live = tmp_path / f".r.csv.{os.getppid()}.def456.part.csv"  # a run still going
    live.write_bytes(b"busy")
    other = tmp_path / ".s.csv.4194305.abc123.part.csv"  # another file's: not ours to judge now
    other.write_bytes(b"half")
    atomic_write(tmp_path / "r.csv", lambda p: p.write_bytes(b"ok"))
    assert not dead.exists() and live.exists() and other.exists() and dead_dir.exists()
    from simulator.report.writers import write_with_folder

    write_with_folder(tmp_path / "r.md", b"report", "r_files", {"fan.png": b"x"})
    assert not dead_dir.exists()


def _hostile_scenario(tmp_path, name: str) -> Path:
    import json

    text = Path(MINIMAL).read_text()
    text = text.replace('id = "hh-10b"\n', f'id = "hh-10b"\nname = {json.dumps(name)}\n', 1)
    f = tmp_path / "hostile.toml"
    f.write_text(text)
    return f


def test_xlsx_cells_never_start_a_formula_from_scenario_text(cli, tmp_path):
    # was: a measure named '=HYPERLINK(...)' landed as a live formula in the spreadsheet
    from openpyxl import load_workbook

    f = _hostile_scenario(tmp_path, '=HYPERLINK("http://x", "klik")')
    r = cli.invoke(main, ["run", str(f), "--paths", "200", "--out", "r.xlsx"])
    assert r.exit_code == 0, r.output
    wb = load_workbook(tmp_path / "r.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    hostile = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    assert not [c for c in cells if c.data_type == "f"]


def test_reports_escape_scenario_text(cli, tmp_path):
    # was: raw HTML ('<script>') in a measure name appeared unescaped in the Markdown report
    f = _hostile_scenario(tmp_path, "<script>alert(1)</script> [klik](http://x) | `x`")
    r = cli.invoke(main, ["report", str(f), "--paths", "200", "--aux-paths", "100", "--out", "r.md"])
    assert r.exit_code == 0, r.output
    md = (tmp_path / "r.md").read_text()
    assert "<script>" not in md and "](http://x)" not in md.replace("\\](http://x)", "")
    assert "&lt;script>alert(1)&lt;/script> \\[klik\\](http://x) \\| \\`x\\`" in md
    r = cli.invoke(main, ["report", str(f), "--paths", "200", "--aux-paths", "100", "--out", "r.html"])
    assert r.exit_code == 0, r.output
    assert "<script>alert" not in (tmp_path / "r.html").read_text()


def test_a_run_that_cannot_fit_in_memory_is_refused_before_it_starts(cli, monkeypatch):
    from simulator.core import limits

    monkeypatch.setattr(limits, "available_bytes", lambda: 50_000_000)
    t = time.perf_counter()
    r = cli.invoke(main, ["run", MINIMAL, "--paths", "100000000", "--out", "big.nc"])
    assert_short_error(r, "this run needs about")
    assert "GB is available" in r.output and time.perf_counter() - t < 10
