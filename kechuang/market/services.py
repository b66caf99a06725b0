"""Every write of the market: listings and their workflow (draft → submitted → reviewed →
published → closed, returned with a reason), the published lists (frozen when issued), experts
and brokers, matches and their follow-up pipeline. Writes go through `core.services` (scope,
validation, audit trail by signal); each one that changes what the matching index holds moves
its watermark and queues the refresh of the persisted copy (`tasks.index_changed`)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kechuang.core.audit import record
from kechuang.core.roles import ORGANIZATION_ROLES
from kechuang.core.scoping import can
from kechuang.core.services import ensure_can, save_instance
from kechuang.market import selectors, tasks
from kechuang.market.engine.files import attachment_problem
from kechuang.market.models import (
    EDITABLE,
    FINAL,
    PIPELINE,
    STEP_LABELS,
    TRANSITIONS,
    Achievement,
    Broker,
    Expert,
    Listing,
    ListingAttachment,
    ListingStatus,
    ListKind,
    Match,
    MatchEvent,
    MatchStatus,
    PublishedList,
    Roadshow,
    Scenario,
    TechDemand,
    TransferInstitution,
)
from kechuang.market.permissions import (
    FOLLOW_MATCHES,
    ISSUE_LISTS,
    MANAGE_PEOPLE,
    POST_LISTING,
    REVIEW_LISTINGS,
    RUN_ROADSHOWS,
)

OWNER_STEPS = ("submit",)


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def save_listing(user: Any, listing: Listing, data: dict[str, Any]) -> Listing:
    """Create or change a listing. An enterprise or institution writes for its own organization
    (and its area); a listing under review or published is changed by staff only."""
    POST_LISTING.check(user)
    is_org_user = getattr(user, "role", None) in ORGANIZATION_ROLES and not user.is_superuser
    if listing.pk is None and is_org_user:
        if user.organization_id is None:
            raise ValidationError(
                {"organization": ["您的账号尚未绑定单位，请联系县区工作人员绑定后再发布。"]}
            )
        data = {**data, "organization": user.organization, "area": user.organization.area}
    elif "organization" in data and "area" not in data and data["organization"] is not None:
        data = {**data, "area": data["organization"].area}
    elif listing.pk is None and not data.get("is_demo"):
        raise ValidationError(
            {"organization_uscc": ["请填写发布单位的统一社会信用代码（工作人员代录时必填）。"]}
        )
    if listing.pk is not None and is_org_user and listing.status not in EDITABLE:
        raise ValidationError(
            {
                "status": [
                    f"该{listing._meta.verbose_name}{listing.get_status_display()}，"
                    "只有草稿或被退回的才能修改；如需更正请联系县区工作人员退回。"
                ]
            }
        )
    patents = data.pop("patents", None)
    saved = save_instance(user, listing, data)
    if patents is not None and isinstance(saved, Achievement):
        saved.patents.set(patents)
    if saved.status == ListingStatus.PUBLISHED:
        tasks.index_changed()
    return saved


@transaction.atomic
def step(user: Any, listing: Listing, name: str, reason: str = "") -> Listing:
    """One workflow step: submit (the owner), return / review / publish / close (staff whose
    scope holds the listing: the county's node for its area, the city for all)."""
    if name not in TRANSITIONS:
        raise ValidationError({"step": [f"未知的操作“{name}”：可选 {'、'.join(TRANSITIONS)}。"]})
    sources, target = TRANSITIONS[name]
    if name not in OWNER_STEPS:
        REVIEW_LISTINGS.check(user)
    ensure_can(user, "change", listing)
    if listing.status not in sources:
        allowed = "、".join(ListingStatus(s).label for s in sources)
        raise ValidationError(
            {
                "status": [
                    f"“{STEP_LABELS[name]}”只能用于状态为{allowed}的"
                    f"{listing._meta.verbose_name}，当前为{listing.get_status_display()}。"
                ]
            }
        )
    reason = (reason or "").strip()
    if name == "return" and not reason:
        raise ValidationError({"reason": ["退回时请填写退回理由，说明需要如何修改。"]})
    data: dict[str, Any] = {"status": target}
    if name == "return":
        data["return_reason"] = reason[:500]
    if name == "publish":
        data["published_on"] = _today()
    was_public = listing.status == ListingStatus.PUBLISHED
    saved = save_instance(user, listing, data)
    if was_public or target == ListingStatus.PUBLISHED:
        tasks.index_changed()
    return saved


# --- published lists ---------------------------------------------------------------------------


def _frozen_item(kind: str, listing: Listing) -> dict[str, Any]:
    item = {
        "id": listing.pk,
        "title": listing.title,
        "organization": listing.owner_name,
        "area": listing.area.name,
        "industry": str(listing.industry) if listing.industry else "",
        "keywords": listing.keywords,
        "published_on": listing.published_on.isoformat() if listing.published_on else "",
    }
    if isinstance(listing, TechDemand):
        item["problem"] = listing.problem
        item["targets"] = listing.targets
        item["budget"] = (
            "" if listing.confidential or listing.budget is None else str(listing.budget)
        )
        item["cooperation_mode"] = listing.get_cooperation_mode_display()
        if listing.confidential:
            item["organization"] = "（保密）"
    else:
        item["problem"] = listing.problem
        item["offers"] = listing.offers
    return item


@transaction.atomic
def issue_list(
    user: Any,
    kind: str,
    ids: list[int],
    area: Any,
    title: str = "",
    industry: Any = None,
    on: dt.date | None = None,
) -> PublishedList:
    """Issue the next numbered list of `kind` from published demands or scenarios the user may
    view; the items are frozen as they are today."""
    ISSUE_LISTS.check(user)
    if kind not in ListKind.values:
        raise ValidationError({"kind": [f"清单类型应为：{'、'.join(ListKind.values)}。"]})
    source = "scenario" if kind == ListKind.SCENARIOS else "demand"
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError({"ids": ["请至少选择一项已发布的内容。"]})
    rows = {row.pk: row for row in selectors.published_with(source, ids, user)}
    missing = [str(pk) for pk in ids if pk not in rows]
    if missing:
        raise ValidationError(
            {
                "ids": [
                    f"以下编号不是您可见的已发布{selectors.KIND_LABELS[source]}：{'、'.join(missing)}。"
                ]
            }
        )
    if kind == ListKind.KEY_DEMANDS and industry is None:
        raise ValidationError({"industry": ["关键技术需求清单请选择产业链。"]})
    number = (PublishedList.objects.filter(kind=kind).aggregate(n=Max("number"))["n"] or 0) + 1
    label = ListKind(kind).label
    published = PublishedList(
        kind=kind,
        number=number,
        title=title.strip() or f"第{number}期{label}",
        area=area,
        industry=industry,
        issued_on=on or _today(),
        issued_by=user,
        items=[_frozen_item(source, rows[pk]) for pk in ids],
    )
    ensure_can(user, "add", published)
    published.full_clean()
    published.save()
    getattr(published, "scenarios" if source == "scenario" else "demands").set(rows.values())
    return published


# --- experts and brokers -----------------------------------------------------------------------


def save_person(
    user: Any, person: Expert | Broker | TransferInstitution, data: dict[str, Any]
) -> Expert | Broker | TransferInstitution:
    MANAGE_PEOPLE.check(user)
    saved = save_instance(user, person, data)
    tasks.index_changed()
    return saved


# --- matches and the pipeline ------------------------------------------------------------------


@transaction.atomic
def create_match(
    user: Any,
    source: TechDemand | Scenario,
    achievement: Achievement,
    broker: Broker | None = None,
    roadshow: Roadshow | None = None,
) -> Match:
    """Follow a suggestion up: the engine's explanation is kept as it was when recommended; a
    match made at a roadshow or matchmaking event names it (the event's conversion)."""
    FOLLOW_MATCHES.check(user)
    kind = selectors.listing_kind(source)
    text = " ".join(v for v in source.match_texts().values() if v)
    hits, _ = selectors.search(user, text, ("achievement",), k=50)
    hit = next((s for s in hits if s.obj.pk == achievement.pk), None)
    existing = Match.objects.filter(**{kind: source, "achievement": achievement})
    if existing.exclude(status__in=FINAL).exists():
        raise ValidationError(
            {"achievement": ["该需求与该成果已有进行中的对接，请在看板上继续跟进。"]}
        )
    match = Match(
        demand=source if kind == "demand" else None,
        scenario=source if kind == "scenario" else None,
        achievement=achievement,
        area=source.area,
        organization=source.organization,
        score=hit.hit.score if hit else 0.0,
        explanation=hit.explanation() if hit else [],
        owner=user,
        broker=broker,
        roadshow=roadshow,
    )
    ensure_can(user, "add", match)
    match.full_clean()
    match.save()
    MatchEvent.objects.create(
        match=match,
        from_status="",
        to_status=match.status,
        on=_today(),
        note=f"推荐对接（{roadshow}）" if roadshow else "推荐对接",
        actor=user,
    )
    return match


def may_follow(user: Any, match: Match) -> bool:
    if not FOLLOW_MATCHES.allows(user):
        return False
    broker = getattr(user, "market_broker", None) if user.is_authenticated else None
    return can(user, "change", match) or (broker is not None and match.broker_id == broker.pk)


@transaction.atomic
def move_match(
    user: Any,
    match: Match,
    to_status: str,
    note: str = "",
    reason: str = "",
    on: dt.date | None = None,
) -> Match:
    """Move a match one stage on (推荐 → 已联系 → 洽谈中 → 已签约 → 已完结), or to 未成 with a
    reason, from any open stage; a dated event records each move."""
    if not may_follow(user, match):
        raise PermissionDenied("您无权跟进该对接：只有其区域的工作人员或负责的技术经理人可以。")
    if to_status not in MatchStatus.values:
        raise ValidationError({"status": [f"未知的跟进状态“{to_status}”。"]})
    if match.status in FINAL:
        raise ValidationError({"status": [f"该对接已{match.get_status_display()}，不能再变更。"]})
    current = PIPELINE.index(MatchStatus(match.status))
    if to_status == MatchStatus.FAILED:
        if not reason.strip():
            raise ValidationError({"reason": ["标记为未成时请填写原因（如：价格未谈拢）。"]})
        match.failure_reason = reason.strip()[:500]
    elif to_status != PIPELINE[min(current + 1, len(PIPELINE) - 1)] or to_status == match.status:
        following = PIPELINE[current + 1].label
        raise ValidationError(
            {
                "status": [
                    f"对接只能从“{match.get_status_display()}”进到“{following}”，或标记为未成。"
                ]
            }
        )
    when = on or _today()
    MatchEvent.objects.create(
        match=match,
        from_status=match.status,
        to_status=to_status,
        on=when,
        note=note[:500],
        actor=user,
    )
    match.status = to_status
    match.save()
    return match


# --- roadshows and matchmaking events ----------------------------------------------------------

ROADSHOW_LINKS = ("demands", "achievements", "scenarios", "participants")


@transaction.atomic
def save_roadshow(user: Any, roadshow: Roadshow, data: dict[str, Any]) -> Roadshow:
    """Create or change a roadshow (路演) or matchmaking event (对接会) held in the user's area:
    the listings presented (published ones the user may view, resolved by the caller) and the
    organizations taking part. The links are recorded in the audit trail beside the fields."""
    RUN_ROADSHOWS.check(user)
    data = dict(data)
    links = {name: list(data.pop(name)) for name in ROADSHOW_LINKS if name in data}
    unpublished = [
        str(row)
        for name in ("demands", "achievements", "scenarios")
        for row in links.get(name, [])
        if row.status != ListingStatus.PUBLISHED
    ]
    if unpublished:
        raise ValidationError(
            {"listings": [f"只能推介已发布的供需信息，以下尚未发布：{'、'.join(unpublished)}。"]}
        )
    saved = save_instance(user, roadshow, data)
    if links:
        for name, rows in links.items():
            getattr(saved, name).set(rows)
        record(
            "update",
            instance=saved,
            changes={name: sorted(str(row) for row in rows) for name, rows in links.items()},
            actor=user,
            note="路演活动的推介项目与参会单位",
        )
    return saved


# --- attachments --------------------------------------------------------------------------------


@transaction.atomic
def add_attachment(
    user: Any, listing: Listing, content: bytes, name: str, label: str = ""
) -> ListingAttachment:
    """Attach a file to a listing its owner (or staff) may still change: the content must be what
    the name says (`core.files.sniff`) and at most 10 MB; a refusal changes nothing."""
    POST_LISTING.check(user)
    ensure_can(user, "change", listing)
    is_org_user = getattr(user, "role", None) in ORGANIZATION_ROLES and not user.is_superuser
    if is_org_user and listing.status not in EDITABLE:
        raise ValidationError(
            {"attachment": ["只有草稿或被退回的供需信息可以上传附件；如需补充请联系县区工作人员。"]}
        )
    kind, problem = attachment_problem(content, name or "")
    if kind is None:
        raise ValidationError({"attachment": [problem]})
    attachment = ListingAttachment(
        **{selectors.listing_kind(listing): listing},
        area=listing.area,
        organization=listing.organization,
    )
    extension = {"jpeg": "jpg"}.get(kind, kind)
    attachment.file.save(f"mk-{secrets.token_hex(8)}.{extension}", ContentFile(content), save=False)
    return save_instance(
        user,
        attachment,
        {
            "label": (label or "").strip()[:100] or "附件",
            "file_name": name[:200],
            "content_type": kind,
            "size": len(content),
        },
    )
