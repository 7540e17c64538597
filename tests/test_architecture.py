"""The package reads as the pipeline: stages import one way, no cycles, types check.

scenario -> core -> run -> results -> report -> cli: a stage may import the stages before it
(and the shared bottom modules errors, i18n, _version), never one after it. Checked here by
parsing every import, lazy ones inside functions included, and by import-linter's contract in
pyproject.toml; mypy checks the types over the package.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulator"
ROOT = PACKAGE.parent
#: lower number = earlier stage; a module may import only from its own rank or lower
STAGES = {"errors": 0, "i18n": 0, "_version": 0, "scenario": 1, "core": 2, "run": 3, "results": 4,
          "report": 5, "cli": 6, "__main__": 7}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every simulator module this file imports, at the top or inside a function."""
    me = _module(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "simulator"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            if base.split(".")[0] != "simulator":
                continue
            for a in node.names:  # `from simulator.run import blocks` imports a module
                sub = f"{base}.{a.name}"
                out.add(sub if (ROOT / sub.replace(".", "/")).with_suffix(".py").exists()
                        or (ROOT / sub.replace(".", "/")).is_dir() else base)
    out.discard(me)
    return out


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.get(parts[1]) if len(parts) > 1 else None  # the root package is the API façade


def test_every_module_belongs_to_a_stage():
    missing = sorted(m for m in _graph() if m != "simulator" and _stage(m) is None)
    assert not missing, f"modules outside the pipeline's stages: {missing}"


def test_stages_import_only_earlier_stages():
    bad = [f"{m} -> {t}" for m, targets in _graph().items() for t in sorted(targets)
           if _stage(m) is not None and _stage(t) is not None and _stage(t) > _stage(m)]
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_no_import_cycle_between_modules():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index and v != "simulator":
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def _tool(name: str) -> str:
    exe = Path(sys.executable).parent / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


def test_import_linter_contract_is_kept():
    proc = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean():
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
