"""Reading a query's result as columns, for the set-based work on whole tables (a screening
run reads every enterprise): one cursor, no model instance and no Django converter per value;
dates and booleans converted once per distinct value.

SQLite gives a date column to Python through the driver's per-value converter (Django
registers one for the declared type ``date``); read as text (a cast, which has no declared
type) and converted once per distinct day, a column of 200,000 registration dates costs a
few hundred distinct conversions instead of 200,000."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast


def fetch_columns(
    rows: QuerySet, names: Sequence[str], dates: Sequence[int] = (), bools: Sequence[int] = ()
) -> list[list[Any]]:
    """The columns ``names`` (fields or lookups, as ``values_list`` takes them) of the
    queryset, one list per name, rows in the queryset's order; the columns at the positions
    ``dates`` are ``datetime.date`` (or None) and those at ``bools`` ``bool``, as the ORM would
    give them."""
    connection = connections[rows.db]
    as_text = connection.vendor == "sqlite"
    selected = [
        Cast(name, CharField()) if as_text and k in dates else name for k, name in enumerate(names)
    ]
    compiled = _compiled(rows.values_list(*selected))
    if compiled is None:
        return [[] for _ in names]
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return [[] for _ in names]
    columns = [list(map(itemgetter(k), fetched)) for k in range(len(names))]
    for k in dates:
        columns[k] = each_distinct(columns[k], _date)
    for k in bools:
        columns[k] = each_distinct(columns[k], _bool)
    return columns


def float_rows(rows: QuerySet) -> np.ndarray:
    """A ``values_list`` queryset of numbers as one float64 array (a row per result row, NULL
    as NaN). SQLite: the rows fetched and their values poured into the array. PostgreSQL: the
    database packs the values into a few bytea values (:func:`_aggregated_floats`), read
    straight into the array: no Python object per value (the 14 million values of a
    whole-city screening cost the client about 3 s as rows, and as rows of a binary COPY
    too: one message per row)."""
    width = len(rows.query.values_select) + len(rows.query.annotation_select)
    compiled = _compiled(rows)
    if compiled is None:
        return np.zeros((0, width))
    sql, params = compiled
    connection = connections[rows.db]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _aggregated_floats(cursor, sql, params, width)
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    values = chain.from_iterable(fetched)  # None → NaN
    return np.fromiter(values, dtype=np.float64, count=len(fetched) * width).reshape(-1, width)


def _compiled(rows: QuerySet) -> tuple[str, Sequence[Any]] | None:
    """The queryset's SQL and parameters, or None when it matches nothing before it runs
    (``.none()``, ``pk__in=[]``)."""
    try:
        return rows.query.sql_with_params()
    except EmptyResultSet:
        return None


# Rows per bytea the database builds (each of a sixteenth of the rows, far below bytea's 1 GB).
_CHUNKS = 16


def _aggregated_floats(cursor: Any, sql: str, params: Sequence[Any], width: int) -> np.ndarray:
    """PostgreSQL: every value cast to float8 (NULL as NaN) and sent as its 8 big-endian bytes,
    the rows concatenated into a few bytea values by the database itself, read as one array."""
    names = [f"c{k}" for k in range(width)]
    packed = " || ".join(f"float8send(COALESCE(t.{n}::float8, 'NaN'::float8))" for n in names)
    query = (
        f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS t({', '.join(names)}) "
        f"GROUP BY t.c0::bigint %% {_CHUNKS}"  # %% : a literal % beside the parameters
    )
    # Results in binary: each bytea as its bytes, not as hex text (half the bytes sent, nothing
    # to decode). Django's cursors bind parameters on the client, which gives text results
    # only, so this query goes through a cursor binding them on the server (never prepared:
    # a long-lived worker's connection keeps no plan across migrations; at most 65,535
    # parameters, so filter by a subquery rather than a long list of ids). Django's query log
    # and execute wrappers do not see it.
    with cursor.db.wrap_database_errors, psycopg.Cursor(cursor.cursor.connection) as binary:
        binary.execute(query, params, binary=True, prepare=False)
        chunks = binary.fetchall()
    data = b"".join(chunk for (chunk,) in chunks)
    return np.frombuffer(data, dtype=">f8").astype(np.float64).reshape(-1, width)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def each_distinct(values: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """The hashable values converted once per distinct value (a column of a few dates)."""
    converted = {value: convert(value) for value in set(values)}
    return [converted[value] for value in values]
