"""Qualification pages beyond the generic registry pages: the claim (申报资质) with its scan,
the city staff's queue of claims (待核验申报), verification and rejection, the scan itself and
the import of an official list (认定名单/入库名单)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kechuang.core.errors import django_validation_errors
from kechuang.core.pagination import page_of
from kechuang.core.permissions import VERIFY_QUALIFICATIONS, WRITE_DATA, requires
from kechuang.core.webcrud import form_view
from kechuang.registry import selectors
from kechuang.registry.api.claims import claim_from_form, scan_response
from kechuang.registry.models import IssuerLevel, QualificationKind
from kechuang.registry.pages import PAGES
from kechuang.registry.services import qualifications
from kechuang.registry.services.official_list import OUTCOMES, ListOptions, import_list

PAGE = next(p for p in PAGES if p.slug == "qualifications")
FORM_FIELDS = (
    ("kind", "资质类型", "select"),
    ("certificate_no", "证书编号", "text"),
    ("issued_on", "认定日期", "date"),
    ("expires_on", "有效期至", "date"),
    ("issuer_level", "认定层级", "select"),
    ("issuer", "认定机构", "text"),
    ("note", "备注", "text"),
)


def _detail(pk: int) -> str:
    return reverse("registry:qualifications_detail", args=[pk])


@login_required
def qualification_new(request: HttpRequest) -> HttpResponse:
    """“新增”: organization users are led to the claim; staff get the registry's form."""
    if qualifications.is_organization_user(request.user):
        return redirect("registry:qualifications_claim")
    return form_view(request, PAGE)


@login_required
def qualification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The registry's form, except for organization users: a qualification they declared is
    corrected by claiming again, never by editing a row the bureau vouches for."""
    get_object_or_404(selectors.qualifications_for(request.user), pk=pk)
    if qualifications.is_organization_user(request.user):
        raise PermissionDenied(qualifications.CLAIM_ONLY)
    return form_view(request, PAGE, pk=pk)


@requires(WRITE_DATA)
def claim(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        values = request.POST.dict()
        try:
            obj = claim_from_form(request.user, request.POST, request.FILES.get("scan"))
        except ValidationError as error:
            errors, status = django_validation_errors(error), 422
        except PermissionDenied as error:
            errors, status = {"__all__": [str(error)]}, 403
        else:
            messages.success(request, f"已提交申报“{obj}”：待市科技局核验，核验通过前不计入统计。")
            return redirect(_detail(obj.pk))
    choices = {"kind": QualificationKind.choices, "issuer_level": IssuerLevel.choices}
    fields = [
        {
            "name": name,
            "label": label,
            "widget": widget,
            "value": values.get(name, ""),
            "choices": choices.get(name, []),
            "errors": errors.get(name, []),
            "required": name in ("kind", "certificate_no", "issued_on", "issuer_level"),
        }
        for name, label, widget in FORM_FIELDS
    ]
    context = {
        "fields": fields,
        "errors": errors,
        "general_errors": errors.get("__all__", []) + errors.get("organization", []),
        "scan_errors": errors.get("scan", []),
        "organization_value": values.get("organization", ""),
        "own_organization": request.user.organization
        if qualifications.is_organization_user(request.user)
        else None,
        "scan_limit_mb": qualifications.scan_limit() // (1024 * 1024),
    }
    return render(request, "registry/qualification_claim.html", context, status=status)


@requires(VERIFY_QUALIFICATIONS)
def pending(request: HttpRequest) -> HttpResponse:
    current = page_of(selectors.pending_claims_for(request.user), request.GET.get("page"))
    return render(request, "registry/qualification_pending.html", {"current": current})


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    target = request.POST.get("next", "")
    if target == "pending":
        return redirect("registry:qualifications_pending")
    return redirect(_detail(pk))


@require_POST
@requires(VERIFY_QUALIFICATIONS)
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(selectors.qualifications_for(request.user), pk=pk)
    try:
        qualifications.verify(request.user, obj)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已核验“{obj}”：自认定日期起计入统计。")
    return _back(request, pk)


@require_POST
@requires(VERIFY_QUALIFICATIONS)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(selectors.qualifications_for(request.user), pk=pk)
    try:
        qualifications.reject(request.user, obj, request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已驳回“{obj}”，理由已告知申报单位。")
    return _back(request, pk)


@login_required
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    return scan_response(get_object_or_404(selectors.qualifications_for(request.user), pk=pk))


def _list_options(request: HttpRequest) -> tuple[ListOptions | None, dict[str, str]]:
    errors = {}
    kind = request.POST.get("kind", "")
    if kind not in QualificationKind.values:
        errors["kind"] = "请选择资质类型。"
    level = request.POST.get("issuer_level", IssuerLevel.NATIONAL)
    if level not in IssuerLevel.values:
        errors["issuer_level"] = "请选择认定层级。"
    issued_raw = request.POST.get("issued_on", "").strip()
    issued_on = None
    if issued_raw:
        try:
            issued_on = dt.date.fromisoformat(issued_raw)
        except ValueError:
            errors["issued_on"] = f"认定日期“{issued_raw}”应为 YYYY-MM-DD 格式。"
    if errors:
        return None, errors
    options = ListOptions(
        kind=kind,
        issuer_level=level,
        issuer=request.POST.get("issuer", "").strip()[:100],
        issued_on=issued_on,
        dry_run=request.POST.get("dry_run") == "on",
    )
    return options, {}


@requires(VERIFY_QUALIFICATIONS)
def official_list(request: HttpRequest) -> HttpResponse:
    report, errors, status = None, {}, 200
    if request.method == "POST":
        options, errors = _list_options(request)
        upload = request.FILES.get("file")
        if upload is None:
            errors["file"] = "请选择名单文件（.xlsx 或 .csv）。"
        elif upload.size > 20 * 1024 * 1024:
            errors["file"] = "文件过大，上限为 20 MB：请拆分名单后分批导入。"
        if options is not None and not errors:
            report = import_list(request.user, upload.read(), options, filename=upload.name)
        status = 422 if errors or (report is not None and report.errors) else 200
    return render(
        request,
        "registry/qualification_official_list.html",
        {
            "report": report,
            "errors": errors,
            "outcomes": OUTCOMES,
            "kinds": QualificationKind.choices,
            "levels": IssuerLevel.choices,
            "posted": request.POST,
        },
        status=status,
    )
