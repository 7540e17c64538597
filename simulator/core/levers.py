"""Combining measures on a post: effect kinds, stock levers and combine rules, by registry.

Three registries (name -> function; the compiled plan stores each name's integer code):

* :data:`EFFECT_KINDS`: how an effect's evaluated value becomes a share of its post,
  ``fn(profile, baseline) -> share``, all dims (year, path) [-] (baseline [EUR]);
* :data:`STOCK_LEVERS`: what an effect on a stock post changes, ``fn(levers, share)``
  updating a :class:`~simulator.core.growth.StockLevers` in place;
* :data:`COMBINE_RULES`: how several shares of one (non-stock) post give its spending,
  ``fn(baseline, shares, out)`` writing the spending [EUR] into ``out``.

Adding an effect kind is a function and one ``EFFECT_KINDS.register`` line here, plus its word
in :class:`~simulator.scenario.model.EffectKind` (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum

import numpy as np

from simulator.core.growth import StockLevers, stock_cost
from simulator.core.quantities import Env
from simulator.core.registry import Registry
from simulator.scenario.model import Combine, Effect, EffectKind, Lever, Post, Reach

#: (profile [unit of the kind], baseline of the post [EUR]) -> share of the post [-], dims (year, path)
EffectKindFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: (levers of a stock post, share [-] dims (year, path)) -> None, updates the levers
StockLeverFn = Callable[[StockLevers, np.ndarray], None]
#: (baseline [EUR] dims (year, path), shares [-] each (year, path), out) -> None, writes spending
CombineFn = Callable[[np.ndarray, Sequence[np.ndarray], np.ndarray], None]

EFFECT_KINDS: Registry[EffectKindFn] = Registry("effect kind")
STOCK_LEVERS: Registry[StockLeverFn] = Registry("stock lever")
COMBINE_RULES: Registry[CombineFn] = Registry("combine rule")
#: the stock lever of an effect that reaches new clients only (on the price or the cost)
NEW_CLIENTS = "new"


class KindCode(IntEnum):
    """Codes of the built-in effect kinds in the plan (their positions in EFFECT_KINDS)."""

    FRACTION = 0
    AMOUNT = 1


class LeverCode(IntEnum):
    """Codes of the built-in stock levers in the plan (reach 'new' folded in as NEW)."""

    COST = 0
    INFLOW = 1
    DURATION = 2
    PRICE = 3
    NEW = 4


class CombineCode(IntEnum):
    """Codes of the built-in combine rules in the plan."""

    MULTIPLICATIVE = 0
    ADDITIVE = 1


# --- effect kinds ------------------------------------------------------------------------------


def fraction_share(profile: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """A fraction is already a share of the post."""
    return profile


def amount_share(profile: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Euro per year off the post, as a share of its baseline (0 where the baseline is 0)."""
    return np.divide(profile, baseline, out=np.zeros(np.broadcast_shapes(profile.shape, baseline.shape)),
                     where=baseline > 0)


EFFECT_KINDS.register(EffectKind.FRACTION, fraction_share)
EFFECT_KINDS.register(EffectKind.AMOUNT, amount_share)


# --- stock levers --------------------------------------------------------------------------------


def _inflow(lv: StockLevers, f: np.ndarray) -> None:
    lv.inflow = lv.inflow * (1.0 - f)


def _duration(lv: StockLevers, f: np.ndarray) -> None:
    lv.outflow = lv.outflow / np.maximum(1.0 - f, 1e-9)


def _price_new(lv: StockLevers, f: np.ndarray) -> None:
    lv.price_new.append(f)


def _price(lv: StockLevers, f: np.ndarray) -> None:
    lv.price_all = lv.price_all * (1.0 - f)


def _cost(lv: StockLevers, f: np.ndarray) -> None:
    lv.cost = lv.cost * (1.0 - f)


STOCK_LEVERS.register(Lever.COST, _cost)
STOCK_LEVERS.register(Lever.INFLOW, _inflow)
STOCK_LEVERS.register(Lever.DURATION, _duration)
STOCK_LEVERS.register(Lever.PRICE, _price)
STOCK_LEVERS.register(NEW_CLIENTS, _price_new)


def stock_lever_of(e: Effect) -> str:
    """The stock lever an effect works through: reach 'new' applies to the price or the cost."""
    if e.lever in (Lever.INFLOW, Lever.DURATION) or e.reach != Reach.NEW:
        return e.lever
    return NEW_CLIENTS


# --- combine rules ------------------------------------------------------------------------------


def multiplicative(baseline: np.ndarray, fs: Sequence[np.ndarray], out: np.ndarray) -> None:
    """Each measure takes its share of what the others leave: B * prod (1 - f)."""
    keep = 1.0 - fs[0]
    for f in fs[1:]:
        keep *= 1.0 - f
    np.multiply(baseline, keep, out=out)


def additive(baseline: np.ndarray, fs: Sequence[np.ndarray], out: np.ndarray) -> None:
    """Shares add up, to the whole post and no further: B * (1 - min(sum f, 1))."""
    if len(fs) == 1:  # one measure: both rules agree (fractions are capped at 1)
        multiplicative(baseline, fs, out)
        return
    total = np.minimum(sum(fs[1:], fs[0]), 1.0)
    out[...] = baseline * (1.0 - total)


COMBINE_RULES.register(Combine.MULTIPLICATIVE, multiplicative)
COMBINE_RULES.register(Combine.ADDITIVE, additive)


# --- one post with its measures --------------------------------------------------------------------

#: one effect on a post: (active measure row, share [-] dims (year, path), stock lever code)
Item = tuple[int, np.ndarray, int]


def stock_with_measures(env: Env, p: Post, growth: tuple[np.ndarray, np.ndarray], items: Sequence[Item],
                        baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spending of a stock post with all its measures [EUR], dims (year, path), and each
    measure's standalone saving [EUR], dims (item, year, path)."""
    vol, price = growth

    def spend(subset: Sequence[Item]) -> np.ndarray:
        lv = StockLevers.none(env.n_years)
        for _, f, code in subset:
            STOCK_LEVERS[code](lv, f)
        return stock_cost(env, p, vol, price, lv) * lv.cost

    total = spend(items)
    standalone = np.stack([baseline - spend([it]) for it in items])
    return total, standalone


def attribute(saved: np.ndarray, standalone: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each measure's part of a post's saving [EUR], dims (year, path) each.

    Pro rata: each measure keeps its standalone saving and carries a share of the interaction
    loss in proportion to its size; the parts add up to the post's saving.
    """
    if len(standalone) == 1:
        return [saved]
    loss = saved - sum(standalone[1:], standalone[0])
    weight = [np.abs(x) for x in standalone]
    wsum = sum(weight[1:], weight[0])
    per_weight = np.divide(loss, wsum, out=np.zeros_like(loss), where=wsum > 0)
    for x, wt in zip(standalone, weight, strict=True):
        wt *= per_weight
        wt += x
    return weight
