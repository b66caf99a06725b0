"""Synthetic technology contracts 2021–2025 for the demo, consistent with the synthetic registry:
sellers and city buyers are the registry's demo organizations (universities and institutes sell
as well as enterprises), named by credit code, name and area but not linked by foreign key, so
`generate_demo --replace` can still delete and regenerate the demo organizations (the demo
enterprise account therefore sees only the contracts it applies for itself); other buyers are
outside the city. Every category and subcategory and
every state occurs; amounts grow year on year so the plan indicator has a trajectory. Every row
is `is_demo` with a title ending in “（演示）” and the UI labels it 演示数据. Deterministic for a
seed; written in bulk with one run-level audit entry (invented data, not a person's entry).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from kechuang.contracts.engine import SUBCATEGORIES, DeductionKind
from kechuang.contracts.models import (
    ContractDeduction,
    ContractEvent,
    ContractSource,
    ContractStatus,
    EventKind,
    TechContract,
)
from kechuang.core.audit import record
from kechuang.core.models import AuditAction
from kechuang.registry.models import Organization, OrganizationKind

YEARS = (2021, 2022, 2023, 2024, 2025)
# Contracts per year at scale 1, and the city's 成交额 per year in 万元 (13 → ~60 亿元).
COUNTS = {2021: 70, 2022: 90, 2023: 110, 2024: 140, 2025: 170}
TOTALS_WAN = {2021: 150_000, 2022: 230_000, 2023: 320_000, 2024: 440_000, 2025: 580_000}
OUTSIDE = (
    "河南省郑州市",
    "河南省洛阳市",
    "湖北省武汉市",
    "湖北省襄阳市",
    "陕西省西安市",
    "北京市",
    "上海市",
    "广东省深圳市",
)
TOPICS = (
    "智能装备",
    "新材料",
    "中医药",
    "光电",
    "生物育种",
    "储能",
    "数控系统",
    "环保工艺",
    "检测方法",
    "软件平台",
)
OPEN_STATES = (
    ContractStatus.APPLIED,
    ContractStatus.MORE_REQUESTED,
    ContractStatus.ACCEPTED,
    ContractStatus.EXPERT_REVIEW,
    ContractStatus.REFUSED,
)


@dataclass
class DemoReport:
    created: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = "、".join(
            f"{ContractStatus(k).label} {v}" for k, v in sorted(self.by_status.items())
        )
        return f"演示技术合同 {self.created} 份（{parts}）。"


def _subcategories() -> list[tuple[str, str]]:
    return [(cat, sub) for cat, subs in SUBCATEGORIES.items() for sub in subs]


def _amounts(rng: random.Random, year: int, count: int) -> list[Decimal]:
    weights = [rng.lognormvariate(0, 1.1) for _ in range(count)]
    scale = TOTALS_WAN[year] / sum(weights)
    return [Decimal(str(round(w * scale, 2))) for w in weights]


def _day(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _deductions(rng: random.Random, contract: TechContract) -> list[ContractDeduction]:
    items = []
    roll = rng.random()
    if roll < 0.3:
        share = Decimal(str(round(rng.uniform(0.1, 0.4), 2)))
        items.append(
            ContractDeduction(
                contract=contract,
                kind=DeductionKind.EQUIPMENT,
                description="购置生产设备",
                amount=(contract.total_amount * share).quantize(Decimal("0.01")),
            )
        )
    elif roll < 0.4:
        share = Decimal(str(round(rng.uniform(0.05, 0.2), 2)))
        items.append(
            ContractDeduction(
                contract=contract,
                kind=DeductionKind.CARRIER_PROTOTYPE,
                description="样机",
                quantity=rng.choice((1, 2)),
                amount=(contract.total_amount * share).quantize(Decimal("0.01")),
            )
        )
    return items


def _contract(
    rng: random.Random,
    year: int,
    index: int,
    cat_sub: tuple[str, str],
    amount: Decimal,
    sellers: list[Organization],
    buyers: list[Organization],
) -> TechContract:
    seller = rng.choice(sellers)
    outside = rng.random() < 0.35
    buyer = None if outside else rng.choice([b for b in buyers if b.pk != seller.pk] or buyers)
    signed = _day(rng, year)
    registered = min(signed + dt.timedelta(days=rng.randrange(10, 60)), dt.date(year, 12, 31))
    category, subcategory = cat_sub
    return TechContract(
        registration_no=f"{year}{seller.area.code[:6]}{index:05d}",
        check_code=secrets.token_hex(4).upper(),
        category=category,
        subcategory=subcategory,
        title=f"{rng.choice(TOPICS)}{SUBCATEGORIES[category][subcategory]}合同（演示）",
        seller=None,
        seller_name=seller.name,
        seller_uscc=seller.uscc,
        seller_area=seller.area,
        buyer=None,
        buyer_name=buyer.name if buyer else f"{rng.choice(OUTSIDE)}某科技有限公司（演示）",
        buyer_uscc=buyer.uscc if buyer else "",
        buyer_area=buyer.area if buyer else None,
        buyer_region="" if buyer else rng.choice(OUTSIDE),
        tech_field=seller.tech_field,
        industry=seller.industry,
        signed_on=min(signed, registered),
        registered_on=registered,
        total_amount=amount,
        declared_tech_amount=amount,
        tech_amount=amount,
        payments_received=(amount * Decimal("0.6")).quantize(Decimal("0.01")),
        status=ContractStatus.REGISTERED,
        source=ContractSource.DEMO,
        is_demo=True,
        accepted_on=registered - dt.timedelta(days=7),
    )


def _states(rng: random.Random, contracts: list[TechContract]) -> None:
    """Some changed and cancelled; the last contracts of 2025 still in the workflow."""
    for c in contracts:
        roll = rng.random()
        if roll < 0.06:
            c.status = ContractStatus.CHANGED
        elif roll < 0.09:
            c.status = ContractStatus.CANCELLED
    pending = [c for c in contracts if c.registered_on and c.registered_on.year == 2025][
        -len(OPEN_STATES) * 2 :
    ]
    for c, state in zip(pending, OPEN_STATES * 2, strict=False):
        c.status = state
        c.registration_no, c.registered_on, c.check_code = None, None, ""
        c.tech_amount = None if state != ContractStatus.EXPERT_REVIEW else c.tech_amount
        if state == ContractStatus.EXPERT_REVIEW:
            c.total_amount = c.tech_amount = c.declared_tech_amount = max(
                c.total_amount, Decimal(600)
            )
            c.payments_received = Decimal(0)
        if state == ContractStatus.REFUSED:
            c.refusal_reason = "经审查属于一般设备买卖，不属于技术合同（演示）。"
        if state in (ContractStatus.ACCEPTED, ContractStatus.EXPERT_REVIEW):
            c.accepted_on = c.clock_started_on = dt.date(2025, 12, 1)
            c.due_on = (
                dt.date(2025, 12, 22) if state == ContractStatus.ACCEPTED else dt.date(2026, 1, 14)
            )
        elif state != ContractStatus.REFUSED:
            c.accepted_on = None


def _events(c: TechContract) -> list[ContractEvent]:
    events = [ContractEvent(contract=c, kind=EventKind.APPLIED, on=c.signed_on, note="演示数据")]
    if c.accepted_on:
        events.append(ContractEvent(contract=c, kind=EventKind.ACCEPTED, on=c.accepted_on))
    if c.registered_on:
        events.append(
            ContractEvent(
                contract=c,
                kind=EventKind.REGISTERED,
                on=c.registered_on,
                total_amount=c.total_amount,
                tech_amount=c.tech_amount,
            )
        )
    follow = {
        ContractStatus.CHANGED: EventKind.CHANGED,
        ContractStatus.CANCELLED: EventKind.CANCELLED,
        ContractStatus.REFUSED: EventKind.REFUSED,
        ContractStatus.MORE_REQUESTED: EventKind.MORE_REQUESTED,
    }
    if c.status in follow:
        events.append(
            ContractEvent(
                contract=c,
                kind=follow[c.status],
                on=(c.registered_on or c.signed_on) + dt.timedelta(days=30),
                note="演示数据",
                total_amount=c.total_amount,
                tech_amount=c.tech_amount,
            )
        )
    return events


def demo_contract_count() -> int:
    return TechContract.objects.filter(is_demo=True).count()


@transaction.atomic
def write_demo_contracts(scale: float = 1.0, seed: int = 2025) -> DemoReport:
    rng = random.Random(seed)
    orgs = list(
        Organization.objects.filter(is_demo=True)
        .select_related("area", "tech_field", "industry")
        .order_by("pk")
    )
    sellers = [
        o
        for o in orgs
        if o.kind
        in (
            OrganizationKind.ENTERPRISE,
            OrganizationKind.UNIVERSITY,
            OrganizationKind.RESEARCH_INSTITUTE,
        )
    ]
    if not sellers:
        return DemoReport()
    kinds = _subcategories()
    contracts: list[TechContract] = []
    index = 0
    for year in YEARS:
        count = max(len(kinds), round(COUNTS[year] * scale))
        for amount in _amounts(rng, year, count):
            index += 1
            cat_sub = (
                kinds[index % len(kinds)] if index <= len(kinds) * len(YEARS) else rng.choice(kinds)
            )
            contracts.append(_contract(rng, year, index, cat_sub, amount, sellers, orgs))
    _states(rng, contracts)
    TechContract.objects.bulk_create(contracts)
    deductions = [d for c in contracts for d in _deductions(rng, c)]
    ContractDeduction.objects.bulk_create(deductions)
    by_pk = {d.contract_id: d for d in deductions if d.deducted}
    for c in contracts:
        if c.pk in by_pk and c.tech_amount is not None:
            c.tech_amount = c.total_amount - by_pk[c.pk].amount
    TechContract.objects.bulk_update([c for c in contracts if c.pk in by_pk], ["tech_amount"])
    ContractEvent.objects.bulk_create([e for c in contracts for e in _events(c)])
    report = DemoReport(len(contracts))
    for c in contracts:
        report.by_status[c.status] = report.by_status.get(c.status, 0) + 1
    record(AuditAction.CREATE, note=report.summary(), changes={"counts": report.by_status})
    return report
