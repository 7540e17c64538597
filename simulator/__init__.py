"""taaksim: Monte Carlo scenarios for municipal savings programmes in the social domain.

The notebook API in three calls::

    import simulator
    scenario = simulator.load("scenarios/gooi-en-vechtstreek-2021.toml")
    result = simulator.simulate(scenario, paths=10_000, seed=1)
    table = simulator.summarise(result)           # pandas DataFrame, one row per year

Heavy modules load on first use, so ``taaksim --help`` stays fast.
"""

from __future__ import annotations

from simulator._version import __version__

__all__ = ["load", "simulate", "summarise", "check", "analyse", "__version__"]


def load(path):
    """Read and validate a scenario file into an immutable :class:`~simulator.scenario.model.Scenario`."""
    from simulator.scenario.loader import load as _load

    return _load(path)


def simulate(scenario, paths: int = 10_000, *, seed: int = 0, detail: bool = False, **kwargs):
    """Simulate ``paths`` year-paths; returns an :class:`xarray.Dataset` (see simulator.result)."""
    from simulator.run.dataset import run

    return run(scenario, paths, seed=seed, detail=detail, **kwargs)


def summarise(result, *, municipality: str | None = None):
    """Per-year summary of a simulated result as a pandas DataFrame."""
    from simulator.results.summary import summary_frame

    return summary_frame(result, municipality=municipality)


def check(scenario):
    """Deterministic comparison with the document's published figures."""
    from simulator.results.check import check as _check

    return _check(scenario)


def analyse(scenario, *, paths: int = 10_000, seed: int = 0, **kwargs):
    """Council answers: risk figures, sensitivity, contributions and the waterfall
    (:class:`simulator.results.analysis.Findings`); options: municipality, year, capacity, aux_paths."""
    from simulator.results.analysis import analyse as _analyse

    return _analyse(scenario, paths=paths, seed=seed, **kwargs)
