"""A goal's risk as the lines of a NARIS-style risk register (risicoregister).

A municipal register holds each risk as a line: a description, the chance it occurs and its
financial consequence, each also as a class 1-5, and their product. taaksim fills one line per
goal and year from the simulation, bottom-up: the chance is P(goal missed) from the paths, the
consequence is the shortfall in the bad case (P95 of the shortfall among the paths that miss),
and the figures behind them (expected shortfall, the reserve at 90% certainty, the Monte Carlo
errors) stand beside them, so the register's class-based figure and the simulation's own can be
compared. The classes are the common municipal scale (see docs/results.md):

* kans: 1 under 20% (register value 10%), 2 20-40% (30%), 3 40-60% (50%), 4 60-80% (70%),
  5 80% or more (90%);
* gevolg: 1 up to € 50.000, 2 up to € 200.000, 3 up to € 500.000, 4 up to € 1.000.000,
  5 above € 1.000.000.

The risk score is kans class x gevolg class (1-25). The risk amount is computed from the
unrounded chance (P(missed) x consequence), and the chance is written with enough digits that
the product can be checked from the line itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.results.risk import Risk

#: (upper bound exclusive, class, the chance a class-based register enters) for the kans classes
CHANCE_CLASSES = ((0.2, 1, 0.1), (0.4, 2, 0.3), (0.6, 3, 0.5), (0.8, 4, 0.7), (float("inf"), 5, 0.9))
#: (upper bound inclusive [EUR], class) for the gevolg classes
CONSEQUENCE_CLASSES = ((50_000.0, 1), (200_000.0, 2), (500_000.0, 3), (1_000_000.0, 4), (float("inf"), 5))


def chance_class(p: float) -> int:
    """The kans class 1-5 of a probability.

    >>> [chance_class(p) for p in (0.0, 0.0053, 0.2, 0.45, 0.79, 0.8, 1.0)]
    [1, 1, 2, 3, 4, 5, 5]
    """
    return next(c for upper, c, _ in CHANCE_CLASSES if p < upper)


def consequence_class(amount: float) -> int:
    """The gevolg class 1-5 of an amount [EUR].

    >>> [consequence_class(x) for x in (0, 50_000, 50_001, 158_000, 500_000, 1_000_000, 2e6)]
    [1, 1, 2, 2, 3, 4, 5]
    """
    return next(c for upper, c in CONSEQUENCE_CLASSES if amount <= upper)


@dataclass(frozen=True, slots=True)
class RegisterLine:
    """One register line: a goal missed in one year.

    Attributes
    ----------
    risk_id : str
        Stable id, ``taaksim:<goal>:<year>``.
    goal, kind, scope : str
        The goal (its id), "target" or "budget", and its scope label.
    year : int
    amount : float
        The target or budget [EUR].
    chance, chance_se : float
        P(goal missed) [0-1] and its Monte Carlo standard error.
    chance_bound : float or None
        Where no path missed, the 95% upper bound 3/n on the chance; where every path missed, the
        95% lower bound 1 - 3/n [0-1]; else None.
    chance_class : int
        Kans class 1-5.
    consequence : float
        P95 of the shortfall among the paths that miss [EUR] (0 when none does).
    consequence_class : int
        Gevolg class 1-5.
    score : int
        ``chance_class * consequence_class`` (1-25).
    risk_amount : float
        ``chance * consequence`` [EUR], from the unrounded chance.
    class_amount : float
        The class's register chance (10%, 30%, ...) x ``consequence`` [EUR]: what a class-based
        register enters for this line.
    expected_shortfall, expected_shortfall_se : float
        Mean shortfall over all paths [EUR] and its standard error.
    needed_capacity : float
        The shortfall not exceeded in 90% of the paths [EUR].
    paths : int
    """

    risk_id: str
    goal: str
    kind: str
    scope: str
    year: int
    amount: float
    chance: float
    chance_se: float
    chance_bound: float | None
    chance_class: int
    consequence: float
    consequence_class: int
    score: int
    risk_amount: float
    class_amount: float
    expected_shortfall: float
    expected_shortfall_se: float
    needed_capacity: float
    paths: int

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def register_lines(risk: Risk) -> list[RegisterLine]:
    """Every goal and year of ``risk`` as a register line, in the risk's order."""
    n = risk.paths
    lines = []
    for g in risk.goals:
        for y, d in g.years.items():
            chance = 1.0 - d.p_met
            bound = None if d.p_met not in (0.0, 1.0) else (3.0 / n if chance == 0 else 1.0 - 3.0 / n)
            c_cls = chance_class(chance if bound is None else bound)
            g_cls = consequence_class(d.max_consequence)
            class_chance = next(v for upper, c, v in CHANCE_CLASSES if c == c_cls)
            lines.append(RegisterLine(
                risk_id=f"taaksim:{g.id}:{y}", goal=g.id, kind=g.kind, scope=g.scope, year=y, amount=d.amount,
                chance=chance, chance_se=d.p_met_se, chance_bound=bound, chance_class=c_cls,
                consequence=d.max_consequence, consequence_class=g_cls, score=c_cls * g_cls,
                risk_amount=chance * d.max_consequence, class_amount=class_chance * d.max_consequence,
                expected_shortfall=d.expected_shortfall, expected_shortfall_se=d.expected_shortfall_se,
                needed_capacity=d.needed_capacity, paths=n))
    return lines


#: (field, Dutch header, English header) in the order a register lists them
COLUMNS = (
    ("risk_id", "risico-id", "risk id"),
    ("description", "omschrijving", "description"),
    ("cause", "oorzaak", "cause"),
    ("effect", "gevolg (omschrijving)", "effect"),
    ("chance", "kans", "chance"),
    ("chance_bound", "kans, 95%-grens (bij 0 of 100%)", "chance, 95% bound (at 0 or 100%)"),
    ("chance_se", "kans, standaardfout", "chance, standard error"),
    ("chance_class", "kansklasse (1-5)", "chance class (1-5)"),
    ("consequence", "financieel gevolg [EUR]", "financial consequence [EUR]"),
    ("consequence_class", "gevolgklasse (1-5)", "consequence class (1-5)"),
    ("score", "risicoscore (kans x gevolg, 1-25)", "risk score (chance x consequence, 1-25)"),
    ("risk_amount", "risicobedrag: kans x gevolg [EUR]", "risk amount: chance x consequence [EUR]"),
    ("class_amount", "risicobedrag volgens klasse [EUR]", "risk amount by class [EUR]"),
    ("expected_shortfall", "verwacht tekort [EUR]", "expected shortfall [EUR]"),
    ("expected_shortfall_se", "verwacht tekort, standaardfout [EUR]", "expected shortfall, standard error [EUR]"),
    ("needed_capacity", "benodigde weerstandscapaciteit, 90% zeker [EUR]", "reserve needed, 90% certain [EUR]"),
    ("amount", "taakstelling of budget [EUR]", "target or budget [EUR]"),
    ("year", "jaar", "year"),
    ("scope", "bereik", "scope"),
    ("paths", "gesimuleerde paden", "simulated paths"),
    ("source", "bron", "source"),
)


def shown_chance(line: RegisterLine, lang: str = "nl") -> tuple[str, float]:
    """The chance as a register line shows it, with two significant digits, and the value shown
    [0-1], so that kans x gevolg on the line is the product of the figures on it: "0,53%"; where
    no path missed, the bound: "< 0,15%" (the value is then the bound).

    >>> from dataclasses import replace
    >>> line = RegisterLine("r", "g", "target", "all", 2024, 1.0, 0.005312, 0.0007, None, 1, 158_000.0, 2, 2,
    ...                     839.3, 15_800.0, 10.0, 1.0, 0.0, 10_000)
    >>> shown_chance(line), shown_chance(replace(line, chance=0.0, chance_bound=0.0015), "en")
    (('0,53%', 0.0053), ('< 0.15%', 0.0015))
    >>> shown_chance(replace(line, chance=1.0, chance_bound=0.9985))
    ('> 99,85%', 0.9985)
    """
    import math

    from simulator.report.text import number

    x = line.chance if line.chance_bound is None else line.chance_bound
    # two significant digits of the chance, or of its distance to 1 near certainty (99,85%, not 100%)
    small = min(x, 1 - x)
    digits = max(0, 1 - math.floor(math.log10(100 * small))) if small > 0 else 0
    value = round(round(100 * x, digits) / 100, digits + 2)
    prefix = "" if line.chance_bound is None else ("< " if line.chance == 0 else "> ")
    return prefix + number(100 * value, digits, lang) + "%", value


def format_lines(lines: list[RegisterLine], lang: str, *, scenario_name: str, scope_name: str) -> str:
    """The register lines for a terminal, one block per line, in the language's number format."""
    from simulator.i18n import t
    from simulator.report.text import eur

    out = []
    for line in lines:
        w = _words(line, lang, scenario_name, scope_name)
        chance, value = shown_chance(line, lang)
        # the product of the figures shown (the csv/xlsx keep the unrounded chance and product)
        amount = value * round(line.consequence)
        out.append(w["description"] + "\n" + t("term.reg_line", lang).format(
            p=chance, pc=line.chance_class, worst=eur(line.consequence, lang), wc=line.consequence_class,
            le="<= " if chance.startswith("<") else "", amount=eur(amount, lang), score=line.score,
            es=eur(line.expected_shortfall, lang), need=eur(line.needed_capacity, lang)))
    return "\n".join(out)


def _words(line: RegisterLine, lang: str, scenario_name: str, scope_name: str) -> dict[str, str]:
    from simulator.i18n import t
    from simulator.report.text import eur

    return {
        "description": t(f"reg.description.{line.kind}", lang).format(year=line.year, scope=scope_name,
                                                                       amount=eur(line.amount, lang)),
        "cause": t(f"reg.cause.{line.kind}", lang),
        "effect": t("reg.effect", lang),
        "source": t("reg.source", lang).format(scenario=scenario_name),
    }


def register_rows(lines: list[RegisterLine], lang: str, *, scenario_name: str,
                  scope_name: str) -> tuple[list[str], list[list[object]]]:
    """The header and one row per line: numbers stay numbers (the chance as a fraction 0-1)."""
    header = [nl if lang == "nl" else en for _, nl, en in COLUMNS]
    rows = []
    for line in lines:
        values = {**line.to_json(), **_words(line, lang, scenario_name, scope_name)}
        rows.append([values[key] for key, _, _ in COLUMNS])
    return header, rows


def write_register(path: str | Path, lines: list[RegisterLine], *, lang: str, dialect: str | None,
                   scenario_name: str, scope_name: str, meta: dict[str, object]) -> None:
    """Write the register lines as ``.csv`` (in ``dialect``) or ``.xlsx`` (with a metadata sheet)."""
    header, rows = register_rows(lines, lang, scenario_name=scenario_name, scope_name=scope_name)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        from simulator.report.spreadsheet import dialect_for, write_csv

        write_csv(path, header, rows, dialect_for(lang, dialect))
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    from simulator.i18n import t

    ws.title = t("reg.sheet", lang)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = {"chance": "0.00%", "chance_bound": "0.00%", "chance_se": "0.00%", "consequence": "€ #,##0",
               "risk_amount": "€ #,##0", "class_amount": "€ #,##0", "expected_shortfall": "€ #,##0",
               "expected_shortfall_se": "€ #,##0", "needed_capacity": "€ #,##0", "amount": "€ #,##0",
               "paths": "#,##0"}
    from simulator.report.xlsx import inert

    inert(ws[1])
    for row in rows:
        ws.append(row)
        inert(ws[ws.max_row])
    for j, (key, _, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, j).column_letter].width = 60 if key in ("description", "cause", "effect") \
            else 16
        if key in formats:
            for r in range(2, ws.max_row + 1):
                ws.cell(r, j).number_format = formats[key]
    ws.freeze_panes = "B2"
    from simulator.report.xlsx import add_metadata

    add_metadata(wb, meta, lang)
    wb.save(path)
