"""Excel exports: the filtered application list, and a call's review summary with its result
list (the ranking three ways, the award beside each application). Text cells are neutralised
against formulas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kechuang.core.xlsx import add_sheet, new_workbook, table_xlsx, workbook_bytes
from kechuang.programs.models import Application, Award, Call

APPLICATION_COLUMNS = (
    ("项目名称", lambda a: a.title),
    ("批次", lambda a: a.call.title),
    ("榜单", lambda a: f"{a.challenge.code} {a.challenge.title}" if a.challenge else ""),
    ("申报单位", lambda a: a.organization.name),
    ("项目负责人", lambda a: a.leader.name if a.leader else ""),
    ("申请财政经费（万元）", lambda a: a.requested),
    ("自筹经费（万元）", lambda a: a.self_funding),
    ("所处环节", lambda a: a.phase_label),
    ("提交时间", lambda a: a.submitted_at.replace(tzinfo=None) if a.submitted_at else None),
    ("演示数据", lambda a: "是" if a.is_demo else ""),
)
RANKING_HEADER = [
    "排名",
    "项目名称",
    "申报单位",
    "评审数",
    "原始均值",
    "去极值均值",
    "标准分均值",
    "立项经费（万元）",
    "已公示",
]


def applications_xlsx(rows: Iterable[Application]) -> bytes:
    return table_xlsx(
        "项目申报",
        [name for name, _ in APPLICATION_COLUMNS],
        ([get(a) for _, get in APPLICATION_COLUMNS] for a in rows),
    )


def ranking_xlsx(call: Call, ranking: list[dict[str, Any]]) -> bytes:
    awards = {a.application_id: a for a in Award.objects.filter(application__call=call)}
    workbook = new_workbook()
    rows = []
    for row in ranking:
        app, agg = row["application"], row["aggregate"]
        award = awards.get(app.pk)
        rows.append(
            [
                agg.rank,
                app.title,
                app.organization.name,
                agg.count,
                round(agg.raw_mean, 2),
                round(agg.trimmed_mean, 2),
                round(agg.z_mean, 4),
                award.amount if award else None,
                ("是" if award.published else "否") if award else "",
            ]
        )
    add_sheet(workbook, "评审汇总与立项", RANKING_HEADER, rows)
    return workbook_bytes(workbook)
