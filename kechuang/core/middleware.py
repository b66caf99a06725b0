import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kechuang.core.audit import audit_context

REFRESHED_KEY = "_refreshed"


class RequestContextMiddleware:
    """Makes the current request (actor, client address) known to the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request):
            return self.get_response(request)


def now() -> float:
    return time.time()


class SessionRefreshMiddleware:
    """The idle timer without a database write per request (#17 item 3).

    A signed-in session expires SESSION_COOKIE_AGE seconds after it was last saved. Instead of
    saving it on every request (SESSION_SAVE_EVERY_REQUEST, which made every page view a write
    and queued readers behind a long import on SQLite), the session is marked changed at most
    once every SESSION_REFRESH_SECONDS, so the idle timeout holds to within that much.
    Placed after SessionMiddleware: its response phase saves what this one marks.
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
            session[REFRESHED_KEY] = int(current)  # marks the session modified: saved, expiry reset
        return response
