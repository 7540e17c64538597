"""`taaksim check` in the reader's language (issue 17, point 4): Dutch words and number format by default,
English with ``--lang en``, and the same JSON in both, for every bundled scenario.

The English text is the one the check printed before it spoke Dutch (its tests keep asserting on it);
the Dutch text renders the same figures, labels and notes, with the scenario's own texts as written.
"""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.cli.check import _say_note, _say_what, format_text
from simulator.i18n import t
from simulator.results.check import CLASSES, check
from simulator.scenario.loader import load

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
# English words of the check's own text; none of them may remain in the Dutch text outside the scenario's texts
ENGLISH = ("published", "computed", "measure ", "total (", "sum of", "distinct printed", "reproduced",
           "by construction", "document inconsistency", "contradicts", "differs", "printed net", "explains:",
           "marks:", "interaction loss", "NOT OK")


@pytest.fixture(scope="module")
def outputs():
    """Per bundled scenario: the check result and the CLI's text and JSON in both languages."""
    cli = CliRunner()
    out = {}
    for p in BUNDLED:
        runs = {key: cli.invoke(main, ["check", str(p), *args]) for key, args in (
            ("nl", []), ("en", ["--lang", "en"]), ("nl_explicit", ["--lang", "nl"]),
            ("json", ["--json"]), ("json_en", ["--json", "--lang", "en"]), ("json_nl", ["--json", "--lang", "NL"]))}
        out[p.stem] = (check(load(p)), runs)
    return out


def _scenario_texts(result) -> list[str]:
    """The scenario's own texts that the check prints as written: quotes, explanations, excuses."""
    texts = [result.scenario]
    for f in result.figures:
        texts += [f.explain, f.excuse] + re.findall(r"'.*'", f.note) + [f.version]
    return [x for x in texts if x]


@pytest.mark.parametrize("stem", [p.stem for p in BUNDLED])
def test_dutch_by_default_in_dutch_number_format(outputs, stem):
    result, runs = outputs[stem]
    text = runs["nl"].output
    assert runs["nl"].exit_code == (0 if result.ok else 1)
    assert text == runs["nl_explicit"].output
    assert text.startswith(f"controle: {result.scenario}\n")
    assert "gepubliceerd" in text and "berekend" in text and "jaar   som van de maatregelen alleen" in text
    n = result.counts()
    last = text.rstrip("\n").splitlines()[-1]
    assert last.startswith(f"{sum(v for k, v in n.items() if k != 'derived')} verschillende gedrukte cijfers: ")
    assert last.endswith(": OK" if result.ok else ": NIET OK")
    # numbers of four digits or more are grouped by dots; the scenario's own texts aside, no English grouping
    own = text
    for x in sorted(_scenario_texts(result), key=len, reverse=True):
        own = own.replace(x, "")
    assert not re.search(r"\d,\d{3}\b", own), "English number format in the Dutch text"
    for word in ENGLISH:
        assert word not in own, f"English {word!r} in the Dutch text"
    big = max((f for f in result.figures), key=lambda f: abs(f.published), default=None)
    if big is not None and abs(big.published) >= 1000:
        assert f"{abs(round(big.published)):,}".replace(",", ".") in text


@pytest.mark.parametrize("stem", [p.stem for p in BUNDLED])
def test_english_with_lang_en(outputs, stem):
    result, runs = outputs[stem]
    text = runs["en"].output
    assert runs["en"].exit_code == runs["nl"].exit_code == (0 if result.ok else 1)
    assert text == format_text(result, "en") + "\n"
    assert text.startswith(f"check: {result.scenario}\n")
    assert "published" in text and "computed" in text and "year   sum of measures alone" in text
    assert re.search(r"distinct printed figures: \d+ reproduced, \d+ by construction", text)
    for f in result.figures:  # labels and notes exactly as the JSON gives them
        assert f.what in text and f.note in text
        if abs(f.published) >= 1000:
            assert f"{f.published:,.0f}".lstrip("-") in text


@pytest.mark.parametrize("stem", [p.stem for p in BUNDLED])
def test_json_is_the_same_in_every_language(outputs, stem):
    result, runs = outputs[stem]
    assert runs["json"].output == runs["json_en"].output == runs["json_nl"].output
    assert runs["json"].exit_code == runs["json_en"].exit_code == (0 if result.ok else 1)
    assert json.loads(runs["json"].output)["figures"][0]["what"] == result.figures[0].what


@pytest.mark.parametrize("stem", [p.stem for p in BUNDLED])
def test_every_label_and_note_is_read_back_in_dutch(outputs, stem):
    # the notes are written in English by results/check.py: a template that drifts from the catalogue's English
    # would leave a note untranslated, silently
    result, _ = outputs[stem]
    for f in result.figures:
        assert _say_what(f.what, "nl") != f.what or not f.what.startswith(("measure", "total", "group"))
        if f.note:
            assert _say_note(f.note, "nl") != f.note, f.note


def test_the_templates_read_back_every_kind_of_label_and_note():
    assert _say_what("group twee (sum of its 2 measures alone) effect [text]", "nl") == \
        "groep twee (som van de 2 eigen maatregelen alleen) effect [text]"
    assert _say_what("total wmo (sum of its measures alone) net", "nl") == \
        "totaal wmo (som van de eigen maatregelen alleen) netto"
    assert _say_what("measure a net b cost", "nl") == "maatregel a net b kosten"
    notes = {
        "differs by -1,234,567": "wijkt -1.234.567 af",
        "derived figure differs by 20,000": "afgeleid cijfer wijkt 20.000 af",
        "text 1,000 (l.3) 'a, b: 2,000' contradicts the table 1,200 (l.9)":
            "text 1.000 (l.3) 'a, b: 2,000' spreekt de tabel 1.200 (l.9) tegen",
        "text (l.3) repeats the table figure, which contradicts another printed version":
            "text (l.3) herhaalt het tabelcijfer, dat een andere gedrukte versie tegenspreekt",
        "the printed total adds up printed rows that contradict another printed version (a, b); the difference "
        "5,000 is theirs": "het gedrukte totaal telt gedrukte regels op die een andere gedrukte versie tegenspreken "
                           "(a, b); het verschil 5.000 komt van hen",
        "the printed total 900,000 (l.4) differs from the sum of its printed rows 950,000":
            "het gedrukte totaal 900.000 (l.4) wijkt af van de som van de eigen gedrukte regels 950.000",
        "something else, 1,000": "something else, 1,000",  # no template: as it is
    }
    for en, nl in notes.items():
        assert _say_note(en, "nl") == nl
        assert _say_note(en, "en") == en
    assert _say_note("document inconsistency: differs by 5", "nl") == "tegenstrijdigheid in het document: wijkt 5 af"


def test_every_class_has_a_mark_of_four_characters_in_both_languages():
    for cls in CLASSES:
        assert len(t(f"check.mark.{cls}", "nl")) == len(t(f"check.mark.{cls}", "en")) == 4


def test_a_failure_in_dutch_exits_1_with_the_dutch_mark_and_verdict(tmp_path):
    # as tests/test_cli.py's English case: 2026 prints effect and net but no cost, so a wrong net is a plain miss
    text = (ROOT / "tests" / "scenarios" / "minimal.toml").read_text(encoding="utf-8")
    f = tmp_path / "wrong.toml"
    f.write_text(text.replace("net = { 2025 = 400000, 2026 = 500000 }", "net = { 2025 = 400000, 2026 = 520000 }"))
    nl, en = (CliRunner().invoke(main, ["check", str(f), *args]) for args in ([], ["--lang", "en"]))
    assert nl.exit_code == en.exit_code == 1
    assert "  FOUT maatregel kids netto" in nl.output and "wijkt -20.000 af" in nl.output
    assert nl.output.rstrip().endswith(": NIET OK") and en.output.rstrip().endswith(": NOT OK")
