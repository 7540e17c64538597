"""Measures over the model years: plan profile, go-ahead and delay, costs, cost groups and
substitution. Every function here works on (year, path) arrays of one block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulator.core.levers import EFFECT_KINDS, Item
from simulator.core.plan import Plan
from simulator.core.quantities import MONEY, Env
from simulator.scenario.model import Measure, PhaseTable, PhaseTurnover

#: a measure may raise a post's cost (negative fraction) but not by more than this factor
MIN_FRACTION = -10.0


def phase(env: Env, m: Measure, years: np.ndarray) -> np.ndarray:
    """Share of the full effect per model year before delay [-], dims (year, 1) or (year, path)."""
    started = (years >= m.start)[:, None].astype(MONEY)
    match m.phase:
        case None:
            return started
        case PhaseTable(tyears, shares):
            idx = np.searchsorted(np.array(tyears), years, side="right") - 1
            vals = np.where(idx >= 0, np.array(shares)[np.maximum(idx, 0)], 0.0)
            return vals[:, None] * started
        case PhaseTurnover(rate):
            r = env.full(rate, what=f'measure "{m.id}" turnover', domain="turnover")
            k = np.maximum(years - m.start + 0.5, 0.0)[:, None]
            return (1.0 - (1.0 - r) ** k) * started
    raise TypeError(m.phase)  # pragma: no cover


def shift(x: np.ndarray, delay: np.ndarray | float, n: int) -> np.ndarray:
    """Move a (year, path) profile later by ``delay`` years [year] per path (fractions interpolate).

    Row t of the result is (1 - w) x[t - k] + w x[t - k - 1] with k = floor(delay), w the
    fraction. Written as a sum over the few whole-year lags j with per-path weights, so every
    step streams contiguous rows (a per-element gather, take_along_axis, was 10x slower);
    lags that no path in the block has are skipped, which only leaves out exact zeros.
    """
    n_years = x.shape[0]
    d = np.broadcast_to(delay, (1, n))
    k = np.floor(d)
    w = d - k
    out = np.zeros((n_years, n))
    top = min(int(k.max()) + 1, n_years - 1) if n else 0
    for j in range(top + 1):
        c = np.where(k == j, 1.0 - w, 0.0)
        if j > 0:
            c += np.where(k == j - 1, w, 0.0)
        out[j:] += c * x[: n_years - j]
    return out


def measure_effects(env: Env, plan: Plan, active: np.ndarray, values: Mapping[str, np.ndarray],
                    baseline: np.ndarray, extra_delay: float
                    ) -> tuple[list[list[Item]], list[np.ndarray], np.ndarray]:
    """Every active measure's shares of its posts, and its own costs, with go-ahead and delay.

    Returns
    -------
    fractions : list of list of Item
        Per post, (active row, share [-] dims (year, path), stock lever code), in measure order.
    go : list of ndarray
        Per active measure, whether it goes ahead [-], dims (1, path) or (1, 1).
    costs : ndarray
        Costs [EUR], dims (active measure, year, path).
    """
    n_years, n = env.n_years, env.n
    fractions: list[list[Item]] = [[] for _ in plan.posts]
    go_of: list[np.ndarray] = []
    costs = np.zeros((len(active), n_years, n))
    for row, mi in enumerate(active):
        m = plan.measures[mi]
        go = values[m.go_ahead] if m.go_ahead else np.ones((1, 1))
        go_of.append(go)
        delay: np.ndarray | float | None = values[m.delay] if m.delay else None
        if extra_delay:
            delay = extra_delay if delay is None else delay + extra_delay
        ph = phase(env, m, plan.model_years)
        factor = values[m.effect_factor] if m.effect_factor else 1.0
        for ei in range(plan.effect_offsets[mi], plan.effect_offsets[mi + 1]):
            pi = plan.effect_post[ei]
            raw = env.full(plan.effects[ei].value, what=f'measure "{m.id}" effect')
            profile = raw * ph * factor
            if delay is not None:
                profile = shift(profile, delay, n)
            profile = profile * go
            profile = EFFECT_KINDS[plan.effect_kind[ei]](profile, baseline[pi])
            profile = np.clip(profile, MIN_FRACTION, 1.0)
            fractions[pi].append((row, np.broadcast_to(profile, (n_years, n)), int(plan.effect_lever[ei])))
        own_costs(env, plan, m, values, go, delay, costs[row])
    return fractions, go_of, costs


def own_costs(env: Env, plan: Plan, m: Measure, values: Mapping[str, np.ndarray], go: np.ndarray,
              delay: np.ndarray | float | None, out: np.ndarray) -> None:
    """A measure's implementation and committed costs [EUR], written into ``out`` (year, path)."""
    years_m = plan.model_years
    if m.costs is not None:
        k = env.full(m.costs, what=f'measure "{m.id}" costs') * np.ones((env.n_years, 1))
        k = np.where(years_m[:, None] >= m.start, k, 0.0) if m.start > years_m[0] else k
        if m.cost_factor:
            k = k * values[m.cost_factor]
        if delay is not None and m.delay_shifts_costs:
            k = shift(k, delay, env.n)
        out[...] = k * go
    if m.committed_costs is not None:
        # spent before the decision: paid whether or not the measure goes ahead
        k = env.full(m.committed_costs, what=f'measure "{m.id}" committed_costs') * np.ones((env.n_years, 1))
        out += k * values[m.cost_factor] if m.cost_factor else k


def add_cost_groups(env: Env, plan: Plan, active: np.ndarray, values: Mapping[str, np.ndarray],
                    go_of: Sequence[np.ndarray], costs: np.ndarray) -> None:
    """Cost groups [EUR]: paid once when any member goes ahead, split over the members that do."""
    n = env.n
    for gi, g in enumerate(plan.cost_groups):
        members = [row for row, mi in enumerate(active) if plan.measure_group[mi] == gi]
        if not members:
            continue
        gk = env.full(g.costs, what=f'cost group "{g.id}"') * np.ones((env.n_years, 1))
        gos = np.vstack([np.broadcast_to(go_of[row], (1, n)) for row in members])
        n_go = gos.sum(axis=0)
        for r, row in enumerate(members):
            m = plan.measures[active[row]]
            share = np.divide(gos[r], n_go, out=np.zeros(n), where=n_go > 0)
            factor = values[m.cost_factor] if m.cost_factor else 1.0
            costs[row] += gk * share * factor


def measure_total(pairs: Sequence[tuple[int, np.ndarray]], n_years: int, n: int) -> np.ndarray:
    """A measure's attributed savings over all its posts [EUR], dims (year, path)."""
    out = np.zeros((n_years, n))
    for _, saved in pairs:
        out += saved
    return out


def add_substitution(env: Env, plan: Plan, active: np.ndarray, gross_by: Sequence[Sequence[tuple[int, np.ndarray]]],
                     costs: np.ndarray, spending: np.ndarray) -> None:
    """Part of a measure's saving reappears as cost [EUR]: added to its costs and, when the
    substitution names a post, to that post's spending."""
    for row, mi in enumerate(active):
        m = plan.measures[mi]
        if m.substitution is None:
            continue
        sh = env.full(m.substitution.share, what=f'measure "{m.id}" substitution share', domain="substitution")
        extra = sh * measure_total(gross_by[row], env.n_years, env.n)
        costs[row] += extra
        if plan.measure_substitution_post[mi] >= 0:
            spending[plan.measure_substitution_post[mi]] += extra
