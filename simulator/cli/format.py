"""Terminal text: the tables and lines `run`, `compare` and `report` print."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.results.risk import Headline
    from simulator.results.summary import Summary

__all__ = ["eur", "format_detail", "format_readings", "format_risk", "format_run", "jsonable", "pct"]


# the formats live in report/text.py (one place for every number format); imported on first
# use so that `taaksim --help` does not load the text catalogue
def eur(x: float | None) -> str:
    from simulator.report.text import plain_eur

    return plain_eur(x)


def pct(p: float | None, se: float | None, n: int | None = None) -> str:
    from simulator.report.text import plain_pct

    return plain_pct(p, se, n)


def dumps(obj, **kwargs) -> str:
    """JSON as the standard has it: infinities and NaN (which it lacks) become null."""
    import json

    return json.dumps(jsonable(obj), allow_nan=False, **kwargs)


def jsonable(x):
    """Tuples to lists and infinities to None: JSON has neither."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return None
    return x


def format_risk(head: Headline | None, paths: int) -> str:
    if head is None:
        return "\nno target or budget in this year: no shortfall to reserve for"
    what = "target" if head.kind == "target" else "budget"
    lo, hi = head.needed_capacity_interval
    lines = ["", f"risk, {what} {head.goal} in {head.year}:",
             f"  mean shortfall (all paths)    {eur(head.mean_shortfall):>14}",
             f"  mean shortfall, worst 10%     {eur(head.cvar):>14}   (CVaR)",
             f"  needed reserve, 90% certain   {eur(head.needed_capacity):>14}   "
             f"(95% interval {eur(lo)} .. {eur(hi)})",
             f"  realisation risk (register)   {eur(head.realisatierisico):>14}   "
             f"= P(shortfall) {pct(1 - head.p_met, None, paths).split(' ')[0]} x maximum consequence "
             f"{eur(head.max_consequence)}"]
    lines.append(f"  needed reserve, every goal      {eur(head.programme_reserve):>12}   "
                 "(all goals and years together, overlapping goals counted once)")
    if head.capacity is not None and head.ratio is not None:
        r = head.ratio
        lines.append(f"  weerstandsratio               {('inf' if r == float('inf') else f'{r:.2f}'):>14}   "
                     f"class {head.ratio_class} ({head.ratio_nl} / {head.ratio_en}), available "
                     f"{eur(head.capacity)}")
    return "\n".join(lines)


def format_readings(rows, paths: int) -> str:
    """Each goal's headline under every reading, side by side (the literal reading first)."""
    if len(rows) < 2:
        return ""
    lines = ["", "readings of the document side by side (the same random numbers; * = the literal reading):"]
    for r in rows:
        lines.append(f"  {'*' if r.literal else ' '} {r.id}: {r.name}")
    width = max(26, *(len(r.id) + 4 for r in rows))
    lines.append(f"  {'goal':<34}" + "".join(f"{r.id + ('*' if r.literal else ''):>{width}}" for r in rows))
    ids = list(dict.fromkeys(g.goal for r in rows for g in r.goals))
    for gid in ids:
        every, hard = [], []
        for r in rows:
            g = next((x for x in r.goals if x.goal == gid), None)
            every.append("-" if g is None or g.p_all_years is None else f"every year {100 * g.p_all_years:.1f}%")
            hard.append("-" if g is None else f"{g.hardest_year}: {pct(g.p_hardest, g.p_hardest_se, paths)}")
        lines.append(f"  {gid[:33]:<34}" + "".join(f"{c:>{width}}" for c in every))
        lines.append(f"  {'':<34}" + "".join(f"{c:>{width}}" for c in hard))
    lines.append(f"  {'reserve, every goal (90%)':<34}"
                 + "".join(f"{eur(r.programme_reserve):>{width}}" for r in rows))
    return "\n".join(lines)


def _level(level) -> str:
    return "nominal prices" if level == "nominal" else f"constant {level} prices"


def format_detail(s, summary: Summary) -> str:
    """Mean savings and costs per measure and year (--detail of a streamed run)."""
    d = summary.detail or {}
    years = summary.years
    lines = ["", "per measure, mean over paths [EUR]: gross savings / costs"]
    lines.append(f"{'measure':<34}" + "".join(f"{y:>24}" for y in years))
    for i, m in enumerate(s.measures):
        cells = "".join(f"{eur(g) + ' / ' + eur(c):>24}"
                        for g, c in zip(d["measure_savings"][i], d["measure_costs"][i], strict=True))
        lines.append(f"{m.id[:33]:<34}{cells}")
        for c in m.components:  # its parts: standalone saving, before the other measures
            k = next(j for j, x in enumerate(p for mm in s.measures for p in mm.components) if x is c)
            part = "".join(f"{eur(g):>24}" for g in d["component_savings"][k])
            lines.append(f"{('  part ' + c.id)[:33]:<34}{part}")
    return "\n".join(lines)


def format_run(s, summary: Summary, *, paths: int, seed: int, municipality: str | None) -> str:
    who = s.region if municipality is None else f"{s.municipality(municipality).name} ({s.region})"
    reading = ""
    if getattr(s, "reading", None):
        r = next(x for x in s.readings if x.id == s.reading)
        reading = f"reading {r.id}{' (literal)' if r.literal else ''}: {r.name}"
    lines = [f"{s.name}: {who}", *([reading] if reading else []),
             f"{paths:,} paths, seed {seed}; net savings of all posts against spending without the measures "
             f"(t.o.v. de uitgaven zonder maatregelen), {_level(s.prices.simulated)} [EUR]", ""]
    from simulator.results.summary import target_beside_savings

    same = target_beside_savings(summary, s, municipality)
    head = f"{'year':<6}{'mean':>14}{'P5':>14}{'P50':>14}{'P95':>14}"
    if same:
        head += f"{'target':>14}{'P(target met)':>17}"
    lines.append(head)
    for y in summary.years:
        v = summary.savings[y]
        row = f"{y:<6}{eur(v.mean):>14}{eur(v.p5):>14}{eur(v.p50):>14}{eur(v.p95):>14}"
        if same:
            row += (f"{eur(summary.target[y]):>14}"
                    f"{pct(summary.p_target_met[y], summary.p_target_met_se[y], paths):>17}")
        lines.append(row)
    if summary.goals:
        lines.append("")
        lines.append("every target and budget, on its own scope, basis and price level "
                     "(P50 and P5-P95: what the goal judges, on that basis):")
        for g in summary.goals:
            what = "target" if g.kind == "target" else "budget"
            judged = "savings on this basis" if g.kind == "target" else "spending"
            lines.append(f"  {what} {g.id} [{g.scope}]: {g.basis_text} (judged: {judged})")
            for gy, d in g.years.items():
                verb = "P(met)" if g.kind == "target" else "P(within)"
                lines.append(f"    {gy}: {eur(d.amount):>13}   P50 {eur(d.p50):>13}   "
                             f"P5-P95 {eur(d.p5)} .. {eur(d.p95)}   "
                             f"{verb} {pct(d.p, d.se, paths)}   reserve (90%) {eur(d.reserve)}")
            if g.p_all_years is not None and len(g.years) > 1:
                lines.append(f"    every year together: {100 * g.p_all_years:.1f}%")
        if summary.programme_reserve is not None:
            lines.append("")
            lines.append(f"needed reserve for every goal and year together (90% certain, overlapping goals "
                         f"counted once): {eur(summary.programme_reserve)}")
        if summary.hardest is not None:
            gid, y = summary.hardest
            lines.append(f"hardest goal: {gid} in {y}")
    lines.append("")
    worst = max(v.mean_se for v in summary.savings.values())
    lines.append("± is the Monte Carlo standard error (<x% where no path crossed: 95% upper bound); "
                 "P5-P95 is the 90% range.")
    lines.append(f"Monte Carlo error of the mean savings: at most {eur(worst)} (standard error).")
    return "\n".join(lines)


