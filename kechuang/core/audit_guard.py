"""The audit trail protected by the database itself (#17 item 10).

Triggers (migration core/0002) refuse every UPDATE and DELETE of an audit row, on SQLite and on
PostgreSQL (there also TRUNCATE), whoever sends it: the ORM, a raw cursor, the `sqlite3` or
`psql` shell. The one legitimate exception is emptying a whole database — `manage.py flush`,
which the test suite runs after each transactional test — and `audit_unlocked()` permits it:

- SQLite: the triggers ask the SQL function `kechuang_audit_locked()`, which this module
  registers on every connection Django opens; it answers 0 only inside `audit_unlocked()` in the
  same thread. A connection that is not Django's (the sqlite3 shell) has no such function, so
  its UPDATE or DELETE fails too.
- PostgreSQL: the trigger function permits the change when the session setting
  `kechuang.audit_unlocked` is `on`, which `audit_unlocked()` sets for the duration.

Restoring a backup (manage.py restore) replaces the database wholesale and fires no trigger.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver

TABLE = "accounts_auditentry"
_state = threading.local()

SQLITE_FORWARD = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_refuse_update BEFORE UPDATE ON {TABLE}
    WHEN kechuang_audit_locked() BEGIN SELECT RAISE(ABORT, '审计记录不可修改。'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_refuse_delete BEFORE DELETE ON {TABLE}
    WHEN kechuang_audit_locked() BEGIN SELECT RAISE(ABORT, '审计记录不可删除。'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_refuse_update",
    "DROP TRIGGER IF EXISTS audit_refuse_delete",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION kechuang_audit_refuse() RETURNS trigger AS $$
    BEGIN
      IF current_setting('kechuang.audit_unlocked', true) = 'on' THEN
        IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '审计记录不可修改或删除（%）。', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_refuse_change BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION kechuang_audit_refuse()""",
    f"""CREATE TRIGGER audit_refuse_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION kechuang_audit_refuse()""",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS audit_refuse_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_refuse_change ON {TABLE}",
    "DROP FUNCTION IF EXISTS kechuang_audit_refuse()",
]
STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _locked() -> int:
    return 0 if getattr(_state, "unlocked", False) else 1


@receiver(connection_created)
def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("kechuang_audit_locked", 0, _locked)


def install_triggers(schema_editor: Any, forward: bool = True) -> None:
    """Create (or drop) the triggers for the database `schema_editor` works on."""
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        return
    statements = STATEMENTS[vendor][0 if forward else 1]
    for sql in statements:
        schema_editor.execute(sql, params=None)


@contextlib.contextmanager
def audit_unlocked(using: str = "default") -> Iterator[None]:
    """Permit UPDATE/DELETE of audit rows on this thread's connection for the duration (only
    for emptying a whole database: flush)."""
    connection = connections[using]
    _state.unlocked = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('kechuang.audit_unlocked', 'on', false)")
    try:
        yield
    finally:
        _state.unlocked = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('kechuang.audit_unlocked', 'off', false)")
