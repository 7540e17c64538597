"""The compiled kernel against the numpy engine (the oracle): same draws, same results.

Every comparison runs the same scenario, seed and block through both engines: the kernel's
uniforms come from the same SFC64 streams, its arithmetic repeats numpy's operation by
operation, so results agree to rounding (1e-9 relative; in practice bit for bit except
where a transcendental function differs in the last bit).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.core.compiled import runner
from simulator.core.compiled.program import Options, Unsupported
from simulator.core.compiled.translate import translate
from simulator.core.engine import scopes_of, simulate_block
from simulator.core.options import RunOptions
from simulator.errors import TaaksimError
from simulator.results.summary import Summary
from simulator.scenario.loader import build, load
from simulator.scenario.model import scope_label

from .fuzz import rich_doc
from .strategies import SRC, money, pert, scenario_doc

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
RTOL = 1e-9


def _kernel_block(scenario, n, *, seed, block, **options):
    prog = runner.program_for(scenario, **options)
    assert prog is not None
    out = runner.run_program(prog, n, seed=seed, block=block)
    assert out is not None
    return prog, out


def _assert_agree(scenario, n=3000, *, seed=7, block=1, exact=False, **options):
    """Every scope's net and baseline and the totals of one block, kernel against numpy.

    ``exact``: bit for bit (no transcendental function whose last bit numpy and LLVM may round
    differently lies on the way). Returns the number of values compared.
    """
    prog, out = _kernel_block(scenario, n, seed=seed, block=block, **options)
    ref = simulate_block(scenario, n, seed=seed, block=block, options=RunOptions(**options))
    labels = [scope_label(s) for s in scopes_of(scenario)]
    expected = {**{f"net:{x}": ref.scope_net[i] for i, x in enumerate(labels)},
                **{f"baseline:{x}": ref.scope_baseline[i] for i, x in enumerate(labels)},
                "gross": ref.gross, "costs": ref.costs, "baseline": ref.baseline, "price_index": ref.price_index}
    for slot, what in enumerate(prog.outputs):
        want = expected[what]
        scale = max(float(np.abs(want).max()), 1.0)
        err = float(np.abs(out[slot] - want).max()) / scale
        assert err <= RTOL, f"{scenario.file} > {what}: relative difference {err:.2e}"
        if exact:
            assert np.array_equal(out[slot], np.broadcast_to(want, out[slot].shape)), f"{scenario.file} > {what}"
    return out.size


#: bundled scenarios whose every operation is exact arithmetic (Huizen raises a drawn number to
#: a power: numpy's pow and LLVM's may differ in the last bit)
EXACT = {"gooi-en-vechtstreek-2021", "meerinzicht-2026", "renkum-2025", "rotterdam-2024"}


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_scenario_runs_on_the_kernel_and_agrees_with_numpy(path):
    """Every bundled scenario, with its delayed fractions (euros move), shared decisions and
    components, translates and gives numpy's numbers path by path."""
    s = load(path)
    translate(s, Options())
    assert runner.program_for(s) is not None
    _assert_agree(s, exact=path.stem in EXACT)


def _analysis_options(s):
    """The options the analysis runs a scenario under: a variant's overrides, a package of
    measures (every other one, one alone), a later start for all, no growth."""
    inp = s.inputs[0]
    return [{"overrides": {inp.key: float(inp.distribution.point)}},
            {"active": frozenset(m.id for m in s.measures[::2])},
            {"active": frozenset({s.measures[-1].id})},
            {"active": frozenset()},
            {"extra_delay": 1.0}, {"extra_delay": 0.5},
            {"no_growth": True}]


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_scenario_agrees_under_the_analysis_options(path):
    s = load(path)
    for options in _analysis_options(s):
        assert runner.program_for(s, **options) is not None, options
        _assert_agree(s, 1000, exact=path.stem in EXACT, **options)


def test_run_options_agree():
    _assert_agree(load(ROOT / "scenarios" / "rotterdam-2024.toml"), 1500, no_growth=True)


@pytest.mark.parametrize("extra_delay", [1.0, 0.5])
def test_delayed_fractions_move_their_euros_on_the_kernel_too(extra_delay):
    """A delay on a fraction of a cost moves its planned euros (issue 14's rule): the kernel's
    baseline-weighted shift gives numpy's numbers bit for bit."""
    s = load(ROOT / "scenarios" / "renkum-2025.toml")
    translate(s, Options())
    assert runner.program_for(s, extra_delay=extra_delay) is not None
    _assert_agree(s, 2000, exact=True, extra_delay=extra_delay)


def test_a_subset_of_measures_and_overrides_agree():
    s = load(ROOT / "scenarios" / "rotterdam-2024.toml")
    _assert_agree(s, 1500, active=frozenset(m.id for m in s.measures[::2]))
    _assert_agree(s, 1500, active=frozenset({s.measures[0].id}))
    key = s.inputs[0].key
    _assert_agree(s, 1500, overrides={key: float(s.inputs[0].distribution.point)})


def test_a_block_split_into_chunks_is_the_prefix_of_a_longer_one():
    """A block's first n paths do not depend on how many follow (as with numpy's streams)."""
    s = load(ROOT / "scenarios" / "renkum-2025.toml")
    _, short = _kernel_block(s, 1000, seed=3, block=0)
    _, long = _kernel_block(s, 5000, seed=3, block=0)
    assert np.array_equal(short, long[:, :, :1000])


def test_the_kernel_draws_numpys_uniforms():
    from simulator.core.compiled import machine
    from simulator.core.sampling import stream

    prog = translate(load(ROOT / "scenarios" / "huizen-2022.toml"), Options())
    states = runner.stream_states(prog, 11, 2)
    key, year = prog.streams[0]
    got = np.empty(10_000)
    machine.sfc64_fill(states, 0, got, 10_000)
    assert np.array_equal(got, stream(11, 2, key, year).random(10_000))


@pytest.mark.parametrize("seed", [0, 1, 2**31 + 7, 2**40 + 5, 2**70 + 3])
def test_stream_seeding_is_numpys(seed):
    keys = [(block, 123456789, 4_000_000_000, year) for block in (0, 1, 152) for year in range(7)]
    want = np.array([np.random.SFC64(np.random.SeedSequence(seed, spawn_key=k)).state["state"]["state"]
                     for k in keys], dtype=np.uint64)
    assert np.array_equal(runner.seeded_sfc64(seed, keys), want)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**64), st.integers(0, 6), st.data())
def test_compiled_seeding_is_numpys_for_any_seed_and_key(seed, width, data):
    """The compiled SeedSequence + SFC64 seeding (core/compiled/seeding.py) against numpy's own,
    for seeds of one to three words and spawn keys of any length (words of any size)."""
    word = st.integers(0, 2**32 - 1)
    keys = [tuple(data.draw(st.lists(word, min_size=width, max_size=width))) for _ in range(3)]
    want = np.array([np.random.SFC64(np.random.SeedSequence(seed, spawn_key=k)).state["state"]["state"]
                     for k in keys], dtype=np.uint64)
    assert np.array_equal(runner.seeded_sfc64(seed, keys), want)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_doc())
def test_generated_scenarios_agree(doc):
    _assert_agree(build(doc, file="<generated>"), 400, seed=1, block=0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_doc())
def test_rich_generated_scenarios_agree_or_fall_back(doc):
    """Rich documents (expressions, cost groups, municipalities, correlations, stock posts):
    the kernel agrees, or says it does not run them (then the numpy engine does)."""
    try:
        scenario = build(doc, file="<generated>")
    except TaaksimError:
        return
    try:
        translate(scenario, Options())
    except Unsupported:
        return
    try:
        simulate_block(scenario, 200, seed=1, block=0)
    except TaaksimError:  # the numpy engine refuses this draw: the kernel must not answer
        prog = runner.program_for(scenario)
        assert prog is not None
        assert runner.run_program(prog, 200, seed=1, block=0) is None
        return
    _assert_agree(scenario, 200, seed=1, block=0)


@st.composite
def _delay(draw):
    """A delay as a scenario writes it: fixed years, a chance of some years, or a discrete law."""
    kind = draw(st.sampled_from(["fixed", "mixture", "discrete"]))
    if kind == "fixed":
        return draw(st.sampled_from([0.5, 1, 1.25, 2]))
    if kind == "mixture":
        return {"p": draw(st.floats(0.05, 1)), "years": draw(st.sampled_from([0.5, 1, 1.5, 3]))}
    return {"discrete": {"values": [0, 0.25, 1, 2.5], "probabilities": [0.4, 0.3, 0.2, 0.1]}}


@st.composite
def _effect(draw, post_ids):
    post = draw(st.sampled_from(post_ids))
    if draw(st.booleans()):
        return {"post": post, "fraction": draw(st.one_of(st.floats(-0.1, 0.6), pert(0.0, 0.5)))}
    return {"post": post, "amount": draw(st.floats(0, 3_000_000))}


@st.composite
def decided_doc(draw):
    """Documents with measures as decided (issue 14): delays on fractions of a cost and on
    costs, shared decisions, require/replace/exclude, components and paid_by, over growing
    posts (so a delay's euros differ from its share)."""
    n_posts = draw(st.integers(1, 3))
    posts = []
    for i in range(n_posts):
        p = {"id": f"p{i}", "law": draw(st.sampled_from(["wmo", "jeugdwet"])), "base": draw(money), "source": SRC}
        if draw(st.booleans()):
            p["growth"] = draw(st.one_of(st.floats(-0.03, 0.12), pert(-0.02, 0.08)))
        if draw(st.booleans()):
            p["combine"] = "additive"
        posts.append(p)
    ids = [p["id"] for p in posts]
    munis = draw(st.booleans())
    decisions = []
    for k in range(draw(st.integers(0, 2))):
        d = {"id": f"d{k}", "source": SRC}
        if draw(st.booleans()):
            d["go_ahead"] = {"p": draw(st.floats(0.05, 0.95))}
        if draw(st.booleans()) or "go_ahead" not in d:
            d["delay"] = draw(_delay())
        decisions.append(d)
    measures = []
    for j in range(draw(st.integers(1, 5))):
        m = {"id": f"m{j}", "post": draw(st.sampled_from(ids)), "source": SRC}
        if draw(st.integers(0, 3)) == 0:
            m["component"] = [{"id": f"c{c}", "effect": draw(_effect(ids)), "source": SRC,
                               **({"go_ahead": draw(st.floats(0.1, 0.95))} if draw(st.booleans()) else {}),
                               **({"delay": draw(_delay())} if draw(st.booleans()) else {}),
                               **({"effect_factor": {"pert": [0.6, 0.9, 1.1]}} if draw(st.booleans()) else {}),
                               **({"phase_in": {"2026": 0.5, "2027": 1.0}} if draw(st.booleans()) else {})}
                              for c in range(draw(st.integers(1, 2)))]
        else:
            effects = [draw(_effect(ids)) for _ in range(draw(st.integers(1, 2)))]
            m["effect"] = effects if len(effects) > 1 else effects[0]
        if draw(st.booleans()):
            m["go_ahead"] = draw(st.floats(0.05, 0.95))
        if draw(st.booleans()):
            m["delay"] = draw(_delay())
        if draw(st.booleans()):
            m["costs"] = draw(st.floats(0, 500_000))
            m["delay_shifts_costs"] = draw(st.booleans())
        if draw(st.booleans()):
            m["effect_factor"] = {"pert": [0.7, 1.0, 1.2]}
        if draw(st.booleans()):
            m["phase_in"] = {"2025": draw(st.floats(0, 1)), "2026": 1.0}
        if decisions and draw(st.booleans()):
            m["decision"] = draw(st.sampled_from([d["id"] for d in decisions]))
        earlier = [f"m{i}" for i in range(j)]
        if earlier or decisions:
            how = draw(st.sampled_from(["", "require", "replace", "exclude"]))
            if how == "require":
                m["require"] = draw(st.sampled_from(earlier + [d["id"] for d in decisions]))
            elif how in ("replace", "exclude") and earlier:
                m[how] = draw(st.sampled_from(earlier))
        payers = ["outside", "fund:regio", "law:wmo", "law:jeugdwet", *(f"post:{x}" for x in ids),
                  *(["municipality:g1"] if munis else [])]
        if draw(st.booleans()):
            m["paid_by"] = draw(st.sampled_from(payers))
        measures.append(m)
    doc = {"scenario": {"name": "decided", "base_year": 2024, "years": [2025, 2026, 2027, 2028]},
           "post": posts, "measure": measures}
    if decisions:
        doc["decision"] = decisions
    if munis:
        doc["municipality"] = [{"id": "g1", "share": 0.35, "source": SRC}, {"id": "g2", "share": 0.65, "source": SRC}]
    return doc


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decided_doc(), st.sampled_from([{}, {"extra_delay": 0.5}, {"no_growth": True}, {"drop": True}]))
def test_generated_decided_scenarios_agree(doc, options):
    """Delays that move euros, decisions, relations, components and payers: the kernel runs
    them (no fall-back) and gives numpy's numbers, also for a package without one measure."""
    try:
        scenario = build(doc, file="<generated>")
    except TaaksimError:  # a contradiction or a cycle the loader refuses
        return
    if options.pop("drop", False):
        options = {"active": frozenset(m.id for m in scenario.measures[1:])}
    translate(scenario, Options())
    assert runner.program_for(scenario, **options) is not None
    _assert_agree(scenario, 300, seed=2, block=0, exact=True, **options)


def _summary(scenario, paths, engine, monkeypatch, **options):
    from simulator.run.streaming import run_stream

    monkeypatch.setenv("TAAKSIM_ENGINE", engine)
    return json.dumps(Summary.from_merged(run_stream(scenario, paths, seed=5, **options)).to_json())


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_streamed_summaries_are_identical_on_both_engines_and_any_threads(path, monkeypatch):
    s = load(path)
    paths = 70_000  # two blocks, the second one short
    ran = []
    kernel = runner.run_program

    def counted(prog, n, **kw):
        out = kernel(prog, n, **kw)
        ran.append(out is not None)
        return out

    monkeypatch.setattr(runner, "run_program", counted)
    numpy_one = _summary(s, paths, "numpy", monkeypatch, threads=1)
    assert not ran
    assert _summary(s, paths, "numba", monkeypatch, threads=1) == numpy_one
    assert _summary(s, paths, "numba", monkeypatch, threads=2) == numpy_one
    assert ran == [True] * 4  # both blocks twice, on the kernel: no block fell back to numpy


def test_dask_gives_the_same_summary(monkeypatch):
    pytest.importorskip("dask.distributed")
    s = load(ROOT / "scenarios" / "huizen-2022.toml")
    one = _summary(s, 70_000, "numba", monkeypatch, threads=1)
    assert _summary(s, 70_000, "numba", monkeypatch, scheduler="dask") == one


def broken_scenario(minimal_path):
    """The minimal scenario with a quantity fine at the plan value (children = 100) and beyond
    1e15 EUR for draws above about 101.5 (skips the test if the loader already refuses it)."""
    import tomllib

    doc = tomllib.loads(minimal_path.read_text())
    doc["parameters"]["broken"] = {"value": "1e14 ** ((children - 100) / 10)", "source": "assumption: test"}
    doc["measure"][0]["effect"] = {"amount": "children * per_child + 0 * broken"}
    try:
        return build(doc, file="broken.toml")
    except TaaksimError:
        pytest.skip("the loader already refuses this document")


def test_a_failing_check_sends_the_block_to_numpy_and_its_message(minimal_path, monkeypatch):
    """A quantity that is not finite for some draws: the kernel does not answer; the numpy
    engine raises the message that names the file and the quantity."""
    scenario = broken_scenario(minimal_path)
    prog = runner.program_for(scenario)
    assert prog is not None and runner.run_program(prog, 100, seed=1, block=0) is None
    from simulator.run.streaming import run_stream

    monkeypatch.setenv("TAAKSIM_ENGINE", "numba")
    with pytest.raises(TaaksimError, match="broken.toml"):
        run_stream(scenario, 100, seed=1, threads=1)


def test_engine_choice(monkeypatch):
    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")
    assert not runner.use_kernel(10**7)
    monkeypatch.setenv("TAAKSIM_ENGINE", "numba")
    assert runner.use_kernel(10)
    monkeypatch.delenv("TAAKSIM_ENGINE")
    assert not runner.use_kernel(10_000) and runner.use_kernel(1_000_000)


def test_expressions_become_instructions_not_code():
    """No expression text reaches Python's compiler: the translation holds only numbers."""
    import inspect
    import re

    from simulator.core.compiled import machine, program

    for module in (program, machine, runner):
        found = re.findall(r"(?<![\w.])(eval|exec|compile)\(", inspect.getsource(module))
        assert not found, (module.__name__, found)
    prog = translate(load(ROOT / "scenarios" / "rotterdam-2024.toml"), Options())
    assert prog.code.dtype == np.int64 and prog.pool.dtype == np.float64


def test_dataset_blocks_from_the_kernel_equal_numpys(monkeypatch):
    from simulator.run.dataset import run_blocks

    s = load(ROOT / "scenarios" / "renkum-2025.toml")
    opts = RunOptions(active=frozenset(m.id for m in s.measures[1:]), extra_delay=0.5)
    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")
    want = run_blocks(s, 2000, seed=4, options=opts)
    monkeypatch.setenv("TAAKSIM_ENGINE", "numba")
    got = run_blocks(s, 2000, seed=4, options=opts)
    for name in ("baseline", "spending", "net", "gross", "costs", "scope_net", "scope_spending", "scope_baseline"):
        a, b = getattr(got[0], name), getattr(want[0], name)
        assert np.abs(a - b).max() <= RTOL * max(float(np.abs(b).max()), 1.0), name


# --- which engine ran: bench and run say it -----------------------------------------------------


@pytest.fixture
def stock_path(tmp_path, minimal_path):
    """The minimal scenario with a stock of clients on its Wmo post (the kernel has no stock posts)."""
    text = minimal_path.read_text().replace('base = 4_000_000\n', 'base = 4_000_000\nclients = 100\n'
                                            'stock = { duration = 2.0 }\n')
    path = tmp_path / "stock.toml"
    path.write_text(text)
    return path


def test_the_engine_that_runs_is_the_one_reported(stock_path, monkeypatch):
    from simulator.run.streaming import engine_used

    stock, gooi = load(stock_path), load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml")
    monkeypatch.setenv("TAAKSIM_ENGINE", "numba")
    assert engine_used(gooi, 1000) == ("numba", None)
    engine, why = engine_used(stock, 1000)
    assert engine == "numpy" and why is not None and "stock posts" in why
    assert engine_used(gooi, 1000, detail=True)[0] == "numpy"
    assert engine_used(gooi, 1000, sampling="sobol")[0] == "numpy"
    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")
    assert engine_used(stock, 10**6) == ("numpy", None)
    monkeypatch.delenv("TAAKSIM_ENGINE")
    assert engine_used(gooi, 1000)[0] == "numpy" and engine_used(gooi, 10**6) == ("numba", None)


def test_bench_and_run_say_when_the_kernel_declines(stock_path, minimal_path, monkeypatch):
    """`bench` prints the engine that ran and why the kernel did not; `run --engine numba`
    says so in one line on stderr (issue 18: the bench printed "numba" while numpy ran)."""
    from click.testing import CliRunner

    from simulator.cli import main

    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")  # --engine numba overrides it; the fixture restores it after
    r = CliRunner().invoke(main, ["--engine", "numba", "bench", str(stock_path), "--paths", "2000", "--threads", "1",
                                  "--lang", "en"])
    assert r.exit_code == 0, r.output
    head = r.stdout.splitlines()
    assert "numpy engine" in head[0] and "stock posts" in head[1]
    r = CliRunner().invoke(main, ["--engine", "numba", "bench", str(minimal_path), "--paths", "2000", "--threads", "1",
                                  "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["engine"] == "numba" and out["engine_note"] is None
    r = CliRunner().invoke(main, ["--engine", "numba", "run", str(stock_path), "--paths", "500", "--lang", "en"])
    assert r.exit_code == 0, r.output
    notes = [x for x in r.stderr.splitlines() if "numpy engine" in x]
    assert len(notes) == 1 and "stock posts" in notes[0]
    r = CliRunner().invoke(main, ["--engine", "numba", "run", str(minimal_path), "--paths", "500", "--lang", "en"])
    assert r.exit_code == 0 and "numpy engine" not in r.stderr


def test_checks_moved_into_their_operations_still_send_the_block_to_numpy():
    """A check the layout moves into the operation that computes its register
    (``layout._fuse_checks``) keeps its limit: with every moved limit below any absolute
    value, the kernel declines the block; as they are, it answers."""
    import dataclasses

    from simulator.core.compiled.program import OP_BIN

    prog = runner.program_for(load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml"))
    assert prog is not None
    fused = prog.code[(prog.code[:, 0] == OP_BIN) & (prog.code[:, 5] >= 0)]
    assert len(fused) > 0
    assert runner.run_program(prog, 300, seed=1, block=0) is not None
    pool = prog.pool.copy()
    pool[fused[:, 5]] = -1.0
    assert runner.run_program(dataclasses.replace(prog, pool=pool), 300, seed=1, block=0) is None


def test_inverse_cdfs_run_table_by_table():
    """The layout runs the inputs of one table one after another (its cells stay cached); the
    numbers are those of the numpy engine all the same (the tests above)."""
    from simulator.core.compiled.program import D_TABLE, OP_ICDF

    prog = runner.program_for(load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml"))
    assert prog is not None
    tables = [int(prog.pool[op[5] + 1]) for op in prog.code
              if op[0] == OP_ICDF and int(prog.pool[op[5]]) == D_TABLE]
    assert len(tables) > len(set(tables)) > 1
    runs = [t for k, t in enumerate(tables) if k == 0 or tables[k - 1] != t]
    assert len(runs) == len(set(runs))  # each table in one run


def test_the_compile_notice_is_about_the_entry_point_that_runs(tmp_path, monkeypatch, capsys):
    """A run of 1,000,000 paths calls only ``machine.run_coded``: the notice asks that entry
    point's cache, not ``run``'s (which such runs never fill: a fresh install said "compiling"
    on every run), and says it once per process."""
    import os
    import types

    from simulator.core.compiled import codegen, machine

    def entry(index):
        return types.SimpleNamespace(signatures=[], _cache=types.SimpleNamespace(
            _cache_file=types.SimpleNamespace(_index_path=str(index))))

    warm = tmp_path / "warm.nbi"
    warm.write_text("")
    os.utime(warm, (os.path.getmtime(machine.__file__) + 10,) * 2)
    monkeypatch.setattr(runner, "_checked", set())
    monkeypatch.setattr(codegen, "_said", set())
    monkeypatch.setattr(machine, "run", entry(tmp_path / "never-filled.nbi"))
    monkeypatch.setattr(machine, "run_coded", entry(warm))
    runner._announce_compile("run_coded")
    assert capsys.readouterr().err == ""  # warm: silent, although run's cache is empty
    runner._announce_compile("run")
    runner._announce_compile("run")
    assert capsys.readouterr().err.count("compiling the simulation kernel") == 1
    monkeypatch.setattr(runner, "_checked", set())
    monkeypatch.setattr(machine, "run_coded", entry(tmp_path / "cold.nbi"))
    runner._announce_compile("run_coded")
    assert capsys.readouterr().err == ""  # one line per process at most
