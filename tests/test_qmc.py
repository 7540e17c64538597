"""Latin hypercube and scrambled Sobol' sampling: same marginals and rank correlations, honest errors.

Oracles: stratification (closed form: one point per stratum), scipy.stats.spearmanr, and a
probability known in closed form, within 4 between-block standard errors.
"""

import math

import numpy as np
import pytest
from scipy import stats

from simulator.core.engine import simulate_block
from simulator.core.options import RunOptions
from simulator.core.qmc import REPLICATES, between_block_se, block_uniforms, latin_hypercube
from simulator.core.sampling import sample_inputs, stream

from .helpers import scenario

N = 4096


def _uniform_target(p_met=0.7, *, other=True):
    # net = U(0, 1000) (+ a go-ahead's PERT effect if ``other``): without it P(net >= 1000 (1 - p)) = p
    measures = [{"id": "m", "post": "p", "effect": {"amount": {"uniform": [0, 1000]}}}]
    if other:
        measures.append({"id": "k", "post": "p", "effect": {"amount": {"pert": [0, 10, 40]}}, "go_ahead": 0.6})
    return scenario([{"id": "p", "base": 1_000_000}], measures, years=(2025,),
                    targets=[{"scope": "all", "amounts": {"2025": 1000 * (1 - p_met)}}])


def test_latin_hypercube_puts_one_point_in_each_stratum():
    u = latin_hypercube("x", 3, N, seed=1, block=0, stream=stream)
    for row in u:
        assert np.array_equal(np.sort(np.floor(row * N)), np.arange(N))


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_a_block_is_reproducible_and_blocks_are_independent(method):
    s = _uniform_target()
    a = block_uniforms(s, N, seed=3, block=0, n_years=1, method=method, stream=stream)
    b = block_uniforms(s, N, seed=3, block=0, n_years=1, method=method, stream=stream)
    c = block_uniforms(s, N, seed=3, block=1, n_years=1, method=method, stream=stream)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not any(np.array_equal(a[k], c[k]) for k in a)


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_marginals_are_kept_within_one_stratum(method):
    # each of the block's REPLICATES randomisations of m = n / REPLICATES paths is stratified in one
    # dimension (Latin hypercube; Sobol' at a power of two): each one's empirical CDF of a uniform
    # input is within 1/m of the exact one, so is their pooled one; far inside Kolmogorov's 1.36/sqrt(n)
    s = _uniform_target()
    x = np.sort(sample_inputs(s, N, seed=5, block=0, n_years=1, sampling=method)["m.effect"][0])
    ecdf = np.arange(1, N + 1) / N
    assert np.max(np.abs(ecdf - x / 1000)) <= REPLICATES / N + 1e-9
    # the go-ahead keeps its probability: exactly 0.6 up to one stratum of each randomisation
    g = sample_inputs(s, N, seed=5, block=0, n_years=1, sampling=method)["k.go_ahead"][0]
    assert abs(g.mean() - 0.6) <= REPLICATES / N + 1e-12


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_rank_correlations_hold_through_the_same_copula(method):
    posts = [{"id": "p", "base": 10_000_000}]
    measures = [{"id": f"m{i}", "post": "p", "effect": {"amount": 100}, "go_ahead": 0.7 + 0.1 * i}
                for i in range(2)]
    s = scenario(posts, measures, years=(2025,),
                 correlation=[{"between": ["m0.go_ahead", "m1.go_ahead"], "rank": 0.6, "reason": "test"}])
    blocks = [sample_inputs(s, N, seed=7, block=b, n_years=1, sampling=method) for b in range(16)]
    rhos = [stats.spearmanr(x["m0.go_ahead"][0], x["m1.go_ahead"][0])[0] for x in blocks]
    se = np.std(rhos, ddof=1) / math.sqrt(len(rhos))
    assert abs(np.mean(rhos) - 0.6) < 4 * se


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_probability_is_unbiased_with_an_honest_between_block_error(method):
    s = _uniform_target(0.7, other=False)
    options = RunOptions(sampling=method)
    p = np.array([np.mean(simulate_block(s, N, seed=11, block=b, options=options).net[-1] >= 300.0 - 1e-9)
                  for b in range(24)])
    se = between_block_se(p, np.full(p.size, N))
    assert abs(p.mean() - 0.7) < 4 * se
    mc_se = math.sqrt(0.21 / (N * p.size))
    if method == "mc":  # the between-block error agrees with the binomial one (chi-square, 23 df)
        assert 0.5 * mc_se < se < 1.5 * mc_se
    else:  # and the stratified methods need fewer paths for the same error
        assert se < mc_se


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_a_streamed_run_reports_the_randomisations_error_and_it_is_honest(method):
    # across independent seeds, the spread of P(met) matches the error each run reports from its own
    # 16 randomisations: the ratio of the two variances is F-distributed; 4 SE bounds are wide enough
    from simulator.results.summary import Summary
    from simulator.run.streaming import run_stream

    s = _uniform_target(0.7)
    ps, ses = [], []
    for seed in range(24):
        m = run_stream(s, N, seed=seed, threads=1, sampling=method)
        summary = Summary.from_merged(m)
        ps.append(summary.p_target_met[2025])
        ses.append(summary.p_target_met_se[2025])
    spread = np.std(ps, ddof=1)
    reported = math.sqrt(np.mean(np.square(ses)))
    # the standard deviation of a sample sd from 24 runs is about sd / sqrt(2 x 23)
    assert abs(spread - reported) < 4 * reported / math.sqrt(2 * 23)
    assert reported < math.sqrt(0.21 / N)  # and below plain Monte Carlo's


def test_unknown_sampling_is_refused():
    from simulator.run.streaming import run_stream

    with pytest.raises(ValueError, match="sampling"):
        run_stream(_uniform_target(), 100, sampling="halton")
