"""The Word monitoring report download (for city staff: it ranks and quotes every county)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from kechuang.core.downloads import DOCX, attachment
from kechuang.core.permissions import DOWNLOAD_MONITORING_REPORT
from kechuang.monitoring.report import ReportError, build_report
from kechuang.monitoring.views.observations import requested_plan


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    DOWNLOAD_MONITORING_REPORT.check(request.user)
    plan = requested_plan(request)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else min(timezone.localdate().year, plan.end_year)
    try:
        content = build_report(plan, year, request.user)
    except ReportError as error:
        messages.error(request, str(error))
        return redirect(reverse("monitoring:observation_list") + f"?plan={plan.code}")
    return attachment(content, f"{plan.code}-{year}-规划实施情况监测报告.docx", DOCX)
