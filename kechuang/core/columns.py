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
from operator import itemgetter
from typing import Any

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
    try:
        sql, params = rows.values_list(*selected).query.sql_with_params()
    except EmptyResultSet:  # e.g. .none(), or pk__in=[]
        return [[] for _ in names]
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
