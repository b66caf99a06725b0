"""Exports: a listing table (the filtered list, every row) and a published list in Excel and in
Word (the official format: title, 发布单位 and date, a numbered table)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.shared import Pt

from kechuang.core.downloads import DOCX, XLSX, attachment
from kechuang.core.xlsx import add_sheet, new_workbook, table_xlsx, workbook_bytes
from kechuang.market.models import Listing, PublishedList

LISTING_COLUMNS = (
    ("编号", lambda r: r.pk),
    ("名称", lambda r: r.title),
    ("发布单位", lambda r: r.owner_name),
    ("区域", lambda r: r.area.name),
    ("产业", lambda r: str(r.industry) if r.industry else ""),
    ("关键词", lambda r: r.keywords),
    ("状态", lambda r: r.get_status_display()),
    ("发布日期", lambda r: r.published_on),
    ("演示数据", lambda r: "是" if r.is_demo else ""),
)
LIST_COLUMNS = (
    ("序号", None),
    ("名称", "title"),
    ("发布单位", "organization"),
    ("区域", "area"),
    ("产业", "industry"),
    ("需求/场景内容", "problem"),
    ("量化指标或提供条件", "targets"),
    ("预算（万元）", "budget"),
)


def export_listings(rows: Iterable[Listing], label: str) -> HttpResponse:
    content = table_xlsx(
        label,
        [name for name, _ in LISTING_COLUMNS],
        ([get(r) for _, get in LISTING_COLUMNS] for r in rows),
    )
    return attachment(content, f"{label}.xlsx", XLSX)


def _list_rows(published: PublishedList) -> list[list[Any]]:
    rows = []
    for number, item in enumerate(published.items, start=1):
        values = [number]
        for _, key in LIST_COLUMNS[1:]:
            value = item.get(key, "")
            if key == "targets" and not value:
                value = item.get("offers", "")
            values.append(value)
        rows.append(values)
    return rows


def list_xlsx_bytes(published: PublishedList) -> bytes:
    return table_xlsx(
        published.get_kind_display(), [n for n, _ in LIST_COLUMNS], _list_rows(published)
    )


def export_list_xlsx(published: PublishedList) -> HttpResponse:
    return attachment(list_xlsx_bytes(published), f"{published.title}.xlsx", XLSX)


def export_list_docx(published: PublishedList) -> HttpResponse:
    return attachment(list_docx_bytes(published), f"{published.title}.docx", DOCX)


def list_docx_bytes(published: PublishedList) -> bytes:
    document = Document()
    heading = document.add_heading(published.title, level=1)
    heading.alignment = 1
    meta = document.add_paragraph(
        f"发布：{published.area.name}科技大市场　发布日期：{published.issued_on:%Y年%m月%d日}"
        f"　共 {len(published.items)} 项"
    )
    meta.alignment = 1
    table = document.add_table(rows=1, cols=len(LIST_COLUMNS))
    table.style = "Table Grid"
    for cell, (name, _) in zip(table.rows[0].cells, LIST_COLUMNS, strict=True):
        cell.text = name
    for row in _list_rows(published):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value or "")
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(11)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export_conversion(
    table: dict[str, list[dict[str, Any]]], dimensions: dict[str, str]
) -> HttpResponse:
    """The conversion figures, one sheet per dimension (区域、产业、技术经理人、活动)."""
    workbook = new_workbook()
    for by, rows in table.items():
        add_sheet(
            workbook,
            f"按{dimensions[by]}",
            [dimensions[by], "对接（项）", "签约（项）", "转化率"],
            ([r["key"], r["matches"], r["signed"], r["rate"]] for r in rows),
            lead=f"对接转化率（按{dimensions[by]}）：签约 = 已签约或签约后已完结",
        )
    return attachment(workbook_bytes(workbook), "对接转化率.xlsx", XLSX)
