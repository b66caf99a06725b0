"""Monitoring work done by background jobs (core/jobs): the Word monitoring report (the page is
not held for the seconds its charts and tables take), and the check and the commit of a large
observation file (a 250,000-row CSV would outlast any web request). Called by the worker as
`work(progress, **params)`; each returns a `JobResult` (a Chinese message, a file, an offer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from kechuang.core.audit import audit_context
from kechuang.core.imports.errors import ImportRefused
from kechuang.core.imports.workbook import error_workbook
from kechuang.core.jobs.services import JobFailure, JobResult, Progress
from kechuang.monitoring import imports
from kechuang.monitoring.models import Plan
from kechuang.monitoring.report import ReportError, build_report

REPORT_TARGET = "kechuang.monitoring.jobs.monitoring_report"
VALIDATE_TARGET = "kechuang.monitoring.jobs.validate_observations"
IMPORT_TARGET = "kechuang.monitoring.jobs.commit_observations"
GONE = "暂存的上传文件已不存在（已被新的上传替换、已导入或已过期清理），请重新上传。"


def _user_and_plan(user_id: int, plan_id: int) -> tuple[Any, Plan]:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    plan = Plan.objects.filter(pk=plan_id).first()
    if user is None or plan is None:
        raise JobFailure("提交任务的用户已停用，或规划已删除，任务未执行。")
    return user, plan


def monitoring_report(progress: Progress, plan_id: int, year: int, user_id: int) -> JobResult:
    user, plan = _user_and_plan(user_id, plan_id)
    progress.start("生成报告", total=1)
    try:
        content = build_report(plan, year, user)
    except ReportError as error:
        raise JobFailure(str(error)) from error
    progress.step(1)
    name = f"{plan.code}-{year}-规划实施情况监测报告.docx"
    return JobResult(f"{plan.title} {year} 年监测报告已生成。", content, name)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as error:
        raise JobFailure(GONE) from error


def validate_observations(
    progress: Progress, plan_id: int, path: str, name: str, user_id: int
) -> JobResult:
    """The dry run of the observation file staged at `path` (it stays staged for the commit).
    A refused file's error list is the job's file; a clean one is offered for commit."""
    user, plan = _user_and_plan(user_id, plan_id)
    result = imports.validate_file(_read(path), user, plan, filename=name, progress=progress)
    if result.errors:
        return JobResult(
            f"校验发现 {len(result.errors)} 个问题（共 {result.rows_total} 行），未导入任何数据。"
            "请下载问题清单，按“修改建议”改正后重新上传。",
            error_workbook(result.errors, {}, "", None),
            f"监测值校验结果-{Path(name).stem}.xlsx",
        )
    return JobResult(
        f"校验通过：共 {result.rows_total} 行，将新增 {result.to_create} 条，"
        f"已存在未变 {result.unchanged} 条，其中 {result.conflicts} 条将因来源不一致标为冲突。"
        "确认导入后才会写入（整体生效）。",
        offer={
            "url": reverse("monitoring:observation_import") + f"?plan={plan.code}",
            "label": "确认导入",
            "fields": {
                "action": "commit",
                "plan": plan.code,
                "staged": Path(path).name.split(".", 1)[0],
            },
        },
    )


def commit_observations(
    progress: Progress, plan_id: int, path: str, name: str, user_id: int
) -> JobResult:
    """Check the claimed file once more and commit it all-or-nothing; it is deleted whatever
    happens (a refused file is re-uploaded after correction)."""
    try:
        user, plan = _user_and_plan(user_id, plan_id)
        content = _read(path)
        result = imports.validate_file(content, user, plan, filename=name, progress=progress)
        if result.errors:  # data changed between the dry run and the commit
            raise ImportRefused(
                f"校验发现 {len(result.errors)} 处错误（库中数据在上传校验之后有变化），"
                f"未导入任何数据。请重新上传“{name}”查看逐行的错误并修改。"
            )
        with audit_context(label=f"后台导入监测值：{name}"[:100]):
            done = imports.commit(result, user, progress=progress)
    finally:
        Path(path).unlink(missing_ok=True)
    return JobResult(
        f"导入完成：新增 {done.created} 条监测值（{done.unchanged} 条已存在未变），"
        f"其中 {done.conflicts} 条来源冲突待核实。"
    )
