"""taaksim bench: paths per second of a whole run, against the cost of drawing its random numbers."""

from __future__ import annotations

import click

from simulator.cli.format import dumps, in_lang, w
from simulator.cli.options import fail, lang_option, load_scenario, seed_option
from simulator.cli.progress import Progress, wanted


def default_bench_scenario() -> str | None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scenarios" / "gooi-en-vechtstreek-2021.toml"
    return str(path) if path.exists() else None


@click.command()
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--paths", type=click.IntRange(1, 100_000_000), default=1_000_000, show_default=True,
              help="Number of simulated year-paths.")
@seed_option
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="Worker threads (default: 1 and one per core, both measured).")
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Time the run this often and report the median.")
@lang_option(help="Language of the terminal text.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(scenario, paths, seed, threads, repeat, lang, as_json):
    """Paths per second of a whole run of SCENARIO, and its ratio to the floor.

    The floor is the time numpy's fastest generator needs only to draw the random numbers
    the run draws, measured in this process alternately with the runs; both are medians.
    SCENARIO defaults to the largest bundled scenario (Gooi en Vechtstreek). The run is what
    `taaksim run` does without --out: simulate on threads and reduce to the summary.
    """
    from simulator.results.summary import Summary
    from simulator.run.bench import measure

    scenario = scenario or default_bench_scenario()
    if scenario is None:
        fail("give a SCENARIO: the bundled scenarios are not next to this installation")
    # the line's thread wakes five times a second: far below the run's own noise
    with Progress(None, enabled=wanted(as_json), lang=lang):
        r = measure(load_scenario(scenario), paths, seed=seed, threads=threads, repeat=repeat,
                    summarise=Summary.from_merged)
    if as_json:
        keys = ("scenario", "paths", "variates", "seconds", "paths_per_second", "floor_seconds",
                "floor_ratio", "peak_memory_mb", "threads", "cpu_seconds", "generator", "floor_cpu_seconds", "engine",
                "engine_note", "repeat", "by_threads")
        extra = [k for k in r if k.startswith(("floor_ratio_", "paths_per_second_"))]
        click.echo(dumps({k: r[k] for k in (*keys, *extra)}))
        return
    from simulator.report.text import number

    def n(x: float, decimals: int = 0) -> str:
        return number(x, decimals, lang)

    click.echo(w("bench_head", lang).format(scenario=r["scenario"], paths=n(r["paths"]), engine=r["engine"],
                                            repeat=repeat))
    if r["engine_note"]:
        click.echo(w("bench_engine", lang).format(note=in_lang(r["engine_note"], ("engine.",), lang, source="en")))
    click.echo(w("bench_floor", lang).format(s=f"{n(r['floor_seconds'], 3):>9}", variates=f"{n(r['variates']):>12}",
                                             generator=r["generator"], cpu=n(r["floor_cpu_seconds"], 3)))
    for t, x in r["by_threads"].items():
        click.echo(w("bench_run", lang).format(t=t, s=f"{n(x['seconds'], 3):>9}", pps=f"{n(x['paths_per_second']):>12}",
                                               ratio=f"{n(x['floor_ratio'], 2):>5}", cpu=n(x["cpu_seconds"], 2),
                                               cpu_ratio=n(x["cpu_floor_ratio"], 2)))
    click.echo(w("bench_ratio", lang))
    click.echo(w("bench_memory", lang).format(mb=f"{n(r['peak_memory_mb']):>9}"))
