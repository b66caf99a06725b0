"""Enterprise self-assessment pages: the result from the registry, a what-if copy, Word (built
by a background job when the page's button asks with `background=1`)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from kechuang.core.downloads import DOCX, attachment
from kechuang.core.jobs.web import in_background, wants_background
from kechuang.cultivation import selectors
from kechuang.cultivation.engine.registry_case import CASE_YEAR_FIELDS
from kechuang.cultivation.engine.result import ELIGIBILITY_LABELS
from kechuang.cultivation.engine.selfassess import RULESETS, assess_case, what_if_case
from kechuang.cultivation.jobs import REPORT_TARGET
from kechuang.cultivation.report import report_docx
from kechuang.registry.models import AnnualReport
from kechuang.registry.selectors import organizations_for


@login_required
def self_assessment(request: HttpRequest) -> HttpResponse:
    """An enterprise user sees their own organization; staff pick one in their scope by USCC."""
    uscc = (request.GET.get("organization") or "").strip().upper()
    own = request.user.organization if request.user.organization_id else None
    if not uscc and own is not None and own.is_enterprise:  # not a dead end for institutions
        uscc = own.uscc
    organization = None
    if uscc:
        organization = get_object_or_404(
            organizations_for(request.user), uscc=uscc, kind="enterprise"
        )
    context: dict = {"organization": organization, "uscc": uscc, "labels": ELIGIBILITY_LABELS}
    if organization is None:
        return render(request, "cultivation/self_assessment.html", context)
    base = selectors.case_for(organization, timezone.localdate())
    what_if = request.method == "POST"
    case = what_if_case(base, request.POST) if what_if else base
    results, errors = assess_case(case)
    wants_docx = request.POST.get("action") == "docx" or request.GET.get("format") == "docx"
    if wants_docx and results and wants_background(request):
        return _report_in_background(request, organization, what_if)
    if wants_docx and results:
        content = report_docx(organization, results, what_if, case)
        return attachment(content, f"{organization.name}-认定自评.docx", DOCX)
    context.update(
        case=case,
        results=[(code, label, results.get(code)) for code, label in RULESETS],
        errors=errors,
        what_if=what_if,
        # the what-if rows by their Chinese labels (the annual figures' own), never field names
        year_fields=[(f, AnnualReport._meta.get_field(f).verbose_name) for f in CASE_YEAR_FIELDS],
    )
    return render(
        request,
        "cultivation/self_assessment.html",
        context,
        status=422 if errors and what_if else 200,
    )


# the what-if form's own fields (CSRF and the buttons are not figures)
NOT_FIGURES = ("csrfmiddlewaretoken", "action", "background")


def _report_in_background(request: HttpRequest, organization: Any, what_if: bool) -> HttpResponse:
    values = {k: v for k, v in request.POST.items() if k not in NOT_FIGURES} if what_if else None
    back = reverse("cultivation:self_assessment") + f"?organization={organization.uscc}"
    return in_background(
        request,
        kind="report",
        label=f"{organization.name} 认定自评报告（Word{'，模拟测算' if what_if else ''}）",
        target=REPORT_TARGET,
        params={"organization_id": organization.pk, "what_if": values},
        back=back,
        dedupe_key=f"selfassess:{organization.pk}" if values is None else "",
    )
