"""The compiled plan: a scenario as index arrays and small records, the engine's seam.

The engine never walks the scenario's objects to find out which post an effect acts on,
which measures share a cost, or what part of a measure a municipality carries: all of that
is worked out once per scenario by :func:`compile_plan` (cached) and read from plain numpy
arrays. Integer codes stand for the vocabulary (effect kinds, stock levers, combine rules:
their positions in the registries of :mod:`simulator.core.levers`; the built-ins are named
by ``KindCode``, ``LeverCode`` and ``CombineCode`` there), so a compiled kernel can consume
the plan as arrays and scalars. Quantities (numbers, names, formulas, year
tables) stay references to the scenario's objects: they are evaluated by
:mod:`simulator.core.quantities` into (year, path) arrays before any arithmetic.

Shapes: P posts, M measures (all of them; a run's active ones are a selection), E effects
(of all measures, measure by measure), S scopes, G cost groups, Y model years.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from simulator.core.levers import COMBINE_RULES, EFFECT_KINDS, STOCK_LEVERS, stock_lever_of
from simulator.scenario.model import (
    Component,
    CostGroup,
    Decision,
    EffectKind,
    Law,
    Lever,
    Measure,
    Payer,
    Post,
    Reach,
    Relation,
    Scenario,
    Scope,
    relation_graph,
)

#: codes of the relations in ``Plan.relation_kind`` (positions in :class:`Relation`)
RELATION_CODES = {r: i for i, r in enumerate(Relation)}


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    """A scenario compiled for the engine. Arrays are read-only.

    Attributes
    ----------
    scenario : Scenario
        The source, for what is not on the hot path: the random inputs and correlations
        (sampling), ids and labels (results), the file name (messages).
    model_years : ndarray
        Model years [year], dims (year,): from the year after the base year to the last
        horizon year (growth and stocks need the years in between).
    horizon_start : int
        Index of the first horizon year in ``model_years``; results keep ``[horizon_start:]``.
    posts : tuple of Post
        Posts in order (their growth and stock quantities are evaluated per block).
    post_base : ndarray
        Base-year expenditure [EUR], dims (post,).
    post_combine : ndarray
        Combine rule code (registry :data:`~simulator.core.levers.COMBINE_RULES`), dims (post,).
    post_is_stock : ndarray
        Whether the post is a stock of clients, dims (post,).
    measures : tuple of Measure
        Every measure in order (their quantities and input keys are read per block).
    measure_post : ndarray
        Index of the post a measure's costs are booked on, dims (measure,).
    measure_group : ndarray
        Index of the measure's cost group, -1 for none, dims (measure,).
    measure_substitution_post : ndarray
        Index of the post substitution lands on, -1 for none, dims (measure,).
    effect_offsets : ndarray
        Effects of measure i are ``effect_offsets[i]:effect_offsets[i + 1]``, dims (measure + 1,).
    effect_post : ndarray
        Index of the post each effect acts on, dims (effect,).
    effect_kind : ndarray
        Effect kind code (registry :data:`~simulator.core.levers.EFFECT_KINDS`), dims (effect,).
    effect_lever : ndarray
        Stock lever code, reach folded in (registry :data:`~simulator.core.levers.STOCK_LEVERS`),
        dims (effect,); read on stock posts only.
    effects : tuple of Effect
        The effects in the same order (their value quantity).
    cost_groups : tuple of CostGroup
        Shared costs, dims (group,).
    scopes : tuple of Scope
        Every scope the results report (see :func:`scopes_of`).
    scope_posts : ndarray
        Membership, dims (scope, post), bool.
    scope_post_weight : ndarray
        A scope's share of each post's amounts [-], dims (scope, post): 1 for the region,
        the municipality's verdeelsleutel for its law otherwise.
    scope_measure_weight : ndarray
        A scope's part of each measure [-], dims (scope, measure) (see :func:`measure_weight`).
    scope_cost_weight : ndarray
        A scope's part of each measure's costs [-], dims (scope, measure): the measure's weight
        where the scope holds what pays the costs (``paid_by``), else 0.
    measure_cost_in_total : ndarray
        1 where a measure's costs count in the programme's totals, 0 when paid from outside,
        dims (measure,).
    decisions : tuple of Decision
        Shared decisions (their go-ahead and delay input keys), dims (decision,).
    measure_decision : ndarray
        Index of the decision a measure hangs on, -1 for none, dims (measure,).
    measure_order : ndarray
        Measure indices in an order in which each go-ahead depends only on earlier ones, dims (measure,).
    relation_offsets : ndarray
        Relations of measure i are ``relation_offsets[i]:relation_offsets[i + 1]``, dims (measure + 1,).
    relation_kind : ndarray
        Relation code (position in :class:`~simulator.scenario.model.Relation`: 0 require,
        1 replace, 2 exclude), dims (relation,).
    relation_target : ndarray
        Index of the other measure, or of the decision where ``relation_is_decision``, dims (relation,).
    relation_is_decision : ndarray
        Whether the relation names a decision (only ``require`` may), dims (relation,), bool.
    components : tuple of Component
        The components of all measures, measure by measure, dims (component,).
    component_measure : ndarray
        Index of each component's measure, dims (component,).
    effect_component : ndarray
        Index of the component an effect belongs to, -1 for the measure itself, dims (effect,).
    effect_euro_delay : ndarray
        Whether a delay moves the effect as euros (a fraction on the cost), dims (effect,), bool;
        otherwise (amounts: already euros; stock levers: the lever moves) the profile moves as is.
    """

    scenario: Scenario
    model_years: np.ndarray
    horizon_start: int
    posts: tuple[Post, ...]
    post_base: np.ndarray
    post_combine: np.ndarray
    post_is_stock: np.ndarray
    measures: tuple[Measure, ...]
    measure_post: np.ndarray
    measure_group: np.ndarray
    measure_substitution_post: np.ndarray
    effect_offsets: np.ndarray
    effect_post: np.ndarray
    effect_kind: np.ndarray
    effect_lever: np.ndarray
    effects: tuple
    cost_groups: tuple[CostGroup, ...]
    scopes: tuple[Scope, ...]
    scope_posts: np.ndarray
    scope_post_weight: np.ndarray
    scope_measure_weight: np.ndarray
    scope_cost_weight: np.ndarray
    measure_cost_in_total: np.ndarray
    decisions: tuple[Decision, ...]
    measure_decision: np.ndarray
    measure_order: np.ndarray
    relation_offsets: np.ndarray
    relation_kind: np.ndarray
    relation_target: np.ndarray
    relation_is_decision: np.ndarray
    components: tuple[Component, ...]
    component_measure: np.ndarray
    effect_component: np.ndarray
    effect_euro_delay: np.ndarray

    @property
    def n_years(self) -> int:
        """Number of model years."""
        return len(self.model_years)

    @property
    def horizon(self) -> slice:
        """The horizon years within the model years."""
        return slice(self.horizon_start, len(self.model_years))

    def active(self, ids: frozenset[str] | None) -> np.ndarray:
        """Indices of the measures in the package, in scenario order, dims (active,)."""
        return np.array([i for i, m in enumerate(self.measures) if ids is None or m.id in ids], dtype=np.intp)


def model_years(scenario: Scenario) -> np.ndarray:
    """The model years [year]: from the year after the base year to the last horizon year."""
    return np.arange(scenario.base_year + 1, scenario.years[-1] + 1)


def scopes_of(scenario: Scenario) -> tuple[Scope, ...]:
    """Every scope the results report: all and each law, each municipality, targets, budgets."""
    seen: dict[tuple, Scope] = {}

    def add(s: Scope) -> None:
        seen.setdefault((s.label, s.municipality), s)  # a label names one set of posts

    add(Scope(tuple(p.id for p in scenario.posts), "all"))
    for law in Law:
        posts = scenario.posts_of(law.value)
        if posts:
            add(Scope(posts, law.value))
    for m in scenario.municipalities:
        add(Scope(tuple(p.id for p in scenario.posts), "all", m.id))
    for scope in [t.scope for t in scenario.targets] + [b.scope for b in scenario.budgets]:
        add(scope)
    for k in scenario.booked:
        add(booked_scope(scenario, k))
    return tuple(seen.values())


def booked_scope(scenario: Scenario, booked) -> Scope:
    """The scope of the measures a booked saving overlaps, seen from its participant."""
    touched = {p for m in scenario.measures if m.id in booked.overlaps for p in (*(e.post for e in m.effects), m.post)}
    s = booked.scope
    return Scope(tuple(p.id for p in scenario.posts if p.id in touched), s.label, s.municipality, s.measures)


def share_of(scenario: Scenario, municipality: str | None, law: str) -> float:
    """A municipality's share of a law's amounts (its verdeelsleutel); 1 for the region."""
    if municipality is None:
        return 1.0
    return scenario.municipality(municipality).share(law)


def measure_weight(scenario: Scenario, m: Measure, municipality: str | None) -> float:
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


def relation_order(measures: tuple[Measure, ...]) -> list[int]:
    """Measure indices in an order where every go-ahead depends only on earlier ones (see
    :func:`~simulator.scenario.model.relation_graph`; the loader has refused cycles)."""
    index = {m.id: i for i, m in enumerate(measures)}
    before = relation_graph(measures)
    order: list[int] = []
    done: set[str] = set()

    def visit(mid: str) -> None:
        if mid in done:
            return
        done.add(mid)
        for x in sorted(before[mid]):
            visit(x)
        order.append(index[mid])

    for m in measures:
        visit(m.id)
    return order


def cost_weight(scenario: Scenario, m: Measure, scope: Scope) -> float:
    """A scope's part of a measure's costs [-]: where its payer (``paid_by``) lies in the scope.

    Its post (default, or ``post:``): the post in the scope, at the measure's weight. ``law:``: a
    scope holding a post of that law. ``municipality:``: that municipality alone, in full, and
    the region. ``fund:`` and ``outside``: no municipality's goal.
    """
    pb = m.paid_by
    w = measure_weight(scenario, m, scope.municipality)
    if pb is None or pb.kind == Payer.POST:
        post = m.post if pb is None else pb.ref
        return w if post in scope.posts else 0.0
    if pb.kind == Payer.LAW:
        return w if any(scenario.post(p).law == pb.ref for p in scope.posts) else 0.0
    if pb.kind == Payer.MUNICIPALITY:
        if scope.municipality is None:
            return 1.0
        return 1.0 if scope.municipality == pb.ref else 0.0
    return 0.0  # a fund or outside: in no municipality's goal


def euro_delay(e: object) -> bool:
    """Whether a delay moves an effect as euros: a fraction of the cost (not a stock lever)."""
    return (getattr(e, "kind", None) == EffectKind.FRACTION and getattr(e, "lever", None) == Lever.COST
            and getattr(e, "reach", None) != Reach.NEW)


#: compiled plans by scenario object: id -> (scenario, plan), most recently used last
_PLANS: OrderedDict[int, tuple[Scenario, Plan]] = OrderedDict()
_PLANS_MAX = 64
_PLANS_LOCK = threading.Lock()


def compile_plan(scenario: Scenario) -> Plan:
    """The plan of a scenario, compiled once per scenario object (blocks on threads share it).

    Cached by identity, not by equality: a Scenario hashes by its file's digest, which
    scenarios built in memory share (and comparing two whole scenarios is slow); the cache
    holds the scenario itself, so its id cannot be reused while it is cached.
    """
    with _PLANS_LOCK:
        hit = _PLANS.get(id(scenario))
        if hit is not None and hit[0] is scenario:
            _PLANS.move_to_end(id(scenario))
            return hit[1]
    plan = _compile(scenario)
    with _PLANS_LOCK:
        _PLANS[id(scenario)] = (scenario, plan)
        while len(_PLANS) > _PLANS_MAX:
            _PLANS.popitem(last=False)
    return plan


def _compile(scenario: Scenario) -> Plan:
    post_index = {p.id: i for i, p in enumerate(scenario.posts)}
    group_index = {g.id: i for i, g in enumerate(scenario.cost_groups)}
    effects = tuple(e for m in scenario.measures for e in m.effects)
    offsets = np.cumsum([0, *(len(m.effects) for m in scenario.measures)])
    scopes = scopes_of(scenario)
    posts, measures = scenario.posts, scenario.measures
    measure_index = {m.id: i for i, m in enumerate(measures)}
    decision_index = {d.id: i for i, d in enumerate(scenario.decisions)}
    component_offset = np.cumsum([0, *(len(m.components) for m in measures)])
    return Plan(
        scenario=scenario,
        model_years=_frozen(model_years(scenario)),
        horizon_start=len(model_years(scenario)) - len(scenario.years),
        posts=posts,
        post_base=_frozen(np.array([p.base for p in posts], dtype=np.float64)),
        post_combine=_frozen(np.array([COMBINE_RULES.code(p.combine) for p in posts], dtype=np.int8)),
        post_is_stock=_frozen(np.array([p.stock is not None for p in posts], dtype=bool)),
        measures=measures,
        measure_post=_frozen(np.array([post_index[m.post] for m in measures], dtype=np.intp)),
        measure_group=_frozen(np.array([group_index[m.cost_group] if m.cost_group else -1 for m in measures],
                                       dtype=np.intp)),
        measure_substitution_post=_frozen(np.array(
            [post_index[m.substitution.post] if m.substitution and m.substitution.post is not None else -1
             for m in measures], dtype=np.intp)),
        effect_offsets=_frozen(offsets.astype(np.intp)),
        effect_post=_frozen(np.array([post_index[e.post] for e in effects], dtype=np.intp)),
        effect_kind=_frozen(np.array([EFFECT_KINDS.code(e.kind) for e in effects], dtype=np.int8)),
        effect_lever=_frozen(np.array([STOCK_LEVERS.code(stock_lever_of(e)) for e in effects], dtype=np.int8)),
        effects=effects,
        cost_groups=scenario.cost_groups,
        scopes=scopes,
        # a measure scope sees its measures' savings on its posts (those they act on, unless named)
        # and their costs booked there; its baseline is that of those posts (shown, never judged)
        scope_posts=_frozen(np.array([[p.id in s.posts for p in posts] for s in scopes],
                                     dtype=bool).reshape(len(scopes), len(posts))),
        scope_post_weight=_frozen(np.array([[share_of(scenario, s.municipality, p.law) if p.id in s.posts else 0.0
                                             for p in posts]
                                            for s in scopes], dtype=np.float64).reshape(len(scopes), len(posts))),
        scope_measure_weight=_frozen(np.array([[measure_weight(scenario, m, s.municipality)
                                                if s.measures is None or m.id in s.measures else 0.0
                                                for m in measures]
                                               for s in scopes], dtype=np.float64)
                                     .reshape(len(scopes), len(measures))),
        scope_cost_weight=_frozen(np.array([[cost_weight(scenario, m, s) for m in measures] for s in scopes],
                                           dtype=np.float64).reshape(len(scopes), len(measures))),
        measure_cost_in_total=_frozen(np.array(
            [0.0 if m.paid_by is not None and m.paid_by.kind == Payer.OUTSIDE else 1.0 for m in measures],
            dtype=np.float64)),
        decisions=scenario.decisions,
        measure_decision=_frozen(np.array([decision_index[m.decision] if m.decision else -1 for m in measures],
                                          dtype=np.intp)),
        measure_order=_frozen(np.array(relation_order(measures), dtype=np.intp)),
        relation_offsets=_frozen(np.cumsum([0, *(len(m.relations) for m in measures)]).astype(np.intp)),
        relation_kind=_frozen(np.array([RELATION_CODES[h] for m in measures for h, _ in m.relations], dtype=np.int8)),
        relation_target=_frozen(np.array([measure_index[x] if x in measure_index else decision_index[x]
                                          for m in measures for _, x in m.relations], dtype=np.intp)),
        relation_is_decision=_frozen(np.array([x not in measure_index for m in measures for _, x in m.relations],
                                              dtype=bool)),
        components=tuple(c for m in measures for c in m.components),
        component_measure=_frozen(np.array([i for i, m in enumerate(measures) for _ in m.components],
                                           dtype=np.intp)),
        effect_component=_frozen(np.array(
            [component_offset[i] + e.component if e.component >= 0 else -1
             for i, m in enumerate(measures) for e in m.effects], dtype=np.intp)),
        effect_euro_delay=_frozen(np.array([euro_delay(e) for e in effects], dtype=bool)),
    )


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a
