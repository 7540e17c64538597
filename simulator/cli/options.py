"""The command line's shared pieces, defined once: options, scenario loading, errors, progress.

Users: every command module in simulator/cli/ takes its options from here (SCENARIO, --paths, --seed,
--municipality and --year through ``study_options``; --weerstandscapaciteit, --lang, and the scale options
of ``run``), so an option is spelled, checked and documented in one place.
"""

from __future__ import annotations

import math
import sys

import click

from simulator.errors import inert

DEFAULT_PATHS = 10_000


def fail(message: str, code: int = 2):
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


def year_option(f):
    return click.option("--year", type=int, default=None,
                        help="The year the risk figures, sensitivity and contributions are for (default: the last).")(f)


def study_options(f):
    """SCENARIO, --paths, --seed, --municipality and --year: what every analysing command takes."""
    for option in (year_option, municipality_option, seed_option, paths_option, scenario_arg):
        f = option(f)
    return f


def capacity_option(f):
    return click.option("--weerstandscapaciteit", "capacity", type=Finite(0, 1e12), default=None,
                        metavar="EUR", help="Available risk capacity: gives the weerstandsratio and its class.")(f)


def lang_option(f):
    return click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
                        help="Language of the paragraph, report and spreadsheet headers.")(f)


def check_choices(s, municipality, year):
    from simulator.core.goals import check_municipality
    from simulator.errors import UnknownMunicipalityError

    try:
        check_municipality(municipality, (m.id for m in s.municipalities))
    except UnknownMunicipalityError as exc:
        fail(str(exc), exc.exit_code)
    if year is not None and year not in s.years:
        fail(f"--year {year} is not a year of the scenario ({s.years[0]}-{s.years[-1]})")


def reading_option(f):
    return click.option("--reading", default=None, metavar="ID",
                        help="Which declared reading of the document to use (default: the literal one).")(f)


def goal_option(f):
    return click.option("--goal", default=None, metavar="ID",
                        help="The headline goal (default: the first target with the study year).")(f)


def check_goal(s, municipality, goal):
    """Refuse a --goal the region (or participant) does not have, naming those it has."""
    if goal is None:
        return
    have = [g.id for g in (*s.targets, *s.budgets) if g.scope.municipality == municipality]
    if goal not in have:
        fail(f"--goal {goal!r} is not a goal of {'the region' if municipality is None else municipality}; "
             f"goals: {', '.join(have) or 'none'}")


def load_scenario(path, reading=None):
    from simulator.run.blocks import tune_allocator
    from simulator.scenario.loader import load

    # the command line owns its process, so it may change malloc's settings for speed;
    # the library leaves that to the program that imports it (simulator.run.bench)
    tune_allocator()
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


def progress(paths: int, enabled: bool):
    """A progress bar on stderr for long runs, or None."""
    if not enabled or paths < 1_000_000:
        return None, None
    bar = click.progressbar(length=paths, label="simulating", file=sys.stderr)
    return bar, bar.update


