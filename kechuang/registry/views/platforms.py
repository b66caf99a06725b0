"""The page that records a platform's status change (批准、升级、暂停、撤销、整合 …): the same
payload schema and service as the API (`POST /api/registry/platforms/{pk}/status-changes`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from kechuang.core.errors import django_validation_errors
from kechuang.core.webcrud import pydantic_errors
from kechuang.registry import selectors
from kechuang.registry.api import StatusChangeIn, status_change_data
from kechuang.registry.models import PlatformEvent, PlatformLevel
from kechuang.registry.services.platforms import RECORD_PLATFORM_HISTORY, record_status_change

FIELDS = ("event", "date", "level", "merged_into", "document_no", "note")


def _posted(request: HttpRequest) -> dict[str, Any]:
    values = {name: request.POST.get(name, "").strip() for name in FIELDS}
    for name in ("level", "merged_into"):
        values[name] = values[name] or None
    return values


@login_required
def status_change_new(request: HttpRequest, pk: int) -> HttpResponse:
    platform = get_object_or_404(selectors.platforms_for(request.user), pk=pk)
    RECORD_PLATFORM_HISTORY.check(request.user)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"date": timezone.localdate().isoformat()}
    if request.method == "POST":
        values = _posted(request)
        try:
            payload = StatusChangeIn.model_validate(values)
            change = record_status_change(
                request.user, platform, status_change_data(request.user, payload)
            )
        except PydanticValidationError as error:
            errors = pydantic_errors(error)
        except ValidationError as error:
            errors = django_validation_errors(error)
        else:
            messages.success(request, f"已记录“{platform}”的{change.get_event_display()}。")
            return redirect(reverse("registry:platforms_detail", args=[platform.pk]))
    return render(
        request,
        "registry/platform_status_form.html",
        {
            "platform": platform,
            "values": values,
            "errors": errors,
            "events": PlatformEvent.choices,
            "levels": PlatformLevel.choices,
            "history": selectors.platform_status_changes(platform),
        },
        status=422 if errors else 200,
    )
