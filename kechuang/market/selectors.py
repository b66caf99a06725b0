"""Reads of the market: scoped lists (starting from `restrict(user, "view")`), the public lists,
match suggestions with their explanations, the pipeline board and its conversion figures."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Model, Q, QuerySet

from kechuang.market import matching
from kechuang.market.engine import Hit, highlight
from kechuang.market.engine.learnt import LEARNT
from kechuang.market.models import (
    FINAL,
    PIPELINE,
    Achievement,
    Broker,
    Expert,
    Listing,
    ListingAttachment,
    ListingStatus,
    Match,
    MatchStatus,
    PublishedList,
    Roadshow,
    Scenario,
    TechDemand,
    TransferInstitution,
)
from kechuang.registry.models import Organization, OrganizationKind, Patent

LISTING_MODELS: dict[str, type[Listing]] = {
    "demand": TechDemand,
    "achievement": Achievement,
    "scenario": Scenario,
}
KIND_LABELS = {
    "demand": "技术需求",
    "achievement": "科技成果",
    "scenario": "应用场景",
    "expert": "专家",
    "broker": "技术经理人",
    "institution": "技术转移机构",
    "patent": "专利",
}
RELATED = ("organization", "area", "industry")
PEOPLE_SPLIT = re.compile(r"[、，,;；/\s]+")


def listings_for(user: Any, kind: str) -> QuerySet[Listing]:
    return LISTING_MODELS[kind].objects.restrict(user, "view").select_related(*RELATED)


def public_listings(kind: str) -> QuerySet[Listing]:
    """What anonymous visitors see: published only."""
    return LISTING_MODELS[kind].objects.restrict(None, "view").select_related(*RELATED)


def listing_for(user: Any, kind: str, pk: int) -> Listing | None:
    return listings_for(user, kind).filter(pk=pk).first()


def experts_for(user: Any) -> QuerySet[Expert]:
    return Expert.objects.restrict(user, "view").select_related("organization", "area")


def brokers_for(user: Any) -> QuerySet[Broker]:
    return Broker.objects.restrict(user, "view").select_related("institution", "area")


def lists_for(user: Any) -> QuerySet[PublishedList]:
    return PublishedList.objects.restrict(user, "view").select_related("area", "industry")


def matches_for(user: Any) -> QuerySet[Match]:
    """Matches in the user's scope, and those a broker follows up."""
    scoped = Match.objects.restrict(user, "view")
    if getattr(user, "is_authenticated", False):
        scoped = scoped | Match.objects.filter(broker__user=user)
    return scoped.select_related(
        "demand", "scenario", "achievement", "area", "organization", "broker", "owner"
    ).distinct()


def match_for(user: Any, pk: int) -> Match | None:
    return matches_for(user).filter(pk=pk).first()


def board(user: Any, matches: QuerySet[Match]) -> list[tuple[str, str, list[Match]]]:
    """The kanban: one column per pipeline stage, then 未成."""
    columns = [*PIPELINE, MatchStatus.FAILED]
    grouped: dict[str, list[Match]] = {status: [] for status in columns}
    for match in matches:
        grouped[match.status].append(match)
    return [(status.value, status.label, grouped[status]) for status in columns]


WON = (MatchStatus.SIGNED, MatchStatus.CLOSED)
DIMENSIONS = {
    "area": "需求方区域",
    "industry": "产业",
    "broker": "技术经理人",
    "roadshow": "路演对接活动",
}


def _dimension_value(match: Match, by: str) -> str:
    if by == "area":
        return match.area.name
    if by == "broker":
        return match.broker.name if match.broker else "（未指派经理人）"
    if by == "roadshow":
        return str(match.roadshow) if match.roadshow else "（非活动产生）"
    source = match.demand or match.scenario
    industry = getattr(source, "industry", None)
    if industry is None:
        return "（未填产业）"
    return industry.parent.name if industry.parent_id else industry.name


def conversion(matches: QuerySet[Match], by: str = "area") -> list[dict[str, Any]]:
    """Conversion (对接 → 已签约) by the demand's area, its industry chain, the broker or the
    event: matches, those signed (已签约 or 已完结 after signing), the rate."""
    totals: Counter[str] = Counter()
    won: Counter[str] = Counter()
    rows = matches.select_related(
        "area", "broker", "roadshow", "demand__industry__parent", "scenario__industry__parent"
    )
    for match in rows:
        key = _dimension_value(match, by)
        totals[key] += 1
        if match.status in WON:
            won[key] += 1
    return [
        {"key": key, "matches": n, "signed": won[key], "rate": round(won[key] / n, 3)}
        for key, n in sorted(totals.items())
    ]


def conversion_table(matches: QuerySet[Match]) -> dict[str, list[dict[str, Any]]]:
    """The stats page: conversion by every dimension."""
    return {by: conversion(matches, by) for by in DIMENSIONS}


def roadshows_for(user: Any) -> QuerySet[Roadshow]:
    return Roadshow.objects.restrict(user, "view").select_related("area")


def roadshow_for(user: Any, pk: int) -> Roadshow | None:
    return roadshows_for(user).filter(pk=pk).first()


def roadshow_matches(user: Any, roadshow: Roadshow) -> QuerySet[Match]:
    return matches_for(user).filter(roadshow=roadshow)


def institutions_for(user: Any) -> QuerySet[TransferInstitution]:
    return TransferInstitution.objects.restrict(user, "view").select_related("area", "organization")


def attachments_of(user: Any, listing: Listing) -> QuerySet[ListingAttachment]:
    kind = listing_kind(listing)
    return ListingAttachment.objects.restrict(user, "view").filter(**{kind: listing})


def public_attachment(pk: int) -> ListingAttachment | None:
    return ListingAttachment.objects.restrict(None, "view").filter(pk=pk).first()


def attachment_for(user: Any, pk: int) -> ListingAttachment | None:
    found = ListingAttachment.objects.restrict(user, "view").filter(pk=pk).first()
    return found or public_attachment(pk)


def co_inventors(expert: Expert) -> list[dict[str, Any]]:
    """An expert's co-inventors, derived from the patent registry: the other people named on the
    published achievements that list the expert among their 完成人 and link registry patents,
    with the shared patents' numbers. (The registry's patents name their applicants, not their
    inventors; the achievement's 完成人 with its linked patents is where the registry's patents
    meet people.)"""
    shared: dict[str, set[str]] = {}
    rows = Achievement.objects.filter(
        status=ListingStatus.PUBLISHED, people__contains=expert.name, patents__isnull=False
    ).prefetch_related("patents")
    for achievement in rows.distinct():
        names = [n.strip() for n in PEOPLE_SPLIT.split(achievement.people) if n.strip()]
        if expert.name not in names:
            continue
        numbers = {p.number for p in achievement.patents.all()}
        for name in names:
            if name != expert.name:
                shared.setdefault(name, set()).update(numbers)
    return [
        {"name": name, "patents": sorted(numbers)}
        for name, numbers in sorted(shared.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


# --- suggestions ---------------------------------------------------------------------------


@dataclass
class Suggestion:
    kind: str
    obj: Model
    hit: Hit
    title: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def explanation(self) -> list[dict[str, Any]]:
        return [
            {
                "query_term": t.query_term.lstrip("~"),
                "matched_term": t.matched_term.lstrip("~"),
                "fields": t.fields,
                "contribution": t.contribution,
                "synonym": t.synonym.reason if t.synonym else "",
                "learnt": bool(t.synonym and t.synonym.reason.startswith(LEARNT)),
                "label": t.label,
            }
            for t in self.hit.terms
        ]

    def highlighted_title(self) -> list[tuple[str, bool]]:
        return highlight(self.title, self.hit.matched_terms())


PEOPLE_MODELS: dict[str, Any] = {
    "expert": Expert,
    "broker": Broker,
    "institution": TransferInstitution,
}


def _visible(user: Any, kind: str) -> QuerySet[Any]:
    """What the user may be shown as a match: published listings (the public's, and those in the
    user's scope), public or in-scope experts and brokers, the patents the user may view."""
    if kind in LISTING_MODELS:
        model = LISTING_MODELS[kind]
        both = model.objects.restrict(user, "view") | model.objects.restrict(None, "view")
        return both.filter(status=ListingStatus.PUBLISHED).select_related(*RELATED)
    if kind in PEOPLE_MODELS:
        model = PEOPLE_MODELS[kind]
        return model.objects.restrict(user, "view") | model.objects.restrict(None, "view")
    return Patent.objects.restrict(user, "view")


def _title(kind: str, obj: Any) -> str:
    if kind == "expert":
        return f"{obj.name}：{obj.expertise}"
    if kind in ("broker", "institution"):
        return f"{obj.name}：{obj.fields}"
    return obj.title


def search(
    user: Any,
    text: str,
    kinds: tuple[str, ...],
    k: int = 10,
    exclude: tuple[Any, ...] = (),
    filters: dict[str, Any] | None = None,
) -> tuple[list[Suggestion], bool]:
    """The best `k` documents of the given kinds for `text` that the user may view, with their
    explanations; and whether the text was cut to the engine's limit."""
    index = matching.get_index()
    wanted = {"kind": set(kinds), **(filters or {})}
    result = index.search(text, k=k * 3 + len(exclude), filters=wanted, exclude=exclude)
    by_kind: dict[str, list[int]] = {}
    for hit in result.hits:
        by_kind.setdefault(hit.doc_id[0], []).append(hit.doc_id[1])
    objects = {
        (kind, obj.pk): obj
        for kind, ids in by_kind.items()
        for obj in _visible(user, kind).filter(pk__in=ids)
    }
    suggestions = [
        Suggestion(
            hit.doc_id[0], objects[hit.doc_id], hit, _title(hit.doc_id[0], objects[hit.doc_id])
        )
        for hit in result.hits
        if hit.doc_id in objects
    ]
    return suggestions[:k], result.truncated


def suggestions_for(
    user: Any, kind: str, listing: Listing, k: int = 10
) -> dict[str, list[Suggestion]]:
    """Matches for one listing, by direction: a demand → achievements, patents, experts, brokers
    and similar demands; an achievement → demands and scenarios; a scenario → achievements."""
    targets = {
        "demand": ("achievement", "patent", "expert", "broker", "institution", "demand"),
        "achievement": ("demand", "scenario"),
        "scenario": ("achievement", "patent", "expert"),
    }[kind]
    text = " ".join(v for v in listing.match_texts().values() if v)
    found: dict[str, list[Suggestion]] = {}
    for target in targets:
        exclude = ((kind, listing.pk),) if target == kind else ()
        found[target], _ = search(user, text, (target,), k=k, exclude=exclude)
    return found


@dataclass
class OrganizationSuggestion:
    """An organization behind a listing's matches: the registry row when there is one (else the
    name the listing gives), its score (the sum of its matched items' scores; 0 for a same-chain
    enterprise found by the chain alone) and the reasons, in words."""

    name: str
    organization: Organization | None
    score: float
    reasons: list[str]


# which matched kinds point to organizations, per direction, and how a reason names them
ORGANIZATION_SOURCES = {
    "demand": (("achievement", "匹配成果"), ("patent", "匹配专利")),
    "achievement": (("demand", "有相关需求"),),
    "scenario": (("achievement", "匹配成果"), ("patent", "匹配专利")),
}


def _owner(obj: Any) -> tuple[str, Organization | None]:
    organization = getattr(obj, "organization", None)
    if organization is not None:
        return organization.name, organization
    return getattr(obj, "organization_name", "") or "", None


def _same_chain_enterprises(user: Any, listing: Listing) -> QuerySet[Organization]:
    if listing.industry is None:
        return Organization.objects.none()
    top = listing.industry.parent or listing.industry
    chain = [top.pk, *top.children.values_list("pk", flat=True)]
    return (
        Organization.objects.restrict(user, "view")
        .filter(kind=OrganizationKind.ENTERPRISE, archived=False, industry__in=chain)
        .order_by("name")
    )


def organizations_for(
    user: Any, kind: str, listing: Listing, found: dict[str, list[Suggestion]], k: int = 10
) -> list[OrganizationSuggestion]:
    """The organizations behind the matches in `found` (`suggestions_for`): for a demand or a
    scenario, the owners of the matching achievements and patents (their scores added); for an
    achievement, the enterprises with related demands, then the enterprises of the same industry
    chain (产业链) that the user may view. The listing's own organization is left out."""
    own = listing.organization_id
    by_name: dict[str, OrganizationSuggestion] = {}
    for target, verb in ORGANIZATION_SOURCES[kind]:
        for suggestion in found.get(target, []):
            name, organization = _owner(suggestion.obj)
            if not name or (organization is not None and organization.pk == own):
                continue
            entry = by_name.setdefault(name, OrganizationSuggestion(name, organization, 0.0, []))
            entry.score = round(entry.score + suggestion.hit.score, 4)
            entry.reasons.append(f"{verb}：{suggestion.title}")
    ranked = sorted(by_name.values(), key=lambda e: (-e.score, e.name))[:k]
    if kind == "achievement" and len(ranked) < k:
        chain_name = (listing.industry.parent or listing.industry).name if listing.industry else ""
        taken = {e.name for e in ranked}
        for organization in _same_chain_enterprises(user, listing)[: k * 2]:
            if organization.name not in taken and organization.pk != own:
                reasons = [f"同属产业链：{chain_name}"]
                ranked.append(OrganizationSuggestion(organization.name, organization, 0.0, reasons))
            if len(ranked) >= k:
                break
    return ranked


def listing_kind(obj: Listing) -> str:
    return next(kind for kind, model in LISTING_MODELS.items() if isinstance(obj, model))


def open_matches(matches: QuerySet[Match]) -> QuerySet[Match]:
    return matches.exclude(status__in=FINAL)


def published_with(kind: str, ids: list[int], user: Any) -> QuerySet[Listing]:
    return listings_for(user, kind).filter(pk__in=ids, status=ListingStatus.PUBLISHED)


def q_text(value: str) -> Q:
    return Q(title__icontains=value) | Q(keywords__icontains=value)


# --- the public API's budget ---------------------------------------------------------------------

PUBLIC_LIMIT = 300  # requests per client address per window
PUBLIC_WINDOW = 60  # seconds


def public_request_allowed(request: Any) -> bool:
    """A per-address budget for the anonymous read-only API and pages."""
    key = f"market:public:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, PUBLIC_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW)
        count = 1
    return count <= PUBLIC_LIMIT


def search_visible_achievement(user: Any, pk: int) -> Achievement | None:
    """A published achievement the user may be shown (their own scope or the public's)."""
    return _visible(user, "achievement").filter(pk=pk).first()


KIND_OF_SLUG = {"demands": "demand", "achievements": "achievement", "scenarios": "scenario"}
