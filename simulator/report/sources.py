"""The scenario's sources and assumptions, for the report's appendix and the paragraph.

Every post, measure, cost group, target, budget and municipality of a scenario carries a
``source``: where in the document its figure stands, or "assumption: why" where the document
gives none. The appendix lists them all; the paragraph counts the assumptions, so a council
sees which figures are the document's and which are the analyst's.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.scenario.model import Scenario

#: (attribute of the scenario, Dutch kind, English kind), in the appendix's order
KINDS = (("posts", "kostenpost", "cost post"), ("measures", "maatregel", "measure"),
         ("cost_groups", "gedeelde kosten", "shared costs"), ("targets", "taakstelling", "target"),
         ("budgets", "budget", "budget"), ("municipalities", "gemeente", "municipality"))


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One figure's provenance: its kind, its name, the source text, and whether it is an assumption."""

    kind_nl: str
    kind_en: str
    name: str
    source: str

    @property
    def assumption(self) -> bool:
        """The source says the document does not give this figure ("assumption: ...")."""
        return "assumption" in self.source.lower() or "aanname" in self.source.lower()


def documents(s: Scenario) -> list[tuple[str, str]]:
    """The source documents the scenario cites: (short key, description)."""
    return sorted(s.sources.items())


def source_rows(s: Scenario) -> list[SourceRow]:
    """Every sourced element of the scenario, in the order of :data:`KINDS`."""
    rows = []
    for attr, nl, en in KINDS:
        for item in getattr(s, attr, ()):
            text = str(getattr(item, "source", "") or "").strip()
            if text:
                rows.append(SourceRow(nl, en, str(getattr(item, "name", "") or getattr(item, "id", "")), text))
    return rows


def assumptions(s: Scenario) -> list[SourceRow]:
    """The elements whose figure (or part of it) the document does not give."""
    return [r for r in source_rows(s) if r.assumption]
