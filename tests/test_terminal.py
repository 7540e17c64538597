"""The terminal as a controller meets it: amounts in Dutch or plain form, ids in any case with
"did you mean", compare's values checked against each input's domain, help that promises only
what a command does, a progress line on stderr, and an unreachable dask scheduler in one line."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from simulator.cli import main
from simulator.cli.options import parse_amount
from simulator.cli.progress import Progress, wanted

from .conftest import SCENARIOS

GOOI = str(SCENARIOS / "gooi-en-vechtstreek-2021.toml")
RENKUM = str(SCENARIOS / "renkum-2025.toml")


@pytest.mark.parametrize(("text", "amount"), [
    ("2500000", 2_500_000), ("2.500.000", 2_500_000), ("2,500,000", 2_500_000), ("€ 2.500.000", 2_500_000),
    ("2,5 mln", 2_500_000), ("2.5 mln", 2_500_000), ("2,5mln", 2_500_000), ("750k", 750_000),
    ("1.234.567,89", 1_234_567.89), ("1,234,567.89", 1_234_567.89), ("12,5", 12.5), ("0", 0),
    ("EUR 1 mrd", 1e9), ("2 500 000", 2_500_000),
])
def test_amounts_in_dutch_or_plain_form(text, amount):
    assert parse_amount(text) == pytest.approx(amount)


@pytest.mark.parametrize(("text", "why"), [
    ("2.500", "ambiguous"), ("2,500", "ambiguous"), ("1.2.3", "grouped by three"), ("2,50,000", "grouped by three"),
    ("-5", "not an amount"), ("abc", "not an amount"), ("1e6", "not an amount"), ("5 dozen", "not an amount"),
    ("1.234,567.8", "not an amount"),
])
def test_ambiguous_or_malformed_amounts_are_refused(text, why):
    with pytest.raises(ValueError, match=why):
        parse_amount(text)


@given(st.integers(0, 10**11))
def test_an_amount_written_the_dutch_way_reads_back(x):
    dutch = f"{x:,}".replace(",", ".")
    if dutch.count(".") == 1:  # "2.500" is refused on purpose: one separator and three digits
        with pytest.raises(ValueError, match="ambiguous"):
            parse_amount(dutch)
    else:
        assert parse_amount(dutch) == x
    assert parse_amount(str(x)) == x


def test_the_command_line_takes_a_dutch_capacity():
    cli = CliRunner()
    args = ["report", RENKUM, "--paths", "300", "--aux-paths", "300", "--json"]
    plain = json.loads(cli.invoke(main, [*args, "--weerstandscapaciteit", "2500000"]).output)
    dutch = json.loads(cli.invoke(main, [*args, "--weerstandscapaciteit", "2.500.000"]).output)
    short = json.loads(cli.invoke(main, [*args, "--weerstandscapaciteit", "2,5 mln"]).output)
    assert plain["risk"] == dutch["risk"] == short["risk"]
    r = cli.invoke(main, [*args, "--weerstandscapaciteit", "2.500"])
    assert r.exit_code == 2 and "ambiguous" in r.output and "Traceback" not in r.output


def test_a_municipality_by_name_or_in_any_case():
    cli = CliRunner()
    base = ["run", GOOI, "--paths", "200", "--json"]
    want = json.loads(cli.invoke(main, [*base, "--municipality", "hilversum"]).output)
    for given_as in ("Hilversum", "HILVERSUM"):
        r = cli.invoke(main, [*base, "--municipality", given_as])
        assert r.exit_code == 0, r.output
        got = json.loads(r.output)
        assert got["municipality"] == "hilversum" and got["savings"] == want["savings"]
    r = cli.invoke(main, [*base, "--municipality", "hilversm"])
    assert r.exit_code == 2 and "did you mean 'hilversum'?" in r.output


@pytest.mark.parametrize(("variant", "message"), [
    ("x=abonnementstarief.go_ahead=2", "2 is outside the domain of abonnementstarief.go_ahead"),
    ("x=abonnementstarief.go_ahead=0.5", "not 0.5"),
    ("x=*.go_ahead=p0.5", "between p1 and p99"),
    ("x=abonnementstarief.delay=-1", "outside the domain"),
    ("x=without:abonementstarief", "did you mean 'abonnementstarief'?"),
    ("x=@grwth=p90", "did you mean '@growth'?"),
])
def test_compare_refuses_values_outside_an_inputs_domain(variant, message):
    r = CliRunner().invoke(main, ["compare", RENKUM, "--paths", "100", "--variant", variant])
    assert r.exit_code == 2 and message in r.output, r.output
    assert "Traceback" not in r.output


def test_compare_ids_ignore_case():
    cli = CliRunner()
    args = ["compare", RENKUM, "--paths", "200", "--json"]
    lower = json.loads(cli.invoke(main, [*args, "--variant", "a=without:smi;ABONNEMENTSTARIEF.Go_Ahead=1"]).output)
    upper = json.loads(cli.invoke(main, [*args, "--variant", "a=without:SMI;abonnementstarief.go_ahead=1"]).output)
    assert lower["variants"][1]["mean"] == upper["variants"][1]["mean"]


def test_compare_help_promises_only_what_compare_does():
    text = CliRunner().invoke(main, ["compare", "--help"]).output.lower()
    for promise in ("paragraph", "sensitivity", "contributions", "spreadsheet", "risk figures"):
        assert promise not in text


def test_progress_appears_after_the_delay_on_stderr_and_clears_itself():
    out = io.StringIO()
    with Progress(1000, "simuleert", stream=out, delay=0.0) as bar:
        bar.update(500)
        time.sleep(0.3)
    text = out.getvalue()
    assert "simuleert [" in text and " 50%" in text and text.endswith("\r\x1b[K")
    quiet = io.StringIO()
    with Progress(1000, stream=quiet, delay=5.0):
        pass
    assert quiet.getvalue() == ""  # a quick command prints nothing extra


def test_progress_only_on_a_terminal_never_with_json(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("TAAKSIM_PROGRESS", raising=False)
    assert wanted(stream=Tty()) and not wanted(stream=io.StringIO()) and not wanted(True, Tty())
    monkeypatch.setenv("TAAKSIM_PROGRESS", "always")
    assert wanted(stream=io.StringIO()) and not wanted(True, io.StringIO())
    monkeypatch.setenv("TAAKSIM_PROGRESS", "never")
    assert not wanted(stream=Tty())


def test_a_forced_progress_line_goes_to_stderr_not_stdout():
    p = subprocess.run([sys.executable, "-m", "simulator", "report", RENKUM, "--paths", "2000", "--json"],
                       capture_output=True, text=True, env={"TAAKSIM_PROGRESS": "always", "PATH": ""})
    assert p.returncode == 0 and p.stderr == ""  # never with --json
    json.loads(p.stdout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_dask_scheduler_is_one_line_and_exit_2_quickly():
    start = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "simulator", "run", RENKUM, "--paths", "100",
                        "--scheduler", f"dask://127.0.0.1:{_free_port()}"], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "cannot reach the dask scheduler" in p.stderr
    assert time.monotonic() - start < 20  # dask alone retries a refused port for 30 s


def test_the_terminal_is_dutch_by_default_and_english_on_request():
    cli = CliRunner()
    nl = cli.invoke(main, ["run", GOOI, "--paths", "2000", "--municipality", "hilversum",
                           "--weerstandscapaciteit", "2500000"]).output
    en = cli.invoke(main, ["run", GOOI, "--paths", "2000", "--municipality", "hilversum",
                           "--weerstandscapaciteit", "2500000", "--lang", "en"]).output
    assert "2.000 paden, startgetal 0" in nl and "kans gehaald" in nl and "benodigde reserve" in nl
    assert "2,000 paths, seed 0" in en and "P(target met)" in en and "needed reserve" in en
    import re

    assert not re.search(r"\d,\d{3}\b", nl.replace("pp", ""))  # no English thousands in the Dutch screen
    assert re.search(r"\d+,\d% ±\d+,\d+ pp", nl)  # the error has its unit
    # one set of percentiles per quantity: the goal block refers to the table where it judges the table's
    # quantity; Hilversum's target has booked savings (issue 13), so it judges another quantity and shows its own
    table = {row.split()[3] for row in nl.splitlines() if row[:4].isdigit() and row[4:6] == "  "}
    goal_p50 = re.findall(r"P50 +(-?[\d.]+)", nl)
    # "P50": the table's column, the goal block's heading, and once per goal year (its own quantity)
    assert nl.count("P50") == 2 + len(goal_p50) and goal_p50 and not table & set(goal_p50)


def test_the_register_line_on_the_terminal_multiplies_the_shown_figures():
    out = CliRunner().invoke(main, ["run", GOOI, "--paths", "10000", "--municipality", "hilversum",
                                    "--year", "2024"]).output
    line = next(x for x in out.splitlines() if "realisatierisico" in x)
    import re

    shown = re.search(r"kans op tekort ([\d,]+)% x maximaal gevolg ([\d.]+)", line)
    product = int(line.split()[2].replace(".", ""))
    p, worst = float(shown.group(1).replace(",", ".")) / 100, int(shown.group(2).replace(".", ""))
    assert product == round(p * worst)


def test_compare_is_dutch_by_default():
    out = CliRunner().invoke(main, ["compare", RENKUM, "--paths", "300", "--variant", "a=later:1"]).output
    assert "300 paden, startgetal 0" in out and "kans gehaald" in out
