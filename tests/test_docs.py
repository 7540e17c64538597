"""The Python examples in the docs run as written (from the repository root)."""

import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCKS = [(p.name, i, code) for p in sorted(DOCS.glob("*.md"))
          for i, code in enumerate(re.findall(r"```python\n(.*?)```", p.read_text(), re.S))]


@pytest.mark.parametrize("name, index, code", BLOCKS, ids=[f"{n}-{i}" for n, i, _ in BLOCKS])
def test_doc_example_runs(name, index, code, capsys):
    cwd = os.getcwd()
    os.chdir(DOCS.parent)
    try:
        exec(compile(code, f"{name}[{index}]", "exec"), {})  # our own docs, not user input
    finally:
        os.chdir(cwd)


def test_every_test_named_in_validation_md_exists():
    # docs/validation.md cites tests by name; a renamed test must not leave the page stale
    text = (DOCS / "validation.md").read_text()
    cited = set(re.findall(r"(test_\w+)\.py::(test_\w+)", text))
    cited |= {(None, name) for name in re.findall(r"`(test_\w+)`", text) if not name.startswith("test_slow")}
    tests = Path(__file__).resolve().parent
    defined = {(p.stem, name) for p in tests.glob("test_*.py")
               for name in re.findall(r"^def (test_\w+)", p.read_text(), re.M)}
    names = {name for _, name in defined}
    missing = sorted(f"{f}::{n}" if f else n for f, n in cited
                     if ((f, n) not in defined if f else n not in names))
    assert len(cited) > 20 and not missing, missing


def _readme_commands() -> list[str]:
    """The ``taaksim`` commands of the README's first two bash blocks (install and run;
    monitoring), continuation lines joined, in their order."""
    text = (DOCS.parent / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)[:2]
    joined = [re.sub(r"\\\n\s*", " ", b) for b in blocks]
    return [ln.strip() for b in joined for ln in b.splitlines() if ln.strip().startswith("taaksim ")]


def test_readme_commands_run_as_written_in_one_folder(tmp_path):
    # a new user pastes the blocks in order: every command must exit 0 there, including a
    # second --out that must not collide with an earlier one (was: exit 2 "exists", and an
    # optimise option that never existed)
    import shlex
    import subprocess
    import sys

    from tests.browser import chromium

    (tmp_path / "scenarios").symlink_to(DOCS.parent / "scenarios")
    commands = _readme_commands()
    assert len(commands) >= 12 and any(c.startswith("taaksim optimise") for c in commands)
    for cmd in commands:
        if cmd.endswith(".pdf") and chromium() is None and not os.environ.get("TAAKSIM_REQUIRE_BROWSER"):
            continue  # the PDF goes through headless Chromium; CI requires it (.ci/run)
        args = shlex.split(cmd)[1:]
        r = subprocess.run([sys.executable, "-m", "simulator", *args], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, (cmd, r.stderr[-1500:])
