"""asv benchmarks: sampling, the engine, summaries and a full run, per path count.

Run against the working tree without building environments:
    asv run --python=same --quick      (or: asv run --python=same)
Timings on a shared machine are noisy: compare ratios (e.g. engine / sampling), not seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.engine import simulate_block
from simulator.loader import load
from simulator.runner import run
from simulator.sampling import count_variates, sample_inputs
from simulator.summary import summarise_years

ROOT = Path(__file__).resolve().parent.parent
SMALLEST = "huizen-2022.toml"
LARGEST = "gooi-en-vechtstreek-2021.toml"


def _scenario(name: str):
    path = ROOT / "scenarios" / name
    if not path.exists():  # before the bundled scenarios exist, fall back to the test one
        path = ROOT / "tests" / "scenarios" / "minimal.toml"
    return load(path)


class Sampling:
    params = ([10_000, 100_000, 1_000_000], [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]

    def setup(self, paths, name):
        self.s = _scenario(name)
        self.n_years = self.s.years[-1] - self.s.base_year

    def time_sample_inputs(self, paths, name):
        sample_inputs(self.s, min(paths, 65_536), seed=1, block=0, n_years=self.n_years)

    def time_floor_uniforms(self, paths, name):
        """The floor: only drawing as many uniforms as the run needs."""
        rng = np.random.Generator(np.random.SFC64(1))
        rng.random(count_variates(self.s, min(paths, 65_536)))


class Engine:
    params = ([10_000, 65_536], [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]

    def setup(self, paths, name):
        self.s = _scenario(name)

    def time_simulate_block(self, paths, name):
        simulate_block(self.s, paths, seed=1)

    def peakmem_simulate_block(self, paths, name):
        simulate_block(self.s, paths, seed=1)


class FullRun:
    params = ([10_000, 100_000, 1_000_000], [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]
    timeout = 300

    def setup(self, paths, name):
        self.s = _scenario(name)

    def time_run(self, paths, name):
        run(self.s, paths, seed=1)

    def peakmem_run(self, paths, name):
        run(self.s, paths, seed=1)


class Summaries:
    params = [10_000, 100_000]
    param_names = ["paths"]

    def setup(self, paths):
        self.ds = run(_scenario(LARGEST), paths, seed=1)

    def time_summarise(self, paths):
        summarise_years(self.ds)
