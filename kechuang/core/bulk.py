"""Bulk writes of whole columns (a screening run's pool entries and movements, an Excel
import's new rows, the audit entries of bulk writes).

The rows come as one list per column (values as the model's fields hold them); each JSON value
is encoded once per distinct value, each date adapted once per distinct day, and the rows are
written in one set-based pass: on SQLite one prepared ``INSERT`` or ``UPDATE`` statement run
over every row (``executemany`` of tuples), on PostgreSQL ``COPY`` into the table (inserts) or
into a temporary table and one ``UPDATE … FROM`` it (updates). No model instance, no SQL
compiled per row.

`create` is `bulk_create` of model instances on that path: their primary keys are allocated
first (PostgreSQL: from the table's sequence; SQLite: after the highest id ever used, under the
transaction's write lock), so the rows are written without RETURNING and the instances carry
their ids for what follows (audit entries, links).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import NotSupportedError, connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from kechuang.core.columns import each_distinct

STAMPS = ("created_at", "updated_at")
# Fields whose Python value the driver takes as it is (dates and JSON are adapted by `_adapt`);
# any other kind (a file, a UUID…) goes through the field's own pre_save and preparation.
PLAIN_FIELDS = (
    models.BooleanField,
    models.CharField,
    models.DateField,  # DateTimeField too
    models.DecimalField,
    models.FloatField,
    models.ForeignKey,
    models.IntegerField,  # the auto and big ones too
    models.JSONField,
    models.TextField,
)


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
    without the database's own foreign-key lookups); raises if one is not. Inside a
    transaction on PostgreSQL the rows found stay locked against deletes until it ends (``FOR
    KEY SHARE``, the lock a foreign-key check takes); SQLite's write lock keeps them already."""
    connection = connections[router.db_for_write(model)]
    found: set[int] = set()
    if ids and connection.vendor == "postgresql" and connection.in_atomic_block:
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk} FROM {table} WHERE {pk} = ANY(%s) FOR KEY SHARE", [sorted(ids)]
            )
            found = {row[0] for row in cursor.fetchall()}
    elif ids:
        found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := ids - found:
        raise model.DoesNotExist(f"{model._meta.verbose_name} 不存在：{sorted(missing)[:5]}")


def insert(model: type[models.Model], columns: dict[str, list[Any]]) -> None:
    """INSERT the rows (one list per column name; the primary key from the database,
    created_at/updated_at now)."""
    _write(model, columns)


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` new primary keys of `model`'s table, ascending, never used before. Inside a
    transaction: on SQLite the transaction's write lock (``transaction_mode`` IMMEDIATE) keeps
    them from others until it ends (rows written with them move the AUTOINCREMENT counter on);
    on PostgreSQL they are taken from the sequence, as the rows' own defaults would be."""
    if n <= 0:
        return []
    connection = connections[router.db_for_write(model)]
    if not connection.in_atomic_block:
        raise NotSupportedError("allocate_ids must run inside transaction.atomic().")
    table, column = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [table])
        highest = max(highest, cursor.fetchone()[0] or 0)
    return list(range(highest + 1, highest + 1 + n))


def create(model: type[models.Model], instances: list[models.Model]) -> None:
    """INSERT the unsaved `instances` (what ``bulk_create`` does, without signals): their ids
    allocated and set, ``auto_now``/``auto_now_add`` stamps set to now, every concrete field
    written as the instance holds it (the values already cleaned). Inside a transaction."""
    if not instances:
        return
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    fields = model._meta.concrete_fields
    stamps = [
        f.attname for f in fields if getattr(f, "auto_now", 0) or getattr(f, "auto_now_add", 0)
    ]
    pk_attname = model._meta.pk.attname
    for instance, pk in zip(instances, allocate_ids(model, len(instances)), strict=True):
        state = instance.__dict__
        state[pk_attname] = pk
        for attname in stamps:
            state[attname] = now
        instance._state.adding = False
        instance._state.db = connection.alias
    columns = {f.column: _column(f, instances, connection, True) for f in fields}
    _write(model, columns, stamped=False)


def _column(
    field: models.Field, instances: list[models.Model], connection: BaseDatabaseWrapper, add: bool
) -> list[Any]:
    """The field's values of `instances` as written: as held for plain fields, else through the
    field's own pre_save and preparation (as the ORM's save does)."""
    if isinstance(field, PLAIN_FIELDS):
        return [getattr(i, field.attname) for i in instances]
    return [field.get_db_prep_save(field.pre_save(i, add), connection) for i in instances]


def update(model: type[models.Model], instances: list[models.Model], names: list[str]) -> None:
    """UPDATE the fields `names` of saved `instances` to the values they hold, by primary key
    (``bulk_update`` without a CASE per row and field, and without signals).
    ``auto_now`` stamps are not set: name them and set them first."""
    if not instances or not names:
        return
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in names]
    columns = [_adapt(f, _column(f, instances, connection, False), connection) for f in fields]
    keys = [getattr(i, model._meta.pk.attname) for i in instances]
    _update_rows(connection, model, fields, columns, keys)


def update_by_key(
    model: type[models.Model], columns: dict[str, list[Any]], key: str = "id"
) -> None:
    """UPDATE the rows whose ``key`` (the primary key, or a unique column) is
    ``columns[key]``: every other column given (one list per column, as :func:`insert` takes
    them), and updated_at now (created_at kept)."""
    keys = columns[key]
    if not keys:
        return
    connection = connections[router.db_for_write(model)]
    key_field = model._meta.pk if key == "id" else model._meta.get_field(key)
    fields = [
        f
        for f in model._meta.concrete_fields
        if f is not key_field
        and not f.primary_key
        and (f.column == "updated_at" or f.column in columns or f.name in columns)
    ]
    adapted = _adapted(fields, columns, connection, len(keys), stamped=True)
    _update_rows(connection, model, fields, adapted, keys, key_field)


def _update_rows(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: list[models.Field],
    columns: list[list[Any]],
    keys: list[Any],
    key: models.Field | None = None,
) -> None:
    """The adapted `columns` of `fields` written to the rows whose `key` (default: the primary
    key) is in `keys`: on SQLite one prepared UPDATE … WHERE key = ? run over every row (no
    insert attempted first, as an upsert does), on PostgreSQL COPY into a temporary table and
    one ``UPDATE … FROM`` it."""
    quote = connection.ops.quote_name
    pk = key or model._meta.pk  # the column the rows are found by
    table = quote(model._meta.db_table)
    if connection.vendor != "postgresql":
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {quote(pk.column)} = %s",
                list(zip(*columns, keys, strict=True)),
            )
        return
    sets = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields)
    listed = ", ".join(quote(f.column) for f in [*fields, pk])
    staging = quote(f"bulk_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        _copy(cursor, f"{staging} ({listed})", [*columns, keys])
        cursor.execute(
            f"UPDATE {table} AS t SET {sets} FROM {staging} AS s "
            f"WHERE t.{quote(pk.column)} = s.{quote(pk.column)}"
        )
        cursor.execute(f"DROP TABLE {staging}")


def _write(model: type[models.Model], columns: dict[str, list[Any]], stamped: bool = True) -> None:
    """Write the rows; the primary key only when `columns` has it; with `stamped`, created_at
    and updated_at are now (otherwise as given)."""
    n = len(next(iter(columns.values()), []))
    if not n:
        return
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or pk.column in columns]
    adapted = _adapted(fields, columns, connection, n, stamped)
    quote = connection.ops.quote_name
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, target, adapted)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {target} VALUES ({marks})", list(zip(*adapted, strict=True))
            )


def _adapted(
    fields: list[models.Field],
    columns: dict[str, list[Any]],
    connection: BaseDatabaseWrapper,
    n: int,
    stamped: bool,
) -> list[list[Any]]:
    """The columns of `fields` (given by column or field name) as the driver takes them; with
    `stamped`, created_at/updated_at are now in each of the `n` rows."""
    now = [timezone.now()]
    return [
        _adapt(f, now, connection) * n
        if stamped and f.column in STAMPS
        else _adapt(f, columns[f.column if f.column in columns else f.name], connection)
        for f in fields
    ]


def _adapt(field: models.Field, values: list[Any], connection: BaseDatabaseWrapper) -> list[Any]:
    """The column's values as the driver takes them (JSON as text, dates by the backend's
    adapter on SQLite), each distinct value converted once."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        # PostgreSQL stores the parsed value (jsonb): sent as UTF-8, not as \uXXXX escapes (a
        # sixth of the bytes for Chinese, and no backslash for COPY to escape); SQLite keeps
        # the text, as Django writes it
        ascii_only = connection.vendor != "postgresql"
        return _cached(values, lambda v: json.dumps(v, cls=encoder, ensure_ascii=ascii_only))
    if connection.vendor != "postgresql":
        if isinstance(field, models.DateTimeField):
            return each_distinct(values, connection.ops.adapt_datetimefield_value)
        if isinstance(field, models.DateField):
            return each_distinct(values, connection.ops.adapt_datefield_value)
    return values


def _key(value: Any) -> Any:
    """A stand-in of a JSON value to cache its conversion by: hashable for scalars, lists of
    scalars and flat dicts (a nested value's key is not: :func:`_cached` converts it alone)."""
    # each scalar with its type: 1, 1.0 and True are equal (and hash alike) in Python but are
    # three JSON values
    if isinstance(value, dict):
        return ("d", *value.items(), *map(type, value.values()))
    if isinstance(value, list):
        return ("l", *value, *map(type, value))
    return ("s", type(value), value)


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


def _copy(cursor: Any, target: str, columns: list[list[Any]]) -> None:
    """COPY the rows (one list per column) into `target`: as one block of COPY text built
    column by column (each distinct value formatted once) when every value is of a plain type
    (:func:`_copy_texts`), else row by row through psycopg's own adaptation."""
    texts = _copy_texts(columns)
    # psycopg's own COPY: its errors (a unique key taken meanwhile) raised as Django's, like
    # every other statement's, so callers catch IntegrityError alike on both databases
    with cursor.db.wrap_database_errors, cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
        if texts is None:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
            return
        lines = map("\t".join, zip(*texts, strict=True))
        for _ in range(0, len(texts[0]) if texts else 0, COPY_BLOCK):
            block = "\n".join(islice(lines, COPY_BLOCK)) + "\n"
            copy.write(block.encode())


COPY_BLOCK = 20_000  # rows per block handed to the connection
# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_texts(columns: list[list[Any]]) -> list[list[str]] | None:
    """Each column's values in COPY's text format (NULL as \\N), each distinct value formatted
    once; None when a value is of a type this does not format (psycopg then adapts them)."""
    out = []
    for values in columns:
        formatted: dict[tuple[type, Any], str] = {}
        column = []
        for value in values:
            key = (type(value), value)
            text = formatted.get(key)
            if text is None:
                text = _copy_text(value)
                if text is None:
                    return None
                formatted[key] = text
            column.append(text)
        out.append(column)
    return out


def _copy_text(value: Any) -> str | None:
    """One value in COPY's text format, or None for a type left to psycopg."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is not str and isinstance(value, str):  # a choices member (TextChoices): its text
        value, kind = str.__str__(value), str
    if kind is str:  # translate only where needed: it costs ~25 µs on a line of Chinese
        return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is float:
        return (
            repr(value)
            if math.isfinite(value)
            else {"nan": "NaN", "inf": "Infinity"}.get(repr(value), "-Infinity")
        )
    if kind is dt.date or (kind is dt.datetime and value.tzinfo is not None):
        return value.isoformat()
    if kind is Decimal and value.is_finite():
        return str(value)
    return None
