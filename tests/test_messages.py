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
    "unknown report type": (["report", MINIMAL, "--paths", "10", "--out", "x.pdf"],
                            "unknown report type '.pdf': use .html or .md"),
    "report year": (["report", MINIMAL, "--paths", "10", "--year", "1990"], "--year 1990 is not a year"),
    "no variant": (["compare", MINIMAL, "--paths", "10"], "give at least one --variant"),
    "bad variant": (["compare", MINIMAL, "--paths", "10", "--variant", "x=without:nope"], "unknown measure 'nope'"),
    "out is a folder": (["run", MINIMAL, "--paths", "10", "--out", "afolder"], "'afolder' is a directory"),
    "out folder missing": (["run", MINIMAL, "--paths", "10", "--out", "nodir/x.csv"],
                           "folder nodir does not exist"),
    "out folder is a file": (["run", MINIMAL, "--paths", "10", "--out", "afile/x.csv"],
                             "folder afile is not a folder"),
}


@pytest.mark.parametrize("args, expect", CASES.values(), ids=CASES.keys())
def test_each_user_error_is_short_and_says_what_to_fix(cli, args, expect, tmp_path):
    r = cli.invoke(main, args)
    assert_short_error(r, expect)
    assert (tmp_path / "exists.nc").read_bytes() == b"old result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "afolder", "bad.toml", "exists.nc"]


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
    (["report", MINIMAL, "--paths", "10", "--out", "x.pdf"], "use .html or .md"),
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
    assert err.strip() == "interrupted: no output was written", err
    assert "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []  # neither result.nc nor .result.nc.*.part.nc
