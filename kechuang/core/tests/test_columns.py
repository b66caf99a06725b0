"""core.columns.fetch_columns: a queryset's values as columns, equal to what values_list gives
(dates as dates, booleans as booleans, None kept), on SQLite and (CI) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.core.columns import each_distinct, fetch_columns
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
