"""The report as one self-contained HTML file (plots embedded), rendered from
:data:`simulator.report.sections.SECTIONS`.

The HTML has no external resources at all (no fonts, scripts or style sheets from the
net): it opens offline, can be mailed as one file and archived with the council proposal.
Wide tables scroll inside their own box, so nothing is cut off on a narrow screen or in print.
"""

from __future__ import annotations

import html
from pathlib import Path

from simulator._version import __version__
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
)
from simulator.report.tables import Table
from simulator.report.text import cell
from simulator.results.analysis import Findings


def table(tb: Table, lang: str, n: int, keys: tuple[str, ...] | None = None, title: str | None = None,
          note: bool = True) -> str:
    """A table; ``keys`` picks columns, so a wide table can be shown as two that fit a page."""
    cols = tb.columns if keys is None else tuple(c for k in keys for c in tb.columns if c.key == k)
    head = "".join(f'<th class="{"text" if c.kind == "text" else ""}">{html.escape(c.title(lang))}</th>'
                   for c in cols)
    body = []
    for r in tb.rows:
        tds = "".join(f'<td class="{"text" if c.kind == "text" else ""}">'
                      f"{html.escape(cell(r.get(c.key), c.kind, lang, n))}</td>" for c in cols)
        body.append(f"<tr>{tds}</tr>")
    text = f'<p class="note">{html.escape(tb.note(lang))}</p>' if tb.note(lang) and note else ""
    title = tb.title(lang) if title is None else title
    return (f"<h3>{html.escape(title)}</h3><div class=\"scroll\"><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{text}")


def _key_figures(block: KeyFigures, c: Content) -> list[str]:
    return ['<div class="kpi">', *(f"<div>{html.escape(k)}<b>{html.escape(v)}</b></div>"
                                   for k, v in kpis(c.findings, c.lang)), "</div>"]


def _paragraph(block: Paragraph, c: Content) -> list[str]:
    return [f'<div class="paragraph">{html.escape(risk_paragraph(c.findings, c.lang))}</div>']


def _figure(block: Figure, c: Content) -> list[str]:
    """The picture as inline SVG (vector: sharp on screen and in print, its text searchable)."""
    return [f'<figure>{c.images[block.name]}<figcaption>{html.escape(t(block.alt, c.lang))}</figcaption></figure>']


def _table(block: TableBlock, c: Content) -> list[str]:
    tb = c.tables[block.table]
    if not block.views:
        return [table(tb, c.lang, c.paths)]
    return [table(tb, c.lang, c.paths, v.keys, t(v.title, c.lang) if v.title else None, v.note)
            for v in block.views]


def _bullets(block: Bullets, c: Content) -> list[str]:
    return ["<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in block.lines(c.findings, c.lang)) + "</ul>"]


RENDER: Renderers = {KeyFigures: _key_figures, Paragraph: _paragraph, Figure: _figure, TableBlock: _table,
                     Bullets: _bullets}


def _css_string(text: str) -> str:
    """Text for a CSS string in the page margins (quotes and backslashes escaped)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def to_html(f: Findings, lang: str = "nl", ahead: Drawn | None = None) -> str:
    """The whole report as one HTML page, from the Jinja2 template ``templates/report.html.j2``:
    the sections of :data:`~simulator.report.sections.SECTIONS`, the screen style, and an A4 print
    style whose page margins carry the title, the page number, the date, the scenario's hash and
    taaksim's version. ``ahead``: pictures :func:`~simulator.report.document.draw_ahead` drew."""
    import datetime

    from jinja2 import Environment, PackageLoader, select_autoescape

    c = Content.of(f, lang, ahead=ahead)
    s, st = f.study.scenario, f.study
    who = s.region + (f", {s.municipality(st.municipality).name}" if st.municipality else "")
    title = t("report.title", lang)
    footer = t("report.footer", lang).format(sha=s.digest[:12], version=__version__,
                                             date=datetime.date.today().strftime("%d-%m-%Y" if lang == "nl"
                                                                                 else "%Y-%m-%d"))
    sections = []
    for section in SECTIONS:
        blocks = ["".join(RENDER[type(b)](b, c)) for b in section.blocks]
        sections.append({"key": section.key, "title": section.title(lang), "first": blocks[0], "rest": blocks[1:]})
    env = Environment(loader=PackageLoader("simulator.report", "templates"), autoescape=select_autoescape(["j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(
        lang=lang, title=title, name=s.name, who=who, meta=c.meta(Path(s.file).name), footer=footer,
        css_title=_css_string(f"{title}: {s.name}"[:110]), css_footer=_css_string(footer),
        page_word=_css_string(t("report.page", lang)), of_word=_css_string(t("report.of", lang)),
        sections=sections)
