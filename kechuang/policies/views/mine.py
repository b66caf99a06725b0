"""The enterprise's own page (我可享受的政策): its entitlements with the basis and the amount,
where it confirms (bank account), declines, or objects during the notice."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kechuang.policies import selectors, services
from kechuang.policies.permissions import CLAIM_BENEFITS
from kechuang.policies.views.common import attempt


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/mine.html",
        {
            "rows": selectors.my_entitlements(request.user).prefetch_related("objections"),
            "may_claim": CLAIM_BENEFITS.allows(request.user),
        },
    )


@require_POST
@login_required
def entitlement_act(request: HttpRequest, pk: int) -> HttpResponse:
    entitlement = selectors.entitlement_for(request.user, pk)
    if entitlement is None:
        raise Http404("兑现记录不存在或您无权查看。")
    user, post = request.user, request.POST
    back = reverse("policies:mine")
    action = post.get("action", "")
    if action == "confirm":
        return attempt(
            request,
            back,
            lambda: services.confirm(
                user, entitlement, post.get("bank_name", ""), post.get("bank_account", "")
            ),
            "已确认，资金将拨付到您填写的账户。",
        )
    if action == "decline":
        return attempt(
            request,
            back,
            lambda: services.decline(user, entitlement, post.get("reason", "")),
            "已放弃。",
        )
    if action == "object":
        return attempt(
            request,
            back,
            lambda: services.raise_objection(user, entitlement, post.get("text", "")),
            "异议已提交。",
        )
    raise Http404("未知的操作。")
