"""taaksim register: each goal's risk as the lines a NARIS-style risk register takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from simulator.cli.format import dumps, w
from simulator.cli.options import check_choices, lang_option, load_scenario, study_options
from simulator.cli.progress import Progress, wanted


def csv_dialect_option(f):
    return click.option("--csv-dialect", type=click.Choice(["nl", "en"]), default=None,
                        help="csv for a Dutch Excel (';', decimal comma) or an English one (',', decimal point); "
                             "default: that of --lang.")(f)


@click.command()
@study_options(year_help="Only this year's lines (default: every year of every goal).")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the lines: .csv (in --csv-dialect) or .xlsx (with a sheet on the run).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@csv_dialect_option
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print the lines as one JSON object.")
def register(scenario, paths, seed, municipality, year, out, force, csv_dialect, lang, as_json):
    """Each goal's risk as risk-register lines: kans and gevolg with their classes (1-5),
    the risk score and amount, and the simulated figures behind them.

    One line per target or budget and year, for the region or, with --municipality, the
    participant. The classes follow the common municipal scale (docs/results.md).
    """
    s = load_scenario(scenario)
    municipality = check_choices(s, municipality, year)
    if out:
        check_register_path(out, force=force)
    with Progress(paths, enabled=wanted(as_json), lang=lang) as bar:
        from simulator.run.dataset import run as run_scenario

        ds = run_scenario(s, paths, seed=seed, progress=bar.update)
    reg = Register.of(s, ds, paths=paths, seed=seed, municipality=municipality, year=year)
    if out:
        from simulator.report.writers import atomic_write

        atomic_write(out, lambda p: reg.write(p, lang=lang, dialect=csv_dialect), force=force)
    if as_json:
        click.echo(dumps({"scenario": s.name, "paths": paths, "seed": seed, "municipality": municipality,
                          "lines": [x.to_json() for x in reg.lines]}))
        return
    click.echo(reg.text(lang))
    if out:
        click.echo(w("saved", lang).format(path=out), err=True)


@dataclass(frozen=True)
class Register:
    """The register lines of one run and what their file says about it (``register`` and ``report --register``)."""

    scenario: Any
    lines: list
    scope_name: str
    seed: int
    paths: int

    @classmethod
    def of(cls, s, ds, *, paths: int, seed: int, municipality: str | None, year: int | None) -> Register:
        """Every goal's lines from the run ``ds`` (every path kept), only ``year``'s when given."""
        from simulator.report.register import register_lines
        from simulator.results.risk import risk_of

        risk = risk_of(ds, year=s.years[-1] if year is None else year, municipality=municipality)
        lines = [line for line in register_lines(risk) if year is None or line.year == year]
        scope_name = s.region if municipality is None else s.municipality(municipality).name
        return cls(s, lines, scope_name, seed, paths)

    def text(self, lang: str) -> str:
        from simulator.report.register import format_lines

        return format_lines(self.lines, lang, scenario_name=self.scenario.name, scope_name=self.scope_name)

    def write(self, path, *, lang: str, dialect: str | None) -> None:
        """Write the lines to ``path`` (.csv in ``dialect``, .xlsx with a sheet on the run)."""
        import datetime

        from simulator._version import __version__
        from simulator.report.register import write_register

        s = self.scenario
        keys = (("Scenario", "Scenario-hash (sha256)", "Startgetal (seed)", "Gesimuleerde paden", "Versie taaksim",
                 "Datum", "Gebied") if lang == "nl" else
                ("Scenario", "Scenario hash (sha256)", "Seed", "Simulated paths", "taaksim version", "Date", "Scope"))
        meta = dict(zip(keys, (s.name, s.digest, self.seed, self.paths, __version__,
                               datetime.date.today().isoformat(), self.scope_name), strict=True))
        write_register(path, self.lines, lang=lang, dialect=dialect, scenario_name=s.name,
                       scope_name=self.scope_name, meta=meta)


def check_register_path(path, *, force: bool = False, beside=None):
    """Refuse a register file that cannot be written, before the run (see report.writers.check_output),
    or that is the report (``beside``) itself."""
    from pathlib import Path

    from simulator.errors import OutputError
    from simulator.report.writers import check_output

    if beside is not None and Path(path).resolve() == Path(beside).resolve():
        raise OutputError(f"--register {path} is the --out file; give the register its own name")
    return check_output(path, force=force, suffixes=(".csv", ".xlsx"), what="register")


def write_with_register(f, out, register_file, *, lang: str, force: bool, seed: int, year: int | None,
                        dialect: str | None = None, ahead=None) -> None:
    """``report --register``: the register lines of the report's own run beside the report, all or nothing.

    The register is written to a temporary file first, then the report (itself all or nothing), and
    only then is the register renamed into place: whatever stops the report leaves neither file changed.
    ``ahead``: the report's pictures drawn ahead (:func:`simulator.report.writers.write_report`).
    """
    import contextlib
    import os
    import tempfile
    from pathlib import Path

    from simulator.errors import OutputError
    from simulator.report.writers import (
        WRITTEN,
        _signals_deferred,
        _usual_permissions,
        atomic_write,
        clean_stale,
        write_report,
    )

    st = f.study
    reg = Register.of(st.scenario, st.dataset, paths=st.paths, seed=seed, municipality=st.municipality, year=year)
    if out is None:
        atomic_write(register_file, lambda p: reg.write(p, lang=lang, dialect=dialect), force=force)
        return
    path = Path(register_file)
    if path.exists() and not force:
        raise OutputError(f"{path} exists; use --force to overwrite it")
    clean_stale(path.parent, path.name)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _usual_permissions(tmp)
        reg.write(tmp, lang=lang, dialect=dialect)
        write_report(f, out, lang=lang, force=force, ahead=ahead)
        with _signals_deferred():
            os.replace(tmp, path)
            WRITTEN.append(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
