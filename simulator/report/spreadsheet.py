"""CSV in the dialect the reader's Excel opens without an import wizard.

A Dutch Excel (Windows list separator ';', decimal comma) opens a comma-separated file as one
column; an English one reads "0,5" as text. So there are two dialects: ``nl`` (';' between
fields, decimal comma) and ``en`` (',' and decimal point). Neither groups thousands, so every
cell stays a number. The file starts with a UTF-8 byte order mark: without it Excel reads "€"
and "ë" as two strange characters each. The default follows the language (``--lang nl`` ->
``nl``), ``--csv-dialect`` overrides it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

DIALECTS = ("nl", "en")


def dialect_for(lang: str, dialect: str | None = None) -> str:
    """The csv dialect: the one asked for, else the language's own."""
    if dialect is not None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown csv dialect {dialect!r}: use nl or en")
        return dialect
    return "nl" if lang == "nl" else "en"


def csv_cell(value: object, dialect: str) -> str:
    """One value as the dialect writes it: numbers with the dialect's decimal mark (full precision,
    no thousands separator), None and NaN empty, an infinite ratio as "inf", text as it is.

    >>> csv_cell(0.5, "nl"), csv_cell(2500000.0, "nl"), csv_cell(0.5, "en"), csv_cell(None, "nl"), csv_cell(3, "nl")
    ('0,5', '2500000', '0.5', '', '3')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
        if math.isnan(x):
            return ""
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        text = str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
        return text.replace(".", ",") if dialect == "nl" else text
    if hasattr(value, "item"):  # a numpy scalar
        return csv_cell(value.item(), dialect)
    return str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], dialect: str) -> str:
    """The whole file as text (without the byte order mark)."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";" if dialect == "nl" else ",", lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([csv_cell(v, dialect) for v in row])
    return out.getvalue()


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]], dialect: str) -> None:
    """Write :func:`csv_text` with a UTF-8 byte order mark (Excel's cue for UTF-8)."""
    Path(path).write_text(csv_text(header, rows, dialect), encoding="utf-8-sig", newline="")


def frame_rows(frame) -> tuple[list[str], list[list[object]]]:
    """A pandas DataFrame as a header and rows, its index as the first columns."""
    flat = frame.reset_index()
    return [str(c) for c in flat.columns], flat.astype(object).where(flat.notna(), None).values.tolist()
