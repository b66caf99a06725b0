"""Exports: the entitled list of a run (Excel, for the bureau, with the basis of each amount),
the public notice (Excel and Word: enterprise, area, policy and amount only — no bank account,
no near misses) and a payment batch for the finance department (Excel, the account in full:
the finance department pays into it; the file is only for city staff)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from kechuang.core.docx_style import set_cjk_fonts
from kechuang.core.xlsx import table_xlsx
from kechuang.policies.models import BenefitRun, Entitlement, PaymentBatch

DEMO_NOTE = "（演示数据）"


def _lead(run: BenefitRun) -> str:
    policy = run.version.policy
    demo = DEMO_NOTE if run.is_demo else ""
    label = f"【{policy.label}】" if policy.label else ""
    return f"{label}{policy.name} {run.year} 年度（第 {run.version.number} 版规则）{demo}"


def entitled_workbook(run: BenefitRun, rows: Iterable[Entitlement]) -> bytes:
    header = [
        "企业名称", "统一社会信用代码", "区域", "状态", "测算金额（元）", "核定金额（元）",
        "计算过程", "不重复享受说明", "剔除/调整理由", "未满足的条件", "条件核对",
    ]  # fmt: skip
    body = (
        [
            e.organization.name,
            e.organization.uscc,
            e.organization.area.name if e.organization.area_id else "",
            e.get_status_display(),
            e.computed_amount,
            e.amount,
            e.formula,
            e.stacking_note,
            e.review_reason,
            "；".join(e.gaps),
            "；".join(
                f"{c['label']}：{c['fact']}（{'符合' if c['held'] else '不符合'}）"
                for c in e.checks
            ),
        ]
        for e in rows
    )
    return table_xlsx("兑现名单", header, body, _lead(run))


def notice_lines(rows: Iterable[Entitlement]) -> list[list[Any]]:
    return [
        [
            i,
            e.organization.name,
            e.organization.area.name if e.organization.area_id else "",
            e.amount,
        ]
        for i, e in enumerate(rows, 1)
    ]


def notice_workbook(run: BenefitRun, rows: Iterable[Entitlement]) -> bytes:
    header = ["序号", "企业名称", "区域", "拟兑现金额（元）"]
    return table_xlsx("公示名单", header, notice_lines(rows), _lead(run))


def notice_docx(run: BenefitRun, rows: Iterable[Entitlement]) -> bytes:
    policy = run.version.policy
    document = Document()
    set_cjk_fonts(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text = title.add_run(f"关于{policy.name} {run.year} 年度拟兑现名单的公示")
    text.bold, text.font.size = True, Pt(16)
    if run.is_demo or policy.label:
        document.add_paragraph(f"{policy.label} {DEMO_NOTE if run.is_demo else ''}".strip())
    period = (
        f"{run.notice_start:%Y年%m月%d日}至{run.notice_end:%Y年%m月%d日}"
        if run.notice_start and run.notice_end
        else "（公示期待定）"
    )
    document.add_paragraph(
        f"根据{policy.document or '政策规定'}{policy.article}，依据已确认的科技创新主体数据，"
        f"经计算与审核，下列企业符合“{policy.name}”兑现条件，现予公示。公示期为{period}。"
        "对公示名单有异议的，请在公示期内通过平台“我可享受的政策”页面提出，并说明理由和依据。"
    )
    lines = notice_lines(rows)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells, ["序号", "企业名称", "区域", "拟兑现金额（元）"], strict=True
    ):
        cell.text = label
    for line in lines:
        cells = table.add_row().cells
        for cell, value in zip(cells, line, strict=True):
            cell.text = f"{value:,.2f}" if not isinstance(value, int | str) else str(value)
    total = sum((line[3] for line in lines), start=0)
    document.add_paragraph(f"合计 {len(lines)} 家，{total:,.2f} 元。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def batch_workbook(batch: PaymentBatch) -> bytes:
    """The finance department's payment list (拨付清单)."""
    header = [
        "序号", "企业名称", "统一社会信用代码", "区域", "开户银行", "银行账号",
        "核定金额（元）", "本批拨付（元）", "拨付日期",
    ]  # fmt: skip
    rows = batch.entitlements.select_related("organization__area").order_by("organization__name")
    body = [
        [
            i,
            e.organization.name,
            e.organization.uscc,
            e.organization.area.name if e.organization.area_id else "",
            e.bank_name or "（免申即享：以财政部门登记账户为准）",
            e.bank_account,
            e.amount,
            e.paid_amount,
            e.paid_on,
        ]
        for i, e in enumerate(rows, 1)
    ]
    total = sum((e.paid_amount or 0 for e in rows), start=0)
    body.append(["合计", "", "", "", "", "", "", total, ""])
    note = batch.budget_note or "未超预算，全额兑现"
    lead = f"{_lead(batch.run)} 第 {batch.number} 批拨付清单；{note}"
    return table_xlsx("拨付清单", header, body, lead)
