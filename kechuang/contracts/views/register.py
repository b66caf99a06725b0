"""List, detail, application, registrar actions, workbench, certificate and the public check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from ninja.errors import Throttled
from pydantic import ValidationError as PydanticError

from kechuang.contracts import certificate, selectors, services
from kechuang.contracts.api import ContractApplicationIn
from kechuang.contracts.engine import CATEGORIES, SUBCATEGORIES, DeductionKind
from kechuang.contracts.export import export_contracts
from kechuang.contracts.filters import page_contract_filter
from kechuang.contracts.models import ContractStatus, Objection
from kechuang.contracts.permissions import APPLY_CONTRACT, REGISTRAR
from kechuang.contracts.views.common import deduction_rows, field_errors
from kechuang.core.downloads import DOCX, attachment
from kechuang.core.pagination import page_of
from kechuang.core.permissions import requires
from kechuang.registry.models import Area


def _choices() -> dict[str, Any]:
    return {
        "categories": CATEGORIES,
        "subcategories": SUBCATEGORIES,
        "subcategory_groups": [(CATEGORIES[c], subs) for c, subs in SUBCATEGORIES.items()],
        "deduction_kinds": DeductionKind.LABELS,
        "statuses": ContractStatus.choices,
    }


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    filters, typed, problems = page_contract_filter(request.GET)
    rows = filters.filter(selectors.contracts_for(request.user)).order_by("-registered_on", "-id")
    if request.GET.get("format") == "xlsx" and not problems:  # never export a misread filter
        return export_contracts(rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contracts/list.html",
        {
            "page": page_of(rows, request.GET.get("page")),
            "typed": typed,
            "problems": problems,
            "query": query.urlencode(),
            "areas": Area.objects.exclude(kind="province").order_by("path"),
            "may_apply": APPLY_CONTRACT.allows(request.user),
            "is_registrar": REGISTRAR.allows(request.user),
            **_choices(),
        },
    )


def _detail_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    if not selectors.contracts_for(request.user).filter(pk=pk).exists():
        raise Http404("技术合同不存在或您无权查看。")
    contract = selectors.contract_with_history(pk)
    return {
        "contract": contract,
        "may_register": selectors.may_register(request.user, contract),
        "is_seller": APPLY_CONTRACT.allows(request.user),
        "today": services.today(),
        "rows": range(6),
        **_choices(),
    }


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "contracts/detail.html", _detail_context(request, pk))


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError({"date": ["日期格式应为 YYYY-MM-DD。"]}) from error


def _amount(value: str, field: str) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ValidationError({field: ["应为数字（万元）。"]}) from error


def _change(user: Any, contract: Any, post: Any) -> Any:
    data = {
        "title": post.get("title", "").strip() or None,
        "total_amount": _amount(post.get("total_amount", ""), "total_amount"),
        "payments_received": _amount(post.get("payments_received", ""), "payments_received"),
    }
    deductions = deduction_rows(post) if post.get("replace_deductions") else None
    return services.change(
        user, contract, data, deductions, post.get("note", ""), _date(post.get("on", ""))
    )


def _answer(user: Any, contract: Any, post: Any) -> Any:
    key = str(post.get("objection") or "")
    objection = get_object_or_404(Objection, pk=int(key) if key.isdigit() else 0, contract=contract)
    return services.answer_objection(user, objection, post.get("answer", ""))


ACTIONS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "accept": lambda u, c, p: services.accept(u, c, _date(p.get("on", ""))),
    "request_more": lambda u, c, p: services.request_more(u, c, p.get("note", "")),
    "complete": lambda u, c, p: services.complete_material(
        u, c, p.get("note", ""), p["file"].read() if p.get("file") else None
    ),
    "category": lambda u, c, p: services.decide_category(
        u, c, p.get("category", ""), p.get("subcategory", ""), p.get("note", "")
    ),
    "assess": lambda u, c, p: services.assess(
        u, c, deduction_rows(p), bool(p.get("disputed")), p.get("note", "")
    ),
    "expert_review": lambda u, c, p: services.record_expert_review(u, c, p.get("opinion", "")),
    "register": lambda u, c, p: services.register(
        u, c, p.get("registration_no", ""), _date(p.get("on", ""))
    ),
    "refuse": lambda u, c, p: services.refuse(u, c, p.get("reason", "")),
    "change": _change,
    "cancel": lambda u, c, p: services.cancel(u, c, p.get("reason", ""), _date(p.get("on", ""))),
    "objection": lambda u, c, p: services.raise_objection(
        u, c, p.get("raised_by", ""), p.get("text", "")
    ),
    "answer": _answer,
}


@require_POST
@login_required
def contract_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the workflow, chosen by the form's `action`; refused steps re-render the
    page with the reason, and change nothing."""
    contract = get_object_or_404(selectors.contracts_for(request.user), pk=pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404("未知的操作。")
    post = {**request.POST.dict(), "file": request.FILES.get("file")}
    try:
        ACTIONS[action](request.user, contract, post)
    except ValidationError as error:
        context = _detail_context(request, pk)
        context.update(errors=field_errors(error), failed_action=action)
        return render(request, "contracts/detail.html", context, status=422)
    return redirect("contracts:detail", pk=pk)


def _application_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"
    }
    for name in ("declared_tech_amount", "payments_received"):
        if not data.get(name):
            data.pop(name, None)
    data["patents"] = [
        p for p in data.pop("patents", "").replace("，", ",").split(",") if p.strip()
    ]
    data["file_base64"] = ""
    return data


@requires(APPLY_CONTRACT)
def contract_apply(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = _application_data(request)
        upload = request.FILES.get("contract_file")
        try:
            payload = ContractApplicationIn.model_validate(values).dict()
            payload.pop("file_base64")
            content = upload.read() if upload else None
            contract = services.apply(request.user, payload, content, upload.name if upload else "")
            return redirect("contracts:detail", pk=contract.pk)
        except (ValidationError, PydanticError) as error:
            errors = field_errors(error)
    status = 422 if errors else 200
    return render(
        request,
        "contracts/apply.html",
        {
            "errors": errors,
            "values": values,
            "organization": request.user.organization,
            **_choices(),
        },
        status=status,
    )


@requires(REGISTRAR)
def workbench(request: HttpRequest) -> HttpResponse:
    today = services.today()
    return render(
        request,
        "contracts/workbench.html",
        {"items": selectors.workbench(request.user, today), "today": today},
    )


@login_required
def certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(selectors.contracts_for(request.user), pk=pk)
    if contract.registered_on is None:
        raise Http404("该合同尚未登记，没有登记证明。")
    contract = selectors.contract_with_history(pk)
    url = request.build_absolute_uri(reverse("contracts:verify"))
    content = certificate.build_certificate(contract, url)
    return attachment(content, f"技术合同登记证明-{contract.registration_no}.docx", DOCX)


def verify(request: HttpRequest) -> HttpResponse:
    """Public: is a certificate genuine? Minimal answer, per-address budget."""
    number = request.GET.get("number", "")[:40]
    code = request.GET.get("code", "")[:12]
    result = None
    status = 200
    if number or code:
        try:
            result = selectors.verify_certificate(request, number, code)
        except Throttled:
            result = {"genuine": False, "message": "查验过于频繁，请稍后再试。"}
            status = 429
    return render(
        request,
        "contracts/verify.html",
        {"result": result, "number": number, "code": code},
        status=status,
    )
