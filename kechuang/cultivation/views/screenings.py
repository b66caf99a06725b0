"""The screening runs in scope, and starting one (queued for the background worker)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kechuang.core.pagination import page_of
from kechuang.core.permissions import WORKBENCH
from kechuang.cultivation import filters, selectors
from kechuang.cultivation.services.screenings import start_screening


@login_required
def screenings(request: HttpRequest) -> HttpResponse:
    """The screening runs in scope (GET) or a new one (POST, queued for the worker)."""
    WORKBENCH.check(request.user)
    if request.method == "POST":
        return _start(request)
    page = page_of(selectors.runs_for(request.user), size=30, number=request.GET.get("page"))
    return render(request, "cultivation/screenings.html", {"page": page})


def _start(request: HttpRequest) -> HttpResponse:
    as_of, area, errors = filters.screening_request(request.user, request.POST)
    if not errors:
        try:
            run = start_screening(request.user, as_of, area)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect(f"{reverse('cultivation:screenings')}?{urlencode({'queued': run.pk})}")
    page = page_of(selectors.runs_for(request.user), size=30, number=1)
    return render(
        request,
        "cultivation/screenings.html",
        {"page": page, "errors": errors},
        status=422,
    )
