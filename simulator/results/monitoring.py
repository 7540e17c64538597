"""The forecast over time: from the plan through each reporting moment, and what moved it.

Each realised-figures file is one reporting moment (a snapshot: everything known then). For the
plan and each moment: P(met) of the headline goal, the reserve needed at 90% certainty and the
median savings, all on the same random numbers (so differences are the realisations, not
sampling noise). What moved them: for every fact new at a moment (or changed since the one
before), the change of P(met) and of the reserve when that fact alone is left out of the
moment: a leave-one-out influence, on the same paths.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simulator.results.conditioning import (
    Conditioned,
    effective_sample_size,
    headline,
    log_likelihoods,
    normalised,
    run_conditioned,
)
from simulator.scenario.model import Scenario
from simulator.scenario.realised import Decision, Observation, Realised


def _fact_key(f: Decision | Observation) -> tuple:
    if isinstance(f, Decision):
        return ("decision", f.measure)
    return (f.kind, f.target, f.year, f.share)


def _fact_value(f: Decision | Observation) -> tuple:
    if isinstance(f, Decision):
        return (f.go_ahead, f.delay)
    return (f.value, f.sd)


def _describe(f: Decision | Observation) -> str:
    if isinstance(f, Decision):
        start = f" from {f.start}" if f.start else ""
        return f"decision {f.measure}: {'yes' if f.go_ahead else 'no'}{start}"
    if f.kind == "input":
        return f"input {f.target}: {f.value:g} ±{f.sd:.2g}"
    period = f" {f.year}" + ("" if f.share == 1 else f" ({f.share:.0%} of the year)")
    return f"{f.kind} {f.target}{period}: {f.value:,.0f} ±{f.sd:,.0f}"


def without(realised: Realised, fact: Decision | Observation) -> Realised:
    return replace(realised, decisions=tuple(d for d in realised.decisions if d is not fact),
                   observations=tuple(o for o in realised.observations if o is not fact))


def track(scenario: Scenario, moments: list[Realised], *, paths: int, seed: int, municipality: str | None = None,
          year: int | None = None, threads: int | None = None, top: int = 5) -> dict:
    """Headline figures for the plan and each moment (sorted by as_of), with the leading influences."""
    moments = sorted(moments, key=lambda r: r.as_of)
    plan = run_conditioned(scenario, None, paths=paths, seed=seed, threads=threads)
    rows = [{"moment": "plan", "as_of": None, "file": None, **headline(plan, municipality=municipality, year=year),
             "moved_by": [], "notes": [], "warnings": []}]
    previous: dict[tuple, tuple] = {}
    for r in moments:
        c = run_conditioned(scenario, r, paths=paths, seed=seed, threads=threads)
        h = headline(c, municipality=municipality, year=year)
        facts: list[Decision | Observation] = [*r.decisions, *r.observations]
        new = [f for f in facts if previous.get(_fact_key(f)) != _fact_value(f)]
        influence = []
        for f in new:
            h0 = headline(_leave_out(scenario, c, r, f, paths=paths, seed=seed, threads=threads),
                          municipality=municipality, year=year)
            influence.append({"fact": _describe(f), "row": f.row, "source": f.source,
                              "delta_p_met": h.get("p_met", np.nan) - h0.get("p_met", np.nan),
                              "delta_reserve": h.get("reserve", np.nan) - h0.get("reserve", np.nan),
                              "delta_median": h["median_savings"] - h0["median_savings"]})
        influence.sort(key=lambda d: -abs(np.nan_to_num(d["delta_p_met"])) - 1e-12 * abs(d["delta_median"]))
        rows.append({"moment": r.as_of.isoformat(), "as_of": r.as_of.isoformat(), "file": r.file, **h,
                     "moved_by": influence[:top], "notes": list(c.plan.notes), "warnings": list(c.warnings)})
        previous = {_fact_key(f): _fact_value(f) for f in facts}
    return {"paths": paths, "seed": seed, "municipality": municipality, "moments": rows}


def _leave_out(scenario: Scenario, c: Conditioned, r: Realised, fact, *, paths: int, seed: int,
               threads: int | None) -> Conditioned:
    """The moment without one fact: an observation only re-weights the same paths; a decision re-runs."""
    rest = without(r, fact)
    if isinstance(fact, Decision):
        return run_conditioned(scenario, rest, paths=paths, seed=seed, threads=threads)
    if not rest.observations:
        w = np.full(paths, 1.0 / paths)
    else:
        w = normalised(log_likelihoods(c.dataset, rest).sum(axis=0))
    return Conditioned(c.dataset, w, effective_sample_size(w), c.plan, rest)
