"""Splitting an indicator's city target across the county-level areas (县市区 and functional
zones): by baseline share with hand-set exceptions for quantities, by hand for shares and rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kechuang.core.roles import is_city, is_government
from kechuang.monitoring import progress_view as pv
from kechuang.monitoring import selectors, services
from kechuang.monitoring.models import AreaTarget, ComputedFrom
from kechuang.registry.excel.parsing import CellError, parse_decimal
from kechuang.registry.models import Area

# Counts the registries hold per area (intensities and ratios are not split by baseline share).
COUNTED = (ComputedFrom.HNTE_COUNT, ComputedFrom.TSME_COUNT, ComputedFrom.PLATFORMS)


def is_additive(indicator: Any) -> bool:
    """Whether the areas' values add up to the city's: year-end quantities do; shares, growth
    rates and intensities ("… per 10,000 residents/workers", codes with `_per_`) do not."""
    return indicator.kind == "level" and "_per_" not in indicator.code


def _number(raw: str, label: str, errors: dict[str, list[str]], key: str) -> float | None:
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


def _suggested_baselines(indicator: Any, areas: list[Area]) -> dict[str, tuple[float, str]]:
    """Each area's baseline as published (正式数/初步数 of the baseline year), else as the
    registries compute it, with where it came from."""
    year = indicator.baseline_year
    out: dict[str, tuple[float, str]] = {}
    if year is None:
        return out
    if indicator.computed_from in COUNTED:  # as the bureau configured it (admin)
        series = selectors.computed_series(indicator.computed_from, [year], areas)
        for area in areas:
            point = series.get(area.code, {}).get(year)
            if point is not None:
                out[area.code] = (point.value, "登记库计算值")
    for code, value in selectors.published_latest(indicator.code, areas, year).items():
        out[code] = (value, "发布数")
    return out


@login_required
def area_targets(request: HttpRequest, code: str) -> HttpResponse:
    if not is_government(request.user):
        raise PermissionDenied("只有市科技局和县区工作人员可以查看目标分解。")
    plan = pv.plan_for(request.user, request.GET.get("plan"))
    if plan is None:
        raise Http404("规划尚未载入。")
    indicator = plan.indicators.filter(code=code, is_auxiliary=False).first()
    if indicator is None:
        raise Http404("未知的指标。")
    areas = list(Area.objects.filter(parent=plan.area).order_by("sort_order", "code"))
    existing = {t.area_id: t for t in AreaTarget.objects.filter(indicator=indicator)}
    suggested = _suggested_baselines(indicator, areas)
    additive = is_additive(indicator)
    may_edit = is_city(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("只有市科技局工作人员可以分解目标。")
        baselines: dict[str, float] = {}
        manual: dict[str, float] = {}
        for area in areas:
            base = _number(
                request.POST.get(f"baseline_{area.code}", ""),
                f"{area.name}基期值",
                errors,
                f"baseline_{area.code}",
            )
            target = _number(
                request.POST.get(f"target_{area.code}", ""),
                f"{area.name}目标值",
                errors,
                f"target_{area.code}",
            )
            if base is not None:
                baselines[area.name] = base
            if target is not None:
                manual[area.name] = target
        if not errors:
            try:
                if additive:
                    missing = [a.name for a in areas if a.name not in baselines]
                    if missing:
                        raise ValidationError(
                            {"baselines": [f"请填写全部地区的基期值，缺：{'、'.join(missing)}。"]}
                        )
                    rows = services.split_indicator_target(
                        request.user, indicator, baselines, manual
                    )
                else:
                    missing = [a.name for a in areas if a.name not in manual]
                    if missing:
                        raise ValidationError(
                            {
                                "targets": [
                                    f"比例、增速类指标须逐一设定目标，缺：{'、'.join(missing)}。"
                                ]
                            }
                        )
                    rows = services.set_area_targets(
                        request.user,
                        indicator,
                        {name: (baselines.get(name), manual[name]) for name in manual},
                    )
            except ValidationError as error:
                errors = {k: [str(m) for m in v] for k, v in error.message_dict.items()}
            else:
                messages.success(request, f"已保存 {len(rows)} 个地区的目标。")
                return redirect(request.get_full_path())
    rows = []
    total_target = Decimal(0)
    for area in areas:
        current = existing.get(area.pk)
        guess = suggested.get(area.code)
        if current is not None:
            total_target += current.target_value
        rows.append(
            {
                "area": area,
                "current": current,
                "baseline": request.POST.get(f"baseline_{area.code}")
                if request.method == "POST"
                else (
                    current.baseline_value
                    if current is not None and current.baseline_value is not None
                    else (guess[0] if guess else "")
                ),
                "baseline_source": "已保存" if current is not None else (guess[1] if guess else ""),
                "manual": request.POST.get(f"target_{area.code}")
                if request.method == "POST"
                else (
                    current.target_value
                    if current is not None and (current.method == "manual" or not additive)
                    else ""
                ),
            }
        )
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
