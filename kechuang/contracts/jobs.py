"""A large contract file (above JOB_ROW_THRESHOLD rows) checked and imported by a background
job (core/jobs) instead of in the upload request. Called by the worker as
`work(progress, **params)`; returns a `JobResult` (a Chinese message, the error workbook)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model

from kechuang.contracts import imports
from kechuang.core.audit import audit_context
from kechuang.core.imports.workbook import error_workbook
from kechuang.core.jobs.services import JobFailure, JobResult, Progress

IMPORT_TARGET = "kechuang.contracts.jobs.import_contracts"


def import_contracts(
    progress: Progress, path: str, name: str, user_id: int, dry_run: bool = False
) -> JobResult:
    """Check the claimed file at `path` and, unless `dry_run`, import it all-or-nothing; the file
    is deleted whatever happens. A refused file's marked-up workbook is the job's file."""
    try:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise JobFailure("提交任务的用户已停用或不存在，任务未执行。")
        try:
            content = Path(path).read_bytes()
        except FileNotFoundError as error:
            raise JobFailure("暂存的上传文件已不存在（可能已过期清理），请重新上传。") from error
        report = imports.validate_file(user, content, name, progress=progress)
        if not report.ok:
            workbook = error_workbook(
                report.errors, report.header_columns, report.sheet_title, content
            )
            return JobResult(
                f"校验发现 {len(report.errors)} 处错误（共 {report.rows_total} 行），"
                "未导入任何数据。请下载标出错误单元格的文件，按“修改方法”改正后重新上传。",
                workbook,
                f"校验结果-{name}.xlsx",
            )
        if dry_run:
            return JobResult(
                f"校验通过：{report.rows_total} 行，将新增 {report.to_create} 份、"
                f"变更 {report.to_change} 份（只校验，未写入）。"
            )
        with audit_context(label=f"后台导入技术合同：{name}"[:100]):
            result = imports.commit(user, report, progress=progress)
    finally:
        Path(path).unlink(missing_ok=True)
    return JobResult(f"已导入：新增 {result.created} 份，变更 {result.changed} 份。")
