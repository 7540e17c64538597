"""Risk figures, sensitivity, contributions and the waterfall on scenarios with a known answer.

Closed forms are derived in each test; Monte Carlo tolerances are 4 standard errors of the
estimate, from its own formula (or, for the first-order index, a bootstrap), never tuned.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy import stats

from simulator.results.analysis import (
    Study,
    analyse,
    contributions,
    first_order_index,
    rank,
    ratio_class,
    risk,
    sensitivity,
    spearman,
    waterfall,
)

from .fuzz import rich_doc
from .helpers import scenario

Z90 = stats.norm.ppf(0.90)


# --- weerstandsratio classes: every boundary ----------------------------------------------


@pytest.mark.parametrize(("ratio", "cls"), [
    (math.inf, "A"), (2.5, "A"), (np.nextafter(2.0, 3.0), "A"),
    (2.0, "B"), (1.7, "B"), (1.4, "B"), (np.nextafter(1.4, 0.0), "C"),
    (1.0, "C"), (np.nextafter(1.0, 0.0), "D"),
    (0.8, "D"), (np.nextafter(0.8, 0.0), "E"),
    (0.6, "E"), (np.nextafter(0.6, 0.0), "F"), (0.0, "F"),
])
def test_ratio_classes_take_each_lower_bound_inclusive(ratio, cls):
    assert ratio_class(ratio)[0] == cls


def test_ratio_class_words():
    assert ratio_class(2.0)[1:] == ("ruim voldoende", "more than sufficient")
    assert ratio_class(0.1)[1] == "ruim onvoldoende"


# --- ranks and indices --------------------------------------------------------------------


def test_rank_averages_ties():
    assert rank(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [2.5, 0.0, 2.5, 1.0]


def test_spearman_of_a_sum_of_two_equal_normals():
    # Y = X1 + X2, equal variances: Pearson 1/sqrt(2); for a bivariate normal Spearman is
    # (6/pi) asin(rho/2). Standard error on Fisher's z scale: sqrt(1.06 / (n - 3)).
    n = 20_000
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    expected = 6 / math.pi * math.asin(1 / math.sqrt(2) / 2)
    got = spearman(x1, x1 + x2)
    assert abs(math.atanh(got) - math.atanh(expected)) < 4 * math.sqrt(1.06 / (n - 3))


def test_first_order_index_of_a_sum_of_two_equal_normals():
    # S1 = Var(E[Y|X1]) / Var(Y) = 1/2. With B equal-count bins the estimator sees
    # E[X1 | bin] only: its variance is sum_b (1/B) m_b^2 with m_b = B (phi(a_b) - phi(a_{b+1})),
    # the bin edges a_b = Phi^-1(b/B). Expected: 0.5 * that. Tolerance: 4 bootstrap errors.
    n, bins = 20_000, 50
    rng = np.random.default_rng(2)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    edges = stats.norm.ppf(np.linspace(0, 1, bins + 1))
    m = bins * (stats.norm.pdf(edges[:-1]) - stats.norm.pdf(edges[1:]))
    expected = 0.5 * np.mean(m**2)
    y = x1 + x2
    got = first_order_index(x1, y, bins)
    boot = []
    for _ in range(30):
        i = rng.integers(0, n, n)
        boot.append(first_order_index(x1[i], y[i], bins))
    assert abs(got - expected) < 4 * np.std(boot, ddof=1)


def test_an_input_that_does_not_vary_has_no_influence():
    x = np.full(1000, 3.0)
    y = np.random.default_rng(3).normal(size=1000)
    assert spearman(x, y) == 0.0 and first_order_index(x, y) == 0.0


# --- a study on small scenarios -----------------------------------------------------------


def _two_posts(sd1=20_000, sd2=20_000, go=None, target=None, **extra):
    posts = [{"id": "a", "base": 5_000_000}, {"id": "b", "base": 5_000_000}, {"id": "c", "base": 1_000_000}]
    m1 = {"id": "m1", "post": "a", "effect": {"amount": {"normal": [100_000, sd1]}}}
    if go is not None:
        m1["go_ahead"] = go
    measures = [m1, {"id": "m2", "post": "b", "effect": {"amount": {"normal": [50_000, sd2]}}},
                {"id": "m3", "post": "c", "effect": {"amount": 10_000}, "start": 2025, "delay": 1}]
    targets = [{"scope": "all", "amounts": {"2026": target}}] if target else ()
    return scenario(posts, measures, years=(2025, 2026), targets=targets, **extra)


def test_tornado_swing_of_a_linear_input_is_its_own_p10_p90_range():
    # Savings = X1 + X2 + 10,000 with X1 ~ N(100k, 20k): fixing X1 shifts every path by the
    # same amount, and with common random numbers the median moves by exactly that amount.
    st = Study(_two_posts(), paths=4000, seed=1, aux_paths=4000)
    rows = {r.key: r for r in sensitivity(st)}
    for key in ("m1.effect", "m2.effect"):
        r = rows[key]
        assert r.swing == pytest.approx(r.p90_value - r.p10_value, rel=1e-9)
        # the inverse CDF is a table within 3e-7 of the distribution's range (docs/performance.md)
        assert r.swing == pytest.approx(2 * Z90 * 20_000, rel=1e-6)


def test_a_fixed_input_has_zero_influence():
    # "delay = 1" is a random input with zero variance: no swing, no correlation, no index
    st = Study(_two_posts(), paths=3000, seed=4, aux_paths=3000)
    rows = {r.key: r for r in sensitivity(st, leading=10)}
    fixed = rows["m3.delay"]
    assert fixed.swing == 0.0 and fixed.spearman == 0.0 and fixed.first_order == 0.0


def test_the_largest_influence_comes_first():
    st = Study(_two_posts(sd1=40_000, sd2=5_000), paths=3000, seed=5, aux_paths=3000)
    rows = sensitivity(st)
    assert rows[0].key == "m1.effect" and rows[0].spearman > rows[1].spearman > 0


def test_measures_on_different_posts_have_no_interaction_loss():
    st = Study(_two_posts(), paths=3000, seed=6, aux_paths=3000)
    c = contributions(st)
    loss = c.interaction_loss
    assert max(abs(getattr(loss, k)) for k in ("mean", "p5", "p50", "p95")) < 1e-6
    for m in c.measures:  # with nothing shared, the marginal contribution is the standalone one
        assert m.marginal.mean == pytest.approx(m.standalone.mean, abs=1e-6)


def test_two_fractions_on_one_post_lose_their_product():
    # 10% and 20% of 1,000,000 alone: 300,000; together 1 - 0.9 * 0.8 = 28%: loss 20,000
    s = scenario([{"id": "p", "base": 1_000_000}],
                 [{"id": "x", "post": "p", "effect": {"fraction": 0.1}},
                  {"id": "y", "post": "p", "effect": {"fraction": 0.2}}], years=(2025,))
    c = contributions(Study(s, paths=100, seed=0))
    assert c.interaction_loss.mean == pytest.approx(20_000, abs=1e-6)
    marginal = {m.id: m.marginal.mean for m in c.measures}
    assert marginal == pytest.approx({"x": 280_000 - 200_000, "y": 280_000 - 100_000})


def test_no_go_loss_is_the_expected_cancelled_saving():
    # m1 (100,000 on average) goes ahead with p = 0.6: the package loses 0.4 * 100,000 on
    # average. Per path the loss is -X1 (1 - go); sd from its two moments.
    n = 20_000
    st = Study(_two_posts(go=0.6), paths=n, seed=7, aux_paths=n)
    m1 = next(m for m in contributions(st).measures if m.id == "m1")
    mean = -0.4 * 100_000
    second = 0.4 * (100_000**2 + 20_000**2)
    se = math.sqrt(second - mean**2) / math.sqrt(n)
    assert abs(m1.loss_no_go - mean) < 4 * se
    assert m1.loss_delay == 0.0 and m1.loss_cost_overrun == 0.0 and m1.p_go_ahead == 0.6


def test_waterfall_adds_up_from_plan_to_p50():
    st = Study(_two_posts(go=0.6), paths=5000, seed=8, aux_paths=2000)
    steps = waterfall(st)
    assert steps[0].step == "plan" and steps[-1].step == "p50"
    total = steps[0].value + sum(s.value for s in steps[1:-1])
    assert total == pytest.approx(steps[-1].value, abs=1e-6)
    assert steps[-1].value == pytest.approx(float(np.median(st.net)), abs=1e-9)
    by = {s.step: s.value for s in steps}
    assert by["no_go"] < 0 and by["delay"] == 0.0 and by["cost_overruns"] == 0.0
    assert by["autonomous_growth"] == 0.0 and by["interaction_loss"] == 0.0


def test_risk_figures_of_a_normal_saving_against_a_target():
    # Savings X ~ N(mu, sd) (one amount), target T: P(met) = 1 - Phi(d), d = (T - mu) / sd;
    # shortfall S = max(T - X, 0): E[S] = sd (phi(d) + d Phi(d)); its 90th percentile is
    # T - (mu + sd z_0.10); the 95th percentile of S given S > 0 is T - mu - sd Phi^-1(0.05 Phi(d)).
    n, mu, sd, t = 100_000, 1_000_000, 200_000, 1_100_000
    s = scenario([{"id": "p", "base": 50_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": {"normal": [mu, sd]}}}], years=(2025,),
                 targets=[{"scope": "all", "amounts": {"2025": t}}])
    st = Study(s, paths=n, seed=9)
    need_expected = t - (mu + sd * stats.norm.ppf(0.10))
    h = risk(st, capacity=2 * need_expected).headline
    d = (t - mu) / sd
    p = 1 - stats.norm.cdf(d)
    assert abs(h.p_met - p) < 4 * math.sqrt(p * (1 - p) / n)
    es = sd * (stats.norm.pdf(d) + d * stats.norm.cdf(d))
    es2 = sd**2 * ((1 + d * d) * stats.norm.cdf(d) + d * stats.norm.pdf(d))  # E[S^2]
    assert abs(h.expected_shortfall - es) < 4 * math.sqrt(es2 - es**2) / math.sqrt(n)
    # a quantile's standard error: sqrt(q (1 - q) / n) / density at the quantile
    se_q = math.sqrt(0.9 * 0.1 / n) / (stats.norm.pdf(stats.norm.ppf(0.10)) / sd)
    assert abs(h.needed_capacity - need_expected) < 4 * se_q
    lo, hi = h.needed_capacity_interval
    assert lo <= h.needed_capacity <= hi
    q = 0.05 * stats.norm.cdf(d)
    worst = t - mu - sd * stats.norm.ppf(q)
    n_miss = n * stats.norm.cdf(d)
    se_w = math.sqrt(0.05 * 0.95 / n_miss) / (stats.norm.pdf(stats.norm.ppf(q)) / sd / stats.norm.cdf(d))
    assert abs(h.max_consequence - worst) < 4 * se_w
    assert h.realisatierisico == pytest.approx((1 - h.p_met) * h.max_consequence)
    assert h.ratio == pytest.approx(2 * need_expected / h.needed_capacity)


def test_exactly_twice_the_need_is_class_b():
    s = scenario([{"id": "p", "base": 5_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": {"normal": [100_000, 30_000]}}}], years=(2025,),
                 targets=[{"scope": "all", "amounts": {"2025": 120_000}}])
    st = Study(s, paths=2000, seed=3)
    need = risk(st).headline.needed_capacity
    h = risk(st, capacity=2 * need).headline
    assert h.ratio == 2.0 and h.ratio_class == "B"


def test_no_shortfall_needs_no_reserve():
    s = scenario([{"id": "p", "base": 5_000_000}], [{"id": "m", "post": "p", "effect": {"amount": 200_000}}],
                 years=(2025,), targets=[{"scope": "all", "amounts": {"2025": 100_000}}])
    h = risk(Study(s, paths=500, seed=0), capacity=0.0).headline
    assert h.needed_capacity == 0 and h.p_met == 1.0 and h.ratio_class == "A"
    assert h.realisatierisico == 0.0


# --- council answers on generated scenarios -------------------------------------------------


def _finite(x) -> bool:
    """Every number inside (nested dicts and lists) is finite, except an unbounded ratio."""
    if isinstance(x, dict):
        return all(_finite(v) for k, v in x.items() if k != "ratio")
    if isinstance(x, (list, tuple)):
        return all(_finite(v) for v in x)
    if isinstance(x, float):
        return math.isfinite(x)
    return True


@settings(max_examples=12, deadline=None)
@given(rich_doc(max_posts=3, max_measures=4))
def test_council_answers_on_generated_scenarios_are_finite_and_consistent(doc):
    from simulator.report.paragraph import risk_paragraph
    from simulator.scenario.loader import build

    f = analyse(build(doc), paths=300, seed=2, aux_paths=200, capacity=100_000)
    assert _finite(f.risk.to_json()) and _finite([r.to_json() for r in f.sensitivity])
    assert _finite(f.contributions.to_json()) and _finite([s.to_json() for s in f.waterfall])
    for g in f.risk.goals:
        for d in g.years.values():
            assert 0 <= d.p_met <= 1 and d.expected_shortfall >= 0 and d.needed_capacity >= 0
            lo, hi = d.needed_capacity_interval
            assert lo <= d.needed_capacity <= hi
            assert 0 <= d.realisatierisico <= d.max_consequence + 1e-9
    for r in f.sensitivity:
        assert -1 - 1e-12 <= r.spearman <= 1 + 1e-12
        assert r.first_order is None or 0 <= r.first_order <= 1
    total = f.waterfall[0].value + sum(s.value for s in f.waterfall[1:-1])
    assert total == pytest.approx(f.waterfall[-1].value, rel=1e-9, abs=1e-6)
    for lang in ("nl", "en"):
        text = risk_paragraph(f, lang)
        assert "nan" not in text.lower() and "inf " not in text.lower()
