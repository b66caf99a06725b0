"""The home page: what the signed-in user may see of the platform."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.core.permissions import VERIFY_QUALIFICATIONS
from kechuang.registry.selectors import registry_summary
from kechuang.site.workbench import tasks_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "summary": registry_summary(request.user),
        "may_verify": VERIFY_QUALIFICATIONS.allows(request.user),
        "tasks": tasks_for(request.user),
    }
    return render(request, "site/home.html", context)
