"""The reserve pool list as an Excel workbook (the filtered list, every row)."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.core.downloads import XLSX, attachment
from kechuang.core.imports.cells import neutralise_formula
from kechuang.cultivation.engine.batch import HNTE_CONDITION_LABELS
from kechuang.cultivation.models import TierRuleSet

EXPORT_COLUMNS = (
    ("企业名称", lambda e: e.organization.name),
    ("统一社会信用代码", lambda e: e.organization.uscc),
    ("所在区域", lambda e: e.organization.area.name),
    ("所属产业", lambda e: e.organization.industry.name if e.organization.industry else ""),
    ("后备库层级", lambda e: e.get_tier_display() or "未入库"),
    ("进入该层级日期", lambda e: e.tier_since),
    ("高新技术企业", lambda e: "是" if e.is_hnte else "否"),
    ("科技型中小企业", lambda e: "是" if e.is_tsme else "否"),
    ("高企条件", lambda e: e.get_hnte_eligible_display() if e.hnte_eligible is not None else ""),
    ("高企未达条件数", lambda e: e.hnte_failed),
    (
        "高企未达条件",
        lambda e: "、".join(HNTE_CONDITION_LABELS.get(c, c) for c in e.failed_conditions),
    ),
    ("高企差距", lambda e: "；".join(e.gaps)),
    ("高企评分区间", lambda e: _interval(e.hnte_total_min, e.hnte_total_max)),
    ("科小评分", lambda e: e.tsme_total_min),
    ("数据状态", lambda e: e.get_data_status_display()),
    ("最近会计年度", lambda e: e.latest_year),
    ("评价基准日", lambda e: e.as_of),
)


TIER_RESULT_LABELS = {1: "符合", 0: "不符合", 2: "无法判定", None: "未评价"}


def _interval(low: int | None, high: int | None) -> str:
    if low is None:
        return ""
    return str(low) if low == high else f"{low}–{high}"


def export_pool(entries: Any) -> HttpResponse:
    """The filtered list as xlsx (every row, not just one page), formula-safe, with one column
    per tier rule set (符合 / 不符合 / 无法判定 / 未评价)."""
    rule_sets = list(TierRuleSet.objects.exclude(status="inactive"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "高企后备库"
    sheet.append([title for title, _ in EXPORT_COLUMNS] + [r.name for r in rule_sets])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries.iterator(chunk_size=2000):
        row = []
        for _, get in EXPORT_COLUMNS:
            value = get(entry)
            row.append(neutralise_formula(value) if isinstance(value, str) else value)
        row += [TIER_RESULT_LABELS[entry.tier_results.get(r.code)] for r in rule_sets]
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(buffer.getvalue(), f"高企后备库-{timezone.localdate():%Y%m%d}.xlsx", XLSX)
