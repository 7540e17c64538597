"""The report: one self-contained HTML file (plots embedded) or Markdown with plots beside it.

The HTML has no external resources at all (no fonts, scripts or style sheets from the
net): it opens offline, can be mailed as one file and archived with the council proposal.
Wide tables scroll inside their own box, so nothing is cut off on a narrow screen or in print.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from simulator._version import __version__
from simulator.report.paragraph import risk_paragraph
from simulator.report.tables import Table, all_tables, cell, ratio_scale_table
from simulator.report.text import pick
from simulator.report.writers import atomic_write, check_companion, check_output, write_with_folder
from simulator.results.analysis import Findings

_W = {
    "title": ("Risicoanalyse taakstelling", "Risk analysis of the savings target"),
    "paragraph": ("Risicoparagraaf (om over te nemen)", "Risk paragraph (ready to paste)"),
    "answers": ("Kerncijfers", "Key figures"),
    "ranges": ("Bandbreedte per jaar", "Ranges per year"),
    "goals": ("Taakstellingen en budgetten", "Targets and budgets"),
    "contrib": ("Wat levert elke maatregel op?", "What does each measure contribute?"),
    "waterfall": ("Van plan naar uitkomst", "From plan to result"),
    "sens": ("Welke aannames doen ertoe?", "Which assumptions matter?"),
    "inputs": ("Onzekere invoer", "Uncertain inputs"),
    "check": ("Controle op de cijfers van het document", "Check against the document's figures"),
    "method": ("Werkwijze en leeswijzer", "Method and how to read this report"),
    "fan_alt": ("Waaierdiagram: bandbreedte per jaar met de taakstelling", "Fan chart with the target"),
    "s_alt": ("S-curve: kans op hooguit een bedrag, met de taakstelling",
              "S-curve: probability of at most an amount, with the target"),
    "tornado_alt": ("Tornadodiagram van de belangrijkste aannames", "Tornado chart of the leading inputs"),
    "waterfall_alt": ("Watervaldiagram van plan naar P50", "Waterfall from plan to P50"),
    "meta": ("{paths} scenario's, seed {seed}, jaar {year}; extra runs (gevoeligheid, bijdragen) met {aux} "
             "scenario's en dezelfde toevalsgetallen. taaksim {version}, scenariobestand {file} (sha256 {sha}).",
             "{paths} paths, seed {seed}, year {year}; extra runs (sensitivity, contributions) with {aux} paths and "
             "the same random numbers. taaksim {version}, scenario file {file} (sha256 {sha})."),
}

_METHOD = {
    "nl": [
        "Elke onzekere aanname (effect, doorgang, vertraging, kosten, autonome groei) is een kansverdeling. Het "
        "model rekent duizenden mogelijke jaarpaden door; de uitkomsten zijn bandbreedtes, geen puntschattingen.",
        "P5-P95 is het 90%-interval: in 5% van de scenario's is de uitkomst lager dan P5, in 5% hoger dan P95. "
        "P50 is de middelste uitkomst.",
        "Elke kans staat met haar Monte Carlo-fout (standaardfout). Waar geen enkel scenario de grens passeert, "
        "staat de bovengrens volgens de regel van drie (bijvoorbeeld < 0,03% bij 10.000 scenario's).",
        "Benodigde weerstandscapaciteit: het tekort dat met 90% zekerheid niet wordt overschreden. "
        "Weerstandsratio = beschikbare / benodigde weerstandscapaciteit.",
        "Maatregelen die op dezelfde kostenpost ingrijpen, kunnen elkaars besparing niet twee keer halen "
        "(communicerende vaten); het verschil tussen de som van de afzonderlijke maatregelen en het pakket is "
        "het interactieverlies.",
        "Alle vergelijkingen (zonder een maatregel, aanname op P10 of P90) gebruiken dezelfde toevalsgetallen, "
        "zodat verschillen door het model komen en niet door toeval.",
    ],
    "en": [
        "Every uncertain assumption (effect, go-ahead, delay, costs, autonomous growth) is a probability "
        "distribution; the model simulates thousands of year-paths and answers in ranges, not point estimates.",
        "P5-P95 is the 90% range: 5% of the paths end below P5 and 5% above P95. P50 is the median.",
        "Every probability comes with its Monte Carlo (standard) error. Where no path crosses the line, the "
        "rule-of-three upper bound is shown (e.g. < 0.03% with 10,000 paths).",
        "Required reserve (benodigde weerstandscapaciteit): the shortfall not exceeded with 90% certainty. Ratio "
        "= available / required capacity.",
        "Measures acting on the same cost post cannot both save the same euro (communicerende vaten); the sum of "
        "the measures alone minus the package is the interaction loss.",
        "Every comparison (without a measure, an input at its P10 or P90) uses the same random numbers, so "
        "differences come from the model, not from sampling noise.",
    ],
}

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


#: the contributions table is wide: the report shows it as two tables that fit a page
CONTRIB_ALONE = ("name", "published", "plan_value", "p_go_ahead", "standalone_mean", "standalone_p5",
                 "standalone_p50", "standalone_p95")
CONTRIB_PACKAGE = ("name", "marginal_mean", "marginal_p5", "marginal_p95", "loss_no_go", "loss_delay",
                   "loss_cost_overrun", "shortfall_vs_plan")
SENS_KEYS = ("label", "role", "spearman", "p10_value", "p90_value", "swing", "first_order")
SUMMARY_KEYS = ("year", "plan", "mean", "p5", "p50", "p95", "target", "p_target_met", "p_target_met_se",
                "p_within_budget")
GOAL_RANGE = ("goal", "scope", "basis", "year", "amount", "p5", "p50", "p95", "p_met", "p_met_se")
GOAL_RISK = ("goal", "year", "expected_shortfall", "needed_capacity", "needed_low", "needed_high",
             "realisatierisico", "p_all_years")
INPUT_KEYS = ("key", "label", "distribution", "plan", "p10", "p90")


def _w(key: str, lang: str) -> str:
    return pick(_W[key], lang)


def _kpis(f: Findings, lang: str) -> list[tuple[str, str]]:
    """The handful of numbers a reader looks for first."""
    n, y = f.study.paths, f.study.year
    nl = lang == "nl"
    sav = f.summary.savings[y]
    out = [(f"P50 netto besparing {y}" if nl else f"P50 net savings {y}", cell(sav.p50, "eur", lang)),
           ("90%-interval" if nl else "90% range", f"{cell(sav.p5, 'eur', lang)} - {cell(sav.p95, 'eur', lang)}")]
    head = f.risk.headline
    if head:
        if head.kind == "target":
            out.append(("kans taakstelling gehaald" if nl else "P(target met)",
                        cell(head.p_met, "pct", lang, n)
                        + ("" if head.p_met in (0.0, 1.0) else f" ({cell(head.p_met_se, 'se', lang)})")))
        out.append(("benodigde weerstandscapaciteit (90%)" if nl else "required reserve (90%)",
                    cell(head.needed_capacity, "eur", lang)))
        out.append(("gemiddeld tekort" if nl else "mean shortfall", cell(head.mean_shortfall, "eur", lang)))
        if head.capacity is not None:
            word = head.ratio_nl if nl else head.ratio_en
            out.append(("weerstandsratio" if nl else "risk capacity ratio",
                        f"{cell(head.ratio, 'ratio', lang)} ({head.ratio_class}, {word})"))
    pb = f.summary.p_within_budget.get(y)
    if pb is not None:
        out.append(("kans binnen budget" if nl else "P(within budget)", cell(pb, "pct", lang, n)))
    return out


def _check_lines(f: Findings, lang: str) -> list[str]:
    from simulator.results.check import check

    result = check(f.study.scenario)
    c = result.counts()
    n_ok, n_in, n_doc, n_fail = c["reproduced"], c["by construction"], c["document inconsistency"], c["failed"]
    nl = lang == "nl"
    lines = [(f"{n_ok} cijfers van het document gereproduceerd uit zijn eigen onderbouwing, {n_in} gelijk doordat "
              f"het scenario ze overneemt, {n_doc} inconsistenties in het document, {n_fail} afwijkingen." if nl else
              f"{n_ok} document figures reproduced from its own drivers, {n_in} equal by construction, {n_doc} "
              f"inconsistencies within the document, {n_fail} differences.")]
    for x in result.figures:
        if not x.ok:
            lines.append(f"{x.what} {x.year}: {cell(x.published, 'eur', lang)} / "
                         f"{cell(x.computed, 'eur', lang)}: {x.note}")
    return lines


def _images(f: Findings, lang: str) -> dict[str, bytes]:
    from simulator.report import plots

    return {name: plots.png(fn(f, lang)) for name, fn in plots.ALL.items()}


# --- HTML -------------------------------------------------------------------------------


def _html_table(t: Table, lang: str, n: int, keys: tuple[str, ...] | None = None, title: str | None = None,
                note: bool = True) -> str:
    """A table; ``keys`` picks columns, so a wide table can be shown as two that fit a page."""
    cols = t.columns if keys is None else tuple(c for k in keys for c in t.columns if c.key == k)
    head = "".join(f'<th class="{"text" if c.kind == "text" else ""}">{html.escape(c.title(lang))}</th>'
                   for c in cols)
    body = []
    for r in t.rows:
        tds = "".join(f'<td class="{"text" if c.kind == "text" else ""}">'
                      f"{html.escape(cell(r.get(c.key), c.kind, lang, n))}</td>" for c in cols)
        body.append(f"<tr>{tds}</tr>")
    note = f'<p class="note">{html.escape(t.note(lang))}</p>' if t.note(lang) and note else ""
    title = t.title(lang) if title is None else title
    return (f"<h3>{html.escape(title)}</h3><div class=\"scroll\"><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{note}")


def _img(data: bytes, alt: str) -> str:
    b64 = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/png;base64,{b64}" alt="{html.escape(alt)}">'


def to_html(f: Findings, lang: str = "nl") -> str:
    s, st = f.study.scenario, f.study
    n = st.paths
    tables = all_tables(f, lang)
    imgs = _images(f, lang)
    who = s.region + (f", {s.municipality(st.municipality).name}" if st.municipality else "")
    meta = _w("meta", lang).format(paths=cell(n, "int", lang), seed=st.seed, year=st.year,
                                   aux=cell(st.aux_paths, "int", lang), version=__version__,
                                   file=html.escape(Path(s.file).name), sha=s.digest[:12])
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(_w('title', lang))}: {html.escape(s.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(_w('title', lang))}: {html.escape(s.name)}</h1>",
        f'<p class="meta">{html.escape(who)}. {meta}</p>',
        f"<h2>{_w('answers', lang)}</h2><div class=\"kpi\">",
        *(f"<div>{html.escape(k)}<b>{html.escape(v)}</b></div>" for k, v in _kpis(f, lang)),
        "</div>",
        f"<h2>{_w('paragraph', lang)}</h2>",
        f'<div class="paragraph">{html.escape(risk_paragraph(f, lang))}</div>',
        f"<h2>{_w('ranges', lang)}</h2>",
        _img(imgs["fan"], _w("fan_alt", lang)),
        _html_table(tables["summary"], lang, n, SUMMARY_KEYS),
        _img(imgs["s_curve"], _w("s_alt", lang)),
        f"<h2>{_w('goals', lang)}</h2>",
        _html_table(tables["risk"], lang, n, GOAL_RANGE, note=False),
        _html_table(tables["risk"], lang, n, GOAL_RISK,
                    title="Tekort en benodigde weerstandscapaciteit" if lang == "nl" else "Shortfall and reserve"),
        _html_table(ratio_scale_table(), lang, n),
        f"<h2>{_w('contrib', lang)}</h2>",
        _html_table(tables["contributions"], lang, n, CONTRIB_ALONE, note=False),
        _html_table(tables["contributions"], lang, n, CONTRIB_PACKAGE,
                    title="In het pakket" if lang == "nl" else "In the package"),
        f"<h2>{_w('waterfall', lang)}</h2>",
        _img(imgs["waterfall"], _w("waterfall_alt", lang)),
        _html_table(tables["waterfall"], lang, n),
        f"<h2>{_w('sens', lang)}</h2>",
        _img(imgs["tornado"], _w("tornado_alt", lang)),
        _html_table(tables["sensitivity"], lang, n, SENS_KEYS),
        f"<h2>{_w('inputs', lang)}</h2>",
        _html_table(tables["inputs"], lang, n, INPUT_KEYS),
        f"<h2>{_w('check', lang)}</h2>",
        "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in _check_lines(f, lang)) + "</ul>",
        f"<h2>{_w('method', lang)}</h2>",
        "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in _METHOD[lang]) + "</ul>",
        "</body></html>",
    ]
    return "\n".join(parts)


# --- Markdown ---------------------------------------------------------------------------


#: what Markdown would read as markup in scenario text: the start of an HTML tag or entity,
#: link and image brackets, code backticks, table bars (a name like "<script>" or
#: "[klik](http://...)" must show as written, not act)
_MD_ACTIVE = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)|[\[\]`|\\]")


def _md_text(text: str) -> str:
    """Scenario text made inert for Markdown, shown as written."""
    return _MD_ACTIVE.sub(lambda m: {"<": "&lt;", "&": "&amp;"}.get(m.group(), "\\" + m.group()), text)


def _md_escape(text: str) -> str:
    return _md_text(text).replace("\n", " ")


def _md_table(t: Table, lang: str, n: int) -> str:
    cols = t.columns
    lines = [f"### {_md_escape(t.title(lang))}", "",
             "| " + " | ".join(_md_escape(c.title(lang)) for c in cols) + " |",
             "|" + "|".join(":--" if c.kind == "text" else "--:" for c in cols) + "|"]
    for r in t.rows:
        lines.append("| " + " | ".join(_md_escape(cell(r.get(c.key), c.kind, lang, n)) for c in cols) + " |")
    if t.note(lang):
        lines += ["", f"*{_md_escape(t.note(lang))}*"]
    return "\n".join(lines) + "\n"


def to_markdown(f: Findings, lang: str, image_dir: str) -> tuple[str, dict[str, bytes]]:
    """The Markdown text and the images it links to (``image_dir/<name>.png``)."""
    s, st = f.study.scenario, f.study
    n = st.paths
    tables = all_tables(f, lang)
    imgs = _images(f, lang)
    meta = _w("meta", lang).format(paths=cell(n, "int", lang), seed=st.seed, year=st.year,
                                   aux=cell(st.aux_paths, "int", lang), version=__version__,
                                   file=Path(s.file).name, sha=s.digest[:12])

    def img(name, alt):
        return f"![{_w(alt, lang)}]({image_dir}/{name}.png)\n"

    parts = [f"# {_w('title', lang)}: {_md_escape(s.name)}", "", f"{_md_escape(s.region)}. {meta}", "",
             f"## {_w('answers', lang)}", "",
             *(f"- **{_md_escape(k)}**: {_md_escape(v)}" for k, v in _kpis(f, lang)), "",
             f"## {_w('paragraph', lang)}", "", _md_text(risk_paragraph(f, lang)),
             f"## {_w('ranges', lang)}", "", img("fan", "fan_alt"), _md_table(tables["summary"], lang, n),
             img("s_curve", "s_alt"),
             f"## {_w('goals', lang)}", "", _md_table(tables["risk"], lang, n),
             _md_table(ratio_scale_table(), lang, n),
             f"## {_w('contrib', lang)}", "", _md_table(tables["contributions"], lang, n),
             f"## {_w('waterfall', lang)}", "", img("waterfall", "waterfall_alt"),
             _md_table(tables["waterfall"], lang, n),
             f"## {_w('sens', lang)}", "", img("tornado", "tornado_alt"), _md_table(tables["sensitivity"], lang, n),
             f"## {_w('inputs', lang)}", "", _md_table(tables["inputs"], lang, n),
             f"## {_w('check', lang)}", "", *(f"- {_md_escape(x)}" for x in _check_lines(f, lang)), "",
             f"## {_w('method', lang)}", "", *(f"- {x}" for x in _METHOD[lang]), ""]
    return "\n".join(parts), imgs


#: the files ``taaksim report --out`` writes
REPORT_TYPES = (".html", ".md")


def check_report_path(path: str | Path, *, force: bool = False) -> Path:
    """Refuse a report file that cannot be written (see :func:`simulator.report.writers.check_output`),
    and for Markdown a picture folder that is in the way."""
    path = check_output(path, force=force, suffixes=REPORT_TYPES, what="report")
    if path.suffix.lower() == ".md":
        check_companion(path.with_name(path.stem + "_files"), force=force)
    return path


def write_report(f: Findings, path: str | Path, *, lang: str = "nl", force: bool = False) -> list[Path]:
    """Write ``.html`` (self-contained) or ``.md`` (plus ``<name>_files/*.png``); returns the files."""
    path = check_report_path(path, force=force)
    if path.suffix.lower() == ".html":
        text = to_html(f, lang)
        return [atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), force=force)]
    folder = path.stem + "_files"
    text, imgs = to_markdown(f, lang, folder)
    # the text and its pictures together or not at all: a report never shows another run's plots
    return write_with_folder(path, text.encode("utf-8"), folder, {f"{k}.png": v for k, v in imgs.items()},
                             force=force)
