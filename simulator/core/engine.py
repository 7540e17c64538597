"""The vectorised core: from a compiled plan and a block's inputs to baseline, spending and
savings per path.

Axis order inside the core is (year, path) and (item, year, path): the path axis is last
and contiguous, so numpy streams long rows. Years run over the *model years*, from the
year after the base year to the last horizon year (growth and stocks need the years in
between); results keep only the horizon years.

Notation, per post p, model year t and path:
    B[p,t]   baseline: base cost grown by autonomous growth (or a stock of clients)
    f[i,p,t] share of post p that measure i removes (fraction, or amount / B)
    C[p,t]   spending with measures: B * prod_i (1 - f) (multiplicative) and never below 0
    K[i,t]   costs of measure i: implementation, its share of a cost group, substitution
    net      sum_p (B - C) - sum_i K
See docs/model.md for the full model in words and formulas, and docs/architecture.md for
the seam: :func:`simulate` reads only a :class:`~simulator.core.plan.Plan`, the block's
:class:`~simulator.core.sampling.Inputs` and one :class:`~simulator.core.options.RunOptions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.core.goals import price_index
from simulator.core.growth import baseline_of, growth_factors
from simulator.core.invariants import MAX_RESULT, check_block, floating_point_errors_named
from simulator.core.levers import COMBINE_RULES, Item, attribute, stock_with_measures
from simulator.core.measures import MIN_FRACTION, add_cost_groups, add_substitution, measure_effects, measure_total
from simulator.core.options import RunOptions
from simulator.core.plan import Plan, compile_plan, model_years
from simulator.core.quantities import MAX_VALUE, MONEY, Env
from simulator.core.sampling import Inputs, block_inputs
from simulator.core.scopes import scope_sums, scopes_of, share_of
from simulator.scenario.model import Scenario

__all__ = ["MAX_RESULT", "MAX_VALUE", "MIN_FRACTION", "MONEY", "Block", "RunOptions", "model_years",
           "scopes_of", "share_of", "simulate", "simulate_block"]

#: one post's attributed savings: (post index, saving [EUR] dims (model year, path))
Saved = tuple[int, np.ndarray]


@dataclass(frozen=True, slots=True)
class Block:
    """The result of one block of paths. Shapes use (..., year, path) over horizon years.

    baseline, spending, net, gross, costs : (year, path) totals [EUR]
    scope_net, scope_spending, scope_baseline : (scope, year, path) [EUR]
    post_baseline, post_spending : (post, year, path) [EUR] or None
    measure_gross, measure_costs : (measure, year, path) [EUR] or None
    inputs : key -> (path,) drawn value of each random input (per-year inputs: their mean)
    component_gross : (component, year, path) [EUR] or None: with detail, each part's standalone
        saving (its share of its post's baseline, before the other measures); zero for inactive ones
    """

    baseline: np.ndarray
    spending: np.ndarray
    net: np.ndarray
    gross: np.ndarray
    costs: np.ndarray
    scope_net: np.ndarray
    scope_spending: np.ndarray
    scope_baseline: np.ndarray
    post_baseline: np.ndarray | None
    post_spending: np.ndarray | None
    measure_gross: np.ndarray | None
    measure_costs: np.ndarray | None
    inputs: dict[str, np.ndarray] | None
    component_gross: np.ndarray | None = None
    price_index: np.ndarray | None = None  # (year, path) [-]: see simulator.core.goals.price_index


def simulate_block(scenario: Scenario, n: int, *, seed: int = 0, block: int = 0,
                   options: RunOptions | None = None) -> Block:
    """Simulate ``n`` paths of block ``block``: compile (cached), draw, simulate."""
    options = options or RunOptions()
    inputs = block_inputs(scenario, n, seed=seed, block=block, options=options)
    return simulate(compile_plan(scenario), inputs, options)


def simulate(plan: Plan, inputs: Inputs, options: RunOptions) -> Block:
    """Simulate one block: the plan's model over the block's inputs, under ``options``."""
    with floating_point_errors_named(plan.scenario.file):
        return _simulate(plan, inputs, options)


def _simulate(plan: Plan, inputs: Inputs, options: RunOptions) -> Block:
    env = Env(plan.scenario, plan.model_years, inputs.values, inputs.n)
    active = plan.active(options.active)
    no_growth = options.no_growth or (options.deterministic and plan.scenario.check_growth == "none")
    baseline, growth = baselines(env, plan, no_growth=no_growth)
    parts = np.zeros((len(plan.components), env.n_years, env.n)) if options.detail and plan.components else None
    fractions, go_of, costs = measure_effects(env, plan, active, inputs.values, baseline, options.extra_delay, parts)
    add_cost_groups(env, plan, active, inputs.values, go_of, costs)
    spending, gross_by, post_saved = combine_posts(env, plan, fractions, baseline, growth, len(active))
    add_substitution(env, plan, active, gross_by, costs, spending)
    block = _block(plan, active, inputs, options, baseline, spending, costs, gross_by, post_saved)
    if parts is not None:
        block = dataclasses.replace(block, component_gross=parts[:, plan.horizon])
    index = price_index(env, plan.scenario.prices.indexation, plan.horizon)
    return block if index is None else dataclasses.replace(block, price_index=index)


def baselines(env: Env, plan: Plan, *, no_growth: bool) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Baseline per post [EUR], dims (post, year, path), and each post's growth factors."""
    baseline = np.empty((len(plan.posts), env.n_years, env.n))
    growth = []
    for i, p in enumerate(plan.posts):
        vol, price = growth_factors(env, p, none=no_growth)
        growth.append((vol, price))
        baseline[i] = baseline_of(env, p, vol, price)
    return baseline, growth


def combine_posts(env: Env, plan: Plan, fractions: Sequence[Sequence[Item]], baseline: np.ndarray,
                  growth: Sequence[tuple[np.ndarray, np.ndarray]], n_active: int
                  ) -> tuple[np.ndarray, list[list[Saved]], list[np.ndarray]]:
    """Combine the measures on each post (communicerende vaten).

    Returns
    -------
    spending : ndarray
        Spending per post with measures [EUR], dims (post, year, path).
    gross_by : list of list of Saved
        Per active measure, its attributed saving on each post it acts on.
    post_saved : list of ndarray
        The saving of every post with measures [EUR], dims (year, path) each, before substitution.
    """
    spending = baseline.copy()
    gross_by: list[list[Saved]] = [[] for _ in range(n_active)]
    post_saved: list[np.ndarray] = []
    for pi, p in enumerate(plan.posts):
        items = fractions[pi]
        if not items:
            continue
        if plan.post_is_stock[pi]:
            spending[pi], stacked = stock_with_measures(env, p, growth[pi], items, baseline[pi])
            standalone = list(stacked)
        else:
            fs = [f for _, f, _ in items]
            COMBINE_RULES[plan.post_combine[pi]](baseline[pi], fs, spending[pi])
            standalone = [f * baseline[pi] for f in fs] if len(fs) > 1 else []
        saved = baseline[pi] - spending[pi]
        post_saved.append(saved)
        parts = attribute(saved, standalone) if len(items) > 1 else [saved]
        for (row, _, _), part in zip(items, parts, strict=True):
            gross_by[row].append((pi, part))
    return spending, gross_by, post_saved


def _block(plan: Plan, active: np.ndarray, inputs: Inputs, options: RunOptions, baseline: np.ndarray,
           spending: np.ndarray, costs: np.ndarray, gross_by: list[list[Saved]],
           post_saved: list[np.ndarray]) -> Block:
    """Totals, scopes and (on request) detail over the horizon years; checked for extremes."""
    horizon, n = plan.horizon, inputs.n
    n_years, n_h = plan.n_years, len(plan.model_years) - plan.horizon_start
    base_h = baseline[:, horizon]
    costs_h = costs[:, horizon]
    scope_net, scope_base = scope_sums(plan, active, base_h, costs_h, gross_by)
    total_gross = np.zeros((n_h, n))
    for saved in post_saved:
        total_gross += saved[horizon]
    in_total = plan.measure_cost_in_total[active]
    # costs paid from outside the programme (paid_by = "outside") are in no total
    total_costs = costs_h.sum(axis=0) if in_total.all() else np.tensordot(in_total, costs_h, axes=1)
    total_base = base_h.sum(axis=0)
    net_total = total_gross - total_costs
    detail = options.detail
    gross_m = None
    if detail:
        gross_m = (np.stack([measure_total(g, n_years, n)[horizon] for g in gross_by]) if len(active)
                   else np.zeros((0, n_h, n)))
    result = Block(
        baseline=total_base, spending=total_base - net_total, net=net_total, gross=total_gross, costs=total_costs,
        scope_net=scope_net, scope_spending=scope_base - scope_net, scope_baseline=scope_base,
        post_baseline=baseline[:, horizon] if detail else None,
        post_spending=spending[:, horizon] if detail else None,
        measure_gross=_all_measures(plan, active, gross_m) if gross_m is not None else None,
        measure_costs=_all_measures(plan, active, costs_h) if detail else None,
        inputs=({k: np.broadcast_to(v.mean(axis=0), (n,)).copy() for k, v in inputs.values.items()}
                if options.keep_inputs else None),
    )
    check_block(plan.scenario, result, measures=[plan.measures[i] for i in active], post_baseline=base_h,
                costs=costs_h)
    return result


def _all_measures(plan: Plan, active: np.ndarray, arr: np.ndarray) -> np.ndarray:
    """Place the active measures' rows in an array over all measures (inactive rows zero)."""
    if len(active) == len(plan.measures):
        return arr
    out = np.zeros((len(plan.measures), *arr.shape[1:]))
    out[active] = arr
    return out
