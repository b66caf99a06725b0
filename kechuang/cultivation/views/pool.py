"""The bureau's cultivation pages: reserve pool overview with the funnel, the pool list (its
export is :mod:`.export`), an enterprise's screening detail, tier movements, rule sets and the
plan projection."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from kechuang.core.pagination import page_of
from kechuang.core.permissions import PICK_ANY_AREA, WORKBENCH
from kechuang.cultivation import filters, selectors
from kechuang.cultivation.engine import tiers
from kechuang.cultivation.engine.batch import HNTE_CONDITION_LABELS
from kechuang.cultivation.engine.projection import TIER_LABELS
from kechuang.cultivation.engine.result import ELIGIBILITY_LABELS
from kechuang.cultivation.engine.selfassess import RULESETS, assess_case
from kechuang.cultivation.models import (
    DataStatus,
    ReservePolicy,
    ReserveTier,
    Stage,
    TierRuleSet,
)
from kechuang.cultivation.views.common import areas_for
from kechuang.cultivation.views.export import export_pool
from kechuang.registry.models import Area, IndustryChain


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The reserve pool at a glance: the funnel per area, the last screening, the rule sets.
    Enterprise users land on their self-assessment instead."""
    if not WORKBENCH.allows(request.user):
        return redirect("cultivation:self_assessment")
    root = None
    if request.GET.get("area"):
        root = get_object_or_404(Area, code=request.GET["area"])
        if not selectors.sees_area(request.user, root):
            raise PermissionDenied("您无权查看该区域。")
    data = selectors.funnel(request.user, root)
    has_entries = selectors.pool_for(request.user).exists()
    return render(
        request,
        "cultivation/pool_overview.html",
        {
            "funnel": data,
            "has_entries": has_entries,
            "run": selectors.last_run(request.user),
            "rule_counts": selectors.rule_set_counts(request.user),
            "policy": ReservePolicy.objects.filter(active=True).first(),
            "areas": areas_for(request.user),
            "can_pick_area": PICK_ANY_AREA.allows(request.user),
            "today": timezone.localdate(),
            "chart": {
                "stages": [{"name": s["label"], "value": s["value"]} for s in data["stages"]],
            },
        },
    )


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    WORKBENCH.check(request.user)
    chosen, errors = filters.pool_filters(request.user, request.GET)
    entries = selectors.filter_pool(selectors.pool_for(request.user), chosen)
    if request.GET.get("format") == "xlsx" and not errors:  # never export a misread filter
        return export_pool(entries)
    page = page_of(entries, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cultivation/pool_list.html",
        {
            "page": page,
            "filters": chosen,
            "errors": errors,
            "areas": areas_for(request.user),
            "industries": IndustryChain.objects.filter(parent=None).order_by("code"),
            "tiers": ReserveTier.choices,
            "stages": filters.STAGES,
            "data_statuses": DataStatus.choices,
            "rule_sets": TierRuleSet.objects.exclude(status="inactive"),
            "query": query.urlencode(),
            "labels": HNTE_CONDITION_LABELS,
        },
        status=422 if errors else 200,
    )


@login_required
def entry_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    """One enterprise: its tier and history, the tier rule sets, and the full HNTE/TSME
    assessment with the gaps (the single-case engine on the same figures)."""
    WORKBENCH.check(request.user)
    entry = selectors.pool_entry_for(request.user, organization_id)
    if entry is None:
        raise Http404("该企业不在后备库中，或不在您的管辖范围内。")
    results, errors = assess_case(selectors.case_for(entry.organization, entry.as_of))
    rule_sets = [
        {**selectors.describe_rule_set(r), "result": entry.tier_results.get(r.code)}
        for r in TierRuleSet.objects.exclude(status="inactive")
    ]
    return render(
        request,
        "cultivation/pool_detail.html",
        {
            "entry": entry,
            "results": [(code, label, results.get(code)) for code, label in RULESETS],
            "errors": errors,
            "movements": entry.organization.tier_movements.select_related("run"),
            "rule_sets": rule_sets,
            "labels": HNTE_CONDITION_LABELS,
            "eligibility_labels": ELIGIBILITY_LABELS,
        },
    )


@login_required
def movements(request: HttpRequest) -> HttpResponse:
    """Tier movements (动态跟踪): who moved up, down, in or out, filterable by area and step."""
    WORKBENCH.check(request.user)
    runs = list(
        selectors.runs_for(request.user)
        .filter(status="done", movements__isnull=False)
        .distinct()[:20]
    )
    chosen, errors = filters.movement_filters(request.user, request.GET, runs)
    run = chosen.run
    rows = selectors.filter_movements(selectors.movements_for(request.user), chosen)
    page = page_of(rows, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cultivation/movements.html",
        {
            "runs": runs,
            "run": run,
            "matrix": selectors.movement_matrix(request.user, run) if run else None,
            "page": page,
            "errors": errors,
            "areas": areas_for(request.user),
            "stages": Stage.choices,
            "query": query.urlencode(),
        },
        status=422 if errors else 200,
    )


@login_required
def rule_sets(request: HttpRequest) -> HttpResponse:
    """The tier rule sets and the reserve policy, each criterion with its source and whether the
    bureau still has to confirm it."""
    WORKBENCH.check(request.user)
    items = [selectors.describe_rule_set(r) for r in TierRuleSet.objects.all()]
    policy = ReservePolicy.objects.filter(active=True).first()
    engine_policy = policy.to_engine() if policy is not None else None
    return render(
        request,
        "cultivation/rule_sets.html",
        {
            "items": items,
            "policy": policy,
            "policy_tiers": [
                {"tier": t, "criteria": tiers.describe(t.criteria)} for t in engine_policy.tiers
            ]
            if engine_policy
            else [],
            "exclude": tiers.describe(engine_policy.exclude) if engine_policy else [],
        },
    )


@login_required
def projection(request: HttpRequest) -> HttpResponse:
    """What-if on the plan: HNTE and TSME counts projected to the target year from the reserve
    pool and the historical rates, the gap to the targets, and the effect of supporting the N
    enterprises closest to HNTE."""
    WORKBENCH.check(request.user)
    req = selectors.projection(request.user, filters.projection_params(request.GET))
    context: dict[str, Any] = {
        "plans": req.plans,
        "plan": req.plan,
        "errors": req.errors,
        "support": req.support,
        "max_supported": filters.MAX_SUPPORTED,
        "tier_labels": TIER_LABELS,
        "targets": req.targets,
        "empty": req.empty,
        "inp": req.inp,
        "result": req.result,
        "chosen": req.chosen,
        "labels": HNTE_CONDITION_LABELS,
    }
    if req.result is not None and req.inp is not None:
        context["chart"] = {
            "hnte_history": list(req.inp.hnte_history),
            "tsme_history": list(req.inp.tsme_history),
            "years": [y.to_dict() for y in req.result.years],
            "hnte_target": req.targets["hnte"],
            "tsme_target": req.targets["tsme"],
            "target_year": req.targets["target_year"],
        }
    return render(
        request, "cultivation/projection.html", context, status=422 if req.errors else 200
    )
