"""The persisted copy of the matching index (var/market/match_index.pickle, derived data): the
rebuild writes it, a starting server loads it instead of rebuilding and catches up with the
watermark, a copy of another database is never loaded, and a write queues the background
refresh of the copy (django-tasks)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from kechuang.market import matching, services, tasks
from kechuang.market.models import Achievement, IndexWatermark, TechDemand
from kechuang.market.tests.conftest import ACHIEVEMENT, DEMAND

pytestmark = pytest.mark.django_db


def _no_build() -> Any:
    raise AssertionError("启动时应加载持久化的索引，而不是重建")


def _ids(kind: str, text: str) -> list[int]:
    return [h.doc_id[1] for h in matching.get_index().search(text, filters={"kind": {kind}}).hits]


def test_a_starting_server_loads_the_copy_and_catches_up(
    market: dict[str, Any], publish: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert matching.rebuild() == 3
    assert settings.MARKET_INDEX_SNAPSHOT.is_file()
    matching.forget()  # a new process
    monkeypatch.setattr(matching, "build", _no_build)
    assert _ids("demand", "防爆电机散热") == [market["demand"].pk]
    later = publish("institution", Achievement, {**ACHIEVEMENT, "title": "矿用隔爆电机风冷端盖"})
    assert later.pk in _ids("achievement", "隔爆电机端盖")  # caught up, not rebuilt


def test_a_copy_of_another_database_is_not_loaded(
    market: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    matching.rebuild()
    IndexWatermark.objects.filter(name=matching.NAME).update(lineage="another-database")
    matching.forget()
    built = []
    real_build = matching.build
    monkeypatch.setattr(matching, "build", lambda: built.append(1) or real_build())
    assert _ids("demand", "防爆电机散热") == [market["demand"].pk]
    assert built == [1]


def test_a_damaged_copy_is_rebuilt(market: dict[str, Any]) -> None:
    matching.rebuild()
    settings.MARKET_INDEX_SNAPSHOT.write_bytes(b"not a pickle")
    matching.forget()
    assert _ids("demand", "防爆电机散热") == [market["demand"].pk]


def test_the_background_refresh_persists_the_current_copy(
    market: dict[str, Any], publish: Callable[..., Any]
) -> None:
    matching.rebuild()
    before = settings.MARKET_INDEX_SNAPSHOT.stat().st_mtime_ns
    publish("enterprise", TechDemand, {**DEMAND, "title": "减速机齿轮箱漏油"})
    assert tasks.refresh_match_index.call() == 4
    assert settings.MARKET_INDEX_SNAPSHOT.stat().st_mtime_ns >= before
    matching.forget()
    assert len(matching.get_index()) == 4


def test_publishing_queues_the_refresh(
    users: dict[str, Any],
    publish: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    demand = publish("enterprise", TechDemand, DEMAND, until="review")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.step(users["city_staff"], demand, "publish")
    assert len(callbacks) == 1
    queued = DBTaskResult.objects.filter(task_path="kechuang.market.tasks.refresh_match_index")
    assert queued.count() == 1


def test_the_rebuild_writes_a_base_segment_and_the_snapshot_keeps_only_the_delta(
    market: dict[str, Any], publish: Callable[..., Any]
) -> None:
    """The rebuild's base segment (two worker processes) is opened memory-mapped by a starting
    server; the snapshot written after a change holds the change only, not the base."""
    assert matching.rebuild(workers=2) == 3
    bases = [p for p in matching.base_root().iterdir() if p.is_dir()]
    assert len(bases) == 1 and (bases[0] / "docs.npy").is_file()
    matching.forget()
    index = matching.get_index()
    assert index.segment.directory == bases[0] and index.segment.size == 3
    assert index.delta_size == 0
    later = publish("institution", Achievement, {**ACHIEVEMENT, "title": "矿用隔爆电机风冷端盖"})
    assert tasks.refresh_match_index.call() == 4
    with settings.MARKET_INDEX_SNAPSHOT.open("rb") as handle:
        payload = pickle.load(handle)
    assert payload["base"] == bases[0].name
    # the change, and the rows changed within the catch-up's margin (here: all, just created)
    delta_ids = set(payload["delta"]["delta_ids"].values())
    assert ("achievement", later.pk) in delta_ids and len(delta_ids) == 4
    assert "postings" not in payload and len(payload["delta"]["dead"]) == 3
    matching.forget()
    assert later.pk in _ids("achievement", "隔爆电机端盖")
    assert matching.get_index().segment.size == 3
    matching.rebuild()
    matching.rebuild()
    assert len([p for p in matching.base_root().iterdir() if p.is_dir()]) == 2  # pruned
