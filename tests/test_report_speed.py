"""What makes ``taaksim report`` answer in under 2 s (issue 18, point 5) changes no figure.

Each shortcut is checked against the long way: the forked analysis against the one-process
one, the pictures drawn ahead against those drawn at the end, a calibration read from disk
against one solved, the single-draw SVG against matplotlib's own double draw, and the lazy
check for dask arrays against dask arrays themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from dataclasses import replace

import numpy as np
import pytest

from simulator.core import copula
from simulator.report import document, plots
from simulator.report.document import AHEAD, draw_ahead, images
from simulator.results.analysis import _Forked, analyse
from simulator.scenario.loader import load

from .conftest import ROOT, SCENARIOS
from .helpers import scenario

FORK = hasattr(os, "fork")


@pytest.fixture(scope="module")
def huizen():
    return load(SCENARIOS / "huizen-2022.toml")


# --- the analysis in two processes ----------------------------------------------------------


@pytest.mark.skipif(not FORK, reason="no fork on this system")
@pytest.mark.parametrize("name", ["huizen-2022", "gooi-en-vechtstreek-2021"])
def test_two_processes_give_the_findings_of_one(name):
    s = load(SCENARIOS / f"{name}.toml")
    one = analyse(s, paths=1500, seed=3, aux_paths=600, capacity=1_000_000)
    two = analyse(s, paths=1500, seed=3, aux_paths=600, capacity=1_000_000, processes=2)
    assert one.to_json() == two.to_json()  # every figure, to the bit (== on floats)
    assert one.sensitivity == two.sensitivity and one.contributions == two.contributions
    assert one.sensitivity_measures == two.sensitivity_measures
    # the tornado's base comes back with the child's runs
    swing = two.study.swing_paths
    assert np.array_equal(one.study.rerun(swing), two.study.rerun(swing))


def test_meanwhile_sees_everything_but_the_forked_part(huizen):
    seen = []
    f = analyse(huizen, paths=800, seed=1, aux_paths=400, processes=2, meanwhile=seen.append)
    (early,) = seen
    assert early.sensitivity == [] and early.contributions is None and early.sensitivity_measures == []
    assert early.study is f.study and early.waterfall == f.waterfall and early.plan == f.plan
    assert early.risk == f.risk and f.contributions is not None and f.sensitivity


@pytest.mark.skipif(not FORK, reason="no fork on this system")
def test_a_forked_result_comes_from_the_child():
    assert _Forked(os.getpid).result() != os.getpid()


def test_a_failing_child_is_computed_again_here():
    calls = []

    def fn():
        calls.append(os.getpid())
        if os.getpid() != parent:
            raise RuntimeError("only in the child")
        return "here"

    parent = os.getpid()
    assert _Forked(fn).result() == "here"
    assert calls[-1] == parent
    with pytest.raises(ZeroDivisionError):  # an error of its own shows in this process, as without a fork
        _Forked(lambda: 1 / 0).result()


# --- pictures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings(huizen):
    return analyse(huizen, paths=1000, seed=2, aux_paths=500)


@pytest.mark.parametrize("image_format", ["svg", "png"])
def test_pictures_drawn_ahead_are_those_drawn_at_the_end(findings, image_format):
    plain = images(findings, "nl", image_format)
    early = replace(findings, sensitivity=[], contributions=None, sensitivity_measures=[])
    ahead = draw_ahead(early, "nl", image_format)
    assert sorted(ahead.pictures) == sorted(AHEAD)
    assert images(findings, "nl", image_format, ahead) == plain
    assert images(findings, "nl", image_format, ahead) == plain  # held by the caller: not used up
    assert images(findings, "en", image_format, ahead) != plain  # another language asks for its own
    with pytest.raises(TypeError):
        ahead.pictures["fan"] = "another picture"


def _counting(monkeypatch) -> list[tuple[int, str, str]]:
    """Every picture drawn from here on: (id of its study, its name, its language)."""
    drawn = []
    draw = document._image

    def counted(f, name, lang, image_format):
        drawn.append((id(f.study), name, lang))
        return draw(f, name, lang, image_format)

    monkeypatch.setattr(document, "_image", counted)
    return drawn


def test_pictures_drawn_ahead_are_taken_not_drawn_again(findings, monkeypatch):
    drawn = _counting(monkeypatch)
    early = replace(findings, sensitivity=[], contributions=None, sensitivity_measures=[])
    ahead = draw_ahead(early, "nl")
    got = images(findings, "nl", "svg", ahead)
    assert sorted(name for _, name, _ in drawn) == sorted(plots.ALL)  # each once: the tornado at the end
    assert all(got[name] is ahead.pictures[name] for name in AHEAD)
    drawn.clear()  # findings of another study (equal, not the same) take none of them
    other = replace(findings, study=analyse(findings.study.scenario, paths=1000, seed=2, aux_paths=500).study)
    assert images(other, "nl", "svg", ahead) == got
    assert sorted(name for _, name, _ in drawn) == sorted(plots.ALL)


@pytest.mark.parametrize("suffix", [".html", ".md"])
def test_a_report_draws_each_picture_once_and_keeps_none_for_the_next(tmp_path, monkeypatch, suffix):
    from click.testing import CliRunner

    from simulator.cli import main

    drawn = _counting(monkeypatch)
    args = ["report", str(SCENARIOS / "huizen-2022.toml"), "--paths", "600", "--aux-paths", "300"]
    r = CliRunner().invoke(main, [*args, "--out", str(tmp_path / f"a{suffix}")])
    assert r.exit_code == 0, r.output
    first = list(drawn)
    assert sorted(name for _, name, _ in first) == sorted(plots.ALL) and len({s for s, _, _ in first}) == 1
    drawn.clear()  # the next report in this process draws its own, each once again
    r = CliRunner().invoke(main, [*args, "--seed", "7", "--out", str(tmp_path / f"b{suffix}")])
    assert r.exit_code == 0, r.output
    assert sorted(name for _, name, _ in drawn) == sorted(plots.ALL) and len({s for s, _, _ in drawn}) == 1


@pytest.mark.parametrize("name", sorted(plots.ALL))
def test_one_draw_gives_the_svg_of_two(findings, name):
    # savefig used to draw every figure twice (tight_layout leaves a placeholder layout engine)
    import io

    import matplotlib.pyplot as plt

    fig = plots.ALL[name](findings, "en")
    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "taaksim"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})  # the engine still set
    plt.close(fig)
    twice = buf.getvalue()
    fig = plots.ALL[name](findings, "en")
    once = plots.svg(fig, "title")
    assert fig.get_layout_engine() is None
    assert once.split("<defs>", 1)[1] == twice.split("<defs>", 1)[1]  # every path, text and style


# --- the copula's calibrations on disk ------------------------------------------------------


def _group():
    # two go-aheads of 0.7 and 0.8 reach a rank correlation of 0.764 at most: asked 0.9, adjusted
    posts = [{"id": "p", "base": 10_000_000}]
    measures = [{"id": m, "post": "p", "effect": {"amount": 100}, "go_ahead": go,
                 "delay": {"p": 0.35, "years": {"uniform": [0.25, 1.0]}}} for m, go in (("a", 0.7), ("b", 0.8))]
    s = scenario(posts, measures, years=(2025,), correlation=[
        {"between": ["a.go_ahead", "b.go_ahead"], "rank": 0.9, "reason": "test"}])
    return s.correlations[0], {i.key: i for i in s.inputs}


def _solve_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("TAAKSIM_CACHE_DIR", str(tmp_path))
    corr, inputs = _group()
    out = []
    for _ in range(2):
        copula._calibrate.cache_clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out.append((copula.calibrate(corr, inputs, "x.toml"), [str(w.message) for w in caught]))
    return out


def test_a_stored_calibration_is_the_solved_one_to_the_bit(tmp_path, monkeypatch):
    (solved, said), (stored, said_again) = _solve_twice(tmp_path, monkeypatch)
    assert len(list(tmp_path.glob("copula-*.json"))) == 1
    assert solved.latent.tobytes() == stored.latent.tobytes()
    assert solved.achieved.tobytes() == stored.achieved.tobytes()
    assert solved.adjusted and stored.adjusted and solved.notes == stored.notes
    assert said and said == said_again  # the warning, word for word, also from disk


def test_an_unreadable_calibration_is_solved_again(tmp_path, monkeypatch):
    (solved, _), _ = _solve_twice(tmp_path, monkeypatch)
    (kept,) = tmp_path.glob("copula-*.json")
    kept.write_text("{not json", encoding="utf-8")
    (again, _), _ = _solve_twice(tmp_path, monkeypatch)
    assert again.latent.tobytes() == solved.latent.tobytes()


def test_no_cache_when_the_folder_is_set_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("TAAKSIM_CACHE_DIR", "")
    assert copula.cache_dir() is None
    corr, inputs = _group()
    copula._calibrate.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert copula.calibrate(corr, inputs).adjusted
    monkeypatch.setenv("TAAKSIM_CACHE_DIR", str(tmp_path / "sub"))
    assert copula.cache_dir() == tmp_path / "sub"


# --- imports --------------------------------------------------------------------------------


def _python(code: str, tmp_path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TAAKSIM_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_report_does_not_import_dask_arrays(tmp_path):
    pytest.importorskip("dask")
    code = f"""
import sys
from simulator.cli import main
main(["report", {str(SCENARIOS / "huizen-2022.toml")!r}, "--paths", "600", "--aux-paths", "300",
      "--out", "r.html"], standalone_mode=False)
print("dask.array" in sys.modules, "xarray" in sys.modules)
"""
    assert _python(code, tmp_path).split()[-2:] == ["False", "True"]


def test_dask_arrays_are_still_dask_arrays_to_xarray(tmp_path):
    pytest.importorskip("dask.array")
    code = f"""
from simulator.run.dataset import run
from simulator.scenario.loader import load
ds = run(load({str(SCENARIOS / "huizen-2022.toml")!r}), 300)
import dask.array as da
import xarray as xr
from xarray.namedarray.pycompat import array_type
lazy = xr.DataArray(da.zeros((4, 3), chunks=2), dims=("path", "year"))
print(array_type("dask") == (da.Array,), lazy.chunks is not None, ds.net_savings.chunks is None,
      float(lazy.sum().compute()) == 0.0)
"""
    assert _python(code, tmp_path).split() == ["True"] * 4


def test_the_exit_freeze_is_registered_once(monkeypatch):
    import atexit
    import gc

    from simulator.cli import report

    registered = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(report, "_FROZEN_AT_EXIT", [])
    report.freeze_at_exit()
    report.freeze_at_exit()
    assert registered == [gc.freeze]


@pytest.mark.skipif(not FORK, reason="no fork on this system")
def test_the_child_warnings_are_shown_here_and_an_error_leaves_no_child(huizen, monkeypatch):
    def warns():
        warnings.warn("from the child", UserWarning, stacklevel=1)
        return 7

    with pytest.warns(UserWarning, match="from the child"):
        assert _Forked(warns).result() == 7

    def fail(found):
        raise KeyError("meanwhile failed")

    forked = []
    fork = os.fork

    def recording_fork():
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    with pytest.raises(KeyError, match="meanwhile failed"):
        analyse(huizen, paths=600, seed=1, aux_paths=300, processes=2, meanwhile=fail)
    (pid,) = forked
    with pytest.raises(ChildProcessError):  # stopped and reaped: no child left behind
        os.waitpid(pid, os.WNOHANG)
