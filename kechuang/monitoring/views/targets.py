"""Splitting an indicator's city target across the county-level areas (县市区 and functional
zones): by baseline share with hand-set exceptions for quantities, by hand for shares and rates.

The page reads the form here; `services.save_area_targets` checks and writes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from kechuang.core.imports.cells import CellError, parse_decimal
from kechuang.core.permissions import EDIT_PLAN_TARGETS, WORKBENCH
from kechuang.monitoring import selectors, services
from kechuang.monitoring.engine.areas import is_additive
from kechuang.monitoring.models import AreaTarget, Indicator
from kechuang.registry.models import Area

Errors = dict[str, list[str]]


def _number(raw: str, label: str, errors: Errors, key: str) -> float | None:
    try:  # the registry's reader: full-width digits, thousands separators and units accepted
        value = parse_decimal(raw, places=4, allow_negative=True)
    except CellError:
        errors[key] = [f"{label}应为数字。"]
        return None
    if value is None:
        return None
    if value < 0:
        errors[key] = [f"{label}应为不小于 0 的数。"]
        return None
    return float(value)


def _read_form(
    post: QueryDict, areas: list[Area], errors: Errors
) -> tuple[dict[str, float], dict[str, float]]:
    """({area name: baseline}, {area name: hand-set target}) of the filled-in cells; a cell
    that is not a number ≥ 0 is reported in `errors` under its input's name."""
    baselines: dict[str, float] = {}
    manual: dict[str, float] = {}
    for area in areas:
        base_key, target_key = f"baseline_{area.code}", f"target_{area.code}"
        base = _number(post.get(base_key, ""), f"{area.name}基期值", errors, base_key)
        target = _number(post.get(target_key, ""), f"{area.name}目标值", errors, target_key)
        if base is not None:
            baselines[area.name] = base
        if target is not None:
            manual[area.name] = target
    return baselines, manual


def _save(request: HttpRequest, indicator: Indicator, areas: list[Area]) -> Errors:
    """Save the posted split; the form's errors, none when it was saved."""
    errors: Errors = {}
    baselines, manual = _read_form(request.POST, areas, errors)
    if errors:
        return errors
    try:
        rows = services.save_area_targets(
            request.user, indicator, [a.name for a in areas], baselines, manual
        )
    except ValidationError as error:
        return {k: [str(m) for m in v] for k, v in error.message_dict.items()}
    messages.success(request, f"已保存 {len(rows)} 个地区的目标。")
    return {}


def _saved_baseline(current: AreaTarget | None, guess: tuple[float, str] | None) -> Any:
    if current is not None and current.baseline_value is not None:
        return current.baseline_value
    return guess[0] if guess else ""


def _saved_target(current: AreaTarget | None, additive: bool) -> Any:
    if current is not None and (current.method == "manual" or not additive):
        return current.target_value
    return ""


def _form_row(
    area: Area,
    current: AreaTarget | None,
    guess: tuple[float, str] | None,
    additive: bool,
    posted: QueryDict | None,
) -> dict[str, Any]:
    """One area's line of the form: as posted (after an error), else as saved or suggested."""
    return {
        "area": area,
        "current": current,
        "baseline": posted.get(f"baseline_{area.code}")
        if posted is not None
        else _saved_baseline(current, guess),
        "baseline_source": "已保存" if current is not None else (guess[1] if guess else ""),
        "manual": posted.get(f"target_{area.code}")
        if posted is not None
        else _saved_target(current, additive),
    }


@login_required
def area_targets(request: HttpRequest, code: str) -> HttpResponse:
    WORKBENCH.check(request.user)
    plan = selectors.plan_for(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404("规划尚未载入。")
    indicator = selectors.plan_indicator(plan, code)
    if indicator is None:
        raise Http404("未知的指标。")
    areas = selectors.split_areas(plan)
    may_edit = EDIT_PLAN_TARGETS.allows(request.user)
    errors: Errors = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("只有市科技局工作人员可以分解目标。")
        errors = _save(request, indicator, areas)
        if not errors:
            return redirect(request.get_full_path())
    existing = selectors.area_targets_of(indicator)
    suggested = selectors.suggested_baselines(indicator, areas)
    additive = is_additive(indicator.kind, indicator.code)
    posted = request.POST if request.method == "POST" else None
    rows = [
        _form_row(area, existing.get(area.pk), suggested.get(area.code), additive, posted)
        for area in areas
    ]
    total_target = sum((existing[a.pk].target_value for a in areas if a.pk in existing), Decimal(0))
    return render(
        request,
        "monitoring/area_targets.html",
        {
            "plan": plan,
            "indicator": indicator,
            "rows": rows,
            "additive": additive,
            "may_edit": may_edit,
            "errors": errors,
            "total_target": total_target if existing else None,
        },
        status=422 if errors else 200,
    )
