"""Read a scenario file once, validate everything, and build the immutable model.

This is the edge: every check a user's file can fail lives in this package, and every failure
is a :class:`ScenarioError` naming the file, the key path and the problem. The engine never
sees a dict. The format is documented key by key in ``docs/scenario-format.md``. This module
only orchestrates; each section of the file has its own reader module.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from simulator.errors import ScenarioError
from simulator.scenario._builder import _Builder
from simulator.scenario._context import MAX_FILE_BYTES, _Ctx, _frozen, _list, _table, _text, _visible, _year
from simulator.scenario._correlations import _read_correlations
from simulator.scenario._goals import (
    _check_price_levels,
    _read_booked,
    _read_budget,
    _read_prices,
    _read_published_totals,
    _read_target,
)
from simulator.scenario._measures import _plan_measures, _read_decisions, _read_measures
from simulator.scenario._parameters import _check_names, _read_defaults, _read_parameters
from simulator.scenario._posts import _read_cost_groups, _read_municipalities, _read_posts
from simulator.scenario._readings import _apply_reading, _choose_reading, _read_readings
from simulator.scenario.model import Budget, Post, Scenario, Target

# --- the document -------------------------------------------------------------------------

TOP_KEYS = {"scenario", "sources", "defaults", "check", "parameters", "post", "measure",
            "cost_group", "target", "budget", "municipality", "correlation", "published", "decision", "prices",
            "booked", "reading"}


def load(path: str | Path, *, reading: str | None = None) -> Scenario:
    """Read and validate a scenario file; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    file = str(path)
    try:
        with path.open("rb") as fh:  # read no more than the limit: /dev/zero or a 10 GB file
            raw = fh.read(MAX_FILE_BYTES + 1)  # must not hang or fill the memory
    except FileNotFoundError:
        raise ScenarioError("file not found", file=file) from None
    except IsADirectoryError:
        raise ScenarioError("is a directory, not a scenario file", file=file) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file: {exc.strerror}", file=file) from None
    return loads(raw, file=file, reading=reading)


def loads(raw: bytes | str, *, file: str = "<scenario>", reading: str | None = None) -> Scenario:
    """Validate scenario text (bytes or str) into a :class:`Scenario`."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
                            "a scenario is a few kB of text", file=file)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # Notepad's "UTF-8 with BOM" is UTF-8
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                            file=file) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", file=file) from None
    except RecursionError:
        raise ScenarioError("not valid TOML: nested too deeply", file=file) from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return build(data, file=file, digest=digest, reading=reading)
    except RecursionError:
        raise ScenarioError("tables nested too deeply", file=file) from None


def build(data: Mapping[str, Any], *, file: str = "<scenario>", digest: str = "",
          candidates: bool = False, reading: str | None = None) -> Scenario:
    """Validate an already parsed document (used by ``loads`` and by variants).

    ``candidates``: keep measures marked ``candidate = true`` (only ``taaksim optimise`` does).
    With ``[[reading]]`` tables the document is first rewritten by the chosen reading (default:
    the literal one), then validated like the file itself; errors name the reading.
    """
    ctx = _Ctx(file)
    if not isinstance(data, Mapping):
        data = _table(ctx, data, TOP_KEYS)
    readings = _read_readings(ctx, data.get("reading", []))
    if readings:
        chosen = _choose_reading(ctx, readings, reading)
        built = {}
        for r in (chosen, *(x for x in readings if x is not chosen)):  # every reading is validated
            doc = _apply_reading(ctx.at(f'reading "{r.id}"'), data, r)
            built[r.id] = _build(_Ctx(f"{file} (reading {r.id})"), doc, file=file, digest=digest,
                                 candidates=candidates)
        return replace(built[chosen.id], readings=readings, reading=chosen.id)
    if reading is not None:
        raise ctx.error(f"no reading {reading!r}: this scenario declares no [[reading]]")
    return _build(ctx, data, file=file, digest=digest, candidates=candidates)


def _build(ctx: _Ctx, data: Mapping[str, Any], *, file: str, digest: str, candidates: bool = False) -> Scenario:
    data = _table(ctx, data, TOP_KEYS, {"scenario", "post"})
    b = _Builder(file)
    name, region, base_year, years, description = _read_meta(ctx, data["scenario"], b)
    sources = _read_sources(ctx, data.get("sources", {}))
    growth_mode = _read_check(ctx, data.get("check", {}))
    defaults = _read_defaults(ctx.at("defaults"), data.get("defaults", {}))

    parameters, order = _read_parameters(ctx.at("parameters"), data.get("parameters", {}), b)
    b.parameters = parameters
    known_names = set(parameters) | {"year"}

    posts = _read_posts(ctx, data["post"], b)

    municipalities = _read_municipalities(ctx, data.get("municipality", []))
    muni_ids = {m.id for m in municipalities}

    cost_groups = _read_cost_groups(ctx, data.get("cost_group", []), b, known_names)
    group_ids = {g.id for g in cost_groups}

    decisions = _read_decisions(ctx, data.get("decision", []), b)
    measures = _read_measures(ctx, _plan_measures(ctx, data.get("measure", []), candidates), b, posts,
                              known_names, defaults, group_ids, muni_ids, decisions)
    for m in measures:
        if m.cost_group and not any(g.id == m.cost_group for g in cost_groups):
            raise ctx.at(f'measure "{m.id}"', "cost_group").error("unknown cost group")

    measure_ids = frozenset(m.id for m in measures)
    measure_posts = {m.id: tuple(dict.fromkeys([*(e.post for e in m.effects), m.post])) for m in measures}
    targets, budgets = _read_goals(ctx, data, years, posts, muni_ids, measure_ids, base_year, measure_posts)
    prices = _read_prices(ctx.at("prices"), data.get("prices"), b, posts, base_year, years)
    booked = _read_booked(ctx, data.get("booked", []), years, muni_ids, measure_ids, base_year)
    _check_price_levels(ctx, prices, [*((f'target "{t.id}"', t) for t in targets),
                                      *((f'budget "{g.id}"', g) for g in budgets),
                                      *((f'booked "{k.id}"', k) for k in booked)])

    published_totals = _read_published_totals(ctx.at("published"), data.get("published", {}), years,
                                              frozenset(m.id for m in measures))

    correlations = _read_correlations(ctx, data.get("correlation", []), b)

    # Every name an expression reads must exist; check once everything is known.
    _check_names(ctx, parameters, posts, measures, cost_groups, known_names)

    return Scenario(
        name=name, region=region, base_year=base_year, years=years, description=description,
        posts=posts, parameters=_frozen(parameters), parameter_order=order,
        inputs=tuple(sorted(b.inputs.values(), key=lambda i: i.key)),
        correlations=correlations, measures=measures, cost_groups=cost_groups,
        targets=targets, budgets=budgets, municipalities=municipalities,
        published_totals=published_totals,
        check_growth=growth_mode, defaults_reason=defaults["reason"], sources=_frozen(sources),
        file=file, digest=digest, decisions=decisions, prices=prices, booked=booked,
    )


def _read_meta(ctx: _Ctx, v: Any, b: _Builder) -> tuple[str, str, int, tuple[int, ...], str]:
    """``[scenario]``: name, region, base year, horizon; sets the builder's model years."""
    meta = _table(ctx.at("scenario"), v,
                  {"name", "region", "municipality", "base_year", "years", "description", "source"},
                  {"name", "base_year", "years"})
    mctx = ctx.at("scenario")
    name = _text(mctx.at("name"), meta["name"], limit=200, line=True)
    region = _text(mctx.at("region"), meta.get("region", meta.get("municipality", name)), limit=200, line=True)
    base_year = _year(mctx.at("base_year"), meta["base_year"])
    yv = meta["years"]
    if not isinstance(yv, list) or not yv or len(yv) > 50:
        raise mctx.at("years").error("years must be a list of 1 to 50 horizon years, e.g. [2025, 2026]")
    years = tuple(_year(mctx.at("years"), y) for y in yv)
    if list(years) != list(range(years[0], years[0] + len(years))):
        raise mctx.at("years").error("years must be consecutive and increasing, e.g. [2025, 2026, 2027]")
    if years[0] <= base_year:
        raise mctx.at("years").error(f"the horizon must start after the base year {base_year}")
    # model years: year tables may start after the base year, before the horizon
    b.years = tuple(range(base_year + 1, years[-1] + 1))
    b.horizon = years
    description = _text(mctx.at("description"), meta.get("description", ""), empty=True)
    return name, region, base_year, years, description


def _read_sources(ctx: _Ctx, sources_table: Any) -> dict[str, str]:
    if not isinstance(sources_table, Mapping):
        raise ctx.at("sources").error("expected a table of short names and documents")
    return {_visible(ctx.at("sources"), str(k)): _text(ctx.at("sources", str(k)), v)
            for k, v in sources_table.items()}


def _read_check(ctx: _Ctx, v: Any) -> Literal["mean", "none"]:
    """``[check]``: how the document check treats growth."""
    check = _table(ctx.at("check"), v, {"growth", "reason"})
    growth_mode = check.get("growth", "mean")
    if growth_mode not in ("mean", "none"):
        raise ctx.at("check", "growth").error("growth must be 'mean' (spec default) or 'none'")
    if growth_mode == "none" and "reason" not in check:
        raise ctx.at("check").error("growth = 'none' needs a reason = '...' "
                                    "(why the document ignores growth)")
    return "none" if growth_mode == "none" else "mean"


def _read_goals(ctx: _Ctx, data: Mapping[str, Any], years: tuple[int, ...], posts: tuple[Post, ...],
                muni_ids: set[str], measure_ids: frozenset[str], base_year: int,
                measure_posts: dict[str, tuple[str, ...]]) -> tuple[tuple[Target, ...], tuple[Budget, ...]]:
    """``[[target]]`` and ``[[budget]]``, ids unique within each kind."""
    targets = tuple(_read_target(ctx.at(f"target[{i}]"), t, years, posts, muni_ids, measure_ids, base_year,
                                 measure_posts)
                    for i, t in enumerate(_list(ctx.at("target"), data.get("target", []))))
    budgets = tuple(_read_budget(ctx.at(f"budget[{i}]"), t, years, posts, muni_ids, measure_ids, base_year,
                                 measure_posts)
                    for i, t in enumerate(_list(ctx.at("budget"), data.get("budget", []))))
    items: tuple[Target | Budget, ...]
    for kind, items in (("target", targets), ("budget", budgets)):
        seen = set()
        for t in items:
            if t.id in seen:
                raise ctx.at(kind).error(f"duplicate id {t.id!r}")
            seen.add(t.id)
    return targets, budgets
