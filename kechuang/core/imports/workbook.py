"""The marked-up error workbook: the user's own file with every bad cell filled red and
commented (problem + fix), plus a 校验结果 sheet listing all errors — so people fix the file they
have rather than retype it. When the upload cannot be opened, the listing alone."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from kechuang.core.imports.cells import neutralise_formula
from kechuang.core.imports.errors import RowError

REPORT_SHEET = "校验结果"
ERROR_FILL = PatternFill("solid", fgColor="FF9999")
HEADER_FONT = Font(bold=True)
REPORT_HEADERS = ("行号", "列名", "单元格内容", "问题", "修改建议")


def error_workbook(
    errors: Sequence[RowError],
    headers: dict[str, int],
    sheet_title: str,
    original: bytes | None,
) -> bytes:
    """`headers` maps a column header to its 1-based column in `sheet_title` of `original`."""
    workbook = _open(original) if sheet_title else None
    if workbook is None or sheet_title not in workbook.sheetnames:
        workbook = Workbook()
        workbook.active.title = REPORT_SHEET
        listing = workbook.active
    else:
        if REPORT_SHEET in workbook.sheetnames:
            del workbook[REPORT_SHEET]
        _mark_cells(workbook[sheet_title], errors, headers)
        listing = workbook.create_sheet(REPORT_SHEET, 0)
        workbook.active = 0
    _write_listing(listing, errors)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _open(content: bytes | None) -> Workbook | None:
    if not content:
        return None
    try:
        return load_workbook(io.BytesIO(content))
    except Exception:  # a damaged upload, or a CSV: the listing alone
        return None


def _mark_cells(sheet: Any, errors: Sequence[RowError], headers: dict[str, int]) -> None:
    by_cell: dict[tuple[int, int], list[RowError]] = defaultdict(list)
    for error in errors:
        column = headers.get(error.column_header)
        if error.row >= 1 and column is not None:
            by_cell[(error.row, column)].append(error)
    for (row, column), cell_errors in by_cell.items():
        cell = sheet.cell(row=row, column=column)
        cell.fill = ERROR_FILL
        text = "\n".join(f"问题：{e.problem}\n修改：{e.fix}" for e in cell_errors)
        cell.comment = Comment(text[:2000], "科创平台校验", width=320, height=140)


def _write_listing(sheet: Any, errors: Sequence[RowError]) -> None:
    sheet.append(list(REPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    for letter, width in zip("ABCDE", (8, 24, 28, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    if not errors:
        sheet.append(["", "", "", "未发现错误。", ""])
    for error in errors:
        sheet.append(
            [
                error.row or "",
                neutralise_formula(error.column_header),
                neutralise_formula(error.value),  # the user's own text: never a live formula
                error.problem,
                error.fix,
            ]
        )
