"""Excel exports, written one way: a bold header row (after an optional lead line), every text
cell neutralised against formulas (`imports.cells.neutralise_formula`), the workbook as bytes.
The exports of every module (contracts, programmes, policies, the market) build on it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.core.imports.cells import neutralise_formula

Rows = Iterable[Sequence[Any]]


def safe_cell(value: Any) -> Any:
    return neutralise_formula(value) if isinstance(value, str) else value


def add_sheet(
    workbook: Workbook, title: str, header: Sequence[str], rows: Rows, lead: str = ""
) -> Any:
    """A sheet titled `title` (Excel's 31 characters at most): `lead` on its own line if
    given, then the bold header, then the rows."""
    sheet = workbook.create_sheet(title[:31])
    if lead:
        sheet.append([safe_cell(lead)])
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    return sheet


def new_workbook() -> Workbook:
    """A workbook without openpyxl's empty default sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_xlsx(title: str, header: Sequence[str], rows: Rows, lead: str = "") -> bytes:
    """A one-sheet workbook as bytes."""
    workbook = new_workbook()
    add_sheet(workbook, title, header, rows, lead)
    return workbook_bytes(workbook)
