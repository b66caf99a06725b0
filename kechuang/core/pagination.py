"""One pagination for the pages and the API: the same page size, the same rule for a page
number out of range, one implementation each side."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from kechuang.core.audit import data_version

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # far beyond any list; bounds what a client can ask the database for


# From this offset on, a page is read in two steps (`rows_between`).
LATE_ROWS_FROM = 1000


def rows_between(rows: Any, start: int, stop: int) -> Any:
    """rows[start:stop] of an ordered queryset, deep pages read in two steps: the offset is
    walked over the primary keys alone (the ordering's index, no joins), then the page's rows
    are read by key with their joins and prefetches. Read in one step, the database joins every
    skipped row: page 5,000 of the 200,000 organizations took seconds instead of milliseconds
    (bench/bench_org_list.py). The large tables (settings.COUNTED_MODELS) take two steps on
    every page: with a filter whose rows are not in the list's order (an area, an industry)
    the one step joined and sorted every matching row, the keys alone are sorted from a
    covering index (Organization's `organization_live_*`). Shallow pages of other tables,
    lists and distinct querysets: one step."""
    if not isinstance(rows, QuerySet) or rows.query.distinct:
        return rows[start:stop]
    if start < LATE_ROWS_FROM and rows.model._meta.label not in settings.COUNTED_MODELS:
        return rows[start:stop]
    keys = list(rows.values_list("pk", flat=True)[start:stop])
    found = {row.pk: row for row in _by_keys(rows, keys)}
    return [found[key] for key in keys if key in found]


def _by_keys(rows: QuerySet, keys: list[Any]) -> QuerySet:
    """The rows of `rows` (its joins, annotations and prefetches) with these keys, by key alone:
    the keys were read under its filters, and repeated here they let the database walk a filter's
    index instead of fetching the few keys (a kind: 57 ms instead of 0.3 on SQLite)."""
    chosen = rows.order_by()
    chosen.query.where = WhereNode()
    return chosen.filter(pk__in=keys)


def counted(rows: Any) -> int:
    """The number of rows of a list. For the large tables listed in settings.COUNTED_MODELS
    (the exact COUNT(*) over ~200,000 organizations is what a page of them costs most) the
    count is kept per query and version of the table's data (`core.audit.data_version`: every
    audited write, every new row), for at most PAGE_CACHE_SECONDS."""
    if not isinstance(rows, QuerySet):
        return len(rows)
    if rows.model._meta.label not in settings.COUNTED_MODELS:
        return rows.count()
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # e.g. a scope that sees nothing: no query to count with
        return 0
    raw = repr((rows.db, sql, params, data_version(rows.model)))
    key = "count:" + hashlib.sha256(raw.encode()).hexdigest()
    store = caches["pages"]
    number = store.get(key)
    if number is None:
        number = rows.count()
        store.set(key, number, settings.PAGE_CACHE_SECONDS)
    return int(number)


class LatePaginator(Paginator):
    """Django's paginator, reading deep pages in two steps (`rows_between`), counting large
    tables once per data version (`counted`)."""

    @cached_property
    def count(self) -> int:
        return counted(self.object_list)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_between(self.object_list, bottom, top), number, self)


def page_of(rows: Any, number: Any, size: int = PAGE_SIZE) -> Page:
    """One page of `rows` for a page: a missing, bad or too large number gives the nearest
    page (Django's `get_page`), never an error."""
    return LatePaginator(rows, size).get_page(number)


class Pagination(PageNumberPagination):
    """The API's pagination: `page` from 1 to MAX_PAGE, `page_size` from 1 to MAX_PAGE_SIZE
    (default PAGE_SIZE, as on the pages); a value out of range is a 422 in Chinese, never a
    500. The answer holds `items` and `count`."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码（从 1 开始）")
        page_size: int | None = Field(
            None, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（默认 {PAGE_SIZE}）"
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: Any, **params: Any
    ) -> dict[str, Any]:
        """ninja's page, deep pages read in two steps (`rows_between`)."""
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        return {
            self.items_attribute: rows_between(queryset, offset, offset + size),
            "count": counted(queryset),
        }
