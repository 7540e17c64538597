"""The domain of every quantity a scenario gives, in one table.

The loader checks numbers and distributions against it when it reads a file; the engine
checks expressions against it per draw (an expression's value is only known then); a
``compare --variant KEY=VALUE`` is checked against it before the run. A value outside its
domain is an error naming the key path, never clipped in silence. See docs/validation.md.
"""

from __future__ import annotations

from simulator.scenario.model import RandomInput

#: (low, high) of each kind of quantity, with its unit
DOMAINS: dict[str, tuple[float, float]] = {
    "growth": (-0.5, 1.0),            # yearly rate of volume or price growth [1/year]
    "outflow_rate": (0.0, 1.0),       # share of a stock's clients leaving per year [1/year]
    "inflow": (0.0, 1e8),             # clients entering a stock per year [clients/year]
    "turnover": (0.0, 1.0),           # share of clients renewed per year in a phase-in [1/year]
    "phase": (0.0, 1.0),              # share of the full effect reached in a year [1]
    "substitution": (0.0, 5.0),       # share of a saving that reappears as cost [1]
    "delay": (0.0, 10.0),             # years a measure starts later [year]
    "go_ahead": (0.0, 1.0),           # probability that a measure goes ahead [1]
    "factor": (0.0, 10.0),            # multiplier on an effect or a cost [1]
    "fraction": (-10.0, 1.0),         # share of a post a measure saves (negative: it costs more) [1]
    "amount": (-1e12, 1e12),          # a saving in euro per year [EUR/year]
    "cost": (-1e12, 1e12),            # a cost in euro per year (negative: a revenue) [EUR/year]
    "parameter": (-1e15, 1e15),       # a named parameter: any finite number of sane size
}


def input_domain(inp: RandomInput) -> tuple[float, float]:
    """The domain of a random input, from its role and key (``m3.go_ahead``, ``p.inflow``)."""
    key = inp.key
    if inp.role == "stock":
        return DOMAINS["inflow" if key.endswith(".inflow") else "outflow_rate"]
    if inp.role in ("effect_factor", "cost_factor"):
        return DOMAINS["factor"]
    if inp.role == "effect":  # a fraction or an amount; the engine caps fractions at [-10, 1]
        return DOMAINS["amount"]
    return DOMAINS.get(inp.role, DOMAINS["parameter"])
