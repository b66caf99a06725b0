"""Shared fixtures: reference data, organizations in two areas, one user per role, and the
browser (Debian chromium through Playwright) for tests marked `browser`.

Chromium runs headless with a fresh profile, without sandbox (CI runs as root) and without any
background networking; every request to a host other than the live server is aborted and fails
the test, which also proves that no page needs a CDN.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from kechuang.registry.engine.uscc import check_character

# Django models are imported inside the fixtures, so that the pure engine tests also run without
# Django (`pytest -p no:django kechuang/cultivation/engine`).

STRONG_PASSWORD = "Nanyang-2025-pass"
REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared repository (seeds, official rules) the reference tests read: $KECHUANG_SHARED,
    else `../shared` next to this checkout, else `../shared` next to the checkout this one was
    cloned from (a fresh `git clone` into a temporary folder). Tests that need it fail, naming
    the path, when none exists; they never skip."""
    configured = os.environ.get("KECHUANG_SHARED")
    if configured:
        return Path(configured)
    candidates = [REPO.parent / "shared"]
    origin = subprocess.run(
        ["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and "://" not in origin and ":" not in origin.split("/")[0]:
        candidates.append(Path(origin).resolve().parent / "shared")
    return next((path for path in candidates if path.is_dir()), candidates[0])


def make_uscc(serial: int, division: str = "411303") -> str:
    body = f"91{division}{serial:09d}"
    return body + check_character(body)


# --- reference data -------------------------------------------------------------------------
# The Nanyang reference data (areas, industries, high-tech fields, named bodies) is loaded once per
# test database (once per xdist worker), committed, right after the database is created. A test in
# a transaction rolls back to it. A transactional test (live server, browser) ends with a flush
# that empties every table, so the next database test finds no areas and loads it again,
# committed: every database test starts with the reference data, whatever ran before it.


def _ensure_reference_data() -> None:
    from kechuang.registry.models import Area
    from kechuang.registry.services import load_reference

    if not Area.objects.exists():
        load_reference()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        _ensure_reference_data()


@pytest.fixture(autouse=True)
def _signal_handlers() -> Iterator[None]:
    """Each test leaves SIGTERM and SIGINT as it found them: `manage.py db_worker`, run in the
    test process by the queue tests, installs its graceful-shutdown handlers and keeps them,
    and a process forked later (a pool worker) would then not end on SIGTERM."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    if "_django_db_helper" in request.fixturenames:
        request.getfixturevalue("_django_db_helper")
        _ensure_reference_data()
        # Every database test starts with an empty cache: SQLite hands out the ids of a rolled
        # back test again, so a result cached under one test's data version (e.g. the plan
        # progress) could otherwise be served to the next test's different data.
        from django.core.cache import cache, caches

        from kechuang.core.pagecache import CACHE_ALIAS
        from kechuang.monitoring.selectors import forget_cached_results

        cache.clear()
        caches[CACHE_ALIAS].clear()  # the rendered pages (core.pagecache)
        forget_cached_results()


@pytest.fixture
def reference(db: Any) -> None:
    """The reference data; present in every database test (see above), named for readability."""


@pytest.fixture
def no_reference(db: Any) -> None:
    """A database whose reference data has not been loaded yet (deleted inside the test's
    transaction, so the next test finds it again)."""
    from kechuang.registry.models import Area, IndustryChain, NamedActor, TechField

    NamedActor.objects.all().delete()
    for model in (Area, IndustryChain):
        model.objects.exclude(parent=None).delete()
        model.objects.all().delete()
    TechField.objects.all().delete()


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
        url = urlparse(route.request.url)
        if url.hostname != local_host:
            outside.append(route.request.url)
            route.abort()
        elif url.path == "/favicon.ico":
            # Chromium's own probe after each page load, not a request of the page: answered
            # here, so it never reaches the server while the test moves on or tears down.
            route.fulfill(status=404)
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        wait_until_served(live_server)
    assert outside == [], f"pages tried to reach outside hosts: {outside}"


@pytest.fixture
def page_errors(page: Any) -> list[str]:
    """The uncaught script errors of the browser test's page, as they happen (a test ends by
    asserting the list is empty)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def wait_until_served(live_server: Any, timeout: float = 30.0) -> None:
    """Wait until the live server has finished every request it received.

    The server answers each connection in its own thread, and on SQLite shares the test's
    in-memory database connection with it. Once the browser context is closed no new request
    can come, but one already received (a page, a form post the test did not wait for) may
    still be running; the database flush of the test's teardown must not start before it ends
    ("database table is locked"). Closing the context closes the browser's connections, so each
    connection thread ends after its current request.
    """
    httpd = live_server.thread.httpd
    # socketserver.ThreadingMixIn keeps the threads it started (`_threads`) when
    # `block_on_close` is set, to join them on server_close(); the live server stays up for the
    # whole session, so join them here.
    assert httpd.block_on_close, "the live server no longer keeps its request threads"
    threads = vars(httpd).get("_threads", [])
    deadline = time.monotonic() + timeout
    for thread in list(threads):
        thread.join(max(0.0, deadline - time.monotonic()))
    busy = [t.name for t in threads if t.is_alive()]
    assert not busy, f"the live server still serves a request after {timeout} s: {busy}"


def log_in(page: Any, username: str, password: str = STRONG_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    # Wait for the page the form post leads to (home, or the login page with its error): the
    # next step must not start, or cancel, a navigation while the login is being answered.
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
