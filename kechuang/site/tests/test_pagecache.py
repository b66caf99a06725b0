"""The cache of rendered page bodies (core/pagecache.py): served per user and data version, never
across scopes, dropped by a write, with this request's CSRF token and fresh security headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings

from kechuang.core.pagecache import CACHE_ALIAS, nonce_used
from kechuang.core.pagination import counted
from kechuang.core.roles import Role
from kechuang.core.services import archive_instance, save_instance
from kechuang.monitoring.selectors import PROGRESS_MODELS
from kechuang.registry.models import Organization, OrganizationKind

pytestmark = pytest.mark.django_db

ORG_PAGE = "/registry/organizations/"
ORG_API = "/api/registry/organizations"


def cached_keys() -> int:
    """The pages kept (the cache also holds counts of the organization list)."""
    keys = caches[CACHE_ALIAS]._cache  # type: ignore[attr-defined]
    return sum(":page:" in key for key in keys)


def test_second_view_is_served_from_the_cache_with_three_queries(
    client_for: Callable[[str], Client], orgs: dict[str, Any]
) -> None:
    client = client_for("city_staff")
    first = client.get(ORG_PAGE)
    assert first.status_code == 200
    assert cached_keys() == 1
    with CaptureQueriesContext(connection) as queries:
        second = client.get(ORG_PAGE)
    assert second.status_code == 200
    # the session, the user and the data version; the list itself is not read again
    assert len(queries.captured_queries) == 3
    assert "卧龙测试企业（测试）" in second.content.decode()
    assert "宛城测试企业（测试）" in second.content.decode()


@pytest.mark.parametrize("path", [ORG_PAGE, ORG_API])
def test_county_staff_never_get_another_countys_cached_list(
    make_user: Callable[..., Any],
    orgs: dict[str, Any],
    wolong: Any,
    wancheng: Any,
    path: str,
) -> None:
    clients = {}
    for area in (wolong, wancheng):
        client = Client()
        client.force_login(make_user(Role.COUNTY_STAFF, username=f"county_{area.pk}", area=area))
        clients[area.name] = client
    for _ in range(2):  # the second round is served from the cache
        for area_name, client in clients.items():
            body = client.get(path).content.decode()
            own, other = ("卧龙", "宛城") if area_name == "卧龙区" else ("宛城", "卧龙")
            assert f"{own}测试企业（测试）" in body
            assert f"{other}测试企业（测试）" not in body
    assert cached_keys() == 2


@pytest.mark.parametrize("path", [ORG_PAGE, ORG_API])
def test_an_audited_write_drops_the_cached_page(
    client_for: Callable[[str], Client], users: dict[str, Any], orgs: dict[str, Any], path: str
) -> None:
    client = client_for("city_staff")
    assert "卧龙测试企业（测试）" in client.get(path).content.decode()
    save_instance(users["city_admin"], orgs["wolong"], {"name": "卧龙改名企业（测试）"})
    body = client.get(path).content.decode()
    assert "卧龙改名企业（测试）" in body
    assert "卧龙测试企业（测试）" not in body


def test_a_row_added_without_an_audit_entry_shows_at_once(
    client_for: Callable[[str], Client], orgs: dict[str, Any], make_org: Callable[..., Any]
) -> None:
    client = client_for("city_staff")
    client.get(ORG_PAGE)
    make_org("卧龙区", name="新登记企业（测试）")
    assert "新登记企业（测试）" in client.get(ORG_PAGE).content.decode()


def test_a_cached_page_carries_a_working_csrf_token_and_the_security_headers(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["city_staff"])
    client.get(ORG_PAGE)
    cached = client.get(ORG_PAGE)
    body = cached.content.decode()
    assert "\x00" not in body
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert len(token) == 64
    assert "no-store" in cached["Cache-Control"]
    assert "script-src 'self'" in cached["Content-Security-Policy"]
    # the token of the cached page logs out (a POST checked against the CSRF cookie)
    answer = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302
    assert client.get(ORG_PAGE).status_code == 302  # signed out: sent to the login page


def test_the_cache_keeps_nothing_for_anonymous_users_or_other_pages(
    client_for: Callable[[str], Client], orgs: dict[str, Any]
) -> None:
    client_for("anonymous").get("/market/")
    client_for("city_staff").get("/registry/qualifications/")
    assert cached_keys() == 0


@override_settings(PAGE_CACHE_ENABLED=False)
def test_the_cache_can_be_switched_off(
    client_for: Callable[[str], Client], orgs: dict[str, Any]
) -> None:
    client = client_for("city_staff")
    client.get(ORG_PAGE)
    with CaptureQueriesContext(connection) as queries:
        client.get(ORG_PAGE)
    assert cached_keys() == 0
    assert len(queries.captured_queries) > 3


def test_the_organization_count_is_kept_until_a_row_is_added_or_archived(
    users: dict[str, Any], orgs: dict[str, Any], make_org: Callable[..., Any]
) -> None:
    live = Organization.objects.filter(archived=False)
    assert counted(live) == 3
    with CaptureQueriesContext(connection) as queries:
        assert counted(live) == 3
    assert not any("COUNT" in query["sql"] for query in queries.captured_queries)
    assert counted(live.filter(kind=OrganizationKind.UNIVERSITY)) == 1  # per query
    make_org("宛城区", name="新登记企业（测试）")
    assert counted(live) == 4
    archive_instance(users["city_admin"], orgs["wolong"], None, "注销（测试）")
    assert counted(live) == 3
    assert counted([1, 2]) == 2  # a list is counted as it is
    assert counted(Organization.objects.filter(pk__in=[])) == 0  # nothing to ask the database


def test_a_deep_page_of_the_organization_list_shows_the_rows_in_name_order(
    client_for: Callable[[str], Client], make_org: Callable[..., Any]
) -> None:
    for n in range(1060):  # page 22 of 50 starts at offset 1,050: read in two steps
        make_org("卧龙区", name=f"排序企业{n:04d}（测试）")
    names = list(
        Organization.objects.filter(archived=False).order_by("name", "id").values_list("name")
    )
    body = client_for("city_staff").get(ORG_PAGE, {"page": 22}).content.decode()
    shown = [name for (name,) in names if f">{name}</a>" in body]
    assert shown == [name for (name,) in names[1050:1100]]
    assert shown[0].startswith("排序企业10")


def test_a_page_that_used_the_csp_nonce_is_not_kept(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    request = RequestFactory().get(ORG_PAGE)
    assert not nonce_used(request)
    CSPMiddleware(lambda _: HttpResponse()).process_request(request)
    assert not nonce_used(request)  # offered, not read
    assert len(str(request.csp_nonce)) > 10  # the page reads it
    assert nonce_used(request)


def test_plan_progress_pages_are_versioned_on_what_the_progress_reads() -> None:
    """The dashboard and the progress API are kept by the page cache too: its version must
    cover every table the computation reads (monitoring.selectors.PROGRESS_MODELS)."""
    read = {model._meta.label for model in PROGRESS_MODELS}
    for route in ("monitoring:dashboard", "api:plan_progress"):
        assert set(settings.PAGE_CACHE_ROUTES[route]["tables"]) == read, route
