"""Readings side by side: every goal's headline under each declared reading of the document.

A scenario with ``[[reading]]`` tables is run once per reading on the same seed (each random
input keeps its own stream, so the readings differ by the reading, not by noise); for each goal
the chance it holds in every year, its hardest year and the programme's reserve are set side
by side, the literal reading first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.results.summary import Summary
from simulator.scenario.model import Scenario


@dataclass(frozen=True, slots=True)
class ReadingGoal:
    """One goal under one reading.

    Attributes
    ----------
    goal : str
        The goal's id.
    basis_text : str
        Its basis and price level in a controller's words.
    p_all_years : float or None
        P(met in every one of its years) [0-1].
    hardest_year : int
        The year with the lowest P(met).
    p_hardest, p_hardest_se : float
        P(met) in that year [0-1] and its Monte Carlo standard error.
    reserve : float
        The goal's reserve at 90% in that year [EUR].
    """

    goal: str
    basis_text: str
    p_all_years: float | None
    hardest_year: int
    p_hardest: float
    p_hardest_se: float
    reserve: float

    def to_json(self) -> dict[str, Any]:
        return {"goal": self.goal, "basis_text": self.basis_text, "p_all_years": self.p_all_years,
                "hardest_year": self.hardest_year, "p_hardest": self.p_hardest, "p_hardest_se": self.p_hardest_se,
                "reserve": self.reserve}


@dataclass(frozen=True, slots=True)
class ReadingResult:
    """Every goal of the region (or participant) under one reading.

    Attributes
    ----------
    id, name, quote, source : str
        The reading as declared.
    literal : bool
        Whether it is the document's literal reading (the default).
    goals : tuple of ReadingGoal
    programme_reserve : float or None
        The reserve for every goal and year together [EUR] (see :class:`Summary`).
    """

    id: str
    name: str
    literal: bool
    quote: str
    source: str
    goals: tuple[ReadingGoal, ...]
    programme_reserve: float | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "literal": self.literal, "quote": self.quote,
                "source": self.source, "goals": [g.to_json() for g in self.goals],
                "programme_reserve": self.programme_reserve}


def of_summary(s: Scenario, reading_id: str, summary: Summary) -> ReadingResult:
    """One reading's row from its summary."""
    r = next(x for x in s.readings if x.id == reading_id)
    rows = []
    for g in summary.goals:
        if not g.years:
            continue
        y = min(g.years, key=lambda k: (g.years[k].p, k))
        d = g.years[y]
        rows.append(ReadingGoal(g.id, g.basis_text, g.p_all_years, y, d.p, d.se, d.reserve))
    return ReadingResult(r.id, r.name, r.literal, r.quote, r.source, tuple(rows), summary.programme_reserve)


def side_by_side(s: Scenario, summary: Summary | None, *, paths: int, seed: int, municipality: str | None = None,
                 threads: int | None = None) -> list[ReadingResult]:
    """Every reading of ``s``, the literal first; empty when the scenario declares none.

    ``summary`` is the run of ``s``'s own reading on ``paths`` paths (None: run it too).
    """
    if not s.readings or s.reading is None:
        return []
    from simulator.run.streaming import run_stream
    from simulator.scenario.loader import load

    if summary is None:
        summary = Summary.from_merged(run_stream(s, paths, seed=seed, municipality=municipality, threads=threads))
    out = {s.reading: of_summary(s, s.reading, summary)}
    for r in s.readings:
        if r.id in out:
            continue
        other = load(s.file, reading=r.id)
        merged = run_stream(other, paths, seed=seed, municipality=municipality, threads=threads)
        out[r.id] = of_summary(other, r.id, Summary.from_merged(merged))
    return sorted(out.values(), key=lambda x: (not x.literal, [r.id for r in s.readings].index(x.id)))
