"""One error shape for every 4xx the API returns: {"code", "message", "errors"}."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError


class Conflict(Exception):
    """A request the current data refuses (409), e.g. a delete that would lose history."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Chinese messages for the pydantic error types a client meets most.
PYDANTIC_MESSAGES = {
    "missing": "必填项。",
    "string_too_long": "长度超出限制。",
    "string_too_short": "长度不足。",
    "string_type": "应为文本。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "float_parsing": "应为数字。",
    "decimal_parsing": "应为数字。",
    "bool_parsing": "应为 true 或 false。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "datetime_parsing": "时间格式应为 ISO 8601。",
    "enum": "取值不在允许范围内。",
    "literal_error": "取值不在允许范围内。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "请求体应为 JSON 对象。",
    "dict_type": "应为 JSON 对象。",
    "list_type": "应为列表。",
    "extra_forbidden": "不允许的字段。",
    "value_error": "取值无效。",
    "int_from_float": "应为整数。",
    "decimal_type": "应为数字。",
    "decimal_max_digits": "数字位数过多。",
    "decimal_max_places": "小数位数过多。",
    "greater_than": "数值过小。",
    "less_than": "数值过大。",
    "too_long": "项目过多。",
    "too_short": "项目不足。",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD。",
}
CSRF_MESSAGE = "CSRF 校验失败：请刷新页面后重试，或改用 API 令牌。"
SERVER_ERROR_MESSAGE = "服务器内部错误，请稍后再试或联系管理员。"
CJK = re.compile(r"[\u4e00-\u9fff]")


def pydantic_message(item: Mapping[str, Any]) -> str:
    """One pydantic error in Chinese: our validators' own (Chinese) message, else the message of
    its type, else a generic one — never pydantic's English text."""
    kind = str(item.get("type", ""))
    own = str(item.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("value_error", "assertion_error") and CJK.search(own):
        return own
    return PYDANTIC_MESSAGES.get(kind) or (own if CJK.search(own) else "取值无效。")


STATUS_MESSAGES = {
    400: ("bad_request", "请求有误。"),
    401: ("not_authenticated", "请先登录或提供有效的 API 令牌。"),
    403: ("permission_denied", "您无权执行此操作。"),
    404: ("not_found", "请求的资源不存在或您无权查看。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "与现有数据冲突。"),
    413: ("too_large", "上传内容过大。"),
    422: ("validation_error", "提交的数据有误，请检查标出的字段。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}


def error_body(
    status: int,
    message: str | None = None,
    errors: dict[str, list[str]] | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    default_code, default_message = STATUS_MESSAGES.get(status, ("error", "请求失败。"))
    return {
        "code": code or default_code,
        "message": message or default_message,
        "errors": errors or {},
    }


def error_response(
    status: int,
    message: str | None = None,
    errors: dict[str, list[str]] | None = None,
    code: str | None = None,
) -> JsonResponse:
    return JsonResponse(
        error_body(status, message, errors, code),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    # ninja prefixes body/query/path and the parameter name: ("body", "payload", "name").
    if parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in {"payload", "data", "filters", "body"}:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def ninja_validation_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        path = _field_path(item.get("loc", ()))
        errors.setdefault(path, []).append(pydantic_message(item))
    return errors


def django_validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            name: [str(m) for e in errs for m in e.messages]
            for name, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


Answer = tuple[int, str | None, dict[str, list[str]] | None, str | None]


def _model_validation(exc: DjangoValidationError) -> Answer:
    errors = django_validation_errors(exc)
    general = errors.get("__all__")
    return 422, general[0] if general and len(errors) == 1 else None, errors, None


def _http_error(exc: HttpError) -> Answer:
    if exc.message == "CSRF check Failed":
        return 403, CSRF_MESSAGE, None, "csrf_failed"
    return exc.status_code, exc.message if CJK.search(exc.message) else None, None, None


# Every exception the API can meet, and the answer it gets (status, message, field errors, code).
ANSWERS: list[tuple[type[Exception], Callable[[Any], Answer]]] = [
    (NinjaValidationError, lambda exc: (422, None, ninja_validation_errors(exc), None)),
    (DjangoValidationError, _model_validation),
    # The database refused a value the client sent (a NUL byte, a number out of range ...).
    (
        DataError,
        lambda exc: (422, "提交的数据含有无法保存的字符（如 NUL）或超出范围的数值。", None, None),
    ),
    (Conflict, lambda exc: (409, exc.message, None, "delete_refused")),
    # SQLite's driver refuses an integer beyond 64 bits itself (PostgreSQL answers a DataError):
    # the same 422 on both databases. Typed bounds in the schemas stop such values earlier.
    (
        OverflowError,
        lambda exc: (422, "提交的数值超出允许范围（整数最大 9223372036854775807）。", None, None),
    ),
    (AuthenticationError, lambda exc: (401, None, None, None)),
    (
        AuthorizationError,
        lambda exc: (403, None if exc.message == "Forbidden" else exc.message, None, None),
    ),
    (PermissionDenied, lambda exc: (403, str(exc) or None, None, None)),
    (Http404, lambda exc: (404, None, None, None)),
    (Throttled, lambda exc: (429, None, None, None)),
    (HttpError, _http_error),
]


def install_handlers(api: Any) -> None:
    """Route every exception the API can meet into the one error shape."""
    for exception, answer in ANSWERS:

        def handler(request: HttpRequest, exc: Exception, answer: Any = answer) -> HttpResponse:
            status, message, errors, code = answer(exc)
            body = error_body(status, message, errors, code)
            return api.create_response(request, body, status=status)

        api.add_exception_handler(exception, handler)


class ApiErrorShapeMiddleware:
    """Gives the API's remaining non-JSON 4xx answers (405 from the router, 400 from Django's
    request parsing ...) the same error shape as every other error."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and 400 <= response.status_code < 500
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            shaped = error_response(response.status_code)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
