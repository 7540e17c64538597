"""Where the compiled kernel's time goes: CPU per path of growing prefixes of its program.

    python -m benchmarks.kernel_profile [SCENARIO] [CHUNK] [SAMPLE_CHUNK]

Runs one block of 65,536 paths of the headline-only program (what `taaksim run` needs)
through the kernel, first the draws alone, then the draws with inverse CDFs and copula, then
the model in eight slices, and prints the CPU time each part adds (median of 7), beside the
floor (numpy's SFC64 drawing as many doubles); then the summary's percentiles over a million
paths (wall time). What the kernel declines is stripped first (:func:`benchmarks.kernel_bench.
kernel_ready`). See docs/performance.md.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks.kernel_bench import kernel_ready
from simulator.core.compiled import program as prg
from simulator.core.compiled import runner
from simulator.core.sampling import count_variates
from simulator.run.bench import draw_floor
from simulator.run.blocks import tune_allocator
from simulator.scenario.loader import load

NAMES = {v: k[3:] for k, v in vars(prg).items() if k.startswith("OP_")}


def main(argv: list[str]) -> None:
    tune_allocator()
    path = argv[0] if argv else str(Path(__file__).resolve().parent.parent / "scenarios"
                                    / "gooi-en-vechtstreek-2021.toml")
    if len(argv) > 1:
        runner.CHUNK = int(argv[1])
    if len(argv) > 2:
        runner.SAMPLE_CHUNK = int(argv[2])
    scenario = kernel_ready(load(path))  # what the kernel declines is stripped (benchmarks.kernel_bench)
    prog = runner.program_for(scenario, outputs=("net:all",))
    assert prog is not None, "the kernel does not run this scenario"
    n = 65_536

    def cpu_ns(p) -> float:
        times = []
        for _ in range(7):
            t0 = time.thread_time()
            runner.run_program(p, n, seed=1, block=0)
            times.append(time.thread_time() - t0)
        return statistics.median(times) / n * 1e9

    code = prog.code
    draws = int((code[:prog.sample_end, 0] == prg.OP_DRAW).sum())
    rest = len(code) - prog.sample_end
    cuts = [draws, prog.sample_end, *(prog.sample_end + rest * k // 8 for k in range(1, 9))]
    print(f"{scenario.name}: {len(code)} instructions, chunks of {runner.CHUNK} (model) and "
          f"{runner.SAMPLE_CHUNK} (sampling) paths")
    before, lo = 0.0, 0
    for cut in cuts:
        total = cpu_ns(dataclasses.replace(prog, code=code[:cut], sample_end=min(prog.sample_end, cut)))
        kinds = Counter(NAMES.get(int(o), str(o)) for o in code[lo:cut, 0]).most_common(4)
        print(f"  instructions {lo:5d}-{cut:5d}: {total - before:7.1f} ns/path   {dict(kinds)}")
        before, lo = total, cut
    t0 = time.thread_time()
    draw_floor(count_variates(scenario, n), repeat=1)
    floor = (time.thread_time() - t0) / n * 1e9
    print(f"  total {before:.0f} ns/path; floor {floor:.0f} ns/path; ratio {before / floor:.2f}")
    _coded(prog, cpu_ns(dataclasses.replace(prog, code=code[:prog.sample_end])), floor, n)
    _percentiles(len(scenario.years))


def _coded(prog, sampling: float, floor: float, n: int) -> None:
    """The same program with its model compiled for the scenario (what runs of 1,000,000 paths
    and more use: simulator.core.compiled.codegen): the model's CPU per path beside the
    interpreter's, after the same sampling."""
    from simulator.core.compiled import codegen

    if not codegen.supported(prog):
        print("  compiled model: not written for this program")
        return
    runner.run_program(prog, 1000, seed=1, block=0, coded=True)  # compile (or load) outside the timing
    times = []
    for _ in range(7):
        t0 = time.thread_time()
        runner.run_program(prog, n, seed=1, block=0, coded=True)
        times.append(time.thread_time() - t0)
    total = statistics.median(times) / n * 1e9
    print(f"  compiled model: total {total:.0f} ns/path, of which the model {total - sampling:.0f}; "
          f"ratio {total / floor:.2f}")


def _percentiles(years: int, paths: int = 1_000_000) -> None:
    """The summary's percentiles and their intervals over a headline of ``years`` x ``paths``:
    wall time per path, one selection per year on threads, against np.quantile and one
    np.partition per interval (what Summary.from_merged did before)."""
    import numpy as np

    from simulator.core.stats import QUANTILES, quantile_interval
    from simulator.run.order import head_percentiles

    head = np.random.default_rng(1).normal(1e7, 2e6, (years, paths))
    qs = list(QUANTILES.values())
    head_percentiles(head, qs, compiled=True)  # load the compiled selection first

    def wall(f) -> float:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            f()
            times.append(time.perf_counter() - t0)
        return statistics.median(times) / paths * 1e9

    new = wall(lambda: head_percentiles(head, qs, compiled=True))
    old = wall(lambda: (np.quantile(head, qs, axis=1), [quantile_interval(r, q) for r in head for q in qs]))
    print(f"  summary's percentiles and intervals, {years} x {paths:,}: {new:.1f} ns/path "
          f"(np.quantile and np.partition: {old:.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])
