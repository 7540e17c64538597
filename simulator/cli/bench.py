"""taaksim bench: paths per second of a whole run, against the cost of drawing its random numbers."""

from __future__ import annotations

import click

from simulator.cli.format import dumps
from simulator.cli.options import fail, load_scenario, seed_option


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
              help="Worker threads (default: one per core).")
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Time the run this often and report the median.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(scenario, paths, seed, threads, repeat, as_json):
    """Paths per second of a whole run of SCENARIO, and its ratio to the floor.

    The floor is the time numpy's fastest generator needs only to draw the random numbers
    the run draws, measured in this process just before. SCENARIO defaults to the largest
    bundled scenario (Gooi en Vechtstreek). The run is what `taaksim run` does without
    --out: simulate on threads and reduce to the summary.
    """
    from simulator.results.summary import Summary
    from simulator.run.bench import measure

    scenario = scenario or default_bench_scenario()
    if scenario is None:
        fail("give a SCENARIO: the bundled scenarios are not next to this installation")
    r = measure(load_scenario(scenario), paths, seed=seed, threads=threads, repeat=repeat,
                summarise=Summary.from_merged)
    if as_json:
        keys = ("scenario", "paths", "variates", "seconds", "paths_per_second", "floor_seconds",
                "floor_ratio", "peak_memory_mb")
        click.echo(dumps({k: r[k] for k in keys}))
        return
    click.echo(f"{r['scenario']}: {r['paths']:,} paths, {r['threads']} thread(s), median of {repeat}")
    click.echo(f"  run          {r['seconds']:9.3f} s   {r['paths_per_second']:>12,.0f} paths/s   "
               f"(cpu {r['cpu_seconds']:.2f} s)")
    click.echo(f"  floor        {r['floor_seconds']:9.3f} s   {r['variates']:>12,} variates drawn by "
               f"{r['generator']} alone")
    click.echo(f"  floor ratio  {r['floor_ratio']:9.2f}     (run / floor; the goal is 2 or less)")
    click.echo(f"  peak memory  {r['peak_memory_mb']:9.0f} MB  (resident, whole process)")
