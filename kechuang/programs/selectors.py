"""Every read of the programmes module beyond `.filter()`, starting from `restrict(user, …)`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet

from kechuang.programs.engine.scores import Score, aggregate
from kechuang.programs.models import (
    ACTIVE_ASSIGNMENT,
    Application,
    Assignment,
    AssignmentStatus,
    Award,
    Call,
    Challenge,
    Expert,
    Program,
    Review,
    Workflow,
    WorkflowVersion,
)
from kechuang.registry.models import Organization, Talent


def _public_or_own(model: Any, user: Any) -> QuerySet[Any]:
    """What the user's scope allows plus what the public sees: enterprise and institution
    users read the published calls and challenges as any visitor does (their own scope, by
    organization, holds none of them)."""
    return model.objects.restrict(user, "view") | model.objects.restrict(None, "view")


def programs_for(user: Any) -> QuerySet[Program]:
    return _public_or_own(Program, user)


def calls_for(user: Any) -> QuerySet[Call]:
    return _public_or_own(Call, user).select_related("program", "workflow_version__workflow")


def challenges_for(user: Any) -> QuerySet[Challenge]:
    return (
        _public_or_own(Challenge, user)
        .filter(call__in=calls_for(user))
        .select_related("call", "issuer", "industry")
    )


def applications_for(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.restrict(user, "view")
        .select_related("call__workflow_version", "challenge", "organization", "leader")
        .distinct()
    )


def assignments_for(user: Any) -> QuerySet[Assignment]:
    return Assignment.objects.restrict(user, "view").select_related(
        "application__call__workflow_version", "expert__talent__organization"
    )


def my_assignments(user: Any) -> QuerySet[Assignment]:
    """The assignments of the signed-in expert, open ones first."""
    return (
        assignments_for(user)
        .filter(expert__user=user)
        .order_by("status", "-application__call__closes_at", "id")
    )


def experts_for(user: Any) -> QuerySet[Expert]:
    return Expert.objects.restrict(user, "view").select_related("talent__organization")


def awards_for(user: Any) -> QuerySet[Award]:
    return Award.objects.restrict(user, "view").select_related(
        "application__organization", "application__call", "application__challenge"
    )


def workflows_for(user: Any) -> QuerySet[Workflow]:
    return Workflow.objects.restrict(user, "view").prefetch_related("versions")


def workflow_versions(workflow: Workflow) -> QuerySet[WorkflowVersion]:
    return workflow.versions.annotate(running=Count("calls")).order_by("-number")


def reviews_of_call(call: Call) -> QuerySet[Review]:
    return Review.objects.filter(assignment__application__call=call).select_related(
        "assignment__expert", "assignment__application"
    )


def ranking(call: Call, method: str | None = None) -> list[dict[str, Any]]:
    """The call's applications with submitted reviews, aggregated three ways, ranked by the
    call's method (or `method`); each row has the application and the three means."""
    scores = [
        Score(str(r.assignment.application_id), str(r.assignment.expert_id), float(r.total))
        for r in reviews_of_call(call)
    ]
    if not scores:
        return []
    rows = aggregate(scores, method or call.ranking_method)
    apps = Application.objects.in_bulk([int(r.application) for r in rows])
    return [{"application": apps[int(r.application)], "aggregate": r} for r in rows]


def phase_counts(call: Call) -> list[tuple[str, str, int]]:
    """(phase code, label, count) for every phase of the call's workflow."""
    counts = Counter(call.applications.values_list("phase", flat=True))
    return [(code, p.label, counts.get(code, 0)) for code, p in call.workflow.phases.items()]


def outstanding_reviews() -> list[dict[str, Any]]:
    """Reviews still to submit, per expert (the workbench)."""
    rows = (
        Assignment.objects.filter(status=AssignmentStatus.ASSIGNED)
        .values("expert_id", "expert__talent__name")
        .annotate(open=Count("id"))
        .order_by("-open", "expert__talent__name")
    )
    return list(rows)


def active_assignments(application: Application) -> QuerySet[Assignment]:
    return application.assignments.filter(status__in=ACTIVE_ASSIGNMENT)


def expert_load(call: Call) -> dict[int, int]:
    """Active assignments per expert within the call."""
    rows = (
        Assignment.objects.filter(application__call=call, status__in=ACTIVE_ASSIGNMENT)
        .values("expert_id")
        .annotate(n=Count("id"))
    )
    return {r["expert_id"]: r["n"] for r in rows}


def public_calls() -> QuerySet[Call]:
    return calls_for(None)


def public_challenges() -> QuerySet[Challenge]:
    return challenges_for(None)


def public_awards() -> QuerySet[Award]:
    return awards_for(None).filter(Q(published=True))


def organization_for_partner(uscc: str) -> Organization | None:
    """A co-applicant named by its credit code. The code is a public identifier and an
    applicant may name any registered organization as a partner (it reads nothing of it but
    its name), so this resolves over the whole registry."""
    if not uscc:
        return None
    return Organization.objects.filter(uscc=uscc).first()


def own_talents(user: Any) -> QuerySet[Talent]:
    """The talents an applicant may name as leader or members (its own organization's)."""
    return Talent.objects.restrict(user, "view").order_by("name")
