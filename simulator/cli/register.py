"""taaksim register: each goal's risk as the lines a NARIS-style risk register takes."""

from __future__ import annotations

import click

from simulator.cli.format import dumps
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
    from simulator.report.register import format_lines, register_lines
    from simulator.results.risk import risk_of
    from simulator.run.dataset import run as run_scenario

    s = load_scenario(scenario)
    municipality = check_choices(s, municipality, year)
    if out:
        from simulator.report.writers import check_output

        check_output(out, force=force, suffixes=(".csv", ".xlsx"), what="register")
    with Progress(paths, enabled=wanted(as_json), lang=lang) as bar:
        ds = run_scenario(s, paths, seed=seed, progress=bar.update)
    risk = risk_of(ds, year=s.years[-1] if year is None else year, municipality=municipality)
    lines = [line for line in register_lines(risk) if year is None or line.year == year]
    scope_name = s.region if municipality is None else s.municipality(municipality).name
    if out:
        import datetime

        from simulator._version import __version__
        from simulator.report.register import write_register
        from simulator.report.writers import atomic_write

        keys = (("Scenario", "Scenario-hash (sha256)", "Startgetal (seed)", "Gesimuleerde paden", "Versie taaksim",
                 "Datum", "Gebied") if lang == "nl" else
                ("Scenario", "Scenario hash (sha256)", "Seed", "Simulated paths", "taaksim version", "Date", "Scope"))
        meta = dict(zip(keys, (s.name, s.digest, seed, paths, __version__, datetime.date.today().isoformat(),
                               scope_name), strict=True))
        atomic_write(out, lambda p: write_register(p, lines, lang=lang, dialect=csv_dialect, scenario_name=s.name,
                                                   scope_name=scope_name, meta=meta), force=force)
    if as_json:
        click.echo(dumps({"scenario": s.name, "paths": paths, "seed": seed, "municipality": municipality,
                          "lines": [x.to_json() for x in lines]}))
        return
    click.echo(format_lines(lines, lang, scenario_name=s.name, scope_name=scope_name))
    if out:
        click.echo(f"{'opgeslagen' if lang == 'nl' else 'saved'}: {out}", err=True)
