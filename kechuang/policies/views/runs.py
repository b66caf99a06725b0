"""A run's pages: the results with explanations and the review (government), the public notice
(公示, open to everyone while the notice is on or after it), exports, and payment batches."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kechuang.core.downloads import DOCX, XLSX, attachment
from kechuang.core.pagination import page_of
from kechuang.core.permissions import requires
from kechuang.policies import export, selectors, services
from kechuang.policies.models import BenefitRun, EntitlementStatus, PaymentBatch, RunStage
from kechuang.policies.permissions import MANAGE_POLICIES, REVIEW_ENTITLEMENTS
from kechuang.policies.views.common import attempt


def _run(request: HttpRequest, pk: int) -> BenefitRun:
    run = selectors.run_for(request.user, pk)
    if run is None:
        raise Http404("兑现名单不存在或您无权查看。")
    return run


@requires(REVIEW_ENTITLEMENTS)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    status = request.GET.get("status", "")[:10]
    q = request.GET.get("q", "").strip()[:100]
    rows = selectors.run_entitlements(request.user, run, status=status, q=q)
    if request.GET.get("format") == "xlsx":
        content = export.entitled_workbook(run, rows)
        return attachment(content, f"兑现名单-{run.year}.xlsx", XLSX)
    return render(
        request,
        "policies/run.html",
        {
            "run": run,
            "page": page_of(rows.prefetch_related("objections"), request.GET.get("page")),
            "status": status,
            "q": q,
            "statuses": EntitlementStatus.choices,
            "objections": selectors.objections_for(request.user, run),
            "batches": selectors.batches_for(request.user, run),
            "uptake": selectors.uptake(request.user, run),
            "may_manage": MANAGE_POLICIES.allows(request.user),
        },
    )


@require_POST
@requires(REVIEW_ENTITLEMENTS)
def run_act(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    user, post = request.user, request.POST
    back = reverse("policies:run", args=[pk])
    action = post.get("action", "")
    if action in ("exclude", "adjust"):
        entitlement = (
            selectors.entitlements_for(user)
            .filter(run=run, pk=post.get("entitlement") or 0)
            .first()
        )
        if entitlement is None:
            raise Http404("兑现记录不存在或您无权查看。")
        if action == "exclude":
            return attempt(
                request,
                back,
                lambda: services.exclude(user, entitlement, post.get("reason", "")),
                "已剔除。",
            )
        return attempt(
            request,
            back,
            lambda: services.adjust(
                user, entitlement, post.get("amount", ""), post.get("reason", "")
            ),
            "已调整金额。",
        )
    if action == "answer":
        objection = (
            selectors.objections_for(user, run).filter(pk=post.get("objection") or 0).first()
        )
        if objection is None:
            raise Http404("异议不存在或您无权查看。")
        upheld = post.get("upheld") == "1"
        return attempt(
            request,
            back,
            lambda: services.answer_objection(user, objection, post.get("answer", ""), upheld),
            "已答复。",
        )
    if action == "notice":
        return attempt(
            request,
            back,
            lambda: services.publish_notice(
                user, run, post.get("start") or None, post.get("end") or None
            ),
            "已发布公示。",
        )
    if action == "batch":
        return attempt(request, back, lambda: services.create_batch(user, run), "已生成拨付批次。")
    raise Http404("未知的操作。")


def _noticed(pk: int) -> BenefitRun:
    """A run whose notice is published: public, like the notice itself."""
    run = (
        BenefitRun.objects.select_related("version__policy")
        .exclude(stage=RunStage.REVIEW)
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404("公示不存在或尚未发布。")
    return run


def notice(request: HttpRequest, pk: int) -> HttpResponse:
    run = _noticed(pk)
    rows = selectors.notice_rows(run)
    kind = request.GET.get("format")
    if kind == "xlsx":
        return attachment(export.notice_workbook(run, rows), f"公示名单-{run.year}.xlsx", XLSX)
    if kind == "docx":
        return attachment(export.notice_docx(run, rows), f"公示-{run.year}.docx", DOCX)
    return render(request, "policies/notice.html", {"run": run, "rows": rows})


def _batch(request: HttpRequest, pk: int) -> PaymentBatch:
    batch = selectors.batch_for(request.user, pk)
    if batch is None:
        raise Http404("拨付批次不存在或您无权查看。")
    return batch


@requires(MANAGE_POLICIES)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.method == "POST":
        back = reverse("policies:batch", args=[pk])
        return attempt(
            request,
            back,
            lambda: services.record_payment(request.user, batch, request.POST.get("paid_on", "")),
            "已登记拨付。",
        )
    if request.GET.get("format") == "xlsx":
        return attachment(export.batch_workbook(batch), f"拨付清单-第{batch.number}批.xlsx", XLSX)
    return render(
        request, "policies/batch.html", {"batch": batch, "rows": selectors.batch_rows(batch)}
    )
