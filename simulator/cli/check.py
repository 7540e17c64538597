"""taaksim check: the document's own figures in deterministic mode."""

from __future__ import annotations

import functools
import re
import string
import sys
from typing import TYPE_CHECKING, Any

import click

from simulator.cli.format import dumps
from simulator.cli.options import lang_option, load_scenario, scenario_arg
from simulator.i18n import t
from simulator.report.text import number

if TYPE_CHECKING:
    from simulator.results.check import CheckResult


@click.command("check")
@scenario_arg
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the same in every language).")
@lang_option(help="Language of the terminal text.")
def check_cmd(scenario, as_json, lang):
    """Deterministic mode against the figures published in SCENARIO's document.

    Exit 0 when every consistent figure is reproduced within the document's rounding, 1
    otherwise; contradictions inside the document are listed, not counted as failures.
    """
    from simulator.results.check import check

    result = check(load_scenario(scenario))
    if as_json:
        click.echo(dumps(result.to_json(), indent=1))
    else:
        click.echo(format_text(result, lang))
    sys.exit(0 if result.ok else 1)


# --- the terminal text -------------------------------------------------------------------------
# The figures carry their labels and notes in English, as the JSON prints them (its keys and values
# stay the same in every language); the terminal text reads them back with the English templates
# of the catalogue and writes them again in the reader's language and number format. A label or
# note that no template matches is printed as it is.

_NUMBER = r"(-?\d{1,3}(?:,\d{3})*)"
_SLOTS = {"ver": r"(.+?)", "fver": r"(.+?)", "rows": r"(.+)", "q": r"((?: '.*')?)", "fq": r"((?: '.*')?)",
          "id": r"(.+)", "law": r"(.+)", "name": r"(.+)", "text": r"(.*)"}
_WHERE = r"((?: \(l\.\d+\))?)"  # " (l.123)" or nothing
_NOTES = ("differs", "derived_differs", "row", "followed", "table", "repeats", "inherited", "rows", "net_follows")
_HEADS = ("total", "total_law", "group", "measure")


def _pattern(key: str, slots: dict[str, str] | None = None) -> re.Pattern:
    """The English template ``key`` as a regular expression whose named groups are its fields."""
    slots = {**_SLOTS, **(slots or {})}
    out = ""
    for literal, field, _, _ in string.Formatter().parse(t(key, "en")):
        out += re.escape(literal)
        if field:
            group = slots.get(field, _WHERE if field.startswith(("w", "fw", "tw")) else _NUMBER)
            out += f"(?P<{field}>{group[1:]}" if group.startswith("(") else group
    return re.compile(out + "$")


@functools.cache
def _patterns(kind: str) -> tuple[tuple[str, re.Pattern], ...]:
    if kind == "note":
        return tuple((k, _pattern(f"check.note.{k}")) for k in _NOTES)
    return tuple((k, _pattern(f"check.{k}", {"n": r"(\d+)"})) for k in _HEADS)


def _say_number(text: str, lang: str) -> str:
    return number(float(text.replace(",", "")), 0, lang)


def _say_note(note: str, lang: str) -> str:
    """A figure's note in ``lang`` (notes are written in English: see the comment above)."""
    if lang == "en":
        return note
    prefix = t("check.note.inconsistency", "en").format(text="")
    if note.startswith(prefix):
        return t("check.note.inconsistency", lang).format(text=_say_note(note[len(prefix):], lang))
    for key, pattern in _patterns("note"):
        if m := pattern.match(note):
            fields = {k: _say_number(v, lang) if re.fullmatch(_NUMBER, v) and k not in _SLOTS else v
                      for k, v in m.groupdict().items()}
            for k in ("ver", "fver"):
                if fields.get(k) == "table":
                    fields[k] = t("check.table", lang)
            return t(f"check.note.{key}", lang).format(**fields)
    return note


def _say_what(what: str, lang: str) -> str:
    """A figure's label ("measure x net [version]") in ``lang``; ids, names and versions as the scenario writes them."""
    if lang == "en":
        return what
    m = re.fullmatch(r"(?P<head>.+?) (?P<field>effect|cost|net)(?P<version> \[.*\])?", what)
    if not m:
        return what
    head = m["head"]
    for key, pattern in _patterns("head"):
        if h := pattern.match(head):
            head = t(f"check.{key}", lang).format(**h.groupdict())
            break
    return f"{head} {t('check.field.' + m['field'], lang)}{m['version'] or ''}"


def format_text(result: CheckResult, lang: str = "nl") -> str:
    """The check as the terminal prints it, in Dutch (``lang="nl"``, the default) or English.

    Labels, notes and numbers are in ``lang`` and its number format (1.234.567 or 1,234,567); the
    scenario's own texts (ids, version names, quotes, explanations, excuses) are printed as written.
    """
    lines = [t("check.head", lang).format(scenario=result.scenario), ""]
    whats = [_say_what(f.what, lang) for f in result.figures]
    width = max((len(w) for w in whats), default=10)
    for f, what in zip(result.figures, whats, strict=True):
        extra = [x for x in (_say_note(f.note, lang) if f.note else "",
                             t("check.explains", lang).format(text=f.explain) if f.explain else "",
                             t("check.excuse", lang).format(text=f.excuse) if f.excuse and not f.ok else "") if x]
        row = t("check.row", lang).format(published=f"{number(f.published, 0, lang):>14}",
                                          computed=f"{number(f.computed, 0, lang):>14}")
        lines.append(f"  {t('check.mark.' + f.cls, lang)} {what:<{width}} {f.year}  {row}"
                     + (f"  ({'; '.join(extra)})" if extra else ""))
    lines.append("")
    lines.append(t("check.marks", lang))
    lines.append("")
    heads = [t(f"check.{k}", lang) for k in ("year", "alone", "package", "loss")]
    lines.append("  " + "   ".join(heads))
    for y in result.package_total:
        values = (result.standalone_total[y], result.package_total[y], result.interaction_loss[y])
        lines.append("  " + "   ".join([f"{y:<{len(heads[0])}}"] + [f"{number(v, 0, lang):>{len(h)}}"
                                                                      for v, h in zip(values, heads[1:], strict=True)]))
    from simulator.results.check import CONSTRUCTION, DERIVED, FAILED, INCONSISTENT, REPRODUCED

    n: dict[str, Any] = result.counts()
    lines.append("")
    lines.append(t("check.summary", lang).format(
        printed=sum(v for k, v in n.items() if k != DERIVED), reproduced=n[REPRODUCED], construction=n[CONSTRUCTION],
        inconsistent=n[INCONSISTENT], failed=n[FAILED], derived=n[DERIVED],
        verdict=t("check.ok" if result.ok else "check.not_ok", lang)))
    return "\n".join(lines)
