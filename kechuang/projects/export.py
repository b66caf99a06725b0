"""The projects' exports. Excel (core/xlsx: formula-neutralised cells): one sheet of projects
with their funds and targets, one of funds by programme, one of overdue milestones. Word (the
official format of core/docx_style): the dashboard — projects by status within each industry
chain, programme and area, funds by chain, targets met, outputs credited, overdue milestones."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from kechuang.core.docx_style import add_table, set_cjk_fonts
from kechuang.core.xlsx import add_sheet, new_workbook, workbook_bytes
from kechuang.projects import selectors
from kechuang.projects.models import ProjectStatus

PROJECT_HEADER = (
    "项目名称",
    "科技计划",
    "组织方式",
    "承担单位",
    "所属区域",
    "状态",
    "包干制",
    "市财政经费（万元）",
    "发榜单位配套（万元）",
    "自筹（万元）",
    "考核指标数",
    "已完成指标数",
)


def _met(t: Any) -> bool:
    if t.achieved is None:
        return False
    return t.achieved <= t.target_value if t.lower_is_better else t.achieved >= t.target_value


def projects_xlsx(user: Any) -> bytes:
    workbook = new_workbook()
    rows = []
    for p in selectors.projects_for(user).prefetch_related("targets"):
        targets = [t for t in p.targets.all() if not t.removed]
        rows.append(
            (
                p.title,
                p.program.name,
                p.get_mode_display(),
                p.organization.name,
                p.organization.area.name,
                p.get_status_display(),
                "是" if p.lump_sum else "否",
                float(p.city_funds),
                float(p.issuer_funds),
                float(p.enterprise_funds),
                len(targets),
                sum(1 for t in targets if _met(t)),
            )
        )
    add_sheet(workbook, "科技项目", PROJECT_HEADER, rows)
    funds = [
        (r["key"], float(r["committed"]), float(r["paid"]), float(r["spent"]))
        for r in selectors.funds_summary(user, "program")
    ]
    add_sheet(workbook, "经费（按计划）", ("科技计划", "下达", "已拨付", "已支出"), funds)
    overdue = [
        (m.project.title, m.project.organization.name, m.title, m.due_on.isoformat())
        for m in selectors.overdue_milestones(user)
    ]
    add_sheet(workbook, "逾期里程碑", ("项目名称", "承担单位", "里程碑", "计划完成日期"), overdue)
    return workbook_bytes(workbook)


def _amount(value: Any) -> str:
    return f"{value.normalize():f}"


def _status_section(document: Any, user: Any, by: str, label: str) -> None:
    """Projects by status within each chain / programme / area (statuses with projects)."""
    rows = selectors.status_by(user, by)
    labels = [s.label for s in ProjectStatus]
    used = [i for i in range(len(labels)) if any(r["counts"][i] for r in rows)]
    header = [label, "项目数", *(labels[i] for i in used)]
    body = [[r["key"], str(r["total"]), *(str(r["counts"][i]) for i in used)] for r in rows]
    add_table(document, header, body)


def dashboard_docx(user: Any) -> bytes:
    document = Document()
    set_cjk_fonts(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("南阳市科技计划项目看板")
    run.bold = True
    run.font.size = Pt(22)
    document.add_paragraph(f"统计日期：{timezone.localdate():%Y年%m月%d日}")
    targets = selectors.targets_summary(user)
    document.add_paragraph(f"考核指标：承诺 {targets['promised']} 项，已完成 {targets['met']} 项。")
    for number, (by, label) in enumerate(
        (("chain", "产业链"), ("program", "科技计划"), ("area", "区域")), 1
    ):
        document.add_heading(f"{'一二三'[number - 1]}、项目状态（按{label}）", level=1)
        _status_section(document, user, by, label)
    document.add_heading("四、经费（按产业链，万元）", level=1)
    funds = [
        [
            r["key"],
            str(r["projects"]),
            *(_amount(r[k]) for k in ("committed", "paid", "spent")),
        ]
        for r in selectors.funds_summary(user, "chain")
    ]
    add_table(document, ["产业链", "项目数", "下达", "已拨付", "已支出"], funds)
    document.add_heading("五、项目成果（按类型和年份）", level=1)
    credited = selectors.outputs_credited(user)
    outputs = [
        [str(r["year"]), *(str(n) for n in r["counts"]), str(r["total"])] for r in credited["rows"]
    ]
    outputs.append(["合计", *(str(n) for n in credited["totals"]), str(sum(credited["totals"]))])
    add_table(document, ["年份", *credited["kinds"], "合计"], outputs)
    document.add_heading("六、逾期里程碑", level=1)
    overdue = [
        [m.project.title, m.project.organization.name, m.title, f"{m.due_on:%Y-%m-%d}"]
        for m in selectors.overdue_milestones(user)
    ]
    if overdue:
        add_table(document, ["项目名称", "承担单位", "里程碑", "计划完成日期"], overdue)
    else:
        document.add_paragraph("无逾期里程碑。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
