"""taaksim compare: what-if variants side by side, on the same random numbers."""

from __future__ import annotations

import click

from simulator.cli.format import amount, chance, dumps, format_readings, w
from simulator.cli.options import (
    check_choices,
    check_memory,
    fail,
    lang_option,
    load_scenario,
    reading_option,
    study_options,
)
from simulator.cli.progress import Progress, wanted


@click.command()
@study_options(year_help="The year compared (default: the last).")
@click.option("--variant", "variants", multiple=True, metavar="NAME=CHANGE",
              help="A what-if: without:m7 | later:1 | KEY=VALUE (key, *.glob or @role; value, pNN, plan, mean); "
                   "join changes with ';'. Repeat for more variants.")
@click.option("--plot", type=click.Path(dir_okay=False), default=None, help="Save a chart of the variants (.png).")
@click.option("--force", is_flag=True, help="Overwrite an existing --plot file.")
@lang_option(help="Language of the table and the chart.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@reading_option
def compare(scenario, variants, paths, seed, municipality, year, plot, force, lang, as_json, reading):
    """Compare what-if variants of SCENARIO with the same random numbers.

    Per variant, in one year: the range of net savings (P5, P50, P95), the chance of meeting
    the target and the change of the mean against the unchanged scenario, with its error.

    \b
    taaksim compare S.toml --variant zonder-m7=without:m7 --variant later=later:1 \\
        --variant pessimistisch=@growth=p90 --variant m3-zeker=m3.go_ahead=1
    """
    from simulator.cli.report import freeze_at_exit
    from simulator.results.variants import compare as compare_variants
    from simulator.results.variants import parse_variant

    freeze_at_exit()
    s = load_scenario(scenario, reading)
    municipality = check_choices(s, municipality, year)
    if not variants:
        fail("give at least one --variant NAME=CHANGE, e.g. --variant zonder-m7=without:m7")
    parsed = [parse_variant(v, s) for v in variants]
    names = [v.name for v in parsed]
    if len(set(names)) != len(names) or "basis" in names:
        fail("variant names must be unique and not 'basis'")
    if plot:
        from simulator.report.writers import check_output

        check_output(plot, force=force, suffixes=(".png",), what="plot")
    check_memory(s, paths)
    with Progress(None, enabled=wanted(as_json), lang=lang):
        rows = compare_variants(s, parsed, paths=paths, seed=seed, municipality=municipality, year=year)
    if plot:
        from simulator.report import plots
        from simulator.report.writers import atomic_write

        data = plots.png(plots.variants_chart(rows, rows[0].year, lang))
        atomic_write(plot, lambda p: p.write_bytes(data), force=force)
    readings = _readings(s, paths=paths, seed=seed, municipality=municipality)
    if as_json:
        payload = {"scenario": s.name, "paths": paths, "seed": seed, "variants": [r.to_json() for r in rows]}
        if readings:
            payload["readings"] = [r.to_json() for r in readings]
        click.echo(dumps(payload))
        return
    y = rows[0].year
    click.echo(w("compare_head", lang).format(name=s.name, paths=amount(paths, lang), seed=seed, year=y))
    click.echo("")
    click.echo(f"{w('variant', lang):<22}{'P5':>14}{'P50':>14}{'P95':>14}{w('p_met', lang):>18}"
               f"{w('change', lang):>26}")
    for r in rows:
        delta = "" if r.name == "basis" else f"{amount(r.delta_mean, lang)} ±{amount(r.delta_mean_se, lang)}"
        click.echo(f"{r.name:<22}{amount(r.p5, lang):>14}{amount(r.p50, lang):>14}{amount(r.p95, lang):>14}"
                   f"{chance(r.p_target_met, r.p_target_met_se, paths, lang):>18}{delta:>26}")
    for r in rows[1:]:
        click.echo(f"  {r.name}: {r.spec}")
    goal_ids = list(rows[0].goals)
    if goal_ids:
        click.echo("")
        click.echo(w("goals_head", lang))
        click.echo(f"{w('variant', lang):<22}" + "".join(f"{g[:21]:>22}" for g in goal_ids)
                   + f"{w('reserve_goals', lang):>16}")
        for r in rows:
            cells = "".join(f"{_share(r.goals.get(g), lang):>22}" for g in goal_ids)
            click.echo(f"{r.name:<22}{cells}{amount(r.programme_reserve, lang):>16}")
    text = format_readings(readings, paths, lang)
    if text:
        click.echo(text)
    if plot:
        click.echo(f"{'opgeslagen' if lang == 'nl' else 'saved'}: {plot}")


def _share(p: float | None, lang: str = "nl") -> str:
    from simulator.report.text import number

    return "-" if p is None else f"{number(100 * p, 1, lang)}%"


def _readings(s, *, paths, seed, municipality):
    """Every reading of the document (unchanged scenario), side by side; [] without readings."""
    if not s.readings:
        return []
    from simulator.results.readings import side_by_side

    return side_by_side(s, None, paths=paths, seed=seed, municipality=municipality)
