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
from django.urls import reverse
from django.views.decorators.http import require_POST

from kechuang.core.downloads import DOCX, XLSX, attachment
from kechuang.core.errors import django_validation_errors
from kechuang.core.imports.table import FileProblem, read_upload
from kechuang.core.jobs.web import in_background, wants_background
from kechuang.core.permissions import requires
from kechuang.programs import selectors as program_selectors
from kechuang.projects import export, selectors, services
from kechuang.projects.certificate import certificate_docx
from kechuang.projects.jobs import EXPORT_TARGET
from kechuang.projects.models import ChangeKind, ChangeRequest, OutputKind, ProjectStatus, Tranche
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
    awaiting = (
        selectors.awards_awaiting_agreement(request.user)
        if MANAGE_PROJECTS.allows(request.user)
        else []
    )
    return _page(
        request,
        "list.html",
        {"projects": selectors.projects_for(request.user), "awaiting": awaiting},
    )


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
            "race": selectors.race_of(project) if project.race else [],
            "my_review": selectors.my_reviews(request.user)
            .filter(project=project, submitted=False)
            .first(),
            "reviews": selectors.reviews_for(request.user).filter(project=project),
            "pending_acceptance": project.acceptances.filter(conclusion="").last(),
            "change_kinds": ChangeKind.choices,
            "output_kinds": OutputKind.choices,
            "team": project.team.all(),
            "budget_rows": sorted(project.budget.items()),
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


def _achieved(post: Any, project: Any) -> dict[str, str]:
    return {
        str(t.pk): post[f"achieved_{t.pk}"]
        for t in project.targets.filter(removed=False)
        if post.get(f"achieved_{t.pk}", "").strip()
    }


def _evidence(request: HttpRequest, project: Any) -> dict[str, Any]:
    evidence = {}
    for t in project.targets.filter(removed=False):
        upload = request.FILES.get(f"evidence_{t.pk}")
        if upload is not None:
            evidence[str(t.pk)] = {
                "content": read_upload(upload),
                "name": upload.name,
                "achieved": request.POST.get(f"achieved_{t.pk}") or None,
            }
    return evidence


def _gate(post: Any, project: Any) -> dict[str, Any]:
    decisions = {}
    for p in selectors.race_of(project):
        merged = post.get(f"merged_into_{p.pk}", "")
        decisions[str(p.pk)] = {
            "decision": post.get(f"decision_{p.pk}", ""),
            "reasons": post.get(f"reasons_{p.pk}", ""),
            "merged_into": int(merged) if merged.isdigit() else None,
        }
    return {"decisions": decisions, "note": post.get("note", "")}


def _review(request: HttpRequest, project: Any) -> None:
    review = selectors.my_reviews(request.user).filter(project=project, submitted=False).first()
    if review is None:
        raise ValidationError({"review": ["您在该项目没有待提交的评审。"]})
    data = {"score": request.POST.get("score", ""), "opinion": request.POST.get("opinion", "")}
    services.submit_project_review(request.user, review, data)


def _conclude(request: HttpRequest, project: Any) -> None:
    acceptance = project.acceptances.filter(conclusion="").last()
    if acceptance is None:
        raise ValidationError({"conclusion": ["该项目没有待评审的验收申请。"]})
    post = request.POST
    data = {
        "conclusion": post.get("conclusion", ""),
        "reasons": post.get("reasons", ""),
        "rectify_until": post.get("rectify_until") or None,
    }
    services.decide_acceptance(request.user, acceptance, data)


def _spend(request: HttpRequest, project: Any) -> None:
    keys = ("category", "description", "amount", "spent_on", "explanation")
    item = {k: request.POST.get(k, "") for k in keys}
    services.report_spending(request.user, project, [item])


def _experts(post: Any) -> int:
    value = post.get("experts", "3")
    return min(int(value), 15) if value.isdigit() and int(value) > 0 else 3


def _scan(request: HttpRequest, project: Any) -> None:
    """City staff upload the agreement's scan signed by both sides (PDF or image)."""
    MANAGE_PROJECTS.check(request.user)
    upload = request.FILES.get("scan")
    if upload is None:
        raise ValidationError({"signed_scan": ["请选择双方签署的任务书扫描件（PDF 或图片）。"]})
    services.sign(request.user, project, read_upload(upload), upload.name)


def _ids(text: str, field: str, label: str) -> list[int]:
    parts = [p for p in text.replace("，", ",").replace(" ", ",").split(",") if p]
    bad = [p for p in parts if not p.isdigit() or len(p) > 18]
    if bad:
        raise ValidationError({field: [f"{label}“{'、'.join(bad)}”应为数字编号，用逗号分隔。"]})
    return [int(p) for p in parts]


def _proposed_team(post: Any, project: Any) -> dict[str, Any]:
    keep = [int(v) for v in post.getlist("keep") if v.isdigit()]
    current = set(project.team.values_list("pk", flat=True))
    return {
        "team": [i for i in keep if i in current] + _ids(post.get("add", ""), "add", "新增成员")
    }


def _proposed_targets(post: Any, project: Any) -> dict[str, Any]:
    targets: list[dict[str, Any]] = []
    remove = []
    for t in project.targets.filter(removed=False):
        if post.get(f"remove_{t.pk}") == "on":
            remove.append(t.pk)
            continue
        value = post.get(f"target_{t.pk}", "").strip()
        if value and value != services.fmt(t.target_value):
            targets.append(
                {
                    "id": t.pk,
                    "name": t.name,
                    "unit": t.unit,
                    "value": value,
                    "verification": t.verification,
                    "lower_is_better": t.lower_is_better,
                }
            )
    name = post.get("new_name", "").strip()
    if name:
        targets.append(
            {
                "name": name,
                "unit": post.get("new_unit", ""),
                "value": post.get("new_value", ""),
                "verification": post.get("new_verification") or "other",
            }
        )
    return {"targets": targets, "remove": remove} if targets or remove else {}


def _proposed_dates(post: Any, project: Any) -> dict[str, Any]:
    proposed: dict[str, Any] = {}
    if post.get("ends_on", "").strip():
        proposed["ends_on"] = post["ends_on"].strip()
    moves = {
        str(m.pk): post[f"due_{m.pk}"].strip()
        for m in project.milestones.all()
        if post.get(f"due_{m.pk}", "").strip()
    }
    if moves:
        proposed["milestones"] = moves
    return proposed


def _proposed_budget(post: Any, project: Any) -> dict[str, Any]:
    budget = {
        key: post[f"budget_{key}"].strip()
        for key in project.budget
        if post.get(f"budget_{key}", "").strip()
    }
    return {"budget": {**project.budget, **budget}} if budget else {}


PROPOSALS = {
    ChangeKind.TEAM: _proposed_team,
    ChangeKind.TARGETS: _proposed_targets,
    ChangeKind.DATES: _proposed_dates,
    ChangeKind.BUDGET: _proposed_budget,
}


def _change(request: HttpRequest, project: Any) -> None:
    """The team proposes a change with the page's form (the fields of the chosen kind)."""
    kind = request.POST.get("kind", "")
    proposal = PROPOSALS.get(kind)
    proposed = proposal(request.POST, project) if proposal else {}
    data = {"kind": kind, "proposed": proposed, "reason": request.POST.get("reason", "")}
    services.request_change(request.user, project, data)


def _decide_change(request: HttpRequest, project: Any) -> None:
    MANAGE_PROJECTS.check(request.user)
    pk = request.POST.get("change", "")
    change = (
        ChangeRequest.objects.filter(project=project, pk=int(pk)).first()
        if pk.isdigit() and len(pk) < 19
        else None
    )
    if change is None:
        raise ValidationError({"change": ["该变更申请不属于本项目，请从项目页面审批。"]})
    approve = request.POST.get("approve") == "1"
    services.decide_change(request.user, change, approve, request.POST.get("note", ""))


def _output(request: HttpRequest, project: Any) -> None:
    """An output: a registry row linked by its number (within the user's view) or a row of its
    own (product, paper, standard)."""
    post = request.POST
    year = post.get("year", "").strip()
    if year and not (year.isdigit() and 1990 <= int(year) <= 2100):
        raise ValidationError({"year": [f"年份“{year}”应为 1990 到 2100 之间的四位数字。"]})
    link_ids = _ids(post.get("link", ""), "link", "关联登记编号")
    kind = post.get("kind", "")
    link = services.output_link(request.user, kind, link_ids[0] if link_ids else None)
    data = {
        "kind": kind,
        "title": post.get("title", ""),
        "year": year or None,
        "reference": post.get("reference", ""),
    }
    services.add_output(request.user, project, data, link)


ACTIONS: dict[str, Any] = {
    "sign": lambda r, p: services.sign(r.user, p),
    "scan": _scan,
    "change": _change,
    "decide_change": _decide_change,
    "output": _output,
    "spend": _spend,
    "achieved": lambda r, p: services.record_achieved(r.user, p, _achieved(r.POST, p)),
    "assign": lambda r, p: services.assign_reviewers(
        r.user, p, r.POST.get("stage", ""), _experts(r.POST)
    ),
    "review": _review,
    "midterm": lambda r, p: services.conclude_midterm(r.user, p),
    "apply": lambda r, p: services.apply_for_acceptance(
        r.user, p, {"summary": r.POST.get("summary", ""), "evidence": _evidence(r, p)}
    ),
    "conclude": _conclude,
    "gate": lambda r, p: services.hold_gate(r.user, p.race, _gate(r.POST, p)),
}


@require_POST
@login_required
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step on the project page: the service named by `action` (each checks its role)."""
    project = get_object_or_404(selectors.projects_for(request.user), pk=pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    try:
        if action is None:
            raise ValidationError({"action": ["未知的操作，请从项目页面提交。"]})
        action(request, project)
    except (ValidationError, FileProblem) as error:
        errors = (
            django_validation_errors(error)
            if isinstance(error, ValidationError)
            else {"evidence": [f"{error.problem}{error.fix}"]}
        )
        project.refresh_from_db()
        return _detail(request, project, errors)
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
            "by_chain": selectors.funds_summary(user, "chain"),
            "status_labels": [s.label for s in ProjectStatus],
            "status_sections": [
                (label, selectors.status_by(user, by), f"status-{by}")
                for by, label in (("chain", "产业链"), ("program", "科技计划"), ("area", "区域"))
            ],
            "outputs": selectors.outputs_credited(user),
            "overdue": selectors.overdue_milestones(user),
        },
    )


@requires(VIEW_PROJECT_WORK)
def dashboard_docx(request: HttpRequest) -> HttpResponse:
    return attachment(export.dashboard_docx(request.user), "科技项目看板.docx", DOCX)


# --- the task agreement from an award -------------------------------------------------------------


def _budget_lines(text: str) -> dict[str, str]:
    """ "科目：金额" per line (a colon, full-width or not, or an equals sign)."""
    budget = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        for sep in ("：", ":", "="):
            if sep in line:
                key, value = (part.strip() for part in line.split(sep, 1))
                break
        else:
            key = value = ""
        if not key or not value:
            raise ValidationError(
                {"budget": [f"预算科目第 {n} 行“{line}”应写作“科目：金额（万元）”。"]}
            )
        budget[key] = value
    return budget


def _agreement_data(post: Any) -> dict[str, Any]:
    milestones = [
        {"title": post.get(f"milestone_{i}", "").strip(), "due_on": post.get(f"due_{i}", "")}
        for i in range(1, 4)
        if post.get(f"milestone_{i}", "").strip() or post.get(f"due_{i}", "").strip()
    ]
    return {
        "starts_on": post.get("starts_on", ""),
        "ends_on": post.get("ends_on", ""),
        "lump_sum": post.get("lump_sum") == "on",
        "confidential": post.get("confidential") == "on",
        "milestones": milestones,
        "budget": _budget_lines(post.get("budget", "")),
    }


@requires(MANAGE_PROJECTS)
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """City staff create the task agreement from an award: dates, 包干制 or budget categories,
    milestones; the targets are the challenge's, the team the application's."""
    award = get_object_or_404(program_selectors.awards_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            project = services.create_project(request.user, award, _agreement_data(request.POST))
        except ValidationError as error:
            return _page(
                request,
                "agreement.html",
                {
                    "award": award,
                    "form": request.POST,
                    "status": 400,
                    "errors": django_validation_errors(error),
                },
            )
        return redirect("projects:detail", pk=project.pk)
    return _page(request, "agreement.html", {"award": award, "form": {}})


@requires(VIEW_PROJECT_WORK)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    if wants_background(request):  # the dashboard's button: built by the worker
        return in_background(
            request,
            kind="export",
            label="导出科技项目（Excel）",
            target=EXPORT_TARGET,
            params={},
            back=reverse("projects:dashboard"),
            dedupe_key="projects",
        )
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
