"""The enterprise self-assessment as a Word document (one section per rule set)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from docx import Document

from kechuang.core.docx_style import add_table, fit_table, set_cjk_fonts
from kechuang.cultivation.engine.registry_case import CASE_YEAR_FIELDS
from kechuang.cultivation.engine.result import ELIGIBILITY_LABELS, Assessment
from kechuang.cultivation.engine.selfassess import RULESETS
from kechuang.registry.models import AnnualReport, Organization, QualificationKind

GRADE_LABELS = (
    ("advancement", "技术的先进程度（A–E）"),
    ("core_support", "对企业主要产品（服务）的核心支持作用（A–E）"),
    ("rd_management_points", "研究开发组织管理水平（0–20 分）"),
)
NOT_JUDGED = "未评（按该项全部分值区间测算）"


def _figure(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def add_inputs(document: Any, case: dict[str, Any]) -> None:
    """Every input the assessment used: the dates and field, the annual figures, the IP and
    conversions, the qualifications held, the expert grades (or that they were not judged)."""
    document.add_heading("测算所用数据", level=2)
    document.add_paragraph(
        f"评估日期 {case.get('as_of') or '—'}；注册成立日期 {case.get('registered_on') or '—'}；"
        f"技术领域 {case.get('tech_field') or '未确定'}。"
    )
    years = case.get("years") or []
    if years:
        rows = [
            [str(AnnualReport._meta.get_field(name).verbose_name)]
            + [_figure(year.get(name)) for year in years]
            for name in CASE_YEAR_FIELDS
        ]
        add_table(document, ["项目（万元 / 人）", *[f"{y['year']} 年" for y in years]], rows)
    else:
        document.add_paragraph("年度数据：无已确认的年度数据。")
    ip = case.get("ip") or {}
    class_i, class_ii = _figure(ip.get("class_i")), _figure(ip.get("class_ii"))
    document.add_paragraph(
        f"Ⅰ类知识产权 {class_i} 项；Ⅱ类知识产权 {class_ii} 项；"
        f"近三年科技成果转化 {_figure(case.get('conversions_3y'))} 项。"
    )
    held = [str(QualificationKind(k).label) for k in case.get("qualifications") or []]
    document.add_paragraph(f"现有有效资质：{'、'.join(held) if held else '无'}。")
    grades = case.get("expert_grades") or {}
    add_table(
        document,
        ["专家评价项", "等级 / 分值"],
        [
            [label, _figure(grades.get(key)) if grades.get(key) not in (None, "") else NOT_JUDGED]
            for key, label in GRADE_LABELS
        ],
    )


def report_docx(
    organization: Organization,
    results: dict[str, Assessment],
    what_if: bool,
    case: dict[str, Any] | None = None,
) -> bytes:
    """The self-assessment as a Word document: the inputs it used (`case`), then one section per
    rule set (tables read back)."""
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
    if case is not None:
        add_inputs(document, case)
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
