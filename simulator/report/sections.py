"""The report's layout, once: an ordered list of sections, each a heading and its blocks.

:mod:`simulator.report.html` and :mod:`simulator.report.markdown` render this one list, so the
two reports cannot drift apart. A block says what to show (key figures, the risk paragraph, a
picture, a table, a list of lines); a renderer decides how. The one difference in layout is
wide tables: HTML shows a table's ``views`` (column subsets that fit a page), Markdown the whole
table, since a Markdown reader scrolls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator._version import __version__
from simulator.i18n import t
from simulator.report.document import Drawn, check_lines, document_lines, images, method_lines, reading_lines
from simulator.report.tables import Table, all_tables, ratio_scale_table
from simulator.report.text import cell
from simulator.results.analysis import Findings

#: the contributions table is wide: the HTML report shows it as two tables that fit a page
CONTRIB_ALONE = ("name", "published", "plan_value", "p_go_ahead", "standalone_mean", "standalone_p5",
                 "standalone_p50", "standalone_p95")
CONTRIB_PACKAGE = ("name", "marginal_mean", "marginal_p5", "marginal_p95", "loss_no_go", "loss_delay",
                   "loss_cost_overrun", "shortfall_vs_plan")
SENS_KEYS = ("label", "role", "spearman", "p10_value", "p90_value", "swing", "first_order")
SUMMARY_KEYS = ("year", "plan", "mean", "p5", "p50", "p95", "target", "p_target_met", "p_target_met_se",
                "p_within_budget")
GOAL_RANGE = ("goal", "scope", "basis", "year", "amount", "p5", "p50", "p95", "p_met", "p_met_se")
GOAL_RISK = ("goal", "year", "booked", "expected_shortfall", "needed_capacity", "needed_low", "needed_high",
             "realisatierisico", "p_all_years")
INPUT_KEYS = ("key", "label", "distribution", "plan", "p10", "p90")


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """The handful of numbers a reader looks for first (:func:`simulator.report.document.kpis`)."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """The risk paragraph, ready to paste (:func:`simulator.report.paragraph.risk_paragraph`)."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture: ``name`` in :data:`simulator.report.plots.ALL`, ``alt`` the catalogue key of its text."""

    name: str
    alt: str


@dataclass(frozen=True, slots=True)
class View:
    """Some columns of a table, shown as a table of their own (HTML)."""

    keys: tuple[str, ...]
    title: str = ""  # catalogue key; "" keeps the table's own title
    note: bool = True


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table by its sheet name; ``views`` for HTML (empty: the whole table)."""

    table: str
    views: tuple[View, ...] = ()


@dataclass(frozen=True, slots=True)
class Bullets:
    """A list of lines, from ``lines(findings, lang)``."""

    lines: Callable[[Findings, str], list[str]]


Block = KeyFigures | Paragraph | Figure | TableBlock | Bullets


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (catalogue key ``report.<key>``) and what follows it."""

    key: str
    blocks: tuple[Block, ...]

    def title(self, lang: str) -> str:
        return t(f"report.{self.key}", lang)


SECTIONS = (
    Section("answers", (KeyFigures(),)),
    Section("paragraph", (Paragraph(),)),
    Section("ranges", (Figure("fan", "report.fan_alt"), TableBlock("summary", (View(SUMMARY_KEYS),)),
                       Figure("histogram", "report.hist_alt"), Figure("s_curve", "report.s_alt"))),
    Section("goals", (TableBlock("risk", (View(GOAL_RANGE, note=False), View(GOAL_RISK, "report.risk_split"))),
                      TableBlock("ratio_scale"), Bullets(reading_lines))),
    Section("contrib", (TableBlock("contributions", (View(CONTRIB_ALONE, note=False),
                                                     View(CONTRIB_PACKAGE, "report.in_package"))),)),
    Section("waterfall", (Figure("waterfall", "report.waterfall_alt"), TableBlock("waterfall"))),
    Section("sens", (Figure("tornado", "report.tornado_alt"), TableBlock("sensitivity", (View(SENS_KEYS),)))),
    Section("inputs", (TableBlock("inputs", (View(INPUT_KEYS),)),)),
    Section("check", (Bullets(check_lines),)),
    Section("method", (Bullets(method_lines),)),
    Section("sources", (Bullets(document_lines), TableBlock("sources"))),
)


@dataclass(frozen=True, slots=True)
class Content:
    """What the sections draw on, made once per report: the tables and the pictures."""

    findings: Findings
    lang: str
    tables: dict[str, Table]
    images: dict[str, Any]  # name -> SVG text (HTML, PDF) or PNG bytes (Markdown)

    @classmethod
    def of(cls, f: Findings, lang: str, image_format: str = "svg", ahead: Drawn | None = None) -> Content:
        """``ahead``: pictures :func:`~simulator.report.document.draw_ahead` drew, not drawn again."""
        tables = {**all_tables(f, lang), "ratio_scale": ratio_scale_table()}
        return cls(f, lang, tables, images(f, lang, image_format, ahead))

    @property
    def paths(self) -> int:
        return self.findings.study.paths

    def meta(self, file: str) -> str:
        """The line under the title: paths, seed, year, version and the scenario file (``file``)."""
        st, s = self.findings.study, self.findings.study.scenario
        return t("report.meta", self.lang).format(
            paths=cell(st.paths, "int", self.lang), seed=st.seed, year=st.year,
            aux=cell(st.aux_paths, "int", self.lang), swing=cell(st.swing_paths, "int", self.lang),
            version=__version__, file=file, sha=s.digest[:12])


#: a renderer's functions by block type: ``render(block, content) -> list of text parts``
Renderers = dict[type, Callable[[Any, Content], list[str]]]


def render_blocks(section: Section, content: Content, renderers: Renderers) -> list[str]:
    """The parts of one section's blocks, each block by its renderer."""
    return [part for block in section.blocks for part in renderers[type(block)](block, content)]
