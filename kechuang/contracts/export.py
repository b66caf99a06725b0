"""Excel exports: the filtered contract list (every row) and the statistics tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from kechuang.contracts.models import TechContract
from kechuang.core.downloads import XLSX, attachment
from kechuang.core.xlsx import add_sheet, new_workbook, table_xlsx, workbook_bytes

COLUMNS = (
    ("登记编号", lambda c: c.registration_no or ""),
    ("合同名称", lambda c: c.title),
    ("合同类别", lambda c: c.category_label),
    ("细分类别", lambda c: c.subcategory_label),
    ("卖方", lambda c: c.seller_name),
    ("卖方统一社会信用代码", lambda c: c.seller_uscc),
    ("卖方区域", lambda c: c.seller_area.name),
    ("买方", lambda c: c.buyer_name),
    ("买方区域", lambda c: c.buyer_area.name if c.buyer_area else ""),
    ("买方省/市（市外）", lambda c: c.buyer_region),
    ("技术领域", lambda c: c.tech_field.name if c.tech_field else ""),
    ("签订日期", lambda c: c.signed_on),
    ("登记日期", lambda c: c.registered_on),
    ("合同成交额（万元）", lambda c: c.total_amount),
    ("技术交易额（万元）", lambda c: c.tech_amount),
    ("已到账（万元）", lambda c: c.payments_received),
    ("状态", lambda c: c.get_status_display()),
    ("演示数据", lambda c: "是" if c.is_demo else ""),
)


def export_contracts(rows: Iterable[TechContract]) -> HttpResponse:
    content = table_xlsx(
        "技术合同",
        [title for title, _ in COLUMNS],
        ([get(c) for _, get in COLUMNS] for c in rows),
    )
    return attachment(content, "技术合同登记.xlsx", XLSX)


STATS_SHEETS = (
    ("按期间", "by_period", "期间"),
    ("技术输出（卖方区域）", "output_by_area", "区域"),
    ("技术吸纳（买方区域）", "absorbed_by_area", "区域"),
    ("按类别", "by_category", "类别"),
    ("按技术领域", "by_field", "技术领域"),
    ("按产业", "by_industry", "产业"),
    ("按卖方类型", "by_seller_kind", "卖方类型"),
    ("卖方前十", "top_sellers", "卖方"),
    ("买方前十", "top_buyers", "买方"),
)
SUMS_HEADER = ["项数", "合同成交额（万元）", "技术交易额（万元）"]


def stats_workbook(answer: dict[str, Any]) -> bytes:
    workbook = new_workbook()
    for title, key, label in STATS_SHEETS:
        rows = ([r["key"], r["count"], r["total"], r["technology"]] for r in answer[key])
        add_sheet(workbook, title, [label, *SUMS_HEADER], rows)
    flows = (
        [f["seller"], f["buyer"], f["count"], f["total"], f["technology"]] for f in answer["flows"]
    )
    add_sheet(workbook, "流向（卖方→买方）", ["卖方区域", "买方区域", *SUMS_HEADER], flows)
    return workbook_bytes(workbook)
