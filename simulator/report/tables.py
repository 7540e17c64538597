"""The tables of a report and of a spreadsheet export, built once from :class:`Findings`.

A table holds raw numbers and says per column what kind they are (euro, probability,
number, text); the HTML and Markdown report format them the Dutch (or English) way, the
xlsx export writes the numbers with a number format so a spreadsheet can compute on them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from simulator.i18n import TEXT, pick, t
from simulator.report.paragraph import scope_words, waterfall_label
from simulator.report.text import cell, number
from simulator.results.analysis import Findings, describe_input, ratio_class
from simulator.results.summary import target_beside_savings


@dataclass(frozen=True, slots=True)
class Column:
    """A column: the row key it shows, the kind of value, and its title's catalogue key
    (``col.<key>`` unless ``text`` names another, see :mod:`simulator.i18n`)."""

    key: str
    kind: str = "eur"  # eur | pct (estimated) | prob (given) | se | num | ratio | text | int
    text: str = ""

    def title(self, lang: str) -> str:
        return t(self.text or f"col.{self.key}", lang)


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of raw values; the title (``table.<sheet>``, filled with ``fields``) and the note
    (``table.<sheet>.note``, if any) come from the catalogue."""

    sheet: str
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]
    fields: dict = dataclasses.field(default_factory=dict)

    def title(self, lang: str) -> str:
        return t(f"table.{self.sheet}", lang).format(**self.fields)

    def note(self, lang: str) -> str:
        key = f"table.{self.sheet}.note"
        return t(key, lang) if key in TEXT else ""


#: a distribution's kind and parameters in words: (Dutch, English); "lam" (PERT's shape) is left out
DIST_WORDS = {"pert": ("PERT", "PERT"), "triangular": ("driehoek", "triangular"), "uniform": ("uniform", "uniform"),
              "normal": ("normaal", "normal"), "lognormal": ("lognormaal", "lognormal"), "beta": ("bèta", "beta"),
              "bernoulli": ("ja/nee", "yes/no"), "discrete": ("discreet", "discrete"), "fixed": ("vast", "fixed"),
              "delaymixture": ("vertraging", "delay"),
              "low": ("laag", "low"), "mode": ("meest waarschijnlijk", "most likely"),
              "likely": ("meest waarschijnlijk", "most likely"), "high": ("hoog", "high"),
              "mean": ("gemiddeld", "mean"),
              "sd": ("standaardafwijking", "standard deviation"), "p": ("kans", "probability"),
              "values": ("waarden", "values"), "probabilities": ("kansen", "probabilities"),
              "value": ("waarde", "value"), "a": ("a", "a"), "b": ("b", "b"), "mu": ("mu", "mu"),
              "sigma": ("sigma", "sigma"), "p_late": ("kans op vertraging", "probability of delay"),
              "years": ("jaren", "years"), "plan": ("plan", "plan")}


def describe_distribution(d, lang: str = "nl") -> str:
    """The distribution in words, in the report's language: "PERT: laag 80, meest waarschijnlijk
    100, hoog 120" (the scenario file's own notation would be code in a council document)."""
    def word(key: str) -> str:
        return pick(DIST_WORDS.get(key, (key, key)), lang)

    def num(x) -> str:
        return number(x, 0 if float(x).is_integer() else (2 if abs(x) >= 0.1 else 4), lang).rstrip("0") \
            if not float(x).is_integer() else number(x, 0, lang)

    parts = []
    for fld in dataclasses.fields(d):
        if fld.name in ("plan", "lam"):
            continue
        v = getattr(d, fld.name)
        if hasattr(v, "__dataclass_fields__"):
            v = describe_distribution(v, lang)
        elif isinstance(v, (int, float)):
            v = num(v)
        elif isinstance(v, tuple):
            v = "[" + "; ".join(num(x) if isinstance(x, (int, float)) else str(x) for x in v) + "]"
        parts.append(f"{word(fld.name)} {v}")
    return f"{word(type(d).__name__.lower())}: {', '.join(parts)}"


def summary_table(f: Findings) -> Table:
    s = f.summary
    # the headline target only beside savings it judges (else it is in the goals table, on its basis)
    same = target_beside_savings(s, f.study.scenario, f.study.municipality)
    rows = []
    for y in s.years:
        v = s.savings[y]
        rows.append({"year": y, "plan": f.plan.get(y), "mean": v.mean, "p5": v.p5, "p10": v.p10,
                     "p50": v.p50, "p90": v.p90, "p95": v.p95, "target": s.target[y] if same else None,
                     "p50_low": s.savings_interval[y]["p50"][0], "p50_high": s.savings_interval[y]["p50"][1],
                     "p_target_met": s.p_target_met[y] if same else None,
                     "p_target_met_se": s.p_target_met_se[y] if same else None,
                     "p_within_budget": s.p_within_budget[y],
                     "p_within_budget_se": s.p_within_budget_se[y]})
    cols = (Column("year", "text"), Column("plan"), Column("mean"), Column("p5"), Column("p10"), Column("p50"),
            Column("p50_low"), Column("p50_high"), Column("p90"), Column("p95"), Column("target"),
            Column("p_target_met", "pct"),
            Column("p_target_met_se", "se", "col.se"), Column("p_within_budget", "pct"),
            Column("p_within_budget_se", "se", "col.se"))
    return Table("summary", cols, tuple(rows))


def goals_table(f: Findings, lang: str = "nl") -> Table:
    rows = []
    s = f.study.scenario
    for g in f.risk.goals:
        for y, d in g.years.items():
            lo, hi = d.needed_capacity_interval
            rows.append({"goal": g.id, "kind": t(f"col.kind.{g.kind}", lang),
                         "scope": scope_words(g.scope, lang, s), "basis": g.basis_in(lang) or g.basis,
                         "year": y, "amount": d.amount, "p5": d.p5, "p50": d.p50, "p95": d.p95,
                         "p_met": d.p_met, "p_met_se": d.p_met_se, "booked": d.booked,
                         "expected_shortfall": d.mean_shortfall, "cvar": d.cvar,
                         "needed_capacity": d.needed_capacity,
                         "needed_low": lo, "needed_high": hi, "realisatierisico": d.realisatierisico,
                         "p_all_years": g.p_all_years})
    cols = (Column("goal", "text"), Column("kind", "text"), Column("scope", "text"), Column("basis", "text"),
            Column("year", "text"), Column("amount"), Column("p5"), Column("p50"), Column("p95"),
            Column("p_met", "pct"), Column("p_met_se", "se", "col.se"), Column("booked"), Column("expected_shortfall"),
            Column("cvar"),
            Column("needed_capacity"), Column("needed_low"), Column("needed_high"), Column("realisatierisico"),
            Column("p_all_years", "pct"))
    return Table("risk", cols, tuple(rows), {"reserve": cell(f.risk.programme_reserve, "eur", lang)})


def readings_table(f: Findings, lang: str = "nl") -> Table:
    """Every goal under each declared reading of the document (no rows without readings)."""
    rows = []
    for r in f.readings:
        for g in r.goals:
            rows.append({"reading": r.id + (" *" if r.literal else ""), "goal": g.goal, "basis": g.basis_text,
                         "p_all_years": g.p_all_years, "hardest_year": g.hardest_year, "p_hardest": g.p_hardest,
                         "reserve": g.reserve, "programme_reserve": r.programme_reserve})
    cols = (Column("reading", "text"), Column("goal", "text"), Column("basis", "text"), Column("p_all_years", "pct"),
            Column("hardest_year", "text"), Column("p_hardest", "pct"), Column("reserve"),
            Column("programme_reserve"))
    return Table("readings", cols, tuple(rows))


def contributions_table(f: Findings, lang: str = "nl") -> Table:
    c = f.contributions
    rows = []
    for m in c.measures:
        rows.append({"id": m.id, "name": m.name, "published": m.published, "plan_value": m.plan_value,
                     "p_go_ahead": m.p_go_ahead, "standalone_p5": m.standalone.p5,
                     "standalone_p50": m.standalone.p50, "standalone_p95": m.standalone.p95,
                     "standalone_mean": m.standalone.mean, "marginal_mean": m.marginal.mean,
                     "marginal_p5": m.marginal.p5, "marginal_p95": m.marginal.p95,
                     "loss_no_go": m.loss_no_go, "loss_delay": m.loss_delay,
                     "loss_cost_overrun": m.loss_cost_overrun, "shortfall_vs_plan": m.shortfall_vs_plan})
    for key, d in (("sum_alone", c.sum_standalone), ("package", c.package), ("interaction", c.interaction_loss)):
        name = t(f"col.contrib.{key}", lang)
        rows.append({"id": "", "name": name, "standalone_mean": d.mean, "standalone_p5": d.p5,
                     "standalone_p50": d.p50, "standalone_p95": d.p95})
    cols = (Column("id", "text"), Column("name", "text"), Column("published"), Column("plan_value"),
            Column("p_go_ahead", "prob"), Column("standalone_mean"), Column("standalone_p5"),
            Column("standalone_p50"), Column("standalone_p95"), Column("marginal_mean"), Column("marginal_p5"),
            Column("marginal_p95"), Column("loss_no_go"), Column("loss_delay"), Column("loss_cost_overrun"),
            Column("shortfall_vs_plan"))
    return Table("contributions", cols, tuple(rows), {"year": c.year})


def waterfall_table(f: Findings, lang: str = "nl") -> Table:
    rows = tuple({"step": waterfall_label(s.step, lang), "key": s.step, "value": s.value,
                  "kind": s.kind, "se": s.se} for s in f.waterfall)
    cols = (Column("step", "text"), Column("value"), Column("se", "eur", "col.se"))
    return Table("waterfall", cols, rows, {"year": f.study.year})


def sensitivity_table(f: Findings) -> Table:
    rows = tuple({"key": r.key, "label": r.label, "label_en": r.label_en, "role": r.role,
                  "spearman": r.spearman, "p10_value": r.low_value, "p90_value": r.high_value,
                  "mean_at_low": r.mean_at_low, "mean_at_high": r.mean_at_high, "swing": r.swing,
                  "first_order": r.first_order, "swing_se": r.swing_se, "first_order_se": r.first_order_se,
                  "total_order": r.total_order, "total_order_se": r.total_order_se} for r in f.sensitivity)
    cols = (Column("label", "text"), Column("key", "text"), Column("role", "text"), Column("spearman", "num"),
            Column("p10_value", "num"), Column("p90_value", "num"), Column("mean_at_low"), Column("mean_at_high"),
            Column("swing"), Column("swing_se", "eur", "col.se"), Column("first_order", "num"),
            Column("first_order_se", "num", "col.se"), Column("total_order", "num"),
            Column("total_order_se", "num", "col.se"))
    return Table("sensitivity", cols, rows, {"year": f.study.year})


def inputs_table(f: Findings, lang: str = "nl") -> Table:
    s = f.study.scenario
    import numpy as np

    rows = []
    for inp in s.inputs:
        d = inp.distribution
        p10, p50, p90 = (float(v) for v in d.ppf(np.array([[0.1, 0.5, 0.9]]))[0])
        rows.append({"key": inp.key, "label": describe_input(s, inp, lang), "role": t(f"role.{inp.role}", lang)
                     if f"role.{inp.role}" in TEXT else str(inp.role),
                     "distribution": describe_distribution(d, lang), "plan": d.point, "mean": d.mean,
                     "p10": p10, "p50": p50, "p90": p90, "per_year": t("col.yes" if inp.per_year else "col.no", lang)})
    cols = (Column("key", "text"), Column("label", "text", "col.inputs.label"), Column("role", "text"),
            Column("distribution", "text"), Column("plan", "num", "col.inputs.plan"),
            Column("mean", "num", "col.inputs.mean"), Column("p10", "num"), Column("p50", "num"),
            Column("p90", "num"), Column("per_year", "text"))
    return Table("inputs", cols, tuple(rows))


def ratio_scale_table() -> Table:
    bounds = [("A", "> 2,0", "> 2.0"), ("B", "1,4 - 2,0", "1.4 - 2.0"), ("C", "1,0 - < 1,4", "1.0 - < 1.4"),
              ("D", "0,8 - < 1,0", "0.8 - < 1.0"), ("E", "0,6 - < 0,8", "0.6 - < 0.8"), ("F", "< 0,6", "< 0.6")]
    examples = {"A": 2.5, "B": 1.4, "C": 1.0, "D": 0.8, "E": 0.6, "F": 0.3}
    rows = tuple({"class": c, "range_nl": nl, "range_en": en, "word_nl": ratio_class(examples[c])[1],
                  "word_en": ratio_class(examples[c])[2]} for c, nl, en in bounds)
    cols = (Column("class", "text"), Column("range_nl", "text"), Column("word_nl", "text"))
    return Table("ratio_scale", cols, rows)


def all_tables(f: Findings, lang: str = "nl") -> dict[str, Table]:
    return {"summary": summary_table(f), "risk": goals_table(f, lang), "readings": readings_table(f, lang),
            "contributions": contributions_table(f, lang), "waterfall": waterfall_table(f, lang),
            "sensitivity": sensitivity_table(f), "inputs": inputs_table(f, lang), "sources": sources_table(f, lang)}


def sources_table(f: Findings, lang: str = "nl") -> Table:
    """Every sourced element of the scenario: its kind, name and source (or assumption)."""
    from simulator.report.sources import source_rows

    rows = tuple({"what": r.kind_nl if lang == "nl" else r.kind_en, "name": r.name, "source": r.source,
                  "assumed": t("col.yes" if r.assumption else "col.no", lang)}
                 for r in source_rows(f.study.scenario))
    cols = (Column("what", "text", "col.src.what"), Column("name", "text", "col.src.name"),
            Column("assumed", "text", "col.src.assumed"), Column("source", "text", "col.src.source"))
    return Table("sources", cols, rows)


__all__ = ["Column", "Table", "all_tables", "cell", "ratio_scale_table", "scope_words"]
