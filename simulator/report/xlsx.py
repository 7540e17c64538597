"""Spreadsheet export: one sheet per table, numbers kept as numbers with a number format,
so a strategist can sort, filter and compute on them (summary, risk, contributions,
waterfall, sensitivity, inputs), and a first sheet that says what the figures are: scenario,
its hash, seed, paths, version, date, municipality, capacity and how to read them.

A probability no path crossed is stored as 0 or 1 with the 95% bound beside it in a numeric
column of its own ("... grens"), so a formula never takes 0 for "cannot happen".
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from simulator.i18n import t
from simulator.report.tables import all_tables
from simulator.results.analysis import Findings

#: Excel number formats; the spreadsheet shows them in the reader's own locale
FORMATS = {"eur": "€ #,##0", "pct": "0.0%", "prob": "0%", "se": "0.00%", "num": "0.000", "ratio": "0.00",
           "int": "#,##0", "bound": "0.000%"}

#: sheet names: (Dutch, English); Excel allows 31 characters
SHEETS = {"summary": ("Samenvatting", "Summary"), "risk": ("Risico", "Risk"),
          "contributions": ("Bijdragen", "Contributions"), "waterfall": ("Waterval", "Waterfall"),
          "sensitivity": ("Gevoeligheid", "Sensitivity"), "inputs": ("Invoer", "Inputs"),
          "readings": ("Lezingen", "Readings"), "sources": ("Bronnen en aannames", "Sources and assumptions"),
          "about": ("Over deze cijfers", "About these figures")}


def sheet_name(key: str, lang: str) -> str:
    # no fallback to the key: a new table without a name here fails its test instead of
    # reaching a Dutch workbook as a code word ("readings", "sources" did)
    nl, en = SHEETS[key]
    return (nl if lang == "nl" else en)[:31]


#: first characters with which a spreadsheet program reads a cell as a formula (or a DDE call)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(row) -> None:
    """Keep text text: a cell from scenario text that starts like a formula (a measure named
    ``=HYPERLINK(...)``) is stored as a string, and quote-prefixed so that editing the cell
    does not turn it into a formula either."""
    for cell in row:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


#: the public name: report/register.py uses it too
inert = _inert


def metadata(f: Findings, lang: str) -> dict[str, object]:
    """What a reader needs to know which run these figures are: the metadata sheet's rows."""
    from simulator._version import __version__

    st = f.study
    s = st.scenario
    head = f.risk.headline
    ratio: object = None if head is None else head.ratio
    if isinstance(ratio, float) and ratio == float("inf"):  # Excel has no infinity
        ratio = t("xlsx.meta.unbounded", lang)
    muni = None if st.municipality is None else f"{s.municipality(st.municipality).name} ({st.municipality})"
    values = {"scenario": s.name, "region": s.region, "file": s.file, "hash": s.digest, "seed": st.seed,
              "paths": st.paths, "aux_paths": st.aux_paths, "year": st.year,
              "municipality": muni or t("xlsx.meta.whole_region", lang), "capacity": f.capacity, "ratio": ratio,
              "version": __version__, "date": _dt.date.today().isoformat(), "reading": t("xlsx.meta.how", lang)}
    return {t(f"xlsx.meta.{k}", lang): v for k, v in values.items()}


def add_metadata(wb, meta: dict[str, object], lang: str) -> None:
    """Put ``meta`` as the first sheet: one row per item, the value a number where it is one."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(sheet_name("about", lang), 0)
    for k, v in meta.items():
        ws.append([k, v])
        _inert(ws[ws.max_row])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.cell(ws.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        if isinstance(v, float):
            ws.cell(ws.max_row, 2).number_format = "0.00" if "ratio" in k.lower() else "€ #,##0"
        elif isinstance(v, int):
            ws.cell(ws.max_row, 2).number_format = "#,##0" if v >= 10_000 else "0"
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 90


def _bound(p: Any, n: int) -> float | None:
    """The 95% rule-of-three bound where no path crossed (p exactly 0 or 1), else None."""
    if not isinstance(p, (int, float)) or p not in (0.0, 1.0):
        return None
    return 3.0 / n if p == 0.0 else 1.0 - 3.0 / n


def write_xlsx(f: Findings, path: str | Path, *, lang: str = "nl") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    n = f.study.paths
    bound_word = "grens (geen pad, 95%)" if lang == "nl" else "bound (no path, 95%)"
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in all_tables(f, lang).items():
        ws = wb.create_sheet(sheet_name(name, lang))
        ws.append([table.title(lang)])
        _inert(ws[1])
        ws["A1"].font = Font(bold=True)
        # a probability column with a 0 or 1 gets a numeric bound column right after it
        cols: list[tuple[Any, str]] = []
        for c in table.columns:
            cols.append((c, "value"))
            if c.kind == "pct" and any(_bound(r.get(c.key), n) is not None for r in table.rows):
                cols.append((c, "bound"))
        ws.append([c.title(lang) if part == "value" else f"{c.title(lang)}, {bound_word}" for c, part in cols])
        _inert(ws[2])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r in table.rows:
            ws.append([r.get(c.key) if part == "value" else _bound(r.get(c.key), n) for c, part in cols])
            _inert(ws[ws.max_row])
        for j, (c, part) in enumerate(cols, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = 40 if c.kind == "text" and c.key in ("name", "label") else 15
            kind = "bound" if part == "bound" else c.kind
            if kind in FORMATS:
                for row in ws.iter_rows(min_row=3, min_col=j, max_col=j):
                    row[0].number_format = FORMATS[kind]
        if table.note(lang):
            ws.append([])
            ws.append([table.note(lang)])
            _inert(ws[ws.max_row])
        ws.freeze_panes = "A3"
    add_metadata(wb, metadata(f, lang), lang)
    wb.save(path)
