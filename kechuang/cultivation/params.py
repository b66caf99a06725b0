"""Query parameters of the cultivation pages and API, parsed once: the pool filters and the plan
projection. Bad values come back as Chinese messages per parameter, never as exceptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from kechuang.core.roles import CITY_ROLES
from kechuang.cultivation import selectors
from kechuang.cultivation.engine.projection import Projection, ProjectionInput, project
from kechuang.cultivation.models import DataStatus, PoolEntry, ReserveTier, TierRuleSet
from kechuang.registry.api import refs
from kechuang.registry.models import Area

Errors = dict[str, list[str]]
STAGES = [
    ("pool", "后备库企业"),
    ("hnte", "高新技术企业"),
    ("tsme", "科技型中小企业"),
    ("none", "未入库"),
]
MAX_SUPPORTED = 500


def screening_request(data: Any) -> tuple[dt.date | None, Area | None, Errors]:
    """The base date (YYYY-MM-DD, default today) and area (code or name, default the city or
    a county user's own) of a screening the page or the API asks for."""
    errors: Errors = {}
    as_of = None
    raw = str(data.get("as_of") or "").strip()
    if raw:
        try:
            as_of = dt.date.fromisoformat(raw)
        except ValueError:
            errors["as_of"] = ["评价基准日格式应为 YYYY-MM-DD。"]
    area = reference(refs.area, data.get("area"), "area", errors)
    return as_of, area, errors


def reference(lookup: Any, value: Any, key: str, errors: Errors) -> Any:
    """A reference (area, industry) by code or name through the registry's own lookup
    (`registry.api.refs`), its message collected under `key`; None when empty or unknown."""
    try:
        return lookup(value or None, key)
    except ValidationError as error:
        errors.update(error.message_dict)
        return None


def pool_filters(query: Any) -> tuple[selectors.PoolFilters, Errors]:
    """The pool list filters from a query dict (page, API and export share them)."""
    errors: Errors = {}
    area = reference(refs.area, query.get("area"), "area", errors)
    industry = reference(refs.industry, query.get("industry"), "industry", errors)
    tier = query.get("tier") or ""
    if tier and tier not in ReserveTier.values:
        errors["tier"] = [
            "层级应为种子型、初创型、成长型、成熟型之一（seed、startup、growing、mature）。"
        ]
    stage = query.get("stage") or ""
    if stage and stage not in dict(STAGES):
        errors["stage"] = ["范围应为 pool、hnte、tsme、none 之一。"]
    data_status = query.get("data_status") or ""
    if data_status and data_status not in DataStatus.values:
        errors["data_status"] = ["数据状态应为 complete、incomplete、no_data 之一。"]
    max_failed = None
    if str(query.get("max_failed") or "") != "":
        try:
            max_failed = int(query["max_failed"])
            if not 0 <= max_failed <= 9:
                raise ValueError
        except ValueError:
            errors["max_failed"] = ["未达条件数应为 0–9 的整数。"]
            max_failed = None
    rule_set = query.get("rule_set") or ""
    if rule_set and not TierRuleSet.objects.filter(code=rule_set).exists():
        errors["rule_set"] = [f"未知的梯度培育标准：{rule_set}"]
        rule_set = ""
    filters = selectors.PoolFilters(
        q=str(query.get("q") or "").strip()[:100],
        area=area,
        industry=industry,
        tier=tier if "tier" not in errors else "",
        stage=stage if "stage" not in errors else "",
        data_status=data_status if "data_status" not in errors else "",
        max_failed=max_failed,
        rule_set=rule_set,
    )
    return filters, errors


def _plan_targets(user: Any, plan: Any) -> dict[str, Any]:
    """The plan's HNTE and TSME targets for the user's scope: the city's, or the county's share
    when the target has been split (monitoring's AreaTarget); None where there is none."""
    from kechuang.monitoring.models import AreaTarget

    out: dict[str, Any] = {"target_year": plan.end_year, "hnte": None, "tsme": None}
    county = getattr(user, "area_id", None) and user.role not in CITY_ROLES
    for code, key in (("hnte_count", "hnte"), ("tsme_count", "tsme")):
        indicator = plan.indicators.filter(code=code).first()
        if indicator is None:
            continue
        out["target_year"] = indicator.target_year or plan.end_year
        if county:
            split = AreaTarget.objects.filter(indicator=indicator, area=user.area).first()
            out[key] = float(split.target_value) if split else None
        elif indicator.target_value is not None:
            out[key] = float(indicator.target_value)
    return out


def _overrides(query: Any, errors: Errors) -> dict[str, Any]:
    """Target year and counts typed by staff (e.g. for the next plan), over the plan's own."""
    out: dict[str, Any] = {}
    raw = str(query.get("target_year") or "").strip()
    if raw:
        try:
            year = int(raw)
            if not 2000 <= year <= 2100:
                raise ValueError
            out["target_year"] = year
        except ValueError:
            errors["target_year"] = ["目标年应为 2000–2100 之间的年份。"]
    for key, label in (("hnte", "高企"), ("tsme", "科小")):
        raw = str(query.get(f"{key}_target") or "").strip()
        if raw:
            try:
                value = float(raw)
                if not 0 <= value <= 10_000_000:
                    raise ValueError
                out[key] = value
            except ValueError:
                errors[f"{key}_target"] = [f"{label}目标应为不小于 0 的数。"]
    out["overridden"] = bool(out)
    return out


@dataclass
class ProjectionRequest:
    """Everything the projection page and endpoint show, or the reasons they cannot."""

    plans: list[Any]
    plan: Any = None
    support: int = 0
    errors: Errors = field(default_factory=dict)
    targets: dict[str, Any] = field(
        default_factory=lambda: {"target_year": None, "hnte": None, "tsme": None}
    )
    inp: ProjectionInput | None = None
    result: Projection | None = None
    chosen: list[PoolEntry] = field(default_factory=list)
    empty: bool = False


def projection(user: Any, query: Any) -> ProjectionRequest:
    """Parse `query` (plan, support, target_year, hnte_target, tsme_target) and project."""
    from kechuang.monitoring.models import Plan

    plans = list(
        Plan.objects.filter(indicators__code="hnte_count").distinct().order_by("-end_year")
    )
    out = ProjectionRequest(plans=plans, plan=plans[0] if plans else None)
    if query.get("plan"):
        out.plan = next((p for p in plans if p.code == query["plan"]), None)
        if out.plan is None:
            out.errors["plan"] = [f"未知的规划：{query['plan']}"]
    if str(query.get("support") or "") != "":
        try:
            out.support = int(query["support"])
            if not 0 <= out.support <= MAX_SUPPORTED:
                raise ValueError
        except ValueError:
            out.errors["support"] = [f"扶持企业数应为 0–{MAX_SUPPORTED} 的整数。"]
            out.support = 0
    if out.plan is None:
        return out
    targets = _plan_targets(user, out.plan)
    targets.update(_overrides(query, out.errors))
    out.targets = targets
    if out.errors:
        return out
    out.chosen = selectors.closest(user, out.support)
    out.inp = selectors.projection_input(
        user,
        target_year=targets["target_year"],
        hnte_target=targets["hnte"],
        tsme_target=targets["tsme"],
        first_year=out.plan.start_year - 1,
        supported=tuple(e.tier for e in out.chosen),
    )
    if out.inp is None:
        out.empty = True
        return out
    out.result = project(out.inp)
    return out
