"""Numbers and sentences for readers: Dutch by default, English on request.

Dutch number format as a raadsvoorstel prints it: "€ 1.234.567", "€ 1,2 mln", "83%".
Probabilities of 0 or 1 are never printed as certain: with n paths and no path crossing,
the honest statement is the rule-of-three bound, "< 0,1%".
"""

from __future__ import annotations

import math

from simulator.i18n import pick  # noqa: F401  (re-exported: report modules take it from here)

LANGS = ("nl", "en")


def rule_of_three(n: int) -> float:
    """The 95% upper bound of a probability when none of ``n`` paths crossed: 3 / n, at most 1
    (a bound on a probability; 3 / n passes 1 below three paths)."""
    return min(1.0, 3.0 / n)


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def number(x: float, decimals: int = 0, lang: str = "nl") -> str:
    """A number with grouped thousands.

    >>> number(1234567.4), number(-1234.5, 1), number(0.5, 1, "en")
    ('1.234.567', '-1.234,5', '0.5')
    """
    thousands, point = (".", ",") if lang == "nl" else (",", ".")
    text = f"{abs(x):.{decimals}f}"
    whole, _, frac = text.partition(".")
    sign = "-" if x < 0 and float(text) != 0 else ""
    return sign + _group(whole, thousands) + (point + frac if frac else "")


def eur(x: float, lang: str = "nl") -> str:
    """Exact euros: "€ 1.234.567" (negative: "€ -1.234.567", as a spreadsheet prints it).

    >>> eur(1234567), eur(-850000.4), eur(1234567, "en")
    ('€ 1.234.567', '€ -850.000', '€ 1,234,567')
    """
    return "€ " + number(round(x), 0, lang)


def money(x: float, lang: str = "nl") -> str:
    """Euros for prose: millions with one decimal, else rounded to the thousand.

    >>> money(1_234_567), money(850_400), money(4_500), money(-2_960_000, "en")
    ('€ 1,2 mln', '€ 850.000', '€ 4.500', '€ -3.0 mln')
    """
    if abs(x) >= 999_500:
        return f"€ {number(x / 1e6, 1, lang)} mln"
    if abs(x) >= 10_000:
        return eur(round(x, -3), lang)
    return eur(x, lang)


def pct(p: float, lang: str = "nl", n: int | None = None) -> str:
    """A probability as a whole percentage; never 0% or 100% from a finite sample.

    >>> pct(0.834), pct(0.0, n=10_000), pct(1.0, "en", n=10_000), pct(0.003)
    ('83%', '< 0,03%', '> 99.97%', '< 1%')
    """
    if n and p in (0.0, 1.0):
        bound = 100 * rule_of_three(n)
        digits = max(0, -math.floor(math.log10(bound)))
        b = number(bound, digits, lang)
        return f"< {b}%" if p == 0 else f"> {number(100 - bound, digits, lang)}%"
    if 0 < p < 0.005:
        return "< 1%"
    if 0.995 < p < 1:
        return "> 99%"
    return f"{round(100 * p):d}%"


def pct_points(se: float, lang: str = "nl") -> str:
    """A standard error in percentage points: "±0,4 procentpunt"."""
    unit = "procentpunt" if lang == "nl" else "percentage points"
    return f"±{number(100 * se, 1, lang)} {unit}"


def ratio(r: float, lang: str = "nl") -> str:
    return "onbegrensd" if math.isinf(r) and lang == "nl" else (
        "unbounded" if math.isinf(r) else number(r, 2, lang))


def years_span(years) -> str:
    years = sorted(years)
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
