"""The bulk column writer of screening runs (core/bulk.py): insert, upsert that keeps the
creation time and rewrites every other column, JSON values (shared, distinct, nested) and dates
as the ORM reads them back, on SQLite and (CI) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from kechuang.core import bulk
from kechuang.cultivation.models import PoolEntry, ScreeningRun, TierMovement

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 30)


def columns(orgs: list[Any], run: ScreeningRun, **changed: list[Any]) -> dict[str, list[Any]]:
    n = len(orgs)
    base: dict[str, list[Any]] = {
        "organization_id": [o.pk for o in orgs],
        "run_id": [run.pk] * n,
        "as_of": [DAY] * n,
        "data_status": ["complete"] * n,
        "missing": [[] for _ in range(n)],
        "latest_year": [2024] * n,
        "tier": ["seed"] * n,
        "tier_since": [DAY] * n,
        "is_hnte": [False] * n,
        "is_tsme": [True] * n,
        "is_gazelle": [False] * n,
        "is_leader": [False] * n,
        "hnte_eligible": [0] * n,
        "hnte_failed": [1] * n,
        "failed_conditions": [["hnte.c5.rd_ratio"] for _ in range(n)],
        "gaps": [[] for _ in range(n)],
        "hnte_total_min": [50] * n,
        "hnte_total_max": [60] * n,
        "tsme_eligible": [1] * n,
        "tsme_total_min": [None] * n,
        "tier_results": [{"gazelle": 0} for _ in range(n)],
    }
    return {**base, **changed}


def test_upsert_inserts_then_rewrites_every_column_but_the_creation_time(make_org: Any) -> None:
    orgs = [make_org("卧龙区", name=f"批量写入{i}（测试）") for i in range(3)]
    first = ScreeningRun.objects.create(as_of=DAY)
    with transaction.atomic():
        bulk.upsert(PoolEntry, columns(orgs[:2], first), conflict="organization_id")
    created = {e.organization_id: e.created_at for e in PoolEntry.objects.all()}
    assert set(created) == {orgs[0].pk, orgs[1].pk}
    second = ScreeningRun.objects.create(as_of=DAY + dt.timedelta(days=365))
    nested = [{"a": [1, 2]}, "差距"]
    changed = columns(
        orgs,
        second,
        tier=["growing", "seed", ""],
        tier_since=[DAY, None, None],
        gaps=[["还需研发费用 12.5 万元"], nested, []],
        tier_results=[{"gazelle": 1}, {"gazelle": 0}, {}],
        tsme_total_min=[61, None, 0],
    )
    with transaction.atomic():
        bulk.upsert(PoolEntry, changed, conflict="organization_id")
    entries = {e.organization_id: e for e in PoolEntry.objects.all()}
    assert len(entries) == 3
    one, two, three = (entries[o.pk] for o in orgs)
    assert (one.tier, one.tier_since, one.run_id) == ("growing", DAY, second.pk)
    assert one.gaps == ["还需研发费用 12.5 万元"] and one.tier_results == {"gazelle": 1}
    assert one.tsme_total_min == 61 and one.created_at == created[orgs[0].pk]
    assert one.updated_at > one.created_at
    assert (two.tier, two.tier_since, two.gaps) == ("seed", None, nested)
    assert (three.tier, three.tier_results, three.tsme_total_min) == ("", {}, 0)
    assert three.failed_conditions == ["hnte.c5.rd_ratio"] and three.missing == []


def test_insert_appends_rows_and_an_empty_column_set_writes_nothing(make_org: Any) -> None:
    orgs = [make_org("卧龙区", name=f"层级变动{i}（测试）") for i in range(2)]
    run = ScreeningRun.objects.create(as_of=DAY)
    movement_columns = {
        "organization_id": [o.pk for o in orgs],
        "run_id": [run.pk, run.pk],
        "on": [DAY, DAY],
        "from_tier": ["", "seed"],
        "to_tier": ["seed", "hnte"],
    }
    with transaction.atomic():
        bulk.insert(TierMovement, movement_columns)
        bulk.insert(TierMovement, {name: [] for name in movement_columns})
    got = sorted(TierMovement.objects.values_list("organization_id", "on", "from_tier", "to_tier"))
    assert got == [(orgs[0].pk, DAY, "", "seed"), (orgs[1].pk, DAY, "seed", "hnte")]
