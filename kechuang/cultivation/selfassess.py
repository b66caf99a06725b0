"""Enterprise self-assessment: a case built from the registry's confirmed figures, assessed by
the same engines as `manage.py assess`, with a what-if copy that never touches the records."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from docx import Document

from kechuang.core.docx_style import set_cjk_fonts
from kechuang.cultivation.cases import CASE_YEAR_FIELDS, case_for
from kechuang.cultivation.engine import CaseError, assess, load_case
from kechuang.cultivation.engine.result import ELIGIBILITY_LABELS, Assessment
from kechuang.registry.models import Organization

RULESETS = (("hnte-2016", "高新技术企业"), ("tsme-2022", "科技型中小企业"))


def case_from_registry(organization: Organization, as_of: dt.date) -> dict[str, Any]:
    """The case (engine format, amounts in 万元) from the registry; see :mod:`.cases`."""
    return case_for(organization, as_of)


def assess_case(case: dict[str, Any]) -> tuple[dict[str, Assessment], dict[str, list[str]]]:
    """Both rule sets on one case; returns the assessments or the case's field errors."""
    try:
        parsed = load_case(case)
    except CaseError as error:
        return {}, error.errors
    results, errors = {}, {}
    for code, _ in RULESETS:
        try:
            results[code] = assess(code, parsed)
        except CaseError as error:
            errors.update(error.errors)
    return results, errors


def what_if_case(base: dict[str, Any], post: Any) -> dict[str, Any]:
    """A copy of `base` with the figures the user changed in the what-if form."""
    case = {**base, "years": [dict(y) for y in base["years"]], "ip": dict(base["ip"])}
    for index, year in enumerate(case["years"]):
        for name in CASE_YEAR_FIELDS:
            raw = post.get(f"y{index}_{name}", "").strip()
            if raw != "":
                year[name] = _number(raw)
    for name in ("class_i", "class_ii"):
        raw = post.get(f"ip_{name}", "").strip()
        if raw != "":
            case["ip"][name] = _number(raw)
    if post.get("conversions_3y", "").strip():
        case["conversions_3y"] = _number(post["conversions_3y"].strip())
    grades = {k: post.get(k) for k in ("advancement", "core_support") if post.get(k)}
    if post.get("rd_management_points", "").strip():
        grades["rd_management_points"] = _number(post["rd_management_points"].strip())
    if grades:
        case["expert_grades"] = grades
    return case


def _number(raw: str) -> Any:
    """Numbers as numbers; anything else is passed through for the engine to refuse clearly."""
    try:
        value = Decimal(raw.replace(",", ""))
    except ArithmeticError:
        return raw
    return int(value) if value == value.to_integral_value() else float(value)


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
        + f"；生成日期 {dt.date.today():%Y-%m-%d}。自评结果仅供参考，以主管部门认定为准。"
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
        if result.gaps:
            document.add_paragraph("差距与建议：")
            for gap in result.gaps:
                document.add_paragraph(gap.message_zh, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
