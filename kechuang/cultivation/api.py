"""Cultivation endpoints: assess one case with the same engine the command uses; the reserve
pool, the funnel, screening runs and the plan projection with the same selectors as the pages.

Everything but `/assess` is for city and county staff; a county user sees their area only."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Body, Router, Schema, Status

from kechuang.core.pagination import MAX_PAGE, PAGE_SIZE
from kechuang.core.permissions import WORKBENCH, guard
from kechuang.cultivation import filters, selectors
from kechuang.cultivation.engine import CaseError, assess, load_case
from kechuang.cultivation.engine.batch import HNTE_CONDITION_LABELS
from kechuang.cultivation.models import ScreeningRun
from kechuang.cultivation.services.screenings import start_screening as queue_screening
from kechuang.registry.selectors import area_by_reference

router = Router(tags=["企业培育"])


@router.post("/assess", summary="按高企（hnte-2016）或科小（tsme-2022）规则评估一个案例")
def assess_case(
    request: HttpRequest,
    rules: Literal["hnte-2016", "tsme-2022"],
    case: Body[dict[str, Any]],
    policy: Literal["min", "mid", "max"] = "min",
) -> Any:
    try:
        result = assess(rules, load_case(case), policy)
    except CaseError as error:
        raise ValidationError(
            {path: messages for path, messages in error.errors.items()}
        ) from error
    return result.to_dict()


def _entry(e: Any) -> dict[str, Any]:
    org = e.organization
    return {
        "organization": {
            "id": org.pk,
            "name": org.name,
            "uscc": org.uscc,
            "area": org.area.name,
            "industry": org.industry.name if org.industry_id else None,
        },
        "as_of": e.as_of,
        "tier": e.tier or None,
        "tier_label": e.get_tier_display() or "未入库",
        "tier_since": e.tier_since,
        "is_hnte": e.is_hnte,
        "is_tsme": e.is_tsme,
        "is_gazelle": e.is_gazelle,
        "is_leader": e.is_leader,
        "data_status": e.data_status,
        "missing": e.missing,
        "latest_year": e.latest_year,
        "hnte": {
            "eligible": e.hnte_eligible,
            "failed": e.hnte_failed,
            "failed_conditions": [
                {"code": c, "label": HNTE_CONDITION_LABELS.get(c, c)} for c in e.failed_conditions
            ],
            "gaps": e.gaps,
            "total_min": e.hnte_total_min,
            "total_max": e.hnte_total_max,
        },
        "tsme": {"eligible": e.tsme_eligible, "total": e.tsme_total_min},
        "tier_rules": e.tier_results,
    }


@router.get("/pool", summary="高企后备库与筛查结果（按距高企由近到远排序，可筛选）")
@guard(WORKBENCH)
def pool(request: HttpRequest, page: int = 1) -> Any:
    chosen, errors = filters.pool_filters(request.user, request.GET)
    if errors:
        raise ValidationError(errors)
    if not 1 <= page <= MAX_PAGE:
        raise ValidationError({"page": [f"页码应为 1 至 {MAX_PAGE} 的整数。"]})
    entries = selectors.filter_pool(selectors.pool_for(request.user), chosen)
    count = entries.count()
    rows = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "count": count,
        "page": page,
        "page_size": PAGE_SIZE,
        "results": [_entry(e) for e in rows],
    }


@router.get("/pool/{organization_id}", summary="一家企业的筛查结果")
@guard(WORKBENCH)
def pool_entry(request: HttpRequest, organization_id: int) -> Any:
    entry = selectors.pool_entry_for(request.user, organization_id)
    if entry is None:
        raise Http404
    out = _entry(entry)
    out["movements"] = [
        {"on": m.on, "from": m.from_tier or None, "to": m.to_tier or None}
        for m in entry.organization.tier_movements.all()
    ]
    return out


@router.get("/funnel", summary="培育漏斗：科小 → 后备库各层级 → 高企 → 瞪羚 → 创新龙头")
@guard(WORKBENCH)
def funnel(request: HttpRequest, area: str | None = None) -> Any:
    root = area_by_reference(request.user, area)
    if root is not None and not selectors.sees_area(request.user, root):
        raise PermissionDenied("您无权查看该区域。")
    data = selectors.funnel(request.user, root)
    keys = [s["key"] for s in data["stages"]]
    return {
        "area": data["root"].name,
        "stages": data["stages"],
        "areas": [
            {"area": row["area"].name, **dict(zip(keys, row["values"], strict=True))}
            for row in data["areas"]
        ],
    }


class ScreeningIn(Schema):
    as_of: str | None = None
    area: str | None = None


def _run(run: ScreeningRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "as_of": run.as_of,
        "area": run.area.name if run.area_id else None,
        "status": run.status,
        "status_label": run.get_status_display(),
        "requested_by": run.requested_by.username if run.requested_by_id else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "policy_version": run.policy_version,
        "summary": run.summary,
        "error": run.error,
    }


@router.get("/screenings", summary="批量筛查记录")
@guard(WORKBENCH)
def screenings(request: HttpRequest) -> Any:
    return [_run(r) for r in selectors.runs_for(request.user)[:100]]


@router.post("/screenings", summary="发起批量筛查（后台任务执行）", response={202: Any})
@guard(WORKBENCH)
def start_screening(request: HttpRequest, data: ScreeningIn) -> Any:
    as_of, area, errors = filters.screening_request(request.user, data.dict())
    if errors:
        raise ValidationError(errors)
    run = queue_screening(request.user, as_of, area)
    return Status(202, _run(run))


@router.get("/screenings/{run_id}", summary="一次批量筛查的状态与结果摘要")
@guard(WORKBENCH)
def screening_status(request: HttpRequest, run_id: int) -> Any:
    run = selectors.runs_for(request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return _run(run)


@router.get("/projection", summary="规划目标测算：高企、科小数量到目标年的测算与缺口")
@guard(WORKBENCH)
def projection(
    request: HttpRequest,
    plan: str | None = None,
    support: int = 0,
    target_year: int | None = None,
    hnte_target: float | None = None,
    tsme_target: float | None = None,
) -> Any:
    req = selectors.projection(request.user, filters.projection_params(request.GET))
    if req.errors:
        raise ValidationError(req.errors)
    if req.plan is None:
        raise ValidationError({"plan": ["尚未载入含高企数量指标的规划。"]})
    if req.result is None:
        return {"plan": req.plan.code, "result": None, "reason": "范围内没有高企、科小资质记录。"}
    return {
        "plan": req.plan.code,
        "targets": {k: v for k, v in req.targets.items() if k != "overridden"},
        "result": req.result.to_dict(),
        "supported": [
            {
                "organization": e.organization.name,
                "uscc": e.organization.uscc,
                "tier": e.tier,
                "failed_conditions": e.failed_conditions,
            }
            for e in req.chosen
        ],
    }
