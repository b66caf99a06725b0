"""合同成交额 and 技术交易额.

技术合同认定规则 国科发政字〔2001〕253号 第五十一、五十二条 (official-rules.md §5.3, [V2]):
「技术交易额是指从合同交易总额中扣除购置设备、仪器、零部件、原材料等非技术性费用后的剩余金额。但合理
数量标的物的直接成本不计入非技术性费用。」 — the direct cost of a reasonable quantity of technical
carriers (technical documents, software media, new varieties and strains as needed to test and
use the technology; 「成套技术设备和试验装置一般限于1-2套」) is *not* deducted.

Amounts are in 万元, as Decimals; the result never exceeds 成交额 and is never negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kechuang.contracts.engine.errors import ContractRuleError

ZERO = Decimal(0)
# 「成套技术设备和试验装置一般限于1-2套」
CARRIER_SETS_LIMIT = 2


class DeductionKind:
    """Item kinds: the non-technical costs deducted, and the technical carriers that are not."""

    EQUIPMENT = "equipment"
    INSTRUMENTS = "instruments"
    PARTS = "parts"
    RAW_MATERIALS = "raw_materials"
    OTHER_NON_TECHNICAL = "other_non_technical"
    CARRIER_DOCUMENTS = "carrier_documents"
    CARRIER_MEDIA = "carrier_media"
    CARRIER_PROTOTYPE = "carrier_prototype"

    LABELS: dict[str, str] = {
        EQUIPMENT: "购置设备",
        INSTRUMENTS: "仪器",
        PARTS: "零部件",
        RAW_MATERIALS: "原材料",
        OTHER_NON_TECHNICAL: "其他非技术性费用",
        CARRIER_DOCUMENTS: "技术载体：技术文件",
        CARRIER_MEDIA: "技术载体：软件介质、新品种、菌种",
        CARRIER_PROTOTYPE: "技术载体：样机、成套技术设备、试验装置",
    }
    DEDUCTED = frozenset({EQUIPMENT, INSTRUMENTS, PARTS, RAW_MATERIALS, OTHER_NON_TECHNICAL})
    CARRIERS = frozenset({CARRIER_DOCUMENTS, CARRIER_MEDIA, CARRIER_PROTOTYPE})


@dataclass(frozen=True)
class Deduction:
    """One itemised cost inside the contract price."""

    kind: str
    amount: Decimal
    description: str = ""
    quantity: int = 1

    @property
    def deducted(self) -> bool:
        return self.kind in DeductionKind.DEDUCTED


@dataclass(frozen=True)
class AmountResult:
    total: Decimal  # 合同成交额
    deducted: Decimal  # 非技术性费用 (deducted)
    carriers: Decimal  # 技术载体 (itemised, not deducted)
    technology: Decimal  # 技术交易额
    notes: list[str] = field(default_factory=list)


def _check_item(index: int, item: Deduction) -> None:
    where = f"deductions.{index}"
    if item.kind not in DeductionKind.LABELS:
        allowed = "、".join(DeductionKind.LABELS.values())
        raise ContractRuleError.on(
            f"{where}.kind", f"第 {index + 1} 项费用的类别“{item.kind}”无效：应为{allowed}之一。"
        )
    if item.amount < 0:
        raise ContractRuleError.on(
            f"{where}.amount", f"第 {index + 1} 项费用的金额不能为负数（实为 {item.amount} 万元）。"
        )
    if item.quantity < 1:
        raise ContractRuleError.on(f"{where}.quantity", f"第 {index + 1} 项的数量至少为 1。")


def technology_amount(total: Decimal, items: Iterable[Deduction] = ()) -> AmountResult:
    """技术交易额 = 合同成交额 − the itemised non-technical costs (carriers are not deducted)."""
    if total < 0:
        raise ContractRuleError.on("total_amount", f"合同成交额不能为负数（实为 {total} 万元）。")
    items = list(items)
    for index, item in enumerate(items):
        _check_item(index, item)
    deducted = sum((i.amount for i in items if i.deducted), ZERO)
    carriers = sum((i.amount for i in items if not i.deducted), ZERO)
    if deducted + carriers > total:
        raise ContractRuleError.on(
            "deductions",
            f"逐项列明的费用合计 {deducted + carriers} 万元超过了合同成交额 {total} 万元，"
            "请核对各项金额。",
        )
    notes = []
    for item in items:
        if item.kind == DeductionKind.CARRIER_PROTOTYPE and item.quantity > CARRIER_SETS_LIMIT:
            notes.append(
                f"“{item.description or DeductionKind.LABELS[item.kind]}”共 {item.quantity} 套，"
                f"超过合理数量（一般限于 1–2 套）：超出部分应作为购置设备逐项扣除。"
            )
    return AmountResult(total, deducted, carriers, total - deducted, notes)


def check_declared(total: Decimal, technology: Decimal | None) -> None:
    """An amount the applicant or a file states: 0 ≤ 技术交易额 ≤ 成交额."""
    if total < 0:
        raise ContractRuleError.on("total_amount", f"合同成交额不能为负数（实为 {total} 万元）。")
    if technology is None:
        return
    if technology < 0:
        raise ContractRuleError.on(
            "tech_amount", f"技术交易额不能为负数（实为 {technology} 万元）。"
        )
    if technology > total:
        raise ContractRuleError.on(
            "tech_amount",
            f"技术交易额 {technology} 万元超过了合同成交额 {total} 万元：技术交易额是成交额扣除"
            "非技术性费用后的余额，不能大于成交额。",
        )
