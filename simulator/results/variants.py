"""What-if variants, compared side by side with common random numbers.

A variant is ``NAME=CLAUSE;CLAUSE;...``. Clauses:

* ``without:m7`` or ``without:m7,m8``: drop measures from the package;
* ``later:1``: every measure one year later (``later:0.5`` half a year);
* ``KEY=VALUE``: fix uncertain inputs for every path. KEY is an input key (see
  ``taaksim validate --inputs``), a glob over keys (``*.go_ahead``) or ``@ROLE`` for every input
  of a role (``@growth``, ``@go_ahead``, ``@delay``, ``@cost_factor``, ``@parameter``).
  VALUE is a number, ``pNN`` (each input's own NN-th percentile: ``p90``), ``plan`` or ``mean``.

Examples: ``zonder-m7=without:m7``, ``later=later:1``, ``pessimistisch=@growth=p90``,
``m3-zeker=m3.go_ahead=1``. Every variant, and the unchanged scenario, is simulated with the
same seed, so path i sees the same draws everywhere and differences are the model's, not noise.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from simulator.errors import VariantError
from simulator.scenario.domains import input_domain
from simulator.scenario.model import Scenario

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,59}$")


@dataclass(frozen=True)
class Variant:
    name: str
    spec: str
    drop: frozenset[str] = frozenset()
    extra_delay: float = 0.0
    overrides: dict[str, float] = field(default_factory=dict)

    def run_options(self, scenario: Scenario) -> dict:
        opts: dict = {}
        if self.drop:
            opts["active"] = frozenset(m.id for m in scenario.measures) - self.drop
        if self.extra_delay:
            opts["extra_delay"] = self.extra_delay
        if self.overrides:
            opts["overrides"] = dict(self.overrides)
        return opts


BASE = Variant("basis", "")


def _value(inp, text: str, where: str) -> float:
    t = text.strip().lower()
    if t == "plan":
        return float(inp.distribution.point)
    if t == "mean":
        return float(inp.distribution.mean)
    m = re.fullmatch(r"p(\d{1,3}(?:\.\d+)?)", t)
    if m:
        q = float(m.group(1)) / 100
        if not 0.01 <= q <= 0.99:  # as the message says: p0.5 was taken as the 0.5th percentile
            raise VariantError(f"{where}: percentile must be between p1 and p99")
        return float(inp.distribution.ppf(np.array([[q]]))[0, 0])
    try:
        v = float(t)
    except ValueError:
        raise VariantError(f"{where}: value {text!r} is not a number, pNN, plan or mean") from None
    if not math.isfinite(v):
        raise VariantError(f"{where}: value must be finite")
    low, high = input_domain(inp)
    if not low <= v <= high:  # the same domain the loader holds the scenario's own value to
        raise VariantError(f"{where}: {v:g} is outside the domain of {inp.key} ({inp.role}): [{low:g}, {high:g}]")
    return v


def parse_variant(text: str, scenario: Scenario) -> Variant:
    """``NAME=CLAUSE;...`` -> a :class:`Variant`, checked against the scenario."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not spec.strip():
        raise VariantError(f"variant {text!r}: write NAME=CHANGE, e.g. zonder-m7=without:m7")
    if not _NAME.match(name):
        raise VariantError(f"variant name {name!r}: use letters, digits, '-', '_', '.' or '+' (max 60)")
    measures = {m.id for m in scenario.measures}
    drop: set[str] = set()
    delay = 0.0
    overrides: dict[str, float] = {}
    for clause in (c.strip() for c in spec.split(";")):
        where = f"variant {name!r}, {clause!r}"
        if not clause:
            continue
        if clause.startswith(("without:", "zonder:")):
            ids = [x.strip() for x in clause.split(":", 1)[1].split(",") if x.strip()]
            unknown = [x for x in ids if x not in measures]
            if unknown or not ids:
                raise VariantError(f"{where}: unknown measure {unknown[0] if unknown else '(none)'!r}; "
                                   f"known: {', '.join(sorted(measures))}")
            drop.update(ids)
        elif clause.startswith(("later:", "later")) and "=" not in clause:
            _, _, n = clause.partition(":")
            try:
                years = float(n) if n.strip() else 1.0
            except ValueError:
                raise VariantError(f"{where}: later:N needs a number of years") from None
            if not 0 <= years <= 10:
                raise VariantError(f"{where}: later:N takes 0 to 10 years")
            delay += years
        elif "=" in clause:
            pattern, _, value = clause.partition("=")
            pattern = pattern.strip()
            if pattern == "@decision":  # every shared decision's go-ahead and delay
                heads = {d.id for d in scenario.decisions}
                hits = [i for i in scenario.inputs if i.key.split(".", 1)[0] in heads]
            elif pattern.startswith("@"):
                hits = [i for i in scenario.inputs if i.role == pattern[1:]]
            else:
                hits = [i for i in scenario.inputs if fnmatch.fnmatchcase(i.key, pattern)]
            if not hits:
                roles = sorted({i.role for i in scenario.inputs})
                raise VariantError(f"{where}: no uncertain input matches {pattern!r}; roles: "
                                   f"{', '.join('@' + r for r in roles)}; list keys with taaksim validate --inputs")
            for inp in hits:
                overrides[inp.key] = _value(inp, value, where)
        else:
            raise VariantError(f"{where}: expected without:IDS, later:N or KEY=VALUE")
    if drop == measures:
        raise VariantError(f"variant {name!r} drops every measure")
    return Variant(name, spec.strip(), frozenset(drop), delay, overrides)


@dataclass(frozen=True, slots=True)
class VariantResult:
    """One variant in the study year, next to the unchanged scenario.

    Attributes
    ----------
    name, spec : str
        The variant's name and its clauses as given (``basis``, ``""`` for the unchanged scenario).
    year : int
        The year compared.
    mean, p5, p50, p95 : float
        Net savings of the region (or municipality) [EUR]: mean and percentiles.
    target : float or None
        The headline target that year [EUR].
    p_target_met, p_target_met_se : float or None
        Probability it is met [0-1] and its Monte Carlo standard error.
    delta_mean, delta_mean_se : float
        Change of the mean from the unchanged scenario [EUR], and its standard error from the
        paired paths [EUR] (0 for the unchanged scenario).
    delta_p50 : float
        Change of the P50 [EUR].
    goals : dict of str to float or None
        Goal id -> probability it holds in every one of its years [0-1], each on its own basis.
    programme_reserve : float or None
        The reserve for every goal and year together [EUR] (see :class:`~simulator.results.summary.Summary`).
    """

    name: str
    spec: str
    year: int
    mean: float
    p5: float
    p50: float
    p95: float
    target: float | None
    p_target_met: float | None
    p_target_met_se: float | None
    delta_mean: float = 0.0
    delta_mean_se: float = 0.0
    delta_p50: float = 0.0
    goals: dict[str, float | None] = field(default_factory=dict)
    programme_reserve: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "spec": self.spec, "year": self.year, "mean": self.mean, "p5": self.p5,
                "p50": self.p50, "p95": self.p95, "target": self.target, "p_target_met": self.p_target_met,
                "p_target_met_se": self.p_target_met_se, "delta_mean": self.delta_mean,
                "delta_mean_se": self.delta_mean_se, "delta_p50": self.delta_p50,
                "goals": self.goals, "programme_reserve": self.programme_reserve}


def compare(scenario: Scenario, variants: list[Variant], *, paths: int, seed: int,
            municipality: str | None = None, year: int | None = None) -> list[VariantResult]:
    """Per variant (the unchanged scenario first): the savings range, P(target met) and the
    change from the unchanged scenario, with its standard error from the paired paths."""
    from simulator.results.summary import savings_of, summarise_years
    from simulator.run.dataset import run

    year = scenario.years[-1] if year is None else year
    rows: list[VariantResult] = []
    base_net = None
    for v in [BASE, *variants]:
        ds = run(scenario, paths, seed=seed, **v.run_options(scenario))
        s = summarise_years(ds, municipality=municipality)
        net = savings_of(ds, municipality).sel(year=year).values
        sav = s.savings[year]
        row = VariantResult(v.name, v.spec, year, sav.mean, sav.p5, sav.p50, sav.p95, s.target[year],
                            s.p_target_met[year], s.p_target_met_se[year],
                            goals={g.id: g.p_all_years for g in s.goals}, programme_reserve=s.programme_reserve)
        if base_net is None:
            base_net = net
        else:
            d = net - base_net
            row = replace(row, delta_mean=float(d.mean()), delta_mean_se=float(d.std(ddof=1) / math.sqrt(d.size)),
                          delta_p50=sav.p50 - rows[0].p50)
        rows.append(row)
    return rows
