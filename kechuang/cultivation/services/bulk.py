"""Bulk writes of whole columns (a screening run's pool entries and movements).

The rows come as one list per column (values as the model's fields hold them); each JSON value
is encoded once per distinct value, each date adapted once per distinct day, and the rows are
written in one set-based pass: on SQLite one ``INSERT … ON CONFLICT DO UPDATE`` prepared
statement run over every row (``executemany`` of tuples), on PostgreSQL ``COPY`` into a
temporary table and one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` (or ``COPY`` straight into
the table when nothing can conflict). No model instance, no SQL compiled per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from kechuang.core.columns import each_distinct

STAMPS = ("created_at", "updated_at")


def lock_against_writes(model: type[models.Model]) -> None:
    """Keep the model's rows from being inserted, changed or deleted by others until the
    transaction ends (readers go on). PostgreSQL: a SHARE lock on the table; SQLite: the
    transaction's write lock (``transaction_mode`` IMMEDIATE) does it already."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")


@contextmanager
def parents_checked_here(model: type[models.Model]) -> Iterator[None]:
    """SQLite: the foreign keys of the rows written in the block are not looked up row by row
    (``PRAGMA foreign_keys`` off until the block ends; more than half of a bulk upsert's
    time) because the caller checks the parents itself, set-wise, under the transaction's
    write lock (:func:`require_rows`, :func:`lock_against_writes`). Only outside a
    transaction (SQLite ignores the pragma inside one: a caller's transaction, e.g. a test's,
    keeps the row-by-row checks) and only on SQLite; PostgreSQL checks as always."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.constraint_checks_disabled():
        yield


def require_rows(model: type[models.Model], ids: set[int]) -> None:
    """Every id in ``ids`` is a row of ``model`` (the parents of rows about to be written
    without the database's own foreign-key lookups); raises if one is not."""
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    if missing := ids - found:
        raise model.DoesNotExist(f"{model._meta.verbose_name} 不存在：{sorted(missing)[:5]}")


def insert(model: type[models.Model], columns: dict[str, list[Any]]) -> None:
    """INSERT the rows (one list per column name; the primary key from the database,
    created_at/updated_at now)."""
    _write(model, columns, conflict=None)


def upsert(model: type[models.Model], columns: dict[str, list[Any]], conflict: str) -> None:
    """INSERT the rows, or where the `conflict` column's value exists already UPDATE every
    column of that row but created_at."""
    _write(model, columns, conflict=conflict)


def update_by_key(model: type[models.Model], columns: dict[str, list[Any]]) -> None:
    """UPDATE the rows whose primary keys are ``columns["id"]``: every other column given, and
    updated_at now (created_at kept). SQLite: one prepared UPDATE … WHERE id = ? over every row
    (no insert attempted first, as an upsert does); PostgreSQL: COPY into a temporary table and
    one UPDATE … FROM it."""
    keys = columns["id"]
    if not keys:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and (f.column == "updated_at" or f.column in columns or f.name in columns)
    ]
    now = [timezone.now()]
    adapted = [
        _adapt(f, now, connection) * len(keys)
        if f.column in STAMPS
        else _adapt(f, columns[f.column if f.column in columns else f.name], connection)
        for f in fields
    ]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = [quote(f.column) for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{name} = %s" for name in names)
            rows = list(zip(*adapted, keys, strict=True))
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)
            return
        staging = quote(f"bulk_update_{model._meta.db_table}")
        listed = ", ".join([*names, pk])
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        _copy(cursor, f"{staging} ({listed})", zip(*adapted, keys, strict=True))
        sets = ", ".join(f"{name} = s.{name}" for name in names)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {staging} AS s WHERE t.{pk} = s.{pk}")
        cursor.execute(f"DROP TABLE {staging}")


def _write(model: type[models.Model], columns: dict[str, list[Any]], conflict: str | None) -> None:
    n = len(next(iter(columns.values()), []))
    if not n:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = [timezone.now()]
    adapted = [
        _adapt(f, now, connection) * n
        if f.column in STAMPS
        else _adapt(f, columns[f.column if f.column in columns else f.name], connection)
        for f in fields
    ]
    names = [f.column for f in fields]
    if connection.vendor == "postgresql":
        _copy_write(connection, model._meta.db_table, names, adapted, conflict)
    else:
        _executemany(connection, model._meta.db_table, names, adapted, conflict)


def _adapt(field: models.Field, values: list[Any], connection: BaseDatabaseWrapper) -> list[Any]:
    """The column's values as the driver takes them (JSON as text, dates by the backend's
    adapter on SQLite), each distinct value converted once."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return _cached(values, lambda v: json.dumps(v, cls=encoder))
    if connection.vendor != "postgresql":
        if isinstance(field, models.DateTimeField):
            return each_distinct(values, connection.ops.adapt_datetimefield_value)
        if isinstance(field, models.DateField):
            return each_distinct(values, connection.ops.adapt_datefield_value)
    return values


def _key(value: Any) -> Any:
    """A stand-in of a JSON value to cache its conversion by: hashable for scalars, lists of
    scalars and flat dicts (a nested value's key is not: :func:`_cached` converts it alone)."""
    if isinstance(value, dict):
        return ("d", *value.items())
    if isinstance(value, list):
        return ("l", *value)
    return ("s", value)


def _cached(values: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """Each value converted once per object (rows often share one list or dict) and once per
    equal value (:func:`_key`)."""
    by_value: dict[Any, Any] = {}
    by_object: dict[int, Any] = {}  # the objects stay alive in `values` meanwhile
    out = []
    for value in values:
        converted = by_object.get(id(value))
        if converted is None:
            try:
                key = _key(value)
                converted = by_value.get(key)
                if converted is None:
                    converted = by_value[key] = convert(value)
            except TypeError:  # nested lists or dicts: not hashable
                converted = convert(value)
            by_object[id(value)] = converted
        out.append(converted)
    return out


def _conflict_clause(quote: Callable[[str], str], names: list[str], conflict: str) -> str:
    updated = [c for c in names if c not in (conflict, "created_at")]
    sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated)
    return f" ON CONFLICT ({quote(conflict)}) DO UPDATE SET {sets}"


def _executemany(
    connection: BaseDatabaseWrapper,
    table: str,
    names: list[str],
    columns: list[list[Any]],
    conflict: str | None,
) -> None:
    """One prepared INSERT (… ON CONFLICT DO UPDATE) run over every row."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))}) VALUES ({marks})"
    if conflict:
        sql += _conflict_clause(quote, names, conflict)
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*columns, strict=True)))


def _copy_write(
    connection: BaseDatabaseWrapper,
    table: str,
    names: list[str],
    columns: list[list[Any]],
    conflict: str | None,
) -> None:
    """PostgreSQL: COPY the rows in (into a temporary table first when they may conflict)."""
    quote = connection.ops.quote_name
    listed = ", ".join(map(quote, names))
    with connection.cursor() as cursor:
        if conflict is None:
            _copy(cursor, f"{quote(table)} ({listed})", zip(*columns, strict=True))
            return
        staging = quote(f"bulk_{table}")
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {quote(table)} WITH NO DATA"
        )
        _copy(cursor, f"{staging} ({listed})", zip(*columns, strict=True))
        cursor.execute(
            f"INSERT INTO {quote(table)} ({listed}) SELECT {listed} FROM {staging}"
            + _conflict_clause(quote, names, conflict)
        )
        cursor.execute(f"DROP TABLE {staging}")


def _copy(cursor: Any, target: str, rows: Iterator[tuple[Any, ...]]) -> None:
    with cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
