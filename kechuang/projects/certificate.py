"""The acceptance certificate (项目验收证书) as a Word document in the official format
(`core.docx_style`: A4, GB/T 9704 margins, fonts and page numbers): the project, the
organization, the funds by source, each target with its target and achieved value and
completion, the panel's conclusion and reasons, the certificate number."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from kechuang.core.docx_style import fit_table, set_cjk_fonts
from kechuang.projects.models import Acceptance

HEADERS = ("序号", "考核指标", "单位", "目标值", "完成值", "完成度")


def _amount(value: object) -> str:
    return f"{value.normalize():f}" if value is not None else "—"  # type: ignore[attr-defined]


def certificate_docx(acceptance: Acceptance) -> bytes:
    project = acceptance.project
    document = Document()
    set_cjk_fonts(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("南阳市科技计划项目验收证书")
    run.bold = True
    run.font.size = Pt(22)
    number = document.add_paragraph(f"证书编号：{acceptance.certificate_number}")
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_heading("一、项目基本情况", level=1)
    for label, value in (
        ("项目名称", project.title),
        ("科技计划", str(project.program)),
        ("组织方式", project.get_mode_display()),
        ("承担单位", project.organization.name),
        ("项目负责人", project.leader.name if project.leader_id else "—"),
        ("实施期限", f"{project.starts_on:%Y年%m月%d日}至{project.ends_on:%Y年%m月%d日}"),
        (
            "项目经费",
            f"市财政 {_amount(project.city_funds)} 万元，发榜单位配套 "
            f"{_amount(project.issuer_funds)} 万元，承担单位自筹 "
            f"{_amount(project.enterprise_funds)} 万元，合计 {_amount(project.total_funds)} 万元",
        ),
    ):
        document.add_paragraph(f"{label}：{value}")
    document.add_heading("二、考核指标完成情况", level=1)
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = header
    for i, line in enumerate(acceptance.checklist, 1):
        share = f"{float(line['completion']) * 100:.2f}%"
        values = (
            str(i),
            line["name"],
            line["unit"],
            line["target"],
            line["achieved"] or "—",
            share,
        )
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    fit_table(table)
    document.add_paragraph(f"总体完成度：{float(acceptance.completion) * 100:.2f}%")
    document.add_heading("三、验收结论", level=1)
    document.add_paragraph(f"验收结论：{acceptance.get_conclusion_display()}")
    document.add_paragraph(f"结论理由：{acceptance.reasons}")
    document.add_paragraph(f"验收日期：{acceptance.decided_on:%Y年%m月%d日}")
    sign = document.add_paragraph("南阳市科学技术局（盖章）")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if project.is_demo:
        document.add_paragraph("演示数据，非正式证书。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
