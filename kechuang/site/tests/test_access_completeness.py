"""Every API operation in /api/openapi.json and every URL pattern of the site has rows in an
access matrix: adding an endpoint or a page without saying who may use it fails here."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from kechuang.site.api import api

# Not pages of the platform: Django's admin (its own permission system, tested in
# accounts/tests), the API (checked operation by operation above) and static files.
NOT_PAGES = ("admin/", "api/", "static/")


def all_rows() -> list[Any]:
    """Every declared or generated row, whatever harness it uses (method, url)."""
    from kechuang.contracts.tests.test_access import ROWS as CONTRACTS
    from kechuang.core.tests.test_jobs_access import ROWS as JOBS
    from kechuang.core.tests.test_permission_matrix import ROWS as FOUNDATION
    from kechuang.market.tests.test_access import ROWS as MARKET
    from kechuang.monitoring.tests.test_api import ROWS as MONITORING
    from kechuang.policies.tests.test_access import ROWS as POLICIES
    from kechuang.programs.tests.test_access import ROWS as PROGRAMS
    from kechuang.projects.tests.test_access import ROWS as PROJECTS
    from kechuang.registry.tests.test_registry_matrix import ROWS as REGISTRY
    from kechuang.site.tests.test_access_declared import API_ROWS as DECLARED_API
    from kechuang.site.tests.test_access_declared import PAGE_ROWS as DECLARED_PAGES
    from kechuang.site.tests.test_access_registry import API_ROWS, PAGE_ROWS

    return [
        *FOUNDATION,
        *JOBS,
        *CONTRACTS,
        *MARKET,
        *MONITORING,
        *POLICIES,
        *PROGRAMS,
        *PROJECTS,
        *REGISTRY,
        *API_ROWS,
        *PAGE_ROWS,
        *DECLARED_API,
        *DECLARED_PAGES,
    ]


def _shape(path: str) -> str:
    """A path with its parameters blanked: /api/x/{pk} and /api/x/{wolong_pk} alike."""
    path = path.split("?")[0]
    path = re.sub(r"\{[^}]*\}", "{}", path)
    return re.sub(r"<[^>]*>", "{}", path)


def _covered() -> set[tuple[str, str]]:
    covered = set()
    for row in all_rows():
        url = row.url
        if not re.search(r"\{[^}]*\}", url.split("?")[0]):
            # A concrete URL (e.g. /api/monitoring/plans/nanyang-14/progress) counts for the
            # pattern it resolves to.
            url = _pattern_of(url.split("?")[0]) or url
        covered.add((row.method.upper(), _shape(url)))
    return covered


@functools.cache
def _api_paths() -> dict[str, Any]:
    return api.get_openapi_schema()["paths"]


@functools.cache
def _page_patterns() -> tuple[str, ...]:
    return tuple(_patterns(get_resolver().url_patterns))


def _api_operations() -> set[tuple[str, str]]:
    return {(method.upper(), _shape(path)) for path, ops in _api_paths().items() for method in ops}


def _patterns(resolvers: list[Any], prefix: str = "") -> list[str]:
    found = []
    for entry in resolvers:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not text.startswith(NOT_PAGES):
                found += _patterns(entry.url_patterns, text)
        elif isinstance(entry, URLPattern) and not text.startswith(NOT_PAGES):
            found.append("/" + text)
    return found


def _pattern_of(url: str) -> str | None:
    """The API path template or URL pattern a concrete URL matches (a fixed one first:
    /registry/platforms/new/ is not /registry/platforms/<int:pk>/)."""
    pages = _page_patterns()
    if url in pages:
        return url
    for path in _api_paths():
        if re.fullmatch(re.sub(r"\{[^}]*\}", "[^/]+", path), url):
            return path
    for pattern in pages:
        if re.fullmatch(re.sub(r"<[^>]*>", "[^/]+", pattern), url):
            return pattern
    return None


def test_every_api_operation_has_access_rows() -> None:
    missing = sorted(_api_operations() - _covered())
    assert missing == [], f"这些接口没有权限矩阵行：{missing}"


def test_every_page_has_access_rows() -> None:
    covered = {path for _, path in _covered()}
    pages = {_shape(p) for p in _page_patterns()}
    missing = sorted(pages - covered)
    assert missing == [], f"这些页面没有权限矩阵行：{missing}"
