"""Deterministic check against the figures the source document publishes.

Deterministic mode: every distribution at its plan value, go-ahead certain, no delay,
growth at its mean (or none, where the scenario says the document ignores growth).

* Each measure alone must reproduce its published effect, cost and net per year.
* The published totals are compared with the sum of the standalone figures, which is how
  the documents add up their measures; the package total with interactions is shown
  beside it, and the difference is the interaction loss (communicerende vaten).
* A published figure that contradicts its own row (net != effect - cost), a flipped sign,
  or a contradiction the scenario records in ``published.notes`` is reported as a
  document inconsistency: listed, never silently passed, and not counted as a failure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from simulator.core.engine import simulate_block
from simulator.core.options import RunOptions
from simulator.scenario.model import Scenario

FIELDS = ("effect", "cost", "net")


@dataclass(frozen=True, slots=True)
class Figure:
    what: str
    year: int
    published: float
    computed: float
    ok: bool
    note: str = ""
    inconsistency: bool = False


@dataclass(frozen=True, slots=True)
class CheckResult:
    scenario: str
    figures: tuple[Figure, ...]
    package_total: dict[int, float]
    standalone_total: dict[int, float]
    interaction_loss: dict[int, float]

    @property
    def ok(self) -> bool:
        """Every figure that the document states consistently is reproduced."""
        return all(f.ok or f.inconsistency for f in self.figures)

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario,
            "ok": self.ok,
            "figures": [{k: v for k, v in asdict(f).items() if k != "inconsistency"} for f in self.figures],
            "package_total": {str(y): v for y, v in self.package_total.items()},
            "interaction_loss": {str(y): v for y, v in self.interaction_loss.items()},
        }


def deterministic(scenario: Scenario, active: frozenset[str] | None = None) -> dict[str, dict[int, float]]:
    """Effect, cost and net per horizon year in deterministic mode [EUR]."""
    b = simulate_block(scenario, 1, options=RunOptions(deterministic=True, active=active))
    years = scenario.years
    return {
        "effect": {y: float(b.gross[i, 0]) for i, y in enumerate(years)},
        "cost": {y: float(b.costs[i, 0]) for i, y in enumerate(years)},
        "net": {y: float(b.net[i, 0]) for i, y in enumerate(years)},
    }


def _compare(what: str, pub: dict, computed: dict, unit: float,
             tol: float, notes: dict[str, str], row_notes: dict[tuple[str, int], str]) -> list[Figure]:
    """Compare one row (a measure or the totals) field by field and year by year."""
    out = []
    for field in FIELDS:
        for y, printed in pub.get(field, {}).items():
            p = printed * unit
            c = computed[field][y]
            note = notes.get(f"{field} {y}", "")
            matches = abs(c - p) <= tol
            if matches:
                out.append(Figure(f"{what} {field}", y, p, c, True, note))
                continue
            reason = note or row_notes.get((field, y), "")
            if not reason and abs(c + p) <= tol and p != 0:
                reason = "sign flipped in the document"
            if not reason:
                reason = _row_contradiction(pub, field, y, unit, tol, computed)
            if reason:
                out.append(Figure(f"{what} {field}", y, p, c, False,
                                  f"document inconsistency: {reason}", True))
            else:
                out.append(Figure(f"{what} {field}", y, p, c, False, f"differs by {c - p:,.0f}"))
    return out


def _row_contradiction(pub: dict, field: str, y: int, unit: float, tol: float, computed: dict) -> str:
    """If the printed row contradicts itself and the other two figures match, say how."""
    try:
        e, k, n = (pub[f][y] * unit for f in FIELDS)
    except KeyError:
        return ""
    if abs(n - (e - k)) <= tol:
        return ""
    others = [f for f in FIELDS if f != field]
    if all(abs(computed[f][y] - pub[f][y] * unit) <= tol for f in others):
        return (f"printed net {n:,.0f} != effect {e:,.0f} - cost {k:,.0f} = {e - k:,.0f}")
    return ""


def check(scenario: Scenario) -> CheckResult:
    unit = scenario.published_totals.unit
    fig_tol = scenario.published_totals.figure_tolerance * unit
    figures: list[Figure] = []
    standalone: dict[str, dict[int, float]] = {f: {y: 0.0 for y in scenario.years} for f in FIELDS}
    by_law: dict[str, dict[str, dict[int, float]]] = {
        law: {f: {y: 0.0 for y in scenario.years} for f in FIELDS}
        for law in scenario.published_totals.by_law
    }
    inconsistent_rows: set[tuple[str, int]] = set()
    published_sum: dict[str, dict[int, float]] = {f: {} for f in FIELDS}
    for m in scenario.measures:
        comp = deterministic(scenario, frozenset({m.id}))
        for f in FIELDS:
            for y in scenario.years:
                standalone[f][y] += comp[f][y]
                if m.law in by_law:
                    by_law[m.law][f][y] += comp[f][y]
        pub = {"effect": m.published.effect, "cost": m.published.cost, "net": m.published.net}
        tol = fig_tol if m.published.tolerance is None else m.published.tolerance * unit
        rows = _compare(f"measure {m.id}", pub, comp, unit, tol, dict(m.published.notes), {})
        figures.extend(rows)
        for r in rows:
            if r.inconsistency:
                inconsistent_rows.add((r.what.rsplit(" ", 1)[1], r.year))
        for f in FIELDS:
            for y, v in pub[f].items():
                published_sum[f][y] = published_sum[f].get(y, 0.0) + v * unit

    totals = scenario.published_totals
    tot_pub = {"effect": totals.effect, "cost": totals.cost, "net": totals.net}
    row_notes = {}
    for f in FIELDS:
        for y, printed in tot_pub[f].items():
            s = published_sum[f].get(y)
            if s is not None and abs(s - printed * unit) > totals.tolerance * unit:
                row_notes[(f, y)] = (f"the printed total {printed * unit:,.0f} differs from the sum of the "
                                     f"printed measure rows {s:,.0f}")
            elif (f, y) in inconsistent_rows:
                row_notes[(f, y)] = "the total adds up measure rows that contradict themselves"
    figures.extend(_compare("total (sum of measures alone)", tot_pub, standalone, unit,
                            totals.tolerance * unit, dict(totals.notes), row_notes))

    for law, pub in totals.by_law.items():
        law_pub = {"effect": pub.effect, "cost": pub.cost, "net": pub.net}
        figures.extend(_compare(f"total {law} (sum of its measures alone)", law_pub, by_law[law], unit,
                                totals.tolerance * unit, dict(pub.notes), {}))

    package = deterministic(scenario)["net"]
    loss = {y: standalone["net"][y] - package[y] for y in scenario.years}
    return CheckResult(scenario.name, tuple(figures), package, standalone["net"], loss)


def format_text(result: CheckResult) -> str:
    lines = [f"check: {result.scenario}", ""]
    width = max((len(f.what) for f in result.figures), default=10)
    for f in result.figures:
        mark = "ok  " if f.ok else ("doc " if f.inconsistency else "FAIL")
        lines.append(f"  {mark} {f.what:<{width}} {f.year}  published {f.published:>14,.0f}  "
                     f"computed {f.computed:>14,.0f}" + (f"  ({f.note})" if f.note else ""))
    lines.append("")
    lines.append("  year   sum of measures alone   package (with interactions)   interaction loss")
    for y in result.package_total:
        lines.append(f"  {y}   {result.standalone_total[y]:>21,.0f}   {result.package_total[y]:>27,.0f}"
                     f"   {result.interaction_loss[y]:>16,.0f}")
    n_ok = sum(f.ok for f in result.figures)
    n_doc = sum(f.inconsistency for f in result.figures)
    n_fail = len(result.figures) - n_ok - n_doc
    lines.append("")
    lines.append(f"{n_ok} reproduced, {n_doc} document inconsistencies, {n_fail} failed: "
                 + ("OK" if result.ok else "NOT OK"))
    return "\n".join(lines)
