"""Compatibility entry point: the scenario reader lives in :mod:`simulator.scenario.load` and
one module per section of the file (``_context``, ``_posts``, ``_measures``, ``_goals``,
``_correlations``, ``_parameters``, ``_builder``). Tests, docs and scripts import from here."""

from __future__ import annotations

from simulator.scenario._context import ID_PATTERN, MAX_FILE_BYTES, MAX_ITEMS, NAME_PATTERN, YEAR_RANGE
from simulator.scenario.load import TOP_KEYS, build, load, loads

__all__ = ["ID_PATTERN", "MAX_FILE_BYTES", "MAX_ITEMS", "NAME_PATTERN", "TOP_KEYS", "YEAR_RANGE",
           "build", "load", "loads"]
