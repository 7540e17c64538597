"""Fuzzing support: rich valid scenario documents, hostile mutations, a TOML writer and the
one oracle every fuzz case must satisfy.

The oracle (:func:`assert_handled`): a document either validates and then runs, in
deterministic mode and as a small Monte Carlo run, to finite figures; or it is refused
with a :class:`~simulator.errors.TaaksimError` whose message is short, names the file and
says what is wrong. Anything else (another exception, a non-finite number, a run that
does not finish within a few seconds) fails the test.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import signal
import tomllib
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from simulator.errors import HIDDEN, ScenarioError, TaaksimError

SRC = "assumption: generated"
FILE = "fuzz.toml"
REAL = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.toml"))

#: one fuzz case may take this long before it counts as a hang (generous: 2 shared cores)
HANG_SECONDS = 20


# --- a small TOML writer (inline tables only; enough for any JSON-like document) ------------


def _toml_key(k: str) -> str:
    return json.dumps(str(k))


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # JSON string escapes are valid TOML basic-string escapes
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(doc: dict) -> str:
    """Top-level keys as ``key = value`` lines (arrays of inline tables for [[post]] etc.)."""
    return "\n".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in doc.items()) + "\n"


def real_documents() -> dict[str, dict]:
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in REAL}


# --- the oracle ------------------------------------------------------------------------------


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float = HANG_SECONDS):
    """Fail a fuzz case that runs longer than ``seconds`` (a hang), main thread only."""

    def on_alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def assert_clear_message(exc: TaaksimError, file: str = FILE) -> None:
    msg = str(exc)
    assert msg.strip(), "empty message"
    assert len(msg.splitlines()) <= 2, msg
    assert len(msg) <= 1_000, msg[:300]
    assert "Traceback" not in msg
    assert not HIDDEN.search(msg), f"a control character reaches the terminal: {msg!r}"
    if isinstance(exc, ScenarioError):
        assert msg.startswith(file), msg
        assert exc.problem.strip(), msg
    else:
        assert file in msg, msg


def assert_finite_run(scenario, paths: int = 64, seed: int = 1) -> None:
    from simulator.results.check import deterministic
    from simulator.results.summary import summarise_years
    from simulator.run.dataset import run

    det = deterministic(scenario)
    for row in det.values():
        assert all(math.isfinite(v) for v in row.values()), det
    ds = run(scenario, paths, seed=seed)
    for name, var in ds.data_vars.items():
        assert np.isfinite(var.values).all(), name
    summary = summarise_years(ds)
    for y, v in summary.savings.items():
        assert all(math.isfinite(x) for x in v.to_json().values()), (y, v)
        assert v.p5 <= v.p10 <= v.p50 <= v.p90 <= v.p95
    for key in ("p_target_met", "p_within_budget"):
        for p in getattr(summary, key).values():
            assert p is None or 0.0 <= p <= 1.0
    for g in summary.goals:
        for d in g.years.values():
            assert 0.0 <= d.p <= 1.0 and math.isfinite(d.p50)
            assert d.p5 <= d.p50 <= d.p95


def assert_handled(doc_or_text, *, paths: int = 64) -> str:
    """The fuzz oracle; returns 'rejected', 'refused' (at run time) or 'ran'."""
    from simulator.scenario.loader import build, loads

    with time_limit():
        try:
            if isinstance(doc_or_text, (str, bytes)):
                s = loads(doc_or_text, file=FILE)
            else:
                s = build(doc_or_text, file=FILE)
        except ScenarioError as exc:
            assert_clear_message(exc)
            return "rejected"
        try:
            assert_finite_run(s, paths)
        except TaaksimError as exc:  # values valid alone, impossible together for some draws
            assert_clear_message(exc)
            return "refused"
    return "ran"


# --- rich valid documents --------------------------------------------------------------------

finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def ordered(draw, n, low, high):
    xs = sorted(draw(st.lists(st.floats(low, high, **finite), min_size=n, max_size=n)))
    return xs


@st.composite
def distribution(draw, low, high):
    kind = draw(st.sampled_from(["pert", "triangular", "uniform", "fixed", "beta", "discrete", "normal"]))
    if kind == "pert":
        return {"pert": draw(ordered(3, low, high))}
    if kind == "triangular":
        return {"triangular": draw(ordered(3, low, high))}
    if kind == "uniform":
        return {"uniform": draw(ordered(2, low, high))}
    if kind == "fixed":
        return {"fixed": draw(st.floats(low, high, **finite))}
    if kind == "beta":
        return {"beta": [draw(st.floats(0.5, 5)), draw(st.floats(0.5, 5))],
                "range": draw(ordered(2, low, high))}
    if kind == "normal":  # an sd small enough that 7 sd stay inside [low, high]
        mid = 0.5 * (low + high)
        return {"normal": [mid, (high - low) / 20]}
    values = draw(st.lists(st.floats(low, high, **finite), min_size=1, max_size=4, unique=True))
    w = draw(st.lists(st.integers(1, 5), min_size=len(values), max_size=len(values)))
    return {"discrete": {"values": values, "probabilities": [x / sum(w) for x in w]}}


@st.composite
def rich_doc(draw, max_posts=4, max_measures=5):
    """A valid document using most of the format: parameters referring to each other,
    expressions, stock posts, cost groups, municipalities, targets, budgets, correlations."""
    base_year = draw(st.integers(2019, 2024))
    n_years = draw(st.integers(1, 4))
    first = base_year + draw(st.integers(1, 2))
    years = list(range(first, first + n_years))
    doc = {"scenario": {"name": "fuzz", "base_year": base_year, "years": years}}
    # parameters: each may read the ones before it (never a cycle)
    params = {}
    for i in range(draw(st.integers(0, 3))):
        name = f"q{i}"
        if params and draw(st.booleans()):
            other = draw(st.sampled_from(sorted(params)))
            params[name] = {"value": f"{other} * {draw(st.floats(0.5, 2.0, **finite))!r} + 1", "source": SRC}
        elif draw(st.booleans()):
            params[name] = {**draw(distribution(1.0, 100.0)), "source": SRC}
        else:
            params[name] = {"value": draw(st.floats(1.0, 100.0, **finite)), "source": SRC}
    if params:
        doc["parameters"] = params
    posts = []
    for i in range(draw(st.integers(1, max_posts))):
        p = {"id": f"p{i}", "law": draw(st.sampled_from(["wmo", "jeugdwet", "other"])),
             "base": draw(st.floats(1e4, 5e7, **finite)), "source": SRC}
        if draw(st.booleans()):
            p["growth"] = draw(distribution(-0.02, 0.06))
        if draw(st.booleans()):
            p["price_growth"] = draw(st.floats(0.0, 0.04, **finite))
        if draw(st.booleans()):
            p["combine"] = "additive"
        if draw(st.integers(0, 3)) == 0:
            p["clients"] = draw(st.floats(10, 5000, **finite))
            p["stock"] = {"duration": draw(st.floats(0.5, 5, **finite))}
        posts.append(p)
    doc["post"] = posts
    stock_ids = [p["id"] for p in posts if "stock" in p]
    ids = [p["id"] for p in posts]
    munis = []
    if draw(st.booleans()):
        shares = draw(st.lists(st.floats(0.05, 0.3, **finite), min_size=1, max_size=3))
        munis = [{"id": f"g{i}", "share": s, "source": SRC} for i, s in enumerate(shares)]
        doc["municipality"] = munis
    groups = []
    if draw(st.booleans()):
        groups = [{"id": "grp", "costs": {str(years[0]): draw(st.floats(0, 1e5, **finite))}, "source": SRC}]
        doc["cost_group"] = groups
    measures = []
    for j in range(draw(st.integers(0, max_measures))):
        m = {"id": f"m{j}", "post": draw(st.sampled_from(ids)), "source": SRC}
        kind = draw(st.sampled_from(["fraction", "amount", "dist", "expr", "lever", "none"]))
        if kind == "fraction":
            m["effect"] = {"fraction": draw(st.floats(-0.2, 0.8, **finite))}
        elif kind == "amount":
            m["effect"] = {"amount": draw(st.floats(0, 2e6, **finite))}
        elif kind == "dist":
            m["effect"] = {"fraction": draw(distribution(0.0, 0.5))}
        elif kind == "expr" and params:
            m["effect"] = {"amount": f"{draw(st.sampled_from(sorted(params)))} * 1000"}
        elif kind == "lever" and stock_ids:
            m["post"] = draw(st.sampled_from(stock_ids))
            m["effect"] = {"fraction": draw(st.floats(0, 0.5, **finite)),
                           "lever": draw(st.sampled_from(["cost", "inflow", "duration", "price"])),
                           "reach": draw(st.sampled_from(["all", "new"]))}
            if m["effect"]["reach"] == "new" and m["effect"]["lever"] in ("inflow", "duration"):
                m["effect"]["reach"] = "all"
        if "effect" not in m or draw(st.booleans()):
            m["costs"] = draw(st.one_of(st.floats(0, 5e5, **finite),
                                        st.just({str(years[-1]): 1000.0})))
        if draw(st.booleans()):
            m["go_ahead"] = draw(st.floats(0, 1, **finite))
        if draw(st.booleans()):
            m["delay"] = draw(st.one_of(
                st.builds(lambda p, y: {"p": p, "years": y}, st.floats(0, 1, **finite),
                          st.sampled_from([0.5, 1, 2])),
                st.just({"discrete": {"values": [0, 1], "probabilities": [0.5, 0.5]}})))
        if draw(st.booleans()):
            m["phase_in"] = draw(st.one_of(
                st.just({"turnover": 0.4}),
                st.builds(lambda a: {str(years[0]): a, str(years[-1]): 1.0}, st.floats(0, 1, **finite))))
        if draw(st.booleans()) and "effect" in m:
            m["effect_factor"] = {"pert": [0.6, 1.0, 1.1]}
        if groups and draw(st.booleans()):
            m["cost_group"] = "grp"
        if munis and draw(st.booleans()):
            m["municipalities"] = [munis[0]["id"]]
        if draw(st.integers(0, 4)) == 0 and "effect" in m:
            m["substitution"] = {"share": 0.2, "post": draw(st.sampled_from(ids))}
        if draw(st.integers(0, 4)) == 0:
            m["committed_costs"] = {str(years[0]): 5000.0}
        measures.append(m)
    if measures:
        doc["measure"] = measures
    simulated = "nominal" if any("price_growth" in p for p in doc["post"]) else base_year
    doc["prices"] = {"simulated": simulated, "indexation": draw(st.floats(0.0, 0.04, **finite)), "source": SRC}

    def level():
        return draw(st.sampled_from(["nominal", base_year, years[-1]]))

    if draw(st.booleans()):
        basis = draw(st.sampled_from(["counterfactual", "base_year", "budget"]))
        extra = ({"base_year": base_year} if basis == "base_year" else
                 {"budget": {str(y): draw(st.floats(1e5, 1e8, **finite)) for y in years},
                  "taakstelling_in_budget": draw(st.booleans())} if basis == "budget" else {})
        doc["target"] = [{"scope": draw(st.sampled_from(["all", [ids[0]]])),
                          "amounts": {str(y): draw(st.floats(0, 5e6, **finite)) for y in years},
                          "basis": basis, "price_level": level(), "source": SRC, **extra}]
        if munis:
            doc["target"].append({"id": "t-g0", "municipality": munis[0]["id"], "basis": "counterfactual",
                                  "price_level": level(), "amounts": {str(years[-1]): 1e5}, "source": SRC})
    if draw(st.booleans()):
        doc["budget"] = [{"scope": "all", "amounts": {str(years[-1]): draw(st.floats(1e5, 1e8, **finite))},
                          "basis": "budget", "price_level": level(), "source": SRC}]
    random_params = [k for k, v in params.items() if "value" not in v and "fixed" not in v]
    if len(random_params) >= 2 and draw(st.booleans()):
        doc["correlation"] = [{"between": random_params[:2], "rank": draw(st.floats(-0.9, 0.9, **finite)),
                               "reason": SRC}]
    if draw(st.booleans()):
        doc["defaults"] = {"go_ahead": 0.9, "delay": {"p": 0.2, "years": 1}, "reason": SRC}
    return doc


# --- hostile values and mutations ------------------------------------------------------------

HOSTILE_EXPRESSIONS = [
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.real", "open('/etc/passwd').read()", "eval('1+1')", "exec('x=1')",
    "[i for i in range(10**9)]", "{i: i for i in range(3)}", "(i for i in [1])",
    "lambda: 1", "lambda x: x", "x if y else z", "x[0]", "f'{x}'", "'text'", "b'bytes'",
    "9**9**9", "2**1000", "10**20", "(10**15)**64", "1e309", "1" + "e400",
    "1/0", "0/0", "log(-1)", "log(0)", "sqrt(-1)", "exp(1000)", "exp(exp(exp(10)))",
    "(" * 150 + "1" + ")" * 150, "-" * 500 + "1", "1" + "+1" * 600, "x" * 3000,
    "min(1)", "clip(1, 2)", "abs(1, 2)", "max(*[1, 2])", "min(x=1, y=2)", "year ** year",
    "a := 1", "not 1", "1 < 2", "1 and 2", "1 if 1 else 2", "~1", "1 << 64", "1 % 0", "1 // 0",
    "", "   ", "\x00", "1\n+1", "import os", "1; 2", "@", "None", "True", "...",
    "children * saving_per_child", "undefined_name * 2",
    "q0 ** q0", "2 ** q0", "1 / (q0 - q0)", "log(q0 - 1000)", "q0 ** -q0", "exp(q0 * q1)", "sqrt(-q0)",
]

HOSTILE_SCALARS = [
    math.nan, math.inf, -math.inf, 1e308, -1e308, 1e16, -1.0, -1e12, 0, 0.0, 1.5, 2, -0.5,
    10**30, -(10**30), 2**63, True, False, "", " ", "x", "0.5", "2025", "wmo", "all",
    "assumption", "assumption:", "\x00", "é" * 300, "a" * 20_000, [], [1], [1, 2, 3], [3, 2, 1],
    ["a", "b"], [[1]], {}, {"p": 2.0}, {"pert": [3, 2, 1]}, {"pert": [0.1, 0.2]},
    {"p": -0.1}, {"p": math.nan}, {"normal": [0, math.inf]}, {"lognormal": {"ci90": [-1, 1]}},
    {"beta": [0, 0]}, {"discrete": {"values": [1], "probabilities": [2]}},
    {"uniform": [1e15, 1e16]}, {"pert": [0, 1, 2], "per_year": "yes"}, {"fixed": 1, "pert": [1, 2, 3]},
    {"2025": 1}, {"1989": 1}, {"2101": 1}, {"²": 1}, {"٢٠٢٥": 1}, {"2025.0": 1}, {"-2025": 1},
    {"turnover": 2.0}, {"a": {"b": {"c": {}}}},
    # issue 12: integers beyond float range, keys and ids in disguise
    10**400, -(10**400), {"pert": [0, 1, 10**400]}, {"2025": 10**309}, {"\n2025": 1}, {"2025 ": 1},
    "m\n", "p\u202e", "\u0440", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "\x1b[2J",
]

# --- issue 12: generators for the classes of hostile input of round two ----------------------

#: ways a key or id can look like another one: white space, control characters, bidi
#: overrides, zero-width characters and look-alike letters from other scripts
DISGUISES = [" ", "\n", "\t", "\r", "\u00a0", "\x00", "\x1b[31m", "\u202e", "\u2066", "\u200b", "\ufeff"]
LOOKALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445",
              "0": "\u041e", "1": "\u0406", "2": "\u01bb"}

#: scenario text that is data in one place and code in another: spreadsheet formulas,
#: HTML, Markdown links, terminal escapes, bidi overrides
INJECTIONS = ["=HYPERLINK(\"http://x\", \"klik\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)",
              "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[klik](javascript:alert(1))",
              "![x](http://x/y.png)", "a | b", "`code`", "&lt;", "\x1b]8;;http://x\x07klik\x1b]8;;\x07",
              "\x1b[2J\x1b[H", "abc\u202edcba", "\u2066x\u2069", "\r\rover", "a\x00b"]


@st.composite
def disguised(draw, text: str) -> str:
    """``text`` (an id or a year key) with one disguise: something invisible before, inside
    or after it, or one letter swapped for a look-alike from another script."""
    if draw(st.booleans()) and any(c in LOOKALIKES for c in text):
        i = draw(st.sampled_from([i for i, c in enumerate(text) if c in LOOKALIKES]))
        return text[:i] + LOOKALIKES[text[i]] + text[i + 1:]
    d = draw(st.sampled_from(DISGUISES))
    i = draw(st.sampled_from([0, len(text), draw(st.integers(0, len(text)))]))
    return text[:i] + d + text[i:]


def _leaves_domain(value: float, years: list[int]) -> str:
    """An expression equal to ``value`` in the first year that drifts out of any domain."""
    return f"{value!r} + {10 ** (len(years) % 4)!r} * (year - {years[0]}) * (year - {years[0]})"


@st.composite
def round_two(draw, base: dict):
    """``base`` with one edit of a class issue 12 found: an integer beyond float range, a
    disguised id or year key, an expression leaving its domain, or injection text."""
    doc = copy.deepcopy(base)
    kind = draw(st.sampled_from(["huge_int", "disguise_id", "disguise_year", "domain", "injection"]))
    locs = locations(doc)
    if kind == "huge_int":
        numbers = [(p, v) for p, v in locs if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if numbers:
            path, _ = draw(st.sampled_from(numbers))
            _parent(doc, path)[path[-1]] = draw(st.sampled_from([10**309, -(10**309), 10**400, 2**1100]))
    elif kind == "disguise_id":
        ids = [(p, v) for p, v in locs if p[-1] in ("id", "post", "municipality", "cost_group") and isinstance(v, str)]
        if ids:
            path, v = draw(st.sampled_from(ids))
            _parent(doc, path)[path[-1]] = draw(disguised(v))
    elif kind == "disguise_year":
        tables = [(p, v) for p, v in locs if isinstance(v, dict) and v and all(str(k).isdigit() for k in v)]
        if tables:
            path, v = draw(st.sampled_from(tables))
            k = draw(st.sampled_from(sorted(v)))
            moved = {(draw(disguised(k)) if kk == k else kk): x for kk, x in v.items()}
            if draw(st.booleans()):  # keep the plain key too: two keys that read as one
                moved[k] = v[k]
            _parent(doc, path)[path[-1]] = moved
    elif kind == "domain":
        keys = ("growth", "volume_growth", "price_growth", "outflow_rate", "inflow", "turnover", "share")
        spots = [(p, v) for p, v in locs if p[-1] in keys and isinstance(v, (int, float)) and not isinstance(v, bool)]
        years = doc.get("scenario", {}).get("years") or [2025]
        if spots and isinstance(years, list) and all(isinstance(y, int) for y in years):
            path, v = draw(st.sampled_from(spots))
            _parent(doc, path)[path[-1]] = _leaves_domain(float(v) * draw(st.sampled_from([1, -1])), years)
    else:
        texts = [(p, v) for p, v in locs if p[-1] in ("name", "label", "region", "description")
                 and isinstance(v, str)]
        if texts:
            path, v = draw(st.sampled_from(texts))
            _parent(doc, path)[path[-1]] = draw(st.sampled_from(INJECTIONS)) + draw(st.sampled_from(["", v]))
    return doc


@st.composite
def oversized(draw):
    """A document over a size limit: many posts times many measures on a scope of all of them."""
    n_posts = draw(st.integers(50, 120))
    n_measures = draw(st.integers(2_001 // n_posts + 1, 80))
    return {"scenario": {"name": "big", "base_year": 2024, "years": [2025, 2026]},
            "post": [{"id": f"p{i}", "law": "wmo", "base": 1e6, "source": SRC} for i in range(n_posts)],
            "measure": [{"id": f"m{j}", "effect": {"scope": "all", "fraction": 0.001}, "source": SRC}
                        for j in range(n_measures)]}


#: values for a number option of the command line, as a user could type them
OPTION_VALUES = ["nan", "NaN", "inf", "-inf", "+inf", "infinity", "1e400", "-1e400", "1e-400", "0x10", "1_000",
                 " 1", "", "-0", "0", "1e308", "9" * 400, "0.5", "1", "2", "10", "100", "1e6"]

#: (command, option) pairs that take a number
NUMBER_OPTIONS = [("run", "--weerstandscapaciteit"), ("run", "--precision"), ("run", "--paths"),
                  ("run", "--seed"), ("run", "--year"), ("run", "--threads"), ("run", "--max-paths"),
                  ("report", "--weerstandscapaciteit"), ("report", "--aux-paths"), ("report", "--paths"),
                  ("compare", "--paths"), ("compare", "--year")]


@st.composite
def number_option(draw):
    command, option = draw(st.sampled_from(NUMBER_OPTIONS))
    value = draw(st.one_of(st.sampled_from(OPTION_VALUES),
                           st.floats(allow_nan=True, allow_infinity=True).map(repr),
                           st.integers(-(10**30), 10**30).map(str)))
    return command, option, value


#: faults a write can meet: errno of an OSError, or an interrupt
FAULTS = [28, 13, 5, 30, "interrupt"]
#: the filesystem calls of a write, each of which may fail
FAULT_POINTS = ["write_bytes", "replace", "mkdir", "mkdtemp"]


@st.composite
def write_fault(draw):
    """Where a write fails (which call, at its n-th use) and how."""
    return draw(st.sampled_from(FAULT_POINTS)), draw(st.integers(1, 4)), draw(st.sampled_from(FAULTS))


def locations(doc, path=()):
    """Every (path, value) in a nested document, the root excluded."""
    out = []
    if isinstance(doc, dict):
        items = doc.items()
    elif isinstance(doc, list):
        items = enumerate(doc)
    else:
        return out
    for k, v in items:
        out.append((path + (k,), v))
        out.extend(locations(v, path + (k,)))
    return out


def _parent(doc, path):
    for k in path[:-1]:
        doc = doc[k]
    return doc


MUTATIONS = ["delete", "replace", "hostile_expression", "unknown_key", "duplicate", "empty",
             "negate", "reverse", "swap_type", "cycle", "rename_reference", "shift_years"]


@st.composite
def mutated(draw, base: dict, max_mutations: int = 3):
    """``base`` with one to ``max_mutations`` hostile edits, each at a drawn place."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(MUTATIONS))
        locs = locations(doc)
        if not locs:
            break
        path, value = draw(st.sampled_from(locs))
        parent = _parent(doc, path)
        key = path[-1]
        if kind == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif kind == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE_SCALARS)))
        elif kind == "hostile_expression":
            parent[key] = draw(st.sampled_from(HOSTILE_EXPRESSIONS))
        elif kind == "unknown_key":
            target = value if isinstance(value, dict) else parent
            if isinstance(target, dict):
                target[draw(st.sampled_from(["colour", "Source", "posts", "measure", "p", "value"]))] = 1
        elif kind == "duplicate":
            if isinstance(value, list) and value:
                value.append(copy.deepcopy(value[draw(st.integers(0, len(value) - 1))]))
            elif isinstance(parent, list):
                parent.append(copy.deepcopy(value))
        elif kind == "empty":
            parent[key] = type(value)() if isinstance(value, (list, dict, str)) else 0
        elif kind == "negate":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                parent[key] = -value if value else -1
        elif kind == "reverse":
            if isinstance(value, list):
                value.reverse()
        elif kind == "swap_type":
            parent[key] = ([value] if not isinstance(value, list) else {"x": value})
        elif kind == "cycle":
            params = doc.setdefault("parameters", {}) if isinstance(doc, dict) else {}
            if isinstance(params, dict):
                params["cyc_a"] = {"value": "cyc_b + 1", "source": SRC}
                params["cyc_b"] = {"value": draw(st.sampled_from(["cyc_a * 2", "cyc_b", "cyc_a"])),
                                   "source": SRC}
        elif kind == "rename_reference":
            if isinstance(value, str):
                parent[key] = value + draw(st.sampled_from(["-x", "X", " ", "\u00a0"]))
        elif kind == "shift_years":
            if isinstance(value, dict):
                moved = {}
                delta = draw(st.sampled_from([-30, -1, 1, 50, 200]))
                for k, v in value.items():
                    nk = str(int(k) + delta) if str(k).isdecimal() and str(k).isascii() else k
                    moved[nk] = v
                parent[key] = moved
            elif isinstance(value, int) and not isinstance(value, bool):
                parent[key] = value + draw(st.sampled_from([-100, -1, 1, 100, 10**6]))
    return doc


@st.composite
def mutated_text(draw, text: str):
    """Line- and byte-level edits of a scenario file's text."""
    lines = text.splitlines(keepends=True)
    raw = None
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop_line", "dup_line", "swap_lines", "truncate", "bytes",
                                     "bom", "crlf", "replace_char"]))
        if raw is not None:
            break
        if kind == "drop_line" and lines:
            lines.pop(draw(st.integers(0, len(lines) - 1)))
        elif kind == "dup_line" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
        elif kind == "swap_lines" and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 2))
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif kind == "truncate":
            joined = "".join(lines)
            lines = [joined[: draw(st.integers(0, len(joined)))]]
        elif kind == "bytes":
            b = "".join(lines).encode("utf-8")
            i = draw(st.integers(0, len(b)))
            raw = b[:i] + draw(st.binary(min_size=1, max_size=8)) + b[i:]
        elif kind == "bom":
            lines.insert(0, "\ufeff")
        elif kind == "crlf":
            lines = [x.replace("\n", "\r\n") for x in lines]
        elif kind == "replace_char" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            line = lines[i]
            if line:
                j = draw(st.integers(0, len(line) - 1))
                lines[i] = line[:j] + draw(st.sampled_from(list("=[]{}\"',.-0 #x\\"))) + line[j + 1:]
    return raw if raw is not None else "".join(lines)
