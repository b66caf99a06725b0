"""Query parameters of the cultivation pages and API, parsed once: the pool list filters (shared by
the page, its export and the API), the movement filters, a screening request and the plan
projection's parameters. Bad values come back as Chinese messages per parameter, never as
exceptions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from kechuang.cultivation.models import DataStatus, ReserveTier, ScreeningRun, Stage, TierRuleSet
from kechuang.registry.models import Area, IndustryChain
from kechuang.registry.selectors import area_by_reference, industry_by_reference

Errors = dict[str, list[str]]
STAGES = [
    ("pool", "后备库企业"),
    ("hnte", "高新技术企业"),
    ("tsme", "科技型中小企业"),
    ("none", "未入库"),
]
MAX_SUPPORTED = 500


def reference(lookup: Any, user: Any, value: Any, key: str, errors: Errors) -> Any:
    """A reference (area, industry) by code or name through the registry's own resolver, within
    what the user may view (`registry.selectors.*_by_reference`), its message collected under
    `key`; None when empty or unknown."""
    try:
        return lookup(user, value or None, key)
    except ValidationError as error:
        errors.update(error.message_dict)
        return None


def screening_request(user: Any, data: Any) -> tuple[dt.date | None, Area | None, Errors]:
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
    area = reference(area_by_reference, user, data.get("area"), "area", errors)
    return as_of, area, errors


# --------------------------------------------------------------------------- the pool list


@dataclass(frozen=True)
class PoolFilters:
    """The filters of the pool list, its export and the API (all optional)."""

    q: str = ""
    area: Area | None = None
    industry: IndustryChain | None = None
    tier: str = ""
    stage: str = ""  # pool / hnte / tsme / none
    data_status: str = ""
    max_failed: int | None = None
    rule_set: str = ""  # a TierRuleSet code: candidates (result 1) only


def _choice(query: Any, key: str, allowed: Any, message: str, errors: Errors) -> str:
    """The value of `key` when it is one of `allowed`; '' (and the message) otherwise."""
    value = query.get(key) or ""
    if value and value not in allowed:
        errors[key] = [message]
    return value


def _max_failed(query: Any, errors: Errors) -> int | None:
    if str(query.get("max_failed") or "") == "":
        return None
    try:
        max_failed = int(query["max_failed"])
        if not 0 <= max_failed <= 9:
            raise ValueError
    except ValueError:
        errors["max_failed"] = ["未达条件数应为 0–9 的整数。"]
        return None
    return max_failed


def pool_filters(user: Any, query: Any) -> tuple[PoolFilters, Errors]:
    """The pool list filters from a query dict (page, API and export share them)."""
    errors: Errors = {}
    area = reference(area_by_reference, user, query.get("area"), "area", errors)
    industry = reference(industry_by_reference, user, query.get("industry"), "industry", errors)
    tier = _choice(
        query,
        "tier",
        ReserveTier.values,
        "层级应为种子型、初创型、成长型、成熟型之一（seed、startup、growing、mature）。",
        errors,
    )
    stage = _choice(query, "stage", dict(STAGES), "范围应为 pool、hnte、tsme、none 之一。", errors)
    data_status = _choice(
        query,
        "data_status",
        DataStatus.values,
        "数据状态应为 complete、incomplete、no_data 之一。",
        errors,
    )
    max_failed = _max_failed(query, errors)
    rule_set = query.get("rule_set") or ""
    if rule_set and not TierRuleSet.objects.filter(code=rule_set).exists():
        errors["rule_set"] = [f"未知的梯度培育标准：{rule_set}"]
        rule_set = ""
    filters = PoolFilters(
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


# --------------------------------------------------------------------------- the projection


@dataclass(frozen=True)
class ProjectionParams:
    """The projection's parameters: the plan's code, how many of the closest enterprises to
    support, and the target year and counts staff typed over the plan's own (`overrides`:
    target_year, hnte, tsme and whether any was given). `errors` are kept per parameter:
    the projection reports the override errors only once a plan is chosen."""

    plan: str = ""
    support: int = 0
    overrides: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)


def _support(query: Any, errors: Errors) -> int:
    if str(query.get("support") or "") == "":
        return 0
    try:
        support = int(query["support"])
        if not 0 <= support <= MAX_SUPPORTED:
            raise ValueError
    except ValueError:
        errors["support"] = [f"扶持企业数应为 0–{MAX_SUPPORTED} 的整数。"]
        return 0
    return support


def _target_year(query: Any, out: dict[str, Any], errors: Errors) -> None:
    raw = str(query.get("target_year") or "").strip()
    if not raw:
        return
    try:
        year = int(raw)
        if not 2000 <= year <= 2100:
            raise ValueError
        out["target_year"] = year
    except ValueError:
        errors["target_year"] = ["目标年应为 2000–2100 之间的年份。"]


def _overrides(query: Any, errors: Errors) -> dict[str, Any]:
    """Target year and counts typed by staff (e.g. for the next plan), over the plan's own."""
    out: dict[str, Any] = {}
    _target_year(query, out, errors)
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


def projection_params(query: Any) -> ProjectionParams:
    """Parse `query` (plan, support, target_year, hnte_target, tsme_target)."""
    errors: Errors = {}
    support = _support(query, errors)
    overrides = _overrides(query, errors)
    return ProjectionParams(
        plan=str(query.get("plan") or ""), support=support, overrides=overrides, errors=errors
    )


# --------------------------------------------------------------------------- the movements


@dataclass(frozen=True)
class MovementFilters:
    """The filters of the movements page (动态跟踪): area, the stage moved to, the run."""

    area: Area | None = None
    to_stage: str = ""  # a Stage, "out" (left the pool) or "" (any)
    run: ScreeningRun | None = None


def movement_filters(
    user: Any, query: Any, runs: list[ScreeningRun]
) -> tuple[MovementFilters, Errors]:
    """The movements filters from a query dict; `runs` are the runs the user may pick (the
    newest first, the default)."""
    errors: Errors = {}
    area = reference(area_by_reference, user, query.get("area"), "area", errors)
    to_stage = str(query.get("to") or "")
    if to_stage and to_stage not in [*Stage.values, "out"]:
        errors["to"] = ["未知的层级。"]
        to_stage = ""
    run = runs[0] if runs else None
    if query.get("run"):
        run = next((r for r in runs if str(r.pk) == str(query["run"])), None)
        if run is None:
            errors["run"] = ["未知的筛查。"]
    return MovementFilters(area, to_stage, run), errors
