"""The registration certificate (技术合同登记证明) as a Word document: the registration number
and check code, the parties, the category, and — as the 2024 draft 第十五条 requires — both the
合同成交额 and the 技术交易额, with the deductions itemised. Anyone can check it at the public
verification page with the number and the check code."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from kechuang.contracts.models import COUNTED_STATES, TechContract
from kechuang.core.docx_style import fit_table, set_cjk_fonts

REGISTRAR_NAME = "南阳市技术合同登记机构"


def wan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.0001')).normalize():f} 万元"


def _buyer_place(contract: TechContract) -> str:
    return contract.buyer_area.name if contract.buyer_area else f"市外（{contract.buyer_region}）"


def certificate_rows(contract: TechContract) -> list[tuple[str, str]]:
    return [
        ("登记编号", contract.registration_no or ""),
        ("校验码", contract.check_code),
        ("合同名称", contract.title),
        ("合同类别", f"{contract.category_label}（{contract.subcategory_label}）"),
        ("卖方（登记方）", f"{contract.seller_name}（{contract.seller_uscc}）"),
        ("卖方所在地", contract.seller_area.name),
        ("买方", contract.buyer_name),
        ("买方所在地", _buyer_place(contract)),
        ("签订日期", contract.signed_on.isoformat()),
        ("登记日期", contract.registered_on.isoformat() if contract.registered_on else ""),
        ("合同成交额", wan(contract.total_amount)),
        ("技术交易额", wan(contract.tech_amount)),
        ("登记状态", contract.get_status_display()),
    ]


def build_certificate(contract: TechContract, verify_url: str) -> bytes:
    if contract.status not in COUNTED_STATES and contract.status != "cancelled":
        raise ValidationError({"status": ["合同尚未登记，不能出具登记证明。"]})
    document = Document()
    set_cjk_fonts(document)
    title = document.add_heading("技术合同登记证明", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if contract.is_demo:
        document.add_paragraph("演示数据：本证明为系统演示生成，不具任何效力。")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in certificate_rows(contract):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    fit_table(table)
    deductions = list(contract.deductions.all())
    if deductions:
        document.add_paragraph("核定技术交易额时扣除的非技术性费用及不扣除的技术载体：")
        items = document.add_table(rows=1, cols=4)
        items.style = "Table Grid"
        for cell, text in zip(items.rows[0].cells, ("类别", "说明", "数量", "金额"), strict=True):
            cell.text = text
        for d in deductions:
            cells = items.add_row().cells
            kind = d.get_kind_display() + ("（扣除）" if d.deducted else "（不扣除）")
            cells[0].text, cells[1].text = kind, d.description
            cells[2].text, cells[3].text = str(d.quantity), wan(d.amount)
        fit_table(items)
    note = document.add_paragraph(
        "技术交易额为合同成交额扣除购置设备、仪器、零部件、原材料等非技术性费用后的余额；"
        "合理数量技术载体的直接成本不计入非技术性费用。"
    )
    note.runs[0].font.size = Pt(9)
    document.add_paragraph(f"真伪查验：{verify_url}（输入登记编号和校验码）")
    signature = document.add_paragraph(f"{REGISTRAR_NAME}\n{contract.registered_on}")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


STATS_SECTIONS = (
    ("技术输出（按卖方所在区域）", "output_by_area"),
    ("技术吸纳（按买方所在区域）", "absorbed_by_area"),
    ("按合同类别", "by_category"),
    ("按期间", "by_period"),
    ("按技术领域", "by_field"),
    ("按卖方类型", "by_seller_kind"),
    ("卖方前十", "top_sellers"),
    ("买方前十", "top_buyers"),
)


def _sums_table(document: Document, first: str, rows: list[dict]) -> None:
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    header = (first, "项数", "合同成交额（万元）", "技术交易额（万元）")
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for r in rows:
        cells = table.add_row().cells
        values = (str(r["key"]), str(r["count"]), wan(r["total"]), wan(r["technology"]))
        for cell, text in zip(cells, values, strict=True):
            cell.text = text.removesuffix(" 万元")
    fit_table(table)


def build_statistics_report(answer: dict) -> bytes:
    """The statistics page as a Word document (the same figures as the page and the Excel)."""
    document = Document()
    set_cjk_fonts(document)
    scope = f"{answer['year'] or '全部年度'} · {answer['area'] or '全部区域'}"
    document.add_heading(f"技术合同登记统计（{scope}）", level=0)
    totals = answer["totals"]
    document.add_paragraph(
        f"登记合同 {totals['count']} 份，合同成交额 {wan(totals['total'])}，技术交易额 "
        f"{wan(totals['technology'])}。口径：已登记和已变更登记的合同按登记日期计入，变更的按最新金额，"
        "已注销、不予登记和办理中的不计；技术输出按卖方所在区域，技术吸纳按买方所在区域（买方在市外的只计输出）。"
    )
    for title, key in STATS_SECTIONS:
        document.add_heading(title, level=1)
        _sums_table(document, title.split("（")[0], answer[key])
    document.add_heading("技术流向（卖方区域 → 买方区域）", level=1)
    flows = [{"key": f"{f['seller']} → {f['buyer']}", **f} for f in answer["flows"]]
    _sums_table(document, "流向", flows)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
