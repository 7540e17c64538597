"""Readings: where a document's words allow more than one meaning, the scenario names each.

A reading is a set of replacements on the raw document by key path, applied before validation,
so each reading is validated like the file itself. Key paths name a top-level section, then, in
a list of tables (``[[target]]``, ``[[measure]]``), the item's id, then keys in tables:
``"target.taakstelling-zeewolde.amounts"``, ``"parameters.toezicht_frictie_2026.value"``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from simulator.scenario._context import _Ctx, _frozen, _ident, _known, _list, _shown, _source, _table, _text
from simulator.scenario.model import Reading

MAX_DEPTH = 8


def _read_readings(ctx: _Ctx, v: Any) -> tuple[Reading, ...]:
    out: list[Reading] = []
    for i, item in enumerate(_list(ctx.at("reading"), v)):
        c = ctx.at(f"reading[{i}]")
        t = _table(c, item, {"id", "name", "literal", "quote", "source", "set"},
                   {"id", "name", "literal", "quote", "source", "set"})
        rid = _ident(c.at("id"), t["id"])
        if any(r.id == rid for r in out):
            raise c.at("id").error(f"duplicate reading id {rid!r}")
        if not isinstance(t["literal"], bool):
            raise c.at("literal").error("literal is true (the words as printed) or false")
        changes = t["set"]
        if not isinstance(changes, Mapping):
            raise c.at("set").error("set is a table of key paths and values, e.g. "
                                    "{\"target.my-target.amounts\" = {2027 = 25000}}")
        for key in changes:
            parts = str(key).split(".")
            if len(parts) < 2 or len(parts) > MAX_DEPTH or not all(parts):
                raise c.at("set", str(key)).error("a key path is section.id.key (e.g. 'target.my-target.amounts' "
                                                  "or 'parameters.name.value')")
        out.append(Reading(rid, _text(c.at("name"), t["name"], limit=200), t["literal"],
                           _text(c.at("quote"), t["quote"]), _source(c.at("source"), t["source"]),
                           _frozen({str(k): copy.deepcopy(x) for k, x in changes.items()})))
    literal = [r.id for r in out]
    if out and sum(r.literal for r in out) != 1:
        raise ctx.at("reading").error(f"exactly one reading is literal = true (the words as printed, the default); "
                                      f"readings: {', '.join(literal)}")
    return tuple(out)


def _choose_reading(ctx: _Ctx, readings: tuple[Reading, ...], chosen: str | None) -> Reading:
    if chosen is None:
        return next(r for r in readings if r.literal)
    for r in readings:
        if r.id == chosen:
            return r
    raise ctx.error(f"no reading {chosen!r}; {_known(chosen, [r.id for r in readings], 'readings')}")


def _apply_reading(ctx: _Ctx, data: Mapping[str, Any], reading: Reading) -> dict[str, Any]:
    """The document with the reading's replacements (a copy; the original is untouched)."""
    doc = copy.deepcopy(dict(data))
    for key, value in reading.set.items():
        c = ctx.at("set", key)
        parts = key.split(".")
        node: Any = doc
        for depth, part in enumerate(parts[:-1]):
            nxt = _child(node, part)
            if nxt is None:
                where = ".".join(parts[:depth + 1])
                raise c.error(f"the document has no {where!r}: a key path names a section, an item's id, "
                              "then keys")
            node = nxt
        last = parts[-1]
        if isinstance(node, list):
            raise c.error(f"{_shown(last)} names an item of a list; set a key inside it")
        if not isinstance(node, dict):
            raise c.error(f"{'.'.join(parts[:-1])!r} is a value, not a table: a key path ends at a key")
        node[last] = copy.deepcopy(value)  # a new key is checked by validation like any other
    return doc


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list):
        return next((x for x in node if isinstance(x, dict) and x.get("id") == part), None)
    return None

