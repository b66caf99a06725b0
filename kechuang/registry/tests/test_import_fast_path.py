"""The fast path of a large import (#17 items 3 and 11): new rows and changed ones written column
by column (core/bulk.py: ids allocated first, never reused), the audit entries of bulk writes
written alike with the content `record` gives, the collector paused only while an import works,
repeated cells parsed once yet reported on every row, and full_clean's skipped checks still
made (by parsing, or by the model's clean) — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from kechuang.conftest import make_uscc
from kechuang.core import bulk
from kechuang.core.audit import REDACTED, audit_context, record_bulk
from kechuang.core.memory import collector_paused
from kechuang.core.models import AuditAction, AuditEntry
from kechuang.registry.excel.importer import commit, validate_upload
from kechuang.registry.models import Area, Organization, Talent
from kechuang.registry.tests.test_excel_import import make_xlsx, org_row, problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(users: dict[str, Any]) -> Any:
    return users["city_staff"]


def new_org(serial: int, area: Area, **extra: Any) -> Organization:
    values = {
        "uscc": make_uscc(serial, "411303"),
        "name": f"批量单位{serial}（测试）",
        "kind": "企业",
        "area": area,
        "founded_on": dt.date(2011, 3, serial % 28 + 1),
        "is_listed": serial % 2 == 0,
    }
    values.update(extra)
    return Organization(**values)


# --- core/bulk.py: create and update ----------------------------------------------------------


def test_create_allocates_ascending_ids_never_used_before_and_stamps_the_rows(
    wolong: Area,
) -> None:
    gone = Organization.objects.create(
        uscc=make_uscc(901, "411303"), name="将删除（测试）", kind="企业", area=wolong
    )
    gone_id = gone.pk
    gone.delete()  # the highest id so far is free again: it must not be handed out
    instances = [new_org(serial, wolong) for serial in (911, 912, 913)]
    with transaction.atomic():
        bulk.create(Organization, instances)
    ids = [org.pk for org in instances]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert min(ids) > gone_id
    assert all(not org._state.adding for org in instances)
    stored = {org.pk: org for org in Organization.objects.filter(pk__in=ids)}
    for org in instances:
        again = stored[org.pk]
        assert (again.uscc, again.name, again.area_id) == (org.uscc, org.name, wolong.pk)
        assert (again.founded_on, again.is_listed) == (org.founded_on, org.is_listed)
        assert again.created_at == org.created_at == org.updated_at
        assert again.created_at is not None
    # the ORM's own next insert goes on after them
    later = Organization.objects.create(
        uscc=make_uscc(914, "411303"), name="其后（测试）", kind="企业", area=wolong
    )
    assert later.pk > max(ids)


def test_a_taken_unique_key_is_djangos_integrity_error_and_writes_nothing(wolong: Area) -> None:
    Organization.objects.create(
        uscc=make_uscc(931, "411303"), name="已登记（测试）", kind="企业", area=wolong
    )
    before = Organization.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.create(Organization, [new_org(932, wolong), new_org(931, wolong)])
    assert Organization.objects.count() == before


def test_update_writes_only_the_named_fields_by_id(wolong: Area, wancheng: Area) -> None:
    first, second, other = (
        Organization.objects.create(
            uscc=make_uscc(serial, "411303"), name=f"原名{serial}", kind="企业", area=wolong
        )
        for serial in (941, 942, 943)
    )
    for org in (first, second):
        org.name = f"新名{org.pk}"
        org.area = wancheng
        org.address = "不应写入"
    with transaction.atomic():
        bulk.update(Organization, [first, second], ["name", "area"])
    rows = dict(Organization.objects.values_list("pk", "name"))
    assert rows[first.pk] == f"新名{first.pk}" and rows[second.pk] == f"新名{second.pk}"
    assert rows[other.pk] == "原名943"
    assert set(
        Organization.objects.filter(pk__in=[first.pk, second.pk]).values_list("area_id", "address")
    ) == {(wancheng.pk, "")}


# --- audit entries of bulk writes -------------------------------------------------------------


def test_record_bulk_writes_what_record_would_with_redaction(
    staff: Any, orgs: dict[str, Any]
) -> None:
    org = orgs["wolong"]
    talent = Talent.objects.create(name="张三", organization=org, id_number="411303199001011234")
    items = [
        (org, {"name": ["旧名", org.name]}, "Excel 导入：a.xlsx 第 2 行"),
        (talent, {"id_number": [None, "411303199001011234"], "name": [None, "张三"]}, "第 3 行"),
    ]
    with audit_context(label="测试"):
        assert record_bulk(AuditAction.UPDATE, items, actor=staff) == 2
    org_entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=str(org.pk),
        action=AuditAction.UPDATE,
    )
    assert (org_entry.actor_id, org_entry.actor_username) == (staff.pk, staff.username)
    assert org_entry.object_repr == org.name
    assert org_entry.changes == {"name": ["旧名", org.name]}
    assert org_entry.note == "Excel 导入：a.xlsx 第 2 行"
    talent_entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Talent),
        object_id=str(talent.pk),
        action=AuditAction.UPDATE,
    )
    assert talent_entry.changes == {"id_number": REDACTED, "name": [None, "张三"]}
    assert talent_entry.at == org_entry.at


def test_record_bulk_writes_every_batch(staff: Any, orgs: dict[str, Any]) -> None:
    items = [(org, {"name": [None, org.name]}, f"第 {i} 行") for i, org in enumerate(orgs.values())]
    before = AuditEntry.objects.count()
    assert record_bulk(AuditAction.CREATE, items, actor=staff, batch_size=2) == 3
    assert AuditEntry.objects.count() == before + 3
    notes = set(AuditEntry.objects.order_by("-id")[:3].values_list("note", flat=True))
    assert notes == {"第 0 行", "第 1 行", "第 2 行"}


# --- the collector ----------------------------------------------------------------------------


def test_collector_paused_nests_and_resumes_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
        raise RuntimeError("导入出错")
    assert gc.isenabled()


def test_collector_left_disabled_if_it_was() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- validation: cached cells, skipped checks -------------------------------------------------


def test_a_repeated_bad_cell_is_reported_on_every_row(staff: Any) -> None:
    rows = [org_row(951 + i, 单位类型="公司") for i in range(3)]
    rows.append(org_row(954, 上市企业="也许"))
    rows.append(org_row(955, 上市企业="是", 所在区域="火星区"))
    report = validate_upload("organizations", make_xlsx("organizations", rows), staff)
    found = problems(report)
    kind_rows = [(row, header) for row, header, problem in found if "公司" in problem]
    assert kind_rows == [(2, "单位类型"), (3, "单位类型"), (4, "单位类型")]
    assert len({e.problem for e in report.errors if e.row in (2, 3, 4)}) == 1
    assert [(row, header) for row, header, _ in found if row == 5] == [(5, "上市企业")]
    assert [(row, header) for row, header, _ in found if row == 6] == [(6, "所在区域")]


def test_parsed_cells_of_one_value_but_two_types_are_told_apart(staff: Any) -> None:
    # 1 (a number cell) and "1" (text) both mean yes; a text "2" is no yes/no
    rows = [org_row(961, 上市企业=1), org_row(962, 上市企业="1"), org_row(963, 上市企业="2")]
    report = validate_upload("organizations", make_xlsx("organizations", rows), staff)
    assert [(row, header) for row, header, _ in problems(report)] == [(4, "上市企业")]


def test_checks_full_clean_skips_are_still_made(staff: Any) -> None:
    rows = [
        org_row(971, 单位名称="长" * 201),  # a text column: full_clean checks the length
        org_row(972, 国民经济行业门类="C", 国民经济行业大类代码="45"),  # clean(): 45 is in D
        org_row(973, 国民经济行业门类="Z"),  # a choice parsing refuses
    ]
    report = validate_upload("organizations", make_xlsx("organizations", rows), staff)
    headers = {(row, header) for row, header, _ in problems(report)}
    assert headers == {(2, "单位名称"), (3, "国民经济行业大类代码"), (4, "国民经济行业门类")}


# --- the importer on the fast path ------------------------------------------------------------


def test_import_then_reimport_changes_writes_rows_and_entries(
    staff: Any, wolong: Area, make_user: Callable[..., Any]
) -> None:
    rows = [org_row(981 + i, 成立日期=dt.date(2001, 1, i + 1), 上市企业="是") for i in range(25)]
    with audit_context(label="测试"):
        report = validate_upload("organizations", make_xlsx("organizations", rows), staff)
        assert report.errors == [] and report.to_create == 25
        assert (commit(report, staff).created, Organization.objects.count()) == (25, 28)
    codes = [row["统一社会信用代码"] for row in rows]
    created = list(Organization.objects.filter(uscc__in=codes).order_by("uscc"))
    assert all(org.founded_on.year == 2001 and org.is_listed for org in created)
    org_type = ContentType.objects.get_for_model(Organization)
    entries = AuditEntry.objects.filter(content_type=org_type, action=AuditAction.CREATE)
    by_object = {e.object_id: e for e in entries.filter(object_id__in=[o.pk for o in created])}
    assert set(by_object) == {str(o.pk) for o in created}
    first = by_object[str(created[0].pk)]
    assert first.changes["uscc"] == [None, created[0].uscc]
    assert first.changes["is_listed"] == [None, True]
    assert first.actor_id == staff.pk and first.note.startswith("Excel 导入：")

    changed = [{**row, "单位名称": row["单位名称"] + "改"} for row in rows[:10]] + rows[10:]
    with audit_context(label="测试"):
        again = validate_upload("organizations", make_xlsx("organizations", changed), staff)
        assert (again.to_create, again.to_update, again.unchanged) == (0, 10, 15)
        assert (commit(again, staff).created, commit_count()) == (0, 28)
    names = dict(Organization.objects.filter(uscc__in=codes).values_list("uscc", "name"))
    assert sum(name.endswith("（演示）改") for name in names.values()) == 10
    updates = AuditEntry.objects.filter(content_type=org_type, action=AuditAction.UPDATE)
    assert updates.count() == 10
    assert all(set(e.changes) == {"name"} for e in updates)


def commit_count() -> int:
    return Organization.objects.count()
