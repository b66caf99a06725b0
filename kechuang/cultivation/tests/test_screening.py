"""Batch screening: tiers from the shipped policy, agreement with the single-case engine,
history of movements, scope, the background queue, failures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import ProtectedError
from django.test import override_settings

from kechuang.core.models import AuditEntry
from kechuang.cultivation.engine.selfassess import assess_case
from kechuang.cultivation.engine.vector import ELIGIBLE_CODES
from kechuang.cultivation.models import (
    PoolEntry,
    ReservePolicy,
    RunStatus,
    ScreeningRun,
    TierMovement,
)
from kechuang.cultivation.selectors import case_for
from kechuang.cultivation.services import execute_run
from kechuang.cultivation.services.screenings import start_screening
from kechuang.cultivation.tests.conftest import AS_OF, add_reports
from kechuang.registry.models import Organization

pytestmark = pytest.mark.django_db


def run_now(as_of: dt.date = AS_OF, area: Any = None) -> ScreeningRun:
    run = ScreeningRun.objects.create(as_of=as_of, area=area)
    return execute_run(run.pk)


def entry(org: Any) -> PoolEntry:
    return PoolEntry.objects.get(organization=org)


def test_every_enterprise_gets_the_tier_the_policy_gives(city: dict[str, Any]) -> None:
    run = run_now()
    assert run.status == RunStatus.DONE, run.error
    assert run.policy_version == "nanyang-2026-draft"
    assert entry(city["mature"]).tier == "mature"
    assert entry(city["mature"]).hnte_failed == 0
    growing = entry(city["growing"])
    assert growing.tier == "growing"
    assert growing.failed_conditions == ["hnte.c4.st_staff_ratio"]
    # The single-case engine's own gaps: staff, and the score at the minimum-points policy.
    assert growing.gaps[0].startswith("科技人员需增加 2 人")
    assert growing.gaps[1].startswith("创新能力评价（按最低分口径 45 分）还差 26 分")
    assert entry(city["startup"]).gaps == []  # too far from HNTE for a gap list
    assert growing.is_tsme is True and growing.hnte_eligible == 0
    assert entry(city["startup"]).tier == "startup"
    assert entry(city["startup"]).hnte_failed >= 3
    seed = entry(city["seed"])
    assert seed.tier == "seed" and seed.tsme_eligible == 0  # 800 employees: no TSME
    hnte = entry(city["hnte"])
    assert hnte.tier == "" and hnte.is_hnte is True  # HNTE holders are past the pool
    assert entry(city["no_data"]).data_status == "no_data"
    assert entry(city["no_data"]).tier == ""
    incomplete = entry(city["incomplete"])
    assert incomplete.data_status == "incomplete" and incomplete.hnte_eligible is None
    assert any("境内" in m for m in incomplete.missing)
    assert run.summary["screened"] == 8
    assert run.summary["stages"] == {
        "mature": 1,
        "growing": 2,
        "startup": 1,
        "seed": 2,  # the enterprise with incomplete figures still shows R&D: a seed
        "hnte": 1,
        "none": 1,
    }
    assert incomplete.tier == "seed"


def test_pool_agrees_with_the_single_case_engine(city: dict[str, Any]) -> None:
    run_now()
    for org in city.values():
        result = entry(org)
        if result.data_status != "complete":
            continue
        results, errors = assess_case(case_for(org, AS_OF))
        assert not errors
        hnte, tsme = results["hnte-2016"], results["tsme-2022"]
        assert result.hnte_eligible == ELIGIBLE_CODES[hnte.eligible], org.name
        assert (result.hnte_total_min, result.hnte_total_max) == (hnte.total.min, hnte.total.max)
        assert result.tsme_eligible == ELIGIBLE_CODES[tsme.eligible], org.name
        failed = sorted(c.code for c in hnte.conditions if c.passed is False)
        assert sorted(result.failed_conditions) == failed


def test_a_second_run_records_movements_and_annual_transitions(city: dict[str, Any]) -> None:
    first = run_now(dt.date(2024, 6, 30))
    # A year earlier the same enterprises had only two years (2022, 2023) on record.
    assert first.status == RunStatus.DONE
    before = {k: entry(o).tier for k, o in city.items()}
    entries_before = TierMovement.objects.count()
    add_reports(city["seed"], {2025: (2300, 2300, 0, 40, 40, 950, 2300, 60, 3)}, ip=(0, 0))
    second = run_now()
    movements = TierMovement.objects.filter(run=second)
    assert second.summary["movements"] == movements.count()
    assert TierMovement.objects.count() == entries_before + movements.count()
    for movement in movements:
        key = next(k for k, o in city.items() if o.pk == movement.organization_id)
        assert movement.from_tier == (before[key] or ("hnte" if key == "hnte" else ""))
    # 2024-06-30 → 2025-06-30 is a year: every enterprise's step is counted in the transitions.
    transitions = second.summary["transitions"]
    assert sum(sum(v.values()) for v in transitions.values()) == 8


def test_tier_since_is_kept_while_the_tier_stays(city: dict[str, Any]) -> None:
    run_now(dt.date(2025, 5, 31))
    since = entry(city["growing"]).tier_since
    run_now()
    assert entry(city["growing"]).tier_since == since == dt.date(2025, 5, 31)
    assert not TierMovement.objects.filter(organization=city["growing"], on=AS_OF).exists()


def test_an_area_run_touches_only_that_area(city: dict[str, Any], wancheng: Any) -> None:
    run = run_now(area=wancheng)
    assert run.summary["screened"] == 1
    assert list(PoolEntry.objects.values_list("organization", flat=True)) == [city["wancheng"].pk]


def test_a_city_run_after_an_area_run_updates_the_one_and_adds_the_others(
    city: dict[str, Any], wancheng: Any
) -> None:
    """Entries already in the pool are rewritten by key, the others inserted, in one run."""
    area_run = run_now(area=wancheng)
    kept = entry(city["wancheng"])
    city_run = run_now(dt.date(2025, 7, 31))
    assert city_run.status == RunStatus.DONE
    entries = {e.organization_id: e for e in PoolEntry.objects.all()}
    assert set(entries) == {o.pk for o in city.values()}
    again = entries[city["wancheng"].pk]
    assert (again.pk, again.created_at) == (kept.pk, kept.created_at)
    assert (again.run_id, again.as_of) == (city_run.pk, dt.date(2025, 7, 31))
    assert {e.run_id for e in entries.values()} == {city_run.pk} != {area_run.pk}


def test_county_user_screens_their_area_only(
    users: dict[str, Any], city: Any, wancheng: Any
) -> None:
    with override_settings(TASKS=IMMEDIATE):
        run = start_screening(users["county_staff"], AS_OF)
    run.refresh_from_db()
    assert run.area.name == "卧龙区" and run.status == RunStatus.DONE
    assert PoolEntry.objects.filter(organization__area=wancheng).count() == 0
    with pytest.raises(PermissionDenied, match="本县区"):
        start_screening(users["county_staff"], AS_OF, wancheng)
    with pytest.raises(PermissionDenied):
        start_screening(users["enterprise"], AS_OF)


def test_bad_dates_are_refused_before_anything_is_queued(users: dict[str, Any], city: Any) -> None:
    with pytest.raises(ValidationError) as error:
        start_screening(users["city_staff"], dt.date.today() + dt.timedelta(days=1))
    assert "不能晚于今天" in str(error.value)
    assert ScreeningRun.objects.count() == 0


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection
def test_the_database_queue_and_worker_execute_a_run(
    users: dict[str, Any], city: dict[str, Any]
) -> None:
    from django_tasks_db.models import DBTaskResult

    run = start_screening(users["city_staff"], AS_OF)
    assert run.status == RunStatus.QUEUED and run.task_id
    assert DBTaskResult.objects.filter(id=run.task_id).exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    enterprises = Organization.objects.filter(kind="enterprise").count()
    assert PoolEntry.objects.count() == enterprises == 10  # 8 here + 2 of the users' fixture
    assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
    note = AuditEntry.objects.get(
        content_type__model="screeningrun", object_id=str(run.pk), action="update"
    )
    assert "筛查 10 家" in note.note and note.changes["status"] == ["queued", "done"]


def test_a_run_without_an_active_policy_fails_with_a_reason(city: dict[str, Any]) -> None:
    ReservePolicy.objects.update(active=False)
    run = run_now()
    assert run.status == RunStatus.FAILED
    assert "分级规则" in run.error
    assert PoolEntry.objects.count() == 0


def test_rule_sets_edited_in_the_admin_are_validated(tier_rules: None) -> None:
    from kechuang.cultivation.models import TierRuleSet

    gazelle = TierRuleSet.objects.get(code="henan-gazelle")
    gazelle.criteria = [
        {
            "metric": "sales_growth",
            "op": ">=",
            "value": 20,
            "source": "局定",
            "confidence": "bureau",
        }
    ]
    with pytest.raises(ValidationError) as error:
        gazelle.full_clean()
    assert "未知指标" in str(error.value.message_dict["criteria"])
    gazelle.criteria[0]["metric"] = "sales_growth_avg_2y"
    gazelle.full_clean()  # a threshold the bureau sets is accepted
    policy = ReservePolicy.objects.get(active=True)
    policy.tiers = []
    with pytest.raises(ValidationError):
        policy.full_clean()


def test_an_earlier_run_never_overwrites_a_later_result(city: dict[str, Any]) -> None:
    run_now()
    later = entry(city["growing"])
    older = run_now(dt.date(2025, 1, 31))
    assert older.summary["kept_newer"] == 8
    assert entry(city["growing"]).as_of == later.as_of == AS_OF
    assert not TierMovement.objects.filter(run=older).exists()


def test_an_amount_the_vector_path_cannot_hold_is_reported_not_fatal(
    city: dict[str, Any], make_org: Any
) -> None:
    from kechuang.cultivation.tests.conftest import READY

    huge = make_org(name="巨额企业（测试）", founded_on=dt.date(2015, 1, 1))
    scaled = {y: tuple(v * 10**10 for v in row[:7]) + row[7:] for y, row in READY.items()}
    add_reports(huge, scaled)
    run = run_now()
    assert run.status == RunStatus.DONE
    result = entry(huge)
    assert result.data_status == "incomplete" and result.hnte_eligible is None
    assert "精确计算范围" in result.missing[0]
    assert entry(city["mature"]).tier == "mature"  # everyone else is screened as usual


# --- rows deleted or archived while a run reads and screens (#17 item 2) ----------------------


def test_a_run_survives_an_enterprise_deleted_while_it_screens(
    city: dict[str, Any], make_org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kechuang.cultivation.services import pool

    doomed = make_org("卧龙区", name="筛查中被删除（测试）")
    real_screen = pool.screen

    def screen_then_delete(*args: Any, **kwargs: Any) -> Any:
        screened = real_screen(*args, **kwargs)
        assert doomed.pk in screened.org_ids  # it was read ...
        doomed.delete()  # ... and is gone before the pool is written
        return screened

    monkeypatch.setattr(pool, "screen", screen_then_delete)
    run = execute_run(ScreeningRun.objects.create(as_of=AS_OF).pk)
    assert run.status == "done", run.error
    assert not PoolEntry.objects.filter(organization_id=doomed.pk).exists()
    assert PoolEntry.objects.get(organization=city["mature"]).tier == "mature"


def test_an_enterprise_gone_before_the_write_gets_neither_entry_nor_movement(
    city: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The movements' organization is no database constraint (cultivation/0008): the writer
    itself leaves out the rows of an organization missing under its lock."""
    from kechuang.cultivation.services import pool

    gone = city["seed"]  # placed in a stage: a movement from "not in the pool"
    real = pool._existing_organizations
    monkeypatch.setattr(pool, "_existing_organizations", lambda: real() - {gone.pk})
    run = run_now()
    assert run.status == "done", run.error
    assert not TierMovement.objects.filter(organization=gone).exists()
    assert not PoolEntry.objects.filter(organization=gone).exists()
    assert TierMovement.objects.get(organization=city["mature"]).to_tier == "mature"


def test_a_run_survives_an_enterprise_archived_while_it_screens_and_the_next_skips_it(
    city: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kechuang.cultivation.services import pool

    mature = city["mature"]
    real_screen = pool.screen

    def screen_then_archive(*args: Any, **kwargs: Any) -> Any:
        screened = real_screen(*args, **kwargs)
        Organization.objects.filter(pk=mature.pk).update(archived=True)  # by another user
        return screened

    monkeypatch.setattr(pool, "screen", screen_then_archive)
    run = execute_run(ScreeningRun.objects.create(as_of=AS_OF).pk)
    assert run.status == "done", run.error
    assert entry(mature).tier == "mature"  # screened before it was archived: kept
    monkeypatch.setattr(pool, "screen", real_screen)
    later = execute_run(ScreeningRun.objects.create(as_of=AS_OF).pk)
    assert later.status == "done"
    assert later.summary["screened"] == run.summary["screened"] - 1


def test_a_run_with_pool_entries_cannot_be_deleted(city: dict[str, Any]) -> None:
    """The entries' run has no database constraint (services.pool writes it set-wise); Django's
    PROTECT still refuses to delete a run that entries name."""
    run = run_now()
    with pytest.raises(ProtectedError) as refused:
        run.delete()
    assert {type(o) for o in refused.value.protected_objects} == {PoolEntry}
    assert ScreeningRun.objects.filter(pk=run.pk).exists()
    assert PoolEntry.objects.filter(run=run).count() == len(city)


def test_an_organization_with_movements_cannot_be_deleted(city: dict[str, Any]) -> None:
    """Movements' organization is not a database constraint (services.pool writes them
    set-wise); PROTECT still refuses, naming the movement, with no pool entry in the way."""
    run_now()
    org = city["seed"]
    moved = TierMovement.objects.get(organization=org)
    PoolEntry.objects.filter(organization=org).delete()  # derived data: only the history left
    with pytest.raises(ProtectedError) as refused:
        Organization.objects.filter(pk=org.pk).delete()
    assert moved in set(refused.value.protected_objects)
    assert Organization.objects.filter(pk=org.pk).exists()


def test_deleting_a_run_deletes_its_movements_only(city: dict[str, Any]) -> None:
    """Movements' run is not a database constraint either; Django's CASCADE still removes a
    deleted run's movements, and no other run's."""
    first = run_now(AS_OF - dt.timedelta(days=365))
    # from "not in the pool" into a stage: every enterprise the first run placed
    placed = [e.organization_id for e in PoolEntry.objects.all() if e.is_hnte or e.tier]
    assert placed
    assert sorted(
        TierMovement.objects.filter(run=first).values_list("organization_id", flat=True)
    ) == sorted(placed)
    second = run_now()  # the entries now name the second run
    second_movements = TierMovement.objects.filter(run=second).count()
    first.delete()
    assert not TierMovement.objects.filter(run_id=first.pk).exists()
    assert TierMovement.objects.filter(run=second).count() == second_movements


def test_pool_tables_are_stored_for_bulk_rewrites() -> None:
    """The movements' references are no database constraints (cultivation/0008: the writer
    checks them set-wise), and PostgreSQL keeps the entries' pages half empty (0007), so that a
    run's update of every entry is a HOT update (no index written)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reloptions FROM pg_class WHERE relname = 'cultivation_poolentry'"
            )
            assert cursor.fetchone()[0] == ["fillfactor=50"]
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = 'cultivation_tiermovement'::regclass"
            )
            assert cursor.fetchone()[0] == 0
        else:
            cursor.execute("PRAGMA foreign_key_list(cultivation_tiermovement)")
            assert cursor.fetchall() == []
            cursor.execute("PRAGMA foreign_key_list(registry_qualification)")
            assert cursor.fetchall()  # the pragma does list the constraints a table has


def test_an_organization_with_a_pool_entry_cannot_be_deleted(city: dict[str, Any]) -> None:
    """The entry's organization is not a database constraint either; PROTECT still refuses."""
    run_now()
    org = city["seed"]
    with pytest.raises(ProtectedError) as refused:
        Organization.objects.filter(pk=org.pk).delete()
    assert entry(org) in set(refused.value.protected_objects)
    assert Organization.objects.filter(pk=org.pk).exists()
