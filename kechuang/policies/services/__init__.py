"""Every write of the policies module: policies and their versions, benefit runs, the review of
entitlements (exclude, adjust), the public notice and its objections, the enterprise's
confirmation, payment batches within the budget and the payments recorded back.

Each write checks the named permission, then the row's scope (`save_instance`: county staff only
within their area, an enterprise only its own), validates, and is audited. Refusals are Chinese
and name the field; nothing is changed by a refused write.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.audit import record
from kechuang.core.jobs.services import max_pending, queue_full_message
from kechuang.core.services import save_instance
from kechuang.policies.compute import entitlement_of, execute_run, prior_in_group
from kechuang.policies.engine import (
    Claim,
    PolicyRuleError,
    allocate,
    evaluate,
    parse_policy,
    read_document,
)
from kechuang.policies.engine.rules import Budget, needs_of
from kechuang.policies.models import (
    BatchStatus,
    BenefitRun,
    Entitlement,
    EntitlementStatus,
    Objection,
    ObjectionStatus,
    PaymentBatch,
    Policy,
    PolicyStatus,
    PolicyVersion,
    RunStage,
    RunStatus,
)
from kechuang.policies.permissions import CLAIM_BENEFITS, MANAGE_POLICIES, REVIEW_ENTITLEMENTS
from kechuang.policies.selectors import budget_used, registry_facts, rewarded_before
from kechuang.policies.tasks import compute_benefits

__all__ = ["execute_run"]

ACCOUNT = re.compile(r"\d{12,25}")
REVIEWABLE = (EntitlementStatus.ENTITLED, EntitlementStatus.HELD, EntitlementStatus.CONFIRMED)


def _rules(text: str) -> tuple[dict[str, Any], Any]:
    try:
        document = read_document(text)
        return document, parse_policy(document)
    except PolicyRuleError as error:
        raise ValidationError({f"text（{k}）": v for k, v in error.errors.items()}) from error


def _version_fields(document: dict[str, Any], policy: Any) -> dict[str, Any]:
    return {
        "name": policy.name,
        "label": policy.label,
        "mode": policy.mode,
        "frequency": policy.frequency,
        "document": policy.document,
        "article": policy.article,
        "department": policy.department,
    }


@transaction.atomic
def create_policy(user: Any, text: str, note: str = "", is_demo: bool = False) -> Policy:
    """A new policy (草拟) with its first version from the rule text (YAML or JSON)."""
    MANAGE_POLICIES.check(user)
    document, parsed = _rules(text)
    if Policy.objects.filter(code=parsed.code).exists():
        raise ValidationError(
            {"text（code）": [f"政策编号“{parsed.code}”已存在：请改用新版本，或换一个编号。"]}
        )
    policy = Policy(code=parsed.code, is_demo=is_demo)
    save_instance(user, policy, _version_fields(document, parsed))
    _add_version(user, policy, text, document, parsed, note or "首次配置")
    return policy


def _add_version(
    user: Any, policy: Policy, text: str, document: dict[str, Any], parsed: Any, note: str
) -> PolicyVersion:
    latest = policy.latest_version()
    version = PolicyVersion(policy=policy, number=(latest.number + 1) if latest else 1)
    return save_instance(
        user,
        version,
        {"text": text, "rules": document, "budget_total": parsed.budget.total, "note": note},
    )


@transaction.atomic
def new_version(user: Any, policy: Policy, text: str, note: str = "") -> PolicyVersion:
    """A new version: the earlier ones stay, fixed to the runs computed under them."""
    MANAGE_POLICIES.check(user)
    document, parsed = _rules(text)
    if parsed.code != policy.code:
        raise ValidationError(
            {"text（code）": [f"政策编号应仍为“{policy.code}”（新版本不能改编号）。"]}
        )
    save_instance(user, policy, _version_fields(document, parsed))
    return _add_version(user, policy, text, document, parsed, note or "修订")


def set_status(user: Any, policy: Policy, status: str) -> Policy:
    MANAGE_POLICIES.check(user)
    if status not in PolicyStatus.values:
        raise ValidationError({"status": [f"未知的状态“{status}”，应为草拟、已发布或已停止执行。"]})
    return save_instance(user, policy, {"status": status})


def start_run(
    user: Any, policy: Policy, year: Any, as_of: dt.date | None = None, inline: bool = False
) -> BenefitRun:
    """Queue the computation of `policy` (its latest version) for `year` over the whole city
    (`inline`: compute now, in this process — the demo loader and the command line)."""
    MANAGE_POLICIES.check(user)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"政策年度应为整数年份，填写的是“{year}”。"]}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [f"政策年度应在 2000–2100 之间，填写的是 {year}。"]})
    version = policy.latest_version()
    if version is None:
        raise ValidationError({"policy": ["该政策还没有规则版本，请先配置规则。"]})
    as_of = as_of or timezone.localdate()
    if not inline:
        same = BenefitRun.objects.filter(
            version=version, year=year, as_of=as_of, status=RunStatus.QUEUED
        ).first()
        if same is not None:  # the identical run still waits: no second one (#17 item 8)
            return same
        _check_queue(user)
    with transaction.atomic():
        run = save_instance(
            user,
            BenefitRun(version=version, started_by=user, is_demo=policy.is_demo),
            {"year": year, "as_of": as_of},
        )
        if not inline:
            compute_benefits.enqueue(run.pk)
    return execute_run(run.pk) if inline else run


def _check_queue(user: Any) -> None:
    pending = BenefitRun.objects.filter(
        started_by=user, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
    ).count()
    limit = max_pending()
    if pending >= limit:
        raise ValidationError({"__all__": [queue_full_message(pending, limit, "兑现计算")]})


def _ensure_reviewable(entitlement: Entitlement) -> None:
    if entitlement.status not in REVIEWABLE:
        raise ValidationError(
            {"status": [f"该记录状态为“{entitlement.get_status_display()}”，不能再剔除或调整。"]}
        )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写理由（剔除或调整都须说明理由）。"]})
    return reason[:300]


def exclude(user: Any, entitlement: Entitlement, reason: str) -> Entitlement:
    REVIEW_ENTITLEMENTS.check(user)
    _ensure_reviewable(entitlement)
    return save_instance(
        user,
        entitlement,
        {
            "status": EntitlementStatus.EXCLUDED,
            "amount": Decimal(0),
            "review_reason": _reason(reason),
        },
    )


def adjust(user: Any, entitlement: Entitlement, amount: Any, reason: str) -> Entitlement:
    REVIEW_ENTITLEMENTS.check(user)
    _ensure_reviewable(entitlement)
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": [f"金额应为数字（元），填写的是“{amount}”。"]}) from None
    if value < 0 or value > entitlement.computed_amount:
        raise ValidationError(
            {"amount": [f"调整后金额应在 0 至测算金额 {entitlement.computed_amount} 元之间。"]}
        )
    return save_instance(user, entitlement, {"amount": value, "review_reason": _reason(reason)})


def publish_notice(user: Any, run: BenefitRun, start: Any, end: Any) -> BenefitRun:
    """Open the public notice (公示) of a computed run for [start, end]."""
    MANAGE_POLICIES.check(user)
    if run.status != RunStatus.DONE:
        raise ValidationError({"run": ["名单尚未计算完成，不能公示。"]})
    if run.stage != RunStage.REVIEW:
        raise ValidationError({"run": ["该名单已公示过。"]})
    if not start or not end:
        raise ValidationError({"notice_start": ["请填写公示开始和结束日期。"]})
    return save_instance(
        user, run, {"stage": RunStage.NOTICE, "notice_start": start, "notice_end": end}
    )


def _own(user: Any, entitlement: Entitlement) -> None:
    CLAIM_BENEFITS.check(user)
    if entitlement.organization_id != user.organization_id:
        raise PermissionDenied("只能确认、放弃或异议本单位的政策兑现。")


def raise_objection(user: Any, entitlement: Entitlement, text: str) -> Objection:
    """An enterprise objects to its entry (amount, gap) during the notice; the entry is held."""
    _own(user, entitlement)
    run = entitlement.run
    today = timezone.localdate()
    if run.stage != RunStage.NOTICE or not (run.notice_start <= today <= run.notice_end):
        raise ValidationError({"text": ["只能在公示期内提出异议。"]})
    if not (text or "").strip():
        raise ValidationError({"text": ["请填写异议内容（哪一项有误、应为多少、依据是什么）。"]})
    with transaction.atomic():
        objection = save_instance(
            user, Objection(entitlement=entitlement, raised_by=user), {"text": text.strip()}
        )
        if entitlement.status in (EntitlementStatus.ENTITLED, EntitlementStatus.CONFIRMED):
            save_instance(user, entitlement, {"status": EntitlementStatus.HELD})
    return objection


def answer_objection(user: Any, objection: Objection, answer: str, upheld: bool) -> Objection:
    """Answer (city or the county of the enterprise); the entry leaves 暂缓. An upheld objection
    is then acted on by adjusting, excluding, or recomputing after the registry is corrected."""
    REVIEW_ENTITLEMENTS.check(user)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError({"answer": ["该异议已答复。"]})
    if not (answer or "").strip():
        raise ValidationError({"answer": ["请填写答复内容。"]})
    entitlement = Entitlement.objects.get(pk=objection.entitlement_id)
    with transaction.atomic():
        save_instance(
            user,
            objection,
            {
                "answer": answer.strip(),
                "status": ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED,
                "answered_by": user,
                "answered_at": timezone.now(),
            },
        )
        still_open = entitlement.objections.filter(status=ObjectionStatus.OPEN).exists()
        if entitlement.status == EntitlementStatus.HELD and not still_open:
            back = (
                EntitlementStatus.CONFIRMED
                if entitlement.confirmed_at
                else EntitlementStatus.ENTITLED
            )
            save_instance(user, entitlement, {"status": back})
    return objection


def confirm(user: Any, entitlement: Entitlement, bank_name: str, bank_account: str) -> Entitlement:
    """The enterprise confirms its entitlement and the account to pay into."""
    _own(user, entitlement)
    if entitlement.status != EntitlementStatus.ENTITLED:
        raise ValidationError(
            {"status": [f"该记录状态为“{entitlement.get_status_display()}”，不能确认。"]}
        )
    account = re.sub(r"\s", "", bank_account or "")
    errors = {}
    if not ACCOUNT.fullmatch(account):
        errors["bank_account"] = ["银行账号应为 12–25 位数字（可含空格），请核对后重填。"]
    if not (bank_name or "").strip():
        errors["bank_name"] = ["请填写开户银行。"]
    if errors:
        raise ValidationError(errors)
    return save_instance(
        user,
        entitlement,
        {
            "status": EntitlementStatus.CONFIRMED,
            "bank_name": bank_name.strip()[:100],
            "bank_account": account,
            "confirmed_at": timezone.now(),
        },
    )


def decline(user: Any, entitlement: Entitlement, reason: str = "") -> Entitlement:
    _own(user, entitlement)
    if entitlement.status not in (EntitlementStatus.ENTITLED, EntitlementStatus.CONFIRMED):
        raise ValidationError(
            {"status": [f"该记录状态为“{entitlement.get_status_display()}”，不能放弃。"]}
        )
    return save_instance(
        user,
        entitlement,
        {"status": EntitlementStatus.DECLINED, "decline_reason": (reason or "").strip()[:300]},
    )


def payable_rows(run: BenefitRun) -> list[Entitlement]:
    """What a new batch takes: confirmed entries; for 免申即享 also the unconfirmed ones (no
    confirmation is needed); never held (objection pending), excluded or declined ones."""
    states = [EntitlementStatus.CONFIRMED]
    if run.version.rules.get("mode", "exempt") == "exempt":
        states.append(EntitlementStatus.ENTITLED)
    return list(
        run.entitlements.filter(status__in=states, batch__isnull=True, amount__gt=0).order_by("pk")
    )


@transaction.atomic
def create_batch(user: Any, run: BenefitRun, today: dt.date | None = None) -> PaymentBatch:
    """A payment batch of the run's payable entries, cut to what is left of the policy's budget
    for the year by the policy's shortfall rule (see engine/budget.py)."""
    MANAGE_POLICIES.check(user)
    today = today or timezone.localdate()
    if run.stage != RunStage.NOTICE or run.notice_end is None or run.notice_end >= today:
        raise ValidationError({"run": ["公示期满后才能生成拨付批次（公示须已发布且已结束）。"]})
    rows = payable_rows(run)
    if not rows:
        raise ValidationError({"run": ["没有可拨付的记录（已确认、无异议、未列入批次）。"]})
    parsed = parse_policy(run.version.rules)
    left = None
    if run.version.budget_total is not None:
        left = max(Decimal(0), run.version.budget_total - budget_used(run.policy, run.year))
    paid, note = allocate(
        [Claim(e.pk, e.amount, e.base) for e in rows],
        Budget(total=left, shortfall=parsed.budget.shortfall, priority=parsed.budget.priority),
    )
    number = (run.batches.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    batch = save_instance(
        user,
        PaymentBatch(run=run, number=number, is_demo=run.is_demo),
        {
            "requested": sum((e.amount for e in rows), Decimal(0)),
            "total": sum(paid.values(), Decimal(0)),
            "budget_left": left,
            "budget_note": note[:300],
        },
    )
    for e in rows:
        if paid[e.pk] > 0:
            save_instance(
                user,
                e,
                {"batch": batch, "paid_amount": paid[e.pk], "status": EntitlementStatus.BATCHED},
            )
    return batch


@transaction.atomic
def record_payment(user: Any, batch: PaymentBatch, paid_on: Any) -> PaymentBatch:
    """The finance department paid the batch on `paid_on`."""
    MANAGE_POLICIES.check(user)
    if batch.status == BatchStatus.PAID:
        raise ValidationError({"paid_on": ["该批次已登记拨付。"]})
    if not paid_on:
        raise ValidationError({"paid_on": ["请填写拨付日期。"]})
    if isinstance(paid_on, str):
        try:
            paid_on = dt.date.fromisoformat(paid_on)
        except ValueError:
            raise ValidationError({"paid_on": ["拨付日期格式应为 YYYY-MM-DD。"]}) from None
    if paid_on < batch.created_at.date():
        raise ValidationError({"paid_on": ["拨付日期不能早于批次生成日期。"]})
    save_instance(user, batch, {"status": BatchStatus.PAID, "paid_on": paid_on})
    for e in batch.entitlements.all():
        save_instance(user, e, {"status": EntitlementStatus.PAID, "paid_on": paid_on})
    return batch


def _application_run(policy: Policy, year: int) -> BenefitRun:
    """The run that collects a 申报-mode policy's applications for `year` (one per version and
    year, created by the first application; a platform record, audited here)."""
    version = policy.latest_version()
    run = (
        BenefitRun.objects.filter(version=version, year=year, started_by__isnull=True)
        .order_by("pk")
        .first()
    )
    if run is None:
        run = BenefitRun.objects.create(
            version=version,
            year=year,
            as_of=timezone.localdate(),
            status=RunStatus.DONE,
            progress=100,
            is_demo=policy.is_demo,
        )
        record("create", instance=run, note=f"{policy.name} {year} 年度申报名单（由申报自动建立）")
    return run


@transaction.atomic
def apply_for(user: Any, policy: Policy, year: Any) -> Entitlement:
    """An enterprise applies for a 申报-mode policy: the same rules check its confirmed data now,
    and the result (entitled with the amount, or refused with the conditions it misses) joins the
    year's application list for the bureau's review."""
    CLAIM_BENEFITS.check(user)
    if policy.mode != "apply":
        raise ValidationError(
            {
                "policy": [
                    "该政策为免申即享或即申即享，无需申报：平台计算后会列入您的“我可享受的政策”。"
                ]
            }
        )
    if policy.status != PolicyStatus.ISSUED or policy.latest_version() is None:
        raise ValidationError({"policy": ["该政策尚未发布，暂不能申报。"]})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [f"申报年度应为整数年份，填写的是“{year}”。"]}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [f"申报年度应在 2000–2100 之间，填写的是 {year}。"]})
    run = _application_run(policy, year)
    if run.entitlements.filter(organization_id=user.organization_id).exists():
        raise ValidationError(
            {"year": [f"本单位已申报 {year} 年度，请在“我可享受的政策”查看结果。"]}
        )
    parsed = parse_policy(run.version.rules)
    facts = registry_facts(year, organization_ids=[user.organization_id], needs=needs_of(parsed))
    if not facts:
        raise ValidationError({"policy": ["本政策面向企业：贵单位不是企业，不能申报。"]})
    once = rewarded_before(policy, year) if parsed.frequency == "once" else set()
    outcome = evaluate(parsed, facts[0], year, rewarded_before=user.organization_id in once)
    prior = prior_in_group(run, parsed).get(user.organization_id, [])
    entitlement = entitlement_of(run, outcome, prior, parsed)
    return save_instance(user, entitlement, {})
