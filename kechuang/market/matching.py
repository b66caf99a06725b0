"""The matching index as the web app uses it: derived data built from the database.

One `MatchIndex` per process holds the published demands, achievements and scenarios, the public
experts and brokers, and the registry's patents. Every write that changes what the index holds
moves the `IndexWatermark` (in the database, so several app servers see the same mark); a process
whose copy is behind rebuilds it on its next query. `manage.py rebuild_match_index` rebuilds at
once. Visibility is not the index's business: callers keep only the hits the user may view
(`selectors.suggestions`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from django.db.models import F
from django.utils import timezone

from kechuang.market.engine import MatchIndex, Thesaurus, Tokenizer, default_groups, domain_terms
from kechuang.market.models import (
    Achievement,
    Broker,
    Expert,
    IndexWatermark,
    ListingStatus,
    Scenario,
    TechDemand,
)
from kechuang.registry.models import IndustryChain, Patent

NAME = "market"
_lock = threading.Lock()
_state: dict[str, Any] = {"index": None, "version": None, "tokenizer": None}


def current_version() -> int:
    return IndexWatermark.objects.filter(name=NAME).values_list("version", flat=True).first() or 0


def _mark() -> tuple[int, Any]:
    """The watermark as a copy compares it: the version and the time it moved."""
    row = IndexWatermark.objects.filter(name=NAME).values_list("version", "updated_at").first()
    return row or (0, None)


def bump() -> None:
    """Tell every copy of the index that the database has moved on. Inside the writer's
    transaction: rolled back with it, visible to the other servers when it commits."""
    updated = IndexWatermark.objects.filter(name=NAME).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        IndexWatermark.objects.get_or_create(name=NAME, defaults={"version": 1})


def domain_vocabulary() -> set[str]:
    """The domain dictionary: the industries' names and technology keywords (the registry's
    `IndustryChain`, loaded from data/reference/nanyang.yaml) and the synonym table's terms."""
    industries = [
        {"name": name, "keywords": keywords or []}
        for name, keywords in IndustryChain.objects.values_list("name", "keywords")
    ]
    return domain_terms(industries) | Thesaurus(default_groups()).terms()


def _tokenizer() -> Tokenizer:
    if _state["tokenizer"] is None:
        _state["tokenizer"] = Tokenizer(domain_vocabulary())
    return _state["tokenizer"]


def _documents() -> Iterator[tuple[tuple[str, int], dict[str, str], dict[str, Any]]]:
    listings = (("demand", TechDemand), ("achievement", Achievement), ("scenario", Scenario))
    for kind, model in listings:
        rows = model.objects.filter(status=ListingStatus.PUBLISHED).select_related("industry")
        for row in rows:
            meta = {
                "kind": kind,
                "area": row.area_id,
                "industry": row.industry.parent_id or row.industry_id if row.industry else None,
                "maturity": getattr(row, "maturity", None),
                "organization": row.organization_id,
            }
            yield (kind, row.pk), row.match_texts(), meta
    for expert in Expert.objects.filter(is_public=True):
        texts = {"title": expert.expertise, "text": expert.publications}
        yield ("expert", expert.pk), texts, {"kind": "expert", "area": expert.area_id}
    for broker in Broker.objects.filter(is_public=True):
        texts = {"title": broker.fields, "text": ""}
        yield ("broker", broker.pk), texts, {"kind": "broker", "area": broker.area_id}
    for patent in Patent.objects.only("pk", "title", "abstract").iterator(chunk_size=2000):
        texts = {"title": patent.title, "text": patent.abstract}
        yield ("patent", patent.pk), texts, {"kind": "patent"}


def build() -> MatchIndex:
    index = MatchIndex(_tokenizer(), Thesaurus(default_groups()))
    index.add_many(_documents())
    return index


def get_index() -> MatchIndex:
    """This process's copy of the index, rebuilt when the watermark has moved."""
    version = _mark()
    with _lock:
        if _state["index"] is None or _state["version"] != version:
            _state["index"] = build()
            _state["version"] = version
        return _state["index"]


def rebuild() -> int:
    """Rebuild now (the management command); returns the number of documents."""
    with _lock:
        _state["index"] = build()
        _state["version"] = _mark()
        return len(_state["index"])
