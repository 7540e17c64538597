"""Machine code per program: the model section as one loop over paths, its values in CPU registers.

The interpreter (:mod:`simulator.core.compiled.machine`) runs each instruction over a chunk of
paths and writes every register to memory; a binary operation then costs about 0.25 ns per
value, most of it moving values through the L2 cache, and a scenario like Gooi's has some
2,000 of them per path. Here the model section of one translated program (the instructions
after ``sample_end``) becomes one LLVM function: a loop over groups of ``WIDTH`` paths whose
body computes every register of every year as a vector value, so intermediate values live in
CPU registers (or the stack, in L1), and only the sampled inputs are read and the outputs
written.

How the function is written, why no scenario text reaches LLVM and why it gives the
interpreter's bits: :mod:`simulator.core.compiled.irwriter`. A check that fails anywhere makes
the call return 1 and the block goes to the numpy engine, as with the interpreter.
``tests/test_codegen.py`` compares the two on every bundled and generated scenario. This
module compiles the IR, keeps the machine code on disk and loads it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulator.core.compiled import irdraws, irwriter
from simulator.core.compiled.irdraws import leading_draws
from simulator.core.compiled.irwriter import WIDTH, NotCoded, module_ir, supported
from simulator.core.compiled.program import Program

#: LLVM's optimisation level for the model: 2 takes about 1.5 s more than none on Gooi and runs its
#: model about 20% faster (docs/performance.md)
SPEED = 2

__all__ = ["WIDTH", "NotCoded", "key", "leading_draws", "load", "module_ir", "supported", "try_load"]


# --- compiling, and the cache of compiled programs -------------------------------------------------------

_lock = threading.Lock()
_said: set[str] = set()  # the notices this process has printed (say_once)


def say_once(what: str, text: str) -> None:
    """Print ``text`` on stderr the first time this process is asked to say ``what`` (the
    kernel's and the models' compile notices, here and in :mod:`runner`)."""
    if what not in _said:
        _said.add(what)
        print(text, file=sys.stderr, flush=True)


_loaded: dict[str, tuple[object, int, int, int]] = {}  # key -> (engine, vector fn, remainder fn, draw fn)


@lru_cache(maxsize=1)
def _machine():
    """LLVM's target machine for this CPU (its instruction set: the code runs here only)."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
                                        opt=3, reloc="default", codemodel="jitdefault")


@lru_cache(maxsize=1)
def _host() -> bytes:
    """This module's and the IR writers' sources, the LLVM binding's version and the CPU, once per
    process (a key is asked for per block)."""
    import llvmlite
    import llvmlite.binding as llvm

    sources = b"".join(Path(str(m.__file__)).read_bytes() for m in (irwriter, irdraws)) + Path(__file__).read_bytes()
    return hashlib.sha256(sources + f"|{llvmlite.__version__}|{llvm.get_host_cpu_name()}|"
                          f"{llvm.get_host_cpu_features().flatten()}".encode()).digest()


def key(prog: Program, S: int, C: int, width: int = WIDTH) -> str:
    """What the machine code depends on: the program, the chunk sizes, the sources that write and
    compile it, the LLVM version and the CPU (the code uses the host's instruction set)."""
    h = hashlib.sha256(_host())
    h.update(f"{S}|{C}|{width}|{prog.sample_end}|{prog.n_years}|{prog.horizon_start}|{prog.slots}|"
             f"{prog.small}".encode())
    for arr in (prog.code, prog.pool, prog.reg_off, prog.reg_ny, prog.reg_pf, prog.reg_arena):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def _cache_file(k: str) -> Path | None:
    from simulator.core.copula import cache_dir

    root = cache_dir()
    return None if root is None else root / "models" / f"{k}.o"


def _object(prog: Program, S: int, C: int, width: int, k: str) -> bytes:
    """The object code of the program's model: from the cache, or compiled (and kept there)."""
    import llvmlite.binding as llvm

    path = _cache_file(k)
    if path is not None and path.exists():
        try:
            data = path.read_bytes()
        except OSError:  # pragma: no cover - an unreadable cache is no cache
            data = b""
        # machine code is run as it is read: a file cut short or damaged is compiled again
        if data[:32] == hashlib.sha256(data[32:]).digest() and len(data) > 32:
            return data[32:]
    # one line per process, however many option sets a command compiles
    say_once("compile", "taaksim: compiling this scenario's model to machine code, once per scenario and option set "
                         "(a few seconds)...")
    tm = _machine()
    mod = llvm.parse_assembly(module_ir(prog, S, C, width))
    mod.verify()
    pto = llvm.PipelineTuningOptions(speed_level=SPEED)
    # the body is already vector code, one value per register row: the auto-vectorisers would
    # only spend compile time on it (seconds for a big scenario) and find nothing
    pto.loop_vectorization = False
    pto.slp_vectorization = False
    pto.loop_unrolling = False
    if SPEED:
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
    obj = tm.emit_object(mod)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(hashlib.sha256(obj).digest() + obj)
            os.replace(tmp, path)  # atomic: a concurrent run reads a whole file or none
        except OSError:  # pragma: no cover - a read-only cache still runs, it only compiles again
            pass
    return obj


def try_load(prog: Program, S: int, C: int, width: int = WIDTH) -> tuple[int, int, int] | None:
    """:func:`load`, or None where the model is not written for this program or LLVM refuses
    it (the interpreter then runs it: the same numbers, only slower; a warning says why)."""
    k = key(prog, S, C, width)
    ready = _loaded.get(k)  # every block after the first: no need to look at the program again
    if ready is not None:
        return int(ready[1]), int(ready[2]), int(ready[3])
    if not supported(prog):
        return None
    try:
        return load(prog, S, C, width)
    except (NotCoded, RuntimeError, ValueError, OSError) as exc:  # llvmlite raises RuntimeError
        say_once("refused", f"taaksim: the scenario's model runs on the interpreter ({exc})")
        return None


def load(prog: Program, S: int, C: int, width: int = WIDTH) -> tuple[int, int, int]:
    """Addresses of the compiled ``model{width}``, ``model1`` and ``draw`` of this program
    (compiled once per process and kept on disk; see :func:`key`)."""
    import llvmlite.binding as llvm

    k = key(prog, S, C, width)
    with _lock:
        if k not in _loaded:
            obj = _object(prog, S, C, width, k)
            engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), _machine())
            engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
            engine.finalize_object()
            _loaded[k] = (engine, engine.get_function_address(f"model{width}"), engine.get_function_address("model1"),
                          engine.get_function_address("draw"))
        _, vec, one, draw = _loaded[k]
    return int(vec), int(one), int(draw)
