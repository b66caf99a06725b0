"""Reads of the projects module: every user-facing queryset starts from `restrict(user, ...)`;
the public record of results is its own selector (closed, non-confidential projects)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from kechuang.programs.models import Award
from kechuang.projects.models import (
    CLOSED,
    ChangeRequest,
    ChangeStatus,
    Milestone,
    Output,
    OutputKind,
    Project,
    ProjectReview,
    ProjectStatus,
    Spending,
    Tranche,
    TrancheStatus,
)

PUBLIC_STATUSES = (ProjectStatus.PASSED, ProjectStatus.CONCLUDED, ProjectStatus.FAILED)


def projects_for(user: Any) -> QuerySet[Project]:
    return (
        Project.objects.restrict(user, "view")
        .select_related("organization__area", "program", "leader", "award__application__call")
        .distinct()
    )


def project_for(user: Any, pk: int) -> Project | None:
    return projects_for(user).filter(pk=pk).first()


def public_results() -> QuerySet[Project]:
    """The public record of results (财政资助科研项目成果公开): closed projects that went through
    acceptance, never a confidential one."""
    return (
        Project.objects.filter(status__in=PUBLIC_STATUSES, confidential=False)
        .select_related("organization", "program")
        .prefetch_related("targets", "outputs")
    )


def race_of(project: Project) -> list[Project]:
    """The running teams of the project's 赛马 race (the gate compares them)."""
    if not project.race:
        return []
    return list(
        Project.objects.filter(race=project.race, status=ProjectStatus.RUNNING)
        .select_related("organization")
        .order_by("pk")
    )


def my_reviews(user: Any) -> QuerySet[ProjectReview]:
    return (
        ProjectReview.objects.restrict(user, "view")
        .filter(expert__user=user)
        .select_related("project__organization")
    )


def reviews_for(user: Any) -> QuerySet[ProjectReview]:
    return ProjectReview.objects.restrict(user, "view").select_related("project", "expert__talent")


def overdue_milestones(user: Any, day: dt.date | None = None) -> QuerySet[Milestone]:
    """Milestones past their date without a report marking them done, on running projects."""
    day = day or timezone.localdate()
    return (
        Milestone.objects.restrict(user, "view")
        .filter(due_on__lt=day, done_on__isnull=True, project__status=ProjectStatus.RUNNING)
        .select_related("project__organization")
        .distinct()
        .order_by("due_on", "pk")
    )


def pending_changes_for(user: Any) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.restrict(user, "view").filter(status=ChangeStatus.PENDING)


def outputs_of(project: Project) -> QuerySet[Output]:
    return project.outputs.select_related("patent", "achievement", "contract")


def _add(table: dict[Any, dict[str, Decimal]], key: Any, column: str, amount: Decimal) -> None:
    table[key][column] += amount


NO_CHAIN = "未标注产业链"


def chain_of(project: Project) -> str:
    """The project's industry chain (产业链, the top of the "6+N" layout): the challenge's
    industry for a 揭榜 project, else the organization's; `NO_CHAIN` when neither is set."""
    challenge = project.award.application.challenge
    industry = (challenge.industry if challenge else None) or project.organization.industry
    if industry is None:
        return NO_CHAIN
    return (industry.parent or industry).name


FUNDS_KEYS = ("project", "program", "area", "chain", "year")


def funds_summary(user: Any, by: str = "program") -> list[dict[str, Any]]:
    """Funds committed (city funds of the agreements), paid (tranches paid) and spent
    (reported spending), and the number of projects, per project, programme, area, industry
    chain or year (of signing, else start)."""
    keys = {
        "project": lambda p: p.title,
        "program": lambda p: str(p.program),
        "area": lambda p: p.organization.area.name,
        "chain": chain_of,
        "year": lambda p: (p.signed_on or p.starts_on).year,
    }
    key_of = keys.get(by, keys["program"])
    projects = {p.pk: p for p in _with_chain(projects_for(user))}
    table: dict[Any, dict[str, Decimal]] = defaultdict(
        lambda: {
            "projects": Decimal(0),
            "committed": Decimal(0),
            "paid": Decimal(0),
            "spent": Decimal(0),
        }
    )
    for p in projects.values():
        _add(table, key_of(p), "projects", Decimal(1))
        _add(table, key_of(p), "committed", p.city_funds)
    for t in Tranche.objects.filter(project_id__in=projects, status=TrancheStatus.PAID):
        _add(table, key_of(projects[t.project_id]), "paid", t.amount)
    for s in Spending.objects.filter(project_id__in=projects):
        _add(table, key_of(projects[s.project_id]), "spent", s.amount)
    return [
        {"key": str(k), **v, "projects": int(v["projects"])}
        for k, v in sorted(table.items(), key=lambda kv: str(kv[0]))
    ]


def _with_chain(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.select_related(
        "award__application__challenge__industry__parent", "organization__industry__parent"
    )


def status_by(user: Any, by: str) -> list[dict[str, Any]]:
    """Projects counted by status within each programme, area or industry chain: rows of
    `{"key", "total", "counts": [n per ProjectStatus in order]}`."""
    keys = {
        "program": lambda p: str(p.program),
        "area": lambda p: p.organization.area.name,
        "chain": chain_of,
    }
    key_of = keys[by]
    order = list(ProjectStatus.values)
    table: dict[str, list[int]] = defaultdict(lambda: [0] * len(order))
    for p in _with_chain(projects_for(user)):
        table[key_of(p)][order.index(p.status)] += 1
    return [{"key": k, "total": sum(v), "counts": v} for k, v in sorted(table.items())]


def outputs_credited(user: Any) -> dict[str, Any]:
    """The outputs credited to the user's projects, counted by kind and year: `kinds` (the
    kinds' labels in order), `rows` (`{"year", "counts": [n per kind], "total"}`, by year) and
    `totals` (per kind)."""
    kinds = list(OutputKind)
    table: dict[int, list[int]] = defaultdict(lambda: [0] * len(kinds))
    outputs = Output.objects.filter(project__in=projects_for(user).values("pk"))
    for kind, year, n in (
        outputs.values_list("kind", "year").annotate(n=Count("pk")).order_by("year", "kind")
    ):
        table[year][list(OutputKind.values).index(kind)] += n
    rows = [{"year": y, "counts": c, "total": sum(c)} for y, c in sorted(table.items())]
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(kinds))]
    return {"kinds": [k.label for k in kinds], "rows": rows, "totals": totals, "total": sum(totals)}


def awards_awaiting_agreement(user: Any) -> QuerySet[Award]:
    """Awards the user may see that have no task agreement yet (city staff create it)."""
    return (
        Award.objects.restrict(user, "view")
        .filter(project__isnull=True)
        .select_related("application__organization", "application__call")
        .order_by("-decided_on", "-pk")
    )


def status_counts(user: Any) -> list[tuple[str, str, int]]:
    projects = list(projects_for(user).values_list("status", flat=True))
    return [(s.value, s.label, projects.count(s.value)) for s in ProjectStatus]


def targets_summary(user: Any) -> dict[str, int]:
    """Targets promised and met (by the acceptance checklist's rule) over the user's projects."""
    promised = met = 0
    for p in projects_for(user).prefetch_related("targets"):
        for t in p.targets.all():
            if t.removed:
                continue
            promised += 1
            if t.achieved is not None and (
                t.achieved <= t.target_value if t.lower_is_better else t.achieved >= t.target_value
            ):
                met += 1
    return {"promised": promised, "met": met}


def is_closed(project: Project) -> bool:
    return project.status in CLOSED
