"""The projects' Excel export built by a background job (core/jobs) when the dashboard's button
asks with `background=1`; the plain URL still answers the file at once. Called by the worker as
`work(progress, **params)`."""

from __future__ import annotations

from django.utils import timezone

from kechuang.core.jobs.services import JobFailure, JobResult, Progress, active_user
from kechuang.projects import export
from kechuang.projects.permissions import VIEW_PROJECT_WORK

EXPORT_TARGET = "kechuang.projects.jobs.projects_export"


def projects_export(progress: Progress, user_id: int) -> JobResult:
    """Every project the user may see (their scope, read again when the job runs)."""
    user = active_user(user_id)
    if not VIEW_PROJECT_WORK.allows(user):
        refusal = VIEW_PROJECT_WORK.refusal or f"您无权{VIEW_PROJECT_WORK.doing}。"
        raise JobFailure(f"{refusal}导出未执行。")
    progress.start("导出", total=1)
    content = export.projects_xlsx(user)
    progress.step(1)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return JobResult("科技项目已导出。", content, f"科技项目-{stamp}.xlsx")
