"""The way annual figures travel: 填报 → 县区审核 → 市级确认, with comments and a diff.

Only confirmation writes into `AnnualReport`, so indicators and screening read confirmed figures
only. Staff edits take the same way: a city user's submission may be confirmed at once, and both
steps are recorded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import CONFIRM_FIGURES, REVIEW_FIGURES, allows_on
from kechuang.core.scoping import can
from kechuang.registry.models import AnnualReport, FigureReview, FigureSubmission, Organization
from kechuang.registry.models import SubmissionStatus as Status
from kechuang.registry.models.figures import FIGURE_FIELDS, check_figures, raise_figure_errors

INTEGER_FIELDS = {
    f.name
    for f in AnnualReport._meta.concrete_fields
    if f.get_internal_type() == "PositiveIntegerField"
}
SIGNED_FIELDS = {"net_assets_start", "net_assets_end"}
PENDING = (Status.SUBMITTED, Status.AREA_CHECKED)


def clean_values(raw: dict[str, Any]) -> dict[str, str | None]:
    """Validate proposed figures; returns them as strings (JSON-safe, exact)."""
    errors: dict[str, str] = {}
    values: dict[str, str | None] = {}
    for name, value in raw.items():
        if name not in FIGURE_FIELDS:
            errors[name] = "不是可填报的年度数据项。"
            continue
        if value is None or value == "":
            values[name] = None
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors[name] = f"应为数字，实为“{value}”。"
            continue
        if not number.is_finite():
            errors[name] = "应为有限的数字。"
        elif number < 0 and name not in SIGNED_FIELDS:
            errors[name] = "不能为负数。"
        elif name in INTEGER_FIELDS and number != number.to_integral_value():
            errors[name] = "应为整数。"
        elif abs(number) >= Decimal("1e14"):
            errors[name] = "数值过大，请确认单位为万元。"
        else:
            values[name] = str(number)
    raise_figure_errors(errors)
    return values


def confirmed_values(organization: Organization, year: int) -> dict[str, str | None]:
    # Through the relation, so a list that prefetched it (selectors.submissions_for) asks nothing.
    report = next((r for r in organization.annual_reports.all() if r.year == year), None)
    if report is None:
        return {}
    return {name: None if v is None else str(v) for name, v in report.figures().items()}


def diff(submission: FigureSubmission) -> dict[str, tuple[str | None, str | None]]:
    """Proposed against last confirmed values: {field: (confirmed, proposed)} where they differ."""
    confirmed = confirmed_values(submission.organization, submission.year)
    changes = {}
    for name in FIGURE_FIELDS:
        if name not in submission.values:
            continue
        before, after = confirmed.get(name), submission.values[name]
        if (Decimal(before) if before else None) != (Decimal(after) if after else None):
            changes[name] = (before, after)
    return changes


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
    values = clean_values(raw)
    merged = {**confirmed_values(organization, year), **values}
    raise_figure_errors(check_figures(merged))
    if FigureSubmission.objects.filter(
        organization=organization, year=year, status__in=PENDING
    ).exists():
        raise ValidationError(
            {"year": f"{organization} {year} 年度已有待审核的填报，请待其审核或退回后再提交。"}
        )
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
