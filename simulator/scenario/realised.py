"""Realised figures: what a controller knows at a reporting moment, validated once at the edge.

A realised-figures file sits beside a scenario (``.csv``, ``.xlsx`` or ``.toml``) and holds one
row per fact, each with its source, so a controller can fill it from the ledger:

=========  =====================  ===========  ============================================
kind       id                     period       value
=========  =====================  ===========  ============================================
decision   measure id             -            yes / no (``start`` = date it started)
effect     measure id             2021, 2021-Q2 realised gross saving so far [EUR]
spending   post id                2021, 2021-H1 realised spending of the post so far [EUR]
input      random-input key       -            realised value of an uncertain input (its unit)
inflow     stock post id          -            realised inflow (the post's inflow input)
=========  =====================  ===========  ============================================

Further columns: ``as_of`` (date of the reporting moment, YYYY-MM-DD), ``start`` (decision's
start date), ``error`` (measurement error as a share of the value, ``0.1`` or ``10%``; default
:data:`DEFAULT_RELATIVE_ERROR`), ``error_eur`` (an absolute error in the value's unit, taken
when larger), ``source`` (required). Every problem is reported with the file, the row (or the
TOML entry) and what would be valid; nothing here touches the random numbers.

A period shorter than a year (``2021-Q1`` .. ``Q4``, ``2021-H1``/``H2``) is compared with the
same share of the simulated year (year to date: Q2 = half the year): a pro-rata assumption
that is stated in ``docs/monitoring.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from simulator.errors import TaaksimError, did_you_mean, resolve_id
from simulator.scenario.model import Scenario

DEFAULT_RELATIVE_ERROR = 0.10  # a controller's ledger figure before the year is closed: +-10% (1 sd)
MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 10_000
COLUMNS = ("as_of", "kind", "id", "period", "value", "start", "error", "error_eur", "source")
REQUIRED = ("kind", "id", "value", "source")
KINDS = ("decision", "effect", "spending", "input", "inflow")

Kind = Literal["effect", "spending", "input"]


class RealisedError(TaaksimError):
    """A realised-figures file is unreadable, malformed or inconsistent with its scenario."""

    def __init__(self, problem: str, *, file: str, row: str | None = None):
        self.problem, self.file, self.row = problem, file, row
        super().__init__(f"{file}: {row}: {problem}" if row else f"{file}: {problem}")


@dataclass(frozen=True, slots=True)
class Decision:
    """A measure's go-ahead, taken: made certain in the forecast.

    ``delay`` [years] is the start date against the measure's planned start (None: no date given).
    """

    measure: str
    go_ahead: bool
    start: dt.date | None
    delay: float | None
    source: str
    row: str


@dataclass(frozen=True, slots=True)
class Observation:
    """A realised figure with its measurement error (normal, standard deviation ``sd``).

    ``kind`` says what the model value is: ``effect`` (a measure's gross saving [EUR] in
    ``year``, times ``share`` of the year), ``spending`` (a post's spending [EUR], idem) or
    ``input`` (an uncertain input's drawn value, its own unit).
    """

    kind: Kind
    target: str  # measure id, post id or input key
    year: int | None
    share: float  # part of the year the figure covers (1 for a whole year or an input)
    value: float
    sd: float
    source: str
    row: str


@dataclass(frozen=True, slots=True)
class Realised:
    """Everything known at one reporting moment (``as_of``)."""

    file: str
    as_of: dt.date
    decisions: tuple[Decision, ...]
    observations: tuple[Observation, ...]

    @property
    def rows(self) -> tuple[str, ...]:
        return tuple(d.row for d in self.decisions) + tuple(o.row for o in self.observations)


# --- reading the table ---------------------------------------------------------------------


def _read_rows(path: Path) -> tuple[list[tuple[str, dict[str, str]]], str]:
    """Rows as (label, column -> text); the label names the row the way the user sees it."""
    file = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise RealisedError("file not found", file=file) from None
    except OSError as exc:
        raise RealisedError(f"cannot read file: {exc.strerror}", file=file) from None
    if path.is_dir():
        raise RealisedError("is a directory, not a realised-figures file", file=file)
    if size > MAX_FILE_BYTES:
        raise RealisedError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB; a realised-figures file "
                            "has a few rows per measure", file=file)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path), file
    if suffix == ".xlsx":
        return _xlsx_rows(path), file
    if suffix == ".toml":
        return _toml_rows(path), file
    raise RealisedError(f"unknown file type {suffix or '(none)'!r}: use .csv, .xlsx or .toml", file=file)


def _clean_header(names, file: str) -> list[str]:
    header = [str(h or "").strip().lower() for h in names]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise RealisedError(f"unknown column {unknown[0]!r}; columns: {', '.join(COLUMNS)}", file=file, row="header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RealisedError(f"missing column {missing[0]!r}; required: {', '.join(REQUIRED)}", file=file,
                            row="header")
    return header


def _csv_rows(path: Path) -> list[tuple[str, dict[str, str]]]:
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise RealisedError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 CSV", file=file) from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise RealisedError("empty: give a header and at least one row", file=file)
    # Dutch spreadsheets save CSV with ';' (the comma is the decimal sign there)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    table = list(reader)
    header = _clean_header(table[0], file)
    out = []
    for i, cells in enumerate(table[1:], start=2):
        if len(cells) > len(header):
            raise RealisedError(f"{len(cells)} cells but {len(header)} columns", file=file, row=f"row {i}")
        out.append((f"row {i}", {h: c.strip() for h, c in zip(header, cells, strict=False) if h}))
    return out


def _xlsx_rows(path: Path) -> list[tuple[str, dict[str, str]]]:
    import openpyxl

    file = str(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise RealisedError(f"not a readable .xlsx workbook ({type(exc).__name__})", file=file) from None
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
    wb.close()
    if not rows:
        raise RealisedError("empty sheet: give a header and at least one row", file=file)
    header = _clean_header(rows[0], file)
    out = []
    for i, cells in enumerate(rows[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = {h: _cell_text(c) for h, c in zip(header, cells, strict=False) if h}
        out.append((f"{ws.title}!row {i}", values))
    return out


def _cell_text(c) -> str:
    if c is None:
        return ""
    if isinstance(c, dt.datetime):
        return c.date().isoformat()
    if isinstance(c, dt.date):
        return c.isoformat()
    return str(c).strip()


def _toml_rows(path: Path) -> list[tuple[str, dict[str, str]]]:
    file = str(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RealisedError(f"not valid UTF-8 TOML: {exc}", file=file) from None
    extra = set(data) - {"realised", "as_of"}
    if extra:
        raise RealisedError(f"unknown key {sorted(extra)[0]!r}; a TOML file holds as_of and [[realised]] "
                            "entries", file=file)
    entries = data.get("realised")
    if not isinstance(entries, list) or not entries:
        raise RealisedError("no [[realised]] entries", file=file)
    out = []
    for i, e in enumerate(entries, start=1):
        label = f"realised[{i}]"
        if not isinstance(e, dict):
            raise RealisedError("must be a table", file=file, row=label)
        bad = [k for k in e if k not in COLUMNS]
        if bad:
            raise RealisedError(f"unknown key {bad[0]!r}; keys: {', '.join(COLUMNS)}", file=file, row=label)
        values = {k: _cell_text(v) for k, v in e.items()}
        if "as_of" not in values and "as_of" in data:
            values["as_of"] = _cell_text(data["as_of"])
        out.append((label, values))
    return out


# --- validating against the scenario ---------------------------------------------------------


def _date(text: str, what: str, err) -> dt.date:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise err(f"{what} {text!r} is not a date (YYYY-MM-DD or YYYY)") from None


def _number(text: str, what: str, err) -> float:
    t = text.strip().replace("_", "").replace(" ", "")
    # Dutch notation: 1.234.567 or 1.234,50 (one dot group alone, 0.025 or 1.234, stays a decimal point)
    if re.fullmatch(r"-?[1-9]\d{0,2}(\.\d{3}){2,}(,\d+)?|-?[1-9]\d{0,2}(\.\d{3})+,\d+", t):
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d+,\d+", t):  # a decimal comma: 0,025
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise err(f"{what} {text!r} is not a number") from None
    if not math.isfinite(v) or abs(v) > 1e12:
        raise err(f"{what} {text!r} must be a finite number below 1e12")
    return v


def _period(text: str, years: tuple[int, ...], err) -> tuple[int, float]:
    """'2021' -> (2021, 1.0); '2021-Q2' -> (2021, 0.5) (year to date); '2021-H1' -> (2021, 0.5)."""
    m = re.fullmatch(r"(\d{4})(?:-(Q[1-4]|H[12]))?", text.strip().upper())
    if not m:
        raise err(f"period {text!r} must be a year (2021), a quarter to date (2021-Q2) or a half year (2021-H1)")
    year = int(m.group(1))
    if year not in years:
        raise err(f"period {text!r} is outside the horizon {years[0]}-{years[-1]}")
    part = m.group(2)
    share = 1.0 if part is None else (int(part[1]) / 4 if part[0] == "Q" else int(part[1]) / 2)
    return year, share


def _error(values: dict[str, str], value: float, err) -> float:
    rel = DEFAULT_RELATIVE_ERROR
    if values.get("error"):
        t = values["error"].strip()
        rel = _number(t.rstrip("%"), "error", err) / (100 if t.endswith("%") else 1)
        if not 0 < rel <= 10:
            raise err(f"error {t!r} must be a share above 0 (0.1 or 10%); an exact figure has no "
                      "likelihood under a continuous model, so give its ledger error")
    absolute = 0.0
    if values.get("error_eur"):
        absolute = _number(values["error_eur"], "error_eur", err)
        if absolute <= 0:
            raise err(f"error_eur {values['error_eur']!r} must be above 0")
    sd = max(rel * abs(value), absolute)
    if sd <= 0:
        raise err("a value of 0 needs error_eur (a relative error of 0 is no error at all)")
    return sd


def parse(path: str | Path, scenario: Scenario) -> Realised:
    """Read and validate a realised-figures file against ``scenario``.

    Raises :class:`RealisedError` (exit 2) naming the file, the row and the problem: an
    unknown measure, post or input; a date or period outside the horizon or after ``as_of``;
    an impossible value (negative spending, a share outside [0, 1], an input outside its
    distribution's range); a duplicate fact; a missing source.
    """
    rows, file = _read_rows(Path(path))
    if len(rows) > MAX_ROWS:
        raise RealisedError(f"more than {MAX_ROWS} rows", file=file)
    if not rows:
        raise RealisedError("no rows", file=file)
    years = scenario.years
    measures = {m.id: m for m in scenario.measures}
    posts = {p.id: p for p in scenario.posts}
    inputs = {i.key: i for i in scenario.inputs}
    first, last = dt.date(scenario.base_year, 1, 1), dt.date(years[-1] + 1, 12, 31)
    as_ofs: set[dt.date] = set()
    decisions: list[Decision] = []
    observations: list[Observation] = []
    seen: dict[tuple, str] = {}
    for label, values in rows:
        def err(problem: str, label=label) -> RealisedError:
            return RealisedError(problem, file=file, row=label)

        for c in REQUIRED:
            if not values.get(c):
                raise err(f"empty {c!r}" + ("; every realised figure needs its source (ledger, report, "
                                            "council decision)" if c == "source" else ""))
        kind = values["kind"].strip().lower()
        ident = values["id"].strip()
        if kind not in KINDS:
            raise err(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        # ids ignore case, as on the command line (M03 is m03); an unknown one gets "did you mean"
        known = {"decision": measures, "effect": measures, "spending": posts, "inflow": posts}.get(kind, inputs)
        ident = resolve_id(ident, known) or ident
        as_of = _date(values["as_of"], "as_of", err) if values.get("as_of") else None
        if as_of is not None:
            if not first <= as_of <= last:
                raise err(f"as_of {as_of} is outside the horizon ({first} .. {last})")
            as_ofs.add(as_of)
        source = values["source"]
        key: tuple
        if kind == "decision":
            decision = _decision(values, ident, source, label, measures, scenario, err)
            key = ("decision", ident)
            decisions.append(decision)
        else:
            observation, key = _observation(values, kind, ident, source, label, as_of, years, measures, posts,
                                            inputs, err)
            observations.append(observation)
        if key in seen:
            raise err(f"the same figure as {seen[key]}; give each fact once")
        seen[key] = label
    if len(as_ofs) > 1:
        raise RealisedError(f"several as_of dates ({', '.join(sorted(map(str, as_ofs)))}): one file is one "
                            "reporting moment; give each moment its own file", file=file)
    as_of = as_ofs.pop() if as_ofs else _latest(decisions, observations, scenario)
    return Realised(file, as_of, tuple(decisions), tuple(observations))


def _decision(values: dict, ident: str, source: str, label: str, measures: dict, scenario: Scenario,
              err: Callable[[str], RealisedError]) -> Decision:
    """A council decision's row: does the measure go ahead, and from when (its delay in years)."""
    if ident not in measures:
        raise err(f"unknown measure {ident!r}; known: {', '.join(measures)}{did_you_mean(ident, measures)}")
    answer = values["value"].strip().lower()
    if answer not in ("yes", "no", "ja", "nee", "1", "0", "true", "false"):
        raise err(f"a decision's value is yes or no, not {values['value']!r}")
    go = answer in ("yes", "ja", "1", "true")
    start, delay = None, None
    years = scenario.years
    if values.get("start"):
        if not go:
            raise err("a start date for a measure that does not go ahead")
        start = _date(values["start"], "start", err)
        if not dt.date(scenario.base_year, 1, 1) <= start <= dt.date(years[-1], 12, 31):
            raise err(f"start {start} is outside the horizon ({scenario.base_year} .. {years[-1]})")
        year_start = dt.date(start.year, 1, 1)
        days = (dt.date(start.year + 1, 1, 1) - year_start).days
        delay = start.year + (start - year_start).days / days - measures[ident].start
    return Decision(ident, go, start, delay, source, label)


def _observation(values: dict, kind: str, ident: str, source: str, label: str, as_of: dt.date | None,
                 years: tuple[int, ...], measures: dict, posts: dict, inputs: dict,
                 err: Callable[[str], RealisedError]) -> tuple[Observation, tuple]:
    """An observed figure's row (effect, spending, input or inflow) and the fact it states, once per file."""
    key: tuple
    value = _number(values["value"], "value", err)
    if kind in ("effect", "spending"):
        names = measures if kind == "effect" else posts
        if ident not in names:
            raise err(f"unknown {'measure' if kind == 'effect' else 'post'} {ident!r}; "
                      f"known: {', '.join(names)}{did_you_mean(ident, names)}")
        if not values.get("period"):
            raise err(f"a{'n' if kind == 'effect' else ''} {kind} needs a period (2021, 2021-Q2)")
        year, share = _period(values["period"], years, err)
        if kind == "spending" and value < 0:
            raise err(f"spending {value:g} cannot be negative")
        if as_of is not None and dt.date(year, 1, 1) > as_of:
            raise err(f"period {values['period']} starts after as_of {as_of}: not realised yet")
        target = ident
        obs_kind: Kind = "effect" if kind == "effect" else "spending"
        key = (kind, ident, year)
    else:
        ident = _input_observed(values, kind, ident, value, posts, inputs, err)
        year, share, target, obs_kind = None, 1.0, ident, "input"
        key = ("input", ident)
    sd = _error(values, value, err)
    return Observation(obs_kind, target, year, share, value, sd, source, label), key


def _input_observed(values: dict, kind: str, ident: str, value: float, posts: dict, inputs: dict,
                    err: Callable[[str], RealisedError]) -> str:
    """The random input an input or inflow row observes, its value checked against the input's range."""
    if kind == "inflow":
        post = posts.get(ident)
        if post is None:
            raise err(f"unknown post {ident!r}; known: {', '.join(posts)}{did_you_mean(ident, posts)}")
        ref = getattr(post.stock.inflow, "name", None) if post.stock is not None else None
        if ref not in inputs:
            raise err(f"post {ident!r} has no uncertain inflow (a stock post whose inflow is a "
                      "random input) to observe")
        ident = cast(str, ref)  # an input's key: checked just above
    if ident not in inputs:
        raise err(f"unknown input {ident!r}; see taaksim validate --inputs{did_you_mean(ident, inputs)}")
    low, high = inputs[ident].distribution.support
    if kind == "inflow" and value < 0:
        raise err(f"inflow {value:g} cannot be negative")
    if not float(low) <= value <= float(high):
        raise err(f"value {value:g} is impossible: input {ident!r} ranges {float(low):g} .. "
                  f"{float(high):g}")
    return ident


def _latest(decisions, observations, scenario: Scenario) -> dt.date:
    """Without as_of: the end of the latest period observed (or the latest start date)."""
    dates = [d.start for d in decisions if d.start is not None]
    dates += [dt.date(o.year, min(12, max(1, round(12 * o.share))), 28) for o in observations if o.year]
    return max(dates) if dates else dt.date(scenario.base_year, 12, 31)
