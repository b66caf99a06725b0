"""The Word monitoring report download (for city staff: it ranks and quotes every county)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kechuang.core.downloads import DOCX, attachment
from kechuang.core.roles import is_city
from kechuang.monitoring.report import ReportError, build_report
from kechuang.monitoring.views.observations import requested_plan


@login_required
def report_download(request: HttpRequest) -> HttpResponse:
    if not is_city(request.user):
        # The city's report ranks and quotes every county: county staff see their own area
        # on the dashboard instead.
        raise PermissionDenied("监测报告涵盖全市各县区，只有市科技局工作人员可以下载。")
    plan = requested_plan(request)
    raw_year = request.GET.get("year", "")
    year = int(raw_year) if raw_year.isdigit() else min(dt.date.today().year, plan.end_year)
    try:
        content = build_report(plan, year, request.user)
    except ReportError as error:
        messages.error(request, str(error))
        return redirect(reverse("monitoring:observation_list") + f"?plan={plan.code}")
    return attachment(content, f"{plan.code}-{year}-规划实施情况监测报告.docx", DOCX)
