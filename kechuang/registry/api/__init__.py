"""Registry endpoints: reference data (read-only), the six registries (scoped CRUD), and the
annual figures' submission and review."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kechuang.core.crud import Resource, add_crud
from kechuang.core.pagination import Pagination
from kechuang.core.permissions import WRITE_DATA
from kechuang.core.references import resolve
from kechuang.registry import selectors
from kechuang.registry.api.claims import claim_from_form, scan_response
from kechuang.registry.api.schemas import (
    AnnualReportOut,
    AreaOut,
    IndustryOut,
    OrganizationIn,
    OrganizationOut,
    PatentIn,
    PatentOut,
    PlatformIn,
    PlatformOut,
    QualificationIn,
    QualificationOut,
    TalentIn,
    TalentOut,
    TeamIn,
    TeamOut,
    TechFieldOut,
    reveal_to_editors,
)
from kechuang.registry.filters import (
    AnnualReportFilter,
    OrganizationFilter,
    PatentFilter,
    PlatformFilter,
    QualificationFilter,
    TalentFilter,
    TeamFilter,
)
from kechuang.registry.models import (
    InnovationPlatform,
    IssuerLevel,
    Organization,
    Patent,
    PlatformEvent,
    PlatformLevel,
    Qualification,
    QualificationKind,
    SubmissionStatus,
    Talent,
    Team,
)
from kechuang.registry.services import platforms as platform_services
from kechuang.registry.services import qualifications, workflow

router = Router(tags=["创新主体登记"])


@router.get("/areas", response=list[AreaOut], summary="区域树（南阳市及 17 个县市区、功能区）")
def list_areas(request: HttpRequest) -> Any:
    return selectors.areas_for(request.user)


@router.get("/industries", response=list[IndustryOut], summary="产业（6+N 及细分产业）")
def list_industries(request: HttpRequest) -> Any:
    return selectors.industries_for(request.user)


@router.get("/tech-fields", response=list[TechFieldOut], summary="国家重点支持的高新技术领域")
def list_tech_fields(request: HttpRequest) -> Any:
    return selectors.tech_fields_for(request.user)


# --- pickers: search behind the pages' reference fields (core/pickers.py) ----------------------


class PickOut(Schema):
    value: str = Field(description="提交的值（代码或统一社会信用代码）")
    label: str = Field(description="显示的名称")
    hint: str = Field("", description="补充说明（类型、上级、信用代码）")


PickQuery = Annotated[str, Query(max_length=50, description="名称或代码的一部分，如 卧龙")]


@router.get("/pickers/areas", response=list[PickOut], summary="区域选择：按名称或代码查找")
def pick_areas(request: HttpRequest, q: PickQuery = "") -> Any:
    return selectors.pick_areas(request.user, q.strip())


@router.get("/pickers/industries", response=list[PickOut], summary="产业选择：按名称查找")
def pick_industries(request: HttpRequest, q: PickQuery = "") -> Any:
    return selectors.pick_industries(request.user, q.strip())


@router.get(
    "/pickers/tech-fields", response=list[PickOut], summary="高新技术领域选择：按名称或代码查找"
)
def pick_tech_fields(request: HttpRequest, q: PickQuery = "") -> Any:
    return selectors.pick_tech_fields(request.user, q.strip())


@router.get(
    "/pickers/organizations",
    response=list[PickOut],
    summary="单位选择：在您的范围内按名称或统一社会信用代码查找",
)
def pick_organizations(request: HttpRequest, q: PickQuery = "") -> Any:
    return selectors.pick_organizations(request.user, q.strip())


def _organization_data(user: Any, p: OrganizationIn) -> dict[str, Any]:
    return {
        **p.dict(),
        "area": selectors.area_by_reference(user, p.area),
        "industry": selectors.industry_by_reference(user, p.industry),
        "tech_field": selectors.tech_field_by_reference(user, p.tech_field),
        "size_class": p.size_class or "",
        "industry_section": p.industry_section or "",
    }


def _qualification_data(user: Any, p: QualificationIn) -> dict[str, Any]:
    return {**p.dict(), "organization": selectors.organization_by_uscc(user, p.organization)}


def _platform_data(user: Any, p: PlatformIn) -> dict[str, Any]:
    host = selectors.organization_by_uscc(user, p.host, "host")
    data = p.dict(exclude={"co_builders"})
    data.update(
        host=host,
        area=selectors.area_by_reference(user, p.area) or (host.area if host else None),
        industry=selectors.industry_by_reference(user, p.industry),
        tech_field=selectors.tech_field_by_reference(user, p.tech_field),
    )
    return data


def _talent_data(user: Any, p: TalentIn) -> dict[str, Any]:
    data = p.dict(exclude={"tech_fields"})
    data.update(
        organization=selectors.organization_by_uscc(user, p.organization), degree=p.degree or ""
    )
    return data


def _team_data(user: Any, p: TeamIn) -> dict[str, Any]:
    data = p.dict(exclude={"member_ids", "leader_id"})
    leader = selectors.talents_by_id(user, [p.leader_id], "leader_id") if p.leader_id else [None]
    data.update(organization=selectors.organization_by_uscc(user, p.organization), leader=leader[0])
    return data


def _patent_data(user: Any, p: PatentIn) -> dict[str, Any]:
    return {**p.dict(), "organization": selectors.organization_by_uscc(user, p.organization)}


RESOURCES = [
    Resource(
        "organizations",
        "创新主体",
        Organization,
        OrganizationOut,
        OrganizationIn,
        OrganizationFilter,
        ("name", "founded_on", "created_at"),
        selectors.organizations_for,
        _organization_data,
        prepare=reveal_to_editors,
    ),
    Resource(
        "qualifications",
        "资质认定",
        Qualification,
        QualificationOut,
        QualificationIn,
        QualificationFilter,
        ("issued_on", "expires_on", "kind"),
        selectors.qualifications_for,
        _qualification_data,
        state=qualifications.entry_state,
    ),
    Resource(
        "platforms",
        "创新平台",
        InnovationPlatform,
        PlatformOut,
        PlatformIn,
        PlatformFilter,
        ("name", "approved_on", "level"),
        selectors.platforms_for,
        _platform_data,
        many=lambda user, p, obj: {
            "co_builders": selectors.organizations_by_uscc(
                user, p.co_builders, "co_builders", obj.co_builders.all() if obj.pk else None
            )
        },
    ),
    Resource(
        "talents",
        "科技人才",
        Talent,
        TalentOut,
        TalentIn,
        TalentFilter,
        ("name", "created_at"),
        selectors.talents_for,
        _talent_data,
        many=lambda user, p, obj: {
            "tech_fields": selectors.tech_fields_by_reference(user, p.tech_fields, "tech_fields")
        },
        prepare=reveal_to_editors,
    ),
    Resource(
        "teams",
        "人才团队",
        Team,
        TeamOut,
        TeamIn,
        TeamFilter,
        ("name", "approved_year"),
        selectors.teams_for,
        _team_data,
        many=lambda user, p, obj: {
            "members": selectors.talents_by_id(user, p.member_ids, "member_ids")
        },
        check_many=lambda team, many: team.check_members(many["members"]),
    ),
    Resource(
        "patents",
        "专利",
        Patent,
        PatentOut,
        PatentIn,
        PatentFilter,
        ("application_date", "grant_date", "number"),
        selectors.patents_for,
        _patent_data,
    ),
]
for resource in RESOURCES:
    add_crud(router, resource)


# --- platforms' status history ----------------------------------------------------------------


class StatusChangeIn(Schema):
    event: PlatformEvent = Field(..., description="批准、升级、降级、暂停、恢复、撤销或整合")
    date: dt.date = Field(..., description="事项发生的日期（不晚于今天）")
    level: PlatformLevel | None = Field(None, description="新级别：升级、降级时必填")
    merged_into: int | None = Field(
        None, ge=1, le=2**63 - 1, description="整合进入的平台编号（仅整合）"
    )
    document_no: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class StatusChangeOut(Schema):
    id: int
    platform_id: int
    event: str
    event_display: str = Field(..., alias="get_event_display")
    date: dt.date
    level: str
    merged_into_id: int | None
    merged_into_name: str | None = Field(None, alias="merged_into.name")
    document_no: str
    note: str
    status_after: str
    status_after_display: str = Field(..., alias="get_status_after_display")
    level_after: str
    level_after_display: str = Field(..., alias="get_level_after_display")
    created_at: dt.datetime


def status_change_data(user: Any, p: StatusChangeIn) -> dict[str, Any]:
    """The model values of a status-change payload (the platform merged into is resolved
    among the platforms the user may view)."""
    merged_into = resolve(
        selectors.platforms_for(user),
        p.merged_into,
        Q(pk=p.merged_into),
        "merged_into",
        "平台编号（整合进入的平台）",
    )
    return {**p.dict(exclude={"merged_into"}), "level": p.level or "", "merged_into": merged_into}


@router.get(
    "/platforms/{pk}/status-changes",
    response=list[StatusChangeOut],
    summary="创新平台的状态变更记录（按日期）",
    operation_id="platforms_status_changes",
)
def list_status_changes(request: HttpRequest, pk: int) -> Any:
    platform = get_object_or_404(selectors.platforms_for(request.user), pk=pk)
    return list(selectors.platform_status_changes(platform))


@router.post(
    "/platforms/{pk}/status-changes",
    response={201: StatusChangeOut},
    summary="记录创新平台的状态变更（市科技局）",
    operation_id="platforms_record_status_change",
)
def record_status_change(request: HttpRequest, pk: int, payload: StatusChangeIn) -> Any:
    platform = get_object_or_404(selectors.platforms_for(request.user), pk=pk)
    platform_services.RECORD_PLATFORM_HISTORY.check(request.user)
    data = status_change_data(request.user, payload)
    change = platform_services.record_status_change(request.user, platform, data)
    return Status(201, selectors.platform_status_changes(platform).get(pk=change.pk))


# --- annual figures: confirmed values (read-only) and their submissions ----------------------


@router.get("/annual-reports", response=list[AnnualReportOut], summary="年度数据（已确认）")
@paginate(Pagination)
def list_annual_reports(request: HttpRequest, filters: Query[AnnualReportFilter]) -> Any:
    return filters.filter(selectors.annual_reports_for(request.user)).order_by(
        "organization__name", "-year"
    )


@router.get("/annual-reports/{pk}", response=AnnualReportOut, summary="年度数据详情（已确认）")
def get_annual_report(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(selectors.annual_reports_for(request.user), pk=pk)


class SubmissionIn(Schema):
    organization: str = Field(..., max_length=30, description="单位统一社会信用代码")
    year: int = Field(..., ge=2000, le=2100)
    values: dict[str, Any] = Field(
        ..., description="年度数据项（万元、人、项），只需填写要修改的项"
    )
    comment: str = Field("", max_length=500)
    confirm_now: bool = Field(False, description="市科技局工作人员直接确认（同样留痕）")


class ReviewIn(Schema):
    decision: Literal["approve", "confirm", "return"]
    comment: str = Field("", max_length=500)


class WithdrawIn(Schema):
    comment: str = Field("", max_length=500, description="撤回原因（可不填）")


class ResubmitIn(Schema):
    values: dict[str, Any] = Field(
        ..., description="改正后的年度数据项（万元、人、项），取代退回前填报的数据"
    )
    comment: str = Field("", max_length=500, description="修改说明")


class ReviewOut(Schema):
    decision: str
    decision_display: str = Field(..., alias="get_decision_display")
    comment: str
    reviewer: str | None = Field(None, alias="reviewer.username")
    at: dt.datetime = Field(..., alias="created_at")


class SubmissionOut(Schema):
    id: int
    organization_uscc: str = Field(..., alias="organization.uscc")
    organization_name: str = Field(..., alias="organization.name")
    year: int
    status: str
    status_display: str = Field(..., alias="get_status_display")
    values: dict[str, Any]
    changes: dict[str, list[str | None]]
    submitted_by: str | None = Field(None, alias="submitted_by.username")
    created_at: dt.datetime
    reviews: list[ReviewOut]

    @staticmethod
    def resolve_changes(obj: Any) -> dict[str, list[str | None]]:
        return {k: list(v) for k, v in workflow.diff(obj).items()}

    @staticmethod
    def resolve_reviews(obj: Any) -> list[Any]:
        return list(obj.reviews.all())


class SubmissionFilter(Schema):
    status: SubmissionStatus | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    organization: str | None = Field(None, max_length=30)


@router.get("/figure-submissions", response=list[SubmissionOut], summary="年度数据填报列表")
@paginate(Pagination)
def list_submissions(request: HttpRequest, filters: Query[SubmissionFilter]) -> Any:
    qs = selectors.submissions_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.organization:
        qs = qs.filter(organization__uscc=filters.organization.strip().upper())
    return qs.order_by("-created_at", "-pk")


@router.get(
    "/figure-submissions/{pk}", response=SubmissionOut, summary="填报详情（含与已确认数据的差异）"
)
def get_submission(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(selectors.submissions_for(request.user), pk=pk)


@router.post("/figure-submissions", response={201: SubmissionOut}, summary="填报年度数据")
def create_submission(request: HttpRequest, payload: SubmissionIn) -> Any:
    organization = get_object_or_404(
        selectors.organizations_for(request.user), uscc=payload.organization.strip().upper()
    )
    submission = workflow.submit(
        request.user,
        organization,
        payload.year,
        payload.values,
        payload.comment,
        confirm_now=payload.confirm_now,
    )
    return Status(201, selectors.submissions_for(request.user).get(pk=submission.pk))


@router.post(
    "/figure-submissions/{pk}/review",
    response=SubmissionOut,
    summary="审核：县区审核、市级确认或退回",
)
def review_submission(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    workflow.review(request.user, submission, payload.decision, payload.comment)
    return selectors.submissions_for(request.user).get(pk=pk)


@router.post(
    "/figure-submissions/{pk}/withdraw",
    response=SubmissionOut,
    summary="撤回：填报人撤回尚未审核的填报（保留记录）",
)
def withdraw_submission(request: HttpRequest, pk: int, payload: WithdrawIn) -> Any:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    workflow.withdraw(request.user, submission, payload.comment)
    return selectors.submissions_for(request.user).get(pk=pk)


@router.post(
    "/figure-submissions/{pk}/resubmit",
    response=SubmissionOut,
    summary="修改后重新提交：填报人改正已退回的填报，重新进入县区审核",
)
def resubmit_submission(request: HttpRequest, pk: int, payload: ResubmitIn) -> Any:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    workflow.resubmit(request.user, submission, payload.values, payload.comment)
    return selectors.submissions_for(request.user).get(pk=pk)


# --- qualifications: claims, verification, the certificate scan -------------------------------

CLAIM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "certificate_no", "issued_on", "issuer_level", "scan"],
                    "properties": {
                        "organization": {
                            "type": "string",
                            "description": "单位统一社会信用代码（单位用户可留空：本单位）",
                        },
                        "kind": {"type": "string", "enum": list(QualificationKind.values)},
                        "certificate_no": {"type": "string", "maxLength": 60},
                        "issued_on": {"type": "string", "format": "date"},
                        "expires_on": {"type": "string", "format": "date"},
                        "issuer_level": {"type": "string", "enum": list(IssuerLevel.values)},
                        "issuer": {"type": "string", "maxLength": 100},
                        "note": {"type": "string", "maxLength": 200},
                        "scan": {
                            "type": "string",
                            "format": "binary",
                            "description": "证书扫描件：PDF、PNG 或 JPEG（按内容判断），"
                            "不超过 10 MB",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/qualification-claims",
    response={201: QualificationOut},
    summary="申报资质（证书编号 + 扫描件；待市科技局核验后计入统计）",
    openapi_extra=CLAIM_BODY,
)
def claim_qualification(request: HttpRequest) -> Any:
    """multipart/form-data. The claim is created as 待核验 whatever is sent; a request that sets
    the verification state, the source or the verifier is refused (403)."""
    WRITE_DATA.check(request.user)
    if not request.content_type.startswith("multipart/"):
        raise ValidationError(
            {
                "scan": [
                    "申报须以 multipart/form-data 提交，"
                    "字段 scan 为证书扫描件（PDF、PNG 或 JPEG）。"
                ]
            }
        )
    obj = claim_from_form(request.user, request.POST, request.FILES.get("scan"))
    return Status(201, selectors.qualifications_for(request.user).get(pk=obj.pk))


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300, description="驳回理由（申报单位可见）")


@router.post(
    "/qualifications/{pk}/verify",
    response=QualificationOut,
    summary="核验通过资质申报（市科技局；通过后计入统计）",
)
def verify_qualification(request: HttpRequest, pk: int) -> Any:
    obj = get_object_or_404(selectors.qualifications_for(request.user), pk=pk)
    qualifications.verify(request.user, obj)
    return selectors.qualifications_for(request.user).get(pk=pk)


@router.post(
    "/qualifications/{pk}/reject",
    response=QualificationOut,
    summary="驳回资质申报（市科技局；须填写理由，驳回的申报不计入统计）",
)
def reject_qualification(request: HttpRequest, pk: int, payload: RejectIn) -> Any:
    obj = get_object_or_404(selectors.qualifications_for(request.user), pk=pk)
    qualifications.reject(request.user, obj, payload.reason)
    return selectors.qualifications_for(request.user).get(pk=pk)


@router.get("/qualifications/{pk}/scan", summary="资质证书扫描件（可查看该资质的用户）")
def qualification_scan(request: HttpRequest, pk: int) -> Any:
    obj = get_object_or_404(selectors.qualifications_for(request.user), pk=pk)
    return scan_response(obj)
