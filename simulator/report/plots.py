"""The four pictures of a report: fan chart, S-curve, tornado and waterfall.

Made for greyscale print: bands in greys, lines told apart by style (solid, dashed,
dotted) and bars by fill and hatch, never by colour alone. matplotlib is imported here
only, with the non-interactive Agg backend, so nothing else pays for it.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

import numpy as np

from simulator.report.paragraph import scope_words, waterfall_label
from simulator.report.text import money, number, pct, t
from simulator.results.analysis import Findings
from simulator.results.summary import goals
from simulator.results.waterfall import WaterfallStep, growth_pressure

if TYPE_CHECKING:
    from simulator.results.variants import VariantResult

#: greys for print; every filled area has at least 3:1 contrast against white (WCAG 1.4.11):
#: 0.55 gives 3.4:1, 0.40 gives 5.7:1 (the relative luminance of grey g is about g**2.2)
GREYS = {"band95": "0.58", "band80": "0.40", "ink": "0.0", "mid": "0.35", "light": "0.58", "dark": "0.30"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "font.family": "DejaVu Sans", "svg.fonttype": "none", "axes.titlelocation": "left",
                         "axes.titlesize": 10, "axes.titleweight": "bold"})
    return plt


def _money_axis(ax, lang: str, axis: str = "y", label: str = "") -> None:
    """Ticks in EUR mln, or in EUR thousands when the axis spans less than 2 mln; the unit
    goes into the axis label."""
    from matplotlib.ticker import FuncFormatter

    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if hi - lo >= 2e6:
        scale, unit, digits = 1e6, "€ mln", 1
    else:
        scale, unit, digits = 1e3, t("plot.thousand", lang), 0
    fmt = FuncFormatter(lambda v, _: number(v / scale, digits, lang))
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(fmt)
    text = f"{label} ({unit})" if label else unit
    # a goal on named posts can be a long label: wrap it rather than let the figure cut it off
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(textwrap.fill(text, 90 if axis == "x" else 45))


def _headline_goal(f: Findings):
    head = f.risk.headline
    if head is None:
        return None
    return next(g for g in goals(f.study.dataset, municipality=f.study.municipality) if g.id == head.goal)


def _what(f: Findings, lang: str) -> str:
    """What the fan chart and S-curve show: the headline target's own quantity."""
    g = _headline_goal(f)
    if g is None or g.kind != "target":
        return t("plot.net", lang)
    scope = scope_words(g.scope, lang, f.study.scenario)
    if g.basis == "base_year":
        year = g.spec.reference_year or f.study.scenario.base_year if g.spec else f.study.scenario.base_year
        return t("plot.below_base", lang).format(scope=scope, year=year)
    if g.basis == "budget":
        return t("plot.below_budget", lang).format(scope=scope)
    return t("plot.scope_net", lang).format(scope=scope)


def fan_chart(f: Findings, lang: str = "nl"):
    """Per year the 90% and 80% ranges and the median, with the target and the plan."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    g = _headline_goal(f)
    if g is not None and g.kind == "target":
        years = sorted(g.amounts)
        q = np.array([np.quantile(g.measured[y], [0.05, 0.10, 0.50, 0.90, 0.95]) for y in years])
        target = [g.amounts[y] for y in years]
    else:
        years = list(f.summary.years)
        q = np.array([[getattr(f.summary.savings[y], k) for k in ("p5", "p10", "p50", "p90", "p95")]
                      for y in years])
        target = None
    ax.fill_between(years, q[:, 0], q[:, 4], color=GREYS["band95"], label="P5-P95", linewidth=0, gid="band-90")
    ax.fill_between(years, q[:, 1], q[:, 3], color=GREYS["band80"], label="P10-P90", linewidth=0, gid="band-80")
    ax.plot(years, q[:, 2], color="white", lw=4, zorder=2)  # a halo: the median reads on both bands
    ax.plot(years, q[:, 2], color=GREYS["ink"], lw=2, marker="o", ms=4, label="P50", zorder=3)
    if target is not None:
        ax.plot(years, target, color=GREYS["ink"], lw=1.5, ls="--", marker="s", ms=4,
                label=t("plot.target", lang))
    if g is None or (g.kind == "target" and g.basis == "counterfactual" and not g.booked
                     and g.scope.split("@")[0] == "all"):
        ax.plot(years, [f.plan[y] for y in years], color=GREYS["mid"], lw=1.5, ls=":", marker="^", ms=4,
                label="plan")
    ax.axhline(0, color=GREYS["mid"], lw=0.6)
    ax.set_xticks(years, [str(y) for y in years])
    _money_axis(ax, lang)
    ax.set_title(textwrap.fill(t("plot.fan_title", lang).format(what=_what(f, lang)), 62))
    ax.legend(frameon=False, fontsize=8, ncol=5, loc="upper left", bbox_to_anchor=(0, -0.12))
    fig.tight_layout()
    return fig


def _pct_axis(ax, lang: str, axis: str = "y") -> None:
    """Probabilities 0-1 as percentages in the language's format ("25%")."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MultipleLocator(0.25))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{number(100 * v, 0, lang)}%"))


def _values(f: Findings):
    """The headline target's own quantity in the study year, per path (else the net savings)."""
    y = f.study.year
    g = _headline_goal(f)
    return g.measured[y] if g is not None and g.kind == "target" and y in g.measured else f.study.net


def s_curve(f: Findings, lang: str = "nl"):
    """The distribution (CDF) in the study year, with the target and P(target met) marked."""
    plt = _plt()
    y = f.study.year
    xs = np.sort(_values(f))
    ps = np.arange(1, xs.size + 1) / xs.size
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    for q, ls in ((0.05, ":"), (0.5, "-."), (0.95, ":")):
        ax.axhline(q, color=GREYS["mid"], lw=0.6, ls=ls)
    ax.plot(xs, ps, color=GREYS["ink"], lw=2)
    head = f.risk.headline
    if head is not None and head.kind == "target":
        amount = head.amount
        ax.axvline(amount, color=GREYS["ink"], ls="--", lw=1.2)
        p = head.p_met
        text = t("plot.s_note", lang).format(amount=money(amount, lang), p=pct(p, lang, f.study.paths))
        ax.plot([amount], [1 - p], marker="o", color=GREYS["ink"])
        # the note sits in the plot's top left corner, away from the curve's ends and the axes' labels
        ax.text(0.02, 0.96, text, transform=ax.transAxes, fontsize=8, va="top", ha="left",
                bbox={"fc": "white", "ec": GREYS["mid"], "lw": 0.5})
    ax.set_ylim(0, 1)
    _pct_axis(ax, lang)
    ax.set_ylabel(t("plot.s_axis", lang))
    _money_axis(ax, lang, "x", f"{_what(f, lang)}, {y}")
    ax.set_title(textwrap.fill(t("plot.s_title", lang).format(year=y), 62))
    fig.tight_layout()
    return fig


def histogram(f: Findings, lang: str = "nl"):
    """The headline quantity in the study year: a histogram with the 5/90/5 markers (P5 and P95,
    the share of paths each side) and the mean, standard deviation, minimum and maximum."""
    plt = _plt()
    y = f.study.year
    values = np.asarray(_values(f), dtype=float)
    p5, p95 = np.quantile(values, [0.05, 0.95])
    fig, ax = plt.subplots(figsize=(7.0, 4.4))
    bins = int(min(60, max(12, np.sqrt(values.size))))
    counts, edges = np.histogram(values, bins=bins)
    mids, width = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    inside = (mids >= p5) & (mids <= p95)
    ax.bar(mids[inside], counts[inside], width=width[inside], color=GREYS["band80"], edgecolor="white",
           linewidth=0.3, gid="band-hist-90", label=t("plot.hist_mid", lang))
    ax.bar(mids[~inside], counts[~inside], width=width[~inside], color=GREYS["band95"], edgecolor="white",
           linewidth=0.3, gid="band-hist-tails", label=t("plot.hist_tails", lang))
    top = float(counts.max()) if counts.size else 1.0
    ax.set_ylim(0, top * 1.3)
    for x in (p5, p95):
        ax.axvline(x, color=GREYS["ink"], lw=1.0, ls="--")
    for x, text, ha in ((p5, "5%  ", "right"), ((p5 + p95) / 2, "90%", "center"), (p95, "  5%", "left")):
        ax.text(x, top * 1.2, text, ha=ha, va="center", fontsize=9, fontweight="bold")
    head = f.risk.headline
    if head is not None and head.kind == "target":
        ax.axvline(head.amount, color=GREYS["ink"], lw=1.8, label=t("plot.target", lang))
    sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
    stats = t("plot.hist_stats", lang).format(mean=money(float(values.mean()), lang), sd=money(sd, lang),
                                               min=money(float(values.min()), lang),
                                               max=money(float(values.max()), lang),
                                               p5=money(float(p5), lang), p95=money(float(p95), lang))
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    _money_axis(ax, lang, "x", f"{_what(f, lang)}, {y}")
    ax.set_title(textwrap.fill(t("plot.hist_title", lang).format(year=y), 62))
    # below the axis (whose label may take two lines): the figures left, the legend right
    fig.legend(*ax.get_legend_handles_labels(), frameon=False, fontsize=8, ncol=1, loc="lower right",
               bbox_to_anchor=(0.99, 0.0))
    fig.text(0.01, 0.02, stats, fontsize=8, ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.17, 1, 1))
    return fig


def _wrap(label: str, width: int = 38, lines: int = 2) -> str:
    """A long label on at most ``lines`` lines, never cut mid-word; beyond that an ellipsis."""
    parts = textwrap.wrap(label, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def tornado(f: Findings, lang: str = "nl", top: int = 10):
    """The swing of mean savings between each input's P10 and P90 (go and no-go for a
    near-certain go-ahead), largest on top (simulator.results.sensitivity)."""
    plt = _plt()
    rows = [r for r in f.sensitivity if r.swing != 0][:top][::-1]
    fig, ax = plt.subplots(figsize=(7.0, 0.5 * max(len(rows), 3) + 1.4))
    base = float(np.mean(f.study.rerun(f.study.swing_paths)))
    label = "label" if lang == "nl" else "label_en"
    names = [_wrap(getattr(r, label)) for r in rows]
    for i, r in enumerate(rows):
        lo, hi = r.mean_at_low - base, r.mean_at_high - base
        ax.barh(i, lo, color=GREYS["light"], edgecolor=GREYS["ink"], lw=0.6, hatch="///", gid=f"band-p10-{i}")
        ax.barh(i, hi, color=GREYS["dark"], edgecolor=GREYS["ink"], lw=0.6, gid=f"band-p90-{i}")
    ax.axvline(0, color=GREYS["ink"], lw=0.8)
    ax.set_yticks(range(len(rows)), names, fontsize=7.5)
    _money_axis(ax, lang, "x", t("plot.tornado_axis", lang).format(year=f.study.year))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(fc=GREYS["light"], ec=GREYS["ink"], hatch="///", label=t("plot.at_p10", lang)),
                       Patch(fc=GREYS["dark"], ec=GREYS["ink"], label=t("plot.at_p90", lang))],
              frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.09 - 0.6 / (len(rows) + 3)),
              ncol=2)
    ax.set_title(textwrap.fill(t("plot.tornado_title", lang), 62))
    fig.tight_layout()
    return fig


def waterfall(f: Findings, lang: str = "nl"):
    """From the plan through each cause to the P50 result, as horizontal bars (top to bottom), so
    every step's name has a line of its own instead of crowding under a narrow column."""
    plt = _plt()
    from matplotlib.patches import Patch

    steps = [s for s in f.waterfall if s.kind == "total" or (s.kind == "step" and abs(s.value) >= 0.5)]
    grown = growth_pressure(f.study)
    pressure = [] if grown is None else [WaterfallStep("growth_pressure", grown, "pressure")]
    fig, ax = plt.subplots(figsize=(7.0, 0.42 * (len(steps) + len(pressure)) + 1.6))
    level = 0.0
    for i, s in enumerate(steps):
        v = s.value
        if s.kind == "total":
            ax.barh(i, v, color=GREYS["dark"], edgecolor=GREYS["ink"], lw=0.6, gid=f"band-total-{i}")
            level = v
            right = v
        else:
            up = v >= 0
            ax.barh(i, v, left=level, color=GREYS["light"] if up else "white", edgecolor=GREYS["ink"],
                    lw=0.8, hatch=None if up else "\\\\\\", gid=f"band-step-{i}" if up else None)
            level += v
            right = max(level, level - v)
        # one rounding for every label: to the thousand (millions with one decimal)
        ax.annotate(money(round(v, -3), lang), (right, i), xytext=(4, 0), textcoords="offset points", ha="left",
                    va="center", fontsize=7.5)
    for s in pressure:  # growth as pressure on spending, below the chain, never part of it
        y = len(steps) + 0.5
        ax.barh(y, s.value, color="white", edgecolor=GREYS["ink"], lw=0.6, hatch="..")
        ax.annotate(money(round(s.value, -3), lang), (max(s.value, 0), y), xytext=(4, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=7.5)
    ax.axvline(0, color=GREYS["ink"], lw=0.6)
    ticks = [*range(len(steps)), *[len(steps) + 0.5] * len(pressure)]
    ax.set_yticks(ticks, [_wrap(waterfall_label(s.step, lang), 40, 1) for s in (*steps, *pressure)], fontsize=8)
    ax.invert_yaxis()
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi + 0.16 * (hi - lo))  # room for the value labels
    _money_axis(ax, lang, "x")
    ax.set_title(t("plot.waterfall", lang).format(year=f.study.year))
    ax.legend(handles=[Patch(fc=GREYS["dark"], ec=GREYS["ink"], label=t("plot.wf_total", lang)),
                       Patch(fc=GREYS["light"], ec=GREYS["ink"], label=t("plot.wf_up", lang)),
                       Patch(fc="white", ec=GREYS["ink"], hatch="\\\\\\", label=t("plot.wf_down", lang))],
              frameon=False, fontsize=8, ncol=3, loc="upper center",
              bbox_to_anchor=(0.5, -0.12 - 0.5 / (len(steps) + len(pressure) + 2)))
    fig.tight_layout()
    return fig


def variants_chart(rows: list[VariantResult], year: int, lang: str = "nl"):
    """P5-P95 range and P50 per variant (compare)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 0.45 * len(rows) + 1.2))
    for i, r in enumerate(rows[::-1]):
        ax.plot([r.p5, r.p95], [i, i], color=GREYS["mid"], lw=6, solid_capstyle="butt")
        ax.plot([r.p50], [i], marker="D", color=GREYS["ink"], ms=6)
    ax.set_yticks(range(len(rows)), [r.name for r in rows[::-1]], fontsize=8)
    target = next((r.target for r in rows if r.target is not None), None)
    if target is not None:
        ax.axvline(target, color=GREYS["ink"], ls="--", lw=1, label=t("plot.target", lang))
        ax.legend(frameon=False, fontsize=8)
    _money_axis(ax, lang, "x", t("plot.variants_axis", lang).format(year=year))
    fig.tight_layout()
    return fig


def _layout_done(fig) -> None:
    """Tell savefig that the figure's layout is final (``tight_layout`` placed it).

    ``tight_layout`` leaves a placeholder layout engine behind, and savefig then draws the whole
    figure once more before saving it, only to let that engine (which does nothing) run: a third
    of the time of every picture. Without the engine it draws once; the layout, done, is kept.
    """
    from matplotlib import rcParams
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine) and not (
            rcParams["figure.autolayout"] or rcParams["figure.constrained_layout.use"]):
        fig.set_layout_engine(None)  # with neither rc layout on: no engine at all


def png(fig, dpi: int = 150) -> bytes:
    """The figure as PNG bytes (``compare --plot``); the figure is closed."""
    import matplotlib.pyplot as plt

    _layout_done(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def svg(fig, title: str = "") -> str:
    """The figure as inline SVG: vector, so it prints sharp at any size, with its text kept as
    text (searchable, and the browser test can measure every label). ``title`` becomes the
    SVG's accessible name. The figure is closed."""
    import html
    import re

    import matplotlib.pyplot as plt

    _layout_done(fig)
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "taaksim"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # scale with the page: the viewBox keeps the proportions
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', text, count=1)
    name = html.escape(title)
    text = text.replace("<svg", f'<svg role="img" aria-label="{name}"', 1)
    return text.replace(">", f"><title>{name}</title>", 1) if title else text


ALL = {"fan": fan_chart, "histogram": histogram, "s_curve": s_curve, "tornado": tornado, "waterfall": waterfall}
