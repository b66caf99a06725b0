import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from kechuang.core.audit import audit_context

REFRESHED_KEY = "_refreshed"


class RequestContextMiddleware:
    """Makes the current request (actor, client address) known to the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request):
            return self.get_response(request)


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
)


def is_private(request: HttpRequest) -> bool:
    """Answers no shared cache or browser history may keep: anything a signed-in user sees
    (pages, exports, downloads), every API answer, the login and account pages."""
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated)
        or request.path.startswith(("/api/", "/accounts/", "/admin/"))
    )


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer (the platform uses no camera, microphone, location
    ...); `Cache-Control: no-store` on every private answer (see `is_private`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_private(request):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


def now() -> float:
    return time.time()


class SessionRefreshMiddleware:
    """The idle timer without a database write per request (#17 item 3).

    A signed-in session expires SESSION_COOKIE_AGE seconds after it was last saved. Instead of
    saving it on every request (SESSION_SAVE_EVERY_REQUEST, which made every page view a write
    and queued readers behind a long import on SQLite), it is saved at most once every
    SESSION_REFRESH_SECONDS, so the idle timeout holds to within that much; and that save
    never makes a page wait behind a long write (it is skipped and retried on a later request).
    Placed after SessionMiddleware (inside it).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or session.modified:
            return response  # no session, or it is saved anyway
        if session.is_empty():
            return response
        current = now()
        last = session.get(REFRESHED_KEY, 0)
        if not isinstance(last, int | float) or current - last >= settings.SESSION_REFRESH_SECONDS:
            refresh(session, int(current))
        return response


@receiver(user_logged_in)
def start_idle_timer(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    """A login saves the session anyway: the idle timer starts there, so the first page views
    after it write nothing."""
    if getattr(request, "session", None) is not None:
        request.session[REFRESHED_KEY] = int(now())


# How long a refresh may wait for the database's write lock (SQLite) before giving up.
REFRESH_WAIT_MS = 200


@contextlib.contextmanager
def short_lock_wait() -> Iterator[None]:
    """On SQLite, wait at most REFRESH_WAIT_MS for the write lock (a long import may hold it
    for minutes); the connection's own busy timeout is restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    usual = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {REFRESH_WAIT_MS}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def refresh(session: Any, stamp: int) -> None:
    """Save the session now (its expiry moves on); when the database is busy with a long write,
    skip it: the page is served at once, and a later request refreshes the timer (the session
    stays valid until its stored expiry, far ahead)."""
    session[REFRESHED_KEY] = stamp
    try:
        with short_lock_wait():
            session.save()
    except (DatabaseError, UpdateError):
        pass
    session.modified = False  # saved, or skipped on purpose: SessionMiddleware leaves it
