"""The vectorised core: from sampled inputs to baseline, spending and savings per path.

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
See docs/model.md for the full model in words and formulas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.sampling import point_inputs, sample_inputs
from simulator.errors import ExpressionError, SimulationError
from simulator.scenario.model import (
    ByYear,
    Const,
    Formula,
    Measure,
    PhaseTable,
    PhaseTurnover,
    Post,
    Quantity,
    Ref,
    Scenario,
    Scope,
)

#: euro amounts are float64, chosen here once
MONEY = np.float64
#: a measure may raise a post's cost (negative fraction) but not by more than this factor
MIN_FRACTION = -10.0
#: largest magnitude of an evaluated quantity and of a result [EUR]: far above any municipal
#: figure, far enough below float64 overflow that sums and squares over 1e8 paths stay finite
MAX_VALUE, MAX_RESULT = 1e15, 1e18


@dataclass(frozen=True, slots=True)
class Block:
    """The result of one block of paths. Shapes use (..., year, path) over horizon years.

    baseline, spending, net, gross, costs : (year, path) totals [EUR]
    scope_net, scope_spending, scope_baseline : (scope, year, path)
    post_baseline, post_spending : (post, year, path) or None
    measure_gross, measure_costs : (measure, year, path) or None
    inputs : key -> (path,) drawn value of each random input (per-year inputs: their mean)
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


def model_years(scenario: Scenario) -> np.ndarray:
    return np.arange(scenario.base_year + 1, scenario.years[-1] + 1)


def scopes_of(scenario: Scenario) -> tuple[Scope, ...]:
    """Every scope the results report: all and each law, each municipality, targets, budgets."""
    seen: dict[tuple, Scope] = {}

    def add(s: Scope):
        seen.setdefault((s.label, s.municipality), s)  # a label names one set of posts

    add(Scope(tuple(p.id for p in scenario.posts), "all"))
    for law in ("wmo", "jeugdwet", "other"):
        posts = scenario.posts_of(law)
        if posts:
            add(Scope(posts, law))
    for m in scenario.municipalities:
        add(Scope(tuple(p.id for p in scenario.posts), "all", m.id))
    for t in (*scenario.targets, *scenario.budgets):
        add(t.scope)
    return tuple(seen.values())


class _Env:
    """Evaluates quantities over (model year, path) with numpy broadcasting."""

    def __init__(self, scenario: Scenario, values: dict[str, np.ndarray], n: int):
        self.years = model_years(scenario)
        self.n_years = len(self.years)
        self.n = n
        self.file = scenario.file
        self.values = dict(values)
        self.values["year"] = self.years.astype(MONEY)[:, None]
        for name in scenario.parameter_order:
            self.values[name] = self.full(scenario.parameters[name], what=f"parameter {name!r}")

    def eval(self, q: Quantity):
        match q:
            case Const(value):
                return value
            case Ref(name):
                return self.values[name]
            case Formula(expression):
                return expression.evaluate(self.values)
            case ByYear(years, values):
                # exactly the listed years; unlisted years are 0 (one-off costs stay one-off)
                out = np.zeros((self.n_years, 1))
                for y, v in zip(years, values, strict=True):
                    row = self.years == y
                    val = np.asarray(self.eval(v), dtype=MONEY)
                    if val.ndim < 2:  # a number, or one value per path
                        val = val.reshape(1, -1)
                    elif val.shape[0] > 1:  # a per-year input: this year's row
                        val = val[row]
                    if val.shape[1] > out.shape[1]:
                        out = np.repeat(out, val.shape[1], axis=1)
                    out[row] = val
                return out
        raise TypeError(q)  # pragma: no cover

    def full(self, q: Quantity, *, what: str) -> np.ndarray:
        """Evaluate and check: finite, and shaped (year, path) or broadcastable to it."""
        try:
            v = np.asarray(self.eval(q), dtype=MONEY)
        except ExpressionError as exc:  # e.g. an exponent too large for some draws: say where
            raise ExpressionError(exc.problem, file=self.file, path=(what,)) from None
        if v.ndim < 2:
            v = v.reshape((1, 1)) if v.ndim == 0 else v.reshape((1, -1))
        if not (np.abs(v) <= MAX_VALUE).all():  # also False for NaN
            raise SimulationError(f"{self.file}: {what} is not a finite number of at most {MAX_VALUE:g} "
                                  "for some draws (division by zero, log of a negative, or overflow?)")
        return v


def simulate_block(
    scenario: Scenario,
    n: int,
    *,
    seed: int = 0,
    block: int = 0,
    deterministic: bool = False,
    active: frozenset[str] | None = None,
    detail: bool = False,
    keep_inputs: bool = False,
    overrides: dict[str, float | np.ndarray] | None = None,
    no_growth: bool = False,
    extra_delay: float = 0.0,
    sampling: str = "mc",
) -> Block:
    """Simulate ``n`` paths of one block.

    Parameters
    ----------
    deterministic : every input at its plan value (one path), go-ahead certain, no delay.
    active : ids of the measures in the package (None: all). Standalone runs pass one id.
    overrides : input key -> value fixed for every path (sensitivity and variants), or an
        array of values per path.
    no_growth : no autonomous growth at all, whatever the posts say (the waterfall's and
        the document's basis when it computes on base-year figures).
    extra_delay : years added to every measure's delay ("everything a year later").
    sampling : "mc", "lhs" or "sobol": how the block's uniforms are drawn (simulator.core.qmc).
    """
    years_m = model_years(scenario)
    n_years = len(years_m)
    if deterministic:
        n = 1
        values = point_inputs(scenario, growth=scenario.check_growth)
    elif overrides is not None and all(i.key in overrides for i in scenario.inputs):
        values = {}  # every input is given (pick-freeze runs): nothing to draw
    else:
        values = sample_inputs(scenario, n, seed=seed, block=block, n_years=n_years, sampling=sampling)
    if overrides:
        for k, v in overrides.items():
            # a number fixes the input on every path; an array ((1, n) or (year, n)) gives each
            # path its own value (the pick-freeze runs of simulator.results.sensitivity)
            values[k] = np.full((1, 1), float(v)) if np.ndim(v) == 0 else np.asarray(v, dtype=np.float64)
    env = _Env(scenario, values, n)
    horizon = slice(n_years - len(scenario.years), n_years)
    measures = [m for m in scenario.measures if active is None or m.id in active]

    # --- baseline per post -------------------------------------------------------------
    post_index = {p.id: i for i, p in enumerate(scenario.posts)}
    baseline = np.empty((len(scenario.posts), n_years, n))
    growth = {}
    no_growth = no_growth or (deterministic and scenario.check_growth == "none")
    for i, p in enumerate(scenario.posts):
        vol, price = _growth_factors(env, p, none=no_growth)
        growth[p.id] = (vol, price)
        if p.stock is None:
            baseline[i] = p.base * vol * price
        else:
            baseline[i] = _stock_cost(env, p, vol, price, levers=None)

    # --- each measure's plan profile, then go-ahead and delay ---------------------------
    fractions: dict[str, list[tuple[int, np.ndarray, object]]] = {p.id: [] for p in scenario.posts}
    go_of: dict[str, np.ndarray] = {}
    costs = np.zeros((len(measures), n_years, n))
    for mi, m in enumerate(measures):
        go = values[m.go_ahead] if m.go_ahead else np.ones((1, 1))
        go_of[m.id] = go
        delay = values[m.delay] if m.delay else None
        if extra_delay:
            delay = extra_delay if delay is None else delay + extra_delay
        phase = _phase(env, m, years_m)
        factor = values[m.effect_factor] if m.effect_factor else 1.0
        for e in m.effects:
            raw = env.full(e.value, what=f'measure "{m.id}" effect')
            profile = raw * phase * factor
            if delay is not None:
                profile = _shift(profile, delay, n)
            profile = profile * go
            if e.kind == "amount":
                b = baseline[post_index[e.post]]
                profile = np.divide(profile, b, out=np.zeros(np.broadcast_shapes(profile.shape, b.shape)),
                                    where=b > 0)
            profile = np.clip(profile, MIN_FRACTION, 1.0)
            fractions[e.post].append((mi, np.broadcast_to(profile, (n_years, n)), e))
        if m.costs is not None:
            k = env.full(m.costs, what=f'measure "{m.id}" costs') * np.ones((n_years, 1))
            k = np.where(years_m[:, None] >= m.start, k, 0.0) if m.start > years_m[0] else k
            if m.cost_factor:
                k = k * values[m.cost_factor]
            if delay is not None and m.delay_shifts_costs:
                k = _shift(k, delay, n)
            costs[mi] = k * go
        if m.committed_costs is not None:
            # spent before the decision: paid whether or not the measure goes ahead
            k = env.full(m.committed_costs, what=f'measure "{m.id}" committed_costs') * np.ones((n_years, 1))
            costs[mi] += k * values[m.cost_factor] if m.cost_factor else k

    # cost groups: paid once when any member goes ahead, split over the members that do
    for g in scenario.cost_groups:
        members = [mi for mi, m in enumerate(measures) if m.cost_group == g.id]
        if not members:
            continue
        gk = env.full(g.costs, what=f'cost group "{g.id}"') * np.ones((n_years, 1))
        gos = np.vstack([np.broadcast_to(go_of[measures[mi].id], (1, n)) for mi in members])
        n_go = gos.sum(axis=0)
        for row, mi in enumerate(members):
            m = measures[mi]
            share = np.divide(gos[row], n_go, out=np.zeros(n), where=n_go > 0)
            factor = values[m.cost_factor] if m.cost_factor else 1.0
            costs[mi] += gk * share * factor

    # --- combine on each post: communicerende vaten ------------------------------------
    spending = baseline.copy()
    # attributed savings, only for the (measure, post) pairs that exist: measure -> [(post, (year, path))]
    gross_by: list[list[tuple[int, np.ndarray]]] = [[] for _ in measures]
    post_saved: list[np.ndarray] = []  # before substitution: the gross savings of all measures
    for pi, p in enumerate(scenario.posts):
        items = fractions[p.id]
        if not items:
            continue
        if p.stock is not None:
            spending[pi], standalone = _stock_with_measures(env, p, growth[p.id], items, baseline[pi])
            standalone = list(standalone)
        else:
            fs = [f for _, f, _ in items]
            if p.combine == "additive" and len(fs) > 1:
                total = np.minimum(sum(fs[1:], fs[0]), 1.0)
                spending[pi] = baseline[pi] * (1.0 - total)
            else:  # one measure: both rules agree (fractions are capped at 1)
                keep = 1.0 - fs[0]
                for f in fs[1:]:
                    keep *= 1.0 - f
                np.multiply(baseline[pi], keep, out=spending[pi])
            standalone = [f * baseline[pi] for f in fs]
        saved = baseline[pi] - spending[pi]
        post_saved.append(saved)
        if len(items) == 1:
            gross_by[items[0][0]].append((pi, saved))
            continue
        # pro rata: each measure keeps its standalone saving and carries a share of the
        # interaction loss in proportion to its size; the shares add up to the post's saving
        loss = saved - sum(standalone[1:], standalone[0])
        weight = [np.abs(x) for x in standalone]
        wsum = sum(weight[1:], weight[0])
        per_weight = np.divide(loss, wsum, out=np.zeros_like(loss), where=wsum > 0)
        for (mi, _, _), x, wt in zip(items, standalone, weight, strict=True):
            wt *= per_weight
            wt += x
            gross_by[mi].append((pi, wt))

    # --- substitution: part of the saving reappears as cost -------------------------------
    for mi, m in enumerate(measures):
        if m.substitution is None:
            continue
        sh = env.full(m.substitution.share, what=f'measure "{m.id}" substitution share')
        extra = sh * _measure_total(gross_by[mi], n_years, n)
        costs[mi] += extra
        if m.substitution.post is not None:
            spending[post_index[m.substitution.post]] += extra

    # --- scopes and totals (horizon years only) ------------------------------------------
    scopes = scopes_of(scenario)
    n_h = len(scenario.years)
    scope_net = np.empty((len(scopes), n_h, n))
    scope_base = np.empty((len(scopes), n_h, n))
    base_h = baseline[:, horizon]
    costs_h = costs[:, horizon]
    for si, s in enumerate(scopes):
        in_scope = {post_index[pid] for pid in s.posts}
        acc = scope_base[si]
        acc[...] = 0.0
        for pi, p in enumerate(scenario.posts):
            if pi in in_scope:
                _add_scaled(acc, base_h[pi], share_of(scenario, s.municipality, p.law))
        net = scope_net[si]
        net[...] = 0.0
        for mi, m in enumerate(measures):
            w = _measure_weight(scenario, m, s.municipality)
            if w == 0.0:
                continue
            for pi, saved in gross_by[mi]:
                if pi in in_scope:
                    _add_scaled(net, saved[horizon], w)
            if m.post in s.posts:
                _add_scaled(net, costs_h[mi], -w)
    scope_spending = scope_base - scope_net

    total_gross = np.zeros((n_h, n))
    for saved in post_saved:
        total_gross += saved[horizon]
    total_costs = costs_h.sum(axis=0)
    total_base = base_h.sum(axis=0)
    net_total = total_gross - total_costs
    gross_m = None
    if detail:
        gross_m = (np.stack([_measure_total(g, n_years, n)[horizon] for g in gross_by]) if measures
                   else np.zeros((0, n_h, n)))
    result = Block(
        baseline=total_base,
        spending=total_base - net_total,
        net=net_total,
        gross=total_gross,
        costs=total_costs,
        scope_net=scope_net,
        scope_spending=scope_spending,
        scope_baseline=scope_base,
        post_baseline=baseline[:, horizon] if detail else None,
        post_spending=spending[:, horizon] if detail else None,
        measure_gross=_full_measures(scenario, measures, gross_m) if detail else None,
        measure_costs=_full_measures(scenario, measures, costs_h) if detail else None,
        inputs=({k: np.broadcast_to(v.mean(axis=0), (n,)).copy() for k, v in values.items()}
                if keep_inputs else None),
    )
    if not all((np.abs(x) <= MAX_RESULT).all() for x in (result.net, result.scope_spending)):
        raise SimulationError(f"{scenario.file}: the simulation produced a number that is not finite or "
                              f"beyond {MAX_RESULT:g} EUR; check the scenario's expressions, amounts and "
                              "growth for extreme values")
    return result


def _add_scaled(acc: np.ndarray, x: np.ndarray, w: float) -> None:
    """acc += w * x in place (w = 1 and -1 without the multiplication)."""
    if w == 1.0:
        acc += x
    elif w == -1.0:
        acc -= x
    elif w != 0.0:
        acc += w * x


def _measure_total(pairs: list[tuple[int, np.ndarray]], n_years: int, n: int) -> np.ndarray:
    """A measure's attributed savings over all its posts, (year, path)."""
    out = np.zeros((n_years, n))
    for _, saved in pairs:
        out += saved
    return out


def _full_measures(scenario: Scenario, measures: list[Measure], arr: np.ndarray) -> np.ndarray:
    """Place the active measures' rows in an array over all measures (inactive rows zero)."""
    if len(measures) == len(scenario.measures):
        return arr
    out = np.zeros((len(scenario.measures), *arr.shape[1:]))
    index = {m.id: i for i, m in enumerate(scenario.measures)}
    for row, m in enumerate(measures):
        out[index[m.id]] = arr[row]
    return out


def share_of(scenario: Scenario, municipality: str | None, law: str) -> float:
    if municipality is None:
        return 1.0
    return scenario.municipality(municipality).share(law)


def _measure_weight(scenario: Scenario, m: Measure, municipality: str | None) -> float:
    """A municipality's part of a measure: its verdeelsleutel, or, for a measure of some
    municipalities only, its share among those."""
    if municipality is None:
        return 1.0
    if m.municipalities is None:
        return scenario.municipality(municipality).share(m.law)
    if municipality not in m.municipalities:
        return 0.0
    shares = {mid: scenario.municipality(mid).share(m.law) for mid in m.municipalities}
    total = sum(shares.values())
    return shares[municipality] / total if total > 0 else 1.0 / len(shares)


def _growth_factors(env: _Env, p: Post, *, none: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative growth since the base year, (model year, path): prod (1 + g).

    ``none``: the document computes on base-year figures, so its check runs without growth,
    however the growth is written (number, distribution, year table or expression).
    """
    out = []
    for q, what in ((p.volume_growth, "growth"), (p.price_growth, "price_growth")):
        if q is None or none:
            out.append(np.ones((env.n_years, 1)))
            continue
        g = env.full(q, what=f'post "{p.id}" {what}')
        # the cumulative product year by year: cumprod along the short year axis of a
        # (year, path) array is a strided reduction, several times slower than rows
        f = np.empty((env.n_years, g.shape[1]))
        np.add(1.0, g[0], out=f[0])
        for t in range(1, env.n_years):
            np.multiply(f[t - 1], 1.0 + g[t if g.shape[0] > 1 else 0], out=f[t])
        out.append(f)
    return out[0], out[1]


def _phase(env: _Env, m: Measure, years: np.ndarray) -> np.ndarray:
    """Share of the full effect per model year before delay: (year, 1) or (year, path)."""
    started = (years >= m.start)[:, None].astype(MONEY)
    match m.phase:
        case None:
            return started
        case PhaseTable(tyears, shares):
            idx = np.searchsorted(np.array(tyears), years, side="right") - 1
            vals = np.where(idx >= 0, np.array(shares)[np.maximum(idx, 0)], 0.0)
            return vals[:, None] * started
        case PhaseTurnover(rate):
            r = env.full(rate, what=f'measure "{m.id}" turnover')
            k = np.maximum(years - m.start + 0.5, 0.0)[:, None]
            return (1.0 - (1.0 - r) ** k) * started
    raise TypeError(m.phase)  # pragma: no cover


def _shift(x: np.ndarray, delay: np.ndarray, n: int) -> np.ndarray:
    """Move a (year, path) profile later by ``delay`` years per path (fractions interpolate).

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


def _stock_cost(env: _Env, p: Post, vol, price, levers) -> np.ndarray:
    """Cost of a stock post over the model years, optionally with measure levers applied.

    levers: None, or dict with arrays (year, path): inflow (multiplier), outflow (multiplier
    on the outflow rate), price_all (multiplier), price_new (list of (fraction, reach share)).
    """
    s = p.stock
    rate = np.clip(env.full(s.outflow_rate, what=f'post "{p.id}" outflow rate') * np.ones((env.n_years, 1)),
                   0.0, 1.0)
    inflow = (env.full(s.inflow, what=f'post "{p.id}" inflow') * np.ones((env.n_years, 1))
              if s.inflow is not None else s.clients * rate[:1] * np.ones((env.n_years, 1)))
    inflow = inflow * vol
    per_client = (p.base / s.clients) * price
    shape = np.broadcast_shapes(rate.shape, inflow.shape, per_client.shape,
                                *(v.shape for k, v in (levers or {}).items() if k != "price_new"),
                                *(f.shape for f, _ in (levers or {}).get("price_new", ())))
    n = shape[1]
    clients = np.full(n, s.clients, dtype=MONEY)
    cost = np.empty((env.n_years, n))
    new_cost = [np.zeros(n) for _ in (levers or {}).get("price_new", [])]
    for t in range(env.n_years):  # a handful of years; every step is vectorised over paths
        r = rate[t] if levers is None else np.minimum(rate[t] * levers["outflow"][t], 1.0)
        i_t = inflow[t] if levers is None else inflow[t] * levers["inflow"][t]
        clients = clients * (1.0 - r) + i_t
        c = per_client[t] * np.ones(n)
        if levers is not None:
            c = c * levers["price_all"][t]
            # reach 'new': the share of clients who entered since the measure acts
            for j, (frac, _) in enumerate(levers["price_new"]):
                active = frac[t] != 0
                turnover = np.divide(i_t, clients, out=np.ones(n), where=clients > 0)
                reached = 1.0 - (1.0 - new_cost[j]) * (1.0 - np.minimum(turnover, 1.0))
                new_cost[j] = np.where(active, reached, 0.0)
                c = c * (1.0 - frac[t] * new_cost[j])
        cost[t] = clients * c
    return cost


def _stock_with_measures(env, p: Post, growth, items, baseline) -> tuple[np.ndarray, np.ndarray]:
    """Spending of a stock post with all its measures, and each measure's standalone saving."""
    vol, price = growth

    def levers_for(subset):
        one = np.ones((env.n_years, 1))
        lv = {"inflow": one, "outflow": one, "price_all": one, "cost": one, "price_new": []}
        for _, f, e in subset:
            if e.lever == "inflow":
                lv["inflow"] = lv["inflow"] * (1.0 - f)
            elif e.lever == "duration":
                lv["outflow"] = lv["outflow"] / np.maximum(1.0 - f, 1e-9)
            elif e.reach == "new":
                lv["price_new"].append((f, e))
            elif e.lever == "price":
                lv["price_all"] = lv["price_all"] * (1.0 - f)
            else:
                lv["cost"] = lv["cost"] * (1.0 - f)
        return lv

    def spend(subset):
        lv = levers_for(subset)
        return _stock_cost(env, p, vol, price, lv) * lv["cost"]

    total = spend(items)
    standalone = np.stack([baseline - spend([it]) for it in items])
    return total, standalone
