"""Hostile workbooks are refused before they are unpacked or laid out, so the worker's memory
comes back to where it was (#17 item 4): a sheet of whitespace packed a thousand to one, one
cell at the far corner of the sheet (a 17-billion-cell grid to a reader), too many rows; a
legitimate workbook still reads, and its formula cells are found."""

from __future__ import annotations

import gc
import io
import resource
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from kechuang.core.imports import table
from kechuang.core.imports.table import FileProblem, read_table

MB = 1024 * 1024


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, change: callable) -> bytes:  # type: ignore[valid-type]
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _refused_within(content: bytes, budget: int) -> tuple[str, int, int]:
    """(problem, Python peak, RSS growth) of reading `content`, which must be refused."""
    gc.collect()
    start = _rss()
    tracemalloc.start()
    with pytest.raises(FileProblem) as refused:
        read_table(content, sheet="数据")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    growth = _rss() - start
    assert peak < budget and growth < budget, (peak, growth)
    return refused.value.problem, peak, growth


def test_a_sheet_of_whitespace_is_refused_before_it_is_unpacked() -> None:
    base = _workbook([["名称"], ["甲"]])
    hostile = _rewrite_sheet(
        base, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (200 * MB))
    )
    assert len(hostile) < MB  # passes any upload size check
    problem, _, _ = _refused_within(hostile, 20 * MB)
    assert problem == "工作簿的压缩比异常（解压后膨胀数百倍，如大量空白），疑似异常文件。"


def test_a_cell_at_the_far_corner_is_refused_before_the_grid_is_laid_out() -> None:
    base = _workbook([["名称"], ["甲"]])
    corner = b'<row r="1000"><c r="XFD1000" t="inlineStr"><is><t>x</t></is></c></row>'
    hostile = _rewrite_sheet(
        base, lambda xml: xml.replace(b"</sheetData>", corner + b"</sheetData>")
    )
    problem, _, _ = _refused_within(hostile, 20 * MB)
    assert "用到单元格 XFD1000" in problem and "疑似异常文件" in problem


def test_too_many_rows_are_refused_before_they_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    content = _workbook([["名称"], *([f"单位{n}"] for n in range(30))])
    with pytest.raises(FileProblem) as refused:
        read_table(content, sheet="数据", max_rows=20)
    assert refused.value.problem == "文件行数过多（工作表用到第 31 行），一次最多导入 20 行。"


def test_an_ordinary_workbook_reads_and_its_formulas_are_found() -> None:
    content = _workbook([["名称", "金额"], ["甲", 1], ["乙", "=B2*2"]])
    result = read_table(content, sheet="数据")
    assert result.rows[1] == ["甲", 1] and result.formulas == [(3, 2)]
    found: list[tuple[object, ...]] = []
    table.report_formulas(result, lambda *args: found.append(args))
    assert found == [
        (
            3,
            "金额",
            "B3",
            "该单元格是公式（B3），导入只读取数值，公式的结果可能缺失或已过时。",
            table.FORMULA_FIX,
        )
    ]
    scan = table.scan_sheet(content, "数据")
    assert (scan.last_row, scan.last_column, scan.has_formula) == (3, 26, True)  # ≤ Z: 26


def test_a_data_validation_list_is_not_a_formula() -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    sheet.append(["类型"])
    sheet.append(["企业"])
    rule = DataValidation(type="list", formula1='"企业,高等院校"')
    sheet.add_data_validation(rule)
    rule.add("A2:A100")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue(), sheet="数据").formulas == []
