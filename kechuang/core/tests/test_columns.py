"""core.columns.fetch_columns: a queryset's values as columns, equal to what values_list gives
(dates as dates, booleans as booleans, None kept), on SQLite and (CI) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.db.models.functions import ExtractMonth, ExtractYear

from kechuang.core.columns import each_distinct, fetch_columns, float_rows
from kechuang.registry.models import Organization

pytestmark = pytest.mark.django_db


def test_fetch_columns_equals_values_list(make_org: Any) -> None:
    make_org("卧龙区", name="列读取甲（测试）", founded_on=dt.date(2019, 3, 1), is_listed=True)
    make_org("卧龙区", name="列读取乙（测试）", founded_on=None, is_listed=False)
    rows = Organization.objects.filter(name__startswith="列读取").order_by("name")
    names = ("pk", "founded_on", "is_listed", "area__name")
    got = fetch_columns(rows, names, dates=(1,), bools=(2,))
    expected = [list(c) for c in zip(*rows.values_list(*names), strict=True)]
    assert got == expected
    assert got[1] == [None, dt.date(2019, 3, 1)]  # 乙 sorts before 甲
    assert [type(v) for v in got[2]] == [bool, bool]


def test_fetch_columns_of_nothing_is_empty_columns() -> None:
    assert fetch_columns(Organization.objects.none(), ("pk", "founded_on"), dates=(1,)) == [[], []]


def test_each_distinct_converts_once_per_value() -> None:
    calls: list[str] = []

    def convert(value: str) -> int:
        calls.append(value)
        return len(value)

    assert each_distinct(["a", "bb", "a", "a"], convert) == [1, 2, 1, 1]
    assert sorted(calls) == ["a", "bb"]


def test_float_rows_equals_the_rows_read_one_by_one(make_org: Any) -> None:
    """The float matrix (PostgreSQL: packed by the database; SQLite: poured from the rows) holds
    what values_list gives, NULL as NaN, in some order of the rows."""
    founded = [dt.date(2019, 3, 1), None, dt.date(2001, 12, 31)]
    for k, day in enumerate(founded):
        make_org("卧龙区", name=f"浮点列{k}（测试）", founded_on=day, is_listed=bool(k % 2))
    rows = Organization.objects.filter(name__startswith="浮点列").values_list(
        "pk", "area_id", ExtractMonth("founded_on"), ExtractYear("founded_on")
    )
    got = float_rows(rows)
    want = np.array([[np.nan if v is None else float(v) for v in r] for r in rows])
    assert got.shape == (3, 4) and got.dtype == np.float64
    order = np.argsort(got[:, 0])
    assert np.array_equal(got[order], want[np.argsort(want[:, 0])], equal_nan=True)
    years = got[:, 3]
    assert sorted(years[~np.isnan(years)].tolist()) == [2001.0, 2019.0]
    assert np.isnan(years).sum() == 1
    assert float_rows(Organization.objects.none().values_list("pk")).shape == (0, 1)
