"""The compiled engine: a scenario translated to a small program that one numba kernel runs.

The numpy engine (:mod:`simulator.core.engine`) makes about 1,800 passes over block-sized
arrays; each pass costs more in memory traffic than the arithmetic it does. Here the same
model is translated once per scenario and run options into a straight-line program over
*registers* (arrays of at most (year, chunk) values), and one compiled call runs that
program chunk by chunk (a few hundred paths, so every register stays in the CPU cache),
from the random streams through the copula, the inverse CDFs, the scenario's expressions,
growth, measures, posts and scopes.

* :mod:`~simulator.core.compiled.translate` translates (pure Python and numpy): every
  operation of the numpy engine becomes one instruction, in the same order, so results
  agree with the numpy engine to rounding (tests hold them to 1e-9 relative). It emits
  through :mod:`~simulator.core.compiled.builder` and places registers with
  :mod:`~simulator.core.compiled.layout`; :mod:`~simulator.core.compiled.program` holds the
  instruction set and the :class:`~simulator.core.compiled.program.Program` it produces.
* :mod:`~simulator.core.compiled.machine` is the kernel (numba, ``nogil``, cached).
* :mod:`~simulator.core.compiled.runner` prepares a block's random streams, calls the
  kernel and hands back what the numpy engine would (or the streamed run's rows).

Scenario text is never turned into Python code: expressions are parsed by
:mod:`simulator.scenario.expressions` and become instruction codes and constants.
"""
