"""The projects' Excel export (core/xlsx: formula-neutralised cells): one sheet of projects with
their funds and targets, one of funds by programme, one of overdue milestones."""

from __future__ import annotations

from typing import Any

from kechuang.core.xlsx import add_sheet, new_workbook, workbook_bytes
from kechuang.projects import selectors

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
