"""Database triggers refuse UPDATE and DELETE of audit rows (SQLite, PostgreSQL): see
kechuang/core/audit_guard.py."""

from typing import Any

from django.db import migrations

from kechuang.core.audit_guard import install_triggers


def forward(apps: Any, schema_editor: Any) -> None:
    install_triggers(schema_editor, forward=True)


def backward(apps: Any, schema_editor: Any) -> None:
    install_triggers(schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
