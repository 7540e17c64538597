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
