"""The tables of a report and of a spreadsheet export, built once from :class:`Findings`.

A table holds raw numbers and says per column what kind they are (euro, probability,
number, text); the HTML and Markdown report format them the Dutch (or English) way, the
xlsx export writes the numbers with a number format so a spreadsheet can compute on them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from simulator.report.paragraph import scope_words, waterfall_label
from simulator.report.text import eur, number, pct
from simulator.results.analysis import Findings, describe_input, ratio_class


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    nl: str
    en: str
    kind: str = "eur"  # eur | pct (estimated) | prob (given) | se | num | ratio | text | int

    def title(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True, slots=True)
class Table:
    sheet: str
    nl: str
    en: str
    columns: tuple[Column, ...]
    rows: tuple[dict, ...]
    note_nl: str = ""
    note_en: str = ""

    def title(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en

    def note(self, lang: str) -> str:
        return self.note_nl if lang == "nl" else self.note_en


def cell(value, kind: str, lang: str = "nl", n: int | None = None) -> str:
    """One value as a reader sees it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind == "eur":
        return eur(value, lang)
    if kind == "pct":
        return pct(value, lang, n)
    if kind == "prob":  # a probability the scenario states, not an estimate: print it as given
        return f"{number(100 * value, 0 if float(100 * value).is_integer() else 1, lang)}%"
    if kind == "se":
        return "±" + number(100 * value, 1, lang) + ("\u202fpp" if lang == "nl" else "\u202fpp")
    if kind == "num":
        return number(value, 2, lang)
    if kind == "ratio":
        return number(value, 2, lang) if math.isfinite(value) else "∞"
    if kind == "int":
        return number(value, 0, lang)
    return str(value)


def describe_distribution(d) -> str:
    """pert(low=80, mode=100, high=120): the distribution as the scenario file states it."""
    parts = []
    for fld in dataclasses.fields(d):
        if fld.name == "plan":
            continue
        v = getattr(d, fld.name)
        if hasattr(v, "__dataclass_fields__"):
            v = describe_distribution(v)
        elif isinstance(v, float):
            v = f"{v:g}"
        elif isinstance(v, tuple):
            v = "[" + ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v) + "]"
        parts.append(f"{fld.name}={v}")
    if getattr(d, "plan", None) is not None:
        parts.append(f"plan={d.plan:g}")
    return f"{type(d).__name__.lower()}({', '.join(parts)})"


def summary_table(f: Findings) -> Table:
    s = f.summary
    rows = []
    for y in s.years:
        v = s.savings[y]
        rows.append({"year": y, "plan": f.plan.get(y), "mean": v.mean, "p5": v.p5, "p10": v.p10,
                     "p50": v.p50, "p90": v.p90, "p95": v.p95, "target": s.target[y],
                     "p50_low": s.savings_interval[y]["p50"][0], "p50_high": s.savings_interval[y]["p50"][1],
                     "p_target_met": s.p_target_met[y], "p_target_met_se": s.p_target_met_se[y],
                     "p_within_budget": s.p_within_budget[y],
                     "p_within_budget_se": s.p_within_budget_se[y]})
    cols = (Column("year", "jaar", "year", "text"), Column("plan", "plan", "plan"),
            Column("mean", "gemiddeld", "mean"), Column("p5", "P5", "P5"), Column("p10", "P10", "P10"),
            Column("p50", "P50", "P50"), Column("p50_low", "P50 95%-interval van", "P50 95% interval from"),
            Column("p50_high", "tot", "to"), Column("p90", "P90", "P90"), Column("p95", "P95", "P95"),
            Column("target", "taakstelling", "target"),
            Column("p_target_met", "kans gehaald", "P(target met)", "pct"),
            Column("p_target_met_se", "MC-fout", "MC error", "se"),
            Column("p_within_budget", "kans binnen budget", "P(within budget)", "pct"),
            Column("p_within_budget_se", "MC-fout", "MC error", "se"))
    return Table("summary", "Netto besparing per jaar (alle posten, t.o.v. de uitgaven zonder maatregelen)",
                 "Net savings per year (all posts, against spending without the measures)", cols, tuple(rows),
                 "Taakstelling en kans gehaald: de eerste taakstelling van dit gebied, op haar eigen posten en "
                 "grondslag. MC-fout: de Monte Carlo-standaardfout in procentpunten.",
                 "Target and P(met): the area's first target, on its own posts and basis. MC error: the Monte "
                 "Carlo standard error in percentage points.")


def goals_table(f: Findings) -> Table:
    rows = []
    for g in f.risk.goals:
        for y, d in g.years.items():
            lo, hi = d.needed_capacity_interval
            rows.append({"goal": g.id, "kind": g.kind, "scope": g.scope, "basis": g.against,
                         "year": y, "amount": d.amount, "p5": d.p5, "p50": d.p50, "p95": d.p95,
                         "p_met": d.p_met, "p_met_se": d.p_met_se,
                         "expected_shortfall": d.mean_shortfall, "cvar": d.cvar,
                         "needed_capacity": d.needed_capacity,
                         "needed_low": lo, "needed_high": hi, "realisatierisico": d.realisatierisico,
                         "p_all_years": g.p_all_years})
    cols = (Column("goal", "doel", "goal", "text"), Column("kind", "soort", "kind", "text"),
            Column("scope", "posten", "scope", "text"), Column("basis", "grondslag", "basis", "text"),
            Column("year", "jaar", "year", "text"), Column("amount", "bedrag", "amount"),
            Column("p5", "P5", "P5"), Column("p50", "P50", "P50"), Column("p95", "P95", "P95"),
            Column("p_met", "kans gehaald", "P(met)", "pct"), Column("p_met_se", "MC-fout", "MC error", "se"),
            Column("expected_shortfall", "gemiddeld tekort (alle paden)", "mean shortfall (all paths)"),
            Column("cvar", "gemiddeld tekort slechtste 10%", "CVaR (mean shortfall, worst 10%)"),
            Column("needed_capacity", "nodig (90%)", "needed (90%)"),
            Column("needed_low", "nodig, 95%-interval van", "needed, 95% interval from"),
            Column("needed_high", "tot", "to"),
            Column("realisatierisico", "realisatierisico", "realisation risk"),
            Column("p_all_years", "kans alle jaren", "P(every year)", "pct"))
    return Table("risk", "Taakstellingen en budgetten: kans, tekort en benodigde weerstandscapaciteit",
                 "Targets and budgets: probability, shortfall and required reserve", cols, tuple(rows),
                 "Tekort: bij een taakstelling wat aan het bedrag ontbreekt, bij een budget de overschrijding. "
                 "Gemiddeld tekort: over alle scenario's (0 als het doel gehaald wordt); slechtste 10%: het "
                 "gemiddelde tekort in de 10% slechtste scenario's (CVaR). "
                 "Nodig (90%): het tekort dat in 90% van de scenario's niet wordt overschreden (benodigde "
                 "weerstandscapaciteit). Realisatierisico: kans op een tekort × maximaal gevolg (P95 van het "
                 "tekort als het optreedt).",
                 "Shortfall: for a target what is missing, for a budget the overrun. Mean shortfall: over every "
                 "path (0 where the goal is met); CVaR: the mean shortfall in the worst 10% of paths. "
                 "Needed (90%): the shortfall "
                 "not exceeded in 90% of the scenarios. Realisation risk: P(shortfall) × maximum consequence "
                 "(P95 of the shortfall when there is one).")


def contributions_table(f: Findings) -> Table:
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
    for name, d in (("som afzonderlijk / sum alone", c.sum_standalone), ("pakket / package", c.package),
                    ("communicerende vaten / interaction loss", c.interaction_loss)):
        rows.append({"id": "", "name": name, "standalone_mean": d.mean, "standalone_p5": d.p5,
                     "standalone_p50": d.p50, "standalone_p95": d.p95})
    cols = (Column("id", "id", "id", "text"), Column("name", "maatregel", "measure", "text"),
            Column("published", "document", "document"), Column("plan_value", "model, planwaarden", "model, plan"),
            Column("p_go_ahead", "kans doorgang", "P(go-ahead)", "prob"),
            Column("standalone_mean", "alleen: gemiddeld", "alone: mean"),
            Column("standalone_p5", "alleen: P5", "alone: P5"), Column("standalone_p50", "alleen: P50", "alone: P50"),
            Column("standalone_p95", "alleen: P95", "alone: P95"),
            Column("marginal_mean", "in pakket: marginaal", "in package: marginal"),
            Column("marginal_p5", "marginaal P5", "marginal P5"),
            Column("marginal_p95", "marginaal P95", "marginal P95"),
            Column("loss_no_go", "verlies geen doorgang", "loss no-go"),
            Column("loss_delay", "verlies vertraging", "loss delay"),
            Column("loss_cost_overrun", "verlies kosten", "loss cost overrun"),
            Column("shortfall_vs_plan", "tekort t.o.v. plan", "below plan"))
    return Table("contributions", f"Bijdrage per maatregel, netto besparing {c.year}",
                 f"Contribution per measure, net savings {c.year}", cols, tuple(rows),
                 "Alleen: de maatregel als enige. Marginaal: pakket min pakket zonder deze maatregel, per "
                 "scenario. Verliezen: de verwachte besparing die geen doorgang, vertraging en kostenoverschrijding "
                 "kosten (negatief: verlies). Communicerende vaten: som van de afzonderlijke maatregelen min het "
                 "pakket. Alle runs met dezelfde toevalsgetallen.",
                 "Alone: the measure on its own. Marginal: package minus package without it, per path. Losses: the "
                 "expected savings lost to no-go, delay and cost overruns (negative: a loss). Interaction loss: sum "
                 "of measures alone minus the package. All runs share their random numbers.")


def waterfall_table(f: Findings, lang: str = "nl") -> Table:
    rows = tuple({"step": waterfall_label(s.step, lang), "key": s.step, "value": s.value,
                  "kind": s.kind, "se": s.se} for s in f.waterfall)
    cols = (Column("step", "stap", "step", "text"), Column("value", "bedrag", "amount"),
            Column("se", "MC-fout", "MC error"))
    return Table("waterfall", f"Van plan naar uitkomst {f.study.year}", f"From plan to result {f.study.year}",
                 cols, rows,
                 "Communicerende vaten: pakket min som van de afzonderlijke maatregelen, bij planwaarden. Daarna is "
                 "elke stap de verandering van het gemiddelde als één soort onzekerheid erbij komt, in deze "
                 "volgorde en met dezelfde toevalsgetallen; de laatste stap gaat van gemiddelde naar mediaan.",
                 "Interaction loss: package minus the sum of the measures alone, at plan values. After that each "
                 "step is the change of the mean when one more kind of uncertainty is let in, in this order and "
                 "with the same random numbers; the last step goes from mean to median.")


def sensitivity_table(f: Findings) -> Table:
    rows = tuple({"key": r.key, "label": r.label, "label_en": r.label_en, "role": r.role,
                  "spearman": r.spearman, "p10_value": r.low_value, "p90_value": r.high_value,
                  "mean_at_low": r.mean_at_low, "mean_at_high": r.mean_at_high, "swing": r.swing,
                  "first_order": r.first_order, "swing_se": r.swing_se, "first_order_se": r.first_order_se,
                  "total_order": r.total_order, "total_order_se": r.total_order_se} for r in f.sensitivity)
    cols = (Column("label", "aanname", "assumption", "text"), Column("key", "sleutel", "key", "text"),
            Column("role", "soort", "role", "text"), Column("spearman", "Spearman", "Spearman", "num"),
            Column("p10_value", "waarde P10", "value P10", "num"),
            Column("p90_value", "waarde P90", "value P90", "num"),
            Column("mean_at_low", "gemiddelde bij laag", "mean at low"),
            Column("mean_at_high", "gemiddelde bij hoog", "mean at high"),
            Column("swing", "uitslag", "swing"), Column("swing_se", "MC-fout", "MC error"),
            Column("first_order", "eerste-orde-index", "first-order index", "num"),
            Column("first_order_se", "MC-fout", "MC error", "num"),
            Column("total_order", "totale index", "total-order index", "num"),
            Column("total_order_se", "MC-fout", "MC error", "num"))
    return Table("sensitivity", f"Gevoeligheid: welke aanname eerst onderzoeken? (netto besparing {f.study.year})",
                 f"Sensitivity: which assumption to research first? (net savings {f.study.year})", cols, rows,
                 "Uitslag: gemiddelde besparing met de aanname op haar P90 min met de aanname op haar P10 (de "
                 "tornado; een doorgangskans van 90% of meer: doorgang tegen geen doorgang). Spearman: "
                 "rangcorrelatie met de besparing. Eerste-orde-index: het deel van de variantie dat de aanname "
                 "alleen verklaart; totale index: alleen of samen met andere aannames.",
                 "Swing: mean savings with the input at its P90 minus at its P10 (the tornado; a go-ahead of 90% or "
                 "more: go against no-go). Spearman: rank correlation with savings. First-order index: the share of "
                 "variance the input explains alone; total-order index: alone or together with other inputs.")


def inputs_table(f: Findings) -> Table:
    s = f.study.scenario
    import numpy as np

    rows = []
    for inp in s.inputs:
        d = inp.distribution
        p10, p50, p90 = (float(v) for v in d.ppf(np.array([[0.1, 0.5, 0.9]]))[0])
        rows.append({"key": inp.key, "label": describe_input(s, inp, "nl"), "role": inp.role,
                     "distribution": describe_distribution(d), "plan": d.point, "mean": d.mean,
                     "p10": p10, "p50": p50, "p90": p90, "per_year": "yes" if inp.per_year else "no"})
    cols = (Column("key", "sleutel", "key", "text"), Column("label", "omschrijving", "description", "text"),
            Column("role", "soort", "role", "text"), Column("distribution", "verdeling", "distribution", "text"),
            Column("plan", "planwaarde", "plan value", "num"), Column("mean", "gemiddelde", "mean", "num"),
            Column("p10", "P10", "P10", "num"), Column("p50", "P50", "P50", "num"), Column("p90", "P90", "P90", "num"),
            Column("per_year", "per jaar getrokken", "drawn per year", "text"))
    return Table("inputs", "Onzekere invoer", "Uncertain inputs", cols, tuple(rows))


def ratio_scale_table() -> Table:
    bounds = [("A", "> 2,0", "> 2.0"), ("B", "1,4 - 2,0", "1.4 - 2.0"), ("C", "1,0 - < 1,4", "1.0 - < 1.4"),
              ("D", "0,8 - < 1,0", "0.8 - < 1.0"), ("E", "0,6 - < 0,8", "0.6 - < 0.8"), ("F", "< 0,6", "< 0.6")]
    examples = {"A": 2.5, "B": 1.4, "C": 1.0, "D": 0.8, "E": 0.6, "F": 0.3}
    rows = tuple({"class": c, "range_nl": nl, "range_en": en, "word_nl": ratio_class(examples[c])[1],
                  "word_en": ratio_class(examples[c])[2]} for c, nl, en in bounds)
    cols = (Column("class", "klasse", "class", "text"), Column("range_nl", "ratio", "ratio", "text"),
            Column("word_nl", "betekenis", "meaning", "text"))
    return Table("ratio_scale", "Waarderingsschaal weerstandsratio", "Scale of the ratio", cols, rows,
                 "De gepubliceerde tabel laat de grenzen open; taaksim neemt elke ondergrens inclusief: 1,4 is B, "
                 "precies 2,0 is B, 1,0 is C, 0,8 is D en 0,6 is E.",
                 "The published scale leaves its boundaries open; taaksim takes each lower bound as inclusive: 1.4 "
                 "is B, exactly 2.0 is B, 1.0 is C, 0.8 is D and 0.6 is E.")


def all_tables(f: Findings, lang: str = "nl") -> dict[str, Table]:
    return {"summary": summary_table(f), "risk": goals_table(f), "contributions": contributions_table(f),
            "waterfall": waterfall_table(f, lang), "sensitivity": sensitivity_table(f), "inputs": inputs_table(f)}


__all__ = ["Column", "Table", "all_tables", "cell", "ratio_scale_table", "scope_words"]
