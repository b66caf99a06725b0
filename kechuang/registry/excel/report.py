"""The registry import's error workbook (`kechuang.core.imports.workbook`)."""

from __future__ import annotations

from kechuang.core.imports.workbook import error_workbook
from kechuang.registry.excel.importer import ImportReport


def report_xlsx(report: ImportReport, original_bytes: bytes | None) -> bytes:
    """The annotated workbook (or, when the upload could not be opened, the error list alone)."""
    return error_workbook(report.errors, report.header_columns, report.sheet_title, original_bytes)
