"""Fuzzing whole scenario documents (issue 6, part 1).

Every generated or mutated document must either validate and run to finite figures, or be
refused with a short message naming the file, the key path and the problem: never another
exception, a hang or a NaN. The oracle is :func:`tests.fuzz.assert_handled`.

Sources of documents:
* rich valid documents generated from the format (they must all validate and run);
* those documents with one to three hostile edits (missing keys, wrong types, negative or
  non-finite numbers, reversed ranges, unknown references, cycles, duplicates, empty lists,
  years outside the horizon, hostile expressions);
* the five real scenarios in scenarios/, mutated the same way, and as text: lines dropped,
  duplicated or swapped, truncated, random bytes, a byte-order mark, CRLF line ends;
* everything round-tripped through TOML text, so the file reader is fuzzed too.

In CI (profile `ci`, derandomised) the suite draws about 900 documents in well under a
minute; `--slow` adds longer variants (25 times the profile's examples) and
`HYPOTHESIS_PROFILE=thorough` multiplies every count by ten.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.scenario.loader import build

from .fuzz import REAL, assert_handled, mutated, mutated_text, real_documents, rich_doc, to_toml

REAL_DOCS = real_documents()
#: examples of the active profile (ci: 40, thorough: 400); the suites below take multiples
N = settings.default.max_examples
SLOW = settings(max_examples=25 * N)


@settings(max_examples=2 * N)
@given(rich_doc())
def test_generated_valid_documents_validate_and_run_finite(doc):
    build(doc, file="fuzz.toml")  # a valid document is never refused
    assert assert_handled(doc) in ("ran", "refused")


@given(rich_doc())
def test_generated_documents_read_the_same_as_toml_text(doc):
    assert assert_handled(to_toml(doc)) in ("ran", "refused")


@settings(max_examples=6 * N)
@given(rich_doc().flatmap(mutated))
def test_mutated_generated_documents_are_run_or_refused_clearly(doc):
    assert_handled(doc)


@settings(max_examples=3 * N)
@given(rich_doc().flatmap(mutated))
def test_mutated_documents_as_toml_text(doc):
    assert_handled(to_toml(doc))


@pytest.mark.parametrize("name", sorted(REAL_DOCS))
@settings(max_examples=N)
@given(data=st.data())
def test_mutated_real_scenarios_are_run_or_refused_clearly(name, data):
    doc = data.draw(mutated(REAL_DOCS[name]))
    assert_handled(doc, paths=16)


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
@settings(max_examples=N)
@given(data=st.data())
def test_edited_real_scenario_files_are_run_or_refused_clearly(path, data):
    text = data.draw(mutated_text(path.read_text(encoding="utf-8")))
    assert_handled(text, paths=16)


# --- long variants (run with --slow; HYPOTHESIS_PROFILE=thorough raises the others) ----------


@pytest.mark.slow
@SLOW
@given(rich_doc(max_posts=6, max_measures=10).flatmap(lambda d: mutated(d, max_mutations=6)))
def test_slow_many_mutations(doc):
    assert_handled(doc)


@pytest.mark.slow
@SLOW
@given(st.sampled_from(sorted(REAL_DOCS)).flatmap(lambda n: mutated(REAL_DOCS[n], max_mutations=5)))
def test_slow_real_scenarios_many_mutations(doc):
    assert_handled(doc, paths=16)


@pytest.mark.slow
@SLOW
@given(st.sampled_from(REAL).flatmap(lambda p: mutated_text(p.read_text(encoding="utf-8"))))
def test_slow_real_scenario_text_edits(text):
    assert_handled(text, paths=16)
