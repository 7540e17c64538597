"""The report as one self-contained HTML file (plots embedded), rendered from
:data:`simulator.report.sections.SECTIONS`.

The HTML has no external resources at all (no fonts, scripts or style sheets from the
net): it opens offline, can be mailed as one file and archived with the council proposal.
Wide tables scroll inside their own box, so nothing is cut off on a narrow screen or in print.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from simulator.i18n import t
from simulator.report.document import kpis
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

_CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#111;max-width:72rem;margin:1.5rem auto;
padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #999;margin-top:2rem}
.meta{color:#444;font-size:.85rem}
.paragraph{border-left:4px solid #555;background:#f3f3f3;padding:.6rem 1rem;white-space:pre-wrap}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.78rem;margin:.4rem 0}
th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:right;vertical-align:top;white-space:nowrap}
td.text,th{white-space:normal}td.text{min-width:8rem;max-width:22rem;overflow-wrap:anywhere}
th{background:#e6e6e6}td.text,th.text{text-align:left}
img{max-width:100%;height:auto;display:block;margin:.6rem 0}
.note{font-size:.8rem;color:#333}
.kpi{display:flex;flex-wrap:wrap;gap:.6rem}.kpi div{border:1px solid #999;padding:.4rem .7rem;min-width:11rem}
.kpi b{display:block;font-size:1.1rem}
@media print{.scroll{overflow:visible}body{max-width:none}}
"""


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
    b64 = base64.b64encode(c.images[block.name]).decode("ascii")
    return [f'<img src="data:image/png;base64,{b64}" alt="{html.escape(t(block.alt, c.lang))}">']


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


def to_html(f: Findings, lang: str = "nl") -> str:
    """The whole report as one HTML page."""
    c = Content.of(f, lang)
    s, st = f.study.scenario, f.study
    who = s.region + (f", {s.municipality(st.municipality).name}" if st.municipality else "")
    title = html.escape(t("report.title", lang))
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}: {html.escape(s.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}: {html.escape(s.name)}</h1>",
        f'<p class="meta">{html.escape(who)}. {c.meta(html.escape(Path(s.file).name))}</p>',
    ]
    for section in SECTIONS:
        body = render_blocks(section, c, RENDER)
        heading = f"<h2>{html.escape(section.title(lang), quote=False)}</h2>"  # text, not an attribute
        if isinstance(section.blocks[0], KeyFigures):
            # the key figures' box opens on the heading's line, as it always has
            heading += body.pop(0)
        parts += [heading, *body]
    parts.append("</body></html>")
    return "\n".join(parts)
