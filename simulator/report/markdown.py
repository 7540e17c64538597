"""The report as Markdown with its plots beside it, rendered from
:data:`simulator.report.sections.SECTIONS`."""

from __future__ import annotations

import re
from pathlib import Path

from simulator.i18n import t
from simulator.report.document import Drawn, kpis
from simulator.report.paragraph import risk_paragraph
from simulator.report.sections import (
    SECTIONS,
    Bullets,
    Content,
    Figure,
    KeyFigures,
    Paragraph,
    Renderers,
    TableBlock,
    render_blocks,
)
from simulator.report.tables import Table
from simulator.report.text import cell
from simulator.results.analysis import Findings

#: what Markdown would read as markup in scenario text: the start of an HTML tag or entity,
#: link and image brackets, code backticks, table bars (a name like "<script>" or
#: "[klik](http://...)" must show as written, not act)
_MD_ACTIVE = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)|[\[\]`|\\]")


def inert(text: str) -> str:
    """Scenario text made inert for Markdown, shown as written."""
    return _MD_ACTIVE.sub(lambda m: {"<": "&lt;", "&": "&amp;"}.get(m.group(), "\\" + m.group()), text)


def escape(text: str) -> str:
    """Text for a heading, table cell or list item: inert, and a newline would end the row."""
    return inert(text).replace("\n", " ")


def table(tb: Table, lang: str, n: int) -> str:
    """The whole table, its title as a third-level heading, its note in italics below."""
    cols = tb.columns
    lines = [f"### {escape(tb.title(lang))}", "",
             "| " + " | ".join(escape(c.title(lang)) for c in cols) + " |",
             "|" + "|".join(":--" if c.kind == "text" else "--:" for c in cols) + "|"]
    for r in tb.rows:
        lines.append("| " + " | ".join(escape(cell(r.get(c.key), c.kind, lang, n)) for c in cols) + " |")
    if tb.note(lang):
        lines += ["", f"*{escape(tb.note(lang))}*"]
    return "\n".join(lines) + "\n"


def _key_figures(block: KeyFigures, c: Content) -> list[str]:
    return [*(f"- **{escape(k)}**: {escape(v)}" for k, v in kpis(c.findings, c.lang)), ""]


def _paragraph(block: Paragraph, c: Content) -> list[str]:
    return [inert(risk_paragraph(c.findings, c.lang))]  # ends with a newline: a blank line follows


def _table(block: TableBlock, c: Content) -> list[str]:
    return [table(c.tables[block.table], c.lang, c.paths)]


def _bullets(block: Bullets, c: Content) -> list[str]:
    return [*(f"- {escape(x)}" for x in block.lines(c.findings, c.lang)), ""]


def to_markdown(f: Findings, lang: str, image_dir: str, ahead: Drawn | None = None) -> tuple[str, dict[str, bytes]]:
    """The Markdown text and the images it links to (``image_dir/<name>.png``); ``ahead``: pictures
    :func:`~simulator.report.document.draw_ahead` drew."""
    c = Content.of(f, lang, "png", ahead)
    s = f.study.scenario

    def figure(block: Figure, c: Content) -> list[str]:
        return [f"![{t(block.alt, lang)}]({image_dir}/{block.name}.png)\n"]

    render: Renderers = {KeyFigures: _key_figures, Paragraph: _paragraph, Figure: figure, TableBlock: _table,
                         Bullets: _bullets}
    parts = [f"# {t('report.title', lang)}: {escape(s.name)}", "",
             f"{escape(s.region)}. {c.meta(Path(s.file).name)}", ""]
    for section in SECTIONS:
        parts += [f"## {section.title(lang)}", "", *render_blocks(section, c, render)]
    return "\n".join(parts), c.images
