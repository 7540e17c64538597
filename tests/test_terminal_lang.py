"""Every command's terminal text in the reader's language (issue 17): Dutch words and Dutch number
format by default, English with ``--lang en`` and no Dutch words left in it, ``--json`` the same in
both; ``report --register`` beside the report, all or nothing; a progress line on stderr for every
command that can take a while; ids in any case with "did you mean" on every option that takes one."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner

from simulator.cli import main

from .conftest import SCENARIOS, TEST_SCENARIOS

MINIMAL = str(TEST_SCENARIOS / "minimal.toml")
HUIZEN = str(SCENARIOS / "huizen-2022.toml")
RENKUM = str(SCENARIOS / "renkum-2025.toml")
GOOI = str(SCENARIOS / "gooi-en-vechtstreek-2021.toml")
HEADER = "as_of,kind,id,period,value,start,error,error_eur,source\n"

#: words of the terminal's Dutch that an English screen must not show (whole words, lower case)
DUTCH = ("paden", "startgetal", "kans", "gehaald", "taakstelling", "taakstellingen", "besparing", "uitgaven",
         "zeker", "zekerheid", "jaar", "opgeslagen", "opmerking", "waarschuwing", "besluit", "besluiten", "regel",
         "pakket", "kosten", "ondergrens", "verhouding", "mediaan", "gemiddeld", "t.o.v.", "lopende", "prijspeil",
         "klasse", "gevolg", "geldig", "posten", "maatregel", "maatregelen", "doelzoeken", "bedrag", "niets",
         "zonder", "gegeven", "waarneming", "waarnemingen", "prognose", "hoofddoel", "gekozen", "verwacht",
         "benodigd", "risicoscore", "onzekere", "heuristiek", "regio", "looptijd", "plafond", "begroting")
#: English and code words a Dutch screen must not show
ENGLISH = ("paths", "seed", "savings", "chance", "probability", "certain", "certainty", "saved", "note", "warning",
           "decision", "row", "package", "cost", "floor", "median", "mean", "nominal", "prices", "against", "valid",
           "amount", "nothing", "without", "goal", "every", "target", "given", "moment(s)", "chosen", "method",
           "measures", "sum", "alone", "counterfactual", "base_year", "consequence", "score", "expected",
           "shortfall", "needed", "seek", "heuristic", "spending", "variates", "memory", "posts")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-zë_().]+", text.lower()))


def _scenario_text(path: str) -> list[str]:
    """The scenario's own names and ids (fine in either language), longest first."""
    from simulator.scenario.loader import load

    s = load(path)
    own = [s.name, s.region, path, *(m.id for m in s.measures), *(p.id for p in s.posts),
           *(g.id for g in (*s.targets, *s.budgets)), *(i.key for i in s.inputs),
           *(m.id for m in s.municipalities), *(m.name for m in s.municipalities)]
    return sorted({x for x in own if x}, key=len, reverse=True)


def _strip(text: str, path: str) -> str:
    for x in _scenario_text(path):
        text = text.replace(x, " ")
    text = text.replace("without:", " ")  # compare repeats the user's --variant as written
    return re.sub(r"\[[a-z@_-]+\]", " ", text)  # scope labels ("[all]"): ids of the scenario's posts


def _realised(tmp_path) -> tuple[str, str]:
    a = tmp_path / "q2.csv"
    a.write_text(HEADER + "2025-06-30,decision,kids,,yes,,,,raad\n", encoding="utf-8")
    b = tmp_path / "q4.csv"
    b.write_text(HEADER + "2025-12-31,decision,kids,,yes,,,,raad\n"
                 "2025-12-31,effect,hh-10b,2025,380000,,20%,,ledger\n", encoding="utf-8")
    return str(a), str(b)


def _commands(tmp_path) -> dict[str, list[str]]:
    a, b = _realised(tmp_path)
    return {
        "monitor": ["monitor", MINIMAL, a, b, "--paths", "3000"],
        "seek": ["seek", MINIMAL, "--realised", b, "--measure", "hh-10b", "--paths", "3000"],
        "run --realised": ["run", MINIMAL, "--realised", b, "--paths", "3000"],
        "choose": ["choose", MINIMAL, "--paths", "300"],
        "bench": ["bench", MINIMAL, "--paths", "20000", "--threads", "1"],
        "register": ["register", MINIMAL, "--paths", "3000"],
        "validate": ["validate", MINIMAL],
        "run": ["run", MINIMAL, "--paths", "3000", "--detail", "--weerstandscapaciteit", "2500000"],
        "compare": ["compare", MINIMAL, "--paths", "1000", "--variant", "a=without:kids"],
    }


COMMANDS = ("monitor", "seek", "run --realised", "choose", "bench", "register", "validate", "run", "compare")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_speaks_dutch_by_default_and_english_on_request(name, tmp_path):
    args = _commands(tmp_path)[name]
    cli = CliRunner()
    nl = cli.invoke(main, args)
    en = cli.invoke(main, [*args, "--lang", "en"])
    assert nl.exit_code == 0 and en.exit_code == 0, nl.output + en.output
    nl_text, en_text = _strip(nl.stdout, MINIMAL), _strip(en.stdout, MINIMAL)
    assert not _words(en_text) & set(DUTCH), sorted(_words(en_text) & set(DUTCH))
    assert not _words(nl_text) & set(ENGLISH), sorted(_words(nl_text) & set(ENGLISH))
    # the numbers in the reader's format: Dutch groups thousands with a point and writes a decimal comma
    assert not re.search(r"\b[1-9]\d{0,2},\d{3}\b", nl_text), nl_text
    assert not re.search(r"\b[1-9]\d{0,2}\.\d{3}\b", en_text), en_text
    if name != "validate":
        assert re.search(r"\d\.\d{3}\b", nl_text) and re.search(r"\d,\d{3}\b", en_text)


def test_the_dutch_screens_have_the_expected_words_and_percentages(tmp_path):
    c = _commands(tmp_path)
    out = {k: CliRunner().invoke(main, c[k]).stdout for k in ("monitor", "seek", "choose", "register", "bench")}
    assert "prognose voor 2026" in out["monitor"] and "besluit kids: ja" in out["monitor"]
    assert re.search(r"\d+,\d% ±\d+,\d+ pp", out["monitor"])
    assert "doelzoeken, taakstelling target-all [all] 2026" in out["seek"] and "95%-interval" in out["seek"]
    assert "Paretofront" in out["choose"] and "zonder kids" in out["choose"]
    assert "kans" in out["register"] and "klasse" in out["register"] and "De taakstelling 2026" in out["register"]
    assert "paden/s" in out["bench"] and "ondergrens" in out["bench"]


def test_english_goal_basis_and_header_have_no_dutch_words():
    out = CliRunner().invoke(main, ["run", RENKUM, "--paths", "500", "--lang", "en"]).stdout
    assert "against spending in 2024, nominal prices" in out and "ceiling on spending (the budget)" in out
    own = out.split("\n", 2)[2].split("readings of the document")[0]  # after the scenario's name and reading
    assert "t.o.v." not in own and "lopende prijzen" not in own


@pytest.mark.parametrize("args", [
    ["monitor", MINIMAL, "{a}", "{b}", "--paths", "1000", "--json"],
    ["seek", MINIMAL, "--realised", "{b}", "--paths", "1000", "--json"],
    ["choose", MINIMAL, "--paths", "200", "--json"],
    ["register", MINIMAL, "--paths", "1000", "--json"],
])
def test_json_is_the_same_in_both_languages(args, tmp_path):
    a, b = _realised(tmp_path)
    args = [x.format(a=a, b=b) for x in args]
    nl = CliRunner().invoke(main, args)
    en = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert nl.exit_code == 0, nl.output
    assert json.loads(nl.stdout) == json.loads(en.stdout)
    if args[0] == "monitor":  # the facts keep the library's English names in JSON
        assert json.loads(nl.stdout)["moments"][2]["moved_by"][0]["fact"].split()[0] in ("decision", "effect")


# --- report --register ------------------------------------------------------------------------


def test_report_register_writes_the_register_beside_the_report(tmp_path):
    rep, reg, alone = tmp_path / "r.html", tmp_path / "r.csv", tmp_path / "alone.csv"
    r = CliRunner().invoke(main, ["report", RENKUM, "--paths", "1500", "--aux-paths", "300", "--out", str(rep),
                                  "--register", str(reg)])
    assert r.exit_code == 0, r.output
    assert rep.exists() and reg.exists() and "opgeslagen" in r.stderr and "opgeslagen" not in r.stdout
    CliRunner().invoke(main, ["register", RENKUM, "--paths", "1500", "--out", str(alone)])
    assert reg.read_bytes() == alone.read_bytes()  # the same lines as taaksim register, same run
    assert (reg.stat().st_mode & 0o777) == (alone.stat().st_mode & 0o777)
    with open(reg, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=";"))
    assert "kansklasse (1-5)" in header
    # the register of a report in xlsx, without --out: the paragraph and the register
    x = tmp_path / "r.xlsx"
    r = CliRunner().invoke(main, ["report", RENKUM, "--paths", "500", "--aux-paths", "200", "--register", str(x)])
    assert r.exit_code == 0 and x.read_bytes()[:2] == b"PK"


def test_report_register_is_all_or_nothing(tmp_path, monkeypatch):
    rep, reg = tmp_path / "r.html", tmp_path / "r.csv"
    reg.write_text("old", encoding="utf-8")
    args = ["report", RENKUM, "--paths", "300", "--aux-paths", "100", "--out", str(rep), "--register", str(reg)]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and "exists; use --force" in r.stderr and not rep.exists()
    assert reg.read_text(encoding="utf-8") == "old"
    r = CliRunner().invoke(main, ["report", RENKUM, "--out", str(rep), "--register", str(rep), "--paths", "300"])
    assert r.exit_code == 2 and "its own name" in r.stderr
    # the report fails after the analysis: neither file changes, no temporary is left behind
    from simulator.errors import OutputError
    from simulator.report import writers

    def broken(*args, **kwargs):
        raise OutputError("cannot write r.html: disk full; nothing was changed")

    monkeypatch.setattr(writers, "write_report", broken)
    r = CliRunner().invoke(main, [*args, "--force"])
    assert r.exit_code == 2 and "disk full" in r.stderr
    assert reg.read_text(encoding="utf-8") == "old" and not rep.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


# --- progress ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["monitor", "seek", "run --realised", "choose", "bench", "register", "run",
                                  "compare"])
def test_progress_on_stderr_only_and_never_with_json(name, tmp_path, monkeypatch):
    from simulator.cli import progress

    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setenv("TAAKSIM_PROGRESS", "always")
    args = _commands(tmp_path)[name]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "\r" in r.stderr and ("rekent" in r.stderr or "simuleert" in r.stderr)
    assert "\r" not in r.stdout
    en = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert "computing" in en.stderr or "simulating" in en.stderr
    if name not in ("validate",):
        j = CliRunner().invoke(main, [*args, "--json"])
        assert j.exit_code == 0 and j.stderr == "", j.stderr
    monkeypatch.setenv("TAAKSIM_PROGRESS", "auto")  # the existing rule: only on a terminal
    assert "\r" not in CliRunner().invoke(main, args).stderr


# --- ids in any case, "did you mean" ------------------------------------------------------------


@pytest.mark.parametrize(("args", "suggestion"), [
    (["run", HUIZEN, "--goal", "taakstelling-wm"], "did you mean 'taakstelling-wmo'?"),
    (["report", HUIZEN, "--goal", "taakstelling-jeugt"], "did you mean 'taakstelling-jeugd'?"),
    (["run", HUIZEN, "--reading", "kosten-verekend"], "did you mean 'kosten-verrekend'?"),
    (["report", HUIZEN, "--reading", "kosten-niet-verekend"], "did you mean 'kosten-niet-verrekend'?"),
    (["seek", MINIMAL, "--measure", "hh-1O"], "did you mean 'hh-10'?"),
    (["seek", MINIMAL, "--goal", "target-al"], "did you mean 'target-all'?"),
    (["compare", RENKUM, "--variant", "a=without:abonementstarief"], "did you mean 'abonnementstarief'?"),
    (["run", GOOI, "--municipality", "hilversm"], "did you mean 'hilversum'?"),
    (["monitor", GOOI, "{b}", "--municipality", "hilversm"], "did you mean 'hilversum'?"),
])
def test_an_unknown_id_suggests_the_nearest_in_one_line(args, suggestion, tmp_path):
    b = tmp_path / "r.csv"
    b.write_text(HEADER + "2021-12-31,decision,m15-grip-op-uitgaven,,yes,,,,raad\n", encoding="utf-8")
    r = CliRunner().invoke(main, [*(x.format(b=b) for x in args), "--paths", "200"])
    assert r.exit_code == 2, r.output
    assert suggestion in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


@pytest.mark.parametrize("args", [
    ["run", HUIZEN, "--goal", "Taakstelling-WMO", "--json"],
    ["run", HUIZEN, "--reading", "Kosten-Niet-Verrekend", "--json"],
    ["seek", MINIMAL, "--measure", "HH-10b", "--goal", "Target-All", "--json"],
    ["compare", RENKUM, "--variant", "a=without:Abonnementstarief", "--json"],
])
def test_ids_ignore_case(args):
    r = CliRunner().invoke(main, [*args, "--paths", "200"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    if "--reading" in args:
        assert out["reading"] == "kosten-niet-verrekend"
    if args[0] == "seek":
        assert out["goal"] == "target-all" and out["measure"]["id"] == "hh-10b"


def test_realised_ids_ignore_case_and_suggest_the_nearest(tmp_path):
    ok = tmp_path / "ok.csv"
    ok.write_text(HEADER + "2025-12-31,decision,KIDS,,yes,,,,raad\n2025-12-31,effect,HH-10b,2025,380000,,20%,,l\n",
                  encoding="utf-8")
    r = CliRunner().invoke(main, ["seek", MINIMAL, "--realised", str(ok), "--paths", "300", "--json"])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2025-12-31,decision,kid,,yes,,,,raad\n", encoding="utf-8")
    for args in (["seek", MINIMAL, "--realised", str(bad)], ["choose", MINIMAL, "--realised", str(bad)],
                 ["monitor", MINIMAL, str(bad)]):
        r = CliRunner().invoke(main, [*args, "--paths", "300"])
        assert r.exit_code == 2 and "did you mean 'kids'?" in r.stderr and len(r.stderr.splitlines()) == 1


def test_a_candidate_on_an_unknown_post_suggests_the_nearest(tmp_path):
    c = tmp_path / "c.toml"
    c.write_text('[[measure]]\nid = "extra"\npost = "HH"\neffect = { fraction = 0.05 }\nsource = "assumption: t"\n',
                 encoding="utf-8")
    r = CliRunner().invoke(main, ["choose", MINIMAL, "--candidates", str(c), "--paths", "300"])
    assert r.exit_code == 2 and "did you mean 'hh'?" in r.stderr and len(r.stderr.splitlines()) == 1


def test_notes_and_warnings_of_a_conditioned_run_in_the_readers_language():
    moment = str(SCENARIOS / "monitoring" / "gooi-en-vechtstreek-2021-12.csv")
    args = ["monitor", GOOI, moment, "--paths", "1000"]
    nl = CliRunner().invoke(main, args).stdout
    en = CliRunner().invoke(main, [*args, "--lang", "en"]).stdout
    js = json.loads(CliRunner().invoke(main, [*args, "--json"]).stdout)
    assert "opmerking: m15-grip-op-uitgaven: de start 2021-06-01 is vastgelegd" in nl
    assert re.search(r"waarschuwing: effectieve steekproefomvang \d+ van 1\.000 paden is klein", nl)
    assert "note: m15-grip-op-uitgaven: start 2021-06-01 is recorded" in en and "of 1,000 paths is small" in en
    # --json keeps the library's English
    assert js["moments"][1]["notes"][0].startswith("m15-grip-op-uitgaven: start 2021-06-01 is recorded")


def test_report_register_with_realised_is_refused(tmp_path):
    _, b = _realised(tmp_path)
    r = CliRunner().invoke(main, ["report", MINIMAL, "--realised", b, "--register", str(tmp_path / "r.csv")])
    assert r.exit_code == 2 and "does not combine with --register" in r.stderr and not (tmp_path / "r.csv").exists()
