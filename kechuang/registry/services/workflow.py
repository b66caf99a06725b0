"""The way annual figures travel: 填报 → 县区审核 → 市级确认, with comments and a diff.

Only confirmation writes into `AnnualReport`, so indicators and screening read confirmed figures
only. Staff edits take the same way: a city user's submission may be confirmed at once, and both
steps are recorded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import CONFIRM_FIGURES, REVIEW_FIGURES, allows_on
from kechuang.core.scoping import can
from kechuang.registry.models import AnnualReport, FigureReview, FigureSubmission, Organization
from kechuang.registry.models import SubmissionStatus as Status
from kechuang.registry.models.figures import (
    FIGURE_FIELDS,
    check_figures,
    parse_figures,
    raise_figure_errors,
)

PENDING = (Status.SUBMITTED, Status.AREA_CHECKED)
EMPTY_MESSAGE = (
    "本次填报没有填写任何年度数据，或所填数据与已确认的数据完全相同；请至少填写或修改一项后再提交。"
)


def clean_values(raw: dict[str, Any]) -> dict[str, str | None]:
    """Validate proposed figures on their own; returns them as strings (JSON-safe, exact)."""
    errors: dict[str, list[str]] = {
        name: [f"“{name}”不是可填报的年度数据项；请删除该项，可填报的项见接口文档。"]
        for name in raw
        if name not in FIGURE_FIELDS
    }
    numbers, problems = parse_figures(raw)
    raise_figure_errors({**errors, **problems})
    return {name: format(numbers[name], "f") if name in numbers else None for name in raw}


def check_proposal(
    organization: Organization, year: int, raw: dict[str, Any]
) -> dict[str, str | None]:
    """The proposed figures, checked alone, together with the confirmed ones, and for being
    something: an empty proposal, or one that changes nothing, is refused."""
    values = clean_values(raw)
    confirmed = confirmed_values(organization, year)
    raise_figure_errors(check_figures({**confirmed, **values}))
    if not _changes(confirmed, values):
        raise ValidationError({"values": EMPTY_MESSAGE})
    return values


def _same(before: str | None, after: str | None) -> bool:
    return (Decimal(before) if before else None) == (Decimal(after) if after else None)


def _changes(
    confirmed: dict[str, str | None], values: dict[str, Any]
) -> dict[str, tuple[str | None, str | None]]:
    return {
        name: (confirmed.get(name), values[name])
        for name in FIGURE_FIELDS
        if name in values and not _same(confirmed.get(name), values[name])
    }


def _ensure_none_pending(organization: Organization, year: int, exclude: int | None) -> None:
    pending = FigureSubmission.objects.filter(
        organization=organization, year=year, status__in=PENDING
    ).exclude(pk=exclude)
    if pending.exists():
        raise ValidationError(
            {
                "year": f"{organization} {year} 年度已有待审核的填报；请待其审核、退回，"
                "或由填报人撤回后再提交。"
            }
        )


def confirmed_values(organization: Organization, year: int) -> dict[str, str | None]:
    # Through the relation, so a list that prefetched it (selectors.submissions_for) asks nothing.
    report = next((r for r in organization.annual_reports.all() if r.year == year), None)
    if report is None:
        return {}
    return {name: None if v is None else str(v) for name, v in report.figures().items()}


def diff(submission: FigureSubmission) -> dict[str, tuple[str | None, str | None]]:
    """Proposed against last confirmed values: {field: (confirmed, proposed)} where they differ."""
    return _changes(confirmed_values(submission.organization, submission.year), submission.values)


@transaction.atomic
def submit(
    user: Any,
    organization: Organization,
    year: int,
    raw: dict[str, Any],
    comment: str = "",
    confirm_now: bool = False,
) -> FigureSubmission:
    """填报: propose figures for one organization and year."""
    if not can(user, "change", organization):
        raise PermissionDenied("您无权填报该单位的年度数据。")
    # Decided here for the page and the API alike.
    if confirm_now and not CONFIRM_FIGURES.allows(user):
        raise PermissionDenied(
            "只有市科技局工作人员可以提交即确认；请正常提交，待县区审核、市级确认。"
        )
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise ValidationError({"year": f"年度应在 2000 至 {timezone.localdate().year} 之间。"})
    values = check_proposal(organization, year, raw)
    _ensure_none_pending(organization, year, exclude=None)
    submission = FigureSubmission.objects.create(
        organization=organization, year=year, values=values, submitted_by=user
    )
    FigureReview.objects.create(
        submission=submission,
        decision=FigureReview.Decision.SUBMIT,
        comment=comment[:500],
        reviewer=user,
    )
    if confirm_now:
        review(user, submission, FigureReview.Decision.CONFIRM, comment or "市级工作人员直接确认")
    return submission


def _approve(user: Any, submission: FigureSubmission, comment: str) -> None:
    if submission.status != Status.SUBMITTED:
        raise ValidationError(
            {"decision": f"当前状态为“{submission.get_status_display()}”，不能进行县区审核。"}
        )
    if not allows_on(REVIEW_FIGURES, user, "change", submission.organization):
        raise PermissionDenied("只有单位所在县区或市科技局的工作人员可以审核。")
    submission.status = Status.AREA_CHECKED


def _confirm(user: Any, submission: FigureSubmission, comment: str) -> None:
    if not CONFIRM_FIGURES.allows(user):
        raise PermissionDenied("只有市科技局工作人员可以确认年度数据。")
    staff_edit = CONFIRM_FIGURES.allows(submission.submitted_by)
    if not (
        submission.status == Status.AREA_CHECKED
        or (submission.status == Status.SUBMITTED and staff_edit)
    ):
        raise ValidationError(
            {"decision": f"当前状态为“{submission.get_status_display()}”，须先经县区审核。"}
        )
    submission.report = _apply(submission)
    submission.status = Status.CONFIRMED


def _return(user: Any, submission: FigureSubmission, comment: str) -> None:
    if submission.status not in PENDING:
        raise ValidationError(
            {"decision": f"当前状态为“{submission.get_status_display()}”，不能退回。"}
        )
    if not allows_on(REVIEW_FIGURES, user, "change", submission.organization):
        raise PermissionDenied("只有单位所在县区或市科技局的工作人员可以退回。")
    if not comment.strip():
        raise ValidationError({"comment": "退回时请说明需要修改的内容。"})
    submission.status = Status.RETURNED


REVIEW_STEPS = {
    FigureReview.Decision.APPROVE: _approve,
    FigureReview.Decision.CONFIRM: _confirm,
    FigureReview.Decision.RETURN: _return,
}


@transaction.atomic
def review(
    user: Any, submission: FigureSubmission, decision: str, comment: str = ""
) -> FigureSubmission:
    """县区审核 (approve), 市级确认 (confirm) or 退回 (return, with a reason)."""
    submission = FigureSubmission.objects.select_for_update().get(pk=submission.pk)
    step = REVIEW_STEPS.get(decision)
    if step is None:
        raise ValidationError({"decision": "审核意见应为县区审核通过、市级确认或退回。"})
    step(user, submission, comment)
    submission.save()
    FigureReview.objects.create(
        submission=submission, decision=decision, comment=comment[:500], reviewer=user
    )
    return submission


def _ensure_submitter(user: Any, submission: FigureSubmission, what: str) -> None:
    if submission.submitted_by_id is None or submission.submitted_by_id != user.pk:
        raise PermissionDenied(f"只有填报人本人可以{what}该填报。")
    if not can(user, "change", submission.organization):
        raise PermissionDenied(f"您已无权填报该单位的年度数据，不能{what}。")


@transaction.atomic
def withdraw(user: Any, submission: FigureSubmission, comment: str = "") -> FigureSubmission:
    """撤回: the submitter takes back a submission no reviewer has acted on yet. It stays on
    record (已撤回), leaves the review queue and no longer blocks a new submission."""
    submission = FigureSubmission.objects.select_for_update().get(pk=submission.pk)
    _ensure_submitter(user, submission, "撤回")
    if submission.status != Status.SUBMITTED:
        raise ValidationError(
            {
                "status": f"当前状态为“{submission.get_status_display()}”，只有待县区审核的"
                "填报可以撤回；如需更正，请联系审核人退回。"
            }
        )
    submission.status = Status.WITHDRAWN
    submission.save()
    FigureReview.objects.create(
        submission=submission,
        decision=FigureReview.Decision.WITHDRAW,
        comment=comment[:500],
        reviewer=user,
    )
    return submission


@transaction.atomic
def resubmit(
    user: Any, submission: FigureSubmission, raw: dict[str, Any], comment: str = ""
) -> FigureSubmission:
    """修改后重新提交: a returned submission, corrected, goes back to 县区审核 as the same
    submission; its history keeps the return and its comment, the audit trail the old values."""
    submission = FigureSubmission.objects.select_for_update().get(pk=submission.pk)
    _ensure_submitter(user, submission, "重新提交")
    if submission.status != Status.RETURNED:
        raise ValidationError(
            {
                "status": f"当前状态为“{submission.get_status_display()}”，只有已退回的填报"
                "可以修改后重新提交。"
            }
        )
    values = check_proposal(submission.organization, submission.year, raw)
    _ensure_none_pending(submission.organization, submission.year, exclude=submission.pk)
    submission.values = values
    submission.status = Status.SUBMITTED
    submission.save()
    FigureReview.objects.create(
        submission=submission,
        decision=FigureReview.Decision.RESUBMIT,
        comment=comment[:500],
        reviewer=user,
    )
    return submission


def _apply(submission: FigureSubmission) -> AnnualReport:
    report, _ = AnnualReport.objects.get_or_create(
        organization=submission.organization, year=submission.year
    )
    for name, value in submission.values.items():
        setattr(report, name, None if value is None else Decimal(value))
    report.confirmed_at = timezone.now()
    report.full_clean()
    report.save()
    return report
