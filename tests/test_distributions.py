"""Each distribution against its closed-form moments, within Monte Carlo error."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.scenario import distributions as d

N = 400_000
RNG_SEED = 20261122


def _sample(spec):
    return spec.sample(N, rng=np.random.default_rng(RNG_SEED))


@pytest.mark.parametrize(
    "table, mean, var",
    [
        ({"uniform": [2, 6]}, 4.0, 16 / 12),
        ({"triangular": [0, 1, 4]}, 5 / 3, (0 + 1 + 16 - 0 - 0 - 4) / 18),
        # PERT [a, m, b] with lambda 4: mean (a + 4m + b) / 6, variance (mu - a)(b - mu) / 7
        ({"pert": [1, 2, 6]}, 2.5, (2.5 - 1) * (6 - 2.5) / 7),
        ({"normal": [10, 2]}, 10.0, 4.0),
        ({"beta": [2, 5]}, 2 / 7, 2 * 5 / (7**2 * 8)),
        ({"bernoulli": 0.3}, 0.3, 0.21),
        ({"discrete": {"values": [0, 1, 2], "probabilities": [0.2, 0.5, 0.3]}}, 1.1, 0.49),
    ],
)
def test_sample_moments_match_closed_form(table, mean, var):
    x = _sample(d.from_table(table))
    se = math.sqrt(var / N)
    assert abs(x.mean() - mean) < 4 * se
    assert d.from_table(table).mean == pytest.approx(mean)
    # variance: standard error of the sample variance is about var * sqrt(2 / N) for these shapes
    assert abs(x.var() - var) < 6 * var * math.sqrt(2 / N) + 1e-12


def test_ci90_lognormal_puts_five_percent_in_each_tail():
    spec = d.from_table({"ci90": [10, 40]})
    assert isinstance(spec, d.LogNormal)
    x = _sample(spec)
    se = math.sqrt(0.05 * 0.95 / N)
    assert abs((x < 10).mean() - 0.05) < 4 * se
    assert abs((x > 40).mean() - 0.05) < 4 * se
    assert spec.point == pytest.approx(20.0)  # the median: geometric mean of the bounds


def test_ci90_crossing_zero_is_normal():
    spec = d.from_table({"ci90": [-1, 1]})
    assert isinstance(spec, d.Normal) and spec.point == 0


@pytest.mark.parametrize(
    "table, point",
    [({"pert": [1, 2, 6]}, 2), ({"triangular": [0, 1, 4]}, 1), ({"uniform": [0, 4]}, 2),
     ({"pert": [1, 2, 6], "plan": 3}, 3), ({"fixed": 7}, 7), ({"p": 0.7}, 1), ({"p": 0.3}, 0)],
)
def test_point_value_is_the_plan_figure(table, point):
    assert d.from_table(table).point == point


@pytest.mark.parametrize(
    "table, fragment",
    [
        ({"pert": [3, 2, 1]}, "low <= likely <= high"),
        ({"uniform": [2, 1]}, "low <= high"),
        ({"bernoulli": 1.5}, r"\[0, 1\]"),
        ({"pert": [1, 2]}, "list of 3"),
        ({"discrete": {"values": [1, 2], "probabilities": [0.5, 0.6]}}, "add up to 1"),
        ({"pert": [1, 2, 3], "uniform": [1, 2]}, "exactly one"),
        ({"pert": [1, 2, 3], "plan": 9}, "outside"),
        ({"pert": [1, 2, 3], "colour": 1}, "unknown key"),
        ({"lognormal": {"ci90": [-1, 2]}}, "0 < low"),
        ({"normal": [0, float("nan")]}, "finite"),
    ],
)
def test_invalid_tables_are_refused(table, fragment):
    with pytest.raises(d.DistributionError, match=fragment):
        d.from_table(table)


@given(
    st.floats(-1e6, 1e6),
    st.floats(0, 1e6),
    st.floats(0, 1e6),
    st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=50),
)
def test_pert_ppf_is_monotone_and_inside_its_range(low, w1, w2, us):
    spec = d.from_table({"pert": [low, low + w1, low + w1 + w2]})
    u = np.sort(np.array(us))
    x = spec.ppf(u)
    assert np.all(np.diff(x) >= -1e-9 * max(1.0, abs(low) + w1 + w2))
    assert np.all(x >= low - 1e-6) and np.all(x <= low + w1 + w2 + 1e-6)


def test_pert_table_matches_exact_inverse():
    from scipy.special import betaincinv

    spec = d.from_table({"pert": [0, 3, 10]})
    u = np.linspace(0.001, 0.999, 999)
    beta = spec._as_beta()
    exact = 10 * betaincinv(beta.a, beta.b, u)
    np.testing.assert_allclose(spec.ppf(u), exact, atol=1e-7 * 10)
    edge = np.array([1e-9, 1e-6, 1 - 1e-6])
    # within 1e-6 of either end (one draw in a million) the table is within 1e-4 of the range
    np.testing.assert_allclose(spec.ppf(edge), 10 * betaincinv(beta.a, beta.b, edge), atol=1e-4 * 10)
