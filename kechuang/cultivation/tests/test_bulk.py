"""The bulk column writer of screening runs (core/bulk.py): insert, upsert that keeps the
creation time and rewrites every other column, JSON values (shared, distinct, nested) and dates
as the ORM reads them back, on SQLite and (CI) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from kechuang.core import bulk
from kechuang.cultivation.models import PoolEntry, ReserveTier, ScreeningRun, TierMovement
from kechuang.cultivation.services.pool import _upsert_entries
from kechuang.registry.models import IssuerLevel, Qualification

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
    """The pool's writer: entries of organizations without one inserted, the others updated
    by key (bulk.insert and bulk.update_by_key)."""
    orgs = [make_org("卧龙区", name=f"批量写入{i}（测试）") for i in range(3)]
    first = ScreeningRun.objects.create(as_of=DAY)
    with transaction.atomic():
        _upsert_entries(columns(orgs[:2], first))
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
        _upsert_entries(changed)
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


def _foreign_keys_on() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        return bool(cursor.fetchone()[0])


def _orphan_qualification(make_org: Any) -> dict[str, list[Any]]:
    """The columns of one qualification of an organization that does not exist (a model whose
    reference is a database constraint: pool entries' and movements' are not)."""
    row = Qualification(
        organization_id=make_org().pk + 10_000,
        kind="TSME",
        issued_on=DAY,
        issuer_level=IssuerLevel.PROVINCIAL,
    )
    return {
        f.column: [f.get_prep_value(f.value_from_object(row))]
        for f in Qualification._meta.concrete_fields
        if not f.primary_key
    }


@pytest.mark.django_db(transaction=True)
def test_parents_checked_here_turns_sqlite_lookups_off_only_outside_a_transaction(
    make_org: Any,
) -> None:
    if connection.vendor != "sqlite":  # PostgreSQL always checks: an orphan is still refused
        orphan = _orphan_qualification(make_org)
        with pytest.raises(IntegrityError), bulk.parents_checked_here(Qualification):
            bulk.insert(Qualification, orphan)
        assert not Qualification.objects.exists()
        return
    assert _foreign_keys_on()
    with bulk.parents_checked_here(PoolEntry):
        assert not _foreign_keys_on()
    assert _foreign_keys_on()
    with transaction.atomic(), bulk.parents_checked_here(PoolEntry):
        assert _foreign_keys_on()  # a caller's transaction keeps the row-by-row checks


def test_inside_a_transaction_an_orphan_row_is_still_refused(make_org: Any) -> None:
    orphan = _orphan_qualification(make_org)
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.parents_checked_here(Qualification):
            bulk.insert(Qualification, orphan)
        connection.check_constraints()  # SQLite defers the check to here (or the commit)
    assert not Qualification.objects.exists()


def test_require_rows_names_the_missing_parents() -> None:
    run = ScreeningRun.objects.create(as_of=DAY)
    bulk.require_rows(ScreeningRun, {run.pk})
    bulk.require_rows(ScreeningRun, set())
    with pytest.raises(ScreeningRun.DoesNotExist, match=str(run.pk + 1)):
        bulk.require_rows(ScreeningRun, {run.pk, run.pk + 1})


def test_update_by_key_rewrites_the_given_columns_and_keeps_the_creation_time(
    make_org: Any,
) -> None:
    orgs = [make_org("卧龙区", name=f"按键更新{i}（测试）") for i in range(3)]
    first = ScreeningRun.objects.create(as_of=DAY)
    with transaction.atomic():
        bulk.insert(PoolEntry, columns(orgs, first))
    before = {e.organization_id: e for e in PoolEntry.objects.all()}
    second = ScreeningRun.objects.create(as_of=DAY + dt.timedelta(days=365))
    changed = columns(
        orgs[:2],
        second,
        tier=["growing", ""],
        gaps=[["还需 1 项 Ⅰ类知识产权"], [{"nested": [1]}]],
        tsme_total_min=[None, 70],
    )
    del changed["organization_id"]  # written by key: the organization stays
    changed["id"] = [before[o.pk].pk for o in orgs[:2]]
    with transaction.atomic():
        bulk.update_by_key(PoolEntry, changed)
        bulk.update_by_key(PoolEntry, {name: [] for name in changed})  # nothing to write
    after = {e.organization_id: e for e in PoolEntry.objects.all()}
    one, two, three = (after[o.pk] for o in orgs)
    assert (one.tier, one.run_id, one.gaps, one.tsme_total_min) == (
        "growing",
        second.pk,
        ["还需 1 项 Ⅰ类知识产权"],
        None,
    )
    assert (two.tier, two.gaps, two.tsme_total_min) == ("", [{"nested": [1]}], 70)
    assert one.created_at == before[orgs[0].pk].created_at
    assert one.updated_at > before[orgs[0].pk].updated_at
    # the row not named is untouched
    assert (three.tier, three.run_id, three.updated_at) == (
        "seed",
        first.pk,
        before[orgs[2].pk].updated_at,
    )


TRICKY = [
    "制表\t换行\n回车\r反斜杠\\结尾\\",
    "\\N",  # the text of COPY's NULL marker, as a value
    "引号\"和'单引号",
    "",
    "表情😀\u2028行分隔\u00a0",  # sent as UTF-8 to PostgreSQL (no \\u escapes)
]


def test_values_with_copys_special_characters_round_trip(make_org: Any) -> None:
    """COPY's text format (PostgreSQL's bulk path) escapes tabs, newlines, carriage returns
    and backslashes, and tells NULL from the text \\N; SQLite binds the same values."""
    orgs = [make_org("卧龙区", name=f"特殊字符{i}（测试）") for i in range(len(TRICKY))]
    run = ScreeningRun.objects.create(as_of=DAY)
    rows = columns(
        orgs,
        run,
        gaps=[[text, {"k": text}] for text in TRICKY],
        missing=[[text] for text in TRICKY],
        latest_year=[None, 2024, None, 0, 2023],
        tier_since=[None, DAY, None, DAY, DAY],
        tsme_total_min=[None, 0, 100, None, 7],
    )
    with transaction.atomic():
        bulk.insert(PoolEntry, rows)
    entries = {e.organization_id: e for e in PoolEntry.objects.all()}
    for org, text in zip(orgs, TRICKY, strict=True):
        got = entries[org.pk]
        assert got.gaps == [text, {"k": text}] and got.missing == [text]
    assert [entries[o.pk].latest_year for o in orgs] == [None, 2024, None, 0, 2023]
    assert [entries[o.pk].tier_since for o in orgs] == [None, DAY, None, DAY, DAY]
    assert [entries[o.pk].tsme_total_min for o in orgs] == [None, 0, 100, None, 7]


def test_copy_text_formats_plain_values_and_leaves_the_rest_to_the_driver() -> None:
    when = dt.datetime(2026, 12, 7, 8, 30, 0, 123456, tzinfo=dt.UTC)
    assert bulk._copy_texts([[None, "a\tb\\", True, False, 0, 1.5, DAY, when]]) == [
        ["\\N", "a\\tb\\\\", "t", "f", "0", "1.5", "2025-06-30", "2026-12-07T08:30:00.123456+00:00"]
    ]
    assert bulk._copy_texts([[float("nan"), float("inf"), -float("inf")]]) == [
        ["NaN", "Infinity", "-Infinity"]
    ]
    assert bulk._copy_texts([["中文，无需转义"]]) == [["中文，无需转义"]]
    assert bulk._copy_texts([[1, True]]) == [["1", "t"]]  # 1 and True are not one value
    assert bulk._copy_texts([["a"], [dt.datetime(2026, 1, 1)]]) is None  # naive: the driver's
    assert bulk._copy_texts([[b"bytes"]]) is None


def test_json_values_equal_in_python_keep_their_own_type(make_org: Any) -> None:
    """1, 1.0 and True are equal (and hash alike) in Python; the writer encodes each JSON value
    once per distinct value, and keeps them three values."""
    orgs = [make_org("卧龙区", name=f"同值异型{i}（测试）") for i in range(3)]
    run = ScreeningRun.objects.create(as_of=DAY)
    scalars = [1, 1.0, True]
    rows = columns(
        orgs,
        run,
        tier_results=[{"gazelle": v} for v in scalars],
        missing=[["x", v] for v in scalars],
    )
    with transaction.atomic():
        bulk.insert(PoolEntry, rows)
    for org, value in zip(orgs, scalars, strict=True):
        got = PoolEntry.objects.get(organization=org)
        assert [type(got.tier_results["gazelle"]), type(got.missing[1])] == [type(value)] * 2
        assert got.tier_results == {"gazelle": value} and got.missing == ["x", value]


def test_choices_members_are_copied_as_their_text() -> None:
    assert bulk._copy_texts([[ReserveTier.SEED, "seed"]]) == [["seed", "seed"]]


@pytest.mark.django_db(transaction=True)
def test_require_rows_keeps_the_rows_from_being_deleted_until_the_commit() -> None:
    """On PostgreSQL the parents found stay locked (FOR KEY SHARE) until the transaction ends,
    as a foreign-key check's would: another session cannot delete or lock one for update."""
    run = ScreeningRun.objects.create(as_of=DAY)
    if connection.vendor != "postgresql":  # SQLite: the transaction's write lock keeps them
        with transaction.atomic():
            bulk.require_rows(ScreeningRun, {run.pk})
            assert connection.in_atomic_block
        return
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with transaction.atomic():
            bulk.require_rows(ScreeningRun, {run.pk})
            with pytest.raises(psycopg.errors.LockNotAvailable), other.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM cultivation_screeningrun WHERE id = %s FOR UPDATE NOWAIT",
                    [run.pk],
                )
        other.rollback()
        with other.cursor() as cursor:  # after the commit: free
            cursor.execute(
                "SELECT id FROM cultivation_screeningrun WHERE id = %s FOR UPDATE NOWAIT",
                [run.pk],
            )
            assert cursor.fetchone() == (run.pk,)
        other.rollback()
    finally:
        other.close()
