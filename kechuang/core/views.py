"""Site-wide views every app relies on: health check, error pages, CSRF failure."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kechuang.core.errors import CSRF_MESSAGE, SERVER_ERROR_MESSAGE, error_response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": type(error).__name__},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": connection.vendor, "time": timezone.now().isoformat()}
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return error_response(404)
    return render(
        request,
        "core/error.html",
        {"status": 404, "title": "页面不存在", "message": "您访问的页面不存在，或您无权查看。"},
        status=404,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return error_response(403, str(exception) if exception and str(exception) else None)
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": "无权访问",
            "message": str(exception) if exception and str(exception) else "您无权执行此操作。",
        },
        status=403,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return error_response(400)
    return render(
        request,
        "core/error.html",
        {"status": 400, "title": "请求有误", "message": "请求无法处理，请返回重试。"},
        status=400,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return error_response(500, SERVER_ERROR_MESSAGE, code="server_error")
    return render(
        request,
        "core/error.html",
        {
            "status": 500,
            "title": "服务器错误",
            "message": SERVER_ERROR_MESSAGE,
        },
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return error_response(403, CSRF_MESSAGE, code="csrf_failed")
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": "页面已过期",
            "message": "表单已过期或来源无法验证，请刷新页面后重新提交。",
        },
        status=403,
    )
