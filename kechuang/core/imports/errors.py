"""Row errors: what an import says about a file, in Chinese — which row, which column, what the
cell held, what is wrong and how to fix it — and the refusals of a commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FILE = "（文件）"  # the column of an error about the file as a whole
WHOLE_ROW = "（整行）"  # the column of an error about a row as a whole


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row number (1 is the header row; 0: the file as a whole)
    column_header: str  # what users see: the Chinese header (and the column's letter), no code
    value: str
    problem: str
    fix: str
    column: str = ""  # the program's name of the column (for an API's errors by field), if any


def column_letters(number: int) -> str:
    """1 → A, 27 → AA (the spreadsheet's column letters)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_label(code: str, headers_zh: Mapping[str, str], position: int | None = None) -> str:
    """A column as users know it, for every importer whose columns have codes: its Chinese
    header — never the code the program uses — with its letter in the user's file when known,
    e.g. 合同成交额（万元）（N 列）. A name that is no code (a header the file had, （文件）,
    （整行）) is kept as it is."""
    if code not in headers_zh:
        return code
    header = headers_zh[code]
    return f"{header}（{column_letters(position)} 列）" if position else header


class ImportRefused(Exception):
    """Commit refused (errors in the report, another user, data changed since validation)."""


def show_value(value: Any) -> str:
    """A cell's value as the error list shows it (dates as YYYY-MM-DD, at most 200 characters)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if not getattr(value, "hour", 0) else value.isoformat()
    return str(value)[:200]


@dataclass
class ErrorLog:
    """The errors of one validation run; reports of every importer extend it."""

    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(
        self, row: int, header: str, value: Any, problem: str, fix: str, column: str = ""
    ) -> None:
        self.errors.append(RowError(row, header, show_value(value), problem, fix, column))
