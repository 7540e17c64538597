"""The goals of a scenario as plain records: what a Dataset's attrs and a streamed run carry."""

from __future__ import annotations

from simulator.core.engine import share_of
from simulator.scenario.model import Scenario, scope_label


def base_year_spending(scenario: Scenario, scope) -> float:
    return float(sum(share_of(scenario, scope.municipality, p.law) * p.base
                     for p in scenario.posts if p.id in scope.posts))


def targets_meta(scenario: Scenario) -> list[dict]:
    return [
        {"id": t.id, "scope": scope_label(t.scope), "municipality": t.scope.municipality,
         "against": t.against, "base_year_spending": base_year_spending(scenario, t.scope),
         "amounts": {str(y): a for y, a in t.amounts.items()}, "source": t.source}
        for t in scenario.targets
    ]


def budgets_meta(scenario: Scenario) -> list[dict]:
    return [
        {"id": b.id, "scope": scope_label(b.scope), "municipality": b.scope.municipality,
         "amounts": {str(y): a for y, a in b.amounts.items()}, "source": b.source}
        for b in scenario.budgets
    ]
