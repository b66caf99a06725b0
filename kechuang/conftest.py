"""Shared fixtures: reference data, organizations in two areas, one user per role, and the
browser (Debian chromium through Playwright) for tests marked `browser`.

Chromium runs headless with a fresh profile, without sandbox (CI runs as root) and without any
background networking; every request to a host other than the live server is aborted and fails
the test, which also proves that no page needs a CDN.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from kechuang.registry.engine.uscc import check_character

# Django models are imported inside the fixtures, so that the pure engine tests also run without
# Django (`pytest -p no:django kechuang/cultivation/engine`).

STRONG_PASSWORD = "Nanyang-2025-pass"


def make_uscc(serial: int, division: str = "411303") -> str:
    body = f"91{division}{serial:09d}"
    return body + check_character(body)


@pytest.fixture
def reference(db: Any) -> None:
    from kechuang.registry.services import load_reference

    load_reference()


@pytest.fixture
def wolong(reference: None) -> Any:
    from kechuang.registry.models import Area

    return Area.objects.get(name="卧龙区")


@pytest.fixture
def wancheng(reference: None) -> Any:
    from kechuang.registry.models import Area

    return Area.objects.get(name="宛城区")


@pytest.fixture
def make_org(reference: None) -> Callable[..., Any]:
    from kechuang.registry.models import Area, Organization, OrganizationKind

    counter = iter(range(1, 10_000))

    def make(area: str = "卧龙区", kind: str = OrganizationKind.ENTERPRISE, **extra: Any) -> Any:
        serial = next(counter)
        area_obj = Area.objects.get(name=area)
        division = area_obj.code if area_obj.code.isdigit() else "411300"
        values = {
            "uscc": make_uscc(serial, division),
            "name": f"测试单位{serial}（测试）",
            "kind": kind,
            "area": area_obj,
            "contact_phone": "13912345678",
        }
        values.update(extra)
        return Organization.objects.create(**values)

    return make


@pytest.fixture
def orgs(make_org: Callable[..., Any]) -> dict[str, Any]:
    from kechuang.registry.models import OrganizationKind

    return {
        "wolong": make_org("卧龙区", name="卧龙测试企业（测试）"),
        "wancheng": make_org("宛城区", name="宛城测试企业（测试）"),
        "wolong_univ": make_org(
            "卧龙区", kind=OrganizationKind.UNIVERSITY, name="卧龙测试学院（测试）"
        ),
    }


@pytest.fixture
def make_user(reference: None) -> Callable[..., Any]:
    from kechuang.accounts.models import User
    from kechuang.core.roles import Role

    def make(role: str, username: str | None = None, **extra: Any) -> Any:
        user = User(username=username or role, role=role, **extra)
        if role == Role.CITY_ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password(STRONG_PASSWORD)
        user.full_clean(exclude=["password"])
        user.save()
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., Any], orgs: dict[str, Any], wolong: Any) -> dict[str, Any]:
    """One account per role; "anonymous" is None."""
    from kechuang.core.roles import Role

    return {
        "anonymous": None,
        "city_admin": make_user(Role.CITY_ADMIN),
        "city_staff": make_user(Role.CITY_STAFF),
        "county_staff": make_user(Role.COUNTY_STAFF, area=wolong),
        "enterprise": make_user(Role.ENTERPRISE, organization=orgs["wolong"]),
        "institution": make_user(Role.INSTITUTION, organization=orgs["wolong_univ"]),
        "expert": make_user(Role.EXPERT),
    }


@pytest.fixture
def client_for(users: dict[str, Any]) -> Callable[[str], Client]:
    """A test client signed in as the given role (anonymous for "anonymous")."""

    def make(role: str) -> Client:
        client = Client(REMOTE_ADDR="10.1.2.3")
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return make


# --- browser ------------------------------------------------------------------------------------
# Playwright's sync API keeps an event loop running in the test thread while the tests' own ORM
# calls stay synchronous; Django's async guard would refuse them. Set at import, because a fixture
# is too late for the database fixtures; the subprocess tests drop DJANGO_* variables.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KECHUANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    outside: list[str] = []
    local_host = urlparse(live_server.url).hostname

    def guard(route: Any) -> None:
        if urlparse(route.request.url).hostname == local_host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert outside == [], f"pages tried to reach outside hosts: {outside}"


def log_in(page: Any, username: str, password: str = STRONG_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
