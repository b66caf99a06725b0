"""The projects' REST API (mounted at /api/projects by `kechuang/site/api.py`): the public
record of results; the team's signature, changes, spending, progress, achieved values and
acceptance application; staff's agreement, approvals, payments, reviewer assignment, mid-term
conclusion, stage gates and acceptance conclusions; the expert's reviews; the funds summary.

A project (tranche, change, review, acceptance) the caller may not see answers 404, as if it
did not exist; one they see but may not act on answers 403 with the reason."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status

from kechuang.core.permissions import guard
from kechuang.core.references import MAX_ID
from kechuang.programs import selectors as program_selectors
from kechuang.projects import selectors, services
from kechuang.projects.models import (
    Acceptance,
    ChangeRequest,
    Project,
    ProjectReview,
    Tranche,
)
from kechuang.projects.permissions import MANAGE_PROJECTS, REVIEW_PROJECTS, VIEW_PROJECT_WORK
from kechuang.registry import selectors as registry_selectors
from kechuang.registry.models import IntegritySeverity
from kechuang.registry.services import integrity

router = Router(tags=["科技项目管理"])
ID = Path(..., ge=1, le=MAX_ID)
AMOUNT = {"ge": 0, "max_digits": 14, "decimal_places": 4}
VALUE = {"ge": 0, "max_digits": 18, "decimal_places": 4}
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]
Value = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4)]


class TargetOut(Schema):
    id: int
    name: str
    unit: str
    target_value: Decimal
    lower_is_better: bool
    verification: str
    achieved: Decimal | None
    evidence_name: str
    removed: bool


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None


class TrancheOut(Schema):
    id: int
    number: int
    share: Decimal
    amount: Decimal
    condition: str
    condition_display: str = Field(..., alias="get_condition_display")
    status: str
    paid_on: dt.date | None


class ProjectOut(Schema):
    id: int
    title: str
    program: str = Field(..., alias="program.name")
    organization: str = Field(..., alias="organization.name")
    area: str = Field(..., alias="organization.area.name")
    mode: str
    race: str
    lump_sum: bool
    confidential: bool
    city_funds: Decimal
    issuer_funds: Decimal
    enterprise_funds: Decimal
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_display: str = Field(..., alias="get_status_display")
    midterm: str
    is_demo: bool


class ProjectDetailOut(ProjectOut):
    budget: dict[str, str]
    team_signature: str
    city_signature: str
    signed_on: dt.date | None
    targets: list[TargetOut]
    milestones: list[MilestoneOut]
    tranches: list[TrancheOut]


class ResultOut(Schema):
    """The fields the bureau publishes for a closed project (成果公开)."""

    id: int
    title: str
    program: str
    organization: str
    city_funds: Decimal
    total_funds: Decimal
    status_display: str
    targets: list[dict[str, str | None]]
    outputs: list[dict[str, str]]


class AgreementIn(Schema):
    starts_on: dt.date
    ends_on: dt.date
    lump_sum: bool = False
    confidential: bool = False
    targets: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    milestones: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    budget: dict[str, Amount] = Field(default_factory=dict)


class SignIn(Schema):
    scan_base64: str | None = Field(None, max_length=30_000_000)
    scan_name: str = Field("", max_length=200)


class ProjectChangeIn(Schema):
    kind: str = Field(..., max_length=20)
    proposed: dict[str, Any]
    reason: str = Field(..., max_length=4000)


class ChangeOut(Schema):
    id: int
    kind: str
    proposed: dict[str, Any]
    before: dict[str, Any]
    reason: str
    status: str
    decision_note: str


class ChangeDecisionIn(Schema):
    approve: bool
    note: str = Field(..., max_length=4000)


class SpendingItemIn(Schema):
    category: str = Field(..., max_length=50)
    description: str = Field(..., max_length=300)
    amount: Decimal = Field(..., **AMOUNT)
    spent_on: dt.date
    explanation: str = Field("", max_length=4000)


class SpendingIn(Schema):
    items: list[SpendingItemIn] = Field(..., min_length=1, max_length=200)


class SpendingOut(Schema):
    id: int
    category: str
    description: str
    amount: Decimal
    spent_on: dt.date
    hits: list[dict[str, str]]
    explanation: str


class ProgressIn(Schema):
    period: str = Field(..., max_length=50)
    content: str = Field(..., max_length=20000)
    milestone: int | None = Field(None, ge=1, le=MAX_ID)
    milestone_done: bool = False


class ProgressOut(Schema):
    id: int
    period: str
    content: str
    milestone_done: bool


class AchievedIn(Schema):
    values: dict[str, Value]


class AssignIn(Schema):
    stage: str = Field(..., max_length=20)
    experts: int = Field(3, ge=1, le=15)


class ProjectReviewOut(Schema):
    id: int
    project_id: int
    project: str = Field(..., alias="project.title")
    stage: str
    score: Decimal | None
    opinion: str
    submitted: bool


class ProjectReviewIn(Schema):
    score: Decimal = Field(..., ge=0, le=100, max_digits=5, decimal_places=2)
    opinion: str = Field(..., max_length=8000)


class GateItemIn(Schema):
    decision: str = Field(..., max_length=20)
    reasons: str = Field(..., max_length=4000)
    merged_into: int | None = Field(None, ge=1, le=MAX_ID)


class GateIn(Schema):
    race: str = Field(..., max_length=60)
    decisions: dict[str, GateItemIn]
    note: str = Field("", max_length=4000)


class GateOut(Schema):
    id: int
    race: str
    held_on: dt.date
    comparison: list[dict[str, Any]]


class EvidenceIn(Schema):
    file_base64: str = Field(..., max_length=30_000_000)
    file_name: str = Field(..., min_length=1, max_length=200)
    achieved: Decimal | None = Field(None, **VALUE)


class AcceptanceIn(Schema):
    summary: str = Field(..., max_length=20000)
    evidence: dict[str, EvidenceIn] = Field(default_factory=dict)


class AcceptanceOut(Schema):
    id: int
    project_id: int
    summary: str
    checklist: list[dict[str, Any]]
    completion: Decimal
    suggested: str
    conclusion: str
    reasons: str
    rectify_until: dt.date | None
    certificate_number: str


class ConclusionIn(Schema):
    conclusion: str = Field(..., max_length=20)
    reasons: str = Field(..., max_length=4000)
    rectify_until: dt.date | None = None


class OutputIn(Schema):
    kind: str = Field(..., max_length=20)
    title: str = Field(..., min_length=1, max_length=300)
    year: int | None = Field(None, ge=1990, le=2100)
    reference: str = Field("", max_length=200)
    link: int | None = Field(None, ge=1, le=MAX_ID, description="专利、科技成果或技术合同的编号")


class OutputOut(Schema):
    id: int
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    title: str
    year: int
    reference: str
    patent_id: int | None
    achievement_id: int | None
    contract_id: int | None


class FundsOut(Schema):
    key: str
    projects: int
    committed: Decimal
    paid: Decimal
    spent: Decimal


class IntegrityRecordOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    talent_id: int | None
    person_only: bool
    misconduct: str
    severity: str
    severity_display: str = Field(..., alias="get_severity_display")
    decision: str
    decided_by: str
    decided_on: dt.date
    excluded_from: dt.date
    excluded_until: dt.date
    source: str
    contest: str
    contest_status: str
    contest_answer: str


class IntegrityRecordIn(Schema):
    organization_id: int | None = Field(None, ge=1, le=MAX_ID, description="责任单位编号")
    talent_id: int | None = Field(None, ge=1, le=MAX_ID, description="责任人（人才）编号")
    person_only: bool = False
    misconduct: str = Field(..., min_length=1, max_length=4000)
    severity: str = Field(..., max_length=20, description="minor 较轻 / serious 较重 / grave 严重")
    decision: str = Field(..., min_length=1, max_length=4000)
    decided_by: str = Field(..., min_length=1, max_length=200)
    decided_on: dt.date
    excluded_from: dt.date
    excluded_until: dt.date


class IntegrityContestIn(Schema):
    reason: str = Field(..., max_length=4000)


class IntegrityAnswerIn(Schema):
    upheld: bool
    answer: str = Field(..., max_length=4000)


def decode(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({field: ["文件应为 Base64 编码的内容。"]}) from error


def _project(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(selectors.projects_for(request.user), pk=pk)


def result_row(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "title": project.title,
        "program": project.program.name,
        "organization": project.organization.name,
        "city_funds": project.city_funds,
        "total_funds": project.total_funds,
        "status_display": project.get_status_display(),
        "targets": [
            {
                "name": t.name,
                "unit": t.unit,
                "target": services.fmt(t.target_value),
                "achieved": services.fmt(t.achieved) if t.achieved is not None else None,
            }
            for t in project.targets.all()
            if not t.removed
        ],
        "outputs": [
            {"kind": o.get_kind_display(), "title": o.title} for o in project.outputs.all()
        ],
    }


# --- public ---------------------------------------------------------------------------------------


@router.get("/results", response=list[ResultOut], auth=None, summary="项目成果公开（公开）")
def list_results(request: HttpRequest) -> Any:
    return [result_row(p) for p in selectors.public_results()]


@router.get("/results/{pk}", response=ResultOut, auth=None, summary="项目成果公开详情（公开）")
def get_result(request: HttpRequest, pk: int = ID) -> Any:
    return result_row(get_object_or_404(selectors.public_results(), pk=pk))


# --- projects -------------------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut], summary="科技项目列表")
def list_projects(request: HttpRequest) -> Any:
    return selectors.projects_for(request.user)


@router.get("/projects/{pk}", response=ProjectDetailOut, summary="科技项目详情（任务书）")
def get_project(request: HttpRequest, pk: int = ID) -> Any:
    return _project(request, pk)


@router.post("/awards/{pk}/project", response={201: ProjectDetailOut}, summary="由立项创建任务书")
@guard(MANAGE_PROJECTS)
def create_project(request: HttpRequest, payload: AgreementIn, pk: int = ID) -> Any:
    award = get_object_or_404(program_selectors.awards_for(request.user), pk=pk)
    data = payload.dict()
    data["budget"] = {k: str(v) for k, v in data["budget"].items()}
    return Status(201, services.create_project(request.user, award, data))


@router.post("/projects/{pk}/sign", response=ProjectDetailOut, summary="签署任务书")
def sign(request: HttpRequest, payload: SignIn, pk: int = ID) -> Any:
    project = _project(request, pk)
    scan = decode(payload.scan_base64, "scan_base64") if payload.scan_base64 else None
    return services.sign(request.user, project, scan, payload.scan_name)


@router.post("/projects/{pk}/changes", response={201: ChangeOut}, summary="申请任务书变更")
def request_change(request: HttpRequest, payload: ProjectChangeIn, pk: int = ID) -> Any:
    return Status(201, services.request_change(request.user, _project(request, pk), payload.dict()))


@router.post("/changes/{pk}/decision", response=ChangeOut, summary="审批任务书变更")
def decide_change(request: HttpRequest, payload: ChangeDecisionIn, pk: int = ID) -> Any:
    change = get_object_or_404(ChangeRequest.objects.restrict(request.user, "view"), pk=pk)
    return services.decide_change(request.user, change, payload.approve, payload.note)


@router.post("/tranches/{pk}/pay", response=TrancheOut, summary="拨付经费（条件满足后）")
def pay_tranche(request: HttpRequest, pk: int = ID) -> Any:
    tranche = get_object_or_404(Tranche.objects.restrict(request.user, "view"), pk=pk)
    return services.pay_tranche(request.user, tranche)


@router.post("/projects/{pk}/spending", response={201: list[SpendingOut]}, summary="报告经费支出")
def report_spending(request: HttpRequest, payload: SpendingIn, pk: int = ID) -> Any:
    items = [i.dict() for i in payload.items]
    return Status(201, services.report_spending(request.user, _project(request, pk), items))


@router.post("/projects/{pk}/reports", response={201: ProgressOut}, summary="提交进展报告")
def report_progress(request: HttpRequest, payload: ProgressIn, pk: int = ID) -> Any:
    return Status(
        201, services.report_progress(request.user, _project(request, pk), payload.dict())
    )


@router.post("/projects/{pk}/achieved", response=list[TargetOut], summary="填报指标完成值")
def record_achieved(request: HttpRequest, payload: AchievedIn, pk: int = ID) -> Any:
    return services.record_achieved(request.user, _project(request, pk), payload.values)


@router.post(
    "/projects/{pk}/reviewers",
    response={201: list[ProjectReviewOut]},
    summary="分配中期或验收评审专家",
)
@guard(MANAGE_PROJECTS)
def assign_reviewers(request: HttpRequest, payload: AssignIn, pk: int = ID) -> Any:
    project = _project(request, pk)
    return Status(
        201, services.assign_reviewers(request.user, project, payload.stage, payload.experts)
    )


@router.post("/projects/{pk}/midterm", response=ProjectDetailOut, summary="作出中期评估结论")
@guard(MANAGE_PROJECTS)
def conclude_midterm(request: HttpRequest, pk: int = ID) -> Any:
    return services.conclude_midterm(request.user, _project(request, pk))


@router.post("/gates", response={201: GateOut}, summary="赛马阶段评估（继续、合并、终止）")
@guard(MANAGE_PROJECTS)
def hold_gate(request: HttpRequest, payload: GateIn) -> Any:
    data = payload.dict()
    return Status(201, services.hold_gate(request.user, payload.race, data))


@router.post(
    "/projects/{pk}/acceptance", response={201: AcceptanceOut}, summary="申请验收（逐项佐证）"
)
def apply_for_acceptance(request: HttpRequest, payload: AcceptanceIn, pk: int = ID) -> Any:
    project = _project(request, pk)
    evidence = {
        key: {
            "content": decode(item.file_base64, "evidence"),
            "name": item.file_name,
            "achieved": item.achieved,
        }
        for key, item in payload.evidence.items()
    }
    data = {"summary": payload.summary, "evidence": evidence}
    return Status(201, services.apply_for_acceptance(request.user, project, data))


@router.post("/acceptances/{pk}/decision", response=AcceptanceOut, summary="验收结论")
def decide_acceptance(request: HttpRequest, payload: ConclusionIn, pk: int = ID) -> Any:
    acceptance = get_object_or_404(Acceptance.objects.restrict(request.user, "view"), pk=pk)
    return services.decide_acceptance(request.user, acceptance, payload.dict())


@router.post("/projects/{pk}/outputs", response={201: OutputOut}, summary="登记项目成果")
def add_output(request: HttpRequest, payload: OutputIn, pk: int = ID) -> Any:
    project = _project(request, pk)
    link = services.output_link(request.user, payload.kind, payload.link)
    return Status(201, services.add_output(request.user, project, payload.dict(), link))


@router.get("/reviews", response=list[ProjectReviewOut], summary="我的项目评审任务（专家）")
@guard(REVIEW_PROJECTS)
def my_reviews(request: HttpRequest) -> Any:
    return selectors.my_reviews(request.user)


@router.post("/reviews/{pk}", response=ProjectReviewOut, summary="提交项目评审意见")
@guard(REVIEW_PROJECTS)
def submit_review(request: HttpRequest, payload: ProjectReviewIn, pk: int = ID) -> Any:
    review = get_object_or_404(ProjectReview.objects.restrict(request.user, "view"), pk=pk)
    return services.submit_project_review(request.user, review, payload.dict())


@router.get("/funds", response=list[FundsOut], summary="经费统计（下达、拨付、支出）")
@guard(VIEW_PROJECT_WORK)
def funds(request: HttpRequest, by: str = "program") -> Any:
    if by not in selectors.FUNDS_KEYS:
        raise ValidationError({"by": ["统计口径应为 project、program、area、chain 或 year。"]})
    return selectors.funds_summary(request.user, by)


# --- research integrity (科研诚信) -------------------------------------------------------------


def _integrity_values(request: HttpRequest, payload: IntegrityRecordIn) -> dict[str, Any]:
    """The record's values, its organization and talent resolved within the user's view."""
    data = payload.dict()
    if data["severity"] not in IntegritySeverity.values:
        raise ValidationError(
            {"severity": ["严重程度应为 minor（较轻）、serious（较重）或 grave（严重）。"]}
        )
    talent_id, organization_id = data.pop("talent_id"), data.pop("organization_id")
    talent = (
        registry_selectors.talents_by_id(request.user, [talent_id], "talent_id")[0]
        if talent_id
        else None
    )
    organizations = registry_selectors.organizations_for(request.user)
    organization = organizations.filter(pk=organization_id).first() if organization_id else None
    if organization_id and organization is None:
        raise ValidationError(
            {"organization_id": [f"找不到编号为 {organization_id} 的单位，请核对单位编号。"]}
        )
    if organization is None and talent is None:
        raise ValidationError({"organization_id": ["请填写责任单位编号或责任人编号。"]})
    if (
        talent is not None
        and organization is not None
        and talent.organization_id != organization.pk
    ):
        raise ValidationError({"talent_id": ["责任人不属于所填的责任单位，请核对单位或人才编号。"]})
    return {**data, "talent": talent, "organization": organization or talent.organization}


@router.get("/integrity", response=list[IntegrityRecordOut], summary="科研诚信记录（本单位或全市）")
def list_integrity(request: HttpRequest) -> Any:
    return registry_selectors.integrity_records_for(request.user)


@router.post("/integrity", response={201: IntegrityRecordOut}, summary="录入科研诚信记录")
@guard(integrity.MANAGE_INTEGRITY)
def record_integrity(request: HttpRequest, payload: IntegrityRecordIn) -> Any:
    return Status(201, integrity.record(request.user, _integrity_values(request, payload)))


@router.post(
    "/integrity/{pk}/contest", response=IntegrityRecordOut, summary="对科研诚信记录提出申诉"
)
def contest_integrity(request: HttpRequest, payload: IntegrityContestIn, pk: int = ID) -> Any:
    record = get_object_or_404(registry_selectors.integrity_records_for(request.user), pk=pk)
    return integrity.contest(request.user, record, payload.reason)


@router.post(
    "/integrity/{pk}/answer", response=IntegrityRecordOut, summary="处理科研诚信记录的申诉"
)
def answer_integrity(request: HttpRequest, payload: IntegrityAnswerIn, pk: int = ID) -> Any:
    record = get_object_or_404(registry_selectors.integrity_records_for(request.user), pk=pk)
    return integrity.answer_contest(request.user, record, payload.upheld, payload.answer)
