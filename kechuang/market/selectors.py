"""Reads of the market: scoped lists (starting from `restrict(user, "view")`), the public lists,
match suggestions with their explanations, the pipeline board and its conversion figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Model, Q, QuerySet

from kechuang.market import matching
from kechuang.market.engine import Hit, highlight
from kechuang.market.models import (
    FINAL,
    PIPELINE,
    Achievement,
    Broker,
    Expert,
    Listing,
    ListingStatus,
    Match,
    MatchStatus,
    PublishedList,
    Scenario,
    TechDemand,
)
from kechuang.registry.models import Patent

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
    "patent": "专利",
}
RELATED = ("organization", "area", "industry")


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


def conversion(matches: QuerySet[Match]) -> list[dict[str, Any]]:
    """Conversion by the demand's area: matches, signed or closed, the rate."""
    totals: Counter[str] = Counter()
    won: Counter[str] = Counter()
    for area, status in matches.values_list("area__name", "status"):
        totals[area] += 1
        if status in (MatchStatus.SIGNED, MatchStatus.CLOSED):
            won[area] += 1
    return [
        {"area": area, "matches": n, "signed": won[area], "rate": round(won[area] / n, 3)}
        for area, n in sorted(totals.items())
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
                "label": t.label,
            }
            for t in self.hit.terms
        ]

    def highlighted_title(self) -> list[tuple[str, bool]]:
        return highlight(self.title, self.hit.matched_terms())


def _visible(user: Any, kind: str) -> QuerySet[Any]:
    """What the user may be shown as a match: published listings (the public's, and those in the
    user's scope), public or in-scope experts and brokers, the patents the user may view."""
    if kind in LISTING_MODELS:
        model = LISTING_MODELS[kind]
        both = model.objects.restrict(user, "view") | model.objects.restrict(None, "view")
        return both.filter(status=ListingStatus.PUBLISHED).select_related(*RELATED)
    if kind in ("expert", "broker"):
        model = Expert if kind == "expert" else Broker
        return model.objects.restrict(user, "view") | model.objects.restrict(None, "view")
    return Patent.objects.restrict(user, "view")


def _title(kind: str, obj: Any) -> str:
    if kind == "expert":
        return f"{obj.name}：{obj.expertise}"
    if kind == "broker":
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
        "demand": ("achievement", "patent", "expert", "broker", "demand"),
        "achievement": ("demand", "scenario"),
        "scenario": ("achievement", "patent", "expert"),
    }[kind]
    text = " ".join(v for v in listing.match_texts().values() if v)
    found: dict[str, list[Suggestion]] = {}
    for target in targets:
        exclude = ((kind, listing.pk),) if target == kind else ()
        found[target], _ = search(user, text, (target,), k=k, exclude=exclude)
    return found


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
