"""Line references in the bundled scenarios point at what they quote in the seed text.

Three kinds of reference are verified against the source document (plain text, one PDF line a
line), within a few lines either way because the extraction breaks sentences at page ends:

* a ``source`` or comment that quotes the document, ``(l.1708): 'reductie bij 40% van cliënten'``
  (Rotterdam and Renkum write ``L387``): every part of the quote between ``...`` is on those lines;
* a published row's ``lines``: one of its printed figures is on that line;
* a published figure's ``versions``: its figure, or its quote (or, for a sum of cells, two of
  the cells it quotes), is on its line;
* a parameter whose source is the document and names lines: its value is on one of them.

The seeds are the project's shared source documents (``../shared/seeds`` beside the repository,
``/work/shared/seeds`` on a developer's machine); without them the test is skipped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import pytest

import simulator

ROOT = Path(__file__).resolve().parent.parent
SEED_DIRS = (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds"))
SEEDS = {
    "renkum-2025": "000_4b1f50de4430f62d.txt",
    "gooi-en-vechtstreek-2021": "001_18bb3ec9ef15243b.txt",
    "meerinzicht-2026": "002_953c28d0fbb25828.txt",
    "rotterdam-2024": "003_a91b9e55869584ef.txt",
    "huizen-2022": "004_404811dad634928b.txt",
}
SLACK = 3  # lines either way: a sentence or a table row split by the extraction
REF = re.compile(r"\b[lL]\.?(\d{1,5})(?:\s*-\s*[lL]?\.?(\d{1,5}))?\)?\s*:\s*'([^']{4,}?)'")


def _seed(stem: str) -> list[str]:
    for d in SEED_DIRS:
        path = d / SEEDS[stem]
        if path.is_file():
            return path.read_text(encoding="utf-8").splitlines()
    pytest.skip(f"seed text {SEEDS[stem]} not available")


def _norm(text: str) -> str:
    """Compare without layout: the extraction adds and drops spaces and hyphens at will."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\s\-]+", "", text).lower()


def _window(seed: list[str], first: int, last: int) -> str:
    return _norm(" ".join(seed[max(0, first - 1 - SLACK): last + SLACK]))


def _printed(value: float) -> set[str]:
    """How a figure can stand in a Dutch document: 813.041, 813041, 12,8 (signs dropped)."""
    v = abs(value)
    if v == int(v):
        n = int(v)
        return {f"{n:,}".replace(",", "."), str(n)}
    return {f"{v:.1f}".replace(".", ","), f"{v:.2f}".replace(".", ",")}


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_quoted_line_references_point_at_the_quote(stem):
    seed = _seed(stem)
    text = (ROOT / "scenarios" / f"{stem}.toml").read_text(encoding="utf-8")
    wrong = []
    for m in REF.finditer(text):
        first = int(m.group(1))
        last = max(first, int(m.group(2) or first))
        parts = [_norm(p) for p in re.split(r"\.\.\.|\u2026", m.group(3)) if len(_norm(p)) >= 4]
        window = _window(seed, first, last)
        if parts and not all(p in window for p in parts):
            wrong.append(f"l.{first}-{last}: '{m.group(3)[:70]}'")
    assert not wrong, f"{stem}: quotes not on their lines (+-{SLACK}):\n" + "\n".join(wrong)


def _published_rows(scenario):
    for m in scenario.measures:
        yield f"measure {m.id}", m.published
    totals = scenario.published_totals
    yield "total", totals.total
    for law, pub in totals.by_law.items():
        yield f"total {law}", pub
    for name, group in totals.groups.items():
        yield f"group {name}", group.published


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_published_lines_and_versions_point_at_their_figures(stem):
    seed = _seed(stem)
    scenario = simulator.load(ROOT / "scenarios" / f"{stem}.toml")
    wrong = []
    for what, pub in _published_rows(scenario):
        for field, line in pub.lines.items():
            window = _window(seed, line, line)
            values = [v for v in getattr(pub, field).values() if v]
            if values and not any(_norm(s) in window for v in values for s in _printed(v)):
                wrong.append(f"{what} {field}: l.{line} holds none of {values}")
        for v in pub.versions:
            if v.line is None:
                continue
            window = _window(seed, v.line, v.line)
            quote_parts = [_norm(p) for p in re.split(r"\.\.\.|\u2026|\(|:|;", v.quote) if len(_norm(p)) >= 8]
            by_value = v.value != 0 and any(_norm(s) in window for s in _printed(v.value))
            by_quote = bool(quote_parts) and quote_parts[0] in window
            # a sum of cells (a per-municipality total): the signed cells it quotes stand on those lines
            cells = re.findall(r"-\d+|\b\d{2,}\b", v.quote.split("(")[0].replace("cells", ""))
            by_quote = by_quote or (len(cells) >= 2 and sum(_norm(c) in window for c in cells) >= 2)
            if not (by_value or by_quote):
                wrong.append(f"{what} {v.field} {v.year} [{v.version}]: l.{v.line} holds neither "
                             f"{v.value:g} nor '{v.quote[:50]}'")
    assert not wrong, f"{stem}:\n" + "\n".join(wrong)


RANGE = re.compile(r"\b[lL]\.?(\d{1,5})(?:\s*-\s*[lL]?\.?(\d{1,5}))?")


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_a_printed_parameter_stands_on_one_of_its_lines(stem):
    # a parameter whose source is the document (not "assumption: ...") and names lines: its value,
    # as printed (in euro, or in the document's unit such as x 1.000), is on one of them
    seed = _seed(stem)
    data = tomllib.loads((ROOT / "scenarios" / f"{stem}.toml").read_text(encoding="utf-8"))
    unit = data.get("published", {}).get("unit", 1)
    wrong = []
    for name, p in data.get("parameters", {}).items():
        if not isinstance(p, dict) or isinstance(p.get("value"), bool) or not isinstance(p.get("value"), int | float):
            continue
        source = p.get("source", "")
        refs = [(int(a), max(int(a), int(b or a))) for a, b in RANGE.findall(source)]
        if source.startswith("assumption") or not refs:
            continue
        shown = {_norm(s) for v in {p["value"], p["value"] / unit} for s in _printed(v)}
        if not any(s in _window(seed, a, b) for a, b in refs for s in shown):
            wrong.append(f"{name} = {p['value']:g}: not on l.{', l.'.join(f'{a}-{b}' for a, b in refs)}")
    assert not wrong, f"{stem}:\n" + "\n".join(wrong)
