"""Closed-form oracles, checked within a few Monte Carlo standard errors (fixed seeds).

Each expected number cites its derivation; tolerances are 4 standard errors, computed from
the same formula, never tuned.
"""

import math

import numpy as np
import pytest
from scipy import stats

from simulator.results.summary import summarise_years
from simulator.run.dataset import run

from .helpers import scenario

N = 200_000


def test_independent_normal_effects_sum_to_a_normal():
    # Sum of independent N(mu_i, sd_i) is N(sum mu, sqrt(sum sd^2)); amounts on separate posts.
    mus, sds = [100_000, 250_000, 50_000], [20_000, 40_000, 10_000]
    posts = [{"id": f"p{i}", "base": 10_000_000} for i in range(3)]
    measures = [{"id": f"m{i}", "post": f"p{i}", "effect": {"amount": {"normal": [mu, sd]}}}
                for i, (mu, sd) in enumerate(zip(mus, sds, strict=True))]
    s = scenario(posts, measures, years=(2025,))
    x = run(s, N, seed=11)["net_savings"].values[:, 0]
    mu, sd = sum(mus), math.sqrt(sum(v * v for v in sds))
    assert abs(x.mean() - mu) < 4 * sd / math.sqrt(N)
    assert abs(x.std() - sd) < 4 * sd / math.sqrt(2 * N)
    # a quantile: P5 = mu - 1.645 sd; its standard error is sqrt(p(1-p)/N) / density(q)
    q = mu + sd * stats.norm.ppf(0.05)
    se_q = math.sqrt(0.05 * 0.95 / N) / stats.norm.pdf(stats.norm.ppf(0.05)) * sd
    assert abs(np.quantile(x, 0.05) - q) < 4 * se_q


def test_independent_go_aheads_give_a_binomial_chance_of_meeting_the_target():
    # k = 5 measures of 100,000 each going ahead with p = 0.6: meeting 300,000 needs >= 3 of 5.
    posts = [{"id": f"p{i}", "base": 10_000_000} for i in range(5)]
    measures = [{"id": f"m{i}", "post": f"p{i}", "effect": {"amount": 100_000}, "go_ahead": 0.6}
                for i in range(5)]
    s = scenario(posts, measures, years=(2025,),
                 targets=[{"scope": "all", "amounts": {"2025": 300_000}}])
    p_expected = stats.binom.sf(2, 5, 0.6)  # P(X >= 3) = 0.68256
    p = summarise_years(run(s, N, seed=5)).p_target_met[2025]
    assert abs(p - p_expected) < 4 * math.sqrt(p_expected * (1 - p_expected) / N)


def test_a_single_pert_effect_has_the_pert_mean():
    # PERT [a, m, b], lambda 4: mean (a + 4m + b) / 6, variance (mean - a)(b - mean) / 7.
    a, m, b = 50_000, 100_000, 200_000
    s = scenario([{"id": "p", "base": 10_000_000}],
                 [{"id": "x", "post": "p", "effect": {"amount": {"pert": [a, m, b]}}}], years=(2025,))
    x = run(s, N, seed=2)["net_savings"].values[:, 0]
    mean = (a + 4 * m + b) / 6
    sd = math.sqrt((mean - a) * (b - mean) / 7)
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(N)


def test_budget_probability_of_a_normal_growth():
    # Baseline 1e6 * (1 + g), g ~ N(0.03, 0.02): P(spending <= 1.04e6) = Phi((0.04 - 0.03) / 0.02).
    s = scenario([{"id": "p", "base": 1_000_000, "growth": {"normal": [0.03, 0.02]}}], [], years=(2025,),
                 budgets=[{"scope": "all", "amounts": {"2025": 1_040_000}}])
    p_expected = stats.norm.cdf(0.5)
    p = summarise_years(run(s, N, seed=8)).p_within_budget[2025]
    assert abs(p - p_expected) < 4 * math.sqrt(p_expected * (1 - p_expected) / N)


def test_rank_correlation_is_induced_and_marginals_kept():
    # Gaussian copula with Pearson 2 sin(pi r / 6) has Spearman r; PERT marginals unchanged.
    posts = [{"id": "p", "base": 10_000_000}, {"id": "q", "base": 10_000_000}]
    measures = [{"id": "a", "post": "p", "effect": {"amount": {"pert": [0, 50, 100]}}},
                {"id": "b", "post": "q", "effect": {"amount": {"uniform": [0, 100]}}}]
    s = scenario(posts, measures, years=(2025,),
                 correlation=[{"between": ["a.effect", "b.effect"], "rank": 0.6, "reason": "test"}])
    ds = run(s, N, seed=4, detail=True)
    x = ds["measure_savings"].sel(measure="a").values[:, 0]
    y = ds["measure_savings"].sel(measure="b").values[:, 0]
    rho = stats.spearmanr(x, y)[0]
    # standard error of Spearman's rho is about (1 - rho^2) / sqrt(N) for a Gaussian copula
    assert abs(rho - 0.6) < 4 * (1 - 0.36) / math.sqrt(N) + 0.005
    assert abs(y.mean() - 50) < 4 * (100 / math.sqrt(12)) / math.sqrt(N)


def test_a_single_bernoulli_go_ahead():
    # One measure saving A with go-ahead p: net is A with probability p, else 0.
    # Mean p A (se A sqrt(p(1-p)/N)); P(net >= A) = p; P5 = 0 and P95 = A for 0.05 < p < 0.95.
    a, p0 = 400_000, 0.3
    s = scenario([{"id": "p", "base": 10_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": a}, "go_ahead": p0}], years=(2025,),
                 targets=[{"scope": "all", "amounts": {"2025": a}}])
    ds = run(s, N, seed=12)
    x = ds["net_savings"].values[:, 0]
    assert set(np.unique(x)) == {0.0, float(a)}
    se = math.sqrt(p0 * (1 - p0) / N)
    assert abs(x.mean() - p0 * a) < 4 * a * se
    summary = summarise_years(ds)
    assert abs(summary.p_target_met[2025] - p0) < 4 * se
    assert summary.savings[2025].p5 == 0.0 and summary.savings[2025].p95 == a


def test_a_single_pert_has_the_beta_quantiles_and_variance_in_the_summary():
    # PERT [a, m, b] is a + (b - a) Beta(1 + 4 (m - a)/(b - a), 1 + 4 (b - m)/(b - a)).
    # Quantile q_p has standard error sqrt(p (1 - p) / N) / f(q_p), f the density.
    a, m, b = 50_000, 100_000, 200_000
    s = scenario([{"id": "p", "base": 10_000_000}],
                 [{"id": "x", "post": "p", "effect": {"amount": {"pert": [a, m, b]}}}], years=(2025,))
    ds = run(s, N, seed=21)
    beta = stats.beta(1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a), loc=a, scale=b - a)
    got = summarise_years(ds).savings[2025]
    for key, p in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95)):
        q = beta.ppf(p)
        se = math.sqrt(p * (1 - p) / N) / beta.pdf(q)
        assert abs(getattr(got, key) - q) < 4 * se, (key, getattr(got, key), q)
    x = ds["net_savings"].values[:, 0]
    var = beta.var()  # = (mean - a)(b - mean) / 7 for lambda 4
    assert abs(var - (beta.mean() - a) * (b - beta.mean()) / 7) < 1e-6 * var
    # se of a sample variance: sqrt((mu4 - var^2) / N)
    mu4 = beta.moment(4) - 4 * beta.mean() * beta.moment(3) + 6 * beta.mean() ** 2 * beta.moment(2) \
        - 3 * beta.mean() ** 4
    assert abs(x.var() - var) < 4 * math.sqrt((mu4 - var**2) / N)


# --- issue 16: error bars and CVaR --------------------------------------------------------------


def test_cvar_of_a_normal_saving_against_a_target():
    # S ~ N(1e6, 1e5), target 1e6: shortfall max(T - S, 0) is positive on half the paths, so the worst
    # 10% are the paths with S below its P10: CVaR = T - E[S | S <= q10] = sd phi(z10) / 0.1 (closed form)
    from simulator.results.analysis import Study, risk

    s = scenario([{"id": "p", "base": 10_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": {"normal": [1_000_000, 100_000]}}}],
                 years=(2025,), targets=[{"scope": "all", "amounts": {"2025": 1_000_000}}])
    h = risk(Study(s, paths=N, seed=3)).headline
    expected = 100_000 * stats.norm.pdf(stats.norm.ppf(0.1)) / 0.1
    assert abs(h.cvar - expected) < 4 * h.cvar_se
    # the mean shortfall over every path: sd phi(0) (closed form), under its own name and the old one
    assert abs(h.mean_shortfall - 100_000 * stats.norm.pdf(0)) < 4 * h.mean_shortfall_se
    assert h.expected_shortfall == h.mean_shortfall
    # P(met) 1/2 inside its Wilson interval, P50 (the target) inside its order-statistic interval
    lo, hi = h.p_met_interval
    assert lo < 0.5 < hi and hi - lo == pytest.approx(2 * 1.96 * math.sqrt(0.25 / N), rel=0.01)
    lo, hi = h.p50_interval
    assert lo < 1_000_000 < hi


def test_order_statistic_interval_has_the_binomial_ranks():
    # the q-quantile's 95% interval runs between the order statistics at the binomial's 2.5% and 97.5%
    # points (a distribution-free interval): ranks within 2 of scipy's binom.ppf
    from simulator.results.analysis import quantile_interval

    n, q = 10_000, 0.9
    x = np.arange(n, dtype=float)  # the value is its rank
    lo, hi = quantile_interval(x, q)
    assert abs(lo - stats.binom.ppf(0.025, n, q)) <= 2 and abs(hi - stats.binom.ppf(0.975, n, q)) <= 2


def test_waterfall_steps_carry_their_error():
    # one measure saving A with go-ahead p: the no-go step is (p_hat - 1) A, its error A sqrt(p (1 - p) / n)
    from simulator.results.analysis import Study, waterfall

    a, p0, n = 100_000, 0.7, 20_000
    s = scenario([{"id": "p", "base": 10_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": a}, "go_ahead": p0}], years=(2025,))
    steps = {x.step: x for x in waterfall(Study(s, paths=n, seed=5))}
    se = a * math.sqrt(p0 * (1 - p0) / n)
    assert steps["no_go"].se == pytest.approx(se, rel=0.05)
    assert abs(steps["no_go"].value - (p0 - 1) * a) < 4 * se
    assert steps["delay"].se == 0.0 and steps["plan"].se == 0.0


def test_inverse_cdf_tables_are_as_exact_as_documented():
    # D9: the tables were documented as "within 3e-7" for every shape; shapes below 1 are far less exact
    from simulator.scenario.quantiles import beta_table, normal_table

    u = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 100_001), np.geomspace(1e-12, 1e-3, 2000),
                        1 - np.geomspace(1e-12, 1e-3, 2000)])
    for a, b in ((1.0, 1.0), (2.0, 5.0), (5.0, 1.0), (3.0, 3.0), (1.2, 4.8), (100.0, 100.0)):
        assert np.max(np.abs(beta_table(a, b)(u) - stats.beta.ppf(u, a, b))) < 3e-7, (a, b)
    assert np.max(np.abs(normal_table()(u) - stats.norm.ppf(u))) < 1e-6
    assert np.max(np.abs(beta_table(0.05, 0.05)(u) - stats.beta.ppf(u, 0.05, 0.05))) < 1e-3


def test_savings_percentiles_carry_order_statistic_intervals_in_both_summaries():
    # net = U(0, 1000): the P10 is 100 and P90 900; the streamed summary gives the same intervals
    from simulator.results.summary import Summary
    from simulator.run.streaming import run_stream

    s = scenario([{"id": "p", "base": 1_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": {"uniform": [0, 1000]}}}], years=(2025,))
    full = summarise_years(run(s, 20_000, seed=2)).savings_interval[2025]
    streamed = Summary.from_merged(run_stream(s, 20_000, seed=2, threads=1)).savings_interval[2025]
    assert full == streamed
    for k, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        lo, hi = full[k]
        assert lo < 1000 * q < hi
        # width: 2 x 1.96 sqrt(q (1 - q) / n) / density (1/1000), within rounding of the ranks
        assert hi - lo == pytest.approx(2 * 1.96 * math.sqrt(q * (1 - q) / 20_000) * 1000, rel=0.2)
