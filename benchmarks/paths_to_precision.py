"""Paths needed for a standard error of 0.005 on every P(target met), per sampling method.

For each bundled scenario, each method (plain Monte Carlo, Latin hypercube, scrambled Sobol')
runs ``REPLICATES`` independent randomisations (blocks 0, 1, ...) of ``PATHS`` paths each.
The variance of a probability across them, times ``PATHS``, is the method's variance per
path; the paths needed for SE 0.005 are that over 0.005^2. The table gives, per scenario,
the largest such figure over every target of the region and each municipality in every year
(the goal that binds), and the ratio to plain Monte Carlo.

Run: ``python benchmarks/paths_to_precision.py`` (about 5 minutes on one core); the table is
in docs/performance.md. Not an asv benchmark (no ``time_`` functions).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPLICATES = 48
PATHS = 8192
TARGET_SE = 0.005
METHODS = ("mc", "lhs", "sobol")


def probabilities(scenario, method: str, replicate: int, specs) -> np.ndarray:
    """P(met) of every target series of every spec in one randomisation."""
    from simulator.core.engine import simulate_block
    from simulator.core.options import RunOptions
    from simulator.run.reduce import block_stats

    b = simulate_block(scenario, PATHS, seed=1, block=replicate, options=RunOptions(sampling=method))
    out = []
    for spec in specs:
        s = block_stats(spec, b, replicate)
        keep = [i for i, (gi, _) in enumerate(spec.series) if spec.goals[gi].kind == "target"]
        out.extend(s.holds[keep] / PATHS)
    return np.array(out)


def measure(path: Path) -> dict[str, float]:
    from simulator.run.reduce import ReportSpec
    from simulator.scenario.loader import load

    s = load(path)
    specs = [ReportSpec.of(s, None)] + [ReportSpec.of(s, m.id) for m in s.municipalities]
    needed = {}
    for method in METHODS:
        p = np.array([probabilities(s, method, r, specs) for r in range(REPLICATES)])  # (replicate, series)
        per_path = p.var(axis=0, ddof=1) * PATHS
        needed[method] = float(per_path.max() / TARGET_SE**2) if per_path.size else 0.0
    return needed


def main(argv: list[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    files = [Path(a) for a in argv] or sorted((root / "scenarios").glob("*.toml"))
    print(f"paths for SE {TARGET_SE} on every P(target met) ({REPLICATES} randomisations of {PATHS} paths)")
    print(f"| scenario | {' | '.join(METHODS)} | lhs / mc | sobol / mc |")
    print("|---|" + "---:|" * (len(METHODS) + 2))
    for f in files:
        n = measure(f)
        mc = n["mc"] or float("nan")
        print(f"| {f.stem} | " + " | ".join(f"{n[m]:,.0f}" for m in METHODS)
              + f" | {n['lhs'] / mc:.2f} | {n['sobol'] / mc:.2f} |", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1:])
