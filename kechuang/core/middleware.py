from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from kechuang.core.audit import audit_context


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
