"""The home page's to-do list: what waits for this user, each with a count and a link, only
what the user may act on (#11 item 3). The site is the composition: it reads every app's
selectors; each item is one count query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from kechuang.contracts.models import OPEN_STATES, ContractStatus
from kechuang.contracts.permissions import APPLY_CONTRACT, REGISTRAR
from kechuang.contracts.selectors import contracts_for
from kechuang.core.jobs.models import JobStatus
from kechuang.core.jobs.services import jobs_for
from kechuang.core.permissions import (
    CONFIRM_FIGURES,
    REVIEW_FIGURES,
    VERIFY_QUALIFICATIONS,
    WITHDRAW_OBSERVATION,
    WRITE_DATA,
)
from kechuang.cultivation.models import RunStatus as ScreeningStatus
from kechuang.cultivation.models import ScreeningRun
from kechuang.monitoring.models import ReviewState
from kechuang.monitoring.selectors import observations_for, plan_for
from kechuang.projects.permissions import MANAGE_PROJECTS, RUN_PROJECT, VIEW_PROJECT_WORK
from kechuang.projects.selectors import overdue_milestones, pending_changes_for
from kechuang.registry.models import SubmissionStatus, Verification
from kechuang.registry.selectors import (
    pending_claims_for,
    qualifications_for,
    submissions_for,
)


@dataclass(frozen=True)
class Task:
    label: str
    count: int
    url: str
    hint: str = ""


def _submissions(user: Any) -> list[Task]:
    mine = submissions_for(user)
    tasks = []
    if REVIEW_FIGURES.allows(user) and getattr(user, "area_id", None):
        n = mine.filter(status=SubmissionStatus.SUBMITTED).count()
        tasks.append(Task("待县区审核的年度数据", n, _figures(SubmissionStatus.SUBMITTED)))
    if CONFIRM_FIGURES.allows(user):
        n = mine.filter(status=SubmissionStatus.AREA_CHECKED).count()
        tasks.append(Task("待市级确认的年度数据", n, _figures(SubmissionStatus.AREA_CHECKED)))
    if WRITE_DATA.allows(user) and getattr(user, "organization_id", None):
        n = mine.filter(status=SubmissionStatus.RETURNED, submitted_by=user).count()
        hint = "打开后在原填报页面修改并重新提交"
        tasks.append(Task("被退回、待修改的填报", n, _figures(SubmissionStatus.RETURNED), hint))
    return tasks


def _figures(status: str) -> str:
    return reverse("registry:figures_list") + f"?status={status}"


def _qualifications(user: Any) -> list[Task]:
    if VERIFY_QUALIFICATIONS.allows(user):
        url = reverse("registry:qualifications_pending")
        return [Task("待核验的资质申报", pending_claims_for(user).count(), url)]
    if getattr(user, "organization_id", None):
        own = qualifications_for(user).filter(organization=user.organization)
        url = reverse("registry:qualifications_list") + "?verification="
        return [
            Task(
                "本单位待核验的资质申报",
                own.filter(verification=Verification.CLAIMED).count(),
                url + "claimed",
            ),
            Task(
                "被驳回的资质申报",
                own.filter(verification=Verification.REJECTED).count(),
                url + "rejected",
                "驳回理由见资质详情；可补正后重新申报",
            ),
        ]
    return []


def _observations(user: Any) -> list[Task]:
    if not WITHDRAW_OBSERVATION.allows(user) or plan_for(user) is None:
        return []  # no plan loaded: no observation page to resolve conflicts on
    n = observations_for(user).filter(state=ReviewState.CONFLICT).count()
    url = reverse("monitoring:observation_list") + f"?state={ReviewState.CONFLICT}"
    return [Task("来源冲突、待核实的监测值", n, url, "保留一个来源后才计入进度")]


def _contracts(user: Any) -> list[Task]:
    tasks = []
    if REGISTRAR.allows(user):
        n = contracts_for(user).filter(status__in=OPEN_STATES).count()
        tasks.append(Task("待办理的技术合同登记", n, reverse("contracts:workbench")))
    elif APPLY_CONTRACT.allows(user):
        waiting = ContractStatus.MORE_REQUESTED
        n = contracts_for(user).filter(status=waiting).count()
        url = reverse("contracts:list") + f"?status={waiting}"
        tasks.append(Task("登记机构要求补正的合同", n, url))
    return tasks


def _projects(user: Any) -> list[Task]:
    """Overdue progress reports (milestones past their date without a report marking them
    done) for the government and for the team; change requests waiting for the city."""
    tasks = []
    if VIEW_PROJECT_WORK.allows(user):
        n = overdue_milestones(user).count()
        url = reverse("projects:dashboard")
        tasks.append(Task("逾期未报告的项目里程碑", n, url, "提醒承担单位提交进展报告"))
    elif RUN_PROJECT.allows(user):
        n = overdue_milestones(user).count()
        url = reverse("projects:list")
        tasks.append(Task("本单位项目逾期未报告的里程碑", n, url, "在项目页面提交进展报告"))
    if MANAGE_PROJECTS.allows(user):
        n = pending_changes_for(user).count()
        tasks.append(Task("待审批的项目任务书变更", n, reverse("projects:list")))
    return tasks


def _jobs(user: Any) -> list[Task]:
    """Background work: finished and failed jobs not yet seen, and the user's queue (jobs and
    screenings queued or running)."""
    mine = jobs_for(user)
    url = reverse("jobs:list")
    unseen = mine.filter(seen_at__isnull=True)
    waiting = (ScreeningStatus.QUEUED, ScreeningStatus.RUNNING)
    queued = mine.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).count()
    queued += ScreeningRun.objects.filter(requested_by=user, status__in=waiting).count()
    items = [
        Task("已完成的后台任务", unseen.filter(status=JobStatus.DONE).count(), url, "可下载结果"),
        Task("失败的后台任务", unseen.filter(status=JobStatus.FAILED).count(), url, "见失败原因"),
        Task("排队或进行中的任务", queued, url, "导入、导出和批量筛查"),
    ]
    return [item for item in items if item.count]  # shown only when there is something


def tasks_for(user: Any) -> list[Task]:
    """Every to-do item for `user`, those with something waiting first."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [
        *_submissions(user),
        *_qualifications(user),
        *_observations(user),
        *_contracts(user),
        *_projects(user),
        *_jobs(user),
    ]
    return sorted(items, key=lambda t: t.count <= 0)
