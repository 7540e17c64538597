"""Spreadsheet export: one sheet per table, numbers kept as numbers with a number format,
so a strategist can sort, filter and compute on them (summary, risk, contributions,
waterfall, sensitivity, inputs)."""

from __future__ import annotations

from pathlib import Path

from simulator.report.tables import all_tables
from simulator.results.analysis import Findings

#: Excel number formats; the spreadsheet shows them in the reader's own locale
FORMATS = {"eur": "€ #,##0", "pct": "0.0%", "prob": "0%", "se": "0.00%", "num": "0.000", "ratio": "0.00",
           "int": "#,##0"}

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


def write_xlsx(f: Findings, path: str | Path, *, lang: str = "nl") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, table in all_tables(f, lang).items():
        ws = wb.create_sheet(name)
        ws.append([table.title(lang)])
        _inert(ws[1])
        ws["A1"].font = Font(bold=True)
        ws.append([c.title(lang) for c in table.columns])
        _inert(ws[2])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r in table.rows:
            ws.append([r.get(c.key) for c in table.columns])
            _inert(ws[ws.max_row])
        for j, c in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = 40 if c.kind == "text" and c.key in ("name", "label") else 15
            if c.kind in FORMATS:
                for row in ws.iter_rows(min_row=3, min_col=j, max_col=j):
                    row[0].number_format = FORMATS[c.kind]
        if table.note(lang):
            ws.append([])
            ws.append([table.note(lang)])
            _inert(ws[ws.max_row])
        ws.freeze_panes = "A3"
    wb.save(path)
