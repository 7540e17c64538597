"""taaksim report: the risk paragraph, or the full report as one file."""

from __future__ import annotations

import click

from simulator.cli.format import dumps, format_readings
from simulator.cli.options import (
    capacity_option,
    check_choices,
    check_goal,
    check_memory,
    goal_option,
    lang_option,
    load_scenario,
    reading_option,
    study_options,
)
from simulator.cli.progress import Progress, wanted


@click.command()
@study_options
@capacity_option
@lang_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the full report: .html (one self-contained file), .pdf (A4, printed by headless "
                   "Chromium) or .md (pictures beside it).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--aux-paths", type=click.IntRange(100, 10_000_000), default=2_000, show_default=True,
              help="Paths of each extra run (Sobol' indices, contributions; the swings take half); at most --paths.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option("--realised", "realised_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Condition on realised figures: the conditioned forecast and goal seek (docs/monitoring.md).")
@reading_option
@goal_option
def report(scenario, paths, seed, municipality, year, capacity, lang, out, force, aux_paths, as_json, realised_file,
           reading, goal):
    """Council answers for SCENARIO: the risk paragraph, or with --out the full report.

    Risk figures (shortfall, the reserve needed at 90% certainty, weerstandsratio),
    sensitivity (which assumption to research first), each measure's contribution and the
    waterfall from plan to result, all from the same random numbers.
    """
    if realised_file:
        from simulator.cli.monitor import realised_run

        return realised_run(scenario, realised_file, paths=paths, seed=seed, municipality=municipality, year=year,
                            as_json=as_json)
    from simulator.report.paragraph import risk_paragraph
    from simulator.results.analysis import analyse

    s = load_scenario(scenario, reading)
    municipality = check_choices(s, municipality, year)
    check_goal(s, municipality, goal)
    if out:  # before the analysis, not after it
        from simulator.report.writers import check_report_path

        check_report_path(out, force=force)
    check_memory(s, paths)
    with Progress(None, enabled=wanted(as_json), lang=lang):
        f = analyse(s, paths=paths, seed=seed, municipality=municipality, year=year, capacity=capacity,
                    aux_paths=aux_paths, goal=goal)
    if out:
        from simulator.report.writers import write_report

        write_report(f, out, lang=lang, force=force)
    if as_json:
        click.echo(dumps({
            "scenario": s.name, "paths": paths, "seed": seed, "year": f.study.year, "municipality": municipality,
            **f.to_json(), "paragraph": risk_paragraph(f, lang)}))
        return
    click.echo(risk_paragraph(f, lang), nl=False)
    text = format_readings(f.readings, paths)
    if text:
        click.echo(text)
    if out:
        click.echo(f"\nsaved {out}", err=True)
