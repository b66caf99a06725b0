"""The Word review summary and result list (评审结果汇总及立项公示) of a call: the call, the
ranking shown three ways (raw mean, trimmed mean, z-score mean) with the award beside each
application, in the house's Word style (`core.docx_style`)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from kechuang.core.docx_style import set_cjk_fonts
from kechuang.programs.engine.scores import METHODS
from kechuang.programs.models import Award, Call

HEADERS = (
    "排名",
    "项目名称",
    "申报单位",
    "评审数",
    "原始均值",
    "去极值均值",
    "标准分均值",
    "立项经费（万元）",
)


def _amount(value: Any) -> str:
    return f"{value.normalize():f}" if value is not None else "—"


def results_docx(call: Call, rows: list[dict[str, Any]]) -> bytes:
    document = Document()
    set_cjk_fonts(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{call.title}\n评审结果汇总及立项名单")
    run.bold = True
    run.font.size = Pt(16)
    document.add_paragraph(
        f"计划：{call.program.name}；组织方式：{call.get_mode_display()}；"
        f"流程：{call.workflow_version}；排序方法：{METHODS.get(call.ranking_method)}。"
    )
    awards = {a.application_id: a for a in Award.objects.filter(application__call=call)}
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = header
    for row in rows:
        app, agg = row["application"], row["aggregate"]
        award = awards.get(app.pk)
        values = (
            str(agg.rank),
            app.title,
            app.organization.name,
            str(agg.count),
            f"{agg.raw_mean:.2f}",
            f"{agg.trimmed_mean:.2f}",
            f"{agg.z_mean:.3f}",
            _amount(award.amount) if award else "—",
        )
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    document.add_paragraph(
        "说明：标准分均值为每位专家的评分按该专家在本批次全部评分的均值和总体标准差标准化后的平均值；"
        "去极值均值在评审数不少于 5 时去掉一个最高分和一个最低分。原始评分保留在系统中。"
    )
    document.add_paragraph(f"生成日期：{timezone.localdate()}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
