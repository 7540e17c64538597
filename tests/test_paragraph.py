"""The risicoparagraaf and the report as a controller pastes them (issue 17): every goal, the
register line's product from the shown figures, beheersmaatregelen, singular and plural, no code
words in the Dutch report, the sources appendix."""

from __future__ import annotations

import re

import pytest

from simulator.report.html import to_html
from simulator.report.paragraph import chance, risk_paragraph, shown_chance, shown_money
from simulator.report.sources import assumptions, source_rows
from simulator.results.analysis import analyse
from simulator.scenario.loader import load

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def huizen():
    return analyse(load(SCENARIOS / "huizen-2022.toml"), paths=3000, seed=1, aux_paths=500, capacity=1_000_000)


@pytest.fixture(scope="module")
def hilversum():
    return analyse(load(SCENARIOS / "gooi-en-vechtstreek-2021.toml"), paths=4000, seed=1, aux_paths=500,
                   municipality="hilversum", capacity=2_500_000)


def test_every_goal_is_in_the_paragraph(huizen):
    text = risk_paragraph(huizen, "nl")
    n_t = sum(g.kind == "target" for g in huizen.risk.goals)
    n_b = len(huizen.risk.goals) - n_t
    assert f"{n_t} taakstellingen en {n_b} budgetten" in text
    for g in huizen.risk.goals:
        d = g.years[max(g.years)]
        assert chance(d.p_met, huizen.study.paths, "nl") in text


def test_singular_where_there_is_one(hilversum):
    text = risk_paragraph(hilversum, "nl")
    assert "kent 1 taakstelling:" in text
    en = risk_paragraph(hilversum, "en")
    assert "has 1 savings target:" in en


def test_the_register_line_is_the_product_of_its_shown_figures(hilversum):
    text = risk_paragraph(hilversum, "nl")
    m = re.search(r"kans ([\d,]+)% × maximaal gevolg € ([\d.]+) = € ([\d.]+)", text)
    assert m, text
    p = float(m.group(1).replace(",", ".")) / 100
    worst, line = int(m.group(2).replace(".", "")), int(m.group(3).replace(".", ""))
    assert abs(line - p * worst) <= 0.5 + 1e-6  # the euro the product rounds to
    head = hilversum.risk.headline
    shown, value = shown_chance(1 - head.p_met, "nl")
    assert shown == m.group(1) + "%" and value == pytest.approx(p)
    assert worst == shown_money(head.max_consequence)


def test_beheersmaatregelen_name_a_measure_and_an_amount(hilversum):
    text = risk_paragraph(hilversum, "nl")
    block = next(b for b in text.split("\n\n") if b.startswith("Beheersmaatregel"))
    names = {m.name for m in hilversum.contributions.measures}
    assert any(name in block for name in names)
    assert re.search(r"naar verwachting € [\d.]+ meer besparing", block)


def test_bounds_in_words_never_signs(huizen):
    for lang, words in (("nl", ("kleiner dan", "groter dan")), ("en", ("below", "above"))):
        assert chance(0.0, 2000, lang).startswith(words[0]) and chance(1.0, 2000, lang).startswith(words[1])
        text = risk_paragraph(huizen, lang)
        assert not re.search(r"is [<>] ", text)


def test_the_dutch_report_has_no_code_words_and_an_appendix(hilversum):
    page = to_html(hilversum, "nl")
    text = re.sub(r"<[^>]+>", " ", page)
    for code in ("all@", "base_year", "pert(", "sum alone", "interaction loss", "lam=", " seed "):
        assert code not in text, code
    assert "Bijlage: bronnen en aannames" in text
    rows = source_rows(hilversum.study.scenario)
    import html

    plain = html.unescape(page)
    assert len(rows) > 10 and sum(r.source[:60] in plain for r in rows) == len(rows)
    assert len(assumptions(hilversum.study.scenario)) < len(rows)
    assert page.count('<svg role="img"') == 5 and "Verdeling van de uitkomst" in page
    assert "@page" in page and "size:A4" in page and "counter(pages)" in page
