"""Measures over the model years: plan profile, go-ahead and delay, costs, cost groups and
substitution. Every function here works on (year, path) arrays of one block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from simulator.core.levers import EFFECT_KINDS, Item
from simulator.core.plan import Plan
from simulator.core.quantities import MONEY, Env
from simulator.scenario.model import Component, Measure, PhaseTable, PhaseTurnover, Relation

_REQUIRE, _REPLACE, _EXCLUDE = (list(Relation).index(r) for r in (Relation.REQUIRE, Relation.REPLACE,
                                                                     Relation.EXCLUDE))
#: a delay per path [year], a number every path shares, or None (on time)
Delay = np.ndarray | float | None

#: a measure may raise a post's cost (negative fraction) but not by more than this factor
MIN_FRACTION = -10.0


def phase(env: Env, m: Measure | Component, years: np.ndarray) -> np.ndarray:
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
            kind = "measure" if isinstance(m, Measure) else "component"
            r = env.full(rate, what=f'{kind} "{m.id}" turnover', domain="turnover")
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


def add_delay(a: Delay, b: Delay) -> Delay:
    """The sum of two delays [year]; None is no delay."""
    if a is None:
        return b
    return a if b is None else a + b


def go_aheads(plan: Plan, values: Mapping[str, np.ndarray], active: np.ndarray, extra_delay: float
              ) -> tuple[list[np.ndarray], list[Delay]]:
    """Every measure's go-ahead [-] (0/1, dims (1, path) or (1, 1)) and delay [year], decisions
    and relations included.

    A measure goes ahead where its own draw, its decision's draw and everything it requires say
    so; a ``replace`` goes ahead only where the replaced measure does not, and then counts as it
    for those requiring it; an ``exclude`` cancels the excluded measure where this one goes
    ahead. A measure outside the package (``active``) counts as not going ahead. Its delay is
    its decision's plus its own plus ``extra_delay``.
    """
    n_m = len(plan.measures)
    in_package = np.zeros(n_m, dtype=bool)
    in_package[active] = True
    one = np.ones((1, 1))
    dec_go = [values[d.go_ahead] if d.go_ahead else one for d in plan.decisions]
    go: list[np.ndarray] = [one] * n_m
    stands: list[np.ndarray] = [one] * n_m  # goes ahead, or its replacement does
    excluded_by: list[list[int]] = [[] for _ in range(n_m)]
    for i in range(n_m):
        for r in range(plan.relation_offsets[i], plan.relation_offsets[i + 1]):
            if plan.relation_kind[r] == _EXCLUDE:
                excluded_by[plan.relation_target[r]].append(i)
    for i in plan.measure_order:
        m = plan.measures[i]
        if not in_package[i]:
            go[i] = stands[i] = np.zeros((1, 1))
            continue
        g = values[m.go_ahead] if m.go_ahead else one
        if plan.measure_decision[i] >= 0:
            g = g * dec_go[plan.measure_decision[i]]
        for r in range(plan.relation_offsets[i], plan.relation_offsets[i + 1]):
            t, kind = plan.relation_target[r], plan.relation_kind[r]
            if kind == _REQUIRE:
                g = g * (dec_go[t] if plan.relation_is_decision[r] else stands[t])
            elif kind == _REPLACE:
                g = g * (1.0 - go[t])
        for j in excluded_by[i]:
            g = g * (1.0 - go[j])
        go[i] = stands[i] = g
        for r in range(plan.relation_offsets[i], plan.relation_offsets[i + 1]):
            if plan.relation_kind[r] == _REPLACE:
                t = plan.relation_target[r]
                stands[t] = np.maximum(stands[t], g)
    delays: list[Delay] = []
    for i, m in enumerate(plan.measures):
        d: Delay = None
        if plan.measure_decision[i] >= 0:
            dk = plan.decisions[plan.measure_decision[i]].delay
            d = values[dk] if dk else None
        d = add_delay(d, values[m.delay] if m.delay else None)
        delays.append(add_delay(d, extra_delay or None))
    return go, delays


def delayed(profile: np.ndarray, delay: Delay, baseline: np.ndarray, euros: bool, n: int) -> np.ndarray:
    """A (year, path) effect profile moved later by ``delay`` [year].

    ``euros``: the profile is a share of the post (a fraction on the cost): its planned euros,
    share x that year's baseline, move, and become a share of the realised year's baseline.
    Paths without delay keep the profile exactly; where the baseline is 0 the share moves.
    """
    if delay is None:
        return profile
    moved = shift(profile, delay, n)
    if not euros:
        return moved
    euro = shift(profile * baseline, delay, n)
    share = np.divide(euro, baseline, out=moved, where=baseline > 0)
    return np.where(np.broadcast_to(delay, (1, n)) == 0, profile, share)


def measure_effects(env: Env, plan: Plan, active: np.ndarray, values: Mapping[str, np.ndarray],
                    baseline: np.ndarray, extra_delay: float, parts: np.ndarray | None = None
                    ) -> tuple[list[list[Item]], list[np.ndarray], np.ndarray]:
    """Every active measure's shares of its posts, and its own costs, with go-ahead and delay.

    ``parts``, if given (component, year, path), receives each component's standalone saving
    [EUR]: its share times its post's baseline, before it meets the other measures.

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
    go_all, delay_all = go_aheads(plan, values, active, extra_delay)
    go_of: list[np.ndarray] = []
    costs = np.zeros((len(active), n_years, n))
    for row, mi in enumerate(active):
        m = plan.measures[mi]
        go = go_all[mi]
        go_of.append(go)
        delay = delay_all[mi]
        ph = phase(env, m, plan.model_years)
        factor = values[m.effect_factor] if m.effect_factor else 1.0
        for ei in range(plan.effect_offsets[mi], plan.effect_offsets[mi + 1]):
            pi = plan.effect_post[ei]
            ci = plan.effect_component[ei]
            e_go, e_delay, e_ph, e_factor = go, delay, ph, factor
            if ci >= 0:  # a part: its own timing, go-ahead and factor on top of the measure's
                c = plan.components[ci]
                e_ph = phase(env, c, plan.model_years) if c.phase is not m.phase or c.start != m.start else ph
                e_go = go * values[c.go_ahead] if c.go_ahead else go
                e_delay = add_delay(delay, values[c.delay] if c.delay else None)
                e_factor = factor * values[c.effect_factor] if c.effect_factor else factor
            raw = env.full(plan.effects[ei].value, what=f'measure "{m.id}" effect')
            profile = raw * e_ph * e_factor
            profile = delayed(profile, e_delay, baseline[pi], bool(plan.effect_euro_delay[ei]), n)
            profile = profile * e_go
            profile = EFFECT_KINDS[plan.effect_kind[ei]](profile, baseline[pi])
            profile = np.clip(profile, MIN_FRACTION, 1.0)
            lever = int(plan.effect_lever[ei])
            if parts is not None and ci >= 0:
                parts[ci] += profile * baseline[pi]
            items = fractions[pi]
            if ci >= 0 and items and items[-1][0] == row and items[-1][2] == lever:
                # the parts of one measure on one post add up to the measure's share (the document
                # adds them); the measure meets the others on the post as one
                items[-1] = (row, np.clip(items[-1][1] + profile, MIN_FRACTION, 1.0), lever)
            else:
                items.append((row, np.broadcast_to(profile, (n_years, n)), lever))
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
