"""A cache of rendered page bodies for the hot GET pages and list APIs (#17 item 11).

Each page listed in settings.PAGE_CACHE_ROUTES (by URL name, or by route for the API) keeps its
rendered body (the HTML or JSON text, never the response object: headers, cookies, the
Content-Security-Policy and `Cache-Control: no-store` are made fresh for every answer) keyed on

- the path and the query string;
- the signed-in user (id, role, area, organization, staff flags): what one user sees is never
  served to another, so county A's staff never get county B's list, and a role change reads
  afresh;
- the day (pages that count deadlines from today);
- a version of the data: the newest audit entry (every audited write anywhere: services, forms,
  imports, bulk writes), the highest primary key of each table the page lists (rows inserted
  without an entry), and the newest value of the route's "touch" columns (state changes written
  without an entry, e.g. a background job or a screening run finishing). One query.

The CSRF token in a cached body is replaced by this request's token; a page with pending
messages, a page that used the CSP nonce, an answer other than 200 and anything but HTML or JSON
(exports, downloads) is neither served from nor put into the cache. Entries also expire after
PAGE_CACHE_SECONDS. The cache is per process (Django's local-memory cache, alias "pages").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from kechuang.core.models import AuditEntry

CACHE_ALIAS = "pages"
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_SENTINEL = "\x00csrf\x00"
MAX_BODY_BYTES = 1024 * 1024
CACHED_TYPES = ("text/html", "application/json")


def route_config(request: HttpRequest) -> dict[str, Any] | None:
    """The cache settings of the page this request resolved to, or None (not cached)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    routes: dict[str, dict[str, Any]] = settings.PAGE_CACHE_ROUTES
    return routes.get(match.view_name) or routes.get(match.route)


@cache
def version_sql(tables: tuple[str, ...], touch: tuple[str, ...]) -> str:
    """One SELECT of index lookups: the newest audit entry, the highest key of each table and
    the newest value of each touch column ("app.Model.field")."""
    quote = connection.ops.quote_name
    parts = [f"(SELECT MAX(id) FROM {quote(AuditEntry._meta.db_table)})"]
    for label in tables:
        meta = apps.get_model(label)._meta
        parts.append(f"(SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)})")
    for label in touch:
        model_label, field = label.rsplit(".", 1)
        meta = apps.get_model(model_label)._meta
        column = meta.get_field(field).column
        parts.append(f"(SELECT MAX({quote(column)}) FROM {quote(meta.db_table)})")
    return "SELECT " + ", ".join(parts)


def data_version(config: dict[str, Any]) -> tuple[Any, ...]:
    sql = version_sql(tuple(config.get("tables", ())), tuple(config.get("touch", ())))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(str(value) for value in cursor.fetchone())


def user_key(request: HttpRequest) -> str | None:
    """Whom the page was made for; None when the page is not cached for this request (not
    signed in through the session, or a token in the Authorization header)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or "HTTP_AUTHORIZATION" in request.META:
        return None
    parts = (
        user.pk,
        user.role,
        user.area_id,
        getattr(user, "organization_id", None),
        user.is_staff,
        user.is_superuser,
    )
    return ":".join(str(part) for part in parts)


def cache_key(request: HttpRequest, config: dict[str, Any], who: str) -> str:
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    raw = "\n".join(
        (
            request.path,
            query,
            who,
            timezone.localdate().isoformat(),
            repr(data_version(config)),
        )
    )
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def has_pending_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(storage._queued_messages or storage._loaded_messages)


def nonce_used(request: HttpRequest) -> bool:
    """Whether the page read `request.csp_nonce` (django-csp keeps the nonce it made there)."""
    return isinstance(getattr(request, "_csp_nonce", None), str)


def cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith(CACHED_TYPES)
        and "Content-Disposition" not in response
        and len(response.content) <= MAX_BODY_BYTES
    )


def with_token(body: str, request: HttpRequest) -> str:
    if CSRF_SENTINEL not in body:
        return body
    return body.replace(CSRF_SENTINEL, get_token(request))


class PageCacheMiddleware:
    """Serves a listed page's body from the cache, or keeps the body the view made (see the
    module's docstring for the key). Last in MIDDLEWARE (after messages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is None or getattr(request, "_page_cache_hit", False):
            return response
        if cacheable(response) and not has_pending_messages(request) and not nonce_used(request):
            body = response.content.decode(response.charset or "utf-8")
            body = CSRF_FIELD.sub(lambda m: m.group(1) + CSRF_SENTINEL + m.group(2), body)
            timeout = settings.PAGE_CACHE_SECONDS
            caches[CACHE_ALIAS].set(key, (response["Content-Type"], body), timeout)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET",):
            return None
        config = route_config(request)
        who = user_key(request) if config is not None else None
        if config is None or who is None or has_pending_messages(request):
            return None
        key = cache_key(request, config, who)
        request._page_cache_key = key  # type: ignore[attr-defined]
        found = caches[CACHE_ALIAS].get(key)
        if found is None:
            return None
        content_type, body = found
        request._page_cache_hit = True  # type: ignore[attr-defined]
        return HttpResponse(with_token(body, request), content_type=content_type)
