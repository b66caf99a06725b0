"""The programmes' REST API (mounted at /api/programs by `kechuang/site/api.py`): the public
lists of calls, challenges and results; the applicant's application, attachments and workflow
steps; staff's assignment, defence, decision and ranking; the expert's assignments, reviews and
declines; the administrator's workflow versions."""

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from kechuang.core.permissions import guard
from kechuang.programs import selectors, services
from kechuang.programs.filters import ApplicationFilter
from kechuang.programs.models import Application, Assignment, Call
from kechuang.programs.permissions import (
    EDIT_WORKFLOWS,
    MANAGE_PROGRAMS,
    REVIEW_APPLICATIONS,
    VIEW_PROGRAM_WORK,
)

router = Router(tags=["科技计划项目"])


class ChallengeOut(Schema):
    id: int
    call_id: int
    code: str
    title: str
    problem: str
    targets: list[dict[str, str]]
    budget_cap: Decimal
    co_funding: Decimal
    deadline: dt.datetime | None
    issuer_name: str
    industry: str | None = Field(None, alias="industry.name")
    status: str
    status_display: str = Field(..., alias="get_status_display")


class CallOut(Schema):
    id: int
    program: str = Field(..., alias="program.name")
    program_kind: str = Field(..., alias="program.get_kind_display")
    title: str
    mode: str
    mode_display: str = Field(..., alias="get_mode_display")
    guide: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    budget: Decimal
    max_request: Decimal | None
    max_awards: int
    required_attachments: list[str]
    budget_categories: list[str]
    criteria: list[dict[str, str]]
    workflow: str = Field(..., alias="workflow_version.workflow.code")
    workflow_version: int = Field(..., alias="workflow_version.number")
    status: str
    status_display: str = Field(..., alias="get_status_display")
    is_demo: bool


class CallDetailOut(CallOut):
    challenges: list[ChallengeOut]


class AwardOut(Schema):
    id: int
    call: str = Field(..., alias="application.call.title")
    challenge: str | None = Field(None, alias="application.challenge.title")
    title: str = Field(..., alias="application.title")
    organization: str = Field(..., alias="application.organization.name")
    amount: Decimal
    reasons: str
    decided_on: dt.date
    rank: int | None
    published: bool


class PhaseChangeOut(Schema):
    transition: str
    label: str
    source: str
    target: str
    note: str
    created_at: dt.datetime


class ApplicationOut(Schema):
    id: int
    call_id: int
    challenge_id: int | None
    organization: str = Field(..., alias="organization.name")
    title: str
    summary: str
    leader: str | None = Field(None, alias="leader.name")
    requested: Decimal
    self_funding: Decimal
    budget: dict[str, str]
    phase: str
    phase_label: str
    submitted_at: dt.datetime | None
    revision: int
    formal_check_note: str


class ApplicationDetailOut(ApplicationOut):
    history: list[PhaseChangeOut]
    transitions: list[dict[str, str]]


class PartnerIn(Schema):
    uscc: str = Field(..., max_length=30)
    role: str = Field("co_applicant", max_length=20)


class ApplicationIn(Schema):
    challenge: int | None = None
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = Field(..., min_length=1, max_length=20000)
    leader: int | None = None
    members: list[int] = Field(default_factory=list, max_length=100)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=30)
    tech_fields: list[str] = Field(default_factory=list, max_length=20)
    requested: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4, description="万元")
    self_funding: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=4)
    budget: dict[str, Decimal] = Field(default_factory=dict)
    form_data: dict[str, str] = Field(default_factory=dict)


class AttachmentIn(Schema):
    kind: str = Field(..., min_length=1, max_length=100)
    file_name: str = Field(..., min_length=1, max_length=200)
    file_base64: str


class AttachmentOut(Schema):
    id: int
    kind: str
    file_name: str
    content_type: str


class TransitionIn(Schema):
    transition: str = Field(..., max_length=40)
    note: str = Field("", max_length=4000)


class ExpertIn(Schema):
    expert: int


class AssignmentOut(Schema):
    id: int
    application_id: int
    application: str = Field(..., alias="application.title")
    expert_id: int
    expert: str = Field(..., alias="expert.talent.name")
    status: str
    status_display: str = Field(..., alias="get_status_display")
    manual: bool
    fit: float
    reason: str


class AssignResultOut(Schema):
    assigned: int
    unfilled: dict[str, str]


class ProgramReviewIn(Schema):
    marks: dict[str, Decimal]
    comments: str = Field(..., max_length=8000)
    recommendation: str = Field(..., max_length=20)


class ProgramReviewOut(Schema):
    id: int
    total: Decimal
    marks: dict[str, str]
    comments: str
    recommendation: str


class DeclineIn(Schema):
    reason: str = Field(..., max_length=2000)
    conflict: bool = False


class DefenceIn(Schema):
    panelist: str = Field(..., max_length=50)
    score: Decimal = Field(..., max_digits=5, decimal_places=2)
    comment: str = Field("", max_length=4000)
    held_on: dt.date | None = None


class DecisionIn(Schema):
    funded: bool
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    reasons: str = Field(..., max_length=4000)


class ProgramRankOut(Schema):
    application_id: int
    title: str
    count: int
    raw_mean: float
    trimmed_mean: float
    z_mean: float
    rank: int


class WorkflowOut(Schema):
    code: str
    name: str
    latest: int
    definition: dict[str, Any]


class WorkflowIn(Schema):
    definition: dict[str, Any]
    note: str = Field("", max_length=300)


def decode_file(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError({"file_base64": ["附件应为 Base64 编码的文件内容。"]}) from error


def _call(request: HttpRequest, pk: int) -> Call:
    return get_object_or_404(selectors.calls_for(request.user), pk=pk)


def _application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(selectors.applications_for(request.user), pk=pk)


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(selectors.assignments_for(request.user), pk=pk)


def _detail(request: HttpRequest, application: Application) -> Application:
    application.transitions = [
        {"code": t.code, "name": t.label}
        for t in services.available_transitions(request.user, application)
    ]
    return application


# --- public -------------------------------------------------------------------------------------


@router.get("/calls", response=list[CallOut], auth=None, summary="申报批次（公开）")
def list_calls(request: HttpRequest) -> Any:
    return selectors.calls_for(request.user)


@router.get("/calls/{pk}", response=CallDetailOut, auth=None, summary="申报批次及其榜单（公开）")
def get_call(request: HttpRequest, pk: int) -> Any:
    call = _call(request, pk)
    call.challenges_list = list(selectors.challenges_for(request.user).filter(call=call))
    return CallDetailOut.from_orm(call).model_copy(
        update={"challenges": [ChallengeOut.from_orm(c) for c in call.challenges_list]}
    )


@router.get("/challenges", response=list[ChallengeOut], auth=None, summary="榜单（公开）")
def list_challenges(request: HttpRequest) -> Any:
    return selectors.challenges_for(request.user)


@router.get("/awards", response=list[AwardOut], auth=None, summary="立项公示（公开）")
def list_awards(request: HttpRequest) -> Any:
    return selectors.public_awards()


# --- city staff: programmes, calls, challenges ------------------------------------------------


class ProgramIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = Field(
        ..., max_length=20, description="major/key_rd/tackling/frontier/challenge/other"
    )
    year: int = Field(..., ge=2000, le=2100)
    description: str = Field("", max_length=4000)


class ProgramOut(Schema):
    id: int
    name: str
    kind: str
    year: int


class CallIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    mode: str = Field(..., max_length=20, description="regular/challenge/horse_race")
    guide: str = Field("", max_length=20000)
    opens_at: dt.datetime
    closes_at: dt.datetime
    budget: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    max_request: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)
    max_awards: int = Field(1, ge=1, le=20)
    reviews_per_application: int = Field(5, ge=1, le=15)
    recuse_same_area: bool = False
    eligibility: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    required_attachments: list[str] = Field(default_factory=list, max_length=20)
    budget_categories: list[str] = Field(default_factory=list, max_length=30)
    form_fields: list[dict[str, Any]] = Field(default_factory=list, max_length=30)
    criteria: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    ranking_method: str = Field("z_mean", max_length=20)


class TargetIn(Schema):
    name: str = Field(..., max_length=100)
    unit: str = Field("", max_length=20)
    value: str = Field(..., max_length=50)


class ChallengeIn(Schema):
    code: str = Field(..., min_length=1, max_length=30)
    title: str = Field(..., min_length=1, max_length=200)
    problem: str = Field(..., min_length=1, max_length=20000)
    targets: list[TargetIn] = Field(..., max_length=30)
    budget_cap: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    co_funding: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=4)
    deadline: dt.datetime | None = None
    issuer_uscc: str = Field("", max_length=30)
    issuer_name: str = Field("", max_length=200)
    industry: str = Field("", max_length=60)
    tech_fields: list[str] = Field(default_factory=list, max_length=20)


@router.post("/programs", response={201: ProgramOut}, summary="新建科技计划")
@guard(MANAGE_PROGRAMS)
def create_program(request: HttpRequest, payload: ProgramIn) -> Any:
    return Status(201, services.create_program(request.user, payload.dict()))


@router.post(
    "/programs/{pk}/calls", response={201: CallOut}, summary="新建申报批次（取最新流程版本）"
)
@guard(MANAGE_PROGRAMS)
def create_call(request: HttpRequest, pk: int, payload: CallIn) -> Any:
    program = get_object_or_404(selectors.programs_for(request.user), pk=pk)
    return Status(201, services.create_call(request.user, program, payload.dict()))


@router.post("/calls/{pk}/challenges", response={201: ChallengeOut}, summary="新建榜单（发榜）")
@guard(MANAGE_PROGRAMS)
def create_challenge(request: HttpRequest, pk: int, payload: ChallengeIn) -> Any:
    data = payload.dict()
    return Status(201, services.create_challenge(request.user, _call(request, pk), data))


# --- applicants -----------------------------------------------------------------------------------


@router.post("/calls/{pk}/applications", response={201: ApplicationDetailOut}, summary="申报或揭榜")
def create_application(request: HttpRequest, pk: int, payload: ApplicationIn) -> Any:
    data = payload.dict()
    data["budget"] = {k: str(v) for k, v in data["budget"].items()}
    application = services.create_application(request.user, _call(request, pk), data)
    return Status(201, _detail(request, application))


@router.get("/applications", response=list[ApplicationOut], summary="项目申报列表")
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter]) -> Any:
    return filters.filter(selectors.applications_for(request.user))


@router.get("/applications/{pk}", response=ApplicationDetailOut, summary="项目申报详情")
def get_application(request: HttpRequest, pk: int) -> Any:
    return _detail(request, _application(request, pk))


@router.post(
    "/applications/{pk}/attachments", response={201: AttachmentOut}, summary="上传申报附件"
)
def add_attachment(request: HttpRequest, pk: int, payload: AttachmentIn) -> Any:
    content = decode_file(payload.file_base64)
    attachment = services.add_attachment(
        request.user, _application(request, pk), payload.kind, content, payload.file_name
    )
    return Status(201, attachment)


@router.post(
    "/applications/{pk}/transition", response=ApplicationDetailOut, summary="流程操作（按流程版本）"
)
def transition(request: HttpRequest, pk: int, payload: TransitionIn) -> Any:
    application = services.transition(
        request.user, _application(request, pk), payload.transition, payload.note
    )
    return _detail(request, application)


# --- city staff -----------------------------------------------------------------------------------


@router.post("/calls/{pk}/assign", response=AssignResultOut, summary="自动分配评审专家")
@guard(MANAGE_PROGRAMS)
def auto_assign(request: HttpRequest, pk: int) -> Any:
    result = services.auto_assign(request.user, _call(request, pk))
    return {
        "assigned": sum(len(v) for v in result.assignments.values()),
        "unfilled": result.unfilled,
    }


class CallStatusIn(Schema):
    status: str = Field(..., max_length=20, description="published / closed / results")


@router.post("/calls/{pk}/status", response=CallOut, summary="发布、截止、公示立项结果")
@guard(MANAGE_PROGRAMS)
def call_status(request: HttpRequest, pk: int, payload: CallStatusIn) -> Any:
    return services.set_call_status(request.user, _call(request, pk), payload.status)


@router.get(
    "/calls/{pk}/ranking", response=list[ProgramRankOut], summary="评审结果排名（三种口径）"
)
@guard(VIEW_PROGRAM_WORK)
def ranking(request: HttpRequest, pk: int, method: str | None = None) -> Any:
    call = _call(request, pk)
    if method not in (None, "z_mean", "trimmed_mean", "raw_mean"):
        raise ValidationError({"method": ["排序方法应为 z_mean、trimmed_mean 或 raw_mean。"]})
    return [
        {
            "application_id": r["application"].pk,
            "title": r["application"].title,
            **r["aggregate"].to_dict(),
        }
        for r in selectors.ranking(call, method)
    ]


@router.post(
    "/applications/{pk}/assignments", response={201: AssignmentOut}, summary="人工指定评审专家"
)
@guard(MANAGE_PROGRAMS)
def assign_manually(request: HttpRequest, pk: int, payload: ExpertIn) -> Any:
    application = _application(request, pk)
    expert = selectors.experts_for(request.user).filter(pk=payload.expert).first()
    if expert is None:
        raise ValidationError({"expert": [f"未知的评审专家“{payload.expert}”。"]})
    return Status(201, services.assign_manually(request.user, application, expert))


@router.post("/applications/{pk}/defence", response={201: dict[str, Any]}, summary="录入答辩评分")
@guard(MANAGE_PROGRAMS)
def record_defence(request: HttpRequest, pk: int, payload: DefenceIn) -> Any:
    score = services.record_defence(request.user, _application(request, pk), payload.dict())
    return Status(201, {"id": score.pk, "score": str(score.score)})


@router.post("/applications/{pk}/decision", response=ApplicationDetailOut, summary="立项决定")
@guard(MANAGE_PROGRAMS)
def decide(request: HttpRequest, pk: int, payload: DecisionIn) -> Any:
    application = services.decide(request.user, _application(request, pk), payload.dict())
    return _detail(request, application)


# --- experts --------------------------------------------------------------------------------------


@router.get("/assignments", response=list[AssignmentOut], summary="我的评审任务（专家）")
@guard(REVIEW_APPLICATIONS)
def my_assignments(request: HttpRequest) -> Any:
    return selectors.my_assignments(request.user)


@router.post("/assignments/{pk}/review", response={201: ProgramReviewOut}, summary="提交评审意见")
@guard(REVIEW_APPLICATIONS)
def submit_review(request: HttpRequest, pk: int, payload: ProgramReviewIn) -> Any:
    data = payload.dict()
    data["marks"] = {k: str(v) for k, v in data["marks"].items()}
    return Status(201, services.submit_review(request.user, _assignment(request, pk), data))


@router.post("/assignments/{pk}/decline", response=AssignmentOut, summary="谢绝评审或声明利益冲突")
@guard(REVIEW_APPLICATIONS)
def decline(request: HttpRequest, pk: int, payload: DeclineIn) -> Any:
    return services.decline(
        request.user, _assignment(request, pk), payload.reason, payload.conflict
    )


# --- administrators -------------------------------------------------------------------------------


@router.get("/workflows", response=list[WorkflowOut], summary="评审流程（最新版本）")
@guard(VIEW_PROGRAM_WORK)
def list_workflows(request: HttpRequest) -> Any:
    return [
        {
            "code": w.code,
            "name": w.name,
            "latest": w.latest.number,
            "definition": w.latest.definition,
        }
        for w in selectors.workflows_for(request.user)
        if w.latest
    ]


@router.post("/workflows/{code}/versions", response={201: WorkflowOut}, summary="保存流程新版本")
@guard(EDIT_WORKFLOWS)
def save_workflow(request: HttpRequest, code: str, payload: WorkflowIn) -> Any:
    workflow = get_object_or_404(selectors.workflows_for(request.user), code=code)
    version = services.save_workflow_version(
        request.user, workflow, payload.definition, payload.note
    )
    return Status(
        201,
        {
            "code": workflow.code,
            "name": workflow.name,
            "latest": version.number,
            "definition": version.definition,
        },
    )
