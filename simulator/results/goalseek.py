"""Goal seek: what it takes to meet a goal with a chosen certainty, exact on the simulated paths.

For one goal (target or budget) and year, every path has a *gap* [EUR]: the extra net savings it
would need for the goal to hold (target: amount - savings; budget: spending - ceiling; negative
is room to spare). Then, with weights w (equal for a plain run, likelihood weights given
realised figures) and certainty c:

* extra net savings (or reserve) needed = the weighted c-quantile of the gap;
* the goal amount met with certainty c = the (1 - c)-quantile of the savings (target), or the
  c-quantile of spending (budget: the ceiling that holds);
* the effect a named measure must reach: its gross saving g_i in the goal's scope scaled by a
  factor k, the smallest k >= 0 with P((k - 1) g >= gap) >= c. The saving is taken to scale
  linearly with the factor (costs do not), which is what an effect factor does in the engine.

Every answer is a weighted quantile, so its 95% interval comes from order statistics at levels
c +- 1.96 sqrt(c (1 - c) / ESS) (:func:`simulator.results.conditioning.level_interval`).
"""

from __future__ import annotations

import numpy as np

from simulator.results.conditioning import CERTAINTY, Conditioned, level_interval, quantile_with_interval
from simulator.results.summary import Goal, goals
from simulator.scenario.model import Budget, Measure, Scenario, Scope, Target, scope_label


def find_goal(c: Conditioned, goal_id: str | None, year: int | None, municipality: str | None) -> tuple[Goal, int]:
    """The named goal (default: the first target with the year) and the year (default: its last)."""
    gs = goals(c.dataset, municipality=municipality)
    if goal_id is not None:
        match = [g for g in gs if g.id == goal_id]
        if not match:
            raise KeyError(f"unknown goal {goal_id!r}; goals: {', '.join(g.id for g in gs) or 'none'}")
        goal = match[0]
    else:
        found = next((g for g in gs if g.kind == "target" and (year is None or year in g.amounts)),
                     next((g for g in gs if year is None or year in g.amounts), None))
        if found is None:
            raise KeyError("the scenario has no target or budget" + (f" in {year}" if year else ""))
        goal = found
    if year is None:
        year = max(goal.amounts)
    if year not in goal.amounts:
        raise KeyError(f"goal {goal.id!r} has no amount in {year} (years: {', '.join(map(str, goal.amounts))})")
    return goal, year


def gap(goal: Goal, year: int) -> np.ndarray:
    """Extra net savings each path needs for the goal to hold [EUR], (path,)."""
    a, m = goal.amounts[year], goal.measured[year]
    return a - m if goal.kind == "target" else m - a


def minimal_factor(gaps: np.ndarray, g: np.ndarray, w: np.ndarray, certainty: float) -> float:
    """Smallest k >= 0 with sum_i w_i [(k - 1) g_i >= gap_i] >= certainty (inf if none).

    Exact on the paths: P(k) only rises where a path with g > 0 starts to hold, so the answer is
    k = 0 or one of those thresholds; all are evaluated at once (sorting, no loop over paths).
    """
    pos, neg, zero = g > 0, g < 0, g == 0
    w_zero = float(w[zero & (gaps <= 0)].sum())
    r_pos = gaps[pos] / g[pos]  # holds for t >= r_pos
    r_neg = gaps[neg] / g[neg]  # holds for t <= r_neg
    candidates = np.concatenate(([-1.0], r_pos[r_pos > -1.0]))
    candidates.sort()
    o = np.argsort(r_pos)
    cum_pos = np.concatenate(([0.0], np.cumsum(w[pos][o])))
    p_pos = cum_pos[np.searchsorted(r_pos[o], candidates, side="right")]
    on = np.argsort(r_neg)
    w_neg = w[neg][on]
    tail = np.concatenate((np.cumsum(w_neg[::-1])[::-1], [0.0]))  # weight with r_neg >= t
    p_neg = tail[np.searchsorted(r_neg[on], candidates, side="left")]
    p = w_zero + p_pos + p_neg
    ok = np.nonzero(p >= certainty - 1e-12)[0]
    return float("inf") if ok.size == 0 else 1.0 + float(candidates[ok[0]])


def measure_weight(scenario: Scenario, m: Measure, scope: Scope) -> float:
    """The part of a measure's gross saving that falls in ``scope`` (its posts and municipality)."""
    posts = {e.post for e in m.effects}
    inside = posts & set(scope.posts)
    if not inside:
        return 0.0
    if inside != posts:
        raise KeyError(f"measure {m.id!r} saves on posts inside and outside scope {scope_label(scope)!r}; "
                       "goal seek on its effect needs a goal whose scope holds all of them")
    if scope.municipality is None:
        return 1.0
    muni = scope.municipality
    if m.municipalities is None:
        return scenario.municipality(muni).share(m.law)
    if muni not in m.municipalities:
        return 0.0
    shares = {mid: scenario.municipality(mid).share(m.law) for mid in m.municipalities}
    total = sum(shares.values())
    return shares[muni] / total if total > 0 else 1.0 / len(shares)


def scope_of(scenario: Scenario, goal: Goal) -> Scope:
    items: list[Target | Budget] = [*scenario.targets, *scenario.budgets]
    return next(t.scope for t in items if t.id == goal.id and scope_label(t.scope) == goal.scope)


def seek(c: Conditioned, scenario: Scenario, *, goal_id: str | None = None, year: int | None = None,
         municipality: str | None = None, certainty: float = CERTAINTY, measure: str | None = None) -> dict:
    """Goal seek for one goal and year; every figure with its 95% Monte Carlo interval [EUR]."""
    if not 0 < certainty < 1:
        raise ValueError("certainty must be between 0 and 1 (exclusive)")
    goal, year = find_goal(c, goal_id, year, municipality)
    w, ess = c.weights, c.ess
    d = gap(goal, year)
    extra, lo, hi = quantile_with_interval(d, w, certainty, ess)
    level = 1.0 - certainty if goal.kind == "target" else certainty
    met, met_lo, met_hi = quantile_with_interval(goal.measured[year], w, level, ess)
    out = {"goal": goal.id, "kind": goal.kind, "scope": goal.scope, "year": year, "certainty": certainty,
           "amount": goal.amounts[year], "ess": ess,
           "p_met": float(np.dot(w, goal.holds[year])),
           "extra_needed": max(extra, 0.0), "extra_needed_raw": extra,
           "extra_needed_interval": (max(lo, 0.0), max(hi, 0.0)),
           "amount_met": met, "amount_met_interval": (met_lo, met_hi)}
    if measure is not None:
        m = scenario.measure(measure)
        ds = c.dataset
        g = ds["measure_savings"].sel(measure=m.id, year=year).values * measure_weight(
            scenario, m, scope_of(scenario, goal))
        lo_c, hi_c = level_interval(certainty, ess)
        k = minimal_factor(d, g, w, certainty)
        k_lo, k_hi = minimal_factor(d, g, w, lo_c), minimal_factor(d, g, w, hi_c)
        plan = float(np.dot(w, g))
        out["measure"] = {"id": m.id, "factor": k, "factor_interval": (k_lo, k_hi),
                          "mean_effect": plan, "effect_needed": k * plan if np.isfinite(k) else float("inf"),
                          "reachable": bool(np.isfinite(k))}
    return out
