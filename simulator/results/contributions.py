"""Each measure's contribution: alone, at the margin of the package, and what no-go, delay and
cost overruns take off it; the package's interaction loss; the plan per year.

Every run shares its random numbers with the others (see :class:`simulator.results.analysis.Study`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from simulator.core.sampling import plan_value
from simulator.scenario.model import Scenario

#: roles whose inputs are switched to their plan value step by step in the waterfall
GO, DELAY, COST, GROWTH = "go_ahead", "delay", ("cost", "cost_factor"), "growth"


class StudyLike(Protocol):
    """What contributions and the waterfall ask of a :class:`simulator.results.analysis.Study`
    (a protocol, so that module and this one do not import each other)."""

    scenario: Scenario
    paths: int
    municipality: str | None
    year: int | None
    aux_paths: int

    @property
    def net(self) -> np.ndarray: ...

    def rerun(self, paths: int | None = None, **options: Any) -> np.ndarray: ...

    def reruns(self, variants: Any, paths: int | None = None, **options: Any) -> list[np.ndarray]: ...

    def deterministic(self, active: frozenset[str] | None = None, year: int | None = None) -> float: ...

    def plan_values(self, roles: Any, measure: str | None = None) -> dict[str, float]: ...


@dataclass(frozen=True, slots=True)
class Distribution:
    """The range of an amount over paths.

    Attributes
    ----------
    mean, mean_se : float
        Mean [EUR] and its Monte Carlo standard error [EUR].
    p5, p50, p95 : float
        Percentiles [EUR].
    """

    mean: float
    mean_se: float
    p5: float
    p50: float
    p95: float

    @classmethod
    def of(cls, x: np.ndarray) -> Distribution:
        p5, p50, p95 = np.quantile(x, [0.05, 0.5, 0.95])
        se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
        return cls(float(x.mean()), se, float(p5), float(p50), float(p95))

    def to_json(self) -> dict[str, float]:
        return {"mean": self.mean, "mean_se": self.mean_se, "p5": self.p5, "p50": self.p50, "p95": self.p95}


@dataclass(frozen=True, slots=True)
class Part:
    """A component of a measure, in the measure's contribution.

    Attributes
    ----------
    id, name : str
        The component.
    p_go_ahead : float
        Probability the part goes ahead on its own draw [0-1] (the measure's comes on top).
    loss_no_go, loss_delay : float
        What letting the part's own go-ahead and delay vary takes off the package mean [EUR].
    """

    id: str
    name: str
    p_go_ahead: float
    loss_no_go: float
    loss_delay: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "p_go_ahead": self.p_go_ahead,
                "loss_no_go": self.loss_no_go, "loss_delay": self.loss_delay}


@dataclass(frozen=True, slots=True)
class Contribution:
    """One measure's net savings in the study year, in the study scope.

    Attributes
    ----------
    id, name, law : str
        The measure.
    p_go_ahead : float
        Probability it goes ahead [0-1] (1 without a go/no-go input).
    published : float or None
        The net figure the document prints for it [EUR] (None for a municipality or when not printed).
    plan_value : float
        The model's figure for it alone at plan values [EUR].
    standalone : Distribution
        The measure alone [EUR].
    marginal : Distribution
        Package minus the package without it, per path [EUR].
    loss_no_go, loss_delay, loss_cost_overrun : float
        What letting its go-ahead, delay and cost inputs vary takes off the package mean [EUR]
        (negative: a loss).
    loss_no_go_se, loss_delay_se, loss_cost_overrun_se : float
        Their Monte Carlo standard errors [EUR] (paired paths: the same random numbers).
    shortfall_vs_plan : float
        Plan (published, else plan value) minus its standalone mean [EUR].
    p_below_plan : float
        Probability it alone falls more than 0.5 euro below plan [0-1].
    parts : tuple of Part
        Its components, if it has any (their losses are inside the measure's).
    """

    id: str
    name: str
    law: str
    p_go_ahead: float
    published: float | None
    plan_value: float
    standalone: Distribution
    marginal: Distribution
    loss_no_go: float
    loss_delay: float
    loss_cost_overrun: float
    shortfall_vs_plan: float
    p_below_plan: float
    loss_no_go_se: float = 0.0
    loss_delay_se: float = 0.0
    loss_cost_overrun_se: float = 0.0
    parts: tuple[Part, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "law": self.law, "p_go_ahead": self.p_go_ahead,
               "published": self.published, "plan_value": self.plan_value,
               "standalone": self.standalone.to_json(), "marginal": self.marginal.to_json(),
               "loss_no_go": self.loss_no_go, "loss_no_go_se": self.loss_no_go_se,
               "loss_delay": self.loss_delay, "loss_delay_se": self.loss_delay_se,
               "loss_cost_overrun": self.loss_cost_overrun, "loss_cost_overrun_se": self.loss_cost_overrun_se,
               "shortfall_vs_plan": self.shortfall_vs_plan, "p_below_plan": self.p_below_plan}
        if self.parts:
            out["parts"] = [p.to_json() for p in self.parts]
        return out


@dataclass(frozen=True, slots=True)
class Contributions:
    """Every measure's contribution and the package's interaction loss.

    Attributes
    ----------
    year : int
        The study year.
    paths : int
        Paths of each run (the study's ``aux_paths``).
    measures : tuple of Contribution
        In the scenario's order.
    package, sum_standalone, interaction_loss : Distribution
        The package; the measures alone, summed per path; their difference (sum minus package) [EUR].
    """

    year: int
    paths: int
    measures: tuple[Contribution, ...]
    package: Distribution
    sum_standalone: Distribution
    interaction_loss: Distribution

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "paths": self.paths, "measures": [m.to_json() for m in self.measures],
                "package": self.package.to_json(), "sum_standalone": self.sum_standalone.to_json(),
                "interaction_loss": self.interaction_loss.to_json()}

    def to_frame(self) -> Any:
        """One row per measure (index: id): the scalar figures, and standalone/marginal mean, P5, P50, P95."""
        import pandas as pd

        rows = []
        for m in self.measures:
            row = {k: v for k, v in m.to_json().items() if not isinstance(v, (dict, list))}
            for part in ("standalone", "marginal"):
                row.update({f"{part}_{k}": v for k, v in getattr(m, part).to_json().items()})
            rows.append(row)
        return pd.DataFrame(rows).set_index("id")


def standard_error(x: np.ndarray) -> float:
    """Monte Carlo standard error of the mean of ``x`` [its unit] (0 for one path)."""
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0


def go_probability(s: Scenario, measure_id: str) -> float:
    """P(the measure goes ahead) [-]: its own go-ahead times its decision's; where it requires,
    replaces or excludes others (or is excluded), estimated over the paths of block 0 of seed 0."""
    m = s.measure(measure_id)
    involved = bool(m.relations) or any(x == m.id for o in s.measures for _, x in o.relations)
    if involved:
        from simulator.core.measures import go_aheads
        from simulator.core.plan import compile_plan
        from simulator.core.sampling import sample_inputs

        plan = compile_plan(s)
        values = sample_inputs(s, 1 << 14, seed=0, block=0, n_years=plan.n_years)
        go, _ = go_aheads(plan, values, np.arange(len(s.measures)), 0.0)
        return float(np.mean(go[[x.id for x in s.measures].index(m.id)]))
    p = 1.0
    for key in (m.go_ahead, s.decision(m.decision).go_ahead if m.decision else None):
        if key is not None:
            p *= float(next(i for i in s.inputs if i.key == key).distribution.mean)
    return p


def published_net(scenario: Scenario, measure_id: str, year: int) -> float | None:
    """The net figure the document prints for a measure in a year [EUR], if any."""
    m = scenario.measure(measure_id)
    unit = scenario.published_totals.unit
    pub = m.published
    if year in pub.net:
        return pub.net[year] * unit
    if year in pub.effect:
        return (pub.effect[year] - pub.cost.get(year, 0.0)) * unit
    return None


def _input(s: Scenario, key: str) -> Any:
    return next(i for i in s.inputs if i.key == key)


def contributions(study: StudyLike) -> Contributions:
    """Per measure: standalone range, marginal contribution, and what no-go, delay and cost
    overruns take off it; for the package: the interaction loss. Study year, study scope."""
    s, year = study.scenario, study.year
    assert year is not None, "a Study sets its year"
    package = study.rerun()
    all_ids = frozenset(m.id for m in s.measures)
    # every run with inputs at their plan value, stacked into few engine calls (the same numbers)
    study.reruns([o for m in s.measures for o in
                  [*(study.plan_values(r, m.id) for r in (GO, DELAY, COST)),
                   *({k: plan_value(_input(s, k))} for c in m.components for k in (c.go_ahead, c.delay)
                     if k is not None)] if o])
    rows, standalone_sum = [], np.zeros_like(package)
    for m in s.measures:
        alone = study.rerun(active=frozenset({m.id}))
        without = study.rerun(active=all_ids - {m.id})
        standalone_sum = standalone_sum + alone
        marginal = package - without

        def loss(roles: str | tuple[str, ...], m: Any = m) -> tuple[float, float]:
            """What letting this measure's inputs of these roles vary takes off the package (<= 0
            for a loss): package mean minus the package with them at their plan value, and its
            standard error (paired paths: the same random numbers)."""
            over = study.plan_values(roles, m.id)
            if not over:
                return 0.0, 0.0
            at_plan = study.rerun(overrides=over)
            return float(package.mean() - at_plan.mean()), standard_error(package - at_plan)

        p_go = go_probability(s, m.id)

        def part_loss(key: str | None) -> float:
            if key is None:
                return 0.0
            inp = next(i for i in s.inputs if i.key == key)
            return float(package.mean() - study.rerun(overrides={key: plan_value(inp)}).mean())

        parts = tuple(Part(c.id, c.name, 1.0 if c.go_ahead is None else float(
            next(i for i in s.inputs if i.key == c.go_ahead).distribution.mean),
            part_loss(c.go_ahead), part_loss(c.delay)) for c in m.components)
        plan = None if study.municipality else published_net(s, m.id, year)
        det = study.deterministic(frozenset({m.id}))
        (no_go, no_go_se), (delay, delay_se), (cost, cost_se) = loss(GO), loss(DELAY), loss(COST)
        rows.append(Contribution(
            m.id, m.name, m.law, p_go, plan, det, Distribution.of(alone), Distribution.of(marginal),
            loss_no_go=no_go, loss_delay=delay, loss_cost_overrun=cost,
            shortfall_vs_plan=(plan if plan is not None else det) - float(alone.mean()),
            p_below_plan=float(np.mean(alone < (plan if plan is not None else det) - 0.5)),
            loss_no_go_se=no_go_se, loss_delay_se=delay_se, loss_cost_overrun_se=cost_se, parts=parts))
    interaction = standalone_sum - package
    return Contributions(year, study.aux_paths, tuple(rows), Distribution.of(package),
                         Distribution.of(standalone_sum), Distribution.of(interaction))


def plan_of(study: StudyLike, year: int) -> tuple[float, bool]:
    """The plan in a year [EUR], and whether it is the document's own: its printed net figures
    summed over the measures, or, where a measure's year is not printed (or for a municipality),
    the measures alone at plan values, summed."""
    s = study.scenario
    printed = [None if study.municipality else published_net(s, m.id, year) for m in s.measures]
    if printed and all(p is not None for p in printed):
        return float(sum(p for p in printed if p is not None)), True
    return sum(study.deterministic(frozenset({m.id}), year) for m in s.measures), False


def plan_by_year(study: StudyLike) -> dict[int, float]:
    """:func:`plan_of` for every horizon year [EUR]."""
    return {y: plan_of(study, y)[0] for y in study.scenario.years}
