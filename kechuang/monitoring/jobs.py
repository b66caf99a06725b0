"""The Word monitoring report built by a background job (core/jobs): the page is not held for
the seconds the charts and tables take; the user downloads it from the job."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from kechuang.core.jobs.services import JobFailure, JobResult, Progress
from kechuang.monitoring.models import Plan
from kechuang.monitoring.report import ReportError, build_report

REPORT_TARGET = "kechuang.monitoring.jobs.monitoring_report"


def monitoring_report(progress: Progress, plan_id: int, year: int, user_id: int) -> JobResult:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    plan = Plan.objects.filter(pk=plan_id).first()
    if user is None or plan is None:
        raise JobFailure("提交任务的用户已停用，或规划已删除，报告未生成。")
    progress.start("生成报告", total=1)
    try:
        content = build_report(plan, year, user)
    except ReportError as error:
        raise JobFailure(str(error)) from error
    progress.step(1)
    name = f"{plan.code}-{year}-规划实施情况监测报告.docx"
    return JobResult(f"{plan.title} {year} 年监测报告已生成。", content, name)
