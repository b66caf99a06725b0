"""A page's long download run as a background job (#11 item 4): the page's button asks with
`?background=1`, the plain URL still answers the file at once. The user is led to the job's
progress and download; a full queue is told in Chinese on the page they came from."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kechuang.core.jobs.services import enqueue


def wants_background(request: HttpRequest) -> bool:
    """The page's button asked for a job (`background=1`); only a signed-in user owns one, so
    anybody else gets the plain download."""
    asked = request.GET.get("background") == "1" or request.POST.get("background") == "1"
    return asked and bool(getattr(request.user, "is_authenticated", False))


def in_background(
    request: HttpRequest,
    *,
    kind: str,
    label: str,
    target: str,
    params: dict[str, Any],
    back: str,
    dedupe_key: str = "",
) -> HttpResponse:
    """Queue `target(progress, user_id=…, **params)` for the user and lead them to the job's
    page; `back` (a URL) is where a refusal (the user's queue is full) is shown."""
    try:
        job = enqueue(
            request.user,
            kind,
            label,
            target,
            {**params, "user_id": request.user.pk},
            dedupe_key=dedupe_key,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    return redirect("jobs:detail", pk=job.pk)
