"""The self-assessment Word report built by a background job (core/jobs) when the page's button
asks with `background=1`: the user downloads it from the job. Called by the worker as
`work(progress, **params)`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kechuang.core.jobs.services import JobFailure, JobResult, Progress, active_user
from kechuang.cultivation import selectors
from kechuang.cultivation.engine.selfassess import assess_case, what_if_case
from kechuang.cultivation.report import report_docx
from kechuang.registry.selectors import organizations_for

REPORT_TARGET = "kechuang.cultivation.jobs.self_assessment_report"


def self_assessment_report(
    progress: Progress, organization_id: int, what_if: dict[str, Any] | None, user_id: int
) -> JobResult:
    """The report of the organization (still within the user's scope) from its registry figures,
    or, with `what_if` (the what-if form's values), from the changed copy."""
    user = active_user(user_id)
    organization = organizations_for(user).filter(pk=organization_id, kind="enterprise").first()
    if organization is None:
        raise JobFailure("该企业已不在您的查看范围内（或已删除），自评报告未生成。")
    progress.start("生成自评报告", total=1)
    base = selectors.case_for(organization, timezone.localdate())
    case = what_if_case(base, what_if) if what_if is not None else base
    results, errors = assess_case(case)
    if not results:
        found = [m for messages in errors.values() for m in messages]
        problems = "；".join(found) if found else "没有可评估的认定条件"
        raise JobFailure(f"无法生成自评报告：{problems}。请在自评页面修改后重新生成。")
    content = report_docx(organization, results, what_if is not None)
    progress.step(1)
    return JobResult(
        f"{organization.name}的认定自评报告已生成。",
        content,
        f"{organization.name}-认定自评.docx",
    )
