"""The bureau's cultivation pages: reserve pool overview with the funnel, the pool list and its
export, an enterprise's screening detail, tier movements, screenings, rule sets, projection."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.core.downloads import XLSX, attachment
from kechuang.core.roles import is_city, is_government
from kechuang.cultivation import params, screening, selectors, selfassess
from kechuang.cultivation.cases import case_for
from kechuang.cultivation.engine import tiers
from kechuang.cultivation.engine.result import ELIGIBILITY_LABELS
from kechuang.cultivation.models import (
    DataStatus,
    ReservePolicy,
    ReserveTier,
    Stage,
    TierRuleSet,
)
from kechuang.registry.api import refs
from kechuang.registry.excel.parsing import neutralise_formula
from kechuang.registry.models import Area, IndustryChain


def _government(request: HttpRequest) -> None:
    if not is_government(request.user):
        raise PermissionDenied("企业培育工作台仅向市科技局和县区工作人员开放。")


def _areas(user: Any) -> list[Area]:
    return list(selectors.visible_areas(user))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The reserve pool at a glance: the funnel per area, the last screening, the rule sets.
    Enterprise users land on their self-assessment instead."""
    if not is_government(request.user):
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
            "areas": _areas(request.user),
            "can_pick_area": is_city(request.user),
            "today": timezone.localdate(),
            "chart": {
                "stages": [{"name": s["label"], "value": s["value"]} for s in data["stages"]],
            },
        },
    )


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    _government(request)
    filters, errors = params.pool_filters(request.GET)
    entries = selectors.filter_pool(selectors.pool_for(request.user), filters)
    if request.GET.get("format") == "xlsx" and not errors:  # never export a misread filter
        return _export(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cultivation/pool_list.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "areas": _areas(request.user),
            "industries": IndustryChain.objects.filter(parent=None).order_by("code"),
            "tiers": ReserveTier.choices,
            "stages": params.STAGES,
            "data_statuses": DataStatus.choices,
            "rule_sets": TierRuleSet.objects.exclude(status="inactive"),
            "query": query.urlencode(),
            "labels": screening.HNTE_CONDITION_LABELS,
        },
        status=422 if errors else 200,
    )


EXPORT_COLUMNS = (
    ("企业名称", lambda e: e.organization.name),
    ("统一社会信用代码", lambda e: e.organization.uscc),
    ("所在区域", lambda e: e.organization.area.name),
    ("所属产业", lambda e: e.organization.industry.name if e.organization.industry else ""),
    ("后备库层级", lambda e: e.get_tier_display() or "未入库"),
    ("进入该层级日期", lambda e: e.tier_since),
    ("高新技术企业", lambda e: "是" if e.is_hnte else "否"),
    ("科技型中小企业", lambda e: "是" if e.is_tsme else "否"),
    ("高企条件", lambda e: e.get_hnte_eligible_display() if e.hnte_eligible is not None else ""),
    ("高企未达条件数", lambda e: e.hnte_failed),
    (
        "高企未达条件",
        lambda e: "、".join(screening.HNTE_CONDITION_LABELS.get(c, c) for c in e.failed_conditions),
    ),
    ("高企差距", lambda e: "；".join(e.gaps)),
    ("高企评分区间", lambda e: _interval(e.hnte_total_min, e.hnte_total_max)),
    ("科小评分", lambda e: e.tsme_total_min),
    ("数据状态", lambda e: e.get_data_status_display()),
    ("最近会计年度", lambda e: e.latest_year),
    ("评价基准日", lambda e: e.as_of),
)


TIER_RESULT_LABELS = {1: "符合", 0: "不符合", 2: "无法判定", None: "未评价"}


def _interval(low: int | None, high: int | None) -> str:
    if low is None:
        return ""
    return str(low) if low == high else f"{low}–{high}"


def _export(entries: Any) -> HttpResponse:
    """The filtered list as xlsx (every row, not just one page), formula-safe, with one column
    per tier rule set (符合 / 不符合 / 无法判定 / 未评价)."""
    rule_sets = list(TierRuleSet.objects.exclude(status="inactive"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "高企后备库"
    sheet.append([title for title, _ in EXPORT_COLUMNS] + [r.name for r in rule_sets])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries.iterator(chunk_size=2000):
        row = []
        for _, get in EXPORT_COLUMNS:
            value = get(entry)
            row.append(neutralise_formula(value) if isinstance(value, str) else value)
        row += [TIER_RESULT_LABELS[entry.tier_results.get(r.code)] for r in rule_sets]
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return attachment(buffer.getvalue(), f"高企后备库-{timezone.localdate():%Y%m%d}.xlsx", XLSX)


@login_required
def entry_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    """One enterprise: its tier and history, the tier rule sets, and the full HNTE/TSME
    assessment with the gaps (the single-case engine on the same figures)."""
    _government(request)
    entry = get_object_or_404(selectors.pool_for(request.user), organization_id=organization_id)
    results, errors = selfassess.assess_case(case_for(entry.organization, entry.as_of))
    rule_sets = [
        {**selectors.describe_rule_set(r), "result": entry.tier_results.get(r.code)}
        for r in TierRuleSet.objects.exclude(status="inactive")
    ]
    return render(
        request,
        "cultivation/pool_detail.html",
        {
            "entry": entry,
            "results": [(code, label, results.get(code)) for code, label in selfassess.RULESETS],
            "errors": errors,
            "movements": entry.organization.tier_movements.select_related("run"),
            "rule_sets": rule_sets,
            "labels": screening.HNTE_CONDITION_LABELS,
            "eligibility_labels": ELIGIBILITY_LABELS,
        },
    )


@login_required
def movements(request: HttpRequest) -> HttpResponse:
    """Tier movements (动态跟踪): who moved up, down, in or out, filterable by area and step."""
    _government(request)
    rows = selectors.movements_for(request.user)
    errors: dict[str, list[str]] = {}
    area = params.reference(refs.area, request.GET.get("area"), "area", errors)
    if area is not None:
        rows = rows.filter(organization__area__in=Area.subtree_ids(area.path))
    to_stage = request.GET.get("to", "")
    if to_stage:
        if to_stage not in [*Stage.values, "out"]:
            errors["to"] = ["未知的层级。"]
        else:
            rows = rows.filter(to_tier="" if to_stage == "out" else to_stage)
    runs = list(
        selectors.runs_for(request.user)
        .filter(status="done", movements__isnull=False)
        .distinct()[:20]
    )
    run = runs[0] if runs else None
    if request.GET.get("run"):
        run = next((r for r in runs if str(r.pk) == request.GET["run"]), None)
        if run is None:
            errors["run"] = ["未知的筛查。"]
    if run is not None:
        rows = rows.filter(run=run)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
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
            "areas": _areas(request.user),
            "stages": Stage.choices,
            "query": query.urlencode(),
        },
        status=422 if errors else 200,
    )


@login_required
def screenings(request: HttpRequest) -> HttpResponse:
    """The screening runs in scope (GET) or a new one (POST, queued for the worker)."""
    _government(request)
    if request.method == "POST":
        return _start(request)
    page = Paginator(selectors.runs_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "cultivation/screenings.html", {"page": page})


def _start(request: HttpRequest) -> HttpResponse:
    as_of, area, errors = params.screening_request(request.POST)
    if not errors:
        try:
            run = screening.start_screening(request.user, as_of, area)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect(f"{reverse('cultivation:screenings')}?{urlencode({'queued': run.pk})}")
    page = Paginator(selectors.runs_for(request.user), 30).get_page(1)
    return render(
        request,
        "cultivation/screenings.html",
        {"page": page, "errors": errors},
        status=422,
    )


@login_required
def rule_sets(request: HttpRequest) -> HttpResponse:
    """The tier rule sets and the reserve policy, each criterion with its source and whether the
    bureau still has to confirm it."""
    _government(request)
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
    from kechuang.cultivation.engine.projection import TIER_LABELS

    _government(request)
    req = params.projection(request.user, request.GET)
    context: dict[str, Any] = {
        "plans": req.plans,
        "plan": req.plan,
        "errors": req.errors,
        "support": req.support,
        "max_supported": params.MAX_SUPPORTED,
        "tier_labels": TIER_LABELS,
        "targets": req.targets,
        "empty": req.empty,
        "inp": req.inp,
        "result": req.result,
        "chosen": req.chosen,
        "labels": screening.HNTE_CONDITION_LABELS,
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
