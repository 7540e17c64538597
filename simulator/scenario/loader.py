"""Read a scenario file once, validate everything, and build the immutable model.

This is the edge: every check a user's file can fail lives here, and every failure is a
:class:`ScenarioError` naming the file, the key path and the problem. The engine never
sees a dict. The format is documented key by key in ``docs/scenario-format.md``.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from simulator.errors import ExpressionError, ScenarioError
from simulator.scenario import distributions as dist
from simulator.scenario.expressions import FUNCTIONS, parse
from simulator.scenario.model import (
    LAWS,
    Budget,
    ByYear,
    Const,
    Correlation,
    CostGroup,
    Effect,
    Formula,
    Measure,
    Municipality,
    PhaseTable,
    PhaseTurnover,
    Post,
    Published,
    PublishedTotals,
    Quantity,
    RandomInput,
    Ref,
    Scenario,
    Scope,
    Stock,
    Substitution,
    Target,
    quantity_names,
)

MAX_FILE_BYTES = 2_000_000
MAX_ITEMS = 500  # posts, measures, parameters: far above any real programme
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
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


def _frozen(d: dict) -> Mapping:
    return MappingProxyType(dict(d))


# --- primitive readers --------------------------------------------------------------------


def _table(ctx: _Ctx, value, allowed: set[str], required: set[str] = frozenset()) -> dict:
    if not isinstance(value, Mapping):
        raise ctx.error(f"expected a table, got {_kind(value)}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ctx.error(f"unknown key {unknown[0]!r}; allowed here: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(value))
    if missing:
        raise ctx.error(f"missing required key {missing[0]!r}")
    return dict(value)


def _kind(v) -> str:
    return {dict: "a table", list: "a list", str: "text", bool: "true/false"}.get(type(v), type(v).__name__)


def _number(ctx: _Ctx, v, *, low: float = -1e15, high: float = 1e15) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ctx.error(f"expected a number, got {_kind(v)} {v!r}"[:200])
    v = float(v)
    if not math.isfinite(v):
        raise ctx.error(f"expected a finite number, got {v}")
    if not low <= v <= high:
        raise ctx.error(f"{v:g} is outside the allowed range [{low:g}, {high:g}]")
    return v


def _text(ctx: _Ctx, v, *, empty: bool = False, limit: int = 10_000) -> str:
    if not isinstance(v, str):
        raise ctx.error(f"expected text, got {_kind(v)}")
    if not empty and not v.strip():
        raise ctx.error("must not be empty")
    if len(v) > limit:
        raise ctx.error(f"text longer than {limit} characters")
    return v


def _unknown(v, known) -> bool:
    """Whether ``v`` is not one of the ids in ``known`` (a reference must be text: a list or
    table there is reported as unknown, not hashed)."""
    return not isinstance(v, str) or v not in known


def _shown(v) -> str:
    """A user's value for a message: quoted text, or the kind of value; never very long."""
    text = repr(v) if isinstance(v, str) else _kind(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _known(v, names, what: str = "known") -> str:
    """The valid choices for a message: all of them when few, else the closest ones, so a
    message stays one readable line in a scenario with sixty parameters."""
    import difflib

    names = list(names)
    listed = ", ".join(names)
    if len(names) <= 12 and len(listed) <= 300:
        return f"{what}: {listed or 'none'}"
    close = difflib.get_close_matches(v, names, n=3) if isinstance(v, str) else []
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}? ({len(names)} {what})"
    return f"{len(names)} {what}, none of them close"


def _ident(ctx: _Ctx, v) -> str:
    v = _text(ctx, v)
    if not ID_PATTERN.match(v):
        raise ctx.error(f"{v!r} is not a valid id: use lower-case letters, digits, '-' and '_' (at most 64)")
    return v


def _source(ctx: _Ctx, v) -> str:
    """A source is a citation ('001 bijlage 1, maatregel 3') or 'assumption: <reason>'."""
    if isinstance(v, Mapping):
        parts = []
        for k, s in v.items():
            parts.append(f"{k}: {_source(ctx.at(str(k)), s)}")
        if not parts:
            raise ctx.error("a source table must name at least one source")
        return "; ".join(parts)
    s = _text(ctx, v).strip()
    if s.lower().rstrip(":") == "assumption":
        raise ctx.error("an assumption needs its reason: 'assumption: <why>'")
    return s


def _year(ctx: _Ctx, key, years: tuple[int, ...] | None = None) -> int:
    if isinstance(key, bool) or not isinstance(key, (int, float, str)):
        raise ctx.error(f"expected a year, got {_kind(key)}")
    try:
        y = int(key)
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf
        raise ctx.error(f"{str(key)[:20]!r} is not a year") from None
    if str(y) != str(key).strip() or not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
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


def _is_year_table(v) -> bool:
    return isinstance(v, Mapping) and bool(v) and all(str(k).strip().isdigit() for k in v)


def _year_numbers(ctx: _Ctx, v, years=None, *, low=-1e15, high=1e15) -> dict[int, float]:
    if not _is_year_table(v):
        raise ctx.error("expected a table of years, e.g. {2025 = 500000, 2026 = 1000000}")
    out = {}
    for k, x in v.items():
        y = _year(ctx.at(str(k)), k, years)
        out[y] = _number(ctx.at(str(k)), x, low=low, high=high)
    return dict(sorted(out.items()))


class _Builder:
    """Collects random inputs while quantities are read, keyed by stable names."""

    def __init__(self, file: str):
        self.file = file
        self.inputs: dict[str, RandomInput] = {}
        self.years: tuple[int, ...] = ()
        self.horizon: tuple[int, ...] = ()
        self.parameters: dict[str, Quantity] = {}

    def add_input(self, ctx: _Ctx, key: str, spec: dist.Distribution, role: str, *,
                  per_year=False, deterministic="point", label="") -> Ref:
        if key in self.inputs:
            raise ctx.error(f"the name {key!r} is used twice")
        self.inputs[key] = RandomInput(key, spec, role, per_year, deterministic, label or key)
        return Ref(key)

    def distribution(self, ctx: _Ctx, v: Mapping) -> tuple[dist.Distribution, bool]:
        v = dict(v)
        per_year = v.pop("per_year", False)
        if not isinstance(per_year, bool):
            raise ctx.at("per_year").error("per_year must be true or false")
        try:
            return dist.from_table(v), per_year
        except dist.DistributionError as exc:
            key = next((k for k in v if k in dist.REGISTRY), None)
            raise (ctx.at(key) if key else ctx).error(str(exc)) from None

    def quantity(self, ctx: _Ctx, v, key: str, role: str, *, deterministic="point",
                 low=-1e15, high=1e15, allow_year_table=True) -> Quantity:
        """number | "expression" | {distribution} | {year = any of these}."""
        if isinstance(v, bool):
            raise ctx.error("expected a number, an expression, a distribution or a table of years")
        if isinstance(v, (int, float)):
            return Const(_number(ctx, v, low=low, high=high))
        if isinstance(v, str):
            try:
                return Formula(parse(v))
            except ExpressionError as exc:
                raise ctx.error(exc.problem) from None
        if isinstance(v, Mapping) and dist.is_distribution_table(v):
            spec, per_year = self.distribution(ctx, v)
            s_low, s_high = _reach(spec)
            if s_low < low or s_high > high:
                raise ctx.error(f"the distribution's range [{s_low:g}, {s_high:g}] leaves the allowed "
                                f"range [{low:g}, {high:g}]")
            if not spec.is_random:
                return Const(spec.point)
            return self.add_input(ctx, key, spec, role, per_year=per_year, deterministic=deterministic)
        if allow_year_table and _is_year_table(v):
            years, values = [], []
            checked = [(_year(ctx.at(str(k)), k, self.years), k, x) for k, x in v.items()]
            for y, k, x in sorted(checked, key=lambda t: t[0]):
                years.append(y)
                values.append(self.quantity(ctx.at(str(k)), x, f"{key}.{y}", role,
                                            deterministic=deterministic, low=low, high=high,
                                            allow_year_table=False))
            return ByYear(tuple(years), tuple(values))
        if isinstance(v, Mapping):
            raise ctx.error("expected a number, an expression, a table of years or a distribution "
                            f"({', '.join(dist.REGISTRY)})")
        raise ctx.error(f"expected a number, an expression, a distribution or a table of years, "
                        f"got {_kind(v)}")


# --- the document -------------------------------------------------------------------------

TOP_KEYS = {"scenario", "sources", "defaults", "check", "parameters", "post", "measure",
            "cost_group", "target", "budget", "municipality", "correlation", "published"}


def load(path: str | Path) -> Scenario:
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
    return loads(raw, file=file)


def loads(raw: bytes | str, *, file: str = "<scenario>") -> Scenario:
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
        return build(data, file=file, digest=digest)
    except RecursionError:
        raise ScenarioError("tables nested too deeply", file=file) from None


def build(data: Mapping, *, file: str = "<scenario>", digest: str = "", candidates: bool = False) -> Scenario:
    """Validate an already parsed document (used by ``loads`` and by variants).

    ``candidates``: keep measures marked ``candidate = true`` (only ``taaksim optimise`` does).
    """
    ctx = _Ctx(file)
    data = _table(ctx, data, TOP_KEYS, {"scenario", "post"})
    b = _Builder(file)

    meta = _table(ctx.at("scenario"), data["scenario"],
                  {"name", "region", "municipality", "base_year", "years", "description", "source"},
                  {"name", "base_year", "years"})
    mctx = ctx.at("scenario")
    name = _text(mctx.at("name"), meta["name"], limit=200)
    region = _text(mctx.at("region"), meta.get("region", meta.get("municipality", name)), limit=200)
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

    sources_table = data.get("sources", {})
    if not isinstance(sources_table, Mapping):
        raise ctx.at("sources").error("expected a table of short names and documents")
    sources = {str(k): _text(ctx.at("sources", str(k)), v) for k, v in sources_table.items()}

    check = _table(ctx.at("check"), data.get("check", {}), {"growth", "reason"})
    growth_mode = check.get("growth", "mean")
    if growth_mode not in ("mean", "none"):
        raise ctx.at("check", "growth").error("growth must be 'mean' (spec default) or 'none'")
    if growth_mode == "none" and "reason" not in check:
        raise ctx.at("check").error("growth = 'none' needs a reason = '...' "
                                    "(why the document ignores growth)")

    defaults = _read_defaults(ctx.at("defaults"), data.get("defaults", {}))

    parameters, order = _read_parameters(ctx.at("parameters"), data.get("parameters", {}), b)
    b.parameters = parameters
    known_names = set(parameters) | {"year"}

    posts = _read_posts(ctx, data["post"], b)

    municipalities = _read_municipalities(ctx, data.get("municipality", []))
    muni_ids = {m.id for m in municipalities}

    cost_groups = _read_cost_groups(ctx, data.get("cost_group", []), b, known_names)
    group_ids = {g.id for g in cost_groups}

    measures = _read_measures(ctx, _plan_measures(ctx, data.get("measure", []), candidates), b, posts,
                              known_names, defaults, group_ids, muni_ids)
    for m in measures:
        if m.cost_group and not any(g.id == m.cost_group for g in cost_groups):
            raise ctx.at(f'measure "{m.id}"', "cost_group").error("unknown cost group")

    targets = tuple(_read_target(ctx.at(f"target[{i}]"), t, years, posts, muni_ids, kind="target")
                    for i, t in enumerate(_list(ctx.at("target"), data.get("target", []))))
    budgets = tuple(_read_target(ctx.at(f"budget[{i}]"), t, years, posts, muni_ids, kind="budget")
                    for i, t in enumerate(_list(ctx.at("budget"), data.get("budget", []))))
    for kind, items in (("target", targets), ("budget", budgets)):
        seen = set()
        for t in items:
            if t.id in seen:
                raise ctx.at(kind).error(f"duplicate id {t.id!r}")
            seen.add(t.id)

    published_totals = _read_published_totals(ctx.at("published"), data.get("published", {}), years)

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
        file=file, digest=digest,
    )


def _list(ctx: _Ctx, v) -> list:
    if isinstance(v, Mapping):
        return [v]
    if not isinstance(v, list):
        raise ctx.error(f"expected a list of tables ([[{ctx.path[-1]}]]), got {_kind(v)}")
    if len(v) > MAX_ITEMS:
        raise ctx.error(f"more than {MAX_ITEMS} entries")
    return v


def _read_defaults(ctx: _Ctx, v) -> dict:
    d = _table(ctx, v, {"effect_factor", "cost_factor", "go_ahead", "delay", "reason"})
    if any(k != "reason" for k in d) and "reason" not in d:
        raise ctx.error("defaults need a reason = '...': why this uncertainty fits plain point estimates")
    out = {"reason": _text(ctx.at("reason"), d.get("reason", ""), empty=True)}
    for key in ("effect_factor", "cost_factor", "go_ahead", "delay"):
        out[key] = d.get(key)
    return out


def _read_parameters(ctx: _Ctx, v, b: _Builder) -> tuple[dict[str, Quantity], tuple[str, ...]]:
    table = _table(ctx, v, set(v) if isinstance(v, Mapping) else set())
    if len(table) > MAX_ITEMS:
        raise ctx.error(f"more than {MAX_ITEMS} parameters")
    params: dict[str, Quantity] = {}
    for pname, spec in table.items():
        pctx = ctx.at(pname)
        if not NAME_PATTERN.match(pname) or pname in RESERVED_NAMES:
            raise pctx.error(f"{pname!r} cannot be a parameter name: use letters, digits and '_', "
                             f"starting with a letter, and none of {sorted(RESERVED_NAMES)}")
        if not isinstance(spec, Mapping):
            raise pctx.error("a parameter is a table with its value and source, e.g. "
                             "{pert = [80, 100, 120], source = '...'} or {value = 5000, source = '...'}")
        spec = dict(spec)
        if "source" not in spec:
            raise pctx.error("missing source: cite the document and section, or 'assumption: <why>'")
        _source(pctx.at("source"), spec.pop("source"))
        label = _text(pctx.at("label"), spec.pop("label", pname), limit=200)
        unit = spec.pop("unit", None)
        if unit is not None:
            _text(pctx.at("unit"), unit, limit=50)
        if "value" in spec:
            rest = set(spec) - {"value"}
            if rest:
                raise pctx.error(f"unknown key {sorted(rest)[0]!r} beside value")
            q = b.quantity(pctx.at("value"), spec["value"], pname, "parameter")
        elif dist.is_distribution_table(spec):
            d, per_year = b.distribution(pctx, spec)
            q = (b.add_input(pctx, pname, d, "parameter", per_year=per_year, label=label)
                 if d.is_random else Const(d.point))
        else:
            raise pctx.error("give value = ... or one distribution key "
                             f"({', '.join(dist.REGISTRY)})")
        params[pname] = q
    order = _topological(ctx, params)
    return params, order


def _topological(ctx: _Ctx, params: dict[str, Quantity]) -> tuple[str, ...]:
    """Parameters in evaluation order; unknown names and cycles are errors."""

    def reads(n: str, q: Quantity) -> set[str]:
        # a random parameter is a Ref to its own input; inline inputs have dotted keys
        return {d for d in quantity_names(q) if "." not in d and not (isinstance(q, Ref) and d == n)}

    deps = {}
    for n, q in params.items():
        names = reads(n, q)
        if n in names:
            raise ctx.at(n).error(f"parameter {n!r} refers to itself")
        for u in sorted(names - set(params) - {"year"}):
            raise ctx.at(n).error(f"unknown name {u!r}; {_known(u, sorted(params), 'known parameters')}")
        deps[n] = names & set(params)
    order, state = [], {}

    def visit(n, trail):
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            cycle = " -> ".join(trail[trail.index(n):] + [n])
            raise ctx.at(n).error(f"parameters refer to each other in a cycle: {cycle}")
        state[n] = 1
        for d in sorted(deps[n]):
            if d != n:
                visit(d, trail + [n])
        state[n] = 2
        order.append(n)

    for n in sorted(params):
        visit(n, [])
    return tuple(order)


def _read_posts(ctx: _Ctx, v, b: _Builder) -> tuple[Post, ...]:
    posts, seen = [], set()
    for i, p in enumerate(_list(ctx.at("post"), v)):
        pid = p.get("id") if isinstance(p, Mapping) else None
        pctx = ctx.at(f'post "{pid}"' if isinstance(pid, str) else f"post[{i}]")
        p = _table(pctx, p, {"id", "name", "law", "base", "clients", "growth", "volume_growth",
                             "price_growth", "combine", "stock", "source"}, {"id", "law", "source"})
        pid = _ident(pctx.at("id"), p["id"])
        if pid in seen:
            raise pctx.at("id").error(f"duplicate post id {pid!r}")
        seen.add(pid)
        law = p["law"]
        if law not in LAWS:
            raise pctx.at("law").error(f"law must be one of {', '.join(LAWS)}, got {law!r}")
        if "base" not in p and not (isinstance(p.get("stock"), Mapping) and "cost_per_client" in p["stock"]):
            raise pctx.error("missing required key 'base' (base-year expenditure; or give "
                             "[post.stock] clients and cost_per_client)")
        base = _number(pctx.at("base"), p["base"], low=0.0, high=1e12) if "base" in p else None
        clients = _number(pctx.at("clients"), p["clients"], low=0.0, high=1e8) if "clients" in p else None
        if "growth" in p and "volume_growth" in p:
            raise pctx.error("give growth or volume_growth, not both (they are the same)")
        growth = {}
        for key, gkey in (("volume_growth", p.get("volume_growth", p.get("growth"))),
                          ("price_growth", p.get("price_growth"))):
            if gkey is not None:
                growth[key] = b.quantity(pctx.at(key if key in p or key == "price_growth" else "growth"),
                                         gkey, f"{pid}.{key}", "growth", deterministic="mean",
                                         low=-0.5, high=1.0)
        combine = p.get("combine", "multiplicative")
        if combine not in ("multiplicative", "additive"):
            raise pctx.at("combine").error("combine must be 'multiplicative' or 'additive'")
        stock = None
        if "stock" in p:
            sctx = pctx.at("stock")
            s = _table(sctx, p["stock"], {"clients", "duration", "outflow_rate", "inflow", "cost_per_client"})
            n0 = s.get("clients", clients)
            if n0 is None:
                raise sctx.error("a stock needs clients (here or on the post)")
            n0 = _number(sctx.at("clients"), n0, low=1e-9, high=1e8)
            if ("duration" in s) == ("outflow_rate" in s):
                raise sctx.error("give exactly one of duration (years) or "
                                 "outflow_rate (share leaving per year)")
            if "duration" in s:
                dur = _number(sctx.at("duration"), s["duration"], low=0.01, high=100.0)
                rate = Const(min(1.0, 1.0 / dur))
            else:
                rate = b.quantity(sctx.at("outflow_rate"), s["outflow_rate"], f"{pid}.outflow_rate",
                                  "stock", low=0.0, high=1.0)
            inflow = (b.quantity(sctx.at("inflow"), s["inflow"], f"{pid}.inflow", "stock", low=0.0, high=1e8)
                      if "inflow" in s else None)
            stock = Stock(n0, rate, inflow)
            if "cost_per_client" in s:
                cpc = _number(sctx.at("cost_per_client"), s["cost_per_client"], low=0.0, high=1e8)
                if base is not None and abs(base - n0 * cpc) > max(1.0, 1e-6 * base):
                    raise sctx.error(f"clients x cost_per_client = {n0 * cpc:,.0f} contradicts the post's "
                                     f"base {base:,.0f}; give one of them")
                base = n0 * cpc
        posts.append(Post(pid, _text(pctx.at("name"), p.get("name", pid), limit=200), law, base, clients,
                          growth.get("volume_growth"), growth.get("price_growth"), combine, stock,
                          _source(pctx.at("source"), p["source"])))
    if not posts:
        raise ctx.at("post").error("a scenario needs at least one post")
    return tuple(posts)


def _read_municipalities(ctx: _Ctx, v) -> tuple[Municipality, ...]:
    out, seen = [], set()
    for i, m in enumerate(_list(ctx.at("municipality"), v)):
        mid = m.get("id") if isinstance(m, Mapping) else None
        mctx = ctx.at(f'municipality "{mid}"' if isinstance(mid, str) else f"municipality[{i}]")
        m = _table(mctx, m, {"id", "name", "share", "source"}, {"id", "share", "source"})
        mid = _ident(mctx.at("id"), m["id"])
        if mid in seen:
            raise mctx.at("id").error(f"duplicate municipality id {mid!r}")
        seen.add(mid)
        share = m["share"]
        if isinstance(share, Mapping):
            shares = {}
            for k, s in share.items():
                if k not in (*LAWS, "default"):
                    raise mctx.at("share", k).error(f"share keys are {', '.join(LAWS)} or default")
                shares[k] = _number(mctx.at("share", k), s, low=0.0, high=1.0)
        else:
            shares = {"default": _number(mctx.at("share"), share, low=0.0, high=1.0)}
        out.append(Municipality(mid, _text(mctx.at("name"), m.get("name", mid), limit=200),
                                _frozen(shares), _source(mctx.at("source"), m["source"])))
    for law in (*LAWS,):
        total = sum(m.share(law) for m in out)
        if out and total > 1.0 + 1e-6:
            raise ctx.at("municipality").error(f"shares for {law} add up to {total:.4f}, more than 1")
    return tuple(out)


def _read_cost_groups(ctx, v, b: _Builder, known) -> tuple[CostGroup, ...]:
    out, seen = [], set()
    for i, g in enumerate(_list(ctx.at("cost_group"), v)):
        gid = g.get("id") if isinstance(g, Mapping) else None
        gctx = ctx.at(f'cost_group "{gid}"' if isinstance(gid, str) else f"cost_group[{i}]")
        g = _table(gctx, g, {"id", "name", "costs", "law", "source"}, {"id", "costs", "source"})
        gid = _ident(gctx.at("id"), g["id"])
        if gid in seen:
            raise gctx.at("id").error(f"duplicate cost group id {gid!r}")
        seen.add(gid)
        law = g.get("law", "other")
        if law not in LAWS:
            raise gctx.at("law").error(f"law must be one of {', '.join(LAWS)}")
        costs = b.quantity(gctx.at("costs"), g["costs"], f"{gid}.costs", "cost", low=-1e12, high=1e12)
        out.append(CostGroup(gid, costs, law, _source(gctx.at("source"), g["source"])))
    return tuple(out)


MEASURE_KEYS = {"id", "name", "law", "post", "effect", "start", "phase_in", "effect_factor",
                "go_ahead", "delay", "costs", "committed_costs", "cost_factor",
                "delay_shifts_costs", "cost_group",
                "substitution", "municipalities", "published", "source", "comment", "candidate"}
EFFECT_KEYS = {"post", "posts", "scope", "fraction", "amount", "lever", "reach"}


def _plan_measures(ctx: _Ctx, v, keep_candidates: bool):
    """Measures marked ``candidate = true`` are options for ``taaksim optimise``, not part of the plan."""
    if not isinstance(v, list):
        return v
    for i, m in enumerate(v):
        if isinstance(m, Mapping) and "candidate" in m and not isinstance(m["candidate"], bool):
            raise ctx.at(f"measure[{i}]", "candidate").error("candidate must be true or false")
    return v if keep_candidates else [m for m in v if not (isinstance(m, Mapping) and m.get("candidate") is True)]


def _read_measures(ctx, v, b: _Builder, posts, known, defaults, group_ids, muni_ids) -> tuple[Measure, ...]:
    post_map = {p.id: p for p in posts}
    out, seen = [], set()
    for i, m in enumerate(_list(ctx.at("measure"), v)):
        mid = m.get("id") if isinstance(m, Mapping) else None
        mctx = ctx.at(f'measure "{mid}"' if isinstance(mid, str) else f"measure[{i}]")
        m = _table(mctx, m, MEASURE_KEYS, {"id", "source"})
        mid = _ident(mctx.at("id"), m["id"])
        if mid in seen:
            raise mctx.at("id").error(f"duplicate measure id {mid!r}")
        seen.add(mid)
        default_post = m.get("post")
        if default_post is not None and _unknown(default_post, post_map):
            raise mctx.at("post").error(f"unknown post {_shown(default_post)}; "
                                        f"{_known(default_post, post_map)}")
        effects = []
        raw_effects = m.get("effect", [])
        raw_effects = raw_effects if isinstance(raw_effects, list) else [raw_effects]
        if not raw_effects and not any(k in m for k in ("costs", "committed_costs", "cost_group")):
            raise mctx.error("a measure needs an effect, or costs (a measure with costs only)")
        if not raw_effects and default_post is None:
            raise mctx.at("post").error("a measure with costs only needs post = '...' to book them on")
        for j, e in enumerate(raw_effects):
            ectx = mctx.at("effect" if len(raw_effects) == 1 else f"effect[{j}]")
            effects.extend(_read_effect(ectx, e, b, post_map, default_post, f"{mid}.effect"
                                        + ("" if j == 0 else f"{j}")))
        booked = default_post if default_post is not None else effects[0].post
        law = m.get("law", post_map[booked].law)
        if law not in LAWS:
            raise mctx.at("law").error(f"law must be one of {', '.join(LAWS)}")
        start = _year(mctx.at("start"), m["start"], b.years) if "start" in m else b.horizon[0]
        phase = _read_phase(mctx.at("phase_in"), m.get("phase_in"), b, mid, start)

        certain_effect = not any(_is_random(e.value, b) for e in effects)
        effect_factor = (_factor(mctx, "effect_factor", m, defaults, b, mid, certain_effect, "effect")
                         if effects else None)  # no effect, nothing to scale: no idle random input
        go = m.get("go_ahead", defaults["go_ahead"])
        go_ahead = None
        if go is not None:
            gctx = mctx.at("go_ahead")
            p = go if not isinstance(go, Mapping) else _table(gctx, go, {"p"}, {"p"})["p"]
            p = _number(gctx, p, low=0.0, high=1.0)
            if p < 1.0:
                go_ahead = b.add_input(gctx, f"{mid}.go_ahead", dist.Bernoulli(p), "go_ahead").name
        delay = _read_delay(mctx.at("delay"), m.get("delay", defaults["delay"]), b, mid)

        costs = (b.quantity(mctx.at("costs"), m["costs"], f"{mid}.costs", "cost", low=-1e12, high=1e12)
                 if "costs" in m else None)
        committed = (b.quantity(mctx.at("committed_costs"), m["committed_costs"], f"{mid}.committed_costs",
                                "cost", low=-1e12, high=1e12) if "committed_costs" in m else None)
        cost_factor = None
        if costs is not None or committed is not None or m.get("cost_group"):
            certain_cost = not any(q is not None and _is_random(q, b) for q in (costs, committed))
            cost_factor = _factor(mctx, "cost_factor", m, defaults, b, mid, certain_cost, "cost")
        shifts = m.get("delay_shifts_costs", False)
        if not isinstance(shifts, bool):
            raise mctx.at("delay_shifts_costs").error("must be true or false")
        group = m.get("cost_group")
        if group is not None and _unknown(group, group_ids):
            raise mctx.at("cost_group").error(f"unknown cost group {_shown(group)}; "
                                              "declare it as [[cost_group]]")
        substitution = None
        if "substitution" in m:
            sctx = mctx.at("substitution")
            s = _table(sctx, m["substitution"], {"share", "post"}, {"share"})
            spost = s.get("post")
            if spost is not None and _unknown(spost, post_map):
                raise sctx.at("post").error(f"unknown post {_shown(spost)}; {_known(spost, post_map)}")
            substitution = Substitution(
                b.quantity(sctx.at("share"), s["share"], f"{mid}.substitution", "substitution",
                           low=0.0, high=5.0), spost)
        munis = None
        if "municipalities" in m:
            mv = m["municipalities"]
            if not isinstance(mv, list) or not mv:
                raise mctx.at("municipalities").error("a non-empty list of municipality ids")
            for x in mv:
                if _unknown(x, muni_ids):
                    raise mctx.at("municipalities").error(f"unknown municipality {_shown(x)}; "
                                                          f"{_known(x, sorted(muni_ids))}")
            munis = tuple(mv)
        published = _read_published(mctx.at("published"), m.get("published", {}), b.horizon)
        if "comment" in m:
            _text(mctx.at("comment"), m["comment"])
        out.append(Measure(
            id=mid, name=_text(mctx.at("name"), m.get("name", mid), limit=300), law=law,
            effects=tuple(effects), start=start, phase=phase, effect_factor=effect_factor,
            go_ahead=go_ahead, delay=delay, costs=costs, committed_costs=committed, post=booked,
            cost_factor=cost_factor,
            delay_shifts_costs=shifts, cost_group=group, substitution=substitution,
            municipalities=munis, published=published, source=_source(mctx.at("source"), m["source"])))
    return tuple(out)


def _is_random(q: Quantity, b: _Builder, params=None) -> bool:
    """Whether a quantity reads any random input (directly or through parameters)."""
    names = quantity_names(q)
    if any(n in b.inputs for n in names):
        return True
    params = params if params is not None else b.parameters
    return any(_is_random(params[n], b, params) for n in names if n in params)


def _factor(mctx, key, m, defaults, b: _Builder, mid, certain: bool, what: str) -> str | None:
    """A multiplier on a measure's effect or cost: explicit, else the default if the value is certain."""
    if key in m:
        v = m[key]
        fctx = mctx.at(key)
    elif certain and defaults.get(key) is not None:
        v = defaults[key]
        fctx = _Ctx(mctx.file, ("defaults", key))
    else:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        _number(fctx, v, low=0.0, high=10.0)
        return None if v == 1 else b.add_input(fctx, f"{mid}.{what}_factor", dist.Fixed(float(v)),
                                                 f"{what}_factor").name
    if not isinstance(v, Mapping) or not dist.is_distribution_table(v):
        raise fctx.error("expected a number or a distribution, e.g. {pert = [0.6, 1.0, 1.1]}")
    d, _ = b.distribution(fctx, v)
    low, high = d.support
    if low < 0 or high > 10:
        raise fctx.error(f"a factor must stay within [0, 10], this one ranges [{low:g}, {high:g}]")
    return b.add_input(fctx, f"{mid}.{what}_factor", d, f"{what}_factor").name


def _read_effect(ectx, e, b: _Builder, post_map, default_post, key) -> list[Effect]:
    e = _table(ectx, e, EFFECT_KEYS)
    targets = [k for k in ("post", "posts", "scope") if k in e]
    if len(targets) > 1:
        raise ectx.error("give one of post, posts or scope")
    if targets == ["posts"]:
        ids = e["posts"]
        if not isinstance(ids, list) or not ids:
            raise ectx.at("posts").error("a non-empty list of post ids")
    elif targets == ["scope"]:
        if e["scope"] not in (*LAWS, "all"):
            raise ectx.at("scope").error(f"scope must be one of all, {', '.join(LAWS)}")
        ids = [p for p, post in post_map.items() if e["scope"] in ("all", post.law)]
        if not ids:
            raise ectx.at("scope").error(f"no post has law {e['scope']!r}")
    else:
        pid = e.get("post", default_post)
        if pid is None:
            raise ectx.error("name the post the effect acts on (post = '...', here or on the measure)")
        ids = [pid]
    for pid in ids:
        if _unknown(pid, post_map):
            raise ectx.at("post").error(f"unknown post {_shown(pid)}; {_known(pid, post_map)}")
    kinds = [k for k in ("fraction", "amount") if k in e]
    if len(kinds) != 1:
        raise ectx.error("give exactly one of fraction (share of the post) or amount (EUR per year)")
    kind = kinds[0]
    if kind == "amount" and len(ids) > 1:
        raise ectx.error("an amount acts on one post; use fraction for several posts")
    lever = e.get("lever", "cost")
    if lever not in ("cost", "inflow", "duration", "price"):
        raise ectx.at("lever").error("lever must be cost, inflow, duration or price")
    reach = e.get("reach", "all")
    if reach not in ("all", "new"):
        raise ectx.at("reach").error("reach must be 'all' or 'new'")
    for pid in ids:
        post = post_map[pid]
        if (lever != "cost" or reach == "new") and post.stock is None:
            raise ectx.at("lever" if lever != "cost" else "reach").error(
                f"post {pid!r} has no stock of clients; lever {lever!r} / reach 'new' need [post.stock]")
        if lever != "cost" and kind != "fraction":
            raise ectx.at(kind).error(f"lever {lever!r} takes a fraction")
    high = 1.0 if kind == "fraction" else 1e12
    low = -10.0 if kind == "fraction" else -1e12
    value = b.quantity(ectx.at(kind), e[kind], key, "effect", low=low, high=high)
    return [Effect(pid, kind, value, lever, reach) for pid in ids]


def _read_phase(ctx, v, b: _Builder, mid, start) -> PhaseTable | PhaseTurnover | None:
    if v is None:
        return None
    if isinstance(v, Mapping) and set(v) == {"turnover"}:
        return PhaseTurnover(b.quantity(ctx.at("turnover"), v["turnover"], f"{mid}.turnover",
                                        "phase", low=0.0, high=1.0))
    if _is_year_table(v):
        table = _year_numbers(ctx, v, b.years, low=0.0, high=1.0)
        return PhaseTable(tuple(table), tuple(table.values()))
    raise ctx.error("phase_in is a table of years with shares 0..1, e.g. {2025 = 0.5, 2026 = 1.0}, "
                    "or {turnover = rate}")


def _read_delay(ctx, v, b: _Builder, mid) -> str | None:
    if v is None:
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        years = _number(ctx, v, low=0.0, high=10.0)  # 0: no delay, overriding [defaults]
        return None if years == 0 else b.add_input(ctx, f"{mid}.delay", dist.Fixed(years), "delay").name
    if isinstance(v, Mapping) and "p" in v and "years" in v:
        d = _table(ctx, v, {"p", "years"})
        p = _number(ctx.at("p"), d["p"], low=0.0, high=1.0)
        yv = d["years"]
        if isinstance(yv, Mapping):
            years, _ = b.distribution(ctx.at("years"), yv)
        else:
            years = dist.Fixed(_number(ctx.at("years"), yv, low=0.0, high=10.0))
        lo, hi = years.support
        if lo < 0 or hi > 10:
            raise ctx.at("years").error("a delay lies between 0 and 10 years")
        if p == 0 or (not years.is_random and years.point == 0):
            return None
        spec = dist.DelayMixture(p, years)
    elif isinstance(v, Mapping) and dist.is_distribution_table(v):
        spec, _ = b.distribution(ctx, v)
        lo, hi = spec.support
        if lo < 0 or hi > 10:
            raise ctx.error(f"a delay lies between 0 and 10 years; this one ranges [{lo:g}, {hi:g}]")
    else:
        raise ctx.error("delay is a number of years (0: none), {p = probability, years = length} "
                        "or a distribution of years")
    return b.add_input(ctx, f"{mid}.delay", spec, "delay").name


def _read_published(ctx, v, years) -> Published:
    p = _table(ctx, v, {"effect", "cost", "net", "notes", "tolerance"})
    out = {}
    for key in ("effect", "cost", "net"):
        if key in p:
            out[key] = _year_numbers(ctx.at(key), p[key], years)
    notes = {}
    if "notes" in p:
        nt = _table(ctx.at("notes"), p["notes"], {"effect", "cost", "net"})
        for key, t in nt.items():
            if not _is_year_table(t):
                raise ctx.at("notes", key).error("notes per year, e.g. {2022 = 'net row says ...'}")
            for y, text in t.items():
                yy = _year(ctx.at("notes", key, str(y)), y, years)
                notes[f"{key} {yy}"] = _text(ctx.at("notes", key, str(y)), text)
    tol = _number(ctx.at("tolerance"), p["tolerance"], low=0.0, high=1e9) if "tolerance" in p else None
    return Published(_frozen(out.get("effect", {})), _frozen(out.get("cost", {})),
                     _frozen(out.get("net", {})), _frozen(notes), tol)


def _read_published_totals(ctx, v, years) -> PublishedTotals:
    p = _table(ctx, v, {"effect", "cost", "net", "notes", "tolerance", "unit", "total_tolerance", *LAWS})
    unit = _number(ctx.at("unit"), p.get("unit", 1.0), low=1e-6, high=1e9)
    tol = _number(ctx.at("tolerance"), p.get("tolerance", 1.0 / unit), low=0.0, high=1e9)
    total_tol = _number(ctx.at("total_tolerance"), p.get("total_tolerance", tol), low=0.0, high=1e9)
    inner = _read_published(ctx, {k: p[k] for k in ("effect", "cost", "net", "notes") if k in p}, years)
    by_law = {law: _read_published(ctx.at(law), p[law], years) for law in LAWS if law in p}
    return PublishedTotals(inner.effect, inner.cost, inner.net, inner.notes,
                           tolerance=total_tol, figure_tolerance=tol, unit=unit, by_law=_frozen(by_law))


def _read_target(ctx, t, years, posts, muni_ids, *, kind) -> Target | Budget:
    allowed = {"id", "scope", "municipality", "amounts", "source", "against"}
    if kind == "budget":
        allowed -= {"against"}
    t = _table(ctx, t, allowed, {"amounts", "source"})
    scope = _scope(ctx.at("scope"), t.get("scope", "all"), posts)
    muni = t.get("municipality")
    if muni is not None and _unknown(muni, muni_ids):
        raise ctx.at("municipality").error(f"unknown municipality {_shown(muni)}; "
                                           f"{_known(muni, sorted(muni_ids))}")
    scope = Scope(scope.posts, scope.label, muni)
    amounts = _frozen(_year_numbers(ctx.at("amounts"), t["amounts"], years, low=-1e12, high=1e12))
    default_id = f"{kind}-{scope.label}" + (f"-{muni}" if muni else "")
    tid = _ident(ctx.at("id"), t["id"]) if "id" in t else default_id
    src = _source(ctx.at("source"), t["source"])
    if kind == "budget":
        return Budget(tid, scope, amounts, src)
    against = t.get("against", "baseline")
    if against not in ("baseline", "base_year"):
        raise ctx.at("against").error("against must be 'baseline' (counterfactual) or 'base_year'")
    return Target(tid, scope, amounts, against, src)


def _scope(ctx, v, posts) -> Scope:
    ids = [p.id for p in posts]
    if isinstance(v, str):
        if v not in (*LAWS, "all"):
            raise ctx.error(f"scope is all, {', '.join(LAWS)} or a list of post ids")
        chosen = tuple(p.id for p in posts if v in ("all", p.law))
        if not chosen:
            raise ctx.error(f"no post has law {v!r}")
        return Scope(chosen, v)
    if isinstance(v, list) and v:
        for x in v:
            if _unknown(x, ids):
                raise ctx.error(f"unknown post {_shown(x)}; {_known(x, ids)}")
        chosen = tuple(x for x in ids if x in v)
        # one label per set of posts (order and repeats in the list do not matter), never
        # the label of a law scope: a post may be called "wmo"
        label = "+".join(chosen)
        return Scope(chosen, f"posts:{label}" if label in (*LAWS, "all") else label)
    raise ctx.error(f"scope is all, {', '.join(LAWS)} or a list of post ids")


def _read_correlations(ctx, v, b: _Builder) -> tuple[Correlation, ...]:
    import numpy as np

    out = []
    used = set()
    for i, c in enumerate(_list(ctx.at("correlation"), v)):
        cctx = ctx.at(f"correlation[{i}]")
        c = _table(cctx, c, {"between", "rank", "matrix", "reason"}, {"between", "reason"})
        members = c["between"]
        if not isinstance(members, list) or len(members) < 2:
            raise cctx.at("between").error("name two or more random inputs")
        for mname in members:
            if _unknown(mname, b.inputs):
                raise cctx.at("between").error(
                    f"{_shown(mname)} is not a random input; "
                    f"{_known(mname, sorted(b.inputs), 'random inputs')}")
            if b.inputs[mname].per_year:
                raise cctx.at("between").error(f"{mname!r} is drawn per year and cannot be correlated")
            if mname in used:
                raise cctx.at("between").error(f"{mname!r} is already in another correlation group")
        if len(set(members)) != len(members):
            raise cctx.at("between").error("a name appears twice")
        used.update(members)
        n = len(members)
        if ("rank" in c) == ("matrix" in c):
            raise cctx.error("give rank = r (one common correlation) or matrix = [[...]]")
        if "rank" in c:
            r = _number(cctx.at("rank"), c["rank"], low=-1.0, high=1.0)
            mat = np.full((n, n), r)
            np.fill_diagonal(mat, 1.0)
        else:
            rows = c["matrix"]
            square = isinstance(rows, list) and len(rows) == n
            if not square or any(not isinstance(r, list) or len(r) != n for r in rows):
                raise cctx.at("matrix").error(f"an {n} x {n} matrix, one row per member")
            mat = np.array([[_number(cctx.at("matrix"), x, low=-1, high=1) for x in r] for r in rows])
            if not np.allclose(mat, mat.T) or not np.allclose(np.diag(mat), 1.0):
                raise cctx.at("matrix").error("the matrix must be symmetric with ones on the diagonal")
        try:
            np.linalg.cholesky(mat + 1e-12 * np.eye(n))
        except np.linalg.LinAlgError:
            raise cctx.error("these correlations cannot hold together "
                             "(matrix not positive definite)") from None
        out.append(Correlation(tuple(members), tuple(tuple(float(x) for x in r) for r in mat),
                               _text(cctx.at("reason"), c["reason"])))
    return tuple(out)


def _check_names(ctx, parameters, posts, measures, cost_groups, known) -> None:
    def check(q, where: _Ctx):
        for n in quantity_names(q):
            if n not in known and "." not in n:
                raise where.error(f"unknown name {n!r} in expression; "
                                  f"{_known(n, sorted(set(known) - {'year'}), 'known parameters')}")

    for m in measures:
        mctx = ctx.at(f'measure "{m.id}"')
        for e in m.effects:
            check(e.value, mctx.at("effect"))
        if m.costs is not None:
            check(m.costs, mctx.at("costs"))
        if m.committed_costs is not None:
            check(m.committed_costs, mctx.at("committed_costs"))
        if m.substitution is not None:
            check(m.substitution.share, mctx.at("substitution"))
        if isinstance(m.phase, PhaseTurnover):
            check(m.phase.rate, mctx.at("phase_in"))
    for g in cost_groups:
        check(g.costs, ctx.at(f'cost_group "{g.id}"', "costs"))
    for p in posts:
        pctx = ctx.at(f'post "{p.id}"')
        for q in (p.volume_growth, p.price_growth):
            if q is not None:
                check(q, pctx)
        if p.stock is not None:
            check(p.stock.outflow_rate, pctx.at("stock"))
            if p.stock.inflow is not None:
                check(p.stock.inflow, pctx.at("stock"))
