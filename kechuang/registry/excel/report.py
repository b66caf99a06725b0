"""The validation report as a workbook: the user's own file with every bad cell filled red and
commented (problem + fix), plus a 校验结果 sheet listing all errors — so people fix the file they
have rather than retype it."""

from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from kechuang.registry.excel.importer import ImportReport, RowError
from kechuang.registry.excel.parsing import neutralise_formula
from kechuang.registry.excel.template import REPORT_SHEET

ERROR_FILL = PatternFill("solid", fgColor="FF9999")
HEADER_FONT = Font(bold=True)
REPORT_HEADERS = ("行号", "列名", "单元格内容", "问题", "修改建议")


def report_xlsx(report: ImportReport, original_bytes: bytes | None) -> bytes:
    """The annotated workbook (or, when the upload could not be opened, the error list alone)."""
    workbook = _open(original_bytes) if report.sheet_title else None
    if workbook is None:
        workbook = Workbook()
        workbook.active.title = REPORT_SHEET
        listing = workbook.active
    else:
        if REPORT_SHEET in workbook.sheetnames:
            del workbook[REPORT_SHEET]
        _mark_cells(workbook[report.sheet_title], report)
        listing = workbook.create_sheet(REPORT_SHEET, 0)
        workbook.active = 0
    _write_listing(listing, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _open(content: bytes | None) -> Workbook | None:
    if not content:
        return None
    try:
        return load_workbook(io.BytesIO(content))
    except Exception:  # a damaged upload: the listing alone
        return None


def _mark_cells(sheet: object, report: ImportReport) -> None:
    by_cell: dict[tuple[int, int], list[RowError]] = defaultdict(list)
    for error in report.errors:
        column = report.header_columns.get(error.column_header)
        if error.row >= 1 and column is not None:
            by_cell[(error.row, column)].append(error)
    for (row, column), errors in by_cell.items():
        cell = sheet.cell(row=row, column=column)  # type: ignore[attr-defined]
        cell.fill = ERROR_FILL
        text = "\n".join(f"问题：{e.problem}\n修改：{e.fix}" for e in errors)
        cell.comment = Comment(text[:2000], "科创平台校验", width=320, height=140)


def _write_listing(sheet: object, report: ImportReport) -> None:
    sheet.append(list(REPORT_HEADERS))  # type: ignore[attr-defined]
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = HEADER_FONT
    for letter, width in zip("ABCDE", (8, 24, 28, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width  # type: ignore[attr-defined]
    if not report.errors:
        sheet.append(["", "", "", "未发现错误。", ""])  # type: ignore[attr-defined]
    for error in report.errors:
        sheet.append(  # type: ignore[attr-defined]
            [
                error.row or "",
                neutralise_formula(error.column_header),
                neutralise_formula(error.value),  # the user's own text: never a live formula
                error.problem,
                error.fix,
            ]
        )
