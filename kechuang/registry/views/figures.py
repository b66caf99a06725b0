"""Pages of the annual-figures workflow (填报 → 县区审核 → 市级确认)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.errors import django_validation_errors
from kechuang.core.pagination import page_of
from kechuang.core.permissions import CONFIRM_FIGURES, WRITE_DATA, requires
from kechuang.registry import selectors
from kechuang.registry.models import (
    AnnualReport,
    FigureReview,
    FigureSubmission,
    SubmissionStatus,
)
from kechuang.registry.models.figures import FIGURE_FIELDS
from kechuang.registry.services import workflow

LABELS = {name: str(AnnualReport._meta.get_field(name).verbose_name) for name in FIGURE_FIELDS}


@login_required
def figures_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.submissions_for(request.user)
    status = request.GET.get("status", "")
    if status in SubmissionStatus.values:
        qs = qs.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    current = page_of(qs.order_by("-created_at", "-pk"), request.GET.get("page"))
    return render(
        request,
        "registry/figures_list.html",
        {
            "current": current,
            "statuses": SubmissionStatus.choices,
            "status": status,
            "year": year,
        },
    )


@requires(WRITE_DATA)
def figures_new(request: HttpRequest) -> HttpResponse:
    uscc = (
        (request.POST.get("organization") or request.GET.get("organization") or "").strip().upper()
    )
    year_raw = (
        request.POST.get("year") or request.GET.get("year") or str(timezone.localdate().year - 1)
    )
    organization = (
        selectors.organizations_for(request.user).filter(uscc=uscc).first() if uscc else None
    )
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    year = int(year_raw) if year_raw.isdigit() else None
    if organization is not None and year:
        values = workflow.confirmed_values(organization, year)
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() or None for name in FIGURE_FIELDS}
        if organization is None:
            errors["organization"] = ["请填写您有权填报的单位的统一社会信用代码。"]
        elif year is None:
            errors["year"] = ["请填写年度。"]
        else:
            try:
                submission = workflow.submit(
                    request.user,
                    organization,
                    year,
                    values,
                    request.POST.get("comment", ""),
                    confirm_now=bool(request.POST.get("confirm_now")),
                )
            except ValidationError as error:
                errors = django_validation_errors(error)
            except PermissionDenied as error:
                errors["organization"] = [str(error)]
            else:
                messages.success(request, f"已提交 {organization} {year} 年度数据。")
                return redirect("registry:figures_detail", pk=submission.pk)
    if organization is None and request.user.organization_id and not uscc:
        organization = request.user.organization
    fields = _field_rows(values, errors)
    return render(
        request,
        "registry/figures_form.html",
        {
            "organization": organization,
            "uscc": uscc or (organization.uscc if organization else ""),
            "year": year_raw,
            "fields": fields,
            "errors": errors,
            "is_city": CONFIRM_FIGURES.allows(request.user),
        },
        status=422 if errors else 200,
    )


@login_required
def figures_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            workflow.review(
                request.user,
                submission,
                request.POST.get("decision", ""),
                request.POST.get("comment", ""),
            )
        except ValidationError as error:
            for problems in django_validation_errors(error).values():
                for problem in problems:
                    messages.error(request, problem)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "审核意见已记录。")
        return redirect("registry:figures_detail", pk=pk)
    return _render_detail(request, submission)


def _field_rows(values: dict[str, Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {"name": n, "label": LABELS[n], "value": values.get(n) or "", "errors": errors.get(n, [])}
        for n in FIGURE_FIELDS
    ]


def _render_detail(
    request: HttpRequest,
    submission: FigureSubmission,
    posted: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    changes = workflow.diff(submission)
    rows = [
        {
            "label": LABELS[n],
            "confirmed": changes[n][0] if n in changes else None,
            "proposed": submission.values.get(n),
            "changed": n in changes,
        }
        for n in FIGURE_FIELDS
        if n in submission.values
    ]
    own = submission.submitted_by_id == request.user.pk
    can_resubmit = own and submission.status == SubmissionStatus.RETURNED
    prefill = posted
    if prefill is None and can_resubmit:
        confirmed = workflow.confirmed_values(submission.organization, submission.year)
        prefill = {**confirmed, **submission.values}
    errors = errors or {}
    return render(
        request,
        "registry/figures_detail.html",
        {
            "submission": submission,
            "rows": rows,
            "reviews": submission.reviews.all(),
            "decisions": FigureReview.Decision,
            "pending": submission.status in workflow.PENDING,
            "can_withdraw": own and submission.status == SubmissionStatus.SUBMITTED,
            "can_resubmit": can_resubmit,
            "fields": _field_rows(prefill or {}, errors),
            "form_errors": [p for k in ("values", "year", "status") for p in errors.get(k, [])],
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def figures_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    try:
        workflow.withdraw(request.user, submission, request.POST.get("comment", ""))
    except ValidationError as error:
        for problems in django_validation_errors(error).values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, "填报已撤回；记录仍保留，您可以重新填报。")
    return redirect("registry:figures_detail", pk=pk)


@login_required
@require_POST
def figures_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(selectors.submissions_for(request.user), pk=pk)
    values = {name: request.POST.get(name, "").strip() or None for name in FIGURE_FIELDS}
    try:
        workflow.resubmit(request.user, submission, values, request.POST.get("comment", ""))
    except ValidationError as error:
        return _render_detail(request, submission, values, django_validation_errors(error))
    messages.success(request, "已修改并重新提交，待县区审核。")
    return redirect("registry:figures_detail", pk=pk)
