"""The projects' pages: the list and the project page (agreement, targets, milestones, tranches,
spending, reports, reviews, acceptance, outputs) with the team's progress report and staff's
payment; the dashboard and the Excel export; the acceptance certificate (Word); the public
record of results; the research-integrity records (city staff enter and import, the
organization sees and contests its own). Thin: read through selectors, write through services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.downloads import DOCX, XLSX, attachment
from kechuang.core.errors import django_validation_errors
from kechuang.core.imports.table import FileProblem, read_upload
from kechuang.core.permissions import requires
from kechuang.projects import export, selectors, services
from kechuang.projects.certificate import certificate_docx
from kechuang.projects.models import Tranche
from kechuang.projects.permissions import MANAGE_PROJECTS, RUN_PROJECT, VIEW_PROJECT_WORK
from kechuang.registry import selectors as registry_selectors
from kechuang.registry.services import integrity


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    user = request.user
    flags = {
        "may_manage": MANAGE_PROJECTS.allows(user),
        "may_run": RUN_PROJECT.allows(user),
        "may_work": VIEW_PROJECT_WORK.allows(user),
    }
    status = context.pop("status", 200)
    return render(request, f"projects/{template}", {**flags, **context}, status=status)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "list.html", {"projects": selectors.projects_for(request.user)})


def _detail(
    request: HttpRequest, project: Any, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    return _page(
        request,
        "detail.html",
        {
            "project": project,
            "targets": project.targets.filter(removed=False),
            "milestones": project.milestones.all(),
            "tranches": project.tranches.all(),
            "spending": project.spending.all(),
            "reports": project.reports.all(),
            "changes": project.changes.all(),
            "acceptances": project.acceptances.all(),
            "outputs": selectors.outputs_of(project),
            "gates": project.gate_decisions.select_related("gate"),
            "errors": errors or {},
            "status": 400 if errors else 200,
        },
    )


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_for(request.user), pk=pk)
    return _detail(request, project)


@require_POST
@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_for(request.user), pk=pk)
    data = {
        "period": request.POST.get("period", ""),
        "content": request.POST.get("content", ""),
        "milestone": request.POST.get("milestone") or None,
        "milestone_done": request.POST.get("milestone_done") == "on",
    }
    if data["milestone"] is not None and not str(data["milestone"]).isdigit():
        data["milestone"] = -1
    try:
        services.report_progress(request.user, project, data)
    except ValidationError as error:
        return _detail(request, project, django_validation_errors(error))
    return redirect("projects:detail", pk=project.pk)


@require_POST
@requires(MANAGE_PROJECTS)
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    tranche = get_object_or_404(Tranche.objects.restrict(request.user, "view"), pk=pk)
    try:
        services.pay_tranche(request.user, tranche)
    except ValidationError as error:
        return _detail(request, tranche.project, django_validation_errors(error))
    return redirect("projects:detail", pk=tranche.project_id)


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.projects_for(request.user), pk=pk)
    acceptance = project.acceptances.exclude(certificate_number="").last()
    if acceptance is None:
        raise Http404("该项目尚无验收证书。")
    content = certificate_docx(acceptance)
    return attachment(content, f"验收证书-{acceptance.certificate_number}.docx", DOCX)


@requires(VIEW_PROJECT_WORK)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    return _page(
        request,
        "dashboard.html",
        {
            "counts": selectors.status_counts(user),
            "targets": selectors.targets_summary(user),
            "by_program": selectors.funds_summary(user, "program"),
            "by_area": selectors.funds_summary(user, "area"),
            "by_year": selectors.funds_summary(user, "year"),
            "overdue": selectors.overdue_milestones(user),
        },
    )


@requires(VIEW_PROJECT_WORK)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return attachment(export.projects_xlsx(request.user), "科技项目.xlsx", XLSX)


# --- the public record of results -----------------------------------------------------------------


def results(request: HttpRequest) -> HttpResponse:
    return _page(request, "results.html", {"projects": selectors.public_results()})


def result(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.public_results(), pk=pk)
    return _page(request, "result.html", {"project": project})


# --- research integrity ---------------------------------------------------------------------------


def _integrity(request: HttpRequest, **extra: Any) -> HttpResponse:
    records = registry_selectors.integrity_records_for(request.user)
    return _page(
        request,
        "integrity.html",
        {
            "records": records,
            "may_enter": integrity.MANAGE_INTEGRITY.allows(request.user),
            "may_contest": integrity.CONTEST_INTEGRITY.allows(request.user),
            "columns": integrity.COLUMNS,
            **extra,
        },
    )


@login_required
def integrity_list(request: HttpRequest) -> HttpResponse:
    return _integrity(request)


@require_POST
@login_required
def integrity_contest(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(registry_selectors.integrity_records_for(request.user), pk=pk)
    try:
        integrity.contest(request.user, record, request.POST.get("contest", ""))
    except ValidationError as error:
        return _integrity(request, errors=django_validation_errors(error), status=400)
    return redirect("projects:integrity")


@require_POST
@requires(integrity.MANAGE_INTEGRITY)
def integrity_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _integrity(request, errors={"file": ["请选择要导入的 Excel 文件。"]}, status=400)
    try:
        content = read_upload(upload)
    except FileProblem as problem:
        return _integrity(request, errors={"file": [f"{problem.problem}{problem.fix}"]}, status=400)
    report_ = integrity.validate_import(request.user, content)
    if not report_.ok:
        return _integrity(request, import_errors=report_.errors, status=400)
    saved = integrity.commit_import(request.user, report_)
    return _integrity(request, imported=len(saved))
