"""Checks the layout drops because they cannot fail while the others pass (layout._implied_checks).

The bound of an inverse CDF is tested against the kernel's own inverse CDF over every uniform
that reaches it (the clip points, both ends, a dense grid and random draws); a check whose
bound is not proven stays, and a block still goes to numpy exactly when a kept check fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.core.compiled import machine, runner
from simulator.core.compiled.builder import Builder, Tables, describe
from simulator.core.compiled.layout import _icdf_bound
from simulator.core.compiled.program import OP_CHECK, OP_ICDF, U_EPS, normal_cells
from simulator.scenario import distributions as dist
from simulator.scenario.loader import build, load

ROOT = Path(__file__).resolve().parent.parent
#: every uniform the kernel can hand an inverse CDF: the clip points and beyond, and a grid
U = np.unique(np.concatenate([[0.0, 5e-324, 1e-300, U_EPS / 2, U_EPS, 1e-12, 0.5, 1 - 1e-12, 1 - U_EPS,
                               np.nextafter(1.0, 0.0)], np.linspace(0.0, 1.0, 20_001),
                              np.random.default_rng(1).random(20_000)]))

finite = st.floats(-1e14, 1e14, allow_nan=False)
positive = st.floats(1e-6, 1e6, allow_nan=False)


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(["fixed", "uniform", "tri", "pert", "beta", "normal", "lognormal", "bern",
                                 "discrete"]))
    a, w = draw(finite), draw(positive)
    if kind == "fixed":
        return dist.Fixed(a)
    if kind == "uniform":
        return dist.Uniform(a, a + w)
    if kind in ("tri", "pert"):
        m = a + w * draw(st.floats(0.0, 1.0))
        return dist.Triangular(a, m, a + w) if kind == "tri" else dist.Pert(a, m, a + w)
    if kind == "beta":
        return dist.Beta(draw(st.floats(0.05, 20.0)), draw(st.floats(0.05, 20.0)), a, a + w)
    if kind == "normal":
        return dist.Normal(a, w)
    if kind == "lognormal":
        return dist.LogNormal(draw(st.floats(-5.0, 20.0)), draw(st.floats(0.01, 2.0)))
    if kind == "bern":
        return dist.Bernoulli(draw(st.floats(0.0, 1.0)))
    values = tuple(sorted(set(draw(st.lists(finite, min_size=1, max_size=5)))))
    return dist.Discrete(values, tuple([1.0 / len(values)] * len(values)))


@settings(max_examples=150, deadline=None)
@given(distributions())
def test_an_inverse_cdfs_bound_holds_for_every_uniform(d):
    b, tables = Builder(1), Tables()
    at = describe(d, b, tables)
    pool = np.array(b.pool)
    out = np.empty_like(U)
    machine.icdf_row(pool, at, tables.array(), normal_cells(), U.copy(), out, len(U))
    bound = _icdf_bound(pool, at, tables.array(), normal_cells())
    assert np.isfinite(out).all()
    assert float(np.abs(out).max()) <= bound


def test_a_mixture_proves_no_bound():
    b, tables = Builder(1), Tables()
    at = describe(dist.DelayMixture(0.5, dist.Uniform(0.0, 2.0)), b, tables)
    assert _icdf_bound(np.array(b.pool), at, tables.array(), normal_cells()) == np.inf


def _checked_inputs(prog):
    defined = {int(op[1]): int(op[0]) for op in prog.code if op[0] != OP_CHECK}
    return [int(op[2]) for op in prog.code if op[0] == OP_CHECK and defined.get(int(op[2])) == OP_ICDF]


def test_gooi_drops_the_checks_of_inputs_bounded_by_their_parameters():
    """Gooi's PERT, Bernoulli and fixed inputs need no check of their own: their tables and
    parameters bound them well below 1e15 EUR (a PERT's table within its range to 1e-9)."""
    prog = runner.program_for(load(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml"))
    assert prog is not None
    kept = _checked_inputs(prog)
    icdf = {int(op[1]): int(prog.pool[op[5]]) for op in prog.code if op[0] == OP_ICDF}
    from simulator.core.compiled.program import D_MIX

    assert all(icdf[r] == D_MIX for r in kept)
    assert sum(1 for k in icdf.values() if k != D_MIX) > 50
    for t in prog.tables:  # a beta table's values lie in [0, 1], up to its interpolation
        from simulator.core.compiled.layout import _table_bound

        assert 1.0 <= _table_bound(t) <= 1.0 + 1e-6


def test_an_input_that_can_exceed_the_limit_keeps_its_check(minimal_path):
    """A number of children drawn from a normal with sd 2e14: beyond the limit of 1e15 for any
    quantity at the normal's far tail. The check stays: its bound (about 1.8e15) is not
    within the limit."""
    import tomllib

    doc = tomllib.loads(minimal_path.read_text())
    doc["parameters"]["children"] = {"normal": [100, 2e14], "source": "assumption: test"}
    scenario = build(doc, file="huge.toml")
    prog = runner.program_for(scenario)
    assert prog is not None and _checked_inputs(prog)
