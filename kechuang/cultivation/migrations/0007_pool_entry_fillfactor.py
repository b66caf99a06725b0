"""PostgreSQL: the pool entries' pages kept half empty (``fillfactor`` 50), so that a screening
run's update of every entry writes each new row version beside the old one (a HOT update: no
index entry written, as long as the tier and the failed-condition count stay the same). A
whole-city run rewrites every entry; with full pages each update also wrote the three indexes,
about 1.1 s of the 184,000 updates. SQLite has no such setting."""

from typing import Any

from django.db import migrations

FILLFACTOR = 50  # every row of a page updated at once (one statement) needs room for two


def _set(schema_editor: Any, fillfactor: int | None) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("cultivation_poolentry")
    if fillfactor is None:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
    else:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")


def forward(apps: Any, schema_editor: Any) -> None:
    _set(schema_editor, FILLFACTOR)


def backward(apps: Any, schema_editor: Any) -> None:
    _set(schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [("cultivation", "0006_pool_entry_organization_unconstrained")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
