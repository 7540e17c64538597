"""The model compiled per scenario (simulator.core.compiled.codegen) against the interpreter.

The interpreter is itself compared with the numpy engine in tests/test_kernel.py; here the
machine code must give the interpreter's numbers bit for bit (the same operations in the same
order, no fast-math), on every bundled and generated scenario, over sample chunks and the
remainder of a vector, and decline a block exactly when the interpreter does.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.core.compiled import codegen, runner
from simulator.core.compiled.program import OP_BIN, OP_CHECK
from simulator.errors import TaaksimError
from simulator.results.summary import Summary
from simulator.scenario.loader import build, load

from .helpers import keyword_seen
from .strategies import scenario_doc
from .test_kernel import broken_scenario, decided_doc

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "scenarios").glob("*.toml"))
#: two sample chunks, the second ending in less than a vector (13 = 8 + 5 paths)
PATHS = runner.SAMPLE_CHUNK + 13


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Compiled models go to a folder of this test (a run never reads another test's code)."""
    monkeypatch.setenv("TAAKSIM_CACHE_DIR", str(tmp_path / "cache"))


def _both(prog, n=PATHS, *, seed=3, block=1):
    return (runner.run_program(prog, n, seed=seed, block=block),
            runner.run_program(prog, n, seed=seed, block=block, coded=True))


def _assert_same(prog, n=PATHS, **kw):
    assert codegen.supported(prog)
    interpreted, coded = _both(prog, n, **kw)
    assert (interpreted is None) == (coded is None)
    if interpreted is not None:
        assert coded is not None
        assert np.array_equal(interpreted, coded, equal_nan=True)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_scenario_gives_the_interpreters_bits(path):
    """Every output the kernel can give (every scope's net and baseline, gross, costs, the price
    index) of every bundled plan, path for path."""
    prog = runner.program_for(load(path))
    assert prog is not None
    _assert_same(prog)


def test_the_analysis_options_give_the_interpreters_bits():
    """Without a measure, with overrides, a later start and no autonomous growth: other programs."""
    s = load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml")
    name = next(iter(s.parameters))
    for options in ({"active": frozenset(m.id for m in s.measures[1:])}, {"extra_delay": 0.5},
                    {"no_growth": True}, {"overrides": {name: float(s.parameters[name].value) * 1.1}}):
        prog = runner.program_for(s, **options)
        assert prog is not None
        _assert_same(prog, 700)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_doc())
def test_generated_scenarios_give_the_interpreters_bits(doc):
    prog = runner.program_for(build(doc, file="<generated>"))
    assert prog is not None
    _assert_same(prog, 203, seed=1, block=0)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decided_doc(), st.sampled_from([{}, {"extra_delay": 0.5}, {"no_growth": True}]))
def test_generated_decided_scenarios_give_the_interpreters_bits(doc, options):
    """Random delays that move euros, decisions, relations, components and payers."""
    try:
        scenario = build(doc, file="<generated>")
    except TaaksimError:
        return
    prog = runner.program_for(scenario, **options)
    assert prog is not None
    _assert_same(prog, 203, seed=2, block=0)


def test_a_failing_check_declines_the_block_like_the_interpreter():
    """Checks moved into an operation and checks of their own: with every limit below any
    absolute value both engines decline the block; as they are, both answer."""
    prog = runner.program_for(load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml"))
    assert prog is not None
    model = prog.code[prog.sample_end:]
    for kind in ("fused", "own"):
        rows = (model[(model[:, 0] == OP_BIN) & (model[:, 5] >= 0), 5] if kind == "fused"
                else model[model[:, 0] == OP_CHECK, 5])
        assert len(rows) > 0
        pool = prog.pool.copy()
        pool[rows] = -1.0
        interpreted, coded = _both(dataclasses.replace(prog, pool=pool), 300)
        assert interpreted is None and coded is None
    assert all(x is not None for x in _both(prog, 300))


def test_a_value_that_is_not_a_number_declines_the_block(minimal_path):
    """A quantity beyond 1e15 EUR for some draws: neither engine answers for the block."""
    prog = runner.program_for(broken_scenario(minimal_path))
    assert prog is not None
    interpreted, coded = _both(prog, 100)
    assert interpreted is None and coded is None


def test_no_text_of_the_scenario_reaches_the_compiler():
    """The function is built from instruction codes, register numbers and doubles only: no id,
    name, expression or source text of the scenario appears in the IR."""
    s = load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml")
    prog = runner.program_for(s)
    assert prog is not None
    ir = codegen.module_ir(prog, runner.SAMPLE_CHUNK, runner.CHUNK)
    words = {m.id for m in s.measures} | {p.id for p in s.posts} | set(s.parameters)
    assert not [w for w in words if len(w) > 3 and w in ir]


def test_compiled_code_is_kept_checked_and_reused(tmp_path, monkeypatch, capsys):
    """The first load compiles and says so; a new process reads the cache in silence; a damaged
    cache file is compiled again, not run."""
    monkeypatch.setenv("TAAKSIM_CACHE_DIR", str(tmp_path))
    prog = runner.program_for(load(ROOT / "scenarios" / "huizen-2022.toml"))
    assert prog is not None
    k = codegen.key(prog, runner.SAMPLE_CHUNK, runner.CHUNK)
    monkeypatch.setattr(codegen, "_said", set())
    first = codegen._object(prog, runner.SAMPLE_CHUNK, runner.CHUNK, codegen.WIDTH, k)
    assert "compiling this scenario's model" in capsys.readouterr().err
    assert codegen._object(prog, runner.SAMPLE_CHUNK, runner.CHUNK, codegen.WIDTH, k) == first
    assert capsys.readouterr().err == ""
    [path] = (tmp_path / "models").glob("*.o")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(codegen, "_said", set())
    assert codegen._object(prog, runner.SAMPLE_CHUNK, runner.CHUNK, codegen.WIDTH, k) == first
    assert "compiling" in capsys.readouterr().err
    other = runner.program_for(load(ROOT / "scenarios" / "huizen-2022.toml"), no_growth=True)
    assert other is not None and codegen.key(other, runner.SAMPLE_CHUNK, runner.CHUNK) != k


def _summary(scenario, paths, monkeypatch, **options):
    from simulator.run.streaming import run_stream

    return json.dumps(Summary.from_merged(run_stream(scenario, paths, seed=5, **options)).to_json())


def test_runs_are_identical_with_and_without_the_compiled_model_on_any_threads(monkeypatch):
    """A whole streamed run: numpy, the interpreter and the compiled model on one and two
    threads give the same summary, and the compiled model did run every block."""
    s = load(ROOT / "scenarios" / "renkum-2025.toml")
    monkeypatch.setenv("TAAKSIM_ENGINE", "numpy")
    want = _summary(s, 70_000, monkeypatch, threads=1)
    monkeypatch.setenv("TAAKSIM_ENGINE", "numba")
    monkeypatch.setattr(runner, "CODED_PATHS", 10_000)
    calls = keyword_seen(monkeypatch, runner, "run_program", "coded")
    assert _summary(s, 70_000, monkeypatch, threads=1) == want
    assert _summary(s, 70_000, monkeypatch, threads=2) == want
    assert calls == [True] * 4
    monkeypatch.setenv("TAAKSIM_CODEGEN", "0")
    calls.clear()
    assert _summary(s, 70_000, monkeypatch, threads=2) == want
    assert calls == [False] * 2


def test_when_the_model_is_compiled(monkeypatch):
    monkeypatch.delenv("TAAKSIM_CODEGEN", raising=False)
    monkeypatch.delenv("TAAKSIM_ENGINE", raising=False)
    assert runner.block_engine(runner.CODED_PATHS) == "coded"
    assert runner.block_engine(runner.CODED_PATHS - 1) == "kernel"
    assert runner.block_engine(runner.CODED_PATHS, "sobol") == "numpy"
    monkeypatch.setenv("TAAKSIM_CODEGEN", "0")
    assert runner.block_engine(10**8) == "kernel"


def test_a_fresh_process_runs_a_million_paths_with_the_compiled_model(tmp_path):
    """As a user runs it: one line says the model is compiled, once; the second run is silent."""
    cmd = [sys.executable, "-m", "simulator", "--engine", "numba", "run",
           str(ROOT / "scenarios" / "huizen-2022.toml"), "--paths", str(runner.CODED_PATHS), "--json"]
    env = {**__import__("os").environ, "TAAKSIM_CACHE_DIR": str(tmp_path)}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("compiling this scenario's model") == 1
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert second.returncode == 0 and "compiling this scenario's model" not in second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_a_model_llvm_refuses_runs_on_the_interpreter(monkeypatch, capsys):
    """Compiling is an optimisation: if it fails the run goes on, on the interpreter, and says so."""
    prog = runner.program_for(load(ROOT / "scenarios" / "renkum-2025.toml"))
    assert prog is not None

    def refuse(*a, **k):
        raise RuntimeError("LLVM error: test")

    monkeypatch.setattr(codegen, "load", refuse)
    monkeypatch.setattr(codegen, "_loaded", {})  # not compiled in this process yet
    monkeypatch.setattr(codegen, "_said", set())
    interpreted, coded = _both(prog, 500)
    assert coded is not None and np.array_equal(interpreted, coded)
    assert "runs on the interpreter (LLVM error: test)" in capsys.readouterr().err


def test_the_compiled_draws_are_numpys_streams():
    """The draw function steps eight streams per vector: every row it fills holds what numpy's
    Generator(SFC64) of that stream returns, and the states it leaves draw on as numpy's would
    (two calls: 1,000 then 37 values)."""
    import ctypes

    from simulator.core.sampling import stream

    prog = runner.program_for(load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml"))
    assert prog is not None
    S, C = runner.SAMPLE_CHUNK, runner.CHUNK
    _, _, fn = codegen.load(prog, S, C)
    draw = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(fn)
    states = runner.stream_states(prog, 11, 2)
    sample_at = prog.small + prog.slots * C
    ws = np.full(sample_at + prog.sample_rows * S, np.nan)
    generators = [stream(11, 2, key, year) for key, year in prog.streams]
    rows = draw(states.ctypes.data, ws.ctypes.data, 1000)
    assert rows == len(prog.streams) > 8  # every stream, in several groups of eight
    for n in (1000, 37):
        if n == 37:
            draw(states.ctypes.data, ws.ctypes.data, 37)
        for op in prog.code[:codegen.leading_draws(prog)]:
            d, first = int(op[1]), int(op[2])
            for y in range(int(prog.reg_ny[d])):
                at = sample_at + int(prog.reg_off[d]) * S + y * S
                assert np.array_equal(ws[at:at + n], generators[first + y].random(n))
