"""Observation pages (list with every vintage, entry form, detail with history and conflict
resolution, file import with a dry run).

The form and the import check a row with the same `imports.validate_row` and save
through `services.record_observation`, so they cannot disagree with each other or with the API.
An upload is kept under MEDIA_ROOT/imports, named by a random token held in the session, only
between the dry run and the commit; the commit validates the file again. A file of more than
`JOB_ROW_THRESHOLD` rows is checked, then committed, by background jobs (core/jobs).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kechuang.core.imports import staging
from kechuang.core.imports.table import MAX_UPLOAD_BYTES, estimate_rows
from kechuang.core.jobs import services as jobs
from kechuang.core.jobs.models import Job
from kechuang.core.pagination import page_of
from kechuang.core.permissions import (
    DOWNLOAD_MONITORING_REPORT,
    ENTER_OBSERVATIONS,
    WITHDRAW_OBSERVATION,
)
from kechuang.core.scoping import can
from kechuang.monitoring import imports, selectors, services
from kechuang.monitoring.filters import page_observation_filter
from kechuang.monitoring.jobs import IMPORT_TARGET, VALIDATE_TARGET
from kechuang.monitoring.models import (
    NOT_COUNTED_STATES,
    Observation,
    ObservationKind,
    Plan,
    ReviewState,
)
from kechuang.registry.models import Area

STAGED = "observations"  # what the staged upload is for (core/imports/staging.py)


def requested_plan(request: HttpRequest) -> Plan:
    """The plan named by the `plan` parameter (default: the Nanyang 14th plan) if visible."""
    code = request.GET.get("plan") or request.POST.get("plan") or selectors.DEFAULT_PLAN
    plan = selectors.plans_for(request.user).filter(code=code).first()
    if plan is None:
        raise Http404("规划不存在或尚未载入。")
    return plan


def _subjects(plan: Plan) -> list[tuple[str, str, str]]:
    """(group, code, label) of every indicator and commitment of the plan, for selects."""
    rows = [
        ("辅助数据" if i.is_auxiliary else "规划指标", i.code, f"{i.name}（{i.unit}）")
        for i in plan.indicators.order_by("sort_order")
    ]
    rows += [("量化承诺", c.code, c.title) for c in plan.commitments.order_by("sort_order")]
    return rows


def _current_ids(rows: list[Observation]) -> set[int]:
    """Of the rows' keys, the id of the vintage that counts (newest as_of, not rejected)."""
    if not rows:
        return set()
    keys = {tuple(selectors.version_key(o).values()) for o in rows}
    candidates = Observation.objects.filter(
        area_id__in={k[2] for k in keys}, period__in={k[3] for k in keys}
    ).exclude(state__in=NOT_COUNTED_STATES)
    best: dict[tuple[Any, ...], Observation] = {}
    for obs in candidates.order_by("as_of", "pk"):
        key = tuple(selectors.version_key(obs).values())
        if key in keys:
            best[key] = obs
    return {o.pk for o in best.values()}


@login_required
def observation_list(request: HttpRequest) -> HttpResponse:
    plan = requested_plan(request)
    get = request.GET
    selected, filters, errors = page_observation_filter(get)
    queryset = selected.filter(selectors.plan_observations(request.user, plan))
    queryset = queryset.select_related("indicator", "commitment", "area", "entered_by").order_by(
        "-year", "indicator__sort_order", "commitment__sort_order", "area__sort_order", "-as_of"
    )
    current = page_of(queryset, get.get("page"))
    rows = list(current.object_list)
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/observation_list.html",
        {
            "plan": plan,
            "current": current,
            "rows": rows,
            "current_ids": _current_ids(rows),
            "filters": filters,
            "filter_errors": errors,
            "subjects": _subjects(plan),
            "areas": Area.objects.order_by("sort_order", "code"),
            "kinds": ObservationKind.choices,
            "states": ReviewState.choices,
            "query": query.urlencode(),
            "may_enter": ENTER_OBSERVATIONS.allows(request.user),
            "may_download_report": DOWNLOAD_MONITORING_REPORT.allows(request.user),
            "conflict_count": queryset.filter(state=ReviewState.CONFLICT).count(),
        },
    )


def _form_context(plan: Plan, user: Any) -> dict[str, Any]:
    areas = [
        a for a in Area.objects.order_by("sort_order", "code") if imports.may_enter_in(user, a)
    ]
    return {
        "plan": plan,
        "subjects": _subjects(plan),
        "areas": areas,
        "kinds": ObservationKind.choices,
        "headers": imports.HEADERS_ZH,
    }


def _correction_values(request: HttpRequest) -> tuple[dict[str, str], Observation | None]:
    """The form's first values: blank, or (更正, ?from=<pk>) the figure to correct, as a new
    vintage dated today."""
    today = timezone.localdate().isoformat()
    source = request.GET.get("from", "")
    old = (
        selectors.observations_for(request.user).filter(pk=source).first()
        if source.isdigit()
        else None
    )
    if old is None:
        return {"as_of": today, "kind": "actual"}, None
    subject = old.indicator or old.commitment
    return {
        "indicator": subject.code,  # type: ignore[union-attr]
        "area": old.area.code,
        "period": old.period,
        "value": format(old.value.normalize(), "f"),
        "kind": old.kind,
        "as_of": today,
        "source": old.source_title,
        "source_issuer": old.source_issuer,
        "source_url": old.source_url,
        "source_quote": old.source_quote,
        "other_scope": old.other_scope,
    }, old


@login_required
def observation_create(request: HttpRequest) -> HttpResponse:
    plan = requested_plan(request)
    if not ENTER_OBSERVATIONS.allows(request.user):
        raise PermissionDenied("只有市科技局工作人员和县区工作人员可以录入监测值。")
    values, corrects = _correction_values(request)
    errors: dict[str, list[str]] = {}
    confirm: list[str] = []
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in imports.COLUMNS}
        valid, report = imports.validate_single(values, request.user, plan)
        if valid is not None:
            try:
                saved = services.record_observation(request.user, dict(valid.data))
            except PermissionDenied as error:
                errors = {"area": [str(error)]}
            except ValidationError as error:
                errors = {"__all__": error.messages}
            else:
                return _saved(request, saved)
        else:
            errors = imports.field_errors(report)
            confirm = report.to_confirm  # the box for the reason (a second submit)
    context = _form_context(plan, request.user)
    context.update(
        values=values,
        errors=errors,
        general_errors=errors.get("__all__", []),
        confirm=confirm,
        corrects=corrects,
    )
    return render(
        request, "monitoring/observation_form.html", context, status=422 if errors else 200
    )


def _saved(request: HttpRequest, saved: Observation) -> HttpResponse:
    note = "；与其他来源数值不一致，已标为冲突待核实" if saved.state == "conflict" else ""
    if saved.confirmed_check:
        note += "；异常数值已按您的确认理由保存"
    messages.success(request, f"已录入监测值“{saved}”{note}。")
    return redirect(reverse("monitoring:observation_detail", args=[saved.pk]))


@login_required
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obs = get_object_or_404(selectors.observations_for(request.user), pk=pk)
    history = list(
        selectors.observations_for(request.user)
        .filter(**selectors.version_key(obs))
        .order_by("-as_of", "-pk")
    )
    current = _current_ids([obs])
    return render(
        request,
        "monitoring/observation_detail.html",
        {
            "obs": obs,
            "history": history,
            "current_ids": current,
            "plan": (obs.indicator or obs.commitment).plan,  # type: ignore[union-attr]
            "may_resolve": obs.state == ReviewState.CONFLICT and can(request.user, "change", obs),
            "may_withdraw": obs.state != ReviewState.WITHDRAWN
            and WITHDRAW_OBSERVATION.allows(request.user)
            and can(request.user, "change", obs),
            "may_correct": imports.may_enter_in(request.user, obs.area),
        },
    )


@login_required
@require_POST
def observation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """作废 with a reason (city staff); the figure stays listed, struck through."""
    obs = get_object_or_404(selectors.observations_for(request.user), pk=pk)  # unseen: 404
    WITHDRAW_OBSERVATION.check(request.user)  # seen but not the role's: 403
    try:
        services.withdraw_observation(request.user, obs, request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已作废该监测值：记录保留，不再计入进度、承诺和报告。")
    return redirect(reverse("monitoring:observation_detail", args=[pk]))


@login_required
@require_POST
def observation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    obs = get_object_or_404(selectors.observations_for(request.user), pk=pk)
    if obs.state != ReviewState.CONFLICT:
        messages.error(request, "该监测值不处于来源冲突状态，无需核实。")
        return redirect(reverse("monitoring:observation_detail", args=[pk]))
    keep = request.POST.get("decision") == "keep"
    try:
        services.resolve_conflict(request.user, obs, keep, request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request, "已采用该数值，同组其他来源不再采用。" if keep else "已标为核实后不采用。"
        )
    return redirect(reverse("monitoring:observation_detail", args=[pk]))


def _import_page(plan: Any) -> HttpResponse:
    return redirect(reverse("monitoring:observation_import") + f"?plan={plan.code}")


def _threshold() -> int:
    return int(getattr(settings, "JOB_ROW_THRESHOLD", 2000))


def _in_background(
    request: HttpRequest, plan: Any, kind: str, stored: staging.StagedUpload, rows: int
) -> Job:
    """Queue the check (`kind` "validate") or the commit ("import") of the staged file;
    raises ValidationError (Chinese) when the user's queue is full."""
    what = "校验" if kind == "validate" else "导入"
    return jobs.enqueue(
        request.user,
        kind,
        f"{what}监测值：{stored.name}（约 {rows} 行）",
        VALIDATE_TARGET if kind == "validate" else IMPORT_TARGET,
        {
            "plan_id": plan.pk,
            "path": str(stored.path),
            "name": stored.name,
            "user_id": request.user.pk,
        },
        total=rows,
        dedupe_key=staging.token_of(stored) if kind == "validate" else "",
    )


def _commit_observations(request: HttpRequest, plan: Any, context: dict[str, Any]) -> HttpResponse:
    """Claim the staged file (a second commit of it is told so), validate it once, commit it
    (a large one in a background job); a refused file is kept again for its error list."""
    if staging.replaced(request.session, STAGED, request.POST.get("staged", "")):
        messages.error(request, staging.REPLACED)
        return _import_page(plan)
    try:
        stored = staging.claim(request.session, STAGED)
    except imports.ImportRefused as refused:
        messages.error(request, str(refused))
        return _import_page(plan)
    rows = int(stored.extra.get("rows") or 0)
    if rows > _threshold():
        try:
            job = _in_background(request, plan, "import", stored, rows)
        except ValidationError as error:
            stored.delete()
            messages.error(request, "；".join(error.messages))
            return _import_page(plan)
        return redirect("jobs:detail", pk=job.pk)
    content = stored.read()
    stored.delete()
    result = imports.validate_file(content, request.user, plan, filename=stored.name)
    try:
        done = imports.commit(result, request.user)
    except imports.ImportRefused as error:
        staging.stage(request.session, STAGED, content, stored.name, plan=plan.code)
        context.update(report=result, error_rows=result.errors[:500], refused=str(error))
        return render(request, "monitoring/observation_import.html", context, status=422)
    messages.success(
        request,
        f"导入完成：新增 {done.created} 条监测值（{done.unchanged} 条已存在未变），"
        f"其中 {done.conflicts} 条来源冲突待核实。",
    )
    return redirect(reverse("monitoring:observation_list") + f"?plan={plan.code}")


def _upload(request: HttpRequest, plan: Any, context: dict[str, Any]) -> HttpResponse:
    """Stage the upload and check it: here, or in a background job when it is large."""
    upload = request.FILES["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        context["upload_error"] = "文件过大，上限为 20 MB。"
        return render(request, "monitoring/observation_import.html", context, status=422)
    content = upload.read()
    rows = estimate_rows(content, sheet="监测值")
    try:
        stored = staging.stage(
            request.session, STAGED, content, upload.name, plan=plan.code, rows=rows
        )
    except staging.StagingRefused as refused:
        context["upload_error"] = str(refused)
        return render(request, "monitoring/observation_import.html", context, status=422)
    if rows > _threshold():
        try:
            job = _in_background(request, plan, "validate", stored, rows)
        except ValidationError as error:  # the user's queue is full
            staging.discard(request.session, STAGED)
            context["upload_error"] = "；".join(error.messages)
            return render(request, "monitoring/observation_import.html", context, status=422)
        return redirect("jobs:detail", pk=job.pk)
    result = imports.validate_file(content, request.user, plan, filename=upload.name)
    context.update(report=result, error_rows=result.errors[:500])
    status = 422 if result.errors else 200
    return render(request, "monitoring/observation_import.html", context, status=status)


@login_required
def observation_import(request: HttpRequest) -> HttpResponse:
    plan = requested_plan(request)
    if not ENTER_OBSERVATIONS.allows(request.user):
        raise PermissionDenied("只有市科技局工作人员和县区工作人员可以导入监测值。")
    context: dict[str, Any] = {
        "plan": plan,
        "columns": imports.COLUMNS,
        "headers": imports.HEADERS_ZH,
    }
    if request.method == "POST" and "file" in request.FILES:
        return _upload(request, plan, context)
    if request.method == "POST" and request.POST.get("action") == "commit":
        return _commit_observations(request, plan, context)
    if request.method == "POST":
        context["upload_error"] = "请选择要上传的 .xlsx 或 .csv 文件。"
        return render(request, "monitoring/observation_import.html", context, status=422)
    return render(request, "monitoring/observation_import.html", context)
