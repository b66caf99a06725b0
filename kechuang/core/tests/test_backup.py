"""Backup and restore round-trip (#17 item 9): a live database backed up while another thread
writes, restored into a fresh database, compared table by table and row by row, timestamps to
the microsecond. The command test runs on the database the suite uses (SQLite here, PostgreSQL
in `make test`)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kechuang.core.audit import record
from kechuang.core.backup import (
    BackupError,
    postgres_restore,
    sqlite_backup,
    sqlite_restore,
)
from kechuang.core.models import AuditEntry
from kechuang.registry.models import Organization

# --- SQLite: the online backup API under a concurrent writer -----------------------------------

SCHEMA = [
    "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)",
    "CREATE TABLE accounts_auditentry (id INTEGER PRIMARY KEY, at TEXT NOT NULL, note TEXT)",
    "CREATE TABLE registry_organization (id INTEGER PRIMARY KEY, name TEXT, created_at TEXT)",
]


def _rows(db: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}


def _stamp(i: int) -> str:
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=7919 * i + 1)
    return moment.isoformat(sep=" ")


class Writer(threading.Thread):
    """Inserts an organization and its audit entry in one transaction, again and again."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.stop, self.written = path, threading.Event(), 0

    def run(self) -> None:
        db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
        i = 1000
        while not self.stop.is_set():
            i += 1
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO registry_organization VALUES (?, ?, ?)", (i, f"单位{i}", _stamp(i))
            )
            db.execute("INSERT INTO accounts_auditentry VALUES (?, ?, ?)", (i, _stamp(i), "新增"))
            db.execute("COMMIT")
            self.written += 1
        db.close()


def _wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "写入线程没有按时写入"
        time.sleep(0.005)


def test_sqlite_backup_while_another_thread_writes_restores_row_for_row(tmp_path: Path) -> None:
    live_path = tmp_path / "live.sqlite3"
    live = sqlite3.connect(live_path, isolation_level=None)
    live.execute("PRAGMA journal_mode=WAL")
    for sql in SCHEMA:
        live.execute(sql)
    live.execute(
        "INSERT INTO django_migrations VALUES (1, 'core', '0001_initial', ?)", (_stamp(0),)
    )
    for i in range(1, 501):
        live.execute(
            "INSERT INTO registry_organization VALUES (?, ?, ?)", (i, f"单位{i}", _stamp(i))
        )
        live.execute("INSERT INTO accounts_auditentry VALUES (?, ?, ?)", (i, _stamp(i), "新增"))
    writer = Writer(live_path)
    writer.start()
    _wait_for(lambda: writer.written >= 20)
    backup_path = tmp_path / "backup.sqlite3"
    sqlite_backup(live, backup_path)  # while the writer keeps committing
    at_backup = writer.written
    _wait_for(lambda: writer.written >= at_backup + 20)
    writer.stop.set()
    writer.join()

    fresh = sqlite3.connect(tmp_path / "fresh.sqlite3")
    sqlite_restore(backup_path, fresh)
    restored, current = _rows(fresh), _rows(live)
    assert (
        set(restored)
        == set(current)
        == {
            "django_migrations",
            "accounts_auditentry",
            "registry_organization",
        }
    )
    # a consistent snapshot: every row committed before it, none after, no half transaction
    last = max(r[0] for r in restored["registry_organization"])
    assert 1000 + 20 <= last < 1000 + writer.written
    assert max(r[0] for r in restored["accounts_auditentry"]) == last
    for table, rows in current.items():
        assert restored[table] == [r for r in rows if table == "django_migrations" or r[0] <= last]
    # timestamps to the microsecond, as written
    assert restored["accounts_auditentry"][0][1] == "2026-01-01 00:00:00.007920+00:00"


def test_restore_refuses_a_file_that_is_not_a_platform_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="不是有效的 SQLite 数据库"):
        sqlite_restore(junk, sqlite3.connect(":memory:"))
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(BackupError, match="不是本平台的数据库"):
        sqlite_restore(other, sqlite3.connect(":memory:"))


# --- the commands on the suite's own database ---------------------------------------------------

AUDIT = AuditEntry._meta.db_table
ORGS = Organization._meta.db_table


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _django_rows(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
    return [tuple(row) for row in cursor.fetchall()]


class OrmWriter(threading.Thread):
    """Writes audit entries through the ORM on its own connection (PostgreSQL)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop, self.written = threading.Event(), 0

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                record("logout", username=f"writer-{self.written}")
                self.written += 1
        finally:
            connection.close()


def _pg_connect(db: dict[str, Any]) -> Any:
    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
    )


def _fresh_postgres(name: str) -> dict[str, Any]:
    """An empty PostgreSQL database beside the suite's, on the same server."""
    db = {**connection.settings_dict, "NAME": name}
    with _pg_connect({**db, "NAME": "postgres"}) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return db


def _drop_postgres(name: str) -> None:
    with _pg_connect({**connection.settings_dict, "NAME": "postgres"}) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _pg_rows(cursor: Any, last_audit: int | None = None) -> dict[str, list[Any]]:
    """Every table's rows as PostgreSQL prints them (timestamps to the microsecond, in UTC)."""
    cursor.execute("SET TIME ZONE 'UTC'")
    rows = {}
    for table in _tables():
        where = f" WHERE id <= {int(last_audit)}" if table == AUDIT and last_audit else ""
        cursor.execute(f'SELECT t::text FROM "{table}" AS t{where} ORDER BY 1')
        rows[table] = [row[0] for row in cursor.fetchall()]
    return rows


def _round_trip(output: Path, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Restore the backup into a fresh database of the suite's vendor: (restored, live) rows by
    table; the live audit trail up to the backup's last entry (a writer went on after it)."""
    if connection.vendor == "sqlite":
        # read with the type converters Django's own connection uses, to compare like with like
        types = sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        fresh = sqlite3.connect(tmp_path / "fresh.sqlite3", detect_types=types)
        sqlite_restore(output, fresh)
        connection.ensure_connection()
        return _rows(fresh), _rows(connection.connection)
    name = f"{connection.settings_dict['NAME']}_restore"
    db = _fresh_postgres(name)
    try:
        postgres_restore(output, db)
        with _pg_connect(db) as other, other.cursor() as cursor:
            restored = _pg_rows(cursor)
            cursor.execute(f"SELECT max(id) FROM {AUDIT}")
            (last,) = cursor.fetchone()
    finally:
        _drop_postgres(name)
    with connection.cursor() as cursor:
        return restored, _pg_rows(cursor, last)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_commands_round_trip_the_suites_database(
    make_org: Any, tmp_path: Path
) -> None:
    org = make_org("卧龙区", name="备份测试企业（测试）")
    output = tmp_path / ("backup.sqlite3" if connection.vendor == "sqlite" else "backup.dump")
    # PostgreSQL: another thread writes the audit trail during the backup. (The suite's SQLite
    # database is in memory and takes no second writer; the test above covers SQLite's.)
    writer = OrmWriter() if connection.vendor == "postgresql" else None
    if writer is not None:
        writer.start()
        _wait_for(lambda: writer.written >= 5)
    call_command("backup", output=output, stdout=(tmp_path / "out.txt").open("w"))
    if writer is not None:
        writer.stop.set()
        writer.join()
    assert output.is_file() and output.stat().st_size > 0

    restored, live = _round_trip(output, tmp_path)
    assert set(restored) == set(live) and len(live) > 40
    for table, rows in live.items():
        assert restored[table] == rows, f"{table} 恢复后与原库不一致"
    assert any("备份测试企业（测试）" in str(row) for row in restored[ORGS])
    # timestamps to the microsecond
    stamp = org.created_at.astimezone(dt.UTC)
    if connection.vendor == "sqlite":  # stored in UTC without a zone
        assert any(stamp.replace(tzinfo=None) in row for row in restored[ORGS])
    else:
        printed = stamp.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0")
        assert any(printed in row for row in restored[ORGS]), printed

    # the command restores over the live database: a row added after the backup is gone
    make_org("卧龙区", name="备份后新增（测试）")
    call_command("restore", output, interactive=False, stdout=(tmp_path / "out.txt").open("w"))
    connection.close()
    assert Organization.objects.filter(name="备份测试企业（测试）").count() == 1
    assert not Organization.objects.filter(name="备份后新增（测试）").exists()


def test_restore_command_names_a_missing_file(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", tmp_path / "none.sqlite3", interactive=False)
