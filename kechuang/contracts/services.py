"""Every write of the register: the seller's application, the registrar's steps (accept, ask for
more, decide the category, 核定 the amount, expert review, register or refuse), change and
cancellation registrations, objections. Each step checks the role and the row's scope, validates,
saves in a transaction (audited by signal) and appends a dated `ContractEvent`."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kechuang.contracts import selectors
from kechuang.contracts.engine import (
    ContractRuleError,
    Deduction,
    check_category,
    deadline,
    technology_amount,
)
from kechuang.contracts.engine.calendar import needs_expert_review
from kechuang.contracts.engine.files import sniff_contract_file
from kechuang.contracts.models import (
    COUNTED_STATES,
    CalendarDay,
    ContractDeduction,
    ContractEvent,
    ContractStatus,
    DayKind,
    EventKind,
    Objection,
    ObjectionStatus,
    TechContract,
)
from kechuang.contracts.permissions import APPLY_CONTRACT, REGISTRAR
from kechuang.core.roles import ORGANIZATION_ROLES
from kechuang.core.services import ensure_can, save_instance
from kechuang.registry import selectors as registry_selectors
from kechuang.registry.models import Patent

STATUS_ZH = dict(ContractStatus.choices)


def today() -> dt.date:
    return timezone.localdate()


def _rule(error: ContractRuleError) -> ValidationError:
    return ValidationError(error.errors)


def _expect(contract: TechContract, *states: str) -> None:
    if contract.status not in states:
        allowed = "、".join(STATUS_ZH[s] for s in states)
        raise ValidationError(
            {
                "status": [
                    f"该合同当前为“{contract.get_status_display()}”，此操作仅适用于{allowed}的合同。"
                ]
            }
        )


def _event(
    user: Any, contract: TechContract, kind: str, on: dt.date | None = None, note: str = ""
) -> ContractEvent:
    return ContractEvent.objects.create(
        contract=contract,
        kind=kind,
        on=on or today(),
        actor=user if getattr(user, "is_authenticated", False) else None,
        note=note,
        total_amount=contract.total_amount,
        tech_amount=contract.tech_amount,
    )


def _check_registrar(user: Any, contract: TechContract) -> None:
    REGISTRAR.check(user)
    ensure_can(user, "view", contract)
    if not selectors.may_register(user, contract):
        raise PermissionDenied(
            "该合同由市科技局登记机构办理；县区工作人员仅在本县区设有登记点时办理本县区卖方的合同。"
        )


# --- party and reference resolution ------------------------------------------------------------


def _seller(user: Any, data: dict[str, Any]) -> Any:
    if user.role in ORGANIZATION_ROLES:
        sent = data.get("seller_uscc")
        own = user.organization
        if sent and registry_selectors.organization_by_uscc(user, sent, "seller_uscc") != own:
            raise ValidationError({"seller_uscc": ["只能为本单位申请登记。"]})
        return own
    seller = registry_selectors.organization_by_uscc(user, data.get("seller_uscc"), "seller_uscc")
    if seller is None:
        raise ValidationError({"seller_uscc": ["请填写卖方（本市单位）的统一社会信用代码。"]})
    return seller


def _buyer(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The buyer: a registry organization by its credit code, else a named outside party."""
    uscc = (data.get("buyer_uscc") or "").strip().upper()
    found = selectors.party_by_uscc(uscc)
    if found is not None:
        return {
            "buyer": found,
            "buyer_name": found.name,
            "buyer_uscc": found.uscc,
            "buyer_area": found.area,
            "buyer_region": "",
        }
    name = (data.get("buyer_name") or "").strip()
    if not name:
        raise ValidationError({"buyer_name": ["请填写买方名称（买方不在登记库中时必填）。"]})
    area = registry_selectors.area_by_reference(user, data.get("buyer_area"), "buyer_area")
    region = (data.get("buyer_region") or "").strip()
    if area is None and not region:
        raise ValidationError(
            {"buyer_region": ["买方不在本市时请填写其所在省或市，在本市时请填写其所在区域。"]}
        )
    return {
        "buyer": None,
        "buyer_name": name,
        "buyer_uscc": uscc,
        "buyer_area": area,
        "buyer_region": "" if area else region,
    }


def _categories(data: dict[str, Any]) -> dict[str, str]:
    try:
        category, subcategory = check_category(
            str(data.get("category") or ""), str(data.get("subcategory") or "")
        )
    except ContractRuleError as error:
        raise _rule(error) from error
    return {"category": category, "subcategory": subcategory}


def _patents(user: Any, numbers: list[str]) -> list[Patent]:
    visible = registry_selectors.patents_for(user)
    found = {p.number: p for p in visible.filter(number__in=numbers)}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ValidationError({"patents": [f"未知的专利号：{'、'.join(missing)}"]})
    return [found[n] for n in numbers]


def _attach_file(contract: TechContract, content: bytes | None, name: str) -> None:
    if content is None:
        return
    try:
        kind = sniff_contract_file(content)
    except ContractRuleError as error:
        raise _rule(error) from error
    safe = f"contract-{secrets.token_hex(8)}.{kind if kind != 'jpeg' else 'jpg'}"
    contract.contract_file.save(safe, ContentFile(content), save=False)
    contract.file_name = (name or safe)[:200]


# --- the seller's application ------------------------------------------------------------------

APPLICATION_FIELDS = (
    "title",
    "signed_on",
    "total_amount",
    "declared_tech_amount",
    "payments_received",
)


@transaction.atomic
def apply(
    user: Any, data: dict[str, Any], content: bytes | None = None, file_name: str = ""
) -> TechContract:
    """The seller applies for registration of its own contract (enterprise, institution users);
    the contract text is checked by content. Nothing is saved when anything is wrong."""
    APPLY_CONTRACT.check(user)
    if content is None:
        raise ValidationError({"contract_file": ["请上传合同文本（PDF、Word 或扫描件）。"]})
    seller = _seller(user, data)
    values: dict[str, Any] = {k: data[k] for k in APPLICATION_FIELDS if data.get(k) is not None}
    values.update(_categories(data))
    values.update(_buyer(user, data))
    values.update(
        seller=seller,
        seller_name=seller.name,
        seller_uscc=seller.uscc,
        seller_area=seller.area,
        tech_field=registry_selectors.tech_field_by_reference(user, data.get("tech_field")),
        industry=registry_selectors.industry_by_reference(user, data.get("industry")),
        status=ContractStatus.APPLIED,
        applicant=user,
    )
    contract = TechContract()
    _attach_file(contract, content, file_name)
    save_instance(user, contract, values)
    if data.get("patents"):
        contract.patents.set(_patents(user, list(data["patents"])))
    _event(user, contract, EventKind.APPLIED)
    return contract


@transaction.atomic
def complete_material(
    user: Any, contract: TechContract, note: str = "", content: bytes | None = None
) -> TechContract:
    """The seller (or the registrar on its behalf) completes what was missing: the clock
    restarts from today (2024 draft 第十四条)."""
    ensure_can(user, "change", contract)
    if not (APPLY_CONTRACT.allows(user) or selectors.may_register(user, contract)):
        raise PermissionDenied("只有卖方或登记机构可以补正材料。")
    _expect(contract, ContractStatus.MORE_REQUESTED)
    _attach_file(contract, content, contract.file_name)
    day = today()
    values = {"status": ContractStatus.ACCEPTED, "clock_started_on": day}
    values["due_on"] = _due(contract, day)
    save_instance(user, contract, values)
    _event(user, contract, EventKind.MATERIAL_COMPLETED, day, note)
    return contract


# --- the registrar -------------------------------------------------------------------------------


def _due(contract: TechContract, start: dt.date) -> dt.date:
    amount = contract.tech_amount if contract.tech_amount is not None else None
    if amount is None:
        amount = contract.declared_tech_amount
    return deadline(selectors.working_calendar(), start, amount, contract.disputed)


@transaction.atomic
def accept(user: Any, contract: TechContract, on: dt.date | None = None) -> TechContract:
    _check_registrar(user, contract)
    _expect(contract, ContractStatus.APPLIED)
    day = on or today()
    save_instance(
        user,
        contract,
        {
            "status": ContractStatus.ACCEPTED,
            "accepted_on": day,
            "clock_started_on": day,
            "due_on": _due(contract, day),
        },
    )
    _event(user, contract, EventKind.ACCEPTED, day)
    return contract


@transaction.atomic
def request_more(user: Any, contract: TechContract, note: str) -> TechContract:
    _check_registrar(user, contract)
    _expect(contract, ContractStatus.APPLIED, ContractStatus.ACCEPTED)
    if not note.strip():
        raise ValidationError({"note": ["请说明需要补正的材料。"]})
    save_instance(user, contract, {"status": ContractStatus.MORE_REQUESTED, "due_on": None})
    _event(user, contract, EventKind.MORE_REQUESTED, note=note)
    return contract


@transaction.atomic
def decide_category(
    user: Any, contract: TechContract, category: str, subcategory: str, note: str = ""
) -> TechContract:
    """The registrar's conclusion: which kind of technology contract it is (第二条)."""
    _check_registrar(user, contract)
    _expect(contract, ContractStatus.ACCEPTED, ContractStatus.EXPERT_REVIEW)
    save_instance(user, contract, _categories({"category": category, "subcategory": subcategory}))
    _event(user, contract, EventKind.CATEGORY_DECIDED, note=note or contract.subcategory_label)
    return contract


def _number(value: Any, field: str, label: str) -> Decimal:
    try:
        return Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({field: [f"{label}应为数字（万元），实为“{value}”。"]}) from error


def _quantity(value: Any, field: str, label: str) -> int:
    text = str(value or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise ValidationError({field: [f"{label}应为 1 至 100000 的整数，实为“{value}”。"]})
    return int(text)


def _deductions(items: list[dict[str, Any]]) -> list[Deduction]:
    """The itemised costs as sent (page rows or API items), checked for their types here and
    for the rules by the engine."""
    return [
        Deduction(
            kind=str(item.get("kind", "")),
            amount=_number(item.get("amount", "0"), f"deductions.{i}.amount", f"第 {i + 1} 项金额"),
            description=str(item.get("description", "")),
            quantity=_quantity(
                item.get("quantity"), f"deductions.{i}.quantity", f"第 {i + 1} 项数量"
            ),
        )
        for i, item in enumerate(items)
    ]


def _replace_deductions(contract: TechContract, items: list[Deduction]) -> None:
    contract.deductions.all().delete()
    for item in items:
        ContractDeduction.objects.create(
            contract=contract,
            kind=item.kind,
            description=item.description[:200],
            amount=item.amount,
            quantity=item.quantity,
        )


@transaction.atomic
def assess(
    user: Any,
    contract: TechContract,
    deductions: list[dict[str, Any]],
    disputed: bool | None = None,
    note: str = "",
) -> TechContract:
    """核定 the technology transaction amount with the deductions itemised; from 500 万元 (or
    when disputed) the contract goes to expert review and the deadline becomes 30 working days."""
    _check_registrar(user, contract)
    _expect(contract, ContractStatus.ACCEPTED, ContractStatus.EXPERT_REVIEW)
    items = _deductions(deductions)
    try:
        result = technology_amount(contract.total_amount, items)
    except ContractRuleError as error:
        raise _rule(error) from error
    disputed = contract.disputed if disputed is None else disputed
    expert = needs_expert_review(result.technology, disputed)
    values = {
        "tech_amount": result.technology,
        "disputed": disputed,
        "status": ContractStatus.EXPERT_REVIEW if expert else ContractStatus.ACCEPTED,
    }
    contract.tech_amount, contract.disputed = result.technology, disputed  # the deadline's inputs
    values["due_on"] = _due(contract, contract.clock_started_on or today())
    save_instance(user, contract, values)
    _replace_deductions(contract, items)
    _event(
        user, contract, EventKind.AMOUNT_ASSESSED, note="；".join([note, *result.notes]).strip("；")
    )
    return contract


@transaction.atomic
def record_expert_review(user: Any, contract: TechContract, opinion: str) -> TechContract:
    _check_registrar(user, contract)
    _expect(contract, ContractStatus.EXPERT_REVIEW)
    if not opinion.strip():
        raise ValidationError({"opinion": ["请填写专家评审意见。"]})
    save_instance(user, contract, {"expert_opinion": opinion})
    _event(user, contract, EventKind.EXPERT_REVIEW, note=opinion)
    return contract


def next_registration_no(contract: TechContract, on: dt.date) -> str:
    prefix = f"{on.year}{contract.seller_area.code[:6]}"
    taken = TechContract.objects.filter(registration_no__startswith=prefix).count()
    while True:
        taken += 1
        number = f"{prefix}{taken:05d}"
        if not TechContract.objects.filter(registration_no=number).exists():
            return number


def check_number_free(number: str, contract: TechContract) -> None:
    """A registration number belongs to one contract: reusing it for other parties is refused."""
    other = TechContract.objects.filter(registration_no=number).exclude(pk=contract.pk).first()
    if other is None:
        return
    same = other.seller_uscc == contract.seller_uscc and other.buyer_name == contract.buyer_name
    detail = "（同一卖方和买方：请办理变更登记）" if same else ""
    raise ValidationError(
        {
            "registration_no": [
                f"登记编号 {number} 已用于另一份合同（卖方“{other.seller_name}”，买方"
                f"“{other.buyer_name}”）{detail}，请核对编号。"
            ]
        }
    )


@transaction.atomic
def register(
    user: Any, contract: TechContract, number: str = "", on: dt.date | None = None
) -> TechContract:
    _check_registrar(user, contract)
    _expect(contract, ContractStatus.ACCEPTED, ContractStatus.EXPERT_REVIEW)
    if contract.tech_amount is None:
        raise ValidationError(
            {"tech_amount": ["请先核定技术交易额（逐项列明扣除的非技术性费用）。"]}
        )
    if needs_expert_review(contract.tech_amount, contract.disputed) and not contract.expert_opinion:
        raise ValidationError(
            {"expert_opinion": ["技术交易额 500 万元以上或存在争议的合同须先经专家评审。"]}
        )
    day = on or today()
    number = number.strip() or next_registration_no(contract, day)
    check_number_free(number, contract)
    values = {
        "status": ContractStatus.REGISTERED,
        "registration_no": number,
        "registered_on": day,
        "check_code": secrets.token_hex(4).upper(),
        "due_on": None,
    }
    save_instance(user, contract, values)
    _event(user, contract, EventKind.REGISTERED, day, f"登记编号 {number}")
    return contract


@transaction.atomic
def refuse(user: Any, contract: TechContract, reason: str) -> TechContract:
    _check_registrar(user, contract)
    _expect(contract, *selectors.OPEN_STATES)
    if not reason.strip():
        raise ValidationError({"reason": ["请填写不予登记的理由。"]})
    save_instance(
        user, contract, {"status": ContractStatus.REFUSED, "refusal_reason": reason, "due_on": None}
    )
    _event(user, contract, EventKind.REFUSED, note=reason)
    return contract


# --- change and cancellation (2024 draft 第十六条) -----------------------------------------------

CHANGEABLE = ("title", "total_amount", "payments_received", "buyer_name")


@transaction.atomic
def change(
    user: Any,
    contract: TechContract,
    data: dict[str, Any],
    deductions: list[dict[str, Any]] | None = None,
    note: str = "",
    on: dt.date | None = None,
) -> TechContract:
    """A change registration: the new amounts replace the old (figures count the latest), the
    old ones stay in the history."""
    _check_registrar(user, contract)
    _expect(contract, *COUNTED_STATES)
    values = {k: data[k] for k in CHANGEABLE if data.get(k) is not None}
    total = Decimal(values.get("total_amount", contract.total_amount))
    items = (
        _deductions(deductions)
        if deductions is not None
        else _deductions(
            [
                {
                    "kind": d.kind,
                    "amount": d.amount,
                    "description": d.description,
                    "quantity": d.quantity,
                }
                for d in contract.deductions.all()
            ]
        )
    )
    try:
        result = technology_amount(total, items)
    except ContractRuleError as error:
        raise _rule(error) from error
    values.update(status=ContractStatus.CHANGED, tech_amount=result.technology)
    save_instance(user, contract, values)
    if deductions is not None:
        _replace_deductions(contract, items)
    _event(user, contract, EventKind.CHANGED, on, note)
    return contract


@transaction.atomic
def cancel(
    user: Any, contract: TechContract, reason: str, on: dt.date | None = None
) -> TechContract:
    _check_registrar(user, contract)
    _expect(contract, *COUNTED_STATES)
    if not reason.strip():
        raise ValidationError({"reason": ["请填写注销登记的原因（如合同解除、撤销）。"]})
    save_instance(user, contract, {"status": ContractStatus.CANCELLED})
    _event(user, contract, EventKind.CANCELLED, on, reason)
    return contract


# --- objections (2024 draft 第十七条) ------------------------------------------------------------


@transaction.atomic
def raise_objection(user: Any, contract: TechContract, raised_by: str, text: str) -> Objection:
    """A party (its own contract) or the registrar on behalf of an authority records it."""
    ensure_can(user, "view", contract)
    if not (APPLY_CONTRACT.allows(user) or selectors.may_register(user, contract)):
        raise PermissionDenied("只有合同当事人或登记机构可以登记异议。")
    if not text.strip():
        raise ValidationError({"text": ["请填写异议内容。"]})
    objection = Objection(contract=contract)
    save_instance(
        user,
        objection,
        {"raised_by": raised_by.strip() or str(user), "raised_on": today(), "text": text},
    )
    _event(user, contract, EventKind.OBJECTION, note=text)
    return objection


@transaction.atomic
def answer_objection(user: Any, objection: Objection, answer: str) -> Objection:
    _check_registrar(user, objection.contract)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError({"answer": ["该异议已答复。"]})
    if not answer.strip():
        raise ValidationError({"answer": ["请填写答复。"]})
    save_instance(
        user,
        objection,
        {"answer": answer, "answered_on": today(), "status": ObjectionStatus.ANSWERED},
    )
    _event(user, objection.contract, EventKind.OBJECTION_ANSWERED, note=answer)
    return objection


# --- the working-day calendar ------------------------------------------------------------------


def _days(value: Any, year: Any) -> list[dt.date]:
    """One day, or every day of a range written "A..B", each checked to lie in `year`."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    first, _, last = text.partition("..")
    start = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last) if last else start
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    if not days or any(d.year != int(year) for d in days):
        raise ValueError(f"{year} 年的节假日安排中出现了 {text}：请核对年份和起止日期。")
    return days


def _calendar_rows(data: dict[str, Any]) -> list[tuple[dt.date, str, str, str]]:
    rows = []
    for year, spec in (data.get("years") or {}).items():
        source = str(spec.get("source", ""))[:100]
        for name, values in (spec.get("holidays") or {}).items():
            for value in values:
                rows += [(d, DayKind.HOLIDAY, str(name), source) for d in _days(value, year)]
        for value in spec.get("workdays") or []:
            rows += [(d, DayKind.WORKDAY, "调休上班", source) for d in _days(value, year)]
    return rows


@transaction.atomic
def load_calendar(path: Path) -> int:
    """Add the holidays and make-up working days of the data file; days already present (e.g.
    edited by the administrator) are kept as they are. Returns the number of days added."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    existing = set(CalendarDay.objects.values_list("day", flat=True))
    added = 0
    for day, kind, name, source in _calendar_rows(data):
        if day in existing:
            continue
        CalendarDay.objects.create(day=day, kind=kind, name=name, source=source)
        existing.add(day)
        added += 1
    return added
