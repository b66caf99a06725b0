"""The policies' pages: the list, a new policy from its rule text, the detail with its versions
and runs, and the cost simulation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kechuang.core.permissions import requires
from kechuang.policies import selectors, services
from kechuang.policies.api import simulation
from kechuang.policies.engine.simulate import band_labels
from kechuang.policies.models import Policy
from kechuang.policies.permissions import CLAIM_BENEFITS, MANAGE_POLICIES, REVIEW_ENTITLEMENTS
from kechuang.policies.views.common import attempt, error_lines

TEMPLATE = """code: my-policy
name: 新政策（草拟）
mode: exempt
frequency: yearly
conditions:
  - {fact: holds, kind: HNTE}
amount: {kind: fixed, value: 50000}
budget: {total: 1000000, shortfall: pro_rata}
"""


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/list.html",
        {
            "policies": selectors.policies_for(request.user),
            "may_manage": MANAGE_POLICIES.allows(request.user),
        },
    )


@requires(MANAGE_POLICIES)
def policy_new(request: HttpRequest) -> HttpResponse:
    text, errors = TEMPLATE, []
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            policy = services.create_policy(request.user, text, request.POST.get("note", ""))
        except ValidationError as error:
            errors = error_lines(error)
        else:
            return redirect("policies:detail", policy.pk)
    return render(request, "policies/new.html", {"text": text, "errors": errors})


def _policy(request: HttpRequest, pk: int) -> Policy:
    policy = selectors.policy_for(request.user, pk)
    if policy is None:
        raise Http404("政策不存在或您无权查看。")
    return policy


@login_required
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    reviewer = REVIEW_ENTITLEMENTS.allows(request.user)
    runs = selectors.runs_for(request.user).filter(version__policy=policy) if reviewer else []
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "versions": selectors.versions_of(policy),
            "runs": runs,
            "may_manage": MANAGE_POLICIES.allows(request.user),
            "may_apply": CLAIM_BENEFITS.allows(request.user) and policy.mode == "apply",
        },
    )


@require_POST
@login_required
def policy_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise applies for a 申报-mode policy; the result shows on its own page."""
    policy = _policy(request, pk)
    year = request.POST.get("year", "")
    return attempt(
        request,
        reverse("policies:mine"),
        lambda: services.apply_for(request.user, policy, year),
        "已申报：平台已按已确认的数据核对条件，结果见下方。",
    )


@require_POST
@requires(MANAGE_POLICIES)
def policy_act(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    action = request.POST.get("action", "")
    back = reverse("policies:detail", args=[pk])
    user, post = request.user, request.POST
    if action == "version":
        return attempt(
            request,
            back,
            lambda: services.new_version(user, policy, post.get("text", ""), post.get("note", "")),
            "已保存新版本。此前的计算仍按各自的版本。",
        )
    if action == "status":
        return attempt(
            request,
            back,
            lambda: services.set_status(user, policy, post.get("status", "")),
            "状态已更新。",
        )
    if action == "run":
        return attempt(
            request,
            back,
            lambda: services.start_run(user, policy, post.get("year", "")),
            "已提交计算，后台完成后刷新本页即可查看名单。",
        )
    raise Http404("未知的操作。")


def _changes(text: str) -> tuple[dict[str, Any], list[str]]:
    """Lines `amount.cap = 300000` into {"amount.cap": Decimal}; bad lines are named."""
    changes: dict[str, Any] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        path, sep, value = line.partition("=")
        if not sep or not path.strip() or not value.strip():
            problems.append(
                f"参数调整第 {number} 行应写成“参数路径 = 数值”，如 amount.cap = 300000。"
            )
            continue
        raw = value.strip()
        try:
            changes[path.strip()] = Decimal(raw) if raw.replace(".", "", 1).isdigit() else raw
        except ArithmeticError:
            changes[path.strip()] = raw
    return changes, problems


@requires(MANAGE_POLICIES)
def policy_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    year_text = request.GET.get("year", "").strip()
    text = request.GET.get("changes", "")
    answer, problems = None, []
    if year_text:
        changes, problems = _changes(text)
        if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
            problems.append(f"年度应为 2000–2100 之间的年份，填写的是“{year_text}”。")
        if not problems:
            try:
                answer = simulation(policy, int(year_text), changes)
            except ValidationError as error:
                problems = error_lines(error)
    chart = None
    if answer:
        after = answer["after"] or answer["before"]
        areas = sorted({g["name"] for g in answer["before"]["by_area"] + after["by_area"]})
        before_by = {g["name"]: g for g in answer["before"]["by_area"]}
        after_by = {g["name"]: g for g in after["by_area"]}
        chart = {
            "areas": areas,
            "before": [float(before_by.get(a, {}).get("total", 0)) for a in areas],
            "after": [float(after_by.get(a, {}).get("total", 0)) for a in areas],
            "bands": band_labels(),
            "band_counts": after["bands"],
        }
    return render(
        request,
        "policies/simulate.html",
        {
            "policy": policy,
            "version": policy.latest_version(),
            "year": year_text,
            "changes": text,
            "answer": answer,
            "problems": problems,
            "chart": chart,
        },
    )
