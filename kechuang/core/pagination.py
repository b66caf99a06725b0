"""One pagination for the pages and the API: the same page size, the same rule for a page
number out of range, one implementation each side."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # far beyond any list; bounds what a client can ask the database for


def page_of(rows: Any, number: Any, size: int = PAGE_SIZE) -> Page:
    """One page of `rows` for a page: a missing, bad or too large number gives the nearest
    page (Django's `get_page`), never an error."""
    return Paginator(rows, size).get_page(number)


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
