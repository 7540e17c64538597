"""How much memory a run will need, estimated before it starts, so that a run which cannot
fit is refused with a message instead of being killed by the system half-way."""

from __future__ import annotations

from simulator.core.sampling import BLOCK_PATHS
from simulator.errors import SimulationError
from simulator.scenario.model import Scenario

#: bytes of one float64
_F = 8


def _n_scopes(scenario: Scenario) -> int:
    # all, three laws, each municipality, each target and budget (an upper bound of scopes_of)
    return 4 + len(scenario.municipalities) + len(scenario.targets) + len(scenario.budgets)


def block_bytes(scenario: Scenario, n: int) -> int:
    """Peak memory of computing one block of ``n`` paths [byte].

    Per path and model year: baseline, spending and growth per post, a profile and a
    standalone saving per effect, costs per measure, plus temporaries; per horizon year three
    figures per scope. A generous upper bound, not a measurement.
    """
    n_model = scenario.years[-1] - scenario.base_year
    n_effects = sum(len(m.effects) for m in scenario.measures)
    per_path = (n_model * (4 * len(scenario.posts) + 2 * n_effects + 2 * len(scenario.measures) + 16)
                + 3 * len(scenario.years) * _n_scopes(scenario) + len(scenario.inputs) * n_model)
    return _F * n * per_path


def run_bytes(scenario: Scenario, paths: int, *, threads: int = 1, full: bool = False,
              detail: bool = False) -> int:
    """Memory a run of ``paths`` paths needs [byte]: the blocks computed at once, and with
    ``full`` every path's results kept (the xarray result of ``run --out .nc``, report, compare)."""
    n = min(paths, BLOCK_PATHS)
    total = block_bytes(scenario, n) * max(1, threads)
    if full:
        per_path = len(scenario.years) * (4 + 2 * _n_scopes(scenario))
        if detail:
            per_path += 2 * len(scenario.years) * (len(scenario.posts) + len(scenario.measures))
        total += _F * paths * per_path
    return total


def available_bytes() -> int | None:
    """Memory the system can give this process now [byte] (Linux MemAvailable), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(scenario: Scenario, paths: int, *, threads: int = 1, full: bool = False,
                 detail: bool = False, available: int | None = None) -> None:
    """Raise :class:`SimulationError` when the run would need more memory than is available."""
    need = run_bytes(scenario, paths, threads=threads, full=full, detail=detail)
    have = available if available is not None else available_bytes()
    if have is not None and need > have:
        raise SimulationError(
            f"{scenario.file}: this run needs about {need / 1e9:,.1f} GB of memory and {have / 1e9:,.1f} GB "
            f"is available ({len(scenario.posts)} posts, {len(scenario.measures)} measures, "
            f"{len(scenario.years)} years, {paths:,} paths); use fewer --paths or --threads, or a smaller scenario")
