"""taaksim report: the risk paragraph, or the full report as one file."""

from __future__ import annotations

import atexit
import gc

import click

from simulator.cli.format import dumps, format_readings, w
from simulator.cli.options import (
    capacity_option,
    check_choices,
    check_goal,
    check_memory,
    fail,
    goal_option,
    lang_option,
    load_scenario,
    reading_option,
    study_options,
)
from simulator.cli.progress import Progress, wanted
from simulator.cli.register import check_register_path, write_with_register

_FROZEN_AT_EXIT: list[bool] = []


def freeze_at_exit() -> None:
    """Have the interpreter's exit skip its last collection of this command's objects.

    At exit Python collects every object of its modules (pandas, xarray, matplotlib, scipy,
    numba: a few hundred thousand) before the operating system frees them anyway: 0.25-0.3 s of
    a report's 2 (measured on Huizen). :func:`gc.freeze` as an exit handler leaves them to the
    operating system; freezing changes no object (exit handlers registered earlier still run
    after it, as usual), every writer has closed its files by then, and a process that goes on
    (a test) is not affected until it exits.
    """
    if not _FROZEN_AT_EXIT:
        _FROZEN_AT_EXIT.append(True)
        atexit.register(gc.freeze)


@click.command()
@study_options
@capacity_option
@lang_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the full report: .html (one self-contained file), .pdf (A4, printed by headless "
                   "Chromium) or .md (pictures beside it).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out or --register file.")
@click.option("--register", "register_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write every goal's risk as risk-register lines (.csv or .xlsx), as taaksim register does.")
@click.option("--aux-paths", type=click.IntRange(100, 10_000_000), default=2_000, show_default=True,
              help="Paths of each extra run (Sobol' indices, contributions; the swings take half); at most --paths.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option("--realised", "realised_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Condition on realised figures: the conditioned forecast and goal seek (docs/monitoring.md).")
@reading_option
@goal_option
def report(scenario, paths, seed, municipality, year, capacity, lang, out, force, register_file, aux_paths, as_json,
           realised_file, reading, goal):
    """Council answers for SCENARIO: the risk paragraph, or with --out the full report.

    Risk figures (shortfall, the reserve needed at 90% certainty, weerstandsratio),
    sensitivity (which assumption to research first), each measure's contribution and the
    waterfall from plan to result, all from the same random numbers.
    """
    if realised_file:
        from simulator.cli.monitor import realised_run

        if register_file:
            fail("--realised prints the conditioned forecast; it does not combine with --register")

        return realised_run(scenario, realised_file, paths=paths, seed=seed, municipality=municipality, year=year,
                            as_json=as_json, goal=goal, lang=lang)
    from simulator.report.paragraph import risk_paragraph
    from simulator.results.analysis import analyse

    freeze_at_exit()

    s = load_scenario(scenario, reading)
    municipality = check_choices(s, municipality, year)
    goal = check_goal(s, municipality, goal)
    if out:  # before the analysis, not after it
        from simulator.report.writers import check_report_path

        check_report_path(out, force=force)
    if register_file:
        check_register_path(register_file, force=force, beside=out)
    check_memory(s, paths)
    drawn = None  # the pictures that wait for nothing, drawn while the other process runs the sensitivity
    meanwhile = None
    if out:
        from simulator.report.document import draw_ahead
        from simulator.report.writers import picture_format

        def meanwhile(found):
            nonlocal drawn
            drawn = draw_ahead(found, lang, picture_format(out))
    with Progress(None, enabled=wanted(as_json), lang=lang):
        f = analyse(s, paths=paths, seed=seed, municipality=municipality, year=year, capacity=capacity,
                    aux_paths=aux_paths, goal=goal, processes=2,
                    meanwhile=meanwhile)
    if register_file:  # the register and the report are written together or not at all
        write_with_register(f, out, register_file, lang=lang, force=force, seed=seed, year=year, ahead=drawn)
    elif out:
        from simulator.report.writers import write_report

        write_report(f, out, lang=lang, force=force, ahead=drawn)
    if as_json:
        click.echo(dumps({
            "scenario": s.name, "paths": paths, "seed": seed, "year": f.study.year, "municipality": municipality,
            **f.to_json(), "paragraph": risk_paragraph(f, lang)}))
        return
    click.echo(risk_paragraph(f, lang), nl=False)
    text = format_readings(f.readings, paths, lang)
    if text:
        click.echo(text)
    for path in (out, register_file):
        if path:
            click.echo("\n" + w("saved", lang).format(path=path), err=True)
