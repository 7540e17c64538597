"""Build small scenarios in code for tests (through the same loader a file goes through)."""

from __future__ import annotations

import copy

from simulator.scenario.loader import build

BASE = {
    "scenario": {"name": "test", "base_year": 2024, "years": [2025, 2026]},
}


def scenario(posts, measures=(), *, parameters=None, targets=(), budgets=(), years=(2025, 2026),
             base_year=2024, **extra):
    doc = copy.deepcopy(BASE)
    doc["scenario"]["years"] = list(years)
    doc["scenario"]["base_year"] = base_year
    doc["post"] = [{"law": "wmo", "source": "assumption: test", **p} for p in posts]
    if measures:
        doc["measure"] = [{"source": "assumption: test", **m} for m in measures]
    if parameters:
        doc["parameters"] = {k: {"source": "assumption: test", **v} for k, v in parameters.items()}
    # goals state basis and price level; the tests' posts are in constant base-year prices
    # unless one carries price growth
    level = "nominal" if any("price_growth" in p for p in posts) else base_year
    if targets:
        doc["target"] = [{"source": "assumption: test", "basis": "counterfactual", "price_level": level, **t}
                         for t in targets]
    if budgets:
        doc["budget"] = [{"source": "assumption: test", "basis": "budget", "price_level": level, **b}
                         for b in budgets]
    doc.update(extra)
    return build(doc, file="<test>")


def keyword_seen(monkeypatch, owner, name: str, keyword: str) -> list:
    """Replace ``owner.name`` by a wrapper that records the ``keyword`` argument of every call
    (None when not given) and then calls the original; returns the list it fills."""
    seen: list = []
    real = getattr(owner, name)

    def recorded(*args, **kwargs):
        seen.append(kwargs.get(keyword))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return seen
