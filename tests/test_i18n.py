"""One catalogue holds every Dutch/English text (simulator.i18n.TEXT): each key a reader's text
asks for exists, in both languages."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from simulator.i18n import TEXT, pick, t
from simulator.report.sections import SECTIONS, Figure, TableBlock
from simulator.report.tables import Column

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"


def _literal_keys() -> set[str]:
    """Keys passed as a plain string to t(...) or pair(...) anywhere in the package (and to the
    paragraph's _t(...), which adds "para.")."""
    prefix = {"t": "", "pair": "", "_t": "para."}
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in prefix
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                keys.add(prefix[node.func.id] + node.args[0].value)
    return keys


def test_every_key_the_code_asks_for_is_in_the_catalogue():
    keys = _literal_keys()
    assert len(keys) > 40
    assert sorted(keys - TEXT.keys()) == []


def test_every_entry_has_both_languages_with_the_same_fields():
    for key, (nl, en) in TEXT.items():
        assert nl and en, key
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (nl, en)]
        assert fields[0] == fields[1], key


def test_the_report_layout_names_only_catalogue_texts():
    for section in SECTIONS:
        assert f"report.{section.key}" in TEXT
        for block in section.blocks:
            if isinstance(block, Figure):
                assert block.alt in TEXT
            if isinstance(block, TableBlock):
                assert f"table.{block.table}" in TEXT
                assert all(v.title in TEXT for v in block.views if v.title)


def test_pick_and_t_choose_dutch_first():
    assert pick(("a", "b"), "nl") == "a" and pick(("a", "b"), "en") == "b"
    assert t("step.p50", "nl") == "resultaat (P50)"
    assert Column("year", "text").title("en") == "year"
