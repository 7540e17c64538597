"""What a report says besides its tables: the key figures, the check against the document, the
method notes and the pictures. :mod:`simulator.report.sections` lays them out once;
:mod:`simulator.report.html` and :mod:`simulator.report.markdown` render that layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from simulator.i18n import t
from simulator.report.text import cell
from simulator.results.analysis import Findings, Study

#: the method notes, in order (catalogue keys method.1 ...)
METHOD = tuple(f"method.{i}" for i in range(1, 7))


def kpis(f: Findings, lang: str) -> list[tuple[str, str]]:
    """The handful of numbers a reader looks for first."""
    n, y = f.study.paths, f.study.year
    assert y is not None, "a Study sets its year"
    nl = lang == "nl"
    sav = f.summary.savings[y]
    out = [(t("kpi.p50", lang).format(year=y), cell(sav.p50, "eur", lang)),
           (t("kpi.range", lang), f"{cell(sav.p5, 'eur', lang)} - {cell(sav.p95, 'eur', lang)}")]
    head = f.risk.headline
    if head:
        goal = f.risk.goal(head.goal)
        out.append((t("kpi.goal", lang).format(goal=head.goal, year=head.year), cell(head.amount, "eur", lang)))
        out.append((t("kpi.basis", lang), goal.basis_in(lang)))
        if head.kind == "target":
            out.append((t("kpi.p_target", lang),
                        cell(head.p_met, "pct", lang, n)
                        + ("" if head.p_met in (0.0, 1.0) else f" ({cell(head.p_met_se, 'se', lang)})")))
        if head.booked > 0:
            out.append((t("kpi.booked", lang).format(year=head.year), cell(head.booked, "eur", lang)))
        out.append((t("kpi.needed", lang), cell(head.needed_capacity, "eur", lang)))
        out.append((t("kpi.shortfall", lang), cell(head.mean_shortfall, "eur", lang)))
    if f.risk.hardest is not None:
        gid, hy = f.risk.hardest
        d = f.risk.goal(gid).years[hy]
        out.append((t("kpi.hardest", lang), f"{gid} {hy}: {cell(d.p_met, 'pct', lang, n)}"))
        out.append((t("kpi.programme", lang), cell(f.risk.programme_reserve, "eur", lang)))
    if head:
        if head.capacity is not None:
            word = head.ratio_nl if nl else head.ratio_en
            out.append((t("kpi.ratio", lang),
                        f"{cell(head.ratio, 'ratio', lang)} ({head.ratio_class}, {word})"))
    pb = f.summary.p_within_budget.get(y)
    if pb is not None:
        out.append((t("kpi.p_budget", lang), cell(pb, "pct", lang, n)))
    return out


def reading_lines(f: Findings, lang: str) -> list[str]:
    """Each goal under every declared reading, one line per reading (none without readings)."""
    n = f.study.paths
    lines = []
    for r in f.readings:
        goals = "; ".join(f"{g.goal} {cell(g.p_all_years, 'pct', lang, n) if g.p_all_years is not None else '-'}"
                          for g in r.goals)
        lines.append(t("report.reading_line", lang).format(
            id=r.id, literal=t("report.literal", lang) if r.literal else "", name=r.name, quote=r.quote,
            goals=goals, reserve=cell(r.programme_reserve, "eur", lang)))
    return lines


def check_lines(f: Findings, lang: str) -> list[str]:
    """The check against the document's figures: the counts, then each figure that differs (in a
    Dutch report without the check's English explanation, which the terminal's ``taaksim check`` gives)."""
    from simulator.results.check import check

    result = check(f.study.scenario)
    c = result.counts()
    lines = [t("report.check_count", lang).format(ok=c["reproduced"], by_construction=c["by construction"],
                                                   doc=c["document inconsistency"], fail=c["failed"])]
    for x in result.figures:
        if not x.ok:
            line = t("report.check_line", lang).format(what=x.what, year=x.year, doc=cell(x.published, "eur", lang),
                                                       model=cell(x.computed, "eur", lang))
            lines.append(line if lang == "nl" else f"{line}: {x.note}")
    return lines


def document_lines(f: Findings, lang: str) -> list[str]:
    """The source documents the scenario cites."""
    from simulator.report.sources import documents

    return [f"{key}: {text}" for key, text in documents(f.study.scenario)]


def images(f: Findings, lang: str, image_format: str = "svg", ahead: Drawn | None = None) -> dict[str, Any]:
    """The pictures by name (see :data:`simulator.report.plots.ALL`): inline SVG text (vector, for
    HTML and PDF), or PNG bytes (Markdown, beside the text). ``ahead``: the pictures
    :func:`draw_ahead` drew, taken as drawn when they show these findings' study in this language
    and format (the rest are drawn here)."""
    from simulator.report import plots

    kept = ahead.pictures if ahead is not None and ahead.fits(f, lang, image_format) else {}
    return {name: kept[name] if name in kept else _image(f, name, lang, image_format) for name in plots.ALL}


def _image(f: Findings, name: str, lang: str, image_format: str) -> Any:
    from simulator.report import plots

    fig = plots.ALL[name](f, lang)
    return plots.png(fig) if image_format == "png" else plots.svg(fig, t(f"report.{ALT[name]}", lang))


#: the pictures that show neither the sensitivity nor the contributions: drawn from the findings
#: so far (:func:`draw_ahead`), while another process computes those
AHEAD = ("fan", "histogram", "s_curve", "waterfall")


@dataclass(frozen=True, slots=True, eq=False)
class Drawn:
    """Pictures :func:`draw_ahead` drew, for the caller to hand to :func:`images` (through the
    report's writer): held by the caller, so a report never sees another's pictures.

    Attributes
    ----------
    study : Study
        The study they show (matched by identity: the findings of one analysis share it).
    lang, image_format : str
        The language and the format ("svg" or "png") they were drawn in.
    pictures : Mapping
        Name -> SVG text or PNG bytes, read-only.
    """

    study: Study
    lang: str
    image_format: str
    pictures: Mapping[str, Any]

    def fits(self, f: Findings, lang: str, image_format: str) -> bool:
        """Whether these are pictures of ``f``'s study in ``lang`` and ``image_format``."""
        return self.study is f.study and self.lang == lang and self.image_format == image_format


def draw_ahead(f: Findings, lang: str, image_format: str = "svg") -> Drawn:
    """Draw the pictures of :data:`AHEAD` for :func:`images` to take: ``f`` may lack the
    sensitivity and the contributions (:func:`simulator.results.analysis.analyse`'s
    ``meanwhile``). The same pictures as drawn later: each is a function of the fields it shows."""
    return Drawn(f.study, lang, image_format,
                 MappingProxyType({name: _image(f, name, lang, image_format) for name in AHEAD}))


#: each picture's accessible title (catalogue key report.<...>)
ALT = {"fan": "fan_alt", "histogram": "hist_alt", "s_curve": "s_alt", "tornado": "tornado_alt",
       "waterfall": "waterfall_alt"}


def method_lines(f: Findings, lang: str) -> list[str]:
    """How the numbers were made and how to read them (the same for every scenario)."""
    return [t(key, lang) for key in METHOD]
