"""Run a scenario over blocks of paths and collect the result as an xarray Dataset.

The Dataset is the boundary: dims have names, coordinates have labels, and attrs record
the seed, the number of paths, the scenario's name and hash and the simulator version, so a
saved result can always be traced to what produced it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import numpy as np

from simulator._version import __version__
from simulator.core.engine import Block, scopes_of, simulate_block
from simulator.core.options import RunOptions
from simulator.core.sampling import BLOCK_PATHS, blocks
from simulator.run.blocks import map_blocks
from simulator.run.meta import budgets_meta, targets_meta
from simulator.scenario.model import Scenario, scope_label

MAX_PATHS = 100_000_000


def run_blocks(
    scenario: Scenario,
    paths: int,
    *,
    seed: int = 0,
    options: RunOptions | None = None,
    progress: Callable[[int], None] | None = None,
    threads: int = 1,
) -> list[Block]:
    """Simulate every block under ``options``; blocks are independent, so their order never matters.

    ``threads`` > 1 simulates blocks on worker threads (numpy releases the GIL in its
    loops); each block's numbers depend only on (seed, block), so the result is identical.
    Blocks take the compiled kernel where :func:`simulator.core.compiled.runner.block_engine`
    says so and the options allow (no detail, no kept inputs): the same numbers.
    """
    opts = options or RunOptions()
    from simulator.core.compiled.runner import block_engine, kernel_block

    engine = block_engine(paths)

    def one(b: int, n: int) -> Block:
        if engine != "numpy":
            part = kernel_block(scenario, n, seed=seed, block=b, options=opts, coded=engine == "coded")
            if part is not None:
                return part  # type: ignore[return-value]
        return simulate_block(scenario, n, seed=seed, block=b, options=opts)

    out: list[Block] = []
    for part in map_blocks(one, blocks(paths), threads=threads or 1):
        assert isinstance(part, Block)
        out.append(part)
        if progress is not None:
            progress(part.net.shape[-1])
    return out


def run(scenario: Scenario, paths: int = 10_000, *, seed: int = 0,
        progress: Callable[[int], None] | None = None, threads: int = 1, **options):
    """Simulate ``paths`` paths; returns an :class:`xarray.Dataset`.

    ``options`` are the fields of :class:`~simulator.core.options.RunOptions` (detail,
    keep_inputs, overrides, active, no_growth, extra_delay); ``progress`` and ``threads``
    are those of :func:`run_blocks`. For a summary of many paths without keeping them, see
    :func:`simulator.run.streaming.run_stream`.

    Variables (money in EUR per year):
      net_savings, baseline, gross_savings, measure_costs_total : (path, year)
      scope_net_savings, scope_baseline : (path, year, scope)
      post_baseline, post_spending : (path, year, post)          [detail]
      measure_savings, measure_costs : (path, year, measure)     [detail]
      input_<key> : (path,) drawn value of each random input      [keep_inputs]
    spending = baseline - net_savings (also per scope).
    """
    if not 1 <= paths <= MAX_PATHS:
        raise ValueError(f"paths must be between 1 and {MAX_PATHS}")
    parts = run_blocks(scenario, paths, seed=seed, options=RunOptions(**options), progress=progress,
                       threads=threads)
    return to_dataset(scenario, parts, seed=seed)


def _cat(parts: list[Block], name: str, axis: int = -1) -> np.ndarray:
    arrays = [getattr(p, name) for p in parts]
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=axis)


class _DaskArrays:
    """xarray's record of dask as a duck-array library, resolved only when asked.

    xarray asks, for every array it wraps, whether it is a ``dask.array.Array``, and its record
    of dask imports ``dask.array`` to answer (0.4 s when dask is installed, on every command
    that builds a Dataset). No object can be a dask array while ``dask.array`` is not imported,
    so the answer is the empty tuple until then and dask's own type after: the same answer,
    without the import. The other fields of the record come from xarray's own, made when asked.
    """

    def __init__(self, record: type) -> None:
        self._record = record
        self._real = None

    @property
    def type(self) -> tuple[type, ...]:
        mod = sys.modules.get("dask.array")
        array = getattr(mod, "Array", None)
        return () if array is None else (array,)

    def __getattr__(self, name: str):
        if self._real is None:
            self._real = self._record("dask")
        return getattr(self._real, name)


def import_xarray():
    """``xarray``, with its check for dask arrays made lazy (:class:`_DaskArrays`)."""
    import xarray as xr

    try:
        from xarray.namedarray import pycompat

        cache = pycompat._cached_duck_array_modules
        if "dask" not in cache:
            cache["dask"] = _DaskArrays(pycompat.DuckArrayModule)  # type: ignore[assignment]
    except (ImportError, AttributeError):  # another xarray: its own check, and the import it costs
        pass
    return xr


def to_dataset(scenario: Scenario, parts: list[Block], *, seed: int):
    xr = import_xarray()

    n = sum(p.net.shape[-1] for p in parts)
    years = list(scenario.years)
    scopes = scopes_of(scenario)
    coords = {
        "path": np.arange(n),
        "year": years,
        "scope": [scope_label(s) for s in scopes],
    }

    def py(a):  # core (…, year, path) -> boundary (path, year, …)
        return np.moveaxis(a, -1, 0) if a.ndim == 2 else np.moveaxis(a, (0, 1, 2), (2, 1, 0))

    data = {
        "net_savings": (("path", "year"), py(_cat(parts, "net"))),
        "baseline": (("path", "year"), py(_cat(parts, "baseline"))),
        "gross_savings": (("path", "year"), py(_cat(parts, "gross"))),
        "measure_costs_total": (("path", "year"), py(_cat(parts, "costs"))),
        "scope_net_savings": (("path", "year", "scope"), py(_cat(parts, "scope_net"))),
        "scope_baseline": (("path", "year", "scope"), py(_cat(parts, "scope_baseline"))),
    }
    if parts[0].price_index is not None:
        data["price_index"] = (("path", "year"), py(_cat(parts, "price_index")))
    if parts[0].post_baseline is not None:
        coords["post"] = [p.id for p in scenario.posts]
        coords["measure"] = [m.id for m in scenario.measures]
        data["post_baseline"] = (("path", "year", "post"), py(_cat(parts, "post_baseline")))
        data["post_spending"] = (("path", "year", "post"), py(_cat(parts, "post_spending")))
        data["measure_savings"] = (("path", "year", "measure"), py(_cat(parts, "measure_gross")))
        data["measure_costs"] = (("path", "year", "measure"), py(_cat(parts, "measure_costs")))
    if parts[0].inputs is not None:
        kept = [p.inputs for p in parts if p.inputs is not None]  # every block keeps them, or none
        for key in parts[0].inputs:
            if key == "year":
                continue
            arr = np.concatenate([k[key] for k in kept])
            data[f"input_{key}"] = (("path",), arr)
    ds = xr.Dataset(data, coords=coords)
    ds["net_savings"].attrs.update(units="EUR", long_name="net savings against the baseline")
    ds.attrs.update(
        scenario=scenario.name,
        region=scenario.region,
        scenario_file=scenario.file,
        scenario_sha256=scenario.digest,
        seed=int(seed),
        paths=int(n),
        block_paths=BLOCK_PATHS,
        simulator_version=__version__,
        targets=json.dumps(targets_meta(scenario)),
        budgets=json.dumps(budgets_meta(scenario)),
        base_year=scenario.base_year,
        simulated_prices=str(scenario.prices.simulated),
        reading=scenario.reading or "",
        municipalities=json.dumps({m.id: m.name for m in scenario.municipalities}),
    )
    return ds
