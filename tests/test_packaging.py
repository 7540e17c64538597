"""The wheel holds every stage subpackage, and an installed (non-editable) build runs.

``[tool.setuptools] packages = ["simulator"]`` once would have shipped the top package alone:
the editable install used by the tests hides that, so this test builds a real wheel, installs
it into an empty folder and runs the command line from there, outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{proc.stdout}\n{proc.stderr}")
    [whl] = out.glob("taaksim-*.whl")
    return whl


def test_the_wheel_holds_every_module_of_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "simulator").rglob("*.py")}
    missing = sorted(expected - names)
    assert not missing, f"modules missing from the wheel: {missing}"


def test_an_installed_build_runs_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = ("import simulator, sys; assert simulator.__file__.startswith(sys.argv[1]), simulator.__file__; "
            "from simulator.cli import main; main(['validate', sys.argv[2], '--lang', 'en'])")
    proc = subprocess.run([sys.executable, "-c", code, str(target), str(ROOT / "scenarios" / "huizen-2022.toml")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
