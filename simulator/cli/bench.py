"""taaksim bench: paths per second of a whole run, against the cost of drawing its random numbers."""

from __future__ import annotations

import click

from simulator.cli.format import dumps
from simulator.cli.options import fail, load_scenario, seed_option
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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(scenario, paths, seed, threads, repeat, as_json):
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
    with Progress(None, enabled=wanted(as_json), lang="en"):
        r = measure(load_scenario(scenario), paths, seed=seed, threads=threads, repeat=repeat,
                    summarise=Summary.from_merged)
    if as_json:
        keys = ("scenario", "paths", "variates", "seconds", "paths_per_second", "floor_seconds",
                "floor_ratio", "peak_memory_mb", "threads", "cpu_seconds", "generator", "floor_cpu_seconds", "engine",
                "engine_note", "repeat", "by_threads")
        extra = [k for k in r if k.startswith(("floor_ratio_", "paths_per_second_"))]
        click.echo(dumps({k: r[k] for k in (*keys, *extra)}))
        return
    click.echo(f"{r['scenario']}: {r['paths']:,} paths, {r['engine']} engine, median of {repeat}")
    if r["engine_note"]:
        click.echo(f"  engine       numpy: {r['engine_note']}")
    click.echo(f"  floor        {r['floor_seconds']:9.3f} s   {r['variates']:>12,} variates drawn by "
               f"{r['generator']} alone (one thread; cpu {r['floor_cpu_seconds']:.3f} s)")
    for t, x in r["by_threads"].items():
        click.echo(f"  run, {t} thr.  {x['seconds']:9.3f} s   {x['paths_per_second']:>12,.0f} paths/s   "
                   f"floor ratio {x['floor_ratio']:5.2f}   (cpu {x['cpu_seconds']:.2f} s, "
                   f"{x['cpu_floor_ratio']:.2f} x the floor's)")
    click.echo("  floor ratio = run / floor, both medians over the same repeats; the goal is 2 or less")
    click.echo(f"  peak memory  {r['peak_memory_mb']:9.0f} MB  (resident, whole process)")
