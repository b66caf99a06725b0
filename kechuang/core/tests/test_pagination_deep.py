"""Deep pages are read in two steps (core.pagination.rows_between): the same rows, in the same
order, as one slice, in two queries whatever the page size; the API and the pages use it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kechuang.core import pagination
from kechuang.registry.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(make_org: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    for i in range(30):
        make_org(area="卧龙区" if i % 3 else "宛城区", name=f"单位{(i * 7) % 30:02d}（测试）")
    monkeypatch.setattr(pagination, "LATE_ROWS_FROM", 10)
    return Organization.objects.select_related("area", "industry").order_by("name", "pk")


def test_a_deep_slice_is_the_same_rows_in_two_queries(
    many: Any, django_assert_num_queries: Any
) -> None:
    expected = [(o.pk, o.area.name) for o in many[12:20]]
    with django_assert_num_queries(2):  # the keys, then the rows with their joins
        rows = pagination.rows_between(many, 12, 20)
        got = [(o.pk, o.area.name) for o in rows]
    assert got == expected and len(got) == 8
    assert [o.pk for o in pagination.rows_between(many.filter(area__name="卧龙区"), 10, 15)] == [
        o.pk for o in many.filter(area__name="卧龙区")[10:15]
    ]
    shallow = pagination.rows_between(many, 0, 5)
    assert [o.pk for o in shallow] == [o.pk for o in many[:5]]
    assert pagination.rows_between(many, 40, 50) == []


def test_the_pages_paginator_reads_deep_pages_in_two_steps(many: Any) -> None:
    page = pagination.page_of(many, 3, size=5)
    assert [o.name for o in page] == [o.name for o in many[10:15]]
    assert (page.number, page.paginator.num_pages) == (3, 6)
    last = pagination.page_of(many, 99, size=7)  # out of range: the nearest page
    assert [o.name for o in last] == [o.name for o in many[28:30]]


def test_the_api_answers_a_deep_page_like_a_shallow_one(many: Any, client_for: Any) -> None:
    client = client_for("city_staff")
    listed = client.get("/api/registry/organizations", {"page_size": 5, "page": 3}).json()
    names = [o.name for o in Organization.objects.order_by("name", "pk")[10:15]]
    assert [item["name"] for item in listed["items"]] == names
    assert listed["count"] == Organization.objects.count()
