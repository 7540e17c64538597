"""Pictures of monitoring and choice: the forecast over reporting moments, cost against chance.

Greyscale like the report's other plots (:mod:`simulator.report.plots`): lines told apart by
style and marker, error bars for the Monte Carlo error.
"""

from __future__ import annotations

import numpy as np

from simulator.report.plots import GREYS, _money_axis, _plt


def monitor_chart(track: dict, lang: str = "nl"):
    """P(met) with its 95% error bar (left) and reserve at 90% and median savings (right) per moment."""
    plt = _plt()
    rows = track["moments"]
    labels = ["plan" if r["moment"] == "plan" else r["moment"] for r in rows]
    x = np.arange(len(rows))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
    if all("p_met" in r for r in rows):
        p = np.array([100 * r["p_met"] for r in rows])
        e = np.array([196 * r["p_met_se"] for r in rows])
        a1.errorbar(x, p, yerr=e, color=GREYS["ink"], marker="o", capsize=3, lw=1.5)
        a1.set_ylim(0, 100)
        a1.set_ylabel("kans taakstelling gehaald (%)" if lang == "nl" else "P(target met) (%)")
    a1.set_xticks(x, labels, rotation=20, fontsize=8)
    med = np.array([r["median_savings"] for r in rows])
    med_err = np.array([[r["median_savings"] - r["median_savings_interval"][0],
                         r["median_savings_interval"][1] - r["median_savings"]] for r in rows]).T
    a2.errorbar(x, med, yerr=med_err, color=GREYS["ink"], marker="D", ls="-", capsize=3,
                label="mediaan besparing" if lang == "nl" else "median savings")
    if all("reserve" in r for r in rows):
        res = np.array([r["reserve"] for r in rows])
        res_err = np.array([[r["reserve"] - r["reserve_interval"][0], r["reserve_interval"][1] - r["reserve"]]
                            for r in rows]).T
        a2.errorbar(x, res, yerr=np.maximum(res_err, 0), color=GREYS["mid"], marker="s", ls="--", capsize=3,
                    label="benodigde reserve (90%)" if lang == "nl" else "reserve needed (90%)")
    a2.set_xticks(x, labels, rotation=20, fontsize=8)
    a2.legend(frameon=False, fontsize=8)
    _money_axis(a2, lang)
    fig.suptitle((f"Prognose {rows[0]['year']} per rapportagemoment" if lang == "nl"
                  else f"Forecast for {rows[0]['year']} at each reporting moment"), fontsize=10)
    fig.tight_layout()
    return fig


def pareto_chart(result: dict, lang: str = "nl"):
    """Expected implementation cost against P(every goal met), the front as a step line."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    front = result["pareto"]
    if front:
        c = np.array([p["cost"] for p in front])
        p = np.array([100 * p["p_every_goal"] for p in front])
        e = np.array([196 * p["p_every_goal_se"] for p in front])
        ax.step(c, p, where="post", color=GREYS["mid"], lw=1)
        ax.errorbar(c, p, yerr=e, fmt="o", color=GREYS["ink"], capsize=3)
    ch = result["chosen"]
    ax.plot([ch["cost"]], [100 * ch["p_every_goal"]], marker="*", ms=12, color=GREYS["ink"], ls="none",
            label="gekozen" if lang == "nl" else "chosen")
    plan = next((r for r in result["alternatives"] if r["name"] == "plan"), None)
    if plan is not None:
        ax.plot([plan["cost"]], [100 * plan["p_every_goal"]], marker="s", ms=7, mfc="white", color=GREYS["ink"],
                ls="none", label="plan")
    ax.axvline(result["budget"], color=GREYS["ink"], ls=":", lw=1, label="budget")
    ax.set_ylim(0, 100)
    ax.set_ylabel("kans alle doelen gehaald (%)" if lang == "nl" else "P(every goal met) (%)")
    ax.legend(frameon=False, fontsize=8)
    ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
    _money_axis(ax, lang, "x", "verwachte uitvoeringskosten" if lang == "nl" else "expected implementation cost")
    fig.tight_layout()
    return fig
