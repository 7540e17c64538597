"""Rank correlations hold as asked for discrete inputs too (issue 16, D1 and D6).

Oracles: scipy.stats.multivariate_normal (the bivariate normal CDF), scipy.stats.spearmanr on
simulated copula draws, and closed forms. Tolerances are 4 standard errors, estimated from
independent batches of the same draws.
"""

import math

import numpy as np
import pytest
from scipy import stats

from simulator.core.copula import (
    CorrelationWarning,
    atoms_of,
    bivariate_normal_cdf,
    calibrate,
    rank_correlation,
    reachable,
)
from simulator.core.sampling import sample_inputs
from simulator.scenario.distributions import Bernoulli, DelayMixture, Discrete, Triangular, Uniform

from .helpers import scenario

N = 1 << 16  # one block
BATCHES = 16


def _spearman_with_se(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman (mid-ranks) on all draws, and its SE from BATCHES independent batches."""
    rho = stats.spearmanr(x, y)[0]
    parts = [stats.spearmanr(a, b)[0] for a, b in zip(np.array_split(x, BATCHES), np.array_split(y, BATCHES),
                                                       strict=True)]
    return float(rho), float(np.std(parts, ddof=1) / math.sqrt(BATCHES))


@pytest.mark.parametrize("r", [0.3, -0.7, 0.95, 0.9999])
def test_bivariate_normal_cdf_matches_scipy(r):
    h = np.array([-1.0, 0.3, 2.0, 0.0, -3.0])
    k = np.array([0.5, -0.2, 1.0, 0.0, 2.5])
    ref = [stats.multivariate_normal([0, 0], [[1, r], [r, 1]]).cdf([a, b]) for a, b in zip(h, k, strict=True)]
    assert np.max(np.abs(bivariate_normal_cdf(h, k, r) - ref)) < 1e-8


MARGINALS = [
    (Bernoulli(p=0.7), Bernoulli(p=0.8)),
    (Bernoulli(p=0.5), Uniform(low=0, high=1)),
    (DelayMixture(p=0.35, years=Uniform(low=0.25, high=1.0)), DelayMixture(p=0.3, years=Triangular(0.1, 0.25, 0.5))),
    (Discrete(values=(0.0, 1.0, 2.0), probabilities=(0.5, 0.3, 0.2)), Bernoulli(p=0.9)),
]


@pytest.mark.parametrize("d1,d2", MARGINALS)
@pytest.mark.parametrize("rho", [0.5, -0.6, 0.95])
def test_rank_correlation_formula_matches_simulated_spearman(d1, d2, rho):
    rng = np.random.default_rng(11)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=200_000)
    u = stats.norm.cdf(z)
    got, se = _spearman_with_se(d1.ppf(u[:, 0]), d2.ppf(u[:, 1]))
    assert abs(rank_correlation(rho, atoms_of(d1), atoms_of(d2)) - got) < 4 * se


def test_continuous_pairs_keep_the_closed_form():
    # Spearman of a Gaussian copula: (6 / pi) asin(rho / 2) (Kruskal 1958)
    assert rank_correlation(0.7, (), ()) == pytest.approx(6 / math.pi * math.asin(0.35), abs=1e-15)


def test_reachable_range_of_two_bernoullis_in_closed_form():
    # comonotone: U shared, g1 and g2 are two-step functions; Cov = P(both 1) - p1 p2 scaled by the
    # mid-rank jumps. For bernoullis the rank correlation is the phi coefficient:
    # max = sqrt(p1 (1 - p2) / (p2 (1 - p1))) for p1 <= p2 (Frechet bound)
    p1, p2 = 0.7, 0.8
    low, high = reachable(atoms_of(Bernoulli(p=p1)), atoms_of(Bernoulli(p=p2)))
    assert high == pytest.approx(math.sqrt(p1 * (1 - p2) / (p2 * (1 - p1))), abs=1e-12)
    # min: P(both 1) = max(0, p1 + p2 - 1)
    phi_min = (max(0.0, p1 + p2 - 1) - p1 * p2) / math.sqrt(p1 * (1 - p1) * p2 * (1 - p2))
    assert low == pytest.approx(phi_min, abs=1e-12)


def _go_ahead_scenario(rank_go: float, rank_delay: float):
    posts = [{"id": "p", "base": 10_000_000}]
    measures = [
        {"id": "a", "post": "p", "effect": {"amount": 100}, "go_ahead": 0.7,
         "delay": {"p": 0.35, "years": {"uniform": [0.25, 1.0]}}},
        {"id": "b", "post": "p", "effect": {"amount": 100}, "go_ahead": 0.8,
         "delay": {"p": 0.35, "years": {"uniform": [0.25, 1.0]}}},
    ]
    return scenario(posts, measures, years=(2025,), correlation=[
        {"between": ["a.go_ahead", "b.go_ahead"], "rank": rank_go, "reason": "test"},
        {"between": ["a.delay", "b.delay"], "rank": rank_delay, "reason": "test"},
    ])


def test_go_aheads_and_delays_get_the_asked_rank_correlation():
    # D1: with 2 sin(pi r / 6) these pairs got 0.40 (asked 0.6) and 0.37 (asked 0.5)
    s = _go_ahead_scenario(0.6, 0.5)
    x = sample_inputs(s, N, seed=3, block=0, n_years=1)
    for pair, asked in ((("a.go_ahead", "b.go_ahead"), 0.6), (("a.delay", "b.delay"), 0.5)):
        got, se = _spearman_with_se(x[pair[0]][0], x[pair[1]][0])
        assert abs(got - asked) < 4 * se, (pair, got, se)


def test_an_unreachable_rank_correlation_warns_with_the_reachable_range():
    # two go-aheads of 0.7 and 0.8 reach at most 0.764 (the phi coefficient's Frechet bound)
    s = _go_ahead_scenario(0.9, 0.5)
    by_key = {i.key: i for i in s.inputs}
    with pytest.warns(CorrelationWarning, match=r"reachable -0\.327 to 0\.764"):
        cal = calibrate(s.correlations[0], by_key, s.file)
    assert cal.adjusted and cal.achieved[0, 1] == pytest.approx(0.7638, abs=1e-4)


def test_a_matrix_that_is_not_positive_definite_latent_is_reported():
    # D6: a common rank of -0.49 on three inputs is a valid rank matrix, but its latent matrix
    # (2 sin(pi r / 6) = -0.508) is not positive definite; what holds is reported, and holds
    posts = [{"id": f"p{i}", "base": 1_000_000} for i in range(3)]
    measures = [{"id": f"m{i}", "post": f"p{i}", "effect": {"amount": {"uniform": [0, 1]}}} for i in range(3)]
    s = scenario(posts, measures, years=(2025,), correlation=[
        {"between": [f"m{i}.effect" for i in range(3)], "rank": -0.49, "reason": "test"}])
    by_key = {i.key: i for i in s.inputs}
    with pytest.warns(CorrelationWarning, match="Rank correlations that hold"):
        cal = calibrate(s.correlations[0], by_key, s.file)
    assert cal.adjusted
    x = sample_inputs(s, N, seed=5, block=0, n_years=1)
    got, se = _spearman_with_se(x["m0.effect"][0], x["m1.effect"][0])
    assert abs(got - cal.achieved[0, 1]) < 4 * se
    assert abs(cal.achieved[0, 1] + 0.49) > 1e-3  # not what was asked, and said so


def test_the_command_line_shows_the_warning_in_one_line_with_the_file(tmp_path):
    from click.testing import CliRunner

    from simulator.cli import main

    doc = tmp_path / "unreachable.toml"
    doc.write_text("""
[scenario]
name = "t"
base_year = 2024
years = [2025]
[[post]]
id = "p"
law = "wmo"
base = 1000000
source = "assumption: test"
[[measure]]
id = "a"
post = "p"
effect = { amount = 100 }
go_ahead = 0.7
source = "assumption: test"
[[measure]]
id = "b"
post = "p"
effect = { amount = 100 }
go_ahead = 0.8
source = "assumption: test"
[[correlation]]
between = ["a.go_ahead", "b.go_ahead"]
rank = 0.95
reason = "test"
""")
    r = CliRunner().invoke(main, ["run", str(doc), "--paths", "1000"])
    assert r.exit_code == 0
    line = next(x for x in r.stderr.splitlines() if x.startswith("warning:"))
    assert str(doc) in line and "reachable -0.327 to 0.764" in line and "Traceback" not in r.stderr


@pytest.mark.parametrize("p1", [0.3, 0.7, 0.95])
@pytest.mark.parametrize("rank", [-0.4, 0.2, 0.55])
def test_the_root_finder_takes_scipys_steps_to_the_bit(p1, rank):
    # the copula's brentq replaces scipy.optimize's (whose import costs a run 0.1-0.4 s): the
    # same latent correlations bit for bit, on atoms of go-aheads and of a delay mixture
    from scipy.optimize import brentq as scipy_brentq

    from simulator.core.copula import _EDGE, brentq

    pairs = [(atoms_of(Bernoulli(p1)), atoms_of(Bernoulli(0.5))),
             (atoms_of(Bernoulli(p1)), ()),
             (atoms_of(DelayMixture(p1, Uniform(0.5, 2.0))), atoms_of(Bernoulli(0.8)))]
    for a1, a2 in pairs:
        lo, hi = -1.0 + _EDGE, 1.0 - _EDGE
        lo_r, hi_r = rank_correlation(lo, a1, a2), rank_correlation(hi, a1, a2)
        target = lo_r + (hi_r - lo_r) * (rank + 1.0) / 2.0  # inside the reachable range
        f = lambda r, a1=a1, a2=a2, target=target: rank_correlation(r, a1, a2) - target  # noqa: E731
        assert brentq(f, lo, hi, xtol=1e-10) == float(scipy_brentq(f, lo, hi, xtol=1e-10))
    g = lambda x: math.cos(x) - x  # noqa: E731
    assert brentq(g, 0.0, 1.5, xtol=1e-14) == float(scipy_brentq(g, 0.0, 1.5, xtol=1e-14))
    with pytest.raises(ValueError):
        brentq(g, 0.0, 0.5, xtol=1e-10)
