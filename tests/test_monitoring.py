"""Realised figures, conditioning, goal seek and the optimiser against independent oracles.

Oracles: the conjugate normal update (normal prior, normal measurement error), the binomial
for independent go/no-go measures, brute-force rejection sampling, and exhaustive enumeration
of every package on small programmes. Tolerances are multiples of the Monte Carlo standard
error of the estimate (never hand-tuned).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from simulator.cli import main
from simulator.results.conditioning import (
    effective_sample_size,
    headline,
    run_conditioned,
    weighted_probability,
    weighted_quantile,
)
from simulator.results.goalseek import find_goal, gap, minimal_factor, seek
from simulator.results.optimise import build_problem, choose, margins, solve_heuristic, solve_milp
from simulator.scenario.loader import load
from simulator.scenario.realised import RealisedError, parse

HERE = Path(__file__).resolve().parent
REALISED = HERE / "realised"
ROOT = HERE.parent
Z = 4.0  # a test fails by chance with probability < 1e-4


def _write(tmp_path, text: str, name: str = "r.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


HEADER = "as_of,kind,id,period,value,start,error,error_eur,source\n"


# --- closed forms ------------------------------------------------------------------------


def test_normal_effect_observed_with_normal_noise_matches_the_conjugate_posterior(tmp_path):
    s = load(REALISED / "normal-effect.toml")
    mu, sd, y, tau = 1_000_000.0, 200_000.0, 1_250_000.0, 150_000.0
    # a tiny relative error so that error_eur is the measurement error
    r = parse(_write(tmp_path, HEADER + f"2025-12-31,effect,m,2025,{y:.0f},,1e-9,{tau:.0f},ledger\n"), s)
    c = run_conditioned(s, r, paths=40_000, seed=3)
    x = c.dataset["input_x"].values
    prec = 1 / sd**2 + 1 / tau**2
    post_mean, post_sd = (mu / sd**2 + y / tau**2) / prec, prec**-0.5  # conjugate normal
    w = c.weights
    mean = float(np.dot(w, x))
    mean_se = float(np.sqrt(np.sum(w * w * (x - mean) ** 2)))
    assert abs(mean - post_mean) < Z * mean_se
    p, se = weighted_probability(x >= 1_100_000, w)
    assert abs(p - stats.norm.sf(1_100_000, post_mean, post_sd)) < Z * se
    h = headline(c)
    assert abs(h["p_met"] - stats.norm.sf(1_100_000, post_mean, post_sd)) < Z * h["p_met_se"]
    # the ESS for a normal prior and likelihood: n * sqrt(1 - rho^2)... at least a fair share of n
    assert 0.2 * 40_000 < c.ess < 40_000


@pytest.mark.parametrize("answer, oracle", [("yes", lambda p: 1 - (1 - p) ** 2), ("no", lambda p: p**2)])
def test_a_decision_leaves_a_binomial_in_the_other_measures(tmp_path, answer, oracle):
    s = load(REALISED / "three-go.toml")
    plan = run_conditioned(s, None, paths=20_000, seed=5)
    h0 = headline(plan)
    assert abs(h0["p_met"] - stats.binom.sf(1, 3, 0.6)) < Z * h0["p_met_se"]
    r = parse(_write(tmp_path, HEADER + f"2025-06-01,decision,ma,,{answer},,,,raadsbesluit\n"), s)
    c = run_conditioned(s, r, paths=20_000, seed=5)
    h = headline(c)
    assert abs(h["p_met"] - oracle(0.6)) < Z * h["p_met_se"]
    assert c.ess == pytest.approx(20_000)  # a decision fixes an input: no weights


def test_observing_a_bernoulli_go_ahead_equals_deciding_it(tmp_path):
    """Weighting by a sharp observation of an independent go-ahead gives what fixing it gives."""
    s = load(REALISED / "three-go.toml")
    r = parse(_write(tmp_path, HEADER + "2025-06-01,input,ma.go_ahead,,1,,,0.05,register\n"), s)
    c = run_conditioned(s, r, paths=20_000, seed=6)
    h = headline(c)
    assert abs(h["p_met"] - (1 - 0.4**2)) < Z * h["p_met_se"]
    assert abs(c.ess - 20_000 * 0.6) < Z * np.sqrt(20_000 * 0.6 * 0.4)  # the share of paths with ma = 1


def test_weighting_agrees_with_brute_force_rejection_sampling(tmp_path):
    s = load(ROOT / "tests" / "scenarios" / "minimal.toml")
    r = parse(_write(tmp_path, HEADER + "2025-12-31,effect,kids,2025,420000,,8%,,ledger\n"
                     "2025-12-31,spending,jeugd,2025-H1,5080000,,2%,,ledger\n"), s)
    c = run_conditioned(s, r, paths=40_000, seed=7)
    ds, w = c.dataset, c.weights
    savings = ds["net_savings"].sel(year=2026).values
    # rejection: accept a path with probability L_i / max L (an independent uniform per path)
    accept = np.random.default_rng(11).random(w.size) < w / w.max()
    n_acc = int(accept.sum())
    assert n_acc > 500
    met = savings >= 1_200_000
    p_w, se_w = weighted_probability(met, w)
    p_r = float(met[accept].mean())
    se_r = np.sqrt(p_r * (1 - p_r) / n_acc)
    assert abs(p_w - p_r) < Z * np.hypot(se_w, se_r)
    m_w = float(np.dot(w, savings))
    se_mw = float(np.sqrt(np.sum(w * w * (savings - m_w) ** 2)))
    assert abs(m_w - savings[accept].mean()) < Z * np.hypot(se_mw, savings[accept].std() / np.sqrt(n_acc))


def test_equal_weights_reduce_to_the_plain_estimates():
    x = np.random.default_rng(1).normal(size=1001)
    w = np.full(x.size, 1 / x.size)
    assert effective_sample_size(w) == pytest.approx(x.size)
    p, se = weighted_probability(x > 0, w)
    assert p == pytest.approx((x > 0).mean())
    assert se == pytest.approx(np.sqrt(p * (1 - p) / x.size))
    assert weighted_quantile(x, w, 0.5) == np.quantile(x, 0.5, method="inverted_cdf")


# --- goal seek against enumeration on the paths -----------------------------------------------


def test_goal_seek_is_exact_on_the_paths(minimal):
    c = run_conditioned(minimal, None, paths=5000, seed=2)
    sk = seek(c, minimal, certainty=0.8, measure="hh-10b")
    goal, year = find_goal(c, None, None, None)
    d = gap(goal, year)
    w = c.weights
    x = sk["extra_needed_raw"]
    assert np.dot(w, d <= x) >= 0.8 - 1e-12  # enough
    assert np.dot(w, d <= np.nextafter(x, -np.inf)) < 0.8  # and not a euro less
    met = sk["amount_met"]
    assert np.dot(w, goal.measured[year] >= met) >= 0.8 - 1e-12
    assert np.dot(w, goal.measured[year] >= np.nextafter(met, np.inf)) < 0.8
    # the factor: the smallest k on a fine grid with P >= 0.8, computed directly per path
    g = c.dataset["measure_savings"].sel(measure="hh-10b", year=year).values
    grid = np.arange(0, 5, 0.0005)
    p = np.array([np.dot(w, (k - 1) * g >= d) for k in grid])
    k_grid = grid[np.argmax(p >= 0.8 - 1e-12)]
    k = sk["measure"]["factor"]
    assert k <= k_grid + 1e-9 and k > k_grid - 0.0005
    assert sk["measure"]["factor_interval"][0] <= k <= sk["measure"]["factor_interval"][1]


def test_minimal_factor_with_negative_contributions_matches_enumeration():
    rng = np.random.default_rng(4)
    d, g = rng.normal(0, 1, 300), rng.normal(0.5, 1, 300)
    g[:20] = 0
    w = rng.random(300)
    w /= w.sum()
    grid = np.unique(np.concatenate([[0.0], 1 + d[g > 0] / g[g > 0]]))
    grid = grid[grid >= 0]
    p = np.array([np.dot(w, (k - 1) * g >= d) for k in grid])
    for c in (0.3, 0.5, 0.6):
        ok = grid[p >= c - 1e-12]
        expected = ok[0] if ok.size else np.inf
        assert minimal_factor(d, g, w, c) == pytest.approx(expected)


# --- the optimiser against exhaustive enumeration ---------------------------------------------


def _p_every(s, package, paths, seed):
    c = run_conditioned(s, None, paths=paths, seed=seed, active=frozenset(package))
    m, _ = margins(c.dataset)
    return float((m >= 0).all(axis=0).mean()), m


@pytest.mark.parametrize("budget", [60_000.0, 120_000.0, 1e9])
def test_optimiser_finds_the_best_package_of_all_sixteen(budget):
    s = load(REALISED / "additive.toml")
    pool = tuple(m.id for m in s.measures)
    paths, seed = 600, 9
    pb, _ = build_problem(s, pool, None, paths=paths, seed=seed)
    best = -1.0
    for k in range(len(pool) + 1):
        for subset in itertools.combinations(range(len(pool)), k):
            x = np.zeros(len(pool), dtype=bool)
            x[list(subset)] = True
            if pb.cost(x) > budget + 1e-6:
                continue
            p, m = _p_every(s, [pool[i] for i in subset], paths, seed)
            # additive programme: the linear model is the simulation, path by path
            np.testing.assert_allclose(pb.margin(x), m, atol=1e-6)
            best = max(best, p)
    x, proved = solve_milp(pb, budget=budget)
    assert proved
    assert _p_every(s, [j for j, on in zip(pool, x, strict=True) if on], paths, seed)[0] == pytest.approx(best)
    r = choose(s, pool, (), paths=paths, seed=seed, budget=budget, pareto_levels=3)
    assert r["chosen"]["p_every_goal"] == pytest.approx(best)


def test_reserve_objective_matches_enumeration():
    s = load(REALISED / "additive.toml")
    pool = tuple(m.id for m in s.measures)
    pb, _ = build_problem(s, pool, None, paths=400, seed=1)
    budget = 100_000.0
    values = []
    for bits in itertools.product([False, True], repeat=len(pool)):
        x = np.array(bits)
        if pb.cost(x) <= budget:
            values.append(-pb.value(x, "reserve", 0.9)[0])
    x, proved = solve_milp(pb, budget=budget, objective="reserve")
    assert proved
    assert -pb.value(x, "reserve", 0.9)[0] == pytest.approx(min(values), abs=1e-3)
    xh = solve_heuristic(pb, budget=budget, objective="reserve", start=np.ones(len(pool), dtype=bool))
    assert -pb.value(xh, "reserve", 0.9)[0] >= min(values) - 1e-3


def test_milp_matches_enumeration_of_the_linear_model_with_interactions(minimal):
    """hh-10 and hh-10b share a post: the MILP is exact on its linear model all the same."""
    pool = tuple(m.id for m in minimal.measures)
    pb, _ = build_problem(minimal, pool, None, paths=500, seed=3)
    best = max(pb.value(np.array(b), "chance", 0.9)[0] for b in itertools.product([False, True], repeat=3))
    x, proved = solve_milp(pb, budget=1e9)
    assert proved and pb.value(x, "chance", 0.9)[0] == pytest.approx(best)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.toml")))
def test_optimiser_is_at_least_as_good_as_every_single_change(name):
    s = load(ROOT / "scenarios" / name)
    plan = tuple(m.id for m in s.measures)
    r = choose(s, plan, (), paths=150, seed=0, pareto_levels=2, exact=False)
    singles = [a for a in r["alternatives"] if a["name"].startswith(("with ", "without ")) or a["name"] == "plan"]
    assert singles
    assert r["chosen"]["p_every_goal"] >= max(a["p_every_goal"] for a in singles) - 1e-12


# --- bad files ----------------------------------------------------------------------------------

INVALID = sorted((REALISED / "invalid").glob("*.csv"))
EXPECTED = {
    "unknown-measure": "unknown measure 'no-such-measure'",
    "date-outside-horizon": "outside the horizon",
    "period-outside-horizon": "outside the horizon",
    "negative-spending": "cannot be negative",
    "impossible-input": "is impossible",
    "zero-likelihood": "zero likelihood",
    "missing-source": "empty 'source'",
    "bad-decision": "yes or no",
    "zero-error": "must be a share above 0",
    "period-after-as-of": "not realised yet",
    "duplicate": "the same figure as row 2",
    "unknown-column": "unknown column 'colour'",
    "unknown-post": "unknown post 'no-such-post'",
    "bad-period": "must be a year",
}


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_bad_realised_files_exit_2_with_file_row_and_problem(path, minimal_path):
    result = CliRunner().invoke(main, ["run", str(minimal_path), "--realised", str(path), "--paths", "500"])
    assert result.exit_code == 2, result.output
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("error: ") and str(path) in message
    assert EXPECTED[path.stem] in message
    assert "Traceback" not in result.output
    if path.stem not in ("unknown-column",):
        assert "row " in message


def test_every_invalid_file_has_an_expected_message():
    assert {p.stem for p in INVALID} == set(EXPECTED)


def test_a_realised_xlsx_and_toml_read_like_the_csv(tmp_path, minimal):
    import openpyxl

    rows = [["as_of", "kind", "id", "period", "value", "error", "source"],
            ["2025-12-31", "decision", "kids", None, "yes", None, "raadsbesluit"],
            ["2025-12-31", "effect", "hh-10b", "2025", 395000, "5%", "ledger"]]
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(tmp_path / "r.xlsx")
    toml = ('as_of = "2025-12-31"\n[[realised]]\nkind = "decision"\nid = "kids"\nvalue = "yes"\nsource = "raad"\n'
            '[[realised]]\nkind = "effect"\nid = "hh-10b"\nperiod = "2025"\nvalue = 395000\nerror = "5%"\n'
            'source = "ledger"\n')
    a = parse(tmp_path / "r.xlsx", minimal)
    b = parse(_write(tmp_path, toml, "r.toml"), minimal)
    assert a.as_of == b.as_of and len(a.decisions) == len(b.decisions) == 1
    assert a.observations[0].value == b.observations[0].value == 395000
    assert a.observations[0].sd == pytest.approx(0.05 * 395000)


def test_unreadable_file_is_a_realised_error(tmp_path, minimal):
    with pytest.raises(RealisedError, match="unknown file type"):
        parse(_write(tmp_path, "x", "r.txt"), minimal)
    with pytest.raises(RealisedError, match="file not found"):
        parse(tmp_path / "missing.csv", minimal)


# --- the commands -----------------------------------------------------------------------------


def test_monitor_json_and_plot(tmp_path, minimal_path):
    a = _write(tmp_path, HEADER + "2025-06-30,decision,kids,,yes,2025-03-01,,,raad\n", "q2.csv")
    b = _write(tmp_path, HEADER + "2025-12-31,decision,kids,,yes,2025-03-01,,,raad\n"
               "2025-12-31,effect,hh-10b,2025,380000,,5%,,ledger\n", "q4.csv")
    plot = tmp_path / "m.png"
    res = CliRunner().invoke(main, ["monitor", str(minimal_path), str(a), str(b), "--paths", "2000", "--json",
                                    "--plot", str(plot)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert [m["moment"] for m in out["moments"]] == ["plan", "2025-06-30", "2025-12-31"]
    assert out["moments"][2]["moved_by"][0]["fact"].startswith("effect hh-10b")
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_run_and_report_with_realised(tmp_path, minimal_path):
    r = _write(tmp_path, HEADER + "2025-12-31,effect,hh-10b,2025,380000,,5%,,ledger\n")
    res = CliRunner().invoke(main, ["run", str(minimal_path), "--realised", str(r), "--paths", "2000", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "effective sample size" in res.output and "goal seek" in res.output
    res = CliRunner().invoke(main, ["report", str(minimal_path), "--realised", str(r), "--paths", "2000", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["goal_seek"]["certainty"] == 0.9


def test_optimise_command_with_candidates_and_plot(tmp_path):
    cands = ROOT / "scenarios" / "monitoring" / "gooi-en-vechtstreek-2021.candidates.toml"
    res = CliRunner().invoke(main, ["optimise", str(ROOT / "scenarios" / "gooi-en-vechtstreek-2021.toml"),
                                    "--candidates", str(cands),
                                    "--paths", "200", "--json", "--plot", str(tmp_path / "p.png")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert len(out["candidates"]) == 3 and out["pareto"]
    assert (tmp_path / "p.png").exists()
    res = CliRunner().invoke(main, ["choose", str(ROOT / "tests" / "scenarios" / "minimal.toml"), "--paths", "300",
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Pareto front" in res.output


def test_a_candidate_measure_in_the_scenario_changes_no_plain_run(tmp_path, minimal_path):
    from simulator.results.optimise import with_candidates
    from simulator.run.dataset import run

    text = minimal_path.read_text(encoding="utf-8")
    extra = ('\n[[measure]]\nid = "extra"\ncandidate = true\npost = "hh"\neffect = { fraction = 0.05 }\n'
             'costs = { 2025 = 10_000 }\ngo_ahead = 0.5\nsource = "assumption: test"\n')
    p = _write(tmp_path, text + extra, "with-candidate.toml")
    plain, with_cand = load(minimal_path), load(p)
    assert [m.id for m in with_cand.measures] == [m.id for m in plain.measures]
    a, b = run(plain, 3000, seed=4), run(with_cand, 3000, seed=4)
    np.testing.assert_array_equal(a["scope_net_savings"].values, b["scope_net_savings"].values)
    s, plan, cands = with_candidates(str(p), None)
    assert cands == ("extra",) and plan == tuple(m.id for m in plain.measures)
    # the plan inside the pool scenario gives the plain run's numbers (keyed random streams)
    c = run(s, 3000, seed=4, active=frozenset(plan))
    np.testing.assert_array_equal(a["scope_net_savings"].values, c["scope_net_savings"].values)
    bad = _write(tmp_path, text + extra.replace("candidate = true", 'candidate = "yes"'), "bad.toml")
    res = CliRunner().invoke(main, ["validate", str(bad)])
    assert res.exit_code == 2 and "candidate must be true or false" in res.output


# --- properties ---------------------------------------------------------------------------------

_values = arrays(np.float64, st.integers(2, 40), elements=st.floats(-1e6, 1e6, allow_nan=False))


@given(_values, st.floats(0.01, 0.99), st.integers(0, 2**32 - 1))
def test_weighted_quantile_is_the_smallest_value_reaching_the_level(x, q, seed):
    w = np.random.default_rng(seed).random(x.size) + 1e-3
    w /= w.sum()
    v = float(weighted_quantile(x, w, q))
    assert np.sum(w[x <= v]) >= q - 1e-9
    assert np.sum(w[x < v]) < q + 1e-9


@given(st.integers(5, 60), st.floats(0.05, 0.95), st.integers(0, 2**32 - 1))
def test_minimal_factor_is_the_smallest_sufficient_factor(n, c, seed):
    rng = np.random.default_rng(seed)
    d, g = rng.normal(0, 1, n), rng.normal(0.3, 1, n)
    g[rng.random(n) < 0.2] = 0.0
    w = rng.random(n) + 1e-3
    w /= w.sum()
    k = minimal_factor(d, g, w, c)

    def p(k):
        return np.dot(w, (k - 1) * g >= d - 1e-9 * np.abs(d))

    if np.isfinite(k):
        assert k >= 0 and p(k) >= c - 1e-9
        below = np.linspace(0, k, 200)[:-1]
        assert all(p(b) < c + 1e-9 for b in below[below < k - 1e-9 * max(1, k)])
    else:
        assert all(p(b) < c for b in np.concatenate([[0.0], 1 + d[g > 0] / g[g > 0]]) if b >= 0)
