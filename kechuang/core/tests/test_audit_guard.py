"""Audit rows are protected by the database (#17 item 10): triggers refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL) of `accounts_auditentry`, whatever sends them; only emptying the
whole database (flush, used between transactional tests) is let through. The tests run on the
database the suite uses (SQLite here, PostgreSQL in `make test`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kechuang.core.audit import record
from kechuang.core.audit_guard import TABLE, audit_unlocked
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry() -> AuditEntry:
    return record("login_success", username="guard-test", note="原始说明")


def _refused(sql: str, params: list[Any]) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(caught.value)


def test_the_triggers_exist_on_this_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name=%s", [TABLE]
            )
            expected = {"audit_refuse_update", "audit_refuse_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
            expected = {"audit_refuse_change", "audit_refuse_truncate"}
        assert {row[0] for row in cursor.fetchall()} == expected


def test_a_raw_update_is_refused_and_changes_nothing(entry: AuditEntry) -> None:
    message = _refused(f"UPDATE {TABLE} SET note = %s WHERE id = %s", ["改过", entry.pk])
    assert "审计记录不可" in message
    assert AuditEntry.objects.get(pk=entry.pk).note == "原始说明"


def test_a_raw_delete_is_refused(entry: AuditEntry) -> None:
    message = _refused(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    assert "审计记录不可" in message
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_bypasses_are_refused_by_the_database_too(entry: AuditEntry) -> None:
    queryset = AuditEntry.objects.filter(pk=entry.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        queryset._raw_delete(queryset.db)  # skips the model's own refusal
    with pytest.raises(DatabaseError), transaction.atomic():
        # QuerySet.update is refused in Python; the base class's goes to the database
        super(type(queryset), queryset).update(note="改过")
    assert AuditEntry.objects.get(pk=entry.pk).note == "原始说明"


def test_writing_new_entries_still_works(entry: AuditEntry) -> None:
    before = AuditEntry.objects.count()
    record("logout", username="guard-test")
    assert AuditEntry.objects.count() == before + 1


def test_audit_unlocked_lets_a_flush_delete(entry: AuditEntry) -> None:
    with transaction.atomic(), audit_unlocked():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
        assert not AuditEntry.objects.filter(pk=entry.pk).exists()
    # and the lock is back afterwards
    other = record("logout", username="guard-test")
    assert "审计记录不可" in _refused(f"DELETE FROM {TABLE} WHERE id = %s", [other.pk])


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_trail_between_transactional_tests() -> None:
    record("logout", username="guard-test")
    assert AuditEntry.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    # still protected after the flush
    kept = record("logout", username="guard-test")
    assert "审计记录不可" in _refused(f"DELETE FROM {TABLE} WHERE id = %s", [kept.pk])
