"""Sums into scopes over the horizon years: each scope's baseline and net savings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator.core.plan import Plan, measure_weight, scopes_of, share_of

__all__ = ["add_scaled", "measure_weight", "scope_sums", "scopes_of", "share_of"]


def add_scaled(acc: np.ndarray, x: np.ndarray, w: float) -> None:
    """acc += w * x in place (w = 1 and -1 without the multiplication)."""
    if w == 1.0:
        acc += x
    elif w == -1.0:
        acc -= x
    elif w != 0.0:
        acc += w * x


def scope_sums(plan: Plan, active: np.ndarray, base_h: np.ndarray, costs_h: np.ndarray,
               gross_by: Sequence[Sequence[tuple[int, np.ndarray]]]) -> tuple[np.ndarray, np.ndarray]:
    """Each scope's baseline and net savings over the horizon years.

    Parameters
    ----------
    base_h : ndarray
        Baseline per post [EUR], dims (post, horizon year, path).
    costs_h : ndarray
        Costs per active measure [EUR], dims (active measure, horizon year, path).
    gross_by : list of list of (int, ndarray)
        Per active measure, (post index, attributed saving [EUR] dims (model year, path)).

    Returns
    -------
    scope_net, scope_base : ndarray
        Net savings and baseline [EUR], dims (scope, horizon year, path).
    """
    n_h, n = base_h.shape[1:]
    horizon = plan.horizon
    scope_net = np.empty((len(plan.scopes), n_h, n))
    scope_base = np.empty((len(plan.scopes), n_h, n))
    for si in range(len(plan.scopes)):
        in_scope = plan.scope_posts[si]
        acc = scope_base[si]
        acc[...] = 0.0
        for pi in range(len(plan.posts)):
            if in_scope[pi]:
                add_scaled(acc, base_h[pi], float(plan.scope_post_weight[si, pi]))
        net = scope_net[si]
        net[...] = 0.0
        for row, mi in enumerate(active):
            w = float(plan.scope_measure_weight[si, mi])
            if w != 0.0:
                for pi, saved in gross_by[row]:
                    if in_scope[pi]:
                        add_scaled(net, saved[horizon], w)
            # the payer's part (paid_by; by default the measure's post, at the measure's weight)
            add_scaled(net, costs_h[row], -float(plan.scope_cost_weight[si, mi]))
    return scope_net, scope_base
