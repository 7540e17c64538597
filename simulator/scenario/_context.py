"""The reading context and the primitive readers every section of a scenario shares.

:class:`_Ctx` knows where in the file a value sits, so every check can say it; the readers
here turn one raw TOML value (a number, a text, an id, a year, a source) into a checked
Python value or raise a :class:`ScenarioError` naming the key path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from simulator.errors import HIDDEN, ScenarioError
from simulator.scenario import distributions as dist
from simulator.scenario.expressions import FUNCTIONS

MAX_FILE_BYTES = 2_000_000
MAX_ITEMS = 500  # posts, measures, parameters: far above any real programme
#: measure-post pairs (an effect with scope "all" counts once per post): each is a (year, path)
#: array per block in the engine, so this bounds a block's memory; real plans have < 200
MAX_EFFECTS = 2_000
#: ids and names are matched whole (fullmatch): "$" would also accept a trailing newline
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
RESERVED_NAMES = frozenset(FUNCTIONS) | {"year"}
YEAR_RANGE = (1990, 2100)


class _Ctx:
    """Where we are in the file, so every error can say it."""

    __slots__ = ("file", "path")

    def __init__(self, file: str, path: tuple[str, ...] = ()):
        self.file, self.path = file, path

    def at(self, *keys: str) -> _Ctx:
        return _Ctx(self.file, self.path + tuple(keys))

    def error(self, problem: str) -> ScenarioError:
        return ScenarioError(problem, file=self.file, path=self.path)


def _frozen(d: Mapping[Any, Any]) -> Any:
    """A read-only copy of ``d``. Typed ``Any``: the model annotates these fields as dicts,
    and readers of the model only read them."""
    return MappingProxyType(dict(d))


# --- primitive readers --------------------------------------------------------------------


def _table(ctx: _Ctx, value: Any, allowed: set[str], required: frozenset[str] | set[str] = frozenset()
           ) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ctx.error(f"expected a table, got {_kind(value)}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ctx.error(f"unknown key {unknown[0]!r}; allowed here: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(value))
    if missing:
        raise ctx.error(f"missing required key {missing[0]!r}")
    return dict(value)


def _kind(v: Any) -> str:
    return {dict: "a table", list: "a list", str: "text", bool: "true/false"}.get(type(v), type(v).__name__)


def _number(ctx: _Ctx, v: Any, *, low: float = -1e15, high: float = 1e15) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ctx.error(f"expected a number, got {_kind(v)} {v!r}"[:200])
    try:
        v = float(v)
    except OverflowError:  # an integer literal beyond float range (10**400)
        raise ctx.error(f"{str(v)[:12]}... is far outside the allowed range [{low:g}, {high:g}]") from None
    if not math.isfinite(v):
        raise ctx.error(f"expected a finite number, got {v}")
    if not low <= v <= high:
        raise ctx.error(f"{v:g} is outside the allowed range [{low:g}, {high:g}]")
    return v


def _text(ctx: _Ctx, v: Any, *, empty: bool = False, limit: int = 10_000, line: bool = False) -> str:
    """Text as written; ``line``: a name or label, shown on one line (no line breaks)."""
    if not isinstance(v, str):
        raise ctx.error(f"expected text, got {_kind(v)}")
    if not empty and not v.strip():
        raise ctx.error("must not be empty")
    if len(v) > limit:
        raise ctx.error(f"text longer than {limit} characters")
    _visible(ctx, v)
    if line and ("\n" in v or "\r" in v):
        raise ctx.error("a name is one line: remove the line break")
    return v


def _visible(ctx: _Ctx, v: str) -> str:
    """Refuse text with control characters or bidi overrides: it reaches terminals, reports
    and spreadsheets, where such characters can hide or reorder what a reader sees."""
    hidden = HIDDEN.search(v)
    if hidden:
        raise ctx.error(f"contains the invisible control character U+{ord(hidden.group()):04X} at "
                        f"position {hidden.start()}; remove it (it can hide or reorder text on screen)")
    return v


def _key_text(ctx: _Ctx, v: str, what: str) -> str:
    """The one rule for every id, parameter name and year key: exactly as written, nothing
    invisible, plain ASCII, so two keys that look the same are the same key ('2023' and
    '\\n2023', 'm' and 'm\\n', a Latin 'a' and a Cyrillic one)."""
    for i, ch in enumerate(v):
        if ch.isspace() or not ch.isprintable():
            raise ctx.error(f"{_shown(v)} is not {what}: it contains white space or an invisible "
                            f"character (U+{ord(ch):04X} at position {i}); write it without")
        if not ch.isascii():
            import unicodedata

            raise ctx.error(f"{_shown(v)} is not {what}: it contains {ch!r} (U+{ord(ch):04X} "
                            f"{unicodedata.name(ch, 'unnamed')}): use plain ASCII letters and digits, "
                            "so a look-alike from another script cannot pass for one")
    return v


def _unknown(v: Any, known: Collection[str]) -> bool:
    """Whether ``v`` is not one of the ids in ``known`` (a reference must be text: a list or
    table there is reported as unknown, not hashed)."""
    return not isinstance(v, str) or v not in known


def _shown(v: Any) -> str:
    """A user's value for a message: quoted text, or the kind of value; never very long."""
    text = repr(v) if isinstance(v, str) else _kind(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _known(v: Any, names: Iterable[str], what: str = "known") -> str:
    """The valid choices for a message: all of them when few, else the closest ones, so a
    message stays one readable line in a scenario with sixty parameters."""
    from simulator.errors import closest, did_you_mean

    names = list(names)
    listed = ", ".join(names)
    if len(names) <= 12 and len(listed) <= 300:
        # the nearest as well: 'HH' for 'hh' is easy to miss in a list
        return f"{what}: {listed or 'none'}" + (did_you_mean(v, names) if isinstance(v, str) else "")
    close = closest(v, names, 3) if isinstance(v, str) else []
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}? ({len(names)} {what})"
    return f"{len(names)} {what}, none of them close"


def _ident(ctx: _Ctx, v: Any) -> str:
    v = _key_text(ctx, _text(ctx, v), "a valid id")
    if not ID_PATTERN.fullmatch(v):
        raise ctx.error(f"{v!r} is not a valid id: use lower-case letters, digits, '-' and '_' (at most 64)")
    return v


def _source(ctx: _Ctx, v: Any) -> str:
    """A source is a citation ('001 bijlage 1, maatregel 3') or 'assumption: <reason>'."""
    if isinstance(v, Mapping):
        parts = []
        for k, s in v.items():
            parts.append(f"{_visible(ctx, str(k))}: {_source(ctx.at(str(k)), s)}")
        if not parts:
            raise ctx.error("a source table must name at least one source")
        return "; ".join(parts)
    s = _text(ctx, v).strip()
    if s.lower().rstrip(":") == "assumption":
        raise ctx.error("an assumption needs its reason: 'assumption: <why>'")
    return s


def _year(ctx: _Ctx, key: Any, years: tuple[int, ...] | None = None) -> int:
    if isinstance(key, bool) or not isinstance(key, (int, float, str)):
        raise ctx.error(f"expected a year, got {_kind(key)}")
    if isinstance(key, str):
        _key_text(ctx, key, "a year")
    try:
        y = int(key)
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf
        raise ctx.error(f"{str(key)[:20]!r} is not a year") from None
    if str(y) != str(key) or not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
        raise ctx.error(f"{str(key)[:20]!r} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    if years is not None and y not in years:
        raise ctx.error(f"year {y} is outside the horizon {years[0]}-{years[-1]}")
    return y


def _reach(spec: dist.Distribution) -> tuple[float, float]:
    """The range draws can actually take (uniforms stay 1e-12 from 0 and 1: normals +-7 sd)."""
    import numpy as np

    lo, hi = spec.ppf(np.array([dist.U_EPS, 1.0 - dist.U_EPS]))
    return min(float(lo), spec.support[0]) if math.isfinite(spec.support[0]) else float(lo), \
        max(float(hi), spec.support[1]) if math.isfinite(spec.support[1]) else float(hi)


def _is_year_table(v: Any) -> bool:
    return isinstance(v, Mapping) and bool(v) and all(str(k).strip().isdigit() for k in v)


def _year_numbers(ctx: _Ctx, v: Any, years: tuple[int, ...] | None = None, *, low: float = -1e15,
                  high: float = 1e15) -> dict[int, float]:
    if not _is_year_table(v):
        raise ctx.error("expected a table of years, e.g. {2025 = 500000, 2026 = 1000000}")
    out = {}
    for k, x in v.items():
        y = _year(ctx.at(str(k)), k, years)
        out[y] = _number(ctx.at(str(k)), x, low=low, high=high)
    return dict(sorted(out.items()))



def _list(ctx: _Ctx, v: Any) -> list[Any]:
    if isinstance(v, Mapping):
        return [v]
    if not isinstance(v, list):
        raise ctx.error(f"expected a list of tables ([[{ctx.path[-1]}]]), got {_kind(v)}")
    if len(v) > MAX_ITEMS:
        raise ctx.error(f"more than {MAX_ITEMS} entries")
    return v
