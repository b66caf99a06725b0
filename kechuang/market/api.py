"""The market's REST API (mounted at /api/market by `kechuang/site/api.py`).

Signed in: demands, achievements and scenarios (list with filters, create, detail, change while a
draft or returned, workflow steps, match suggestions with explanations), free-text search,
experts, brokers, the published lists (issue), the matches and their pipeline.
Public (anonymous, read-only, a per-address budget): published listings and the issued lists;
an unpublished id answers 404 exactly like a missing one, and there is no write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import Throttled

from kechuang.core.bounds import Id
from kechuang.core.permissions import guard
from kechuang.market import selectors, services
from kechuang.market.engine import MAX_QUERY_CHARS
from kechuang.market.filters import ListingFilter, MatchFilter, PeopleFilter
from kechuang.market.models import (
    Achievement,
    CooperationMode,
    InstitutionLevel,
    Listing,
    Match,
    Maturity,
    Roadshow,
    RoadshowKind,
    Scenario,
    SourceKind,
    TechDemand,
)
from kechuang.market.permissions import FOLLOW_MATCHES, POST_LISTING, RUN_ROADSHOWS
from kechuang.registry import selectors as registry

router = Router(tags=["科技大市场"])
KINDS = {"demands": "demand", "achievements": "achievement", "scenarios": "scenario"}
MODELS = {"demand": TechDemand, "achievement": Achievement, "scenario": Scenario}
LABELS = {"demand": "技术需求", "achievement": "科技成果", "scenario": "应用场景"}
ID: dict[str, Any] = {"ge": 1, "le": 2**63 - 1}  # ids bounded: an extreme value is a 422


class ListingOut(Schema):
    id: int
    kind: str
    title: str
    organization: str
    area: str
    industry: str | None
    keywords: str
    status: str
    status_display: str
    return_reason: str
    published_on: dt.date | None
    is_demo: bool
    details: dict[str, Any]


class ListingIn(Schema):
    """One shape for the three kinds; the fields a kind does not have are refused."""

    title: str | None = Field(None, min_length=1, max_length=200)
    industry: str | None = Field(None, max_length=60, description="产业代码或名称")
    keywords: str | None = Field(None, max_length=200)
    organization_uscc: str | None = Field(None, max_length=30, description="工作人员代录时填写")
    problem: str | None = Field(None, max_length=5000, description="需求、场景：技术难题")
    targets: str | None = Field(None, max_length=2000, description="需求：量化指标")
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="万元")
    deadline: dt.date | None = None
    cooperation_mode: CooperationMode | None = None
    confidential: bool | None = None
    is_key: bool | None = None
    description: str | None = Field(None, max_length=8000, description="成果：简介")
    source_kind: SourceKind | None = None
    tech_field: str | None = Field(None, max_length=30)
    maturity: Maturity | None = None
    trl: int | None = Field(None, ge=1, le=9)
    people: str | None = Field(None, max_length=200)
    transfer_modes: list[CooperationMode] | None = Field(None, max_length=4)
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    offers: str | None = Field(None, max_length=4000, description="场景：提供的条件")
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class StepIn(Schema):
    step: Literal["submit", "return", "review", "publish", "close"]
    reason: str = Field("", max_length=500)


class TermOut(Schema):
    query_term: str
    matched_term: str
    fields: dict[str, int]
    contribution: float
    synonym: str
    learnt: bool = Field(False, description="同义关系由平台语料学习得到（而非人工同义词表）")
    label: str


class SuggestionOut(Schema):
    kind: str
    kind_display: str
    id: int
    title: str
    score: float
    coverage: float
    terms: list[TermOut]
    highlighted: list[tuple[str, bool]]
    similarity: float | None = Field(
        None, description="向量余弦相似度（仅在配置了本地向量模型 KECHUANG_MARKET_ENCODER_DIR 时）"
    )


class OrganizationSuggestionOut(Schema):
    name: str
    organization_id: int | None = Field(None, description="登记的创新主体（未登记时为空）")
    uscc: str = Field("", description="统一社会信用代码（登记的创新主体）")
    score: float
    reasons: list[str]


class SearchOut(Schema):
    truncated: bool
    notice: str
    results: list[SuggestionOut]


class PersonOut(Schema):
    id: int
    name: str
    area: str
    text: str


class ListingAttachmentOut(Schema):
    id: int
    label: str
    file_name: str
    content_type: str
    size: int
    url: str


def attachment_out(attachment: Any) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "label": attachment.label,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": reverse("market:attachment", args=[attachment.pk]),
    }


class ListOut(Schema):
    id: int
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    number: int
    title: str
    issued_on: dt.date
    area: str = Field(..., alias="area.name")
    items: list[dict[str, Any]]


class IssueIn(Schema):
    kind: Literal["demands", "scenarios", "key_demands"]
    ids: list[Id] = Field(..., min_length=1, max_length=500)
    title: str = Field("", max_length=200)
    area: str | None = Field(None, max_length=50, description="发布节点区域，默认为本人区域或市")
    industry: str | None = Field(None, max_length=60)
    issued_on: dt.date | None = None


class MatchOut(Schema):
    id: int
    source: str
    achievement: str
    area: str
    status: str
    status_display: str
    score: float
    explanation: list[dict[str, Any]]
    broker: str | None
    roadshow: str | None
    failure_reason: str
    events: list[dict[str, Any]]


class MatchIn(Schema):
    demand: int | None = Field(None, **ID)
    scenario: int | None = Field(None, **ID)
    achievement: int = Field(..., **ID)
    broker: int | None = Field(None, **ID)
    roadshow: int | None = Field(None, **ID, description="产生该对接的路演或对接会")


class RoadshowIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: RoadshowKind = RoadshowKind.ROADSHOW
    held_on: dt.date
    area: str | None = Field(None, max_length=50, description="举办节点区域，默认为本人区域")
    venue: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    demands: list[int] = Field(default_factory=list, max_length=200)
    achievements: list[int] = Field(default_factory=list, max_length=200)
    scenarios: list[int] = Field(default_factory=list, max_length=200)
    participants: list[str] = Field(
        default_factory=list, max_length=200, description="参会单位的统一社会信用代码"
    )
    guests: str = Field("", max_length=500)
    attendance: int = Field(0, ge=0, le=100000)


class RoadshowOut(Schema):
    id: int
    title: str
    kind: str
    kind_display: str
    held_on: dt.date
    area: str
    venue: str
    description: str
    demands: list[dict[str, Any]]
    achievements: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    participants: list[str]
    guests: str
    attendance: int
    matches: list[dict[str, Any]]
    conversion: dict[str, Any]


class ConversionRow(Schema):
    key: str
    matches: int
    signed: int
    rate: float


class InstitutionOut(Schema):
    id: int
    name: str
    area: str
    level: InstitutionLevel
    level_display: str
    certificate_no: str
    fields: str
    services: str
    deals: int
    brokers: list[str]


class ExpertOut(Schema):
    id: int
    name: str
    area: str
    organization: str | None
    title: str
    expertise: str
    publications: str
    co_inventors: list[dict[str, Any]]


class MoveIn(Schema):
    status: Literal["contacted", "negotiating", "signed", "closed", "failed"]
    note: str = Field("", max_length=500)
    reason: str = Field("", max_length=500)
    on: dt.date | None = None


# --- conversions -----------------------------------------------------------------------------

KIND_FIELDS = {
    "demand": (
        "problem",
        "targets",
        "budget",
        "deadline",
        "cooperation_mode",
        "confidential",
        "is_key",
    ),
    "achievement": (
        "description",
        "source_kind",
        "tech_field",
        "maturity",
        "trl",
        "people",
        "transfer_modes",
        "price",
    ),
    "scenario": ("problem", "offers", "starts_on", "ends_on"),
}
COMMON = ("title", "keywords")


def listing_out(listing: Listing, public: bool = False) -> dict[str, Any]:
    kind = selectors.listing_kind(listing)
    details = {}
    for name in KIND_FIELDS[kind]:
        value = getattr(listing, name)
        if name == "tech_field":
            value = value.name if value else None
        details[name] = str(value) if isinstance(value, Decimal) else value
    masked = public and getattr(listing, "confidential", False)
    if masked:
        details["budget"] = None
    return {
        "id": listing.pk,
        "kind": kind,
        "title": listing.title,
        "organization": "（保密）" if masked else listing.owner_name,
        "area": listing.area.name,
        "industry": str(listing.industry) if listing.industry else None,
        "keywords": listing.keywords,
        "status": listing.status,
        "status_display": listing.get_status_display(),
        "return_reason": "" if public else listing.return_reason,
        "published_on": listing.published_on,
        "is_demo": listing.is_demo,
        "details": details,
    }


def listing_data(user: Any, kind: str, payload: ListingIn) -> dict[str, Any]:
    """The payload as model data: references resolved within what the user may view, fields of
    another kind refused by name."""
    sent = payload.model_dump(exclude_unset=True)
    allowed = {*COMMON, *KIND_FIELDS[kind], "industry", "organization_uscc"}
    foreign = sorted(set(sent) - allowed)
    if foreign:
        raise ValidationError({name: [f"{LABELS[kind]}没有该字段，请删去。"] for name in foreign})
    data = {
        k: v for k, v in sent.items() if k not in ("industry", "organization_uscc", "tech_field")
    }
    for name in ("title", "keywords", "problem", "targets", "description", "people", "offers"):
        if name in data and data[name] is None:
            data[name] = ""
    if "transfer_modes" in data:
        data["transfer_modes"] = [str(m) for m in data["transfer_modes"] or []]
    if "industry" in sent:
        data["industry"] = registry.industry_by_reference(user, sent["industry"])
    if "tech_field" in sent:
        data["tech_field"] = registry.tech_field_by_reference(user, sent["tech_field"])
    if sent.get("organization_uscc"):
        data["organization"] = registry.organization_by_uscc(
            user, sent["organization_uscc"], "organization_uscc"
        )
    return data


def suggestion_out(suggestion: selectors.Suggestion) -> dict[str, Any]:
    return {
        "kind": suggestion.kind,
        "kind_display": suggestion.kind_label,
        "id": suggestion.obj.pk,
        "title": suggestion.title,
        "score": suggestion.hit.score,
        "coverage": suggestion.hit.coverage,
        "terms": suggestion.explanation(),
        "highlighted": suggestion.highlighted_title(),
        "similarity": getattr(suggestion.hit, "similarity", None),
    }


def _match_dict(match: Match) -> dict[str, Any]:
    return {
        "id": match.pk,
        "source": str(match.source or ""),
        "achievement": match.achievement.title,
        "area": match.area.name,
        "status": match.status,
        "status_display": match.get_status_display(),
        "score": match.score,
        "explanation": match.explanation,
        "broker": match.broker.name if match.broker else None,
        "roadshow": str(match.roadshow) if match.roadshow_id else None,
        "failure_reason": match.failure_reason,
        "events": [
            {"from": e.from_status, "to": e.to_status, "on": e.on.isoformat(), "note": e.note}
            for e in match.events.order_by("on", "id")
        ],
    }


def _listing(request: HttpRequest, kind: str, pk: int) -> Listing:
    listing = selectors.listing_for(request.user, kind, pk)
    if listing is None:
        raise Http404
    return listing


def _public_budget(request: HttpRequest) -> None:
    if not selectors.public_request_allowed(request):
        raise Throttled(selectors.PUBLIC_WINDOW)


# --- listings, one set of operations per kind -----------------------------------------------


def _register_kind(slug: str, kind: str) -> None:
    label = LABELS[kind]
    model = MODELS[kind]

    @router.get(
        f"/{slug}",
        response=list[ListingOut],
        summary=f"{label}列表",
        operation_id=f"market_{kind}_list",
    )
    def list_view(request: HttpRequest, filters: Query[ListingFilter]) -> Any:
        rows = filters.filter(selectors.listings_for(request.user, kind))
        return [listing_out(row) for row in rows[:500]]

    @router.post(
        f"/{slug}",
        response={201: ListingOut},
        summary=f"新增{label}（草稿）",
        operation_id=f"market_{kind}_create",
    )
    def create(request: HttpRequest, payload: ListingIn) -> Any:
        POST_LISTING.check(request.user)
        data = listing_data(request.user, kind, payload)
        return Status(201, listing_out(services.save_listing(request.user, model(), data)))

    @router.get(
        f"/{slug}/{{pk}}",
        response=ListingOut,
        summary=f"{label}详情",
        operation_id=f"market_{kind}_get",
    )
    def detail(request: HttpRequest, pk: int) -> Any:
        return listing_out(_listing(request, kind, pk))

    @router.patch(
        f"/{slug}/{{pk}}",
        response=ListingOut,
        summary=f"修改{label}",
        operation_id=f"market_{kind}_update",
    )
    def update(request: HttpRequest, pk: int, payload: ListingIn) -> Any:
        listing = _listing(request, kind, pk)
        data = listing_data(request.user, kind, payload)
        return listing_out(services.save_listing(request.user, listing, data))

    @router.post(
        f"/{slug}/{{pk}}/workflow",
        response=ListingOut,
        summary=f"{label}流转（提交、退回、审核、发布、关闭）",
        operation_id=f"market_{kind}_step",
    )
    def workflow(request: HttpRequest, pk: int, payload: StepIn) -> Any:
        listing = _listing(request, kind, pk)
        return listing_out(services.step(request.user, listing, payload.step, payload.reason))

    @router.get(
        f"/public/{slug}",
        response=list[ListingOut],
        auth=None,
        summary=f"已发布的{label}（公开）",
        operation_id=f"market_public_{kind}_list",
    )
    def public_list(request: HttpRequest, filters: Query[ListingFilter]) -> Any:
        _public_budget(request)
        rows = filters.filter(selectors.public_listings(kind))
        return [listing_out(row, public=True) for row in rows[:500]]

    @router.get(
        f"/public/{slug}/{{pk}}",
        response=ListingOut,
        auth=None,
        summary=f"已发布的{label}详情（公开）",
        operation_id=f"market_public_{kind}_get",
    )
    def public_detail(request: HttpRequest, pk: int) -> Any:
        _public_budget(request)
        listing = selectors.public_listings(kind).filter(pk=pk).first()
        if listing is None:
            raise Http404
        return listing_out(listing, public=True)


def _register_attachments(slug: str, kind: str) -> None:
    label = LABELS[kind]

    @router.get(
        f"/{slug}/{{pk}}/attachments",
        response=list[ListingAttachmentOut],
        summary=f"{label}的附件",
        operation_id=f"market_{kind}_attachments",
    )
    def attachments(request: HttpRequest, pk: int = Path(..., **ID)) -> Any:
        listing = _listing(request, kind, pk)
        return [attachment_out(a) for a in selectors.attachments_of(request.user, listing)]

    @router.get(
        f"/public/{slug}/{{pk}}/attachments",
        response=list[ListingAttachmentOut],
        auth=None,
        summary=f"已发布的{label}的附件（公开）",
        operation_id=f"market_public_{kind}_attachments",
    )
    def public_attachments(request: HttpRequest, pk: int = Path(..., **ID)) -> Any:
        _public_budget(request)
        listing = selectors.public_listings(kind).filter(pk=pk).first()
        if listing is None:
            raise Http404
        return [attachment_out(a) for a in selectors.attachments_of(None, listing)]


def _register_matching(slug: str, kind: str, label: str) -> None:
    """A listing's matches and the organizations behind them."""

    @router.get(
        f"/{slug}/{{pk}}/matches",
        response=dict[str, list[SuggestionOut]],
        summary=f"{label}的匹配推荐（含匹配说明）",
        operation_id=f"market_{kind}_matches",
    )
    def matches(request: HttpRequest, pk: int, k: int = Query(10, ge=1, le=50)) -> Any:
        listing = _listing(request, kind, pk)
        found = selectors.suggestions_for(request.user, kind, listing, k)
        return {target: [suggestion_out(s) for s in rows] for target, rows in found.items()}

    @router.get(
        f"/{slug}/{{pk}}/organizations",
        response=list[OrganizationSuggestionOut],
        summary=f"{label}的相关单位（匹配项的所属单位；成果另含同产业链企业）",
        operation_id=f"market_{kind}_organizations",
    )
    def organizations(request: HttpRequest, pk: int, k: int = Query(10, ge=1, le=50)) -> Any:
        listing = _listing(request, kind, pk)
        found = selectors.suggestions_for(request.user, kind, listing, k)
        return [
            {
                "name": entry.name,
                "organization_id": entry.organization.pk if entry.organization else None,
                "uscc": entry.organization.uscc if entry.organization else "",
                "score": entry.score,
                "reasons": entry.reasons,
            }
            for entry in selectors.organizations_for(request.user, kind, listing, found, k)
        ]


for _slug, _kind in KINDS.items():
    _register_kind(_slug, _kind)
    _register_matching(_slug, _kind, LABELS[_kind])
    _register_attachments(_slug, _kind)


# --- search, people ---------------------------------------------------------------------------


@router.get(
    "/search",
    response=SearchOut,
    summary="自由文本检索（成果、需求、场景、专家、技术经理人、专利）",
)
def search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=20000),
    kind: Literal["achievement", "demand", "scenario", "expert", "broker", "institution", "patent"]
    | None = None,
    k: int = Query(20, ge=1, le=100),
    industry: str | None = Query(None, max_length=60, description="产业代码或名称（含下级）"),
    area: str | None = Query(None, max_length=50, description="区域代码或名称"),
    maturity: Maturity | None = None,
) -> Any:
    kinds = (kind,) if kind else tuple(selectors.KIND_LABELS)
    filters: dict[str, Any] = {}
    if industry:
        chain = registry.industry_by_reference(request.user, industry)
        filters["industry"] = chain.parent_id or chain.pk
    if area:
        filters["area"] = registry.area_by_reference(request.user, area).pk
    if maturity:
        filters["maturity"] = str(maturity)
    found, truncated = selectors.search(request.user, q, kinds, k=k, filters=filters)
    notice = f"查询过长，仅按前 {MAX_QUERY_CHARS} 个字检索。" if truncated else ""
    return {"truncated": truncated, "notice": notice, "results": [suggestion_out(s) for s in found]}


@router.get("/experts", response=list[PersonOut], summary="专家")
def experts(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    rows = filters.filter(selectors.experts_for(request.user) | selectors.experts_for(None))
    return [
        {"id": e.pk, "name": e.name, "area": e.area.name, "text": e.expertise} for e in rows[:500]
    ]


@router.get("/brokers", response=list[PersonOut], summary="技术经理人")
def brokers(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    rows = filters.filter(selectors.brokers_for(request.user) | selectors.brokers_for(None))
    return [{"id": b.pk, "name": b.name, "area": b.area.name, "text": b.fields} for b in rows[:500]]


# --- published lists --------------------------------------------------------------------------


@router.get("/public/lists", response=list[ListOut], auth=None, summary="已发布的清单（公开）")
def public_lists(request: HttpRequest) -> Any:
    _public_budget(request)
    return selectors.lists_for(None)[:200]


@router.get("/public/lists/{pk}", response=ListOut, auth=None, summary="清单详情（公开）")
def public_list(request: HttpRequest, pk: int) -> Any:
    _public_budget(request)
    found = selectors.lists_for(None).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.post("/lists", response={201: ListOut}, summary="发布清单（第N期）")
def issue(request: HttpRequest, payload: IssueIn) -> Any:
    user = request.user
    area = registry.area_by_reference(user, payload.area) if payload.area else None
    area = area or user.area or registry.areas_for(user).filter(parent__isnull=True).first()
    industry = registry.industry_by_reference(user, payload.industry) if payload.industry else None
    published = services.issue_list(
        user, payload.kind, payload.ids, area, payload.title, industry, payload.issued_on
    )
    return Status(201, published)


# --- matches ----------------------------------------------------------------------------------


@router.get("/matches", response=list[MatchOut], summary="对接匹配（跟进看板）")
@guard(FOLLOW_MATCHES)
def matches(request: HttpRequest, filters: Query[MatchFilter]) -> Any:
    rows = filters.filter(selectors.matches_for(request.user))
    return [_match_dict(m) for m in rows[:500]]


@router.post("/matches", response={201: MatchOut}, summary="将推荐转为对接（开始跟进）")
@guard(FOLLOW_MATCHES)
def create_match(request: HttpRequest, payload: MatchIn) -> Any:
    user = request.user
    if (payload.demand is None) == (payload.scenario is None):
        raise ValidationError(
            {"demand": ["请在技术需求（demand）与应用场景（scenario）中填写一项。"]}
        )
    kind = "demand" if payload.demand is not None else "scenario"
    source = selectors.listing_for(user, kind, payload.demand or payload.scenario)
    if source is None:
        raise ValidationError(
            {kind: [f"未知的{LABELS[kind]}：{payload.demand or payload.scenario}。"]}
        )
    achievement = selectors.search_visible_achievement(user, payload.achievement)
    if achievement is None:
        raise ValidationError({"achievement": [f"未知的已发布科技成果：{payload.achievement}。"]})
    broker = None
    if payload.broker is not None:
        broker = (
            (selectors.brokers_for(user) | selectors.brokers_for(None))
            .filter(pk=payload.broker)
            .first()
        )
        if broker is None:
            raise ValidationError({"broker": [f"未知的技术经理人：{payload.broker}。"]})
    roadshow = None
    if payload.roadshow is not None:
        roadshow = selectors.roadshow_for(user, payload.roadshow)
        if roadshow is None:
            raise ValidationError({"roadshow": [f"未知的路演对接活动：{payload.roadshow}。"]})
    created = services.create_match(user, source, achievement, broker, roadshow)
    return Status(201, _match_dict(created))


@router.post(
    "/matches/{pk}/move",
    response=MatchOut,
    summary="推进对接（已联系、洽谈中、已签约、已完结、未成）",
)
@guard(FOLLOW_MATCHES)
def move_match(request: HttpRequest, pk: int, payload: MoveIn) -> Any:
    match = selectors.match_for(request.user, pk)
    if match is None:
        raise Http404
    moved = services.move_match(
        request.user, match, payload.status, payload.note, payload.reason, payload.on
    )
    return _match_dict(moved)


# --- roadshows, conversion, institutions, experts ------------------------------------------------


def _brief(listing: Listing) -> dict[str, Any]:
    return {"id": listing.pk, "title": listing.title, "organization": listing.owner_name}


def roadshow_out(user: Any, roadshow: Roadshow) -> dict[str, Any]:
    matches = selectors.roadshow_matches(user, roadshow)
    won = sum(1 for m in matches if m.status in selectors.WON)
    return {
        "id": roadshow.pk,
        "title": roadshow.title,
        "kind": roadshow.kind,
        "kind_display": roadshow.get_kind_display(),
        "held_on": roadshow.held_on,
        "area": roadshow.area.name,
        "venue": roadshow.venue,
        "description": roadshow.description,
        "demands": [_brief(d) for d in roadshow.demands.all()],
        "achievements": [_brief(a) for a in roadshow.achievements.all()],
        "scenarios": [_brief(s) for s in roadshow.scenarios.all()],
        "participants": [o.name for o in roadshow.participants.all()],
        "guests": roadshow.guests,
        "attendance": roadshow.attendance,
        "matches": [_match_dict(m) for m in matches],
        "conversion": {
            "matches": len(matches),
            "signed": won,
            "rate": round(won / len(matches), 3) if matches else 0.0,
        },
    }


def _presented(user: Any, kind: str, ids: list[int], field: str) -> list[Listing]:
    """Published listings the user may view, by id; an unknown or unpublished id is named."""
    ids = list(dict.fromkeys(ids))
    rows = {row.pk: row for row in selectors.published_with(kind, ids, user)}
    missing = [str(pk) for pk in ids if pk not in rows]
    if missing:
        raise ValidationError(
            {field: [f"以下编号不是您可见的已发布{LABELS[kind]}：{'、'.join(missing)}。"]}
        )
    return [rows[pk] for pk in ids]


def roadshow_data(user: Any, payload: RoadshowIn) -> dict[str, Any]:
    """The payload as model data: the listings presented resolved among the published ones the
    user may view, the participants by their credit codes, the area within the user's."""
    data = payload.model_dump(exclude={"area", "demands", "achievements", "scenarios"})
    data["kind"] = str(payload.kind)
    area = registry.area_by_reference(user, payload.area) if payload.area else None
    data["area"] = area or user.area or registry.areas_for(user).filter(parent__isnull=True).first()
    data["demands"] = _presented(user, "demand", payload.demands, "demands")
    data["achievements"] = _presented(user, "achievement", payload.achievements, "achievements")
    data["scenarios"] = _presented(user, "scenario", payload.scenarios, "scenarios")
    data["participants"] = [
        registry.organization_by_uscc(user, code, "participants") for code in payload.participants
    ]
    return data


@router.get("/roadshows", response=list[RoadshowOut], summary="路演与对接会")
@guard(RUN_ROADSHOWS)
def roadshows(request: HttpRequest) -> Any:
    return [roadshow_out(request.user, r) for r in selectors.roadshows_for(request.user)[:200]]


@router.post("/roadshows", response={201: RoadshowOut}, summary="登记路演或对接会")
@guard(RUN_ROADSHOWS)
def create_roadshow(request: HttpRequest, payload: RoadshowIn) -> Any:
    data = roadshow_data(request.user, payload)
    saved = services.save_roadshow(request.user, Roadshow(), data)
    return Status(201, roadshow_out(request.user, saved))


@router.get("/roadshows/{pk}", response=RoadshowOut, summary="路演或对接会详情（含产生的对接）")
@guard(RUN_ROADSHOWS)
def roadshow(request: HttpRequest, pk: int = Path(..., **ID)) -> Any:
    found = selectors.roadshow_for(request.user, pk)
    if found is None:
        raise Http404
    return roadshow_out(request.user, found)


@router.get(
    "/stats/conversion",
    response=dict[str, list[ConversionRow]],
    summary="对接转化率（按区域、产业、技术经理人、活动）",
)
@guard(FOLLOW_MATCHES)
def conversion(request: HttpRequest) -> Any:
    return selectors.conversion_table(selectors.matches_for(request.user))


@router.get("/institutions", response=list[InstitutionOut], summary="技术转移机构")
def institutions(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    rows = filters.filter(
        selectors.institutions_for(request.user) | selectors.institutions_for(None)
    )
    return [
        {
            "id": i.pk,
            "name": i.name,
            "area": i.area.name,
            "level": i.level,
            "level_display": i.get_level_display(),
            "certificate_no": i.certificate_no,
            "fields": i.fields,
            "services": i.services,
            "deals": i.deals,
            "brokers": [b.name for b in i.brokers.filter(is_public=True)],
        }
        for i in rows.distinct()[:500]
    ]


@router.get("/experts/{pk}", response=ExpertOut, summary="专家详情（含专利合作者）")
def expert(request: HttpRequest, pk: int = Path(..., **ID)) -> Any:
    found = (selectors.experts_for(request.user) | selectors.experts_for(None)).filter(pk=pk)
    person = found.first()
    if person is None:
        raise Http404
    return {
        "id": person.pk,
        "name": person.name,
        "area": person.area.name,
        "organization": person.organization.name if person.organization_id else None,
        "title": person.title,
        "expertise": person.expertise,
        "publications": person.publications,
        "co_inventors": selectors.co_inventors(person),
    }
