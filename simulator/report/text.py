"""Numbers and sentences for readers: Dutch by default, English on request.

Dutch number format as a raadsvoorstel prints it: "€ 1.234.567", "€ 1,2 mln", "83%".
Probabilities of 0 or 1 are never printed as certain: with n paths and no path crossing,
the honest statement is the rule-of-three bound, "< 0,1%".
"""

from __future__ import annotations

import math

from simulator.i18n import t


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

    >>> pct(0.834), pct(0.0, n=10_000), pct(1.0, "en", n=10_000), pct(0.003), pct(0.0, n=2_000)
    ('83%', '< 0,03%', '> 99.97%', '< 1%', '< 0,15%')
    """
    if n and p in (0.0, 1.0):
        return bound_pct(p, n, lang)
    if 0 < p < 0.005:
        return "< 1%"
    if 0.995 < p < 1:
        return "> 99%"
    return f"{round(100 * p):d}%"


def bound_pct(p: float, n: int, lang: str = "nl") -> str:
    """The 95% bound where none of ``n`` paths crossed (``p`` is 0 or 1): "< 0,15%" (an upper
    bound) or "> 99,85%" (a lower bound), with two significant digits, rounded away from the
    estimate so the bound is never understated; at most "< 100%" / "> 0%" for tiny ``n``.

    >>> bound_pct(0.0, 2_000), bound_pct(1.0, 2_000), bound_pct(0.0, 1_000_000, "en"), bound_pct(1.0, 1)
    ('< 0,15%', '> 99,85%', '< 0.0003%', '> 0%')
    >>> bound_pct(0.0, 4_000), bound_pct(0.0, 100_000), bound_pct(1.0, 100_000)
    ('< 0,08%', '< 0,0030%', '> 99,9970%')
    """
    bound = 100 * rule_of_three(n)
    if bound >= 100:
        return "< 100%" if p == 0 else "> 0%"
    digits = max(0, 1 - math.floor(math.log10(bound)))
    if digits == 3:
        # "0,075" reads as seventy-five to an English eye: round up to two decimals, or, below
        # 0,01%, write four
        digits = 2 if bound >= 0.01 else 4
    scale = 10**digits
    up = math.ceil(round(bound * scale, 6)) / scale  # round() first: 0.15 * 100 is 15.000000000000002
    point = "," if lang == "nl" else "."

    def short(x: float) -> str:  # 0,030 -> 0,03: a trailing zero adds no information...
        text = number(x, digits, lang)
        stripped = text.rstrip("0").rstrip(point) if point in text else text
        # ...unless dropping it leaves three decimals (see above)
        return text if len(stripped.partition(point)[2]) == 3 else stripped

    return f"< {short(up)}%" if p == 0 else f"> {short(100 - up)}%"


def pct_points(se: float, lang: str = "nl") -> str:
    """A standard error in percentage points: "±0,4 procentpunt"."""
    return f"±{number(100 * se, 1, lang)} {t('unit.pp', lang)}"


def ratio(r: float, lang: str = "nl") -> str:
    """A weerstandsratio with two decimals; "onbegrensd" when nothing is needed.

    >>> ratio(1.456), ratio(float("inf"), "en")
    ('1,46', 'unbounded')
    """
    return t("unit.unbounded", lang) if math.isinf(r) else number(r, 2, lang)


def cell(value, kind: str, lang: str = "nl", n: int | None = None) -> str:
    """One value of a table as a reader sees it, by the column's kind: "eur", "pct" (an estimated
    probability), "prob" (a probability the scenario states), "se" (a standard error), "num",
    "ratio", "int" or "text"; "-" for a missing value.

    >>> cell(0.25, "prob"), cell(0.0042, "se", "en"), cell(float("inf"), "ratio"), cell(None, "eur")
    ('25%', '±0.4\u202fpp', '∞', '-')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kind == "eur":
        return eur(value, lang)
    if kind == "pct":
        return pct(value, lang, n)
    if kind == "prob":  # a probability the scenario states, not an estimate: print it as given
        return f"{number(100 * value, 0 if float(100 * value).is_integer() else 1, lang)}%"
    if kind == "se":
        return "±" + number(100 * value, 1, lang) + "\u202fpp"  # "pp" in both languages
    if kind == "num":
        return number(value, 2, lang)
    if kind == "ratio":
        return number(value, 2, lang) if math.isfinite(value) else "∞"
    if kind == "int":
        return number(value, 0, lang)
    return str(value)


def years_span(years) -> str:
    years = sorted(years)
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
