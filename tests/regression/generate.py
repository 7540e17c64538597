"""Regenerate the regression cases: ``python -m tests.regression.generate [scenario ...]``.

Run this only when a change of results is intended, and say why in the commit. Expected
Monte Carlo figures come from a reference run (REFERENCE_PATHS, REFERENCE_SEED) that is
independent of the test run; each margin is 4 combined standard errors of both runs, so the
test does not depend on the seed, only on the model.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

import simulator
from simulator.results.check import check
from simulator.results.summary import summarise_years

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REFERENCE_PATHS = 400_000
REFERENCE_SEED = 12345
TEST_PATHS = 20_000
TEST_SEED = 1
Z = 4.0


def _fmt(x: float) -> str:
    return repr(round(float(x), 6))


def case_text(path: Path) -> str:
    s = simulator.load(path)
    c = check(s)
    ds = simulator.simulate(s, REFERENCE_PATHS, seed=REFERENCE_SEED)
    summary = summarise_years(ds)
    net = ds["net_savings"].values
    inflate = math.sqrt(1.0 / TEST_PATHS + 1.0 / REFERENCE_PATHS)
    lines = [
        f'name = "{path.stem}"',
        f'description = "Regression case for {s.name}: deterministic figures to the euro and a '
        f'seeded Monte Carlo summary."',
        f'scenario = "scenarios/{path.name}"',
        f"seed = {TEST_SEED}",
        f"paths = {TEST_PATHS}",
        f"reference = {{paths = {REFERENCE_PATHS}, seed = {REFERENCE_SEED}}}",
        "",
        "[deterministic]  # EUR, to the euro",
        f"check_ok = {str(c.ok).lower()}",
        f"inconsistencies = {sum(f.inconsistency for f in c.figures)}",
        "counts = {" + ", ".join(f'"{k}" = {v}' for k, v in c.counts().items()) + "}  # distinct printed figures",
        "package_net = {" + ", ".join(f"{y} = {_fmt(v)}" for y, v in c.package_total.items()) + "}",
        "standalone_net = {" + ", ".join(f"{y} = {_fmt(v)}" for y, v in c.standalone_total.items()) + "}",
        "",
        f"# margins: {Z:g} x standard error of (reference - test)",
        "[monte_carlo.mean]",
    ]
    for j, y in enumerate(s.years):
        sd = float(net[:, j].std())
        lines.append(f"{y} = {{value = {_fmt(summary.savings[y].mean)}, "
                     f"margin = {_fmt(Z * sd * inflate + 0.5)}}}")
    lines.append("[monte_carlo.p50]")
    for j, y in enumerate(s.years):
        col = net[:, j]
        # standard error of a median: sqrt(p(1-p)/n) / density; density from the central 10%
        lo, hi = np.quantile(col, [0.45, 0.55])
        density = 0.10 / max(hi - lo, 1e-9)
        se_scale = math.sqrt(0.25) / density
        lines.append(f"{y} = {{value = {_fmt(summary.savings[y].p50)}, "
                     f"margin = {_fmt(Z * se_scale * inflate + 0.5)}}}")
    targets = {y: p for y, p in summary.p_target_met.items() if p is not None}
    if targets:
        lines.append("[monte_carlo.p_target_met]")
        for y, p in targets.items():
            var = max(p * (1 - p), 1.0 / TEST_PATHS)
            lines.append(f"{y} = {{value = {_fmt(p)}, margin = {_fmt(Z * math.sqrt(var) * inflate)}}}")
    return "\n".join(lines) + "\n"


def main(names: list[str]) -> None:
    folder = ROOT / "scenarios"
    paths = [folder / f"{n}.toml" for n in names] if names else sorted(folder.glob("*.toml"))
    for p in paths:
        (HERE / f"{p.stem}.toml").write_text(case_text(p), encoding="utf-8")
        print(f"wrote tests/regression/{p.stem}.toml")


if __name__ == "__main__":
    main(sys.argv[1:])
