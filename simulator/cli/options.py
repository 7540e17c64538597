"""The command line's shared pieces, defined once: options, scenario loading, errors, progress.

Users: every command module in simulator/cli/ takes its options from here (SCENARIO, --paths, --seed,
--municipality and --year through ``study_options``; --weerstandscapaciteit, --lang, and the scale options
of ``run``), so an option is spelled, checked and documented in one place.
"""

from __future__ import annotations

import math
import sys
from typing import NoReturn

import click

from simulator.errors import inert

DEFAULT_PATHS = 10_000


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {inert(message)}", err=True)
    sys.exit(code)


class Finite(click.FloatRange):
    """A float option in a range, refusing nan and inf (which compare False with any bound)."""

    def convert(self, value, param, ctx):
        v = super().convert(value, param, ctx)
        if not math.isfinite(v):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return v


def check_memory(s, paths, *, threads=None, full=True, detail=False):
    """Refuse before the run what would not fit in memory (simulator.core.limits)."""
    from simulator.core.limits import check_memory as check
    from simulator.run.blocks import default_threads

    check(s, paths, threads=threads or default_threads(), full=full, detail=detail)


def reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in one line, within ``timeout`` seconds, if no dask scheduler listens at ``address``
    (dask's own client would retry for 30 s and end in a traceback)."""
    import socket

    host, _, port = address.removeprefix("dask://").rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        fail(f"--scheduler {address!r}: write dask://HOST:PORT with a port from 1 to 65535")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        fail(f"cannot reach the dask scheduler at {host}:{port}: {exc.strerror or exc}")


def usage(exc: click.UsageError):
    """A command-line mistake in two lines (click's own form takes four)."""
    where = exc.ctx.command_path if exc.ctx else "taaksim"
    click.echo(f"error: {exc.format_message()}\n(see '{where} --help')", err=True)
    sys.exit(exc.exit_code)


def scenario_arg(f):
    return click.argument("scenario", type=click.Path(dir_okay=False, path_type=str))(f)


def seed_option(f):
    return click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True,
                        help="Random seed; the same seed gives the same numbers.")(f)


def paths_option(f):
    return click.option("--paths", type=click.IntRange(1, 100_000_000), default=DEFAULT_PATHS,
                        show_default=True, help="Number of simulated year-paths.")(f)


def municipality_option(f):
    return click.option("--municipality", default=None,
                        help="Show one participant of a regional programme against its own targets.")(f)


YEAR_HELP = "The year the risk figures, sensitivity and contributions are for (default: the last)."


def year_option(f, help: str = YEAR_HELP):
    return click.option("--year", type=int, default=None, help=help)(f)


def study_options(f=None, *, year_help: str = YEAR_HELP):
    """SCENARIO, --paths, --seed, --municipality and --year: what every analysing command takes.
    ``@study_options`` or ``@study_options(year_help=...)`` where a command does less with the year."""
    def decorate(f):
        f = year_option(f, year_help)
        for option in (municipality_option, seed_option, paths_option, scenario_arg):
            f = option(f)
        return f
    return decorate if f is None else decorate(f)


_SCALES = {"": 1.0, "k": 1e3, "duizend": 1e3, "mln": 1e6, "miljoen": 1e6, "m": 1e6, "mio": 1e6,
           "mrd": 1e9, "miljard": 1e9}


def parse_amount(text: str) -> float:
    """An amount in euros as a Dutch or an English reader writes it.

    Accepted: plain digits (``2500000``), Dutch grouping (``2.500.000``, ``2.500.000,50``),
    English grouping (``2,500,000``, ``2,500,000.50``), a decimal with a scale word
    (``2,5 mln``, ``2.5 mln``, ``750k``, ``1 mrd``), with or without ``€``/``EUR``. A single
    separator followed by exactly three digits (``2.500``, ``2,500``) means 2500 to one reader
    and 2,5 to another: it is refused, as is anything else that is not an amount.

    >>> [parse_amount(x) for x in ("2500000", "2.500.000", "2,500,000", "2,5 mln", "€ 750k", "1.234,5")]
    [2500000.0, 2500000.0, 2500000.0, 2500000.0, 750000.0, 1234.5]
    """
    import re

    raw = text
    t = text.strip().lower().replace("€", "").replace("eur", "").replace("\u00a0", " ").strip()
    m = re.fullmatch(r"([0-9][0-9., _]*?)\s*([a-z]*)", t)
    if not m or m.group(2) not in _SCALES:
        raise ValueError(f"{raw!r} is not an amount: write e.g. 2500000, 2.500.000 or 2,5 mln")
    digits, scale = m.group(1).replace(" ", "").replace("_", ""), _SCALES[m.group(2)]
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:  # the later one is the decimal mark, the other groups by three
        decimal, group = (",", ".") if digits.rindex(",") > digits.rindex(".") else (".", ",")
    elif dots > 1 or commas > 1:  # only grouping repeats
        decimal, group = ("," if dots else "."), ("." if dots else ",")
    elif dots or commas:
        mark = "." if dots else ","
        if len(digits.split(mark)[1]) == 3:
            whole = digits.replace(mark, "")
            small = f"{whole[:-3]},{whole[-3:].rstrip('0') or '0'}"
            raise ValueError(f"{raw!r} is ambiguous (is it {whole} or {small}?): write the "
                             f"amount without separators ({whole}) or with a scale word (2,5 mln)")
        decimal, group = mark, ""
    else:
        decimal, group = ".", ""
    whole, _, frac = digits.partition(decimal)
    if group and not re.fullmatch(r"[0-9]{1,3}(" + re.escape(group) + r"[0-9]{3})*", whole):
        raise ValueError(f"{raw!r}: thousands are grouped by three digits (2.500.000 or 2,500,000)")
    if not whole or not whole.replace(group, "").isdigit() or (frac and not frac.isdigit()) or decimal in frac:
        raise ValueError(f"{raw!r} is not an amount: write e.g. 2500000, 2.500.000 or 2,5 mln")
    return float(whole.replace(group, "") + ("." + frac if frac else "")) * scale


class Amount(click.ParamType):
    """A click type for euros in Dutch or plain form (see :func:`parse_amount`), 0 to 1e12."""

    name = "amount"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return float(value)
        if str(value).strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        try:
            x = parse_amount(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not 0 <= x <= 1e12:
            self.fail(f"{value!r} is outside 0 to 1e12 euros", param, ctx)
        return x


def capacity_option(f):
    return click.option("--weerstandscapaciteit", "capacity", type=Amount(), default=None,
                        metavar="EUR", help="Available risk capacity (2500000, 2.500.000 or 2,5 mln): gives the "
                                            "weerstandsratio and its class.")(f)


LANG_HELP = "Language of the terminal text, paragraph, report and spreadsheet headers."


def lang_option(f=None, *, help: str = LANG_HELP):
    def decorate(f):
        return click.option("--lang", type=click.Choice(["nl", "en"], case_sensitive=False), default="nl",
                            show_default=True, callback=lambda ctx, param, v: v.lower(), help=help)(f)
    return decorate if f is None else decorate(f)


def check_choices(s, municipality, year) -> str | None:
    """Refuse an unknown --municipality or --year (exit 2, with "did you mean"); return the
    municipality's id as the scenario spells it: ids and names are matched ignoring case
    (``--municipality Hilversum`` is ``hilversum``)."""
    from simulator.errors import UnknownMunicipalityError, resolve_id

    if municipality is not None:
        ids = [m.id for m in s.municipalities]
        by_name = {m.name: m.id for m in s.municipalities}
        found = resolve_id(municipality, ids)
        if found is None and (name := resolve_id(municipality, by_name)) is not None:
            found = by_name[name]
        if found is None:
            exc = UnknownMunicipalityError(municipality, ids)
            fail(str(exc), exc.exit_code)
        municipality = found
    if year is not None and year not in s.years:
        fail(f"--year {year} is not a year of the scenario ({s.years[0]}-{s.years[-1]})")
    return municipality


def reading_option(f):
    return click.option("--reading", default=None, metavar="ID",
                        help="Which declared reading of the document to use (default: the literal one).")(f)


def goal_option(f):
    return click.option("--goal", default=None, metavar="ID",
                        help="The headline goal (default: the first target with the study year).")(f)


def resolve(value: str, known, what: str) -> str:
    """The id in ``known`` that ``value`` names, ignoring case; else exit 2 with one line naming the
    known ids (the closest when there are many) and the nearest as "did you mean"."""
    from simulator.errors import did_you_mean, resolve_id

    known = [str(k) for k in known]
    found = resolve_id(value, known)
    if found is None:
        listed = ", ".join(known) or "none"
        if len(listed) > 300:
            listed = f"{len(known)} {what}s in this scenario"
        fail(f"unknown {what} {value!r}; known: {listed}{did_you_mean(value, known)}")
    return found


def check_goal(s, municipality, goal):
    """Refuse a --goal the region (or participant) does not have, naming those it has and the nearest;
    return the goal's id as the scenario spells it (``--goal`` ignores case)."""
    if goal is None:
        return None
    from simulator.errors import did_you_mean, resolve_id

    have = [g.id for g in (*s.targets, *s.budgets) if g.scope.municipality == municipality]
    found = resolve_id(goal, have)
    if found is None:
        fail(f"--goal {goal!r} is not a goal of {'the region' if municipality is None else municipality}; "
             f"goals: {', '.join(have) or 'none'}{did_you_mean(goal, have)}")
    return found


def check_measure(s, measure):
    """A --measure's id as the scenario spells it (ignoring case), or exit 2 with "did you mean"."""
    return None if measure is None else resolve(measure, [m.id for m in s.measures], "measure")


def load_scenario(path, reading=None):
    from simulator.run.blocks import tune_allocator
    from simulator.scenario.loader import load

    # the command line owns its process, so it may change malloc's settings for speed;
    # the library leaves that to the program that imports it (simulator.run.bench)
    tune_allocator()
    if reading is not None:
        # --reading ignores case and suggests the nearest: the readings are known only after a first load
        s = load(path)
        if s.readings:
            reading = resolve(reading, [r.id for r in s.readings], "reading")
            if reading == s.reading:
                return s
    return load(path, reading=reading)


def scale_options(f):
    f = click.option("--max-paths", type=click.IntRange(1, 100_000_000), default=10_000_000,
                     show_default=True,
                     help="With --precision: stop here even if the precision is not reached.")(f)
    f = click.option("--precision", type=Finite(min=0.0, max=0.5, min_open=True), default=None,
                     help="Add blocks of 65,536 paths until the standard error of every reported "
                          "probability is below this (e.g. 0.005); --paths is then ignored.")(f)
    f = click.option("--sampling", type=click.Choice(["mc", "lhs", "sobol"]), default="mc", show_default=True,
                     help="Plain Monte Carlo, Latin hypercube or scrambled Sobol' (fewer paths for the same "
                          "precision: docs/performance.md); errors then come from 16 independent "
                          "randomisations per block. Streamed runs only.")(f)
    f = click.option("--scheduler", default=None, metavar="threads|dask|dask://HOST:PORT",
                     help="Where blocks run: threads here (default), a local dask cluster, or an existing "
                          "one. The numbers are the same.")(f)
    return click.option("--threads", type=click.IntRange(1, 256), default=None,
                        help="Worker threads (default: one per core). The numbers do not depend on it.")(f)


def progress(total: int | None, enabled: bool, lang: str = "nl"):
    """A progress line on stderr once a command has run for a second (see simulator.cli.progress):
    a context manager whose ``update(n)`` counts paths done."""
    from simulator.cli.progress import Progress
    from simulator.i18n import t

    return Progress(total, t("term.simulating", lang), enabled=enabled, lang=lang)


