"""The home page: what the signed-in user may see of the platform."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.registry.selectors import registry_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", {"summary": registry_summary(request.user)})
