"""The baseline: autonomous growth, and the cost of a stock of clients year by year."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.core.quantities import MONEY, Env
from simulator.scenario.model import Post


@dataclass(slots=True)
class StockLevers:
    """What measures do to a stock post, each a multiplier, dims (year, path) or (year, 1).

    Attributes
    ----------
    inflow : ndarray
        Multiplier on the inflow [-].
    outflow : ndarray
        Multiplier on the outflow rate [-].
    price_all : ndarray
        Multiplier on every client's cost [-].
    cost : ndarray
        Multiplier on the post's cost [-].
    price_new : list of ndarray
        Shares off the cost of clients who entered since the measure acts [-], one per effect.
    """

    inflow: np.ndarray
    outflow: np.ndarray
    price_all: np.ndarray
    cost: np.ndarray
    price_new: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def none(cls, n_years: int) -> StockLevers:
        """No measure: every multiplier 1."""
        one = np.ones((n_years, 1))
        return cls(one, one, one, one, [])


def growth_factors(env: Env, p: Post, *, none: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative growth since the base year: prod (1 + g).

    ``none``: the document computes on base-year figures, so its check runs without growth,
    however the growth is written (number, distribution, year table or expression).

    Returns
    -------
    volume, price : ndarray
        Growth factors [-], dims (year, path) or (year, 1).
    """
    out = []
    for q, what in ((p.volume_growth, "growth"), (p.price_growth, "price_growth")):
        if q is None or none:
            out.append(np.ones((env.n_years, 1)))
            continue
        g = env.full(q, what=f'post "{p.id}" {what}', domain="growth")
        # the cumulative product year by year: cumprod along the short year axis of a
        # (year, path) array is a strided reduction, several times slower than rows
        f = np.empty((env.n_years, g.shape[1]))
        np.add(1.0, g[0], out=f[0])
        for t in range(1, env.n_years):
            np.multiply(f[t - 1], 1.0 + g[t if g.shape[0] > 1 else 0], out=f[t])
        out.append(f)
    return out[0], out[1]


def baseline_of(env: Env, p: Post, vol: np.ndarray, price: np.ndarray) -> np.ndarray:
    """A post's baseline [EUR], dims (year, path) or (year, 1): base grown, or its stock's cost."""
    if p.stock is None:
        return p.base * vol * price
    return stock_cost(env, p, vol, price, levers=None)


def stock_cost(env: Env, p: Post, vol: np.ndarray, price: np.ndarray, levers: StockLevers | None) -> np.ndarray:
    """Cost of a stock post over the model years [EUR], dims (year, path), optionally with
    measure levers applied."""
    s = p.stock
    assert s is not None
    rate = np.clip(env.full(s.outflow_rate, what=f'post "{p.id}" outflow rate', domain="outflow_rate")
                   * np.ones((env.n_years, 1)), 0.0, 1.0)
    inflow = (env.full(s.inflow, what=f'post "{p.id}" inflow', domain="inflow") * np.ones((env.n_years, 1))
              if s.inflow is not None else s.clients * rate[:1] * np.ones((env.n_years, 1)))
    inflow = inflow * vol
    per_client = (p.base / s.clients) * price
    extra = () if levers is None else (levers.inflow.shape, levers.outflow.shape, levers.price_all.shape,
                                       levers.cost.shape, *(f.shape for f in levers.price_new))
    n = np.broadcast_shapes(rate.shape, inflow.shape, per_client.shape, *extra)[1]
    clients = np.full(n, s.clients, dtype=MONEY)
    cost = np.empty((env.n_years, n))
    new_cost = [np.zeros(n) for _ in (levers.price_new if levers is not None else ())]
    for t in range(env.n_years):  # a handful of years; every step is vectorised over paths
        r = rate[t] if levers is None else np.minimum(rate[t] * levers.outflow[t], 1.0)
        i_t = inflow[t] if levers is None else inflow[t] * levers.inflow[t]
        clients = clients * (1.0 - r) + i_t
        c = per_client[t] * np.ones(n)
        if levers is not None:
            c = c * levers.price_all[t]
            # reach 'new': the share of clients who entered since the measure acts
            for j, frac in enumerate(levers.price_new):
                active = frac[t] != 0
                turnover = np.divide(i_t, clients, out=np.ones(n), where=clients > 0)
                reached = 1.0 - (1.0 - new_cost[j]) * (1.0 - np.minimum(turnover, 1.0))
                new_cost[j] = np.where(active, reached, 0.0)
                c = c * (1.0 - frac[t] * new_cost[j])
        cost[t] = clients * c
    return cost
