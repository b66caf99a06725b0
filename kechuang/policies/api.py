"""The policies module's REST API (mounted at /api/policies by `kechuang/site/api.py`): policies
and their versions, the simulation, benefit runs and their entitlements with explanations, the
notice, objections, the enterprise's confirmation, payment batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kechuang.core.pagination import Pagination
from kechuang.core.permissions import guard
from kechuang.policies import selectors, services
from kechuang.policies.engine import PolicyRuleError
from kechuang.policies.engine.simulate import Summary
from kechuang.policies.models import BenefitRun, Entitlement, PaymentBatch, Policy
from kechuang.policies.permissions import MANAGE_POLICIES, REVIEW_ENTITLEMENTS

router = Router(tags=["惠企政策兑现"])


class VersionOut(Schema):
    number: int
    text: str
    budget_total: Decimal | None
    note: str
    created_at: dt.datetime


class PolicyOut(Schema):
    id: int
    code: str
    name: str
    label: str
    mode: str
    mode_display: str = Field(..., alias="get_mode_display")
    frequency: str
    document: str
    article: str
    department: str
    status: str
    status_display: str = Field(..., alias="get_status_display")
    is_demo: bool


class PolicyDetailOut(PolicyOut):
    versions: list[VersionOut]


class RuleTextIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000, description="规则文本（YAML 或 JSON）")
    note: str = Field("", max_length=300)


class StatusIn(Schema):
    status: str = Field(..., max_length=10, description="draft / issued / retired")


class RunIn(Schema):
    year: int = Field(..., ge=2000, le=2100)


class SimulateIn(Schema):
    year: int = Field(..., ge=2000, le=2100)
    changes: dict[str, Any] = Field(
        default_factory=dict, description='参数调整，如 {"amount.cap": 300000}'
    )


class GroupOut(Schema):
    name: str
    count: int
    total: Decimal


class SummaryOut(Schema):
    evaluated: int
    eligible: int
    near_miss: int
    total: Decimal
    by_area: list[GroupOut]
    by_size: list[GroupOut]
    bands: list[int]


class SimulationOut(Schema):
    before: SummaryOut
    after: SummaryOut | None
    gained: int
    lost: int


class RunOut(Schema):
    id: int
    policy: str = Field(..., alias="version.policy.name")
    version: int = Field(..., alias="version.number")
    year: int
    as_of: dt.date
    status: str
    stage: str
    progress: int
    evaluated: int
    entitled: int
    near_miss: int
    total: Decimal
    error: str
    notice_start: dt.date | None
    notice_end: dt.date | None


class CheckOut(Schema):
    label: str
    fact: str
    held: bool
    missing: bool = False


class EntitlementOut(Schema):
    id: int
    run: int = Field(..., alias="run_id")
    policy: str = Field(..., alias="run.version.policy.name")
    year: int = Field(..., alias="run.year")
    organization: str = Field(..., alias="organization.name")
    uscc: str = Field(..., alias="organization.uscc")
    area: str | None = Field(None, alias="organization.area.name")
    status: str
    status_display: str = Field(..., alias="get_status_display")
    computed_amount: Decimal
    amount: Decimal
    formula: str
    stacking_note: str
    review_reason: str
    checks: list[CheckOut]
    gaps: list[str]
    bank_account: str = Field(..., alias="masked_account")
    paid_amount: Decimal | None
    paid_on: dt.date | None


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class AdjustIn(ReasonIn):
    amount: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)


class NoticeIn(Schema):
    start: dt.date
    end: dt.date


class ConfirmIn(Schema):
    bank_name: str = Field(..., max_length=100)
    bank_account: str = Field(..., max_length=40)


class ObjectionIn(Schema):
    text: str = Field(..., max_length=2000)


class ObjectionOut(Schema):
    id: int
    entitlement: int = Field(..., alias="entitlement_id")
    text: str
    status: str
    answer: str


class AnswerIn(Schema):
    answer: str = Field(..., max_length=2000)
    upheld: bool = False


class BatchOut(Schema):
    id: int
    run: int = Field(..., alias="run_id")
    number: int
    status: str
    requested: Decimal
    total: Decimal
    budget_left: Decimal | None
    budget_note: str
    paid_on: dt.date | None


class PaidIn(Schema):
    paid_on: dt.date


def summary_out(summary: Summary) -> dict[str, Any]:
    def groups(items: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"name": k, "count": g.count, "total": g.total} for k, g in sorted(items.items())]

    return {
        "evaluated": summary.evaluated,
        "eligible": summary.eligible,
        "near_miss": summary.near_miss,
        "total": summary.total,
        "by_area": groups(summary.by_area),
        "by_size": groups(summary.by_size),
        "bands": summary.bands,
    }


def simulation(policy: Policy, year: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The simulation of the policy's latest version (with `changes`), as the API answers it;
    a bad parameter is a ValidationError naming it."""
    version = policy.latest_version()
    if version is None:
        raise ValidationError({"policy": ["该政策还没有规则版本。"]})
    try:
        if not changes:
            before = selectors.simulate(version.rules, year, policy)
            return {"before": summary_out(before), "after": None, "gained": 0, "lost": 0}
        result = selectors.simulate_change(version.rules, changes, year, policy)
    except PolicyRuleError as error:
        raise ValidationError({f"changes（{k}）": v for k, v in error.errors.items()}) from error
    return {
        "before": summary_out(result.before),
        "after": summary_out(result.after),
        "gained": len(result.gained),
        "lost": len(result.lost),
    }


def _policy(request: HttpRequest, pk: int) -> Policy:
    return get_object_or_404(selectors.policies_for(request.user), pk=pk)


def _run(request: HttpRequest, pk: int) -> BenefitRun:
    return get_object_or_404(selectors.runs_for(request.user), pk=pk)


def _entitlement(request: HttpRequest, pk: int) -> Entitlement:
    return get_object_or_404(selectors.entitlements_for(request.user), pk=pk)


def _batch(request: HttpRequest, pk: int) -> PaymentBatch:
    return get_object_or_404(selectors.batches_for(request.user), pk=pk)


# --- fixed paths first (before /{pk}) ---------------------------------------------------------


@router.get("/mine", response=list[EntitlementOut], summary="我可享受的政策（本单位）")
def mine(request: HttpRequest) -> Any:
    return selectors.my_entitlements(request.user)


@router.get("/runs/{pk}", response=RunOut, summary="兑现名单计算（进度与合计）")
@guard(REVIEW_ENTITLEMENTS)
def get_run(request: HttpRequest, pk: int) -> Any:
    return _run(request, pk)


@router.get("/runs/{pk}/entitlements", response=list[EntitlementOut], summary="兑现名单（含依据）")
@guard(REVIEW_ENTITLEMENTS)
@paginate(Pagination)
def run_entitlements(request: HttpRequest, pk: int, status: str = "") -> Any:
    return selectors.run_entitlements(request.user, _run(request, pk), status=status[:10])


@router.post("/runs/{pk}/notice", response=RunOut, summary="发布公示")
@guard(MANAGE_POLICIES)
def publish_notice(request: HttpRequest, pk: int, payload: NoticeIn) -> Any:
    return services.publish_notice(request.user, _run(request, pk), payload.start, payload.end)


@router.post("/runs/{pk}/batches", response={201: BatchOut}, summary="生成拨付批次（预算内）")
@guard(MANAGE_POLICIES)
def create_batch(request: HttpRequest, pk: int) -> Any:
    return Status(201, services.create_batch(request.user, _run(request, pk)))


@router.get("/entitlements/{pk}", response=EntitlementOut, summary="一条兑现记录（含依据）")
def get_entitlement(request: HttpRequest, pk: int) -> Any:
    return _entitlement(request, pk)


@router.post("/entitlements/{pk}/exclude", response=EntitlementOut, summary="剔除（须说明理由）")
@guard(REVIEW_ENTITLEMENTS)
def exclude(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return services.exclude(request.user, _entitlement(request, pk), payload.reason)


@router.post("/entitlements/{pk}/adjust", response=EntitlementOut, summary="调整金额（须说明理由）")
@guard(REVIEW_ENTITLEMENTS)
def adjust(request: HttpRequest, pk: int, payload: AdjustIn) -> Any:
    entitlement = _entitlement(request, pk)
    return services.adjust(request.user, entitlement, payload.amount, payload.reason)


@router.post("/entitlements/{pk}/confirm", response=EntitlementOut, summary="企业确认并填写账户")
def confirm(request: HttpRequest, pk: int, payload: ConfirmIn) -> Any:
    entitlement = _entitlement(request, pk)
    return services.confirm(request.user, entitlement, payload.bank_name, payload.bank_account)


@router.post("/entitlements/{pk}/decline", response=EntitlementOut, summary="企业放弃")
def decline(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return services.decline(request.user, _entitlement(request, pk), payload.reason)


@router.post(
    "/entitlements/{pk}/objections", response={201: ObjectionOut}, summary="公示期内提出异议"
)
def object_to(request: HttpRequest, pk: int, payload: ObjectionIn) -> Any:
    entitlement = _entitlement(request, pk)
    return Status(201, services.raise_objection(request.user, entitlement, payload.text))


@router.post("/objections/{pk}/answer", response=ObjectionOut, summary="答复异议")
@guard(REVIEW_ENTITLEMENTS)
def answer(request: HttpRequest, pk: int, payload: AnswerIn) -> Any:
    objection = get_object_or_404(selectors.objections_for(request.user), pk=pk)
    return services.answer_objection(request.user, objection, payload.answer, payload.upheld)


@router.post("/batches/{pk}/paid", response=BatchOut, summary="登记拨付日期")
@guard(MANAGE_POLICIES)
def paid(request: HttpRequest, pk: int, payload: PaidIn) -> Any:
    return services.record_payment(request.user, _batch(request, pk), payload.paid_on)


# --- policies ------------------------------------------------------------------------------------


@router.get("", response=list[PolicyOut], summary="政策列表")
def list_policies(request: HttpRequest) -> Any:
    return selectors.policies_for(request.user)


@router.post("", response={201: PolicyDetailOut}, summary="新建政策（规则文本）")
@guard(MANAGE_POLICIES)
def create_policy(request: HttpRequest, payload: RuleTextIn) -> Any:
    return Status(201, services.create_policy(request.user, payload.text, payload.note))


@router.get("/{pk}", response=PolicyDetailOut, summary="政策详情（含各版本）")
def get_policy(request: HttpRequest, pk: int) -> Any:
    return _policy(request, pk)


@router.post("/{pk}/versions", response={201: VersionOut}, summary="新版本（修订规则）")
@guard(MANAGE_POLICIES)
def add_version(request: HttpRequest, pk: int, payload: RuleTextIn) -> Any:
    policy = _policy(request, pk)
    return Status(201, services.new_version(request.user, policy, payload.text, payload.note))


@router.post("/{pk}/status", response=PolicyOut, summary="发布或停止执行")
@guard(MANAGE_POLICIES)
def set_status(request: HttpRequest, pk: int, payload: StatusIn) -> Any:
    return services.set_status(request.user, _policy(request, pk), payload.status)


@router.post("/{pk}/simulate", response=SimulationOut, summary="测算（不改动任何记录）")
@guard(MANAGE_POLICIES)
def simulate(request: HttpRequest, pk: int, payload: SimulateIn) -> Any:
    return simulation(_policy(request, pk), payload.year, payload.changes)


@router.post("/{pk}/apply", response={201: EntitlementOut}, summary="申报（申报制政策，企业）")
def apply_for(request: HttpRequest, pk: int, payload: RunIn) -> Any:
    return Status(201, services.apply_for(request.user, _policy(request, pk), payload.year))


@router.post("/{pk}/runs", response={202: RunOut}, summary="计算兑现名单（后台任务）")
@guard(MANAGE_POLICIES)
def start_run(request: HttpRequest, pk: int, payload: RunIn) -> Any:
    return Status(202, services.start_run(request.user, _policy(request, pk), payload.year))
