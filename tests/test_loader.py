"""The edge: every broken scenario in tests/scenarios/invalid gets its own clear message.

Each file's first line says what the message must contain (`# expect: ...`). The message
must also name the file.
"""

from pathlib import Path

import pytest

from simulator.errors import ScenarioError
from simulator.scenario.loader import load, loads

INVALID = sorted((Path(__file__).parent / "scenarios" / "invalid").glob("*.toml"))


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_each_broken_scenario_has_a_clear_message(path):
    with pytest.raises(ScenarioError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert _expected(path) in message, message
    assert "\n" not in message.strip() or len(message.splitlines()) <= 2


def test_gallery_is_not_empty():
    assert len(INVALID) >= 20


def test_missing_file_and_directory():
    with pytest.raises(ScenarioError, match="file not found"):
        load("does/not/exist.toml")
    with pytest.raises(ScenarioError, match="directory"):
        load(Path(__file__).parent)


def test_non_utf8_and_huge_files_are_refused():
    with pytest.raises(ScenarioError, match="UTF-8"):
        loads(b"[scenario]\nname = \"\xff\xfe\"\n")
    with pytest.raises(ScenarioError, match="larger than"):
        loads(b"#" * 10_000_000)


def test_valid_minimal_scenario_is_immutable(minimal):
    with pytest.raises(AttributeError):
        minimal.name = "changed"
    with pytest.raises(TypeError):
        minimal.parameters["children"] = None
    assert [m.id for m in minimal.measures] == ["kids", "hh-10", "hh-10b"]
