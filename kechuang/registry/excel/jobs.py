"""The registry's Excel work run as background jobs (core/jobs): checking (the dry run) and
committing a large import, and exporting a large list. Called by the worker as
`work(progress, **params)`; each returns a `JobResult` with a Chinese message (and the
workbook to download, or the next step offered)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from kechuang.core.audit import audit_context
from kechuang.core.imports.errors import ImportRefused
from kechuang.core.jobs.services import JobFailure, JobResult, Progress
from kechuang.core.webcrud import filtered_for
from kechuang.registry.excel import exporter, importer, report
from kechuang.registry.excel.specs import get_spec
from kechuang.registry.pages import PAGES

VALIDATE_TARGET = "kechuang.registry.excel.jobs.validate_import"
IMPORT_TARGET = "kechuang.registry.excel.jobs.commit_import"
EXPORT_TARGET = "kechuang.registry.excel.jobs.export_list"


def _user(user_id: int) -> Any:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise JobFailure("提交任务的用户已停用或不存在，任务未执行。")
    return user


def commit_import(progress: Progress, code: str, path: str, name: str, user_id: int) -> JobResult:
    """Validate the claimed upload at `path` once and commit it all-or-nothing; the file is
    deleted whatever happens. A refused file's marked-up error workbook is the job's file."""
    upload = Path(path)
    try:
        user = _user(user_id)
        content = upload.read_bytes()
        report = importer.validate_upload(code, content, user, filename=name, progress=progress)
        if report.errors:  # data changed between the dry run and the commit
            raise ImportRefused(
                f"校验发现 {len(report.errors)} 处错误（库中数据在上传校验之后有变化），"
                f"未导入任何数据。请重新上传“{name}”查看逐行的错误并修改。"
            )
        with audit_context(label=f"后台导入：{name}"[:100]):
            done = importer.commit(report, user)
    except FileNotFoundError as error:
        raise JobFailure("暂存的上传文件已不存在（可能已过期清理），请重新上传。") from error
    finally:
        upload.unlink(missing_ok=True)
    return JobResult(f"导入完成：新增 {done.created} 条，更新 {done.updated} 条。")


def validate_import(progress: Progress, code: str, path: str, name: str, user_id: int) -> JobResult:
    """The dry run of the upload staged at `path` (it stays staged: the commit claims it). A
    refused file's marked-up error workbook is the job's file; a clean one is offered for commit
    from the job's page (the form names the staged file, so a newer upload is not committed)."""
    user = _user(user_id)
    try:
        content = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise JobFailure(
            "暂存的上传文件已不存在（已被新的上传替换、已导入或已过期清理），请重新上传。"
        ) from error
    result = importer.validate_upload(code, content, user, filename=name, progress=progress)
    title = get_spec(code).title_zh
    if result.errors:
        return JobResult(
            f"校验发现 {len(result.errors)} 个问题（共 {result.rows_total} 行），未导入任何数据。"
            "请下载标注了错误单元格的校验报告，按“修改建议”改正后重新上传。",
            report.report_xlsx(result, content),
            f"{title}-校验报告.xlsx",
        )
    return JobResult(
        f"校验通过：共 {result.rows_total} 行，将新增 {result.to_create} 条，"
        f"更新 {result.to_update} 条。确认导入后才会写入（整体生效）。",
        offer={
            "url": reverse("registry:excel_import", kwargs={"code": code}),
            "label": "确认导入",
            "fields": {"action": "commit", "staged": Path(path).name.split(".", 1)[0]},
        },
    )


def export_list(progress: Progress, code: str, query: dict[str, str], user_id: int) -> JobResult:
    """The registry list for `query` (the list page's filters) as the registry workbook."""
    user = _user(user_id)
    spec = get_spec(code)
    page = next(p for p in PAGES if p.excel == code)
    queryset, errors, _ = filtered_for(user, query, page.resource)
    if errors:
        problems = "；".join(m for ms in errors.values() for m in ms)
        raise JobFailure(f"筛选条件有误，未导出：{problems}")
    total = queryset.count()
    progress.start("导出", total=total)
    content = exporter.export_xlsx(code, queryset, user, progress=progress)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return JobResult(f"已导出 {total} 条记录。", content, f"{spec.title_zh}-{stamp}.xlsx")
