"""taaksim report: the risk paragraph, or the full report as one file."""

from __future__ import annotations

import click

from simulator.cli.format import dumps
from simulator.cli.options import (
    capacity_option,
    check_choices,
    check_memory,
    lang_option,
    load_scenario,
    study_options,
)


@click.command()
@study_options
@capacity_option
@lang_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the full report: .html (one self-contained file) or .md (plots beside it).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--aux-paths", type=click.IntRange(100, 10_000_000), default=10_000, show_default=True,
              help="Paths of each extra run (sensitivity, contributions); at most --paths.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option("--realised", "realised_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Condition on realised figures: the conditioned forecast and goal seek (docs/monitoring.md).")
def report(scenario, paths, seed, municipality, year, capacity, lang, out, force, aux_paths, as_json, realised_file):
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

    s = load_scenario(scenario)
    check_choices(s, municipality, year)
    if out:  # before the analysis, not after it
        from simulator.report.writers import check_report_path

        check_report_path(out, force=force)
    check_memory(s, paths)
    f = analyse(s, paths=paths, seed=seed, municipality=municipality, year=year, capacity=capacity,
                aux_paths=aux_paths)
    if out:
        from simulator.report.writers import write_report

        write_report(f, out, lang=lang, force=force)
    if as_json:
        click.echo(dumps({
            "scenario": s.name, "paths": paths, "seed": seed, "year": f.study.year, "municipality": municipality,
            **f.to_json(), "paragraph": risk_paragraph(f, lang)}))
        return
    click.echo(risk_paragraph(f, lang), nl=False)
    if out:
        click.echo(f"\nsaved {out}", err=True)
