"""The Word monitoring report download (for city staff: it ranks and quotes every county).
With `background=1` (the page's button) it is built by a background job instead of in the
request, and the user is led to the job's progress and download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from kechuang.core.downloads import DOCX, attachment
from kechuang.core.jobs import services as jobs
from kechuang.core.permissions import DOWNLOAD_MONITORING_REPORT
from kechuang.monitoring.jobs import REPORT_TARGET
from kechuang.monitoring.report import ReportError, build_report
from kechuang.monitoring.views.observations import requested_plan


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    DOWNLOAD_MONITORING_REPORT.check(request.user)
    plan = requested_plan(request)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else min(timezone.localdate().year, plan.end_year)
    if request.GET.get("background") == "1":
        return _in_background(request, plan, year)
    try:
        content = build_report(plan, year, request.user)
    except ReportError as error:
        messages.error(request, str(error))
        return redirect(reverse("monitoring:observation_list") + f"?plan={plan.code}")
    return attachment(content, f"{plan.code}-{year}-规划实施情况监测报告.docx", DOCX)


def _in_background(request: HttpRequest, plan: Any, year: int) -> HttpResponse:
    try:
        job = jobs.enqueue(
            request.user,
            "report",
            f"{plan.title} {year} 年监测报告（Word）",
            REPORT_TARGET,
            {"plan_id": plan.pk, "year": year, "user_id": request.user.pk},
            dedupe_key=f"{plan.pk}:{year}",
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(reverse("monitoring:observation_list") + f"?plan={plan.code}")
    return redirect("jobs:detail", pk=job.pk)
