"""The screening runs in scope, and starting one (queued for the background worker)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kechuang.cultivation import filters, selectors
from kechuang.cultivation.services.screenings import start_screening
from kechuang.cultivation.views.common import require_government


@login_required
def screenings(request: HttpRequest) -> HttpResponse:
    """The screening runs in scope (GET) or a new one (POST, queued for the worker)."""
    require_government(request)
    if request.method == "POST":
        return _start(request)
    page = Paginator(selectors.runs_for(request.user), 30).get_page(request.GET.get("page"))
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
    page = Paginator(selectors.runs_for(request.user), 30).get_page(1)
    return render(
        request,
        "cultivation/screenings.html",
        {"page": page, "errors": errors},
        status=422,
    )
