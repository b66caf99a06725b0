"""The statistics page (ECharts from the platform's own static files) and its Excel export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kechuang.contracts import selectors
from kechuang.contracts.certificate import build_statistics_report
from kechuang.contracts.export import stats_workbook
from kechuang.contracts.permissions import CONTRACT_STATS
from kechuang.contracts.views.common import field_errors
from kechuang.core.downloads import DOCX, XLSX, attachment
from kechuang.core.permissions import requires
from kechuang.registry.models import Area

PERIODS = {"year": "按年", "quarter": "按季度", "month": "按月"}


@requires(CONTRACT_STATS)
def statistics(request: HttpRequest) -> HttpResponse:
    typed_year = request.GET.get("year", "").strip()
    area = request.GET.get("area", "").strip() or None
    period = request.GET.get("period", "year")
    problems: list[str] = []
    year = None
    if typed_year:
        if typed_year.isdigit() and 1990 <= int(typed_year) <= 2100:
            year = int(typed_year)
        else:
            problems.append("年度应为四位数字，如 2024。")
    if period not in PERIODS:
        problems.append("统计周期应为按年、按季度或按月。")
        period = "year"
    answer = None
    try:
        answer = selectors.statistics_answer(request.user, year, area, period)
    except ValidationError as error:
        problems += [m for messages in field_errors(error).values() for m in messages]
    fmt = request.GET.get("format")
    if answer is not None and fmt in ("xlsx", "docx") and not problems:
        name = f"技术合同统计-{year or '全部年度'}-{answer['area'] or '全部区域'}.{fmt}"
        if fmt == "docx":
            return attachment(build_statistics_report(answer), name, DOCX)
        return attachment(stats_workbook(answer), name, XLSX)
    chart = None
    if answer is not None:
        chart = {
            "periods": [r["key"] for r in answer["by_period"]],
            "period_total": [float(r["total"]) for r in answer["by_period"]],
            "period_tech": [float(r["technology"]) for r in answer["by_period"]],
            "categories": [
                {"name": r["key"], "value": float(r["total"])} for r in answer["by_category"]
            ],
            "output": [[r["key"], float(r["total"])] for r in answer["output_by_area"]],
            "absorbed": [[r["key"], float(r["total"])] for r in answer["absorbed_by_area"]],
        }
    return render(
        request,
        "contracts/stats.html",
        {
            "answer": answer,
            "chart": chart,
            "problems": problems,
            "typed": {"year": typed_year, "area": area or "", "period": period},
            "periods": PERIODS,
            "areas": Area.objects.exclude(kind="province").order_by("path"),
            "query": request.GET.urlencode(),
        },
    )
