"""Plan-monitoring endpoints: the plans, the progress the dashboard shows, the area ranking.

The progress endpoint answers exactly what `manage.py plan_progress --format json` prints
(both are `engine.shapes.progress_dict`)."""

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import NinjaJSONEncoder

from kechuang.monitoring import selectors
from kechuang.monitoring.engine.shapes import progress_dict, ranking_dicts
from kechuang.monitoring.filters import (
    AreaForbidden,
    ProgressInputError,
    parse_as_of,
    resolve_area,
)
from kechuang.monitoring.models import Plan

# Operation ids are pinned to those published before the app was re-laid into this package,
# so clients generated from the OpenAPI document keep their method names.
router = Router(tags=["规划监测"])


class PlanOut(Schema):
    code: str
    title: str
    document_number: str
    issued_on: dt.date
    start_year: int
    end_year: int
    area: str

    @staticmethod
    def resolve_area(obj: Plan) -> str:
        return obj.area.name


class RankOut(Schema):
    rank: int | None
    area: str
    completion: float | None
    status: str
    status_label: str


class RankingOut(Schema):
    plan: str
    indicator: str
    indicator_name: str
    as_of: dt.date
    area: str
    rows: list[RankOut]


def _plan(request: HttpRequest, code: str) -> Plan:
    plan = selectors.plan_for(request.user, code)
    if plan is None:
        raise Http404
    return plan


def _inputs(request: HttpRequest, plan: Plan, as_of: str | None, area: str | None) -> Any:
    try:
        day = parse_as_of(as_of)
        place = resolve_area(request.user, plan, area)
    except AreaForbidden as error:
        raise PermissionDenied(str(error)) from error
    except ProgressInputError as error:
        raise ValidationError({error.field: [str(error)]}) from error
    return day, place, selectors.areas_for(request.user, plan)


@router.get(
    "/plans",
    operation_id="plans_list",
    response=list[PlanOut],
    summary="规划列表",
)
def list_plans(request: HttpRequest) -> Any:
    return selectors.plans_for(request.user)


@router.get(
    "/plans/{code}/progress",
    operation_id="plan_progress",
    summary="规划进度（指标与量化承诺，与规划监测页面同一口径）",
    description=(
        "as_of：测算日期 YYYY-MM-DD（默认今天），只使用此日前发布的监测值；"
        "area：区域代码或名称（默认全市，县区用户默认并限于本区域及下辖区域）。"
        "每项指标的状态只由正式数、初步数决定；computed 为登记库计算值，单列，不替代发布数。"
        "评审专家、企业和高校院所用户只看到全市公开发布的结果（无县区、无登记库计数）。"
    ),
)
def plan_progress(
    request: HttpRequest, code: str, as_of: str | None = None, area: str | None = None
) -> Any:
    # The JSON for these inputs and this viewer is kept (apart, selectors.RECENT_ANSWERS): a
    # repeat reads neither the plan nor the user's areas. Bad input raises inside: not kept.
    key = (code, as_of, area, selectors.viewer_key(request.user))
    content = selectors.cached_on_data(
        "progress-request",
        key,
        lambda: _answer(request, code, as_of, area),
        store=selectors.RECENT_ANSWERS,
    )
    return HttpResponse(content, content_type=JSON_TYPE)


def _answer(request: HttpRequest, code: str, as_of: str | None, area: str | None) -> bytes:
    plan = _plan(request, code)
    day, place, areas = _inputs(request, plan, as_of, area)
    only = selectors.published_only(request.user)
    # the answer itself is cached on the data version (and on what the role may see), as the
    # JSON the API's renderer writes, shared by every user who may see the same
    parts = (plan.pk, day, place.pk, tuple(a.pk for a in areas), only)
    return selectors.cached_on_data(
        "progress-answer-json",
        parts,
        lambda: _json(progress_dict(selectors.build_dashboard(plan, day, place, areas, only))),
    )


JSON_TYPE = "application/json; charset=utf-8"


def _json(data: Any) -> bytes:
    """What the API's renderer (site.api.ChineseJSONRenderer) writes for `data`."""
    return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")


@router.get(
    "/plans/{code}/ranking",
    operation_id="plan_ranking",
    response=RankingOut,
    summary="区域排名（某项指标的完成度）",
    description="indicator：指标代码；as_of：测算日期；area：在哪个区域的下辖区域中排名。",
)
def ranking(
    request: HttpRequest,
    code: str,
    indicator: str,
    as_of: str | None = None,
    area: str | None = None,
) -> Any:
    plan = _plan(request, code)
    day, place, areas = _inputs(request, plan, as_of, area)
    ind = selectors.plan_indicator(plan, indicator)
    if ind is None:
        raise ValidationError({"indicator": [f"规划中没有代码为“{indicator}”的指标。"]})
    scope = selectors.subtree(areas, place)  # only this indicator, not the whole dashboard
    progress = selectors.plan_progress(
        plan, day, scope, codes=[ind.code], published_only=selectors.published_only(request.user)
    )
    ranks = selectors.area_ranking(progress, ind.code, scope)
    return {
        "plan": plan.code,
        "indicator": ind.code,
        "indicator_name": ind.name,
        "as_of": day,
        "area": place.name,
        "rows": ranking_dicts(ranks),
    }
