"""The full result as NetCDF the way the climate and ocean sciences write it (CF conventions):
``units`` and ``long_name`` on every variable, ``Conventions``, ``title``, ``source`` and
``history`` globally, and zlib compression (netCDF-4; the scipy engine writes only the
uncompressed netCDF-3 format, so this needs the netCDF4 library, the format's reference
implementation). With ``--municipality`` the participant's own figures are added as variables
of their own, and the file says which municipality it was asked for: ``net_savings`` stays the
whole region's, as its long_name says.
"""

from __future__ import annotations

import datetime as _dt
import shlex
import sys
from pathlib import Path
from typing import Any

#: CF's version the attributes follow
CONVENTIONS = "CF-1.10"
#: zlib level: 4 is the usual trade (most of the gain, a fraction of level 9's time)
LEVEL = 4

#: variable -> (units, long_name); "1" is CF's unit of a count or a dimensionless number
VARIABLES: dict[str, tuple[str, str]] = {
    "net_savings": ("EUR", "net savings of the whole region against the baseline (spending without the measures)"),
    "baseline": ("EUR", "spending of the whole region without the measures (baseline)"),
    "gross_savings": ("EUR", "gross savings of all measures, before their costs"),
    "measure_costs_total": ("EUR", "costs of all measures"),
    "scope_net_savings": ("EUR", "net savings per scope (law, municipality) against its baseline"),
    "scope_baseline": ("EUR", "spending per scope without the measures"),
    "municipality_net_savings": ("EUR", "net savings of the municipality asked for, against its baseline"),
    "municipality_baseline": ("EUR", "spending of the municipality asked for, without the measures"),
    "post_savings": ("EUR", "net savings per post"),
    "post_baseline": ("EUR", "spending per post without the measures"),
    "measure_savings": ("EUR", "gross savings per measure"),
    "measure_costs": ("EUR", "costs per measure"),
    "inputs": ("1", "drawn value of each uncertain input (its own unit: see the scenario)"),
    "path": ("1", "simulated year-path (index)"),
    "year": ("1", "budget year (calendar year)"),
}


def cf_dataset(ds: Any, *, municipality: str | None = None, argv: list[str] | None = None) -> Any:
    """A copy of ``ds`` with CF attributes and, for a municipality, its own figures.

    Parameters
    ----------
    ds : xarray.Dataset
        A full run (:func:`simulator.run.dataset.run`).
    municipality : str, optional
        The participant asked for: adds ``municipality_net_savings`` and ``municipality_baseline``
        [EUR], dims (path, year), and the attributes ``municipality`` and ``municipality_name``.
    argv : list of str, optional
        The command that made the file, for ``history`` (default: this process's).
    """
    out = ds.copy()
    if municipality is not None:
        label = f"all@{municipality}"
        out["municipality_net_savings"] = ds["scope_net_savings"].sel(scope=label, drop=True)
        out["municipality_baseline"] = ds["scope_baseline"].sel(scope=label, drop=True)
        out.attrs["municipality"] = municipality
        names = ds.attrs.get("municipalities", "")
        if municipality in names:
            import json

            out.attrs["municipality_name"] = json.loads(names).get(municipality, municipality)
    for name in list(out.variables):
        units, long = VARIABLES.get(str(name), ("", ""))
        var = out[name]
        attrs = dict(var.attrs)
        if var.dtype.kind in "iuf":
            attrs.setdefault("units", units or "1")
        attrs.setdefault("long_name", long or str(name).replace("_", " "))
        out[name].attrs = attrs
    from simulator._version import __version__

    command = " ".join(shlex.quote(a) for a in (argv if argv is not None else ["taaksim", *sys.argv[1:]]))
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.attrs.update(Conventions=CONVENTIONS, title=f"taaksim Monte Carlo result: {ds.attrs.get('scenario', '')}",
                     source=f"taaksim {__version__} (Monte Carlo simulation of a municipal savings programme)",
                     history=f"{stamp}: {command}",
                     comment="Every path is one possible course of the programme; figures in euros of each year.")
    return out


def encoding(ds: Any, level: int = LEVEL) -> dict[str, dict[str, Any]]:
    """zlib compression (with shuffle) for every numeric data variable."""
    return {str(k): {"zlib": True, "complevel": level, "shuffle": True}
            for k, v in ds.data_vars.items() if v.dtype.kind in "iuf"}


def write_netcdf(ds: Any, path: str | Path, *, municipality: str | None = None) -> None:
    """Write :func:`cf_dataset` of ``ds``, compressed, as netCDF-4."""
    out = cf_dataset(ds, municipality=municipality)
    out.to_netcdf(path, engine="netcdf4", format="NETCDF4", encoding=encoding(out))
