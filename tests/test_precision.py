"""--precision waits for every probability, also at 0 and 1; bad numbers are refused (issue 16, D7, D8).

Oracle: scipy.stats.binomtest's Wilson interval.
"""

import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from simulator.cli import main
from simulator.core.stats import wilson_interval, wilson_se
from simulator.results.analysis import ratio_class
from simulator.run.streaming import run_stream

from .helpers import scenario


@pytest.mark.parametrize("k,n", [(0, 100), (100, 100), (37, 100), (1, 65_536), (65_536, 65_536)])
def test_wilson_interval_matches_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(k / n, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_precision_does_not_stop_at_a_probability_of_one():
    # D7: a target met on every path had SE 0 after the first block, so any precision stopped there.
    # Wilson's error at p = 1 after n paths is about 1 / n: 1e-5 needs about 1e5 paths, two blocks.
    s = scenario([{"id": "p", "base": 1_000_000}], [{"id": "m", "post": "p", "effect": {"amount": 1000}}],
                 years=(2025,), targets=[{"scope": "all", "amounts": {"2025": 10}}])
    m = run_stream(s, 0, seed=1, precision=1e-5, max_paths=1_000_000, threads=1)
    assert m.holds[0] == m.n  # every path meets it
    assert m.blocks >= 2 and all(se < 1e-5 for se in m.stopping_errors())
    # and it stops as soon as it may: one block fewer would not have done
    n_before = m.n - (1 << 16)
    assert wilson_se(1.0, n_before) >= 1e-5


def test_precision_reaches_the_asked_error_for_a_middling_probability():
    s = scenario([{"id": "p", "base": 1_000_000}],
                 [{"id": "m", "post": "p", "effect": {"amount": {"uniform": [0, 1000]}}}],
                 years=(2025,), targets=[{"scope": "all", "amounts": {"2025": 500}}])
    m = run_stream(s, 0, seed=1, precision=0.0015, max_paths=1_000_000, threads=1)
    p = m.holds[0] / m.n
    assert math.sqrt(p * (1 - p) / m.n) < 0.0015 and m.blocks == 2  # 0.5 needs 111,112 paths


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0.0, -1.0])
def test_run_stream_refuses_a_precision_that_is_not_a_positive_number(bad):
    s = scenario([{"id": "p", "base": 1_000_000}], [], years=(2025,))
    with pytest.raises(ValueError, match="precision"):
        run_stream(s, 0, precision=bad)


def test_a_nan_ratio_gets_no_class():
    # D8: nan compared false with every bound and fell through to class A
    with pytest.raises(ValueError):
        ratio_class(float("nan"))
    assert ratio_class(float(np.inf))[0] == "A"


@pytest.mark.parametrize("option", [["--precision", "nan"], ["--precision", "inf"],
                                    ["--weerstandscapaciteit", "nan"]])
def test_cli_refuses_nan_and_inf(option, minimal_path):
    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "1000", "--json", *option])
    # refused by the option's type (cli.options.Finite): nan as not finite, inf as outside the range
    assert r.exit_code == 2 and ("finite" in r.output or "not in the range" in r.output)
    assert "Traceback" not in r.output


@pytest.mark.parametrize("option", [["--sampling", "lhs"], ["--precision", "0.01"]])
def test_a_streamed_only_option_with_a_full_run_is_refused_in_one_line(option, minimal_path):
    # run's local import of fail made every other fail() in run() an UnboundLocalError
    r = CliRunner().invoke(main, ["run", str(minimal_path), "--paths", "1000", "--weerstandscapaciteit", "1", *option])
    assert r.exit_code == 2 and "stream a summary" in r.output and "Traceback" not in r.output
