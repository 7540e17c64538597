"""How one run differs from a plain Monte Carlo run of the whole package: one frozen record.

:class:`RunOptions` replaces the mode switches the engine used to take one by one. It is
hashable (the overrides are kept as a tuple of pairs), so a result computed under it can be
cached by it, and it pickles, so it travels to dask workers with the scenario.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

#: what simulates a run's blocks: the numpy engine, the compiled kernel with its model
#: interpreted, or with its model compiled for the scenario
#: (:func:`simulator.core.compiled.runner.block_engine` chooses)
BlockEngine = Literal["numpy", "kernel", "coded"]


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The options of one run.

    Parameters
    ----------
    deterministic : bool
        Every input at its plan value (one path), go-ahead certain, no delay; growth as the
        scenario's ``check_growth`` says.
    active : frozenset of str or None
        Ids of the measures in the package (None: all). A standalone run passes one id.
    detail : bool
        Keep the per-post and per-measure arrays of the block.
    keep_inputs : bool
        Keep each random input's drawn value per path (per-year inputs: their mean).
    overrides : tuple of (str, float)
        Input key -> value fixed for every path (sensitivity, variants, the waterfall). A
        mapping is accepted and kept as pairs in its own order.
    no_growth : bool
        No autonomous growth at all, whatever the posts say (the waterfall's and the
        document's basis when it computes on base-year figures).
    extra_delay : float
        Years added to every measure's delay [year] ("everything a year later").
    sampling : str
        How the block's uniforms are drawn: "mc" (plain Monte Carlo), "lhs" (Latin hypercube)
        or "sobol" (scrambled Sobol'); see :mod:`simulator.core.qmc`.
    """

    deterministic: bool = False
    active: frozenset[str] | None = None
    detail: bool = False
    keep_inputs: bool = False
    overrides: tuple[tuple[str, float], ...] = ()
    no_growth: bool = False
    extra_delay: float = 0.0
    sampling: str = "mc"

    def __post_init__(self) -> None:
        # frozen: normalise through object.__setattr__ so equal options compare and hash equal
        if self.active is not None and not isinstance(self.active, frozenset):
            object.__setattr__(self, "active", frozenset(self.active))
        object.__setattr__(self, "overrides", _pairs(self.overrides))

    def with_(self, **changes: object) -> RunOptions:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def override_map(self) -> dict[str, float]:
        """The overrides as a dict (key -> value)."""
        return dict(self.overrides)


def _pairs(overrides: Mapping[str, float] | Iterable[tuple[str, float]] | None) -> tuple[tuple[str, float], ...]:
    if not overrides:
        return ()
    items = overrides.items() if isinstance(overrides, Mapping) else overrides
    return tuple((str(k), v) for k, v in items)
