"""The goals of a scenario as plain records: what a Dataset's attrs and a streamed run carry."""

from __future__ import annotations

from typing import Any

from simulator.core.engine import share_of
from simulator.core.plan import booked_scope
from simulator.scenario.model import Scenario, scope_label


def base_year_spending(scenario: Scenario, scope) -> float:
    return float(sum(share_of(scenario, scope.municipality, p.law) * p.base
                     for p in scenario.posts if p.id in scope.posts))


def _common(scenario: Scenario, g: Any) -> dict[str, Any]:
    return {"id": g.id, "scope": scope_label(g.scope), "municipality": g.scope.municipality,
            "basis": str(g.basis), "price_level": g.price_level, "simulated": scenario.prices.simulated,
            "base_year": scenario.base_year, "base_spending": base_year_spending(scenario, g.scope),
            "footprint": sorted(g.scope.posts), "measures": list(g.scope.measures or ()),
            "amounts": {str(y): a for y, a in g.amounts.items()}, "source": g.source}


def targets_meta(scenario: Scenario) -> list[dict]:
    out = []
    for t in scenario.targets:
        item = _common(scenario, t)
        item.update(reference_year=t.base_year,
                    budget=None if t.budget is None else {str(y): a for y, a in t.budget.items()},
                    taakstelling_in_budget=t.taakstelling_in_budget,
                    booked=[{"id": k.id, "scope": scope_label(booked_scope(scenario, k)),
                             "amounts": {str(y): a for y, a in k.amounts.items()}, "price_level": k.price_level,
                             "overlaps": list(k.overlaps), "source": k.source}
                            for k in scenario.booked if k.municipality == t.scope.municipality])
        out.append(item)
    return out


def budgets_meta(scenario: Scenario) -> list[dict]:
    return [_common(scenario, b) for b in scenario.budgets]
