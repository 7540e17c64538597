"""`taaksim bench` on the compiled kernel, for scenarios it does not run whole yet.

    python -m benchmarks.kernel_bench [SCENARIO ...] [--paths N] [--repeat K] [--threads T]

Measures what ``taaksim bench`` measures (floor and run alternately over the same repeats,
both medians, the run reduced to the summary) with the engine set to the kernel. A scenario
the kernel declines is made kernel-ready first (delays that move a cost's euros and measures
with components stripped, as tests/test_kernel.py once did), so a version of the kernel that
declined Gooi en Vechtstreek still measured its speed on nearly its full programme.
Default: the three scenarios docs/performance.md quotes.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ("gooi-en-vechtstreek-2021", "huizen-2022", "rotterdam-2024")


def kernel_ready(scenario):
    """The scenario itself if the kernel runs it, else without what an older kernel declined
    (delayed fractions of a cost, components): a like-for-like measure across versions."""
    from simulator.core.compiled.runner import program_for
    from simulator.core.plan import euro_delay

    if program_for(scenario) is not None:
        return scenario
    measures = []
    for m in scenario.measures:
        if any(euro_delay(e) for e in m.effects):
            m = dataclasses.replace(m, delay=None)
        if m.components:
            m = dataclasses.replace(m, components=())
        measures.append(m)
    return dataclasses.replace(scenario, measures=tuple(measures))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenarios", nargs="*")
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--chunks", type=int, nargs=2, metavar=("MODEL", "SAMPLE"), default=None,
                    help="paths per model chunk and per sample chunk (simulator.core.compiled.runner)")
    args = ap.parse_args(argv)
    os.environ["TAAKSIM_ENGINE"] = "numba"
    from simulator.core.compiled.runner import program_for
    from simulator.results.summary import Summary
    from simulator.run.bench import measure
    from simulator.run.blocks import tune_allocator
    from simulator.scenario.loader import load

    tune_allocator()
    if args.chunks:
        from simulator.core.compiled import runner

        runner.CHUNK, runner.SAMPLE_CHUNK = args.chunks
    for name in args.scenarios or DEFAULT:
        path = Path(name) if name.endswith(".toml") else ROOT / "scenarios" / f"{name}.toml"
        s = kernel_ready(load(path))
        assert program_for(s) is not None, f"{path}: the kernel declines it"
        r = measure(s, args.paths, threads=args.threads, repeat=args.repeat, summarise=Summary.from_merged)
        print(f"{path.stem}: {r['paths']:,} paths, {r['variates'] / r['paths']:.0f} variates/path, median of "
              f"{args.repeat}; floor {r['floor_seconds']:.3f} s (cpu {r['floor_cpu_seconds']:.3f} s)")
        for t, x in r["by_threads"].items():
            print(f"  {t} thr. {x['seconds']:7.3f} s {x['paths_per_second']:>11,.0f} paths/s  floor ratio "
                  f"{x['floor_ratio']:5.2f}  cpu {x['cpu_seconds']:.2f} s = {x['cpu_floor_ratio']:.2f} x floor's")


if __name__ == "__main__":
    main()
