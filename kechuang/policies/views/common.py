"""Helpers shared by the module's pages: a refused write becomes a Chinese message naming the
field, and the page redirects back (nothing was changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kechuang.core.errors import django_validation_errors

FIELD_NAMES = {
    "reason": "理由",
    "amount": "金额",
    "notice_start": "公示开始",
    "notice_end": "公示结束",
    "bank_account": "银行账号",
    "bank_name": "开户银行",
    "text": "内容",
    "answer": "答复",
    "paid_on": "拨付日期",
    "year": "政策年度",
    "run": "名单",
    "status": "状态",
    "policy": "政策",
    "__all__": "",
}


def error_lines(error: ValidationError) -> list[str]:
    lines = []
    for name, problems in django_validation_errors(error).items():
        label = FIELD_NAMES.get(name, name)
        lines += [f"{label}：{p}" if label else p for p in problems]
    return lines


def attempt(request: HttpRequest, back: str, write: Callable[[], Any], done: str) -> HttpResponse:
    """Run `write`; a ValidationError becomes messages, success a message; redirect to `back`."""
    try:
        write()
    except ValidationError as error:
        for line in error_lines(error):
            messages.error(request, line)
    else:
        messages.success(request, done)
    return redirect(back)
