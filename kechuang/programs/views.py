"""The programmes' pages: public calls, challenges and results; the applicant's form and
application page; staff's workbench (formal check, assignment, defence, decision, ranking);
the expert's review form; the administrators' workflow editor. Thin: parse, read through
selectors, write through services, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kechuang.core.downloads import DOCX, XLSX, attachment
from kechuang.core.errors import django_validation_errors
from kechuang.core.permissions import requires
from kechuang.programs import export, report, selectors, services
from kechuang.programs.engine.criteria import parse_criteria
from kechuang.programs.filters import page_application_filter
from kechuang.programs.models import Application, Recommendation
from kechuang.programs.permissions import (
    APPLY_PROGRAM,
    EDIT_WORKFLOWS,
    MANAGE_PROGRAMS,
    REVIEW_APPLICATIONS,
    VIEW_PROGRAM_WORK,
)

APPLICATION_FIELDS = ("title", "summary", "requested", "self_funding", "leader", "challenge")


def _flags(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    return {
        "may_apply": APPLY_PROGRAM.allows(user),
        "may_manage": MANAGE_PROGRAMS.allows(user),
        "may_work": VIEW_PROGRAM_WORK.allows(user),
        "may_review": REVIEW_APPLICATIONS.allows(user),
        "may_edit_workflows": EDIT_WORKFLOWS.allows(user),
    }


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"programs/{template}", {**_flags(request), **context})


# --- public ---------------------------------------------------------------------------------------


def calls(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "calls.html",
        {
            "calls": selectors.calls_for(request.user),
            "challenges": selectors.challenges_for(request.user).filter(status="published"),
        },
    )


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_for(request.user), pk=pk)
    return _page(
        request,
        "call.html",
        {
            "call": call,
            "challenges": selectors.challenges_for(request.user).filter(call=call),
            "phases": selectors.phase_counts(call)
            if VIEW_PROGRAM_WORK.allows(request.user)
            else [],
            "next_status": NEXT_STATUS.get(call.status),
        },
    )


def results(request: HttpRequest) -> HttpResponse:
    return _page(request, "results.html", {"awards": selectors.public_awards()})


# --- applicants -----------------------------------------------------------------------------------


def _posted_application(post: Any, call: Any) -> dict[str, Any]:
    data: dict[str, Any] = {k: post.get(k, "").strip() for k in APPLICATION_FIELDS}
    data["members"] = [
        m for m in post.get("members", "").replace("，", ",").split(",") if m.strip()
    ]
    data["budget"] = {
        category: post.get(f"budget_{i}", "").strip()
        for i, category in enumerate(call.budget_categories)
        if post.get(f"budget_{i}", "").strip()
    }
    data["form_data"] = {
        f["code"]: post.get(f"form_{f['code']}", "").strip()
        for f in call.form_fields
        if post.get(f"form_{f['code']}", "").strip()
    }
    return {k: v for k, v in data.items() if v not in ("", None)}


@requires(APPLY_PROGRAM)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_for(request.user), pk=pk)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"challenge": request.GET.get("challenge", "")}
    if request.method == "POST":
        values = _posted_application(request.POST, call)
        try:
            application = services.create_application(request.user, call, values)
            return redirect("programs:application", pk=application.pk)
        except ValidationError as error:
            errors = django_validation_errors(error)
    return _page(
        request,
        "apply.html",
        {
            "call": call,
            "challenges": selectors.challenges_for(request.user).filter(
                call=call, status="published"
            ),
            "talents": selectors.own_talents(request.user),
            "values": values,
            "errors": errors,
        },
    )


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    filters, problems = page_application_filter(request.GET)
    rows = filters.filter(selectors.applications_for(request.user))
    if request.GET.get("format") == "xlsx" and not problems:  # never export a misread filter
        return attachment(export.applications_xlsx(rows), "项目申报.xlsx", XLSX)
    return _page(request, "applications.html", {"applications": rows, "problems": problems})


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(selectors.applications_for(request.user), pk=pk)
    return _application_page(request, application, {})


def _application_page(
    request: HttpRequest, application: Application, errors: dict[str, list[str]]
) -> HttpResponse:
    user = request.user
    staff = VIEW_PROGRAM_WORK.allows(user)
    context = {
        "application": application,
        "transitions": services.available_transitions(user, application),
        "history": application.history.select_related("actor")
        if staff or APPLY_PROGRAM.allows(user)
        else [],
        "attachments": application.attachments.all(),
        "revisions": [
            (r.number, services.revision_diff(application, r.number))
            for r in application.revisions.all()
        ]
        if not REVIEW_APPLICATIONS.allows(user)
        else [],
        "assignments": selectors.assignments_for(user).filter(application=application)
        if staff
        else [],
        "experts": selectors.experts_for(user).filter(available=True)
        if MANAGE_PROGRAMS.allows(user)
        else [],
        "defence": application.defence.all() if staff else [],
        "errors": errors,
    }
    return _page(request, "application.html", context)


def _act(request: HttpRequest, application: Application) -> None:
    action, post, user = request.POST.get("action"), request.POST, request.user
    if action == "transition":
        services.transition(user, application, post.get("transition", ""), post.get("note", ""))
    elif action == "attach":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["请选择要上传的附件。"]})
        services.add_attachment(user, application, post.get("kind", ""), upload.read(), upload.name)
    elif action == "assign":
        expert = selectors.experts_for(user).filter(pk=post.get("expert") or 0).first()
        if expert is None:
            raise ValidationError({"expert": ["请选择评审专家。"]})
        services.assign_manually(user, application, expert)
    elif action == "defence":
        services.record_defence(
            user, application, {k: post.get(k, "") for k in ("panelist", "score", "comment")}
        )
    elif action == "decision":
        data = {
            "funded": post.get("funded") == "1",
            "amount": post.get("amount"),
            "reasons": post.get("reasons", ""),
        }
        services.decide(user, application, data)
    else:
        raise ValidationError({"action": ["未知的操作，请刷新页面后重试。"]})


@login_required
@require_POST
def application_act(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(selectors.applications_for(request.user), pk=pk)
    try:
        _act(request, application)
    except ValidationError as error:
        application.refresh_from_db()
        return _application_page(request, application, django_validation_errors(error))
    return redirect("programs:application", pk=application.pk)


# --- city staff -----------------------------------------------------------------------------------


@requires(VIEW_PROGRAM_WORK)
def workbench(request: HttpRequest) -> HttpResponse:
    rows = [(call, selectors.phase_counts(call)) for call in selectors.calls_for(request.user)]
    return _page(
        request,
        "workbench.html",
        {
            "rows": rows,
            "outstanding": selectors.outstanding_reviews(),
            "to_check": selectors.applications_for(request.user).filter(phase="formal_check"),
        },
    )


@requires(MANAGE_PROGRAMS)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_for(request.user), pk=pk)
    result = services.auto_assign(request.user, call)
    assigned = sum(len(v) for v in result.assignments.values())
    return _page(
        request, "assigned.html", {"call": call, "assigned": assigned, "unfilled": result.unfilled}
    )


NEXT_STATUS = {"draft": "published", "published": "closed", "closed": "results"}


@requires(MANAGE_PROGRAMS)
@require_POST
def call_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the call (and its challenges), close it, publish the results (立项公示)."""
    call = get_object_or_404(selectors.calls_for(request.user), pk=pk)
    try:
        services.set_call_status(request.user, call, request.POST.get("status", ""))
    except ValidationError as error:
        return _page(
            request,
            "call.html",
            {
                "call": call,
                "challenges": selectors.challenges_for(request.user).filter(call=call),
                "phases": selectors.phase_counts(call),
                "errors": django_validation_errors(error),
                "next_status": NEXT_STATUS.get(call.status),
            },
        )
    return redirect("programs:call", pk=call.pk)


@requires(VIEW_PROGRAM_WORK)
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_for(request.user), pk=pk)
    method = request.GET.get("method") or call.ranking_method
    if method not in ("z_mean", "trimmed_mean", "raw_mean"):
        method = call.ranking_method
    if request.GET.get("format") == "xlsx":
        content = export.ranking_xlsx(call, selectors.ranking(call, method))
        return attachment(content, f"{call.title}-评审汇总与立项.xlsx", XLSX)
    return _page(
        request,
        "ranking.html",
        {"call": call, "rows": selectors.ranking(call, method), "method": method},
    )


@requires(VIEW_PROGRAM_WORK)
def results_docx(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(selectors.calls_for(request.user), pk=pk)
    return attachment(
        report.results_docx(call, selectors.ranking(call)), f"{call.title}-评审结果.docx", DOCX
    )


# --- experts --------------------------------------------------------------------------------------


@requires(REVIEW_APPLICATIONS)
def reviews(request: HttpRequest) -> HttpResponse:
    return _page(request, "reviews.html", {"assignments": selectors.my_assignments(request.user)})


@requires(REVIEW_APPLICATIONS)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(selectors.my_assignments(request.user), pk=pk)
    errors: dict[str, list[str]] = {}
    criteria = parse_criteria(assignment.application.call.criteria)
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in request.POST}
        try:
            if request.POST.get("action") in ("decline", "conflict"):
                services.decline(
                    request.user,
                    assignment,
                    values.get("reason", ""),
                    values["action"] == "conflict",
                )
            else:
                marks = {c.code: values.get(f"mark_{c.code}", "") for c in criteria}
                data = {
                    "marks": marks,
                    "comments": values.get("comments", ""),
                    "recommendation": values.get("recommendation"),
                }
                services.submit_review(request.user, assignment, data)
            return redirect("programs:reviews")
        except ValidationError as error:
            errors = django_validation_errors(error)
    return _page(
        request,
        "review.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "criteria": criteria,
            "recommendations": Recommendation.choices,
            "values": values,
            "errors": errors,
        },
    )


# --- administrators -------------------------------------------------------------------------------


@requires(VIEW_PROGRAM_WORK)
def workflows(request: HttpRequest) -> HttpResponse:
    services.ensure_builtin_workflows()
    rows = [(w, selectors.workflow_versions(w)) for w in selectors.workflows_for(request.user)]
    return _page(request, "workflows.html", {"rows": rows})


@requires(EDIT_WORKFLOWS)
def workflow_edit(request: HttpRequest, code: str) -> HttpResponse:
    workflow = get_object_or_404(selectors.workflows_for(request.user), code=code)
    errors: dict[str, list[str]] = {}
    text = json.dumps(workflow.latest.definition, ensure_ascii=False, indent=2)
    if request.method == "POST":
        text = request.POST.get("definition", "")
        try:
            definition = json.loads(text)
            services.save_workflow_version(
                request.user, workflow, definition, request.POST.get("note", "")
            )
            return redirect("programs:workflows")
        except json.JSONDecodeError as error:
            errors = {
                "definition": [
                    f"流程定义不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列。"
                ]
            }
        except ValidationError as error:
            errors = django_validation_errors(error)
        except PermissionDenied:
            raise
    return _page(
        request, "workflow_edit.html", {"workflow": workflow, "text": text, "errors": errors}
    )
