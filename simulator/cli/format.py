"""Terminal text: the tables and lines the commands print, in the language's words (the catalogue's
``term.`` entries) and number format (report/text.py), imported on first use so that
``taaksim --help`` does not load them."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.results.risk import Headline
    from simulator.results.summary import Summary

__all__ = ["amount", "chance", "format_detail", "format_readings", "format_risk", "format_run", "jsonable", "share",
           "w"]


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


def w(key: str, lang: str) -> str:
    """The terminal's word ``key`` (``term.<key>`` in :data:`simulator.i18n.TEXT`, the one catalogue);
    imported on first use so ``taaksim --help`` does not load the catalogue."""
    from simulator.i18n import t

    return t("term." + key, lang)


def amount(x: float | None, lang: str = "nl") -> str:
    """Euros in a terminal table: grouped thousands in the language's format, "-" when missing
    (report/text.py's :func:`~simulator.report.text.number`)."""
    from simulator.report.text import number

    return "-" if x is None else number(x, 0, lang)


def chance(p: float | None, se: float | None, n: int | None = None, lang: str = "nl") -> str:
    """A probability with its Monte Carlo error in percentage points, or its 95% bound where no
    path crossed (report/text.py's :func:`~simulator.report.text.bound_pct`): "55,5% ±0,5 pp"."""
    from simulator.report.text import bound_pct, number

    if p is None:
        return "-"
    if n and p in (0.0, 1.0):
        return bound_pct(p, n, lang)
    e = 100 * (se or 0)
    if e >= 0.05 or e == 0:
        return f"{number(100 * p, 1, lang)}% ±{number(e, 1, lang)} pp"
    digits = max(2, 1 - math.floor(math.log10(e)))
    return f"{number(100 * p, 2, lang)}% ±{number(e, digits, lang)} pp"


def share(p: float, n: int, lang: str = "nl") -> str:
    """A probability without its error (one decimal), or its bound where no path crossed."""
    from simulator.report.text import bound_pct, number

    return bound_pct(p, n, lang) if p in (0.0, 1.0) else f"{number(100 * p, 1, lang)}%"


def format_risk(head: Headline | None, paths: int, lang: str = "nl") -> str:
    if head is None:
        return "\n" + w("no_goal", lang)
    from simulator.report.text import bound_pct, number

    lo, hi = head.needed_capacity_interval
    missed = 1 - head.p_met
    if head.p_met in (0.0, 1.0):
        p_text, p_value = bound_pct(missed, paths, lang), missed
    else:
        p_text, p_value = _shown(missed, lang)
    # the product of the figures shown, so the line can be checked by hand
    product = p_value * round(head.max_consequence)
    width = 32
    lines = ["", w("risk_of", lang).format(what=w(head.kind, lang), goal=head.goal, year=head.year),
             f"  {w('expected', lang):<{width}}{amount(head.mean_shortfall, lang):>14}",
             f"  {w('cvar', lang):<{width}}{amount(head.cvar, lang):>14}   (CVaR)",
             f"  {w('needed', lang):<{width}}{amount(head.needed_capacity, lang):>14}   "
             f"({w('interval', lang)} {amount(lo, lang)} .. {amount(hi, lang)})",
             f"  {w('register', lang):<{width}}{amount(product, lang):>14}   "
             + w("register_is", lang).format(p=p_text, worst=amount(head.max_consequence, lang)),
             f"  {w('programme', lang):<{width}}{amount(head.programme_reserve, lang):>14}   "
             + w("programme_is", lang)]
    if head.capacity is not None and head.ratio is not None:
        r = head.ratio
        word = head.ratio_nl if lang == "nl" else head.ratio_en
        text = w("unbounded", lang) if r == float("inf") else number(r, 2, lang)
        lines.append(f"  {w('ratio', lang):<{width}}{text:>14}   "
                     + w("ratio_is", lang).format(cls=head.ratio_class, word=word, cap=amount(head.capacity, lang)))
    return "\n".join(lines)


def _shown(p: float, lang: str) -> tuple[str, float]:
    """A chance with two significant digits and the value shown: "0,53%", 0.0053."""
    from simulator.report.text import number

    small = min(p, 1 - p)
    digits = max(0, 1 - math.floor(math.log10(100 * small))) if small > 0 else 0
    value = round(round(100 * p, digits) / 100, digits + 2)
    return number(100 * value, digits, lang) + "%", value


def format_readings(rows, paths: int, lang: str = "nl") -> str:
    """Each goal's headline under every reading, side by side (the literal reading first)."""
    if len(rows) < 2:
        return ""
    lines = ["", w("readings", lang)]
    for r in rows:
        lines.append(f"  {'*' if r.literal else ' '} {r.id}: {r.name}")
    width = max(26, *(len(r.id) + 4 for r in rows))
    lines.append(f"  {w('goal', lang):<34}" + "".join(f"{r.id + ('*' if r.literal else ''):>{width}}" for r in rows))
    ids = list(dict.fromkeys(g.goal for r in rows for g in r.goals))
    for gid in ids:
        every, hard = [], []
        for r in rows:
            g = next((x for x in r.goals if x.goal == gid), None)
            every.append("-" if g is None or g.p_all_years is None
                         else f"{w('every_year', lang)} {share(g.p_all_years, paths, lang)}")
            hard.append("-" if g is None else f"{g.hardest_year}: {chance(g.p_hardest, g.p_hardest_se, paths, lang)}")
        lines.append(f"  {gid[:33]:<34}" + "".join(f"{c:>{width}}" for c in every))
        lines.append(f"  {'':<34}" + "".join(f"{c:>{width}}" for c in hard))
    lines.append(f"  {w('reserve_every', lang):<34}"
                 + "".join(f"{amount(r.programme_reserve, lang):>{width}}" for r in rows))
    return "\n".join(lines)


def _level(level, lang: str = "nl") -> str:
    from simulator.i18n import t

    return t("price.nominal", lang) if level == "nominal" else t("price.constant", lang).format(year=level)


def in_lang(text: str, prefixes: tuple[str, ...], lang: str, *, source: str = "nl") -> str:
    """``text``, written by the library from a catalogue entry in ``source`` (a summary keeps a goal's
    basis in Dutch, the notes of a conditioned run are English for ``--json``), in ``lang``: matched
    against the ``source`` member of the entries whose keys start with ``prefixes`` and written with
    the ``lang`` member; numbers in its fields in ``lang``'s format; a text not found stays as it is."""
    import re

    from simulator.i18n import TEXT, pick

    if lang == source:
        return text
    for key, pair in TEXT.items():
        if not key.startswith(prefixes):
            continue
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>.+?)", re.escape(pick(pair, source)))
        m = re.fullmatch(pattern, text)
        if m:
            return pick(pair, lang).format(**{k: _number_in(v, source, lang) for k, v in m.groupdict().items()})
    return text


def _number_in(field: str, source: str, lang: str) -> str:
    """A number written in ``source``'s format ("1,023.5") in ``lang``'s ("1.023,5"); other text as is."""
    import re

    group, point = (".", ",") if source == "nl" else (",", ".")
    if not re.fullmatch(r"-?\d{1,3}(" + re.escape(group) + r"\d{3})*(" + re.escape(point) + r"\d+)?", field):
        return field
    return field.translate(str.maketrans(group + point, point + group)) if lang != source else field


def basis_in(text: str, lang: str) -> str:
    """A goal's basis and price level (``basis_words``: "t.o.v. de uitgaven in 2019, lopende prijzen", which
    a summary keeps in Dutch only) in ``lang``, part by part."""
    return ", ".join(in_lang(part, ("basis.", "price."), lang) for part in text.split(", "))


def format_detail(s, summary: Summary, lang: str = "nl") -> str:
    """Mean savings and costs per measure and year (--detail of a streamed run)."""
    d = summary.detail or {}
    years = summary.years
    lines = ["", w("detail", lang)]
    lines.append(f"{w('measure', lang):<34}" + "".join(f"{y:>24}" for y in years))
    for i, m in enumerate(s.measures):
        cells = "".join(f"{amount(g, lang) + ' / ' + amount(c, lang):>24}"
                        for g, c in zip(d["measure_savings"][i], d["measure_costs"][i], strict=True))
        lines.append(f"{m.id[:33]:<34}{cells}")
        for c in m.components:  # its parts: standalone saving, before the other measures
            k = next(j for j, x in enumerate(p for mm in s.measures for p in mm.components) if x is c)
            part = "".join(f"{amount(g, lang):>24}" for g in d["component_savings"][k])
            lines.append(f"{('  ' + w('part', lang) + ' ' + c.id)[:33]:<34}{part}")
    return "\n".join(lines)


def format_run(s, summary: Summary, *, paths: int, seed: int, municipality: str | None, lang: str = "nl") -> str:
    from simulator.report.text import number

    who = s.region if municipality is None else f"{s.municipality(municipality).name} ({s.region})"
    reading = ""
    if getattr(s, "reading", None):
        r = next(x for x in s.readings if x.id == s.reading)
        reading = w("reading_line", lang).format(id=r.id, literal=w("literal", lang) if r.literal else "", name=r.name)
    lines = [f"{s.name}: {who}", *([reading] if reading else []),
             w("header", lang).format(paths=number(paths, 0, lang), seed=seed, level=_level(s.prices.simulated, lang)),
             ""]
    from simulator.results.summary import target_beside_savings

    same = target_beside_savings(summary, s, municipality)
    head = f"{w('year', lang):<6}{w('mean', lang):>14}{'P5':>14}{'P50':>14}{'P95':>14}"
    if same:
        head += f"{w('goal_col', lang):>14}{w('p_met', lang):>18}"
    lines.append(head)
    for y in summary.years:
        v = summary.savings[y]
        row = (f"{y:<6}{amount(v.mean, lang):>14}{amount(v.p5, lang):>14}{amount(v.p50, lang):>14}"
               f"{amount(v.p95, lang):>14}")
        if same:
            row += (f"{amount(summary.target[y], lang):>14}"
                    f"{chance(summary.p_target_met[y], summary.p_target_met_se[y], paths, lang):>18}")
        lines.append(row)
    if summary.goals:
        lines.append("")
        lines.append(w("each_goal", lang))
        for g in summary.goals:
            what = w(g.kind, lang)
            judged = w("judged_target" if g.kind == "target" else "judged_budget", lang)
            basis = basis_in(g.basis_text, lang)
            lines.append(f"  {what} {g.id} [{g.scope}]: {basis} ({judged})")
            # the table above already shows the quantity the headline target judges when it stands beside it:
            # one set of percentiles per quantity on a screen
            as_above = same and g is next(x for x in summary.goals if x.kind == "target")
            for gy, d in g.years.items():
                verb = w("p_met" if g.kind == "target" else "within", lang)
                spread = (w("as_above", lang) if as_above else
                          f"P50 {amount(d.p50, lang):>13}   P5-P95 {amount(d.p5, lang)} .. {amount(d.p95, lang)}")
                lines.append(f"    {gy}: {amount(d.amount, lang):>13}   {spread}   "
                             f"{verb} {chance(d.p, d.se, paths, lang)}   {w('reserve90', lang)} "
                             f"{amount(d.reserve, lang)}")
            if g.p_all_years is not None and len(g.years) > 1:
                lines.append("    " + w("all_years", lang).format(p=share(g.p_all_years, paths, lang)))
        if summary.programme_reserve is not None:
            lines.append("")
            lines.append(w("programme_line", lang).format(need=amount(summary.programme_reserve, lang)))
        if summary.hardest is not None:
            gid, y = summary.hardest
            lines.append(w("hardest", lang).format(goal=gid, year=y))
    lines.append("")
    worst = max(v.mean_se for v in summary.savings.values())
    import textwrap

    lines.append(textwrap.fill(w("legend", lang), 110))
    lines.append(w("mean_error", lang).format(e=amount(worst, lang)))
    return "\n".join(lines)
