"""The enterprise self-assessment as a Word document (one section per rule set)."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document

from kechuang.core.docx_style import fit_table, set_cjk_fonts
from kechuang.cultivation.engine.result import ELIGIBILITY_LABELS, Assessment
from kechuang.cultivation.engine.selfassess import RULESETS
from kechuang.registry.models import Organization


def report_docx(organization: Organization, results: dict[str, Assessment], what_if: bool) -> bytes:
    """The self-assessment as a Word document (one section per rule set, tables read back)."""
    document = Document()
    set_cjk_fonts(document)
    document.add_heading(f"{organization.name} 认定条件自评报告", level=1)
    document.add_paragraph(
        (
            "（模拟测算：以下数据为假设修改后的副本，未改动登记数据）"
            if what_if
            else "依据：已确认的年度数据"
        )
        + f"；生成日期 {timezone.localdate():%Y-%m-%d}。自评结果仅供参考，以主管部门认定为准。"
    )
    for code, label in RULESETS:
        result = results.get(code)
        if result is None:
            continue
        document.add_heading(f"{label}：{ELIGIBILITY_LABELS[result.eligible]}", level=2)
        document.add_paragraph(f"{result.title}；总分 {result.total.text()} 分")
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("条件", "结果", "实际值", "要求"), strict=True):
            cell.text = text
        for c in result.conditions:
            row = table.add_row().cells
            row[0].text = c.title
            row[1].text = {True: "通过", False: "未通过", None: "待定"}[c.passed]
            row[2].text = f"{c.value}{c.unit}" if c.value is not None else "—"
            row[3].text = (
                f"{c.comparator} {c.threshold}{c.unit}" if c.threshold is not None else "—"
            )
        fit_table(table)
        if result.gaps:
            document.add_paragraph("差距与建议：")
            for gap in result.gaps:
                document.add_paragraph(gap.message_zh, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
