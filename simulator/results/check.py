"""Deterministic check against the figures the source document publishes.

Deterministic mode: every distribution at its plan value, go-ahead certain, no delay,
growth at its mean (or none, where the scenario says the document ignores growth).

Every printed figure is put in one class, and the counts are of DISTINCT printed figures
(one printed cell counts once, however many rows of the scenario quote it):

* ``reproduced``: the scenario computes it from the document's own drivers (basis
  ``drivers``), or it is a printed total that the sum of the rows reproduces.
* ``by construction``: the scenario's input is the printed figure (basis ``input``); equal
  because it was typed in, which proves only that it was typed in correctly.
* ``derived``: not printed; the scenario fills it in (basis ``derived``). Shown, not counted
  as a printed figure.
* ``document inconsistency``: two printed figures contradict each other, and both are quoted
  with their lines: a version (table, text driver, the council's summary list, a sum per
  municipality) that the scenario does not follow, a row whose net is not its effect minus its
  cost, or a total that adds up rows which themselves contradict another version.
* ``failed``: everything else that does not match. A note that excuses a mismatch
  (``published.notes``) is shown beside it and changes nothing; a note that explains
  (``published.explain``) is shown beside any figure.

Measures are checked alone; printed totals (programme, per law, printed groups of measures)
against the sum of their measures alone, which is how the documents add up; the package total
with interactions is shown beside it, and the difference is the interaction loss
(communicerende vaten).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simulator.core.engine import simulate_block
from simulator.core.options import RunOptions
from simulator.scenario.model import FigureVersion, Published, Scenario

FIELDS = ("effect", "cost", "net")

REPRODUCED = "reproduced"
CONSTRUCTION = "by construction"
DERIVED = "derived"
INCONSISTENT = "document inconsistency"
FAILED = "failed"
CLASSES = (REPRODUCED, CONSTRUCTION, DERIVED, INCONSISTENT, FAILED)
_BY_BASIS = {"drivers": REPRODUCED, "input": CONSTRUCTION, "derived": DERIVED}


@dataclass(frozen=True, slots=True)
class Figure:
    """One version of one published figure and what the check makes of it [EUR]."""

    what: str
    year: int
    published: float
    computed: float
    cls: str  # one of CLASSES
    note: str = ""  # why this class: the contradiction, quoted with lines, or the difference
    version: str = "table"
    line: int | None = None
    explain: str = ""  # a note that explains; changes nothing
    excuse: str = ""  # a note that excuses a mismatch; changes nothing

    def __post_init__(self) -> None:
        # the note of a contradiction says so itself, in the text, the JSON and the report alike
        if self.cls == INCONSISTENT and not self.note.startswith("document inconsistency"):
            object.__setattr__(self, "note", f"document inconsistency: {self.note}")

    @property
    def ok(self) -> bool:
        return self.cls in (REPRODUCED, CONSTRUCTION, DERIVED)

    @property
    def inconsistency(self) -> bool:
        return self.cls == INCONSISTENT

    @property
    def printed(self) -> bool:
        return self.cls != DERIVED

    @property
    def key(self) -> tuple:
        """Identity of the printed cell: its line, year and value where the line is known."""
        if self.line is not None:
            return (self.line, self.year, round(self.published, 2))
        return (self.what, self.version, self.year)


@dataclass(frozen=True, slots=True)
class CheckResult:
    scenario: str
    figures: tuple[Figure, ...]
    package_total: dict[int, float]
    standalone_total: dict[int, float]
    interaction_loss: dict[int, float]

    @property
    def ok(self) -> bool:
        """No figure failed: each is reproduced, true by construction, derived or a document contradiction."""
        return all(f.cls != FAILED for f in self.figures)

    def counts(self) -> dict[str, int]:
        """Distinct printed figures per class (derived figures: rows of the scenario's own making).

        A printed cell quoted by several rows counts once, in its worst class (failed before
        inconsistency before by construction before reproduced).
        """
        order = {c: i for i, c in enumerate((FAILED, INCONSISTENT, DERIVED, CONSTRUCTION, REPRODUCED))}
        best: dict[tuple, str] = {}
        for f in self.figures:
            k = f.key if f.printed else ("derived", f.what, f.version, f.year)
            if k not in best or order[f.cls] < order[best[k]]:
                best[k] = f.cls
        return {c: sum(1 for v in best.values() if v == c) for c in CLASSES}

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario,
            "ok": self.ok,
            "counts": self.counts(),
            "figures": [_figure_json(f) for f in self.figures],
            "package_total": {str(y): v for y, v in self.package_total.items()},
            "interaction_loss": {str(y): v for y, v in self.interaction_loss.items()},
        }


def _figure_json(f: Figure) -> dict:
    d = asdict(f)
    d["class"] = d.pop("cls")
    d["ok"] = f.ok
    return d


def deterministic(scenario: Scenario, active: frozenset[str] | None = None) -> dict[str, dict[int, float]]:
    """Effect, cost and net per horizon year in deterministic mode [EUR]."""
    b = simulate_block(scenario, 1, options=RunOptions(deterministic=True, active=active))
    years = scenario.years
    return {
        "effect": {y: float(b.gross[i, 0]) for i, y in enumerate(years)},
        "cost": {y: float(b.costs[i, 0]) for i, y in enumerate(years)},
        "net": {y: float(b.net[i, 0]) for i, y in enumerate(years)},
    }


def _where(line: int | None) -> str:
    return f" (l.{line})" if line is not None else ""


def _row_contradiction(pub: Published, field: str, y: int, unit: float, tol: float,
                       computed: dict) -> str:
    """If the printed row contradicts itself (net != effect - cost), say how.

    The row is flagged on the field that the scenario does not reproduce: a contradiction is
    never passed, and a reproduced field needs no excuse.
    """
    try:
        e, k, n = (getattr(pub, f)[y] * unit for f in FIELDS)
    except KeyError:
        return ""
    if abs(n - (e - k)) <= tol:
        return ""
    ln = pub.lines
    return (f"printed net {n:,.0f}{_where(ln.get('net'))} != printed effect {e:,.0f}{_where(ln.get('effect'))}"
            f" - printed cost {k:,.0f}{_where(ln.get('cost'))} = {e - k:,.0f}")


def _compare(what: str, pub: Published, computed: dict, unit: float, tol: float, default_basis: str,
             inherited: dict[tuple[str, int], tuple[float, str]] | None = None,
             printed_rows: dict[tuple[str, int], float] | None = None) -> list[Figure]:
    """Check every version of every figure of one row (a measure, a total, a group).

    ``inherited`` maps (field, year) of a total to the part of its mismatch that comes from
    measure rows in contradiction with another printed version, and which rows: a total that
    adds up contradicted rows is itself a document inconsistency only for exactly that part.
    ``printed_rows`` is the sum of the printed rows under a total, where every row prints it: a
    total that the scenario's rows reproduce but that differs from its own printed rows
    contradicts them.
    """
    out: list[Figure] = []
    table_cls: dict[tuple[str, int], tuple[str, float]] = {}  # (field, year) -> class, printed - computed
    for field in FIELDS:
        years = sorted(set(getattr(pub, field)) | {v.year for v in pub.versions if v.field == field})
        basis = pub.basis.get(field, default_basis)
        for y in years:
            c = computed[field][y]
            versions = _versions(pub, field, y, basis)
            followed = [v for v in versions if abs(c - v.value * unit) <= tol and (v.basis or basis) != "derived"]
            explain = pub.explain.get(f"{field} {y}", "")
            excuse = pub.notes.get(f"{field} {y}", "")
            for v in versions:
                p = v.value * unit
                vbasis = v.basis or (basis if basis != "derived" or v.version == "table" else "input")
                label = f"{what} {field}" if v.version == "table" else f"{what} {field} [{v.version}]"
                common: dict[str, Any] = dict(version=v.version, line=v.line, explain=explain, excuse=excuse)
                if abs(c - p) <= tol:
                    out.append(Figure(label, y, p, c, _BY_BASIS[vbasis], **common))
                    if v.version == "table":
                        table_cls[(field, y)] = (_BY_BASIS[vbasis], 0.0)
                    continue
                if vbasis == "derived":
                    out.append(Figure(label, y, p, c, FAILED, f"derived figure differs by {c - p:,.0f}", **common))
                    continue
                if followed:
                    f0 = followed[0]
                    quote = f" '{v.quote}'" if v.quote else ""
                    fquote = f" '{f0.quote}'" if f0.quote else ""
                    note = (f"{v.version} {p:,.0f}{_where(v.line)}{quote} contradicts {f0.version} "
                            f"{f0.value * unit:,.0f}{_where(f0.line)}{fquote}, which the scenario follows")
                    out.append(Figure(label, y, p, c, INCONSISTENT, note, **common))
                    if v.version == "table":
                        table_cls[(field, y)] = (INCONSISTENT, p - c)
                    continue
                reason = _mismatch_reason(pub, v, field, y, p, c, unit, tol, computed, table_cls, inherited,
                                          printed_rows)
                cls = INCONSISTENT if reason else FAILED
                out.append(Figure(label, y, p, c, cls, reason or f"differs by {c - p:,.0f}", **common))
                if v.version == "table":
                    table_cls[(field, y)] = (cls, p - c)
    return out


def _versions(pub: Published, field: str, y: int, basis: str) -> list[FigureVersion]:
    """Every printed version of one figure: the table's first, then the other printed ones in their listed order."""
    versions: list[FigureVersion] = []
    if y in getattr(pub, field):
        versions.append(FigureVersion("table", field, y, getattr(pub, field)[y], pub.lines.get(field),
                                      basis=basis))
    versions += [v for v in pub.versions if v.field == field and v.year == y]
    return versions


def _mismatch_reason(pub: Published, v: FigureVersion, field: str, y: int, p: float, c: float, unit: float,
                     tol: float, computed: dict, table_cls: dict[tuple[str, int], tuple[str, float]],
                     inherited: dict[tuple[str, int], tuple[float, str]] | None,
                     printed_rows: dict[tuple[str, int], float] | None) -> str:
    """Why a printed version the scenario does not reproduce is a document inconsistency, or "" (a failure).

    ``p`` is the printed value and ``c`` the computed one (euro); the rules are tried in order and the
    first that explains the difference wins.
    """
    reason = _row_contradiction(pub, field, y, unit, tol, computed) if v.version == "table" else ""
    if not reason and v.version == "table" and field == "net":
        reason = _net_follows(table_cls, y, p - c, tol)
    if not reason and v.version != "table" and (field, y) in table_cls:
        tcls, tdiff = table_cls[(field, y)]
        tp = c + tdiff
        if abs(p - tp) > tol:
            reason = (f"{v.version} {p:,.0f}{_where(v.line)}" + (f" '{v.quote}'" if v.quote else "")
                      + f" contradicts the table {tp:,.0f}{_where(pub.lines.get(field))}")
        elif tcls == INCONSISTENT:
            reason = (f"{v.version}{_where(v.line)} repeats the table figure, which contradicts "
                      "another printed version")
    if not reason and inherited and v.version == "table" and (field, y) in inherited:
        part, rows = inherited[(field, y)]
        if abs((p - c) - part) <= tol:
            reason = (f"the printed total adds up printed rows that contradict another printed "
                      f"version ({rows}); the difference {p - c:,.0f} is theirs")
    if not reason and printed_rows and v.version == "table" and (field, y) in printed_rows:
        rows_sum = printed_rows[(field, y)]
        if abs(c - rows_sum) <= tol:
            reason = (f"the printed total {p:,.0f}{_where(v.line)} differs from the sum of its "
                      f"printed rows {rows_sum:,.0f}")
    return reason


def _net_follows(table_cls: dict[tuple[str, int], tuple[str, float]], y: int, diff: float, tol: float) -> str:
    """The printed net differs exactly by its effect's and cost's contradictions: it follows them.

    A field the row does not print counts as the scenario's own (no difference).
    """
    parts = [table_cls.get((f, y), (REPRODUCED, 0.0)) for f in ("effect", "cost")]
    if any(t[0] == FAILED for t in parts) or not any(t[0] == INCONSISTENT for t in parts):
        return ""
    d_effect, d_cost = (t[1] for t in parts)
    if abs(diff - (d_effect - d_cost)) <= tol:
        return (
            "the printed net follows the printed effect and cost of its row, one of which contradicts another version")
    return ""


def _sum_of(rows: dict[str, dict[str, dict[int, float]]], ids, years) -> dict[str, dict[int, float]]:
    return {f: {y: sum(rows[i][f][y] for i in ids) for y in years} for f in FIELDS}


def _inherited(figures_by_measure: dict[str, list[Figure]], ids) -> dict[tuple[str, int], tuple[float, str]]:
    """Per (field, year): how much of a total's mismatch its contradicted table rows explain, and which."""
    out: dict[tuple[str, int], tuple[float, str]] = {}
    for mid in ids:
        for f in figures_by_measure.get(mid, []):
            if f.cls == INCONSISTENT and f.version == "table":
                field = f.what.rsplit(" ", 1)[1]
                part, names = out.get((field, f.year), (0.0, ""))
                out[(field, f.year)] = (part + f.published - f.computed, (names + ", " if names else "") + mid)
    return out


def _printed_rows(scenario: Scenario, ids) -> dict[tuple[str, int], float]:
    """Sum of the printed table rows per (field, year), where every measure in ``ids`` prints the figure [EUR]."""
    unit = scenario.published_totals.unit
    ms = [m for m in scenario.measures if m.id in set(ids)]
    out = {}
    for f in FIELDS:
        for y in scenario.years:
            vals = [getattr(m.published, f).get(y) for m in ms]
            if ms and all(v is not None for v in vals):
                out[(f, y)] = sum(vals) * unit
    return out


def check(scenario: Scenario) -> CheckResult:
    totals = scenario.published_totals
    unit = totals.unit
    fig_tol = totals.figure_tolerance * unit
    tot_tol = totals.tolerance * unit
    figures: list[Figure] = []
    alone: dict[str, dict[str, dict[int, float]]] = {}
    by_measure: dict[str, list[Figure]] = {}
    for m in scenario.measures:
        comp = deterministic(scenario, frozenset({m.id}))
        alone[m.id] = comp
        tol = fig_tol if m.published.tolerance is None else m.published.tolerance * unit
        rows = _compare(f"measure {m.id}", m.published, comp, unit, tol, "input")
        by_measure[m.id] = rows
        figures.extend(rows)
    years = scenario.years
    all_ids = [m.id for m in scenario.measures]
    standalone = _sum_of(alone, all_ids, years)

    figures.extend(_compare("total (sum of measures alone)", totals.total, standalone, unit, tot_tol, "drivers",
                            _inherited(by_measure, all_ids), _printed_rows(scenario, all_ids)))
    for law, pub in totals.by_law.items():
        ids = [m.id for m in scenario.measures if m.law == law]
        figures.extend(_compare(f"total {law} (sum of its measures alone)", pub, _sum_of(alone, ids, years), unit,
                                tot_tol, "drivers", _inherited(by_measure, ids), _printed_rows(scenario, ids)))
    for name, group in totals.groups.items():
        figures.extend(_compare(f"group {name} (sum of its {len(group.measures)} measures alone)", group.published,
                                _sum_of(alone, group.measures, years), unit, tot_tol, "drivers",
                                _inherited(by_measure, group.measures), _printed_rows(scenario, group.measures)))

    package = deterministic(scenario)["net"]
    loss = {y: standalone["net"][y] - package[y] for y in years}
    return CheckResult(scenario.name, tuple(figures), package, standalone["net"], loss)
