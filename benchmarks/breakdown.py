"""Where a block's time goes, stage by stage: python -m benchmarks.breakdown [SCENARIO].

CPU time per block of 65,536 paths on one thread, median of 9 blocks, against the floor
(the same number of doubles from SFC64). docs/performance.md quotes its output.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(f, k: int = 9) -> float:
    f(0)
    ts = []
    for b in range(k):
        t = time.process_time()
        f(b)
        ts.append(time.process_time() - t)
    return float(np.median(ts)) * 1e3


def main(path: str | None = None) -> None:
    from simulator.core.engine import simulate_block
    from simulator.core.sampling import BLOCK_PATHS, correlate, count_variates, draw_uniforms, sample_inputs
    from simulator.run.blocks import tune_allocator
    from simulator.run.reduce import ReportSpec, block_stats
    from simulator.scenario.loader import load

    tune_allocator()
    s = load(path or ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml")
    n, years = BLOCK_PATHS, s.years[-1] - s.base_year
    rng = np.random.Generator(np.random.SFC64(1))
    buf = np.empty(n)
    floor = _median_ms(lambda b: [rng.random(out=buf) for _ in range(count_variates(s, 1))])
    draw = _median_ms(lambda b: {i.key: draw_uniforms(i, years, n, seed=1, block=b) for i in s.inputs})

    def drawn_and_correlated(b):
        correlate({i.key: draw_uniforms(i, years, n, seed=1, block=b) for i in s.inputs}, s)

    copula = _median_ms(drawn_and_correlated)
    sample = _median_ms(lambda b: sample_inputs(s, n, seed=1, block=b, n_years=years))
    block = _median_ms(lambda b: simulate_block(s, n, seed=1, block=b))
    one = simulate_block(s, n, seed=1)
    spec = ReportSpec.of(s)
    stats = _median_ms(lambda b: block_stats(spec, one, 0))
    rows = [("floor: variates from SFC64", floor), ("drawing: seeded streams, uniforms", draw),
            ("copula", copula - draw), ("inverse CDFs", sample - copula),
            ("engine", block - sample), ("reduction to the summary", stats), ("total", block + stats)]
    print(f"{s.name}: ms CPU per block of {n:,} paths, one thread, median of 9")
    for name, ms in rows:
        print(f"  {name:<36}{ms:8.1f}{ms / floor:8.1f} x floor")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
