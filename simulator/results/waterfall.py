"""From the plan to the P50 result in the study year, one cause per step."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.core.stats import Z95, quantile_interval
from simulator.i18n import pair
from simulator.results.contributions import COST, DELAY, GO, GROWTH, StudyLike, plan_of, standard_error


@dataclass(frozen=True, slots=True)
class WaterfallStep:
    """One bar of the waterfall.

    Attributes
    ----------
    step : str
        Its key (:data:`WATERFALL_LABELS` names it in Dutch and English).
    value : float
        A total [EUR] (``kind == "total"``), or the change it brings [EUR] (``"step"``).
    kind : {"total", "step", "pressure"}
        ``pressure``: beside the chain, what autonomous growth adds to spending [EUR]
        (:func:`growth_pressure`; not returned by :func:`waterfall`).
    se : float
        Monte Carlo standard error of ``value`` [EUR]: of the mean of the step's per-path
        differences (every run has the same paths and random numbers); 0 for a deterministic step.
    """

    step: str
    value: float
    kind: str
    se: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "value": self.value, "kind": self.kind, "se": self.se}


def waterfall(study: StudyLike) -> list[WaterfallStep]:
    """From the plan to the P50 result in the study year, one cause per step.

    Steps, taken in this order (each is the change of the mean when one more kind of
    uncertainty is let in, with the same random numbers throughout):
    plan (sum of published figures) -> model at plan values (sum of measures alone) ->
    interaction loss -> effect ranges -> no-go -> delay -> cost overruns -> growth's effect
    on the savings (a fraction of a larger post) -> mean to median -> P50.

    Beside the chain, never in it, :func:`growth_pressure` is what autonomous growth does to
    spending: growth is the risk that a base-year or budget goal is missed, not a saving.
    """
    s = study.scenario
    det_alone = sum(study.deterministic(frozenset({m.id})) for m in s.measures)
    assert study.year is not None, "a StudyLike sets its year"
    plan, has_plan = plan_of(study, study.year)
    det_package = study.deterministic()

    # the growth basis of the plan: the document's own (mean growth, or none at all)
    basis: dict[str, Any] = {"no_growth": True} if s.check_growth == "none" else {
        "overrides": study.plan_values(GROWTH)}
    fixed = {r: study.plan_values(r) for r in (GO, DELAY, COST)}

    def with_(let_in: set[Any]) -> dict[str, float]:
        """Overrides: the other kinds at plan, growth on the plan's basis (the full run has it free)."""
        over = {}
        for r, values in fixed.items():
            if r not in let_in:
                over.update(values)
        over.update(basis.get("overrides", {}))
        return over

    # the four runs share their paths: one stacked run (the same numbers as four)
    r0, r1, r2, r3 = study.reruns([with_(set()), with_({GO}), with_({GO, DELAY}), with_({GO, DELAY, COST})],
                                  study.paths, **{k: v for k, v in basis.items() if k != "overrides"})
    m0, m1, m2, m3 = (float(r.mean()) for r in (r0, r1, r2, r3))
    full = study.net
    m4, p50 = float(full.mean()), float(np.median(full))
    lo, hi = quantile_interval(full, 0.5)
    p50_se = (hi - lo) / (2 * Z95)
    # each step's error: of the mean of its per-path differences; the deterministic steps have none
    steps = [("plan", plan, "total", 0.0)]
    if has_plan:
        steps.append(("model_vs_document", det_alone - plan, "step", 0.0))
    steps += [
        ("interaction_loss", det_package - det_alone, "step", 0.0),
        ("effect_ranges", m0 - det_package, "step", standard_error(r0)),
        ("no_go", m1 - m0, "step", standard_error(r1 - r0)),
        ("delay", m2 - m1, "step", standard_error(r2 - r1)),
        ("cost_overruns", m3 - m2, "step", standard_error(r3 - r2)),
        ("autonomous_growth", m4 - m3, "step", standard_error(full - r3)),
        ("mean_to_median", p50 - m4, "step", math.hypot(p50_se, standard_error(full))),
        ("p50", p50, "total", p50_se),
    ]
    return [WaterfallStep(k, float(v), kind, float(se)) for k, v, kind, se in steps]


def growth_pressure(study: StudyLike) -> float | None:
    """Autonomous growth as pressure on spending in the study year [EUR]: the mean spending of
    the headline scope without the measures less its base-year spending (simulated prices);
    None when the study has no Dataset."""
    ds = getattr(study, "dataset", None)
    if ds is None or study.year is None:
        return None
    from simulator.results.goals import headline_scope
    from simulator.run.meta import base_year_spending
    from simulator.scenario.model import Scope

    s = study.scenario
    label = headline_scope(ds, study.municipality)
    base = float(ds["scope_baseline"].sel(scope=label, year=study.year).mean())
    start = base_year_spending(s, Scope(tuple(p.id for p in s.posts), "all", study.municipality))
    return base - start


WATERFALL_LABELS = {step: pair(f"step.{step}") for step in (
    "plan", "model_vs_document", "interaction_loss", "effect_ranges", "no_go", "delay", "cost_overruns",
    "autonomous_growth", "mean_to_median", "p50", "growth_pressure")}
