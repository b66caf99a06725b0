from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kechuang.core.audit import audit_context


class RequestContextMiddleware:
    """Makes the current request (actor, client address) known to the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(request=request):
            return self.get_response(request)
