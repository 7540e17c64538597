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
from simulator.report.text import money, number, t
from simulator.results.analysis import Findings
from simulator.results.summary import goals
from simulator.results.waterfall import WaterfallStep, growth_pressure

if TYPE_CHECKING:
    from simulator.results.variants import VariantResult

GREYS = {"band95": "0.85", "band80": "0.65", "ink": "0.0", "mid": "0.45", "light": "0.8"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "font.family": "DejaVu Sans"})
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
    ax.fill_between(years, q[:, 0], q[:, 4], color=GREYS["band95"], label="P5-P95", linewidth=0)
    ax.fill_between(years, q[:, 1], q[:, 3], color=GREYS["band80"], label="P10-P90", linewidth=0)
    ax.plot(years, q[:, 2], color=GREYS["ink"], lw=2, marker="o", ms=4, label="P50")
    if target is not None:
        ax.plot(years, target, color=GREYS["ink"], lw=1.5, ls="--", marker="s", ms=4,
                label=t("plot.target", lang))
    if g is None or (g.kind == "target" and g.basis == "counterfactual" and not g.booked
                     and g.scope.split("@")[0] == "all"):
        ax.plot(years, [f.plan[y] for y in years], color=GREYS["mid"], lw=1.5, ls=":", marker="^", ms=4,
                label="plan")
    ax.axhline(0, color=GREYS["mid"], lw=0.6)
    ax.set_xticks(years)
    _money_axis(ax, lang)
    ax.set_title(textwrap.fill(_what(f, lang), 75), loc="left", fontsize=10)
    ax.legend(frameon=False, fontsize=8, ncol=5, loc="upper left", bbox_to_anchor=(0, -0.12))
    fig.tight_layout()
    return fig


def s_curve(f: Findings, lang: str = "nl"):
    """The distribution (CDF) in the study year, with the target and P(target met) marked."""
    plt = _plt()
    y = f.study.year
    g = _headline_goal(f)
    values = g.measured[y] if g is not None and g.kind == "target" and y in g.measured else f.study.net
    xs = np.sort(values)
    ps = np.arange(1, xs.size + 1) / xs.size
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    ax.plot(xs, ps, color=GREYS["ink"], lw=2)
    head = f.risk.headline
    if head is not None and head.kind == "target":
        amount = head.amount
        ax.axvline(amount, color=GREYS["ink"], ls="--", lw=1.2)
        p = head.p_met
        text = t("plot.s_note", lang).format(amount=money(amount, lang), p=round(100 * p))
        ax.annotate(text, xy=(amount, 1 - p), xytext=(8, -4), textcoords="offset points", fontsize=8,
                    va="top", bbox={"fc": "white", "ec": GREYS["mid"], "lw": 0.5})
        ax.plot([amount], [1 - p], marker="o", color=GREYS["ink"])
    for q, ls in ((0.05, ":"), (0.5, "-."), (0.95, ":")):
        ax.axhline(q, color=GREYS["mid"], lw=0.6, ls=ls)
    ax.set_ylim(0, 1)
    ax.set_ylabel(t("plot.s_axis", lang))
    _money_axis(ax, lang, "x", f"{_what(f, lang)}, {y}")
    fig.tight_layout()
    return fig


def tornado(f: Findings, lang: str = "nl", top: int = 10):
    """The swing of mean savings between each input's P10 and P90 (go and no-go for a
    near-certain go-ahead), largest on top (simulator.results.sensitivity)."""
    plt = _plt()
    rows = [r for r in f.sensitivity if r.swing != 0][:top][::-1]
    fig, ax = plt.subplots(figsize=(7.0, 0.42 * max(len(rows), 3) + 1.0))
    base = float(np.mean(f.study.rerun()))
    label = "label" if lang == "nl" else "label_en"
    names = [(n[:55] + "…") if len(n) > 56 else n for n in (getattr(r, label) for r in rows)]
    for i, r in enumerate(rows):
        lo, hi = r.mean_at_low - base, r.mean_at_high - base
        ax.barh(i, lo, color=GREYS["light"], edgecolor=GREYS["ink"], lw=0.6, hatch="///")
        ax.barh(i, hi, color=GREYS["mid"], edgecolor=GREYS["ink"], lw=0.6)
    ax.axvline(0, color=GREYS["ink"], lw=0.8)
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    _money_axis(ax, lang, "x", t("plot.tornado_axis", lang).format(year=f.study.year))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(fc=GREYS["light"], ec=GREYS["ink"], hatch="///",
                             label=t("plot.at_p10", lang)),
                       Patch(fc=GREYS["mid"], ec=GREYS["ink"], label=t("plot.at_p90", lang))],
              frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    fig.tight_layout()
    return fig


def waterfall(f: Findings, lang: str = "nl"):
    """From the plan through each cause to the P50 result."""
    plt = _plt()
    steps = [s for s in f.waterfall if s.kind == "total" or (s.kind == "step" and abs(s.value) >= 0.5)]
    grown = growth_pressure(f.study)
    pressure = [] if grown is None else [WaterfallStep("growth_pressure", grown, "pressure")]
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    level = 0.0
    for i, s in enumerate(steps):
        v = s.value
        if s.kind == "total":
            ax.bar(i, v, color=GREYS["mid"], edgecolor=GREYS["ink"], lw=0.6)
            level = v
            top = v
        else:
            up = v >= 0
            ax.bar(i, v, bottom=level, color="white" if not up else GREYS["light"], edgecolor=GREYS["ink"],
                   lw=0.6, hatch=None if up else "\\\\\\")
            level += v
            top = max(level, level - v)
        ax.annotate(money(v, lang), (i, top), xytext=(0, 2), textcoords="offset points", ha="center",
                    va="bottom", fontsize=7)
    for s in pressure:  # growth as pressure on spending, beside the chain, never part of it
        x = len(steps) + 0.5
        ax.bar(x, s.value, color="white", edgecolor=GREYS["ink"], lw=0.6, hatch="..")
        ax.annotate(money(s.value, lang), (x, max(s.value, 0)), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7)
    ax.axhline(0, color=GREYS["ink"], lw=0.6)
    ticks = [*range(len(steps)), *[len(steps) + 0.5] * len(pressure)]
    ax.set_xticks(ticks, [waterfall_label(s.step, lang) for s in (*steps, *pressure)], rotation=30,
                  ha="right", fontsize=8)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.08 * (hi - lo))  # room for the value labels
    _money_axis(ax, lang)
    ax.set_title(t("plot.waterfall", lang).format(year=f.study.year), loc="left", fontsize=10, pad=12)
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


def png(fig, dpi: int = 120) -> bytes:
    """The figure as PNG bytes; the figure is closed (a report makes many)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


ALL = {"fan": fan_chart, "s_curve": s_curve, "tornado": tornado, "waterfall": waterfall}
