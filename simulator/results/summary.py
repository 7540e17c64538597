"""From a simulated Dataset to the figures a strategist reads.

Every probability comes with its Monte Carlo standard error, sqrt(p (1 - p) / n), and every
percentile of savings with a distribution-free 95% interval from order statistics
(``savings_interval``), so a reader can see how much of a figure is sampling noise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from simulator.core.stats import QUANTILES, probability_se, quantile_interval


@dataclass(frozen=True, slots=True)
class Goal:
    """A target or budget seen per year: the amounts and, per path, whether it holds."""

    id: str
    kind: str  # "target" | "budget"
    scope: str
    amounts: dict[int, float]
    holds: dict[int, np.ndarray]  # year -> bool per path
    measured: dict[int, np.ndarray]  # year -> what is judged per path (savings or spending)
    against: str = "baseline"


def _goal(ds, item: dict, kind: str) -> Goal:
    """A target holds when savings (in its scope, on its basis) reach the amount; a budget
    holds when spending in its scope stays at or under it."""
    net = ds["scope_net_savings"].sel(scope=item["scope"])
    base = ds["scope_baseline"].sel(scope=item["scope"])
    against = item.get("against", "baseline")
    holds, amounts, measured = {}, {}, {}
    for y, a in item["amounts"].items():
        y = int(y)
        saved = net.sel(year=y).values
        spending = base.sel(year=y).values - saved
        if kind == "budget":
            value, ok = spending, spending <= a
        else:
            # against base_year: base-year spending minus spending this year
            value = item["base_year_spending"] - spending if against == "base_year" else saved
            ok = value >= a
        holds[y], amounts[y], measured[y] = ok, a, value
    return Goal(item["id"], kind, item["scope"], amounts, holds, measured, against)


def goals(ds, *, municipality: str | None = None) -> list[Goal]:
    """Targets and budgets of the region (or one municipality), evaluated per path."""
    return [_goal(ds, item, kind)
            for kind, key in (("target", "targets"), ("budget", "budgets"))
            for item in json.loads(ds.attrs.get(key, "[]"))
            if item.get("municipality") == municipality]


def goal_year(g: Goal, y: int, n: int) -> dict:
    """One goal in one year: its amount, P(met) with standard error, and the QUANTILES of
    what it measures (summaries and risk figures both start from these)."""
    p = float(g.holds[y].mean())
    q = np.quantile(g.measured[y], list(QUANTILES.values()))
    return {"amount": g.amounts[y], "p": p, "se": probability_se(p, n),
            **{k: float(v) for k, v in zip(QUANTILES, q, strict=True)}}


def all_years(g: Goal):
    """Per path: the goal holds in every one of its years (None for a goal without years)."""
    return np.logical_and.reduce([g.holds[y] for y in g.amounts]) if g.amounts else None


def headline_scope(ds, municipality: str | None) -> str:
    label = "all" + (f"@{municipality}" if municipality else "")
    if label not in ds["scope"].values:
        known = sorted(json.loads(ds.attrs.get("municipalities", "{}")))
        raise KeyError(f"unknown municipality {municipality!r}; known: {', '.join(known) or 'none'}")
    return label


def savings_of(ds, municipality: str | None = None):
    """Net savings (path, year) of the region or of one municipality (its share)."""
    return ds["scope_net_savings"].sel(scope=headline_scope(ds, municipality))


def summarise_years(ds, *, municipality: str | None = None) -> dict:
    """The figures of ``taaksim run``: per year the savings distribution, target, P(met).

    The headline target is the first declared target of the region (or municipality); the
    budget probability is that of every declared budget holding together in that year.
    """
    net = savings_of(ds, municipality)
    n = int(net.sizes["path"])
    years = [int(y) for y in ds["year"].values]
    values = net.values  # (path, year)
    qs = np.quantile(values, list(QUANTILES.values()), axis=0)
    gs = goals(ds, municipality=municipality)
    targets = [g for g in gs if g.kind == "target"]
    budgets = [g for g in gs if g.kind == "budget"]
    out = {"years": years, "paths": n, "savings": {}, "savings_interval": {}, "target": {}, "p_target_met": {},
           "p_target_met_se": {}, "p_within_budget": {}, "p_within_budget_se": {}, "goals": []}
    for j, y in enumerate(years):
        col = values[:, j]
        out["savings"][str(y)] = {
            "mean": float(col.mean()),
            **{k: float(qs[i, j]) for i, k in enumerate(QUANTILES)},
            "mean_se": float(col.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
        }
        out["savings_interval"][str(y)] = {k: quantile_interval(col, q) for k, q in QUANTILES.items()}
        head = targets[0] if targets else None
        if head is not None and y in head.amounts:
            p = float(head.holds[y].mean())
            out["target"][str(y)] = head.amounts[y]
            out["p_target_met"][str(y)] = p
            out["p_target_met_se"][str(y)] = probability_se(p, n)
        else:
            out["target"][str(y)] = None
            out["p_target_met"][str(y)] = None
            out["p_target_met_se"][str(y)] = None
        in_year = [b for b in budgets if y in b.amounts]
        if in_year:
            ok = np.logical_and.reduce([b.holds[y] for b in in_year])
            p = float(ok.mean())
            out["p_within_budget"][str(y)] = p
            out["p_within_budget_se"][str(y)] = probability_se(p, n)
        else:
            out["p_within_budget"][str(y)] = None
            out["p_within_budget_se"][str(y)] = None
    for g in gs:
        per_year = {}
        for y in sorted(g.amounts):
            stats = goal_year(g, y, n)
            per_year[str(y)] = {k: stats[k] for k in ("amount", "p", "se", "p5", "p50", "p95")}
        together = all_years(g)
        out["goals"].append({
            "id": g.id, "kind": g.kind, "scope": g.scope, "against": g.against, "years": per_year,
            "p_all_years": float(together.mean()) if together is not None else None,
        })
    return out


def summary_frame(ds, *, municipality: str | None = None):
    """Per-year summary as a pandas DataFrame (index: year)."""
    return frame_of(summarise_years(ds, municipality=municipality))


def frame_of(s: dict):
    """A summary dict (from a Dataset or a streamed run) as a DataFrame, one row per year."""
    import pandas as pd

    rows = []
    for y in s["years"]:
        row = {"year": y, **s["savings"][str(y)]}
        row["target"] = s["target"][str(y)]
        row["p_target_met"] = s["p_target_met"][str(y)]
        row["p_within_budget"] = s["p_within_budget"][str(y)]
        rows.append(row)
    return pd.DataFrame(rows).set_index("year")
