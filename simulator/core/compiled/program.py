"""The kernel's instruction set and a translated scenario (:class:`Program`).

A program is a list of instructions over registers. A register holds a value per model
year and path of a chunk, or fewer when the value does not vary: its shape is (Y or 1,
C or 1) and is known at translation, exactly as numpy's broadcasting would make it.
Each instruction is one row of an integer array ``(opcode, dst, a, b, c, imm)``; numbers
live in a float pool. :mod:`simulator.core.compiled.translate` writes programs; the machine
(:mod:`simulator.core.compiled.machine`) runs them. Both read the codes from here, so this
module is what the machine compiles in (see :func:`codes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulator.scenario import quantiles
from simulator.scenario.distributions import U_EPS, _beta_table
from simulator.scenario.expressions import MAX_EXPONENT

# --- instruction set (shared with the machine) ------------------------------------------------

OP_CONST, OP_VEC, OP_DRAW, OP_ICDF, OP_COPULA, OP_BIN, OP_UN, OP_CHECK = 1, 2, 3, 4, 5, 6, 7, 8
OP_CUMGROW, OP_SHIFT, OP_COPY, OP_OUT, OP_BOUND, OP_CLIP = 9, 10, 13, 14, 15, 16  # 11, 12: retired (never emitted)
OP_BYYEAR, OP_ESHIFT, OP_OUTSUM = 17, 18, 19
#: binary operations (field c of OP_BIN)
ADD, SUB, MUL, DIV, POW, POWX, MIN, MAX, DIVPOS = 0, 1, 2, 3, 4, 5, 6, 7, 8
#: unary operations (field c of OP_UN)
NEG, ABS, SQRT, EXP, LOG = 0, 1, 2, 3, 4
#: distribution kinds (first pool value of a descriptor)
D_FIXED, D_UNIFORM, D_TRI, D_TABLE, D_NORMAL, D_LOGNORMAL, D_BERN, D_DISCRETE, D_MIX = range(9)

#: where a register lives: values that do not vary by path; rows of a model chunk; rows of a sample chunk
ARENA_SMALL, ARENA_MODEL, ARENA_SAMPLE = 0, 1, 2

#: error codes the kernel returns (any of them: the block is rerun by the numpy engine,
#: which raises the message a user sees, naming the scenario file and the quantity)
ERR_VALUE, ERR_EXPONENT, ERR_RESULT = 1, 2, 3

#: the engine's limits, repeated here so a translation does not import the numpy engine's module
MIN_FRACTION = -10.0
MAX_VALUE, MAX_RESULT = 1e15, 1e18


def codes() -> list[int]:
    """The codes the machine compiles in, in the order of ``machine.compiled_codes``."""
    return [OP_BIN, OP_CONST, OP_VEC, OP_DRAW, OP_ICDF, OP_COPULA, OP_UN, OP_CLIP, OP_CHECK, OP_BOUND,
            OP_SHIFT, OP_CUMGROW, OP_COPY, OP_BYYEAR, OP_OUT, OP_ESHIFT, OP_OUTSUM,
            ADD, MUL, SUB, DIV, DIVPOS, MIN, MAX, POWX, NEG, ABS, SQRT, EXP,
            D_TABLE, D_BERN, D_MIX, D_FIXED, D_UNIFORM, D_TRI, D_NORMAL, D_LOGNORMAL, D_DISCRETE,
            ERR_EXPONENT, ERR_VALUE, ERR_RESULT]


class Unsupported(Exception):
    """The scenario uses something the kernel does not implement: use the numpy engine."""


@dataclass(frozen=True, slots=True)
class Program:
    """A translated scenario: instructions, constants, register layout and tables.

    Attributes
    ----------
    code : ndarray
        Instructions, dims (instruction, 6), int64: opcode, dst, a, b, c, imm. An OP_BIN's
        imm, when not -1, is the pool offset of (limit, error code) of a check moved into it.
    pool : ndarray
        Constants, distribution descriptors and Cholesky factors, float64.
    reg_off, reg_ny, reg_pf, reg_arena : ndarray
        Per register: offset in its arena [rows], rows (1 or Y), whether it varies by
        path, and its arena (ARENA_SMALL, ARENA_MODEL or ARENA_SAMPLE).
    slots, small, sample_rows : int
        Size of the model arena [rows of a model chunk], the small one [doubles] and the
        sample arena [rows of a sample chunk].
    sample_end : int
        Instructions before this index draw and transform the random inputs (run once per
        sample chunk); the rest is the model (run once per model chunk).
    tables : ndarray
        Beta inverse-CDF tables, dims (table, cell, 2): base and slope interleaved.
    streams : tuple of (str, int)
        (input key, year index) of every random stream, in the order the kernel draws them.
    outputs : tuple of str
        What each output slot holds ("net:<scope>", "baseline:<scope>", "gross", ...).
    n_years, horizon_start : int
        Model years and the index of the first horizon year.
    """

    code: np.ndarray
    pool: np.ndarray
    reg_off: np.ndarray
    reg_ny: np.ndarray
    reg_pf: np.ndarray
    reg_arena: np.ndarray
    slots: int
    small: int
    sample_rows: int
    sample_end: int
    tables: np.ndarray
    streams: tuple[tuple[str, int], ...]
    outputs: tuple[str, ...]
    n_years: int
    horizon_start: int


@dataclass(frozen=True)
class Options:
    """The run options the kernel implements (the rest take the numpy engine)."""

    active: frozenset[str] | None = None
    overrides: tuple[tuple[str, float], ...] = ()
    no_growth: bool = False
    extra_delay: float = 0.0
    outputs: tuple[str, ...] | None = None  # None: every scope's net and baseline, and the totals


# --- inverse-CDF tables (shared with the machine) -----------------------------------------------


@lru_cache(maxsize=256)
def _interleaved(a: float, b: float) -> np.ndarray:
    t = _beta_table(a, b)
    out = np.empty((len(t.base), 2))
    out[:, 0] = t.base
    out[:, 1] = t.slope
    out.setflags(write=False)
    return out


@lru_cache(maxsize=1)
def normal_cells() -> np.ndarray:
    """The standard normal inverse-CDF table, interleaved like the beta tables."""
    t = quantiles.normal_table()
    out = np.empty((len(t.base), 2))
    out[:, 0] = t.base
    out[:, 1] = t.slope
    out.setflags(write=False)
    return out


@lru_cache(maxsize=1)
def phi_cells() -> np.ndarray:
    """Phi by table (:func:`simulator.scenario.quantiles.normal_cdf`), interleaved."""
    base, slope = quantiles._phi_grid()
    out = np.empty((len(base), 2))
    out[:, 0] = base
    out[:, 1] = slope
    out.setflags(write=False)
    return out


__all__ = ["Options", "Program", "Unsupported", "U_EPS", "MAX_EXPONENT"]
