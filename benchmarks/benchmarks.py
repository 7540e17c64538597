"""asv benchmarks: sampling, the engine, summaries and the full run, per path count, on the
smallest and the largest bundled scenario; peak memory of the run; the floor beside them.

Run against the working tree, in the current environment, without building one:
    asv run --python=same --quick          (one sample each: a smoke test)
    asv run --python=same                  (the real thing; docs/performance.md)
    asv run --python=same --bench FullRun  (one class)
Timings on a shared machine are noisy: compare ratios (e.g. FullRun / Floor), not seconds.
Each benchmark draws the blocks a run of that many paths draws (blocks of 65,536).
"""

from __future__ import annotations

from pathlib import Path

from simulator.core.engine import simulate_block
from simulator.core.sampling import BLOCK_PATHS, blocks, count_variates, sample_inputs
from simulator.results.summary import Summary, summarise_years
from simulator.run.bench import draw_floor
from simulator.run.blocks import tune_allocator
from simulator.run.dataset import run
from simulator.run.reduce import block_stats
from simulator.run.streaming import run_stream
from simulator.scenario.loader import load

ROOT = Path(__file__).resolve().parent.parent
# as the command line does: glibc keeps block-sized arrays for reuse (simulator.run.bench)
tune_allocator()
SMALLEST = "huizen-2022.toml"
LARGEST = "gooi-en-vechtstreek-2021.toml"
PATHS = [10_000, 100_000, 1_000_000]


def _scenario(name: str):
    path = ROOT / "scenarios" / name
    if not path.exists():  # before the bundled scenarios exist, fall back to the test one
        path = ROOT / "tests" / "scenarios" / "minimal.toml"
    return load(path)


def _n_years(s) -> int:
    return s.years[-1] - s.base_year


class Floor:
    """The floor: numpy's fastest generator drawing only the variates a run draws."""

    params = (PATHS, [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]

    def setup(self, paths, name):
        self.variates = count_variates(_scenario(name), paths)

    def time_floor_uniforms(self, paths, name):
        draw_floor(self.variates, "SFC64", repeat=1)


class _Blocks:
    """Every block of a run of ``paths`` paths of one bundled scenario."""

    params = (PATHS, [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]
    timeout = 300

    def setup(self, paths, name):
        self.s = _scenario(name)
        self.plan = blocks(paths)


class Sampling(_Blocks):
    """Every random input of every block: uniforms, copula, inverse CDFs."""

    def time_sample_inputs(self, paths, name):
        for b, n in self.plan:
            sample_inputs(self.s, n, seed=1, block=b, n_years=_n_years(self.s))


class Engine(_Blocks):
    """simulate_block over every block (sampling included: it is the block's first step)."""

    def time_simulate_blocks(self, paths, name):
        for b, n in self.plan:
            simulate_block(self.s, n, seed=1, block=b)

    def peakmem_simulate_block(self, paths, name):
        simulate_block(self.s, min(paths, BLOCK_PATHS), seed=1)


class Summaries:
    """From simulated paths to the figures: the Dataset summary and the streamed reduction."""

    params = ([10_000, 100_000], [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]
    timeout = 300

    def setup(self, paths, name):
        self.s = _scenario(name)
        self.ds = run(self.s, paths, seed=1)
        self.merged = run_stream(self.s, paths, seed=1, threads=1)
        from simulator.run.reduce import ReportSpec

        self.spec = ReportSpec.of(self.s)
        self.block = simulate_block(self.s, min(paths, BLOCK_PATHS), seed=1)

    def time_summarise_dataset(self, paths, name):
        summarise_years(self.ds)

    def time_summarise_stream(self, paths, name):
        Summary.from_merged(self.merged)

    def time_block_stats(self, paths, name):
        block_stats(self.spec, self.block, 0)


class FullRun:
    """What `taaksim run` does without --out: blocks on threads, reduced to the summary."""

    params = (PATHS, [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]
    timeout = 600

    def setup(self, paths, name):
        self.s = _scenario(name)

    def time_run(self, paths, name):
        Summary.from_merged(run_stream(self.s, paths, seed=1))

    def time_run_one_thread(self, paths, name):
        Summary.from_merged(run_stream(self.s, paths, seed=1, threads=1))

    def peakmem_run(self, paths, name):
        Summary.from_merged(run_stream(self.s, paths, seed=1))


class DatasetRun:
    """The full xarray result (every path of every scope), as `taaksim run --out x.nc` builds."""

    params = ([10_000, 100_000], [SMALLEST, LARGEST])
    param_names = ["paths", "scenario"]
    timeout = 300

    def setup(self, paths, name):
        self.s = _scenario(name)

    def time_dataset(self, paths, name):
        run(self.s, paths, seed=1)

    def peakmem_dataset(self, paths, name):
        run(self.s, paths, seed=1)


def track_floor_ratio():
    """Whole run / floor at 100,000 paths of the largest scenario (lower is better)."""
    from simulator.run.bench import measure

    return measure(_scenario(LARGEST), 100_000, seed=1, summarise=Summary.from_merged)["floor_ratio"]


track_floor_ratio.unit = "ratio"


class KernelRun:
    """The whole run with each engine named (FullRun lets the run choose: numpy below
    200,000 paths, the compiled kernel from there, its model compiled per scenario from
    1,000,000). "interpreter": the kernel with its model interpreted (``TAAKSIM_CODEGEN=0``)."""

    params = (PATHS, [SMALLEST, LARGEST], ["numba", "interpreter", "numpy"])
    param_names = ["paths", "scenario", "engine"]
    timeout = 600
    _VARS = ("TAAKSIM_ENGINE", "TAAKSIM_CODEGEN")

    def setup(self, paths, name, engine):
        import os

        self.s = _scenario(name)
        self._before = {k: os.environ.get(k) for k in self._VARS}
        os.environ["TAAKSIM_ENGINE"] = "numpy" if engine == "numpy" else "numba"
        os.environ["TAAKSIM_CODEGEN"] = "0" if engine == "interpreter" else "1"
        # load the kernel, and compile the scenario's model where this run uses it, outside the timing
        Summary.from_merged(run_stream(self.s, paths if engine == "numba" else 1000, seed=1, threads=1))

    def teardown(self, paths, name, engine):
        import os

        for k, v in self._before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def time_run_one_thread(self, paths, name, engine):
        Summary.from_merged(run_stream(self.s, paths, seed=1, threads=1))

    def time_run_two_threads(self, paths, name, engine):
        Summary.from_merged(run_stream(self.s, paths, seed=1, threads=2))


def _bench_1m() -> dict:
    """`taaksim bench` of the largest scenario at 1,000,000 paths, 1 and 2 threads (once per asv run)."""
    from simulator.run.bench import measure

    global _BENCH
    if _BENCH is None:
        _BENCH = measure(_scenario(LARGEST), 1_000_000, seed=1, threads=None, repeat=3, summarise=Summary.from_merged)
    return _BENCH


_BENCH: dict | None = None


def track_floor_ratio_one_thread():
    """Whole run / floor at 1,000,000 paths of the largest scenario on one thread (lower is better)."""
    return _bench_1m()["floor_ratio_1t"]


track_floor_ratio_one_thread.unit = "ratio"


def track_floor_ratio_all_threads():
    """The same on every core (one thread per core)."""
    return _bench_1m()["floor_ratio"]


track_floor_ratio_all_threads.unit = "ratio"


def track_paths_per_second_one_thread():
    return _bench_1m()["paths_per_second_1t"]


track_paths_per_second_one_thread.unit = "paths/s"


def track_paths_per_second_all_threads():
    return _bench_1m()["paths_per_second"]


track_paths_per_second_all_threads.unit = "paths/s"
