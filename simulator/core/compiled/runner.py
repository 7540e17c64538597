"""Run a block with the compiled kernel: streams, workspace, the call, and the numpy fallback.

Which engine runs is chosen by :func:`use_kernel`: ``TAAKSIM_ENGINE=numpy|numba`` (the
command line's ``--engine`` sets it), else the kernel for runs of at least ``AUTO_PATHS``
paths; from ``CODED_PATHS`` its model and draws are compiled for the scenario
(:func:`block_engine`). A scenario or an option the kernel does not implement (stock posts, ``detail``,
deterministic mode) and a block whose checks fail take the numpy engine, which is the
reference: its results and messages are the model's definition.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from simulator.core.compiled.program import ARENA_MODEL, ARENA_SAMPLE, Options, Program, Unsupported
from simulator.core.compiled.translate import translate
from simulator.core.options import BlockEngine
from simulator.core.sampling import key_words
from simulator.scenario.model import Scenario

#: paths per model chunk: its registers (a few hundred rows of C doubles) stay in the L2 cache
CHUNK = 256
#: paths per sample chunk: each inverse-CDF table serves this many values while it is cached, and
#: the chunk's variates (3 MB for Gooi's 92) stay in the cache too; at 16,384 they were 12 MB per
#: thread, and drawing them and reading them back ran at memory speed (1.85 against 1.06 ns per value)
SAMPLE_CHUNK = 4096

_checked: set[str] = set()  # the kernel entry points this process has looked at (_announce_compile)
_lock = threading.Lock()


#: below this many paths a run with the engine left to choose ("auto") takes numpy: loading
#: numba and its cached kernel costs about 0.5-1 s per process, more than the kernel saves
AUTO_PATHS = 200_000


#: from this many paths a kernel run compiles its model (see :func:`block_engine`): below, the
#: one-off compilation would cost more than it saves, on a cold cache
CODED_PATHS = 1_000_000


def engine_name() -> str:
    """The engine asked for: "numba", "numpy", or "auto" (``TAAKSIM_ENGINE``, ``--engine``)."""
    name = os.environ.get("TAAKSIM_ENGINE", "").strip().lower()
    return name if name in ("numpy", "numba") else "auto"


def use_kernel(paths: int) -> bool:
    """Whether a run of ``paths`` paths uses the compiled kernel (where the scenario allows)."""
    name = engine_name()
    if name == "numpy" or (name == "auto" and paths < AUTO_PATHS):
        return False
    try:
        import numba  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a dependency
        return False
    return True


def block_engine(paths: int, sampling: str = "mc") -> BlockEngine:
    """What simulates the blocks of a run of ``paths`` paths: "numpy", the kernel ("kernel"), or
    the kernel with its model and draws compiled for the scenario ("coded",
    :mod:`simulator.core.compiled.codegen`: runs of at least ``CODED_PATHS`` paths, unless
    ``TAAKSIM_CODEGEN=0``; compiling costs about 2 s per scenario and option set, once, as the
    code is kept in the cache folder, and saves about 0.4 us per path). The kernel draws plain
    Monte Carlo only."""
    if sampling != "mc" or not use_kernel(paths):
        return "numpy"
    if os.environ.get("TAAKSIM_CODEGEN", "").strip() == "0" or paths < CODED_PATHS:
        return "kernel"
    return "coded"


def stream_states(prog: Program, seed: int, block: int) -> np.ndarray:
    """SFC64 states of every stream the program draws: (stream, 4) uint64 (a, b, c, counter).

    Exactly the generators :func:`simulator.core.sampling.stream` makes, so the kernel draws
    the same uniforms as the numpy engine: ``SFC64(SeedSequence(seed, spawn_key=(block,
    *key_words(key), year)))``. numpy builds one SeedSequence and generator per stream (about
    25 us each, 2 ms of a block of Gooi); here numpy's seeding algorithm runs on every stream
    at once (0.4 ms). Tests compare the states with numpy's own.
    """
    keys = [(block, *words, year) for words, year in _stream_words(prog.streams)]
    return seeded_sfc64(seed, keys)


@lru_cache(maxsize=64)
def _stream_words(streams: tuple[tuple[str, int], ...]) -> list[tuple[tuple[int, ...], int]]:
    """Each stream's key as words, once per program (a block asks for them again)."""
    return [(tuple(key_words(key)), year) for key, year in streams]


_POOL = 4


@lru_cache(maxsize=4096)
def _words(n: int) -> tuple[int, ...]:
    """An integer as little-endian 32-bit words (numpy's ``_int_to_uint32_array``)."""
    out = []
    while True:
        out.append(n & 0xFFFFFFFF)
        n >>= 32
        if n == 0:
            return tuple(out)  # cached: a block's streams ask for the same words again


def seeded_sfc64(seed: int, spawn_keys: Sequence[tuple[int, ...]]) -> np.ndarray:
    """The states of ``SFC64(SeedSequence(seed, spawn_key=k))`` for every k.

    numpy's SeedSequence (pool of 4 words, hashmix and mix over the entropy, then
    ``generate_state(3, uint64)``) and SFC64's seeding (those three words, counter 1, twelve
    rounds discarded), compiled per stream (:mod:`simulator.core.compiled.seeding`). Returns
    (stream, 4) uint64.
    """
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if not spawn_keys:
        return np.zeros((0, 4), dtype=np.uint64)
    run = list(_words(seed))
    run += [0] * (_POOL - len(run)) if spawn_keys and spawn_keys[0] else []
    rows = [run + [w for k in key for w in _words(k)] for key in spawn_keys]
    if len({len(r) for r in rows}) > 1:  # pragma: no cover - keys of one width (32-bit words)
        return np.array([np.random.SFC64(np.random.SeedSequence(seed, spawn_key=k)).state["state"]["state"]
                         for k in spawn_keys], dtype=np.uint64).reshape(-1, 4)
    from simulator.core.compiled.seeding import sfc64_states

    ent = np.array(rows, dtype=np.uint64).reshape(len(spawn_keys), -1)
    out = np.empty((len(spawn_keys), 4), dtype=np.uint64)
    sfc64_states(ent, out)
    return out


def _announce_compile(entry: str) -> None:
    """Before the first call of a kernel entry point (``machine.run``, or ``machine.run_coded``,
    which a run of 1,000,000 paths may use alone): say on stderr, once per process, that the
    kernel is being compiled when that entry point's cache is cold; and check, once, that the
    cached kernel knows this ``program.py``'s codes."""
    with _lock:
        if entry in _checked:
            return
        from simulator.core.compiled import machine
        from simulator.core.compiled.codegen import say_once
        from simulator.core.compiled.program import codes

        if not _checked and list(machine.compiled_codes()) != codes():  # pragma: no cover - a developer's edit
            raise RuntimeError("the compiled kernel in numba's cache predates simulator/core/compiled/program.py: "
                               f"delete {os.path.dirname(machine.__file__)}/__pycache__ (or NUMBA_CACHE_DIR) "
                               "and run again")
        _checked.add(entry)
        kernel = getattr(machine, entry)
        try:
            # numba keeps no public "is it cached" API: an index missing or older than the
            # kernel's source means numba compiles (it stamps the index with the source's mtime)
            index = kernel._cache._cache_file._index_path
            cold = (not os.path.exists(index)
                    or os.path.getmtime(index) < os.path.getmtime(machine.__file__))
        except (AttributeError, OSError):  # pragma: no cover - numba internals moved
            cold = False
        if cold and not kernel.signatures:
            say_once("kernel", "taaksim: compiling the simulation kernel, once after an install or upgrade "
                               "(about a minute)...")


def run_program(prog: Program, n: int, *, seed: int, block: int, coded: bool = False) -> np.ndarray | None:
    """Run ``prog`` over one block: outputs (slot, horizon year, path), or None when a check
    failed (the caller then runs the numpy engine, which raises the right message).

    ``coded``: run the model section as machine code compiled for this program
    (:mod:`simulator.core.compiled.codegen`; the same numbers) where it can be written, else
    on the interpreter."""
    from simulator.core.compiled import codegen, machine
    from simulator.core.compiled.program import normal_cells, phi_cells

    C, S = CHUNK, SAMPLE_CHUNK
    rows = np.where(prog.reg_arena == ARENA_SAMPLE, S, C)
    rs = np.where(prog.reg_pf == 1, rows, 1)
    model_at = prog.small
    sample_at = prog.small + prog.slots * C
    base = np.where(prog.reg_arena == ARENA_SAMPLE, sample_at + prog.reg_off * S,
                    np.where(prog.reg_arena == ARENA_MODEL, model_at + prog.reg_off * C, prog.reg_off))
    sample_regs = np.flatnonzero(prog.reg_arena == ARENA_SAMPLE)
    ws = np.empty(sample_at + prog.sample_rows * S)
    out = np.empty((len(prog.outputs), prog.n_years - prog.horizon_start, n))
    states = stream_states(prog, seed, block)
    meta = np.stack([base, prog.reg_ny, rs, prog.reg_pf], axis=1).astype(np.int64)
    fns = codegen.try_load(prog, S, C) if coded else None
    _announce_compile("run" if fns is None else "run_coded")
    if fns is not None:
        fn_vec, fn_one, fn_draw = fns
        err = machine.run_coded(prog.code, prog.sample_end, prog.pool, meta, sample_regs, prog.tables,
                                normal_cells(), phi_cells(), states, n, S, C, prog.horizon_start, out, ws,
                                fn_vec, fn_one, codegen.WIDTH, fn_draw, codegen.leading_draws(prog))
    else:
        err = machine.run(prog.code, prog.sample_end, prog.pool, meta, sample_regs,
                          prog.tables, normal_cells(), phi_cells(), states, n, S, C, prog.horizon_start, out, ws)
    return None if err else out


def program_for(scenario: Scenario, *, active=None, overrides=None, no_growth: bool = False,
                extra_delay: float = 0.0, outputs: tuple[str, ...] | None = None) -> Program | None:
    """The kernel's program for these options, or None if the kernel cannot run them."""
    opts = Options(active=frozenset(active) if active is not None else None,
                   overrides=tuple(sorted((str(k), float(v)) for k, v in (overrides or {}).items())),
                   no_growth=bool(no_growth), extra_delay=float(extra_delay), outputs=outputs)
    try:
        return translate(scenario, opts)
    except Unsupported:
        return None


def kernel_block(scenario: Scenario, n: int, *, seed: int, block: int, options, coded: bool = False
                 ) -> object | None:
    """What :func:`simulator.core.engine.simulate_block` returns, from the kernel, or None
    when the kernel does not run these options (detail, kept inputs, deterministic mode,
    stock posts) or a check failed: the caller then runs the numpy engine.

    ``options`` is a :class:`simulator.core.options.RunOptions`.
    """
    from simulator.core.engine import MAX_RESULT, Block
    from simulator.core.plan import scopes_of

    if options.deterministic or options.detail or options.keep_inputs or options.sampling != "mc":
        return None
    prog = program_for(scenario, active=options.active, overrides=options.override_map,
                       no_growth=options.no_growth, extra_delay=options.extra_delay)
    if prog is None:
        return None
    out = run_program(prog, n, seed=seed, block=block, coded=coded)
    if out is None:
        return None
    s = len(scopes_of(scenario))
    scope_net, scope_base = out[:s], out[s:2 * s]
    gross, costs, base = out[2 * s], out[2 * s + 1], out[2 * s + 2]
    net = gross - costs
    result = Block(baseline=base, spending=base - net, net=net, gross=gross, costs=costs, scope_net=scope_net,
                   scope_spending=scope_base - scope_net, scope_baseline=scope_base, post_baseline=None,
                   post_spending=None, measure_gross=None, measure_costs=None, inputs=None,
                   price_index=out[2 * s + 3] if scenario.prices.indexation is not None else None)
    if not all((np.abs(x) <= MAX_RESULT).all() for x in (result.net, result.scope_spending)):
        return None  # the numpy engine raises the message
    return result
