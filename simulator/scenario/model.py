"""The scenario as typed, immutable objects: what the loader builds and the engine reads.

Nothing here parses or validates raw data (see :mod:`simulator.scenario.loader`); nothing here
draws random numbers (see :mod:`simulator.core.engine`). Money is euro per year unless a field
says otherwise; fractions are shares of a post's cost (0.1 = 10%).

Why one module of about 600 lines: these are declarations only (frozen dataclasses and the
StrEnum vocabulary, no logic beyond look-ups), and ``Scenario`` refers to every one of them;
one file is the one place a reader looks up what a scenario can say, section by section in the
file's own order (quantities, inputs, posts, measures, decisions, goals, readings). Split it by
section when a section grows logic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from simulator.scenario.distributions import Distribution
from simulator.scenario.expressions import Expression

# --- the vocabulary: one place for every closed set of words in a scenario -----------------
# StrEnum values equal the words of the file, so a plain string read by the loader compares,
# hashes and formats as its member does.


class Law(StrEnum):
    """The law a post or a measure's costs fall under."""

    WMO = "wmo"
    JEUGDWET = "jeugdwet"
    OTHER = "other"


LAWS: tuple[str, ...] = tuple(law.value for law in Law)


class Role(StrEnum):
    """What a random input stands for (``@ROLE`` in a variant; plan values go by role)."""

    PARAMETER = "parameter"
    GROWTH = "growth"
    STOCK = "stock"
    EFFECT = "effect"
    EFFECT_FACTOR = "effect_factor"
    PHASE = "phase"
    GO_AHEAD = "go_ahead"
    DELAY = "delay"
    COST = "cost"
    COST_FACTOR = "cost_factor"
    SUBSTITUTION = "substitution"


class EffectKind(StrEnum):
    """How an effect's value reads: a share of the post, or euro per year off it."""

    FRACTION = "fraction"
    AMOUNT = "amount"


class Lever(StrEnum):
    """What an effect acts on: the cost, or (on a stock post) inflow, duration or price."""

    COST = "cost"
    INFLOW = "inflow"
    DURATION = "duration"
    PRICE = "price"


class Reach(StrEnum):
    """Which clients an effect reaches: all, or those who entered after the start."""

    ALL = "all"
    NEW = "new"


class Combine(StrEnum):
    """How several measures' shares of one post combine."""

    MULTIPLICATIVE = "multiplicative"
    ADDITIVE = "additive"


# --- quantities: a value per year and path, built from numbers, names and formulas ------


@dataclass(frozen=True, slots=True)
class Const:
    value: float


@dataclass(frozen=True, slots=True)
class Ref:
    """A named value: a parameter or a random input (by its stable key)."""

    name: str


@dataclass(frozen=True, slots=True)
class Formula:
    expression: Expression


@dataclass(frozen=True, slots=True)
class ByYear:
    """One quantity per listed year; years not listed are 0."""

    years: tuple[int, ...]
    values: tuple[Quantity, ...]


Quantity = Const | Ref | Formula | ByYear


def quantity_names(q: Quantity) -> frozenset[str]:
    """Every name a quantity reads."""
    match q:
        case Const():
            return frozenset()
        case Ref(name):
            return frozenset({name})
        case Formula(expression):
            return expression.names
        case ByYear(values=values):
            out: frozenset[str] = frozenset()
            for v in values:
                out |= quantity_names(v)
            return out
    raise TypeError(q)  # pragma: no cover


# --- random inputs ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RandomInput:
    """One uncertain input. ``key`` is stable (it seeds the input's own random stream).

    ``per_year`` draws independently each year; otherwise one draw holds for all years.
    ``deterministic`` says which value deterministic mode uses: the plan ``point`` or the
    ``mean`` (growth rates), or ``certain`` (go-ahead 1, delay 0).
    """

    key: str
    distribution: Distribution
    role: Role
    per_year: bool = False
    deterministic: Literal["point", "mean"] = "point"
    label: str = ""


@dataclass(frozen=True, slots=True)
class Correlation:
    """Rank correlation between random inputs (Gaussian copula)."""

    members: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]
    reason: str


# --- posts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stock:
    """Clients as a stock: N[t] = N[t-1] * (1 - outflow) + inflow[t]; cost = N * cost per client."""

    clients: float
    outflow_rate: Quantity
    inflow: Quantity | None  # None: the steady state, clients * outflow_rate


@dataclass(frozen=True, slots=True)
class Post:
    """A cost post (voorziening). ``base`` is the base-year expenditure [EUR]."""

    id: str
    name: str
    law: Law
    base: float
    clients: float | None
    volume_growth: Quantity | None  # yearly rate, or None
    price_growth: Quantity | None
    combine: Combine
    stock: Stock | None
    source: str


# --- measures ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Effect:
    """What a measure does to one post: a fraction of its cost, or euro per year.

    On a stock post the lever may also be ``inflow`` or ``duration`` (fraction less), and
    ``price`` (fraction off the cost per client). ``reach`` ``new`` applies a price or
    cost effect only to clients who entered (or were re-indicated) after the start.
    """

    post: str
    kind: EffectKind
    value: Quantity
    lever: Lever = Lever.COST
    reach: Reach = Reach.ALL
    component: int = -1  # index of the measure's component it belongs to; -1: the measure itself


@dataclass(frozen=True, slots=True)
class PhaseTable:
    """Share of the full effect per year (ingroeipad)."""

    years: tuple[int, ...]
    shares: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class PhaseTurnover:
    """Share reached grows with client turnover: 1 - (1 - rate)^(t - start + 1/2)."""

    rate: Quantity


@dataclass(frozen=True, slots=True)
class Substitution:
    """Part of a measure's gross saving reappears as cost (local team, voorliggend veld)."""

    share: Quantity
    post: str | None


class Relation(StrEnum):
    """How a measure's go-ahead depends on another measure or a decision."""

    REQUIRE = "require"  # only if the other goes ahead (a decision: is taken)
    REPLACE = "replace"  # only if the other measure fails, and then it takes its place
    EXCLUDE = "exclude"  # if this one goes ahead, the other does not


class Payer(StrEnum):
    """Who carries a measure's costs (``paid_by``)."""

    POST = "post"  # booked on a post: counted where that post is
    LAW = "law"  # a law's budget: counted in scopes that hold a post of that law
    MUNICIPALITY = "municipality"  # one participant alone
    FUND = "fund"  # a regional fund: in the programme's total, in no municipality's goal
    OUTSIDE = "outside"  # outside the programme: in no total and no goal


@dataclass(frozen=True, slots=True)
class PaidBy:
    """What carries a measure's costs: ``kind`` and the post, law, municipality or fund named."""

    kind: Payer
    ref: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision several measures hang on: one go-ahead and one delay draw per path."""

    id: str
    name: str
    go_ahead: str | None  # random-input key (bernoulli), None: certain
    delay: str | None  # random-input key [year], None: on time
    source: str


@dataclass(frozen=True, slots=True)
class Component:
    """A part of a measure with its own effect, go-ahead and delay (contracted vs behavioural).

    Its effects are in the measure's ``effects`` with ``component`` set to its index. It goes
    ahead only where the measure does; its delay adds to the measure's.
    """

    id: str
    name: str
    start: int
    phase: PhaseTable | PhaseTurnover | None
    effect_factor: str | None
    go_ahead: str | None
    delay: str | None
    source: str


BASES = ("drivers", "input", "derived")  # how a scenario arrives at a published row


@dataclass(frozen=True, slots=True)
class FigureVersion:
    """Another printed version of one published figure: a text driver, a summary list, a sum per municipality.

    ``value`` is in the [published] unit and in taaksim's sign convention (effect saving > 0,
    cost > 0, net = effect - cost), however the document prints it.
    """

    version: str  # what prints it, e.g. "text driver", "raadsvoorstel summary list"
    field: str  # effect | cost | net
    year: int
    value: float
    line: int | None  # line in the seed text
    quote: str = ""  # the printed words or cells, as printed
    basis: str | None = None  # None: the row's basis


@dataclass(frozen=True, slots=True)
class Published:
    """Figures as printed in the source document [EUR].

    ``basis`` says per row (effect, cost, net) how the scenario arrives at it: ``drivers``
    (computed from the document's own drivers), ``input`` (the scenario's input is the printed
    figure) or ``derived`` (not printed; filled in by the scenario). ``lines`` gives the seed line
    of each printed row. ``explain`` notes explain a figure and change nothing; ``notes`` are
    excuses for a mismatch and never turn a failure into a pass. ``versions`` are the figure's
    other printed versions, each checked.
    """

    effect: dict[int, float] = field(default_factory=dict)
    cost: dict[int, float] = field(default_factory=dict)
    net: dict[int, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    tolerance: float | None = None  # None: the [published] tolerance
    basis: dict[str, str] = field(default_factory=dict)  # row -> one of BASES; absent: the default
    lines: dict[str, int] = field(default_factory=dict)  # row -> line in the seed text
    explain: dict[str, str] = field(default_factory=dict)  # "net 2022" -> note
    versions: tuple[FigureVersion, ...] = ()


@dataclass(frozen=True, slots=True)
class PublishedGroup:
    """A printed subtotal of some measures (the new measures of a letter, one chapter)."""

    measures: tuple[str, ...]
    published: Published


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    name: str
    law: Law  # where its costs are booked
    effects: tuple[Effect, ...]
    start: int
    phase: PhaseTable | PhaseTurnover | None
    effect_factor: str | None  # random-input key of a multiplier on every effect
    go_ahead: str | None  # random-input key (bernoulli)
    delay: str | None  # random-input key (years, may be fractional)
    costs: Quantity | None  # implementation / transition costs [EUR per year]
    committed_costs: Quantity | None  # paid whether or not it goes ahead (spent before the decision)
    post: str  # where costs are booked: the measure's post, else its first effect's
    cost_factor: str | None
    delay_shifts_costs: bool
    cost_group: str | None
    substitution: Substitution | None
    municipalities: tuple[str, ...] | None  # None: all
    published: Published
    source: str
    decision: str | None = None  # id of the decision it hangs on
    relations: tuple[tuple[Relation, str], ...] = ()  # (how, measure or decision id)
    components: tuple[Component, ...] = ()
    paid_by: PaidBy | None = None  # None: its post carries its costs

    def effects_of(self, component: int) -> tuple[Effect, ...]:
        """The effects of one component (-1: the measure's own)."""
        return tuple(e for e in self.effects if e.component == component)


def relation_graph(measures: tuple[Measure, ...] | list[Measure]) -> dict[str, set[str]]:
    """Measure id -> ids of the measures whose go-ahead must be settled before its own.

    ``require`` X: X and whatever replaces X (a replacement takes X's place); ``replace`` X: X;
    ``exclude`` X: X comes after this measure (this one cancels it). Decisions are drawn, not
    settled, so they are no nodes.
    """
    ids = {m.id for m in measures}
    before: dict[str, set[str]] = {m.id: set() for m in measures}
    replacers: dict[str, set[str]] = {m.id: set() for m in measures}
    for m in measures:
        for how, x in m.relations:
            if how == Relation.REPLACE and x in ids:
                replacers[x].add(m.id)
    for m in measures:
        for how, x in m.relations:
            if x not in ids:
                continue
            if how == Relation.EXCLUDE:
                before[x].add(m.id)
            else:
                before[m.id].add(x)
                if how == Relation.REQUIRE:
                    before[m.id] |= replacers[x]
    return before


@dataclass(frozen=True, slots=True)
class CostGroup:
    """A cost shared by measures (one re-indication operation): paid once if any goes ahead."""

    id: str
    costs: Quantity
    law: Law
    source: str


# --- targets, budgets, municipalities ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of posts (by law or by id), or a set of measures, optionally seen from one municipality.

    A measure scope (``measures`` set) judges those measures' net savings: their attributed
    gross savings on every post, less their costs; ``posts`` are then the posts they act on.
    """

    posts: tuple[str, ...]
    label: str
    municipality: str | None = None
    measures: tuple[str, ...] | None = None


def scope_label(scope: Scope) -> str:
    """The label a result uses for a scope: "wmo", "all@hilversum"."""
    return scope.label + (f"@{scope.municipality}" if scope.municipality else "")


class Basis(StrEnum):
    """What a goal is measured against (see docs/model.md, "Goals")."""

    COUNTERFACTUAL = "counterfactual"  # spending without the measures: net savings
    BASE_YEAR = "base_year"  # spending in a named year
    BUDGET = "budget"  # a begroting path per year


GOAL_BASES: tuple[str, ...] = tuple(b.value for b in Basis)

#: a price level: "nominal" or the year whose constant prices the amounts are in
PriceLevel = str | int


def price_level_words(level: PriceLevel, lang: str = "nl") -> str:
    """A price level in a controller's words: "lopende prijzen", "prijzen 2024"."""
    if level == "nominal":
        return "lopende prijzen" if lang == "nl" else "nominal prices"
    return f"prijspeil {level}" if lang == "nl" else f"constant {level} prices"


@dataclass(frozen=True, slots=True)
class Target:
    """A savings target (taakstelling) per year on a stated basis and price level.

    ``basis`` counterfactual: the scope's net savings reach the amount. ``base_year``: spending
    in ``base_year`` less this year's spending reaches it. ``budget``: spending stays within
    ``budget`` (the begroting per year), less the amount unless ``taakstelling_in_budget``.
    Amounts (and the budget path) are in ``price_level`` prices.
    """

    id: str
    scope: Scope
    amounts: dict[int, float]
    basis: Basis
    source: str
    price_level: PriceLevel = "nominal"
    base_year: int | None = None
    budget: dict[int, float] | None = None
    taakstelling_in_budget: bool | None = None

    def __hash__(self) -> int:
        return hash((self.id, self.scope))


@dataclass(frozen=True, slots=True)
class Budget:
    """Ceiling on spending (posts with measures, plus measure costs) per year: the begroting,
    in ``price_level`` prices. Its basis is always the budget itself."""

    id: str
    scope: Scope
    amounts: dict[int, float]
    source: str
    price_level: PriceLevel = "nominal"
    basis: Basis = Basis.BUDGET

    def __hash__(self) -> int:
        return hash((self.id, self.scope))


@dataclass(frozen=True, slots=True)
class Prices:
    """What prices the simulated costs are in, and the indexation that converts between levels.

    ``simulated``: "nominal" (posts carry price growth) or the year of constant prices (the base
    year when posts carry no price growth). ``indexation``: the yearly price rise [fraction per
    year] as a quantity (number, year table, distribution); None: no conversion is possible.
    """

    simulated: PriceLevel
    indexation: Quantity | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Booked:
    """Savings a participant already booked in its own begroting, overlapping programme measures:
    for that participant's goals the overlap counts once (see docs/model.md, "Booked savings")."""

    id: str
    municipality: str
    amounts: dict[int, float]  # year -> booked saving [EUR], in ``price_level`` prices
    overlaps: tuple[str, ...]  # measure ids
    source: str
    price_level: PriceLevel = "nominal"

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def scope(self) -> Scope:
        """The overlapping measures seen from the participant (their net savings)."""
        return measure_scope(self.overlaps, (), self.municipality)


def measure_scope(measures: tuple[str, ...], posts: tuple[str, ...], municipality: str | None) -> Scope:
    """The scope of a set of measures: one label per set, whatever the order."""
    ms = tuple(sorted(set(measures)))
    return Scope(posts, "measures:" + "+".join(ms), municipality, ms)


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of an ambiguous text: replacements on the document by key path.

    Exactly one reading of a scenario is ``literal`` (the words as printed); it is the default.
    """

    id: str
    name: str
    literal: bool
    quote: str
    source: str
    set: dict[str, object]

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Municipality:
    """A participant of a regional programme; ``shares`` per law (verdeelsleutel)."""

    id: str
    name: str
    shares: dict[str, float]
    source: str

    def share(self, law: str) -> float:
        return self.shares.get(law, self.shares.get("default", 0.0))

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class PublishedTotals:
    """Programme totals as printed, and how figures are printed.

    Figures are in ``unit`` euro (1e6 for a document in EUR mln); ``figure_tolerance`` and
    ``tolerance`` (for totals) are in the same unit: the document's rounding.
    """

    effect: dict[int, float]
    cost: dict[int, float]
    net: dict[int, float]
    notes: dict[str, str]
    tolerance: float
    figure_tolerance: float
    unit: float
    by_law: dict[str, Published] = field(default_factory=dict)  # totals per law, if printed
    total: Published = field(default_factory=Published)  # the totals' basis, lines, explain, versions
    groups: dict[str, PublishedGroup] = field(default_factory=dict)  # printed subtotals, by name


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    region: str
    base_year: int
    years: tuple[int, ...]
    description: str
    posts: tuple[Post, ...]
    parameters: dict[str, Quantity]  # name -> quantity (random ones are Ref to an input)
    parameter_order: tuple[str, ...]  # dependency order for evaluation
    inputs: tuple[RandomInput, ...]
    correlations: tuple[Correlation, ...]
    measures: tuple[Measure, ...]
    cost_groups: tuple[CostGroup, ...]
    targets: tuple[Target, ...]
    budgets: tuple[Budget, ...]
    municipalities: tuple[Municipality, ...]
    published_totals: PublishedTotals
    check_growth: Literal["mean", "none"]
    defaults_reason: str
    sources: dict[str, str]
    file: str
    digest: str  # sha256 of the file's bytes
    decisions: tuple[Decision, ...] = ()
    prices: Prices = field(default_factory=lambda: Prices("nominal"))
    booked: tuple[Booked, ...] = ()
    readings: tuple[Reading, ...] = ()
    reading: str | None = None  # the id of the reading this scenario was built under

    def __hash__(self) -> int:
        return hash(self.digest)

    # convenience look-ups (small tuples: linear search is fine and keeps objects plain)
    def post(self, post_id: str) -> Post:
        return next(p for p in self.posts if p.id == post_id)

    def measure(self, measure_id: str) -> Measure:
        return next(m for m in self.measures if m.id == measure_id)

    def decision(self, decision_id: str) -> Decision:
        return next(d for d in self.decisions if d.id == decision_id)

    def measure_inputs(self, measure_id: str) -> tuple[str, ...]:
        """Keys of the go-ahead and delay inputs a measure hangs on: its own, its components'
        and its decision's (shared with the decision's other measures)."""
        m = self.measure(measure_id)
        keys = [m.go_ahead, m.delay, *(k for c in m.components for k in (c.go_ahead, c.delay))]
        if m.decision is not None:
            d = self.decision(m.decision)
            keys += [d.go_ahead, d.delay]
        return tuple(k for k in keys if k is not None)

    def municipality(self, municipality_id: str) -> Municipality:
        return next(m for m in self.municipalities if m.id == municipality_id)

    def posts_of(self, law: str) -> tuple[str, ...]:
        return tuple(p.id for p in self.posts if law in ("all", p.law))

