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
