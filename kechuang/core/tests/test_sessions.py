"""Sessions are not written on every request (#17 item 3): a signed-in page view saves the
session at most once a minute (SessionRefreshMiddleware), and the idle timeout still holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kechuang.core import middleware

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.value = 1_800_000_000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(middleware, "now", fake)
    return fake


def _session_writes(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    writes = ("UPDATE", "INSERT")
    sqls = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    return sum(1 for sql in sqls if sql.lstrip().upper().startswith(writes))


def _expiry(client: Any) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_page_views_within_a_minute_write_no_session(client_for: Any, clock: Clock) -> None:
    client = client_for("city_staff")
    assert _session_writes(client, "/") == 0  # the login started the idle timer
    first = _expiry(client)
    for step in (5, 20, 59):
        clock.value = 1_800_000_000.0 + step
        assert _session_writes(client, "/") == 0, f"{step} 秒后的页面访问不应写会话"
    assert _expiry(client) == first


def test_a_view_a_minute_later_refreshes_the_idle_timer(client_for: Any, clock: Clock) -> None:
    client = client_for("city_staff")
    client.get("/")
    first = _expiry(client)
    clock.value += settings.SESSION_REFRESH_SECONDS
    assert _session_writes(client, "/") == 1
    assert _expiry(client) > first
    assert _session_writes(client, "/") == 0


def test_an_idle_session_still_expires(client_for: Any, clock: Clock) -> None:
    client = client_for("city_staff")
    assert client.get("/registry/organizations/").status_code == 200
    # 30 idle minutes later the stored session has expired: the next view asks for a login.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    answer = client.get("/registry/organizations/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_the_stored_expiry_is_the_idle_timeout(client_for: Any, clock: Clock) -> None:
    client = client_for("city_staff")
    client.get("/")
    left = (_expiry(client) - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 5 <= left <= settings.SESSION_COOKIE_AGE


def test_anonymous_views_create_no_session(client: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/login/")
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)


def test_a_refresh_the_busy_database_refuses_is_skipped_not_an_error(
    client_for: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a long import holds SQLite's write lock, the refresh gives up after a short wait:
    the page is served (not a 400 SessionInterrupted after the 20 s busy timeout), and a later
    request refreshes the timer."""
    client = client_for("city_staff")
    client.get("/")
    first = _expiry(client)
    real_save = SessionStore.save

    def busy(self: Any, must_create: bool = False) -> None:
        raise UpdateError

    monkeypatch.setattr(SessionStore, "save", busy)
    clock.value += settings.SESSION_REFRESH_SECONDS
    assert client.get("/").status_code == 200
    assert _expiry(client) == first  # skipped
    monkeypatch.setattr(SessionStore, "save", real_save)
    assert _session_writes(client, "/") == 1  # the next request refreshes
    assert _expiry(client) > first


def test_the_refresh_waits_only_briefly_for_the_write_lock_on_sqlite() -> None:
    assert middleware.REFRESH_WAIT_MS <= 500
    with middleware.short_lock_wait():
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone()[0] == middleware.REFRESH_WAIT_MS
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20_000
