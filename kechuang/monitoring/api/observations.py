"""Observation endpoints (mounted at /api/monitoring/data): list with filters, one observation
with every vintage of its key, entry with the same fields as an import row (the same value rules;
an unusual value needs `confirm_reason`), conflict resolution, withdrawal (作废) with a reason.
A correction is a new vintage: the same figure entered again with a later `as_of`."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from kechuang.core.errors import error_response
from kechuang.core.pagination import Pagination
from kechuang.core.permissions import WITHDRAW_OBSERVATION
from kechuang.monitoring import imports, selectors, services
from kechuang.monitoring.filters import ObservationFilter
from kechuang.monitoring.models import Observation, ReviewState

# Operation ids are pinned to those published before the app was re-laid into this package,
# so clients generated from the OpenAPI document keep their method names.
router = Router(tags=["监测值"])


class ObservationOut(Schema):
    id: int
    indicator: str | None = Field(None, alias="indicator.code")
    indicator_name: str | None = Field(None, alias="indicator.name")
    commitment: str | None = Field(None, alias="commitment.code")
    area: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    period: str
    start: dt.date
    end: dt.date
    year: int
    value: Decimal
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    as_of: dt.date
    source_title: str
    source_issuer: str
    source_url: str
    source_quote: str
    other_scope: str
    state: str
    state_display: str = Field(..., alias="get_state_display")
    state_note: str
    entered_by: str | None = Field(None, alias="entered_by.username")
    confirmed_check: str = Field("", description="录入时经确认的异常（如较上年变化超过设定倍数）")
    confirmed_reason: str = Field("", description="录入人的确认理由")
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = Field(None, alias="withdrawn_by.username")
    withdrawn_reason: str = ""


class ObservationDetailOut(ObservationOut):
    vintages: list[ObservationOut] = Field(
        default_factory=list, description="同一指标、区域、期间和类型的全部版本（新→旧）"
    )


class ObservationIn(Schema):
    plan: str = Field(selectors.DEFAULT_PLAN, max_length=40)
    indicator: str = Field(..., max_length=60, description="指标代码或量化承诺代码")
    area: str = Field(..., max_length=50, description="区域名称或代码")
    period: str = Field(..., max_length=20, description="2023、2021-2025 或 2022-01/2022-10")
    value: Decimal | str = Field(..., description="数值（指标单位）")
    kind: str = Field(..., max_length=20, description="actual/正式数 等")
    as_of: dt.date | str = Field(..., description="发布/修订日期")
    source: str = Field(..., max_length=200, description="来源名称")
    source_issuer: str = Field("", max_length=100)
    source_url: str = Field("", max_length=300)
    source_quote: str = Field("", max_length=300)
    other_scope: str = Field("", max_length=100)
    confirm_reason: str = Field(
        "",
        max_length=300,
        description="确认理由：数值异常（如较上年变化超过设定倍数、增速超出 ±100%）时必填",
    )


class ObservationWithdrawIn(Schema):
    reason: str = Field(..., max_length=300, description="作废理由")


class ResolveIn(Schema):
    keep: bool = Field(..., description="true：采用本条（同组其他来源不采用）；false：不采用本条")
    note: str = Field(..., max_length=300, description="核实依据")


def _plan(code: str) -> Any:
    plan = selectors.get_plan(code)
    if plan is None:
        raise ValidationError({"plan": f"规划“{code}”不存在。"})
    return plan


@router.get(
    "/observations",
    operation_id="observations_list",
    response=list[ObservationOut],
    summary="监测值列表（含全部版本）",
)
@paginate(Pagination)
def list_observations(request: HttpRequest, filters: Query[ObservationFilter]) -> Any:
    plan = _plan(filters.plan)
    rows = filters.filter(selectors.plan_observations(request.user, plan))
    return rows.order_by("-year", "-as_of", "-pk")


def _detail(request: HttpRequest, pk: int) -> Observation:
    obs = get_object_or_404(selectors.observations_for(request.user), pk=pk)
    obs.vintages = list(  # type: ignore[attr-defined]
        selectors.observations_for(request.user)
        .filter(**selectors.version_key(obs))
        .order_by("-as_of", "-pk")
    )
    return obs


@router.get(
    "/observations/{pk}",
    operation_id="observations_get",
    response=ObservationDetailOut,
    summary="监测值详情（含历史版本)",
)
def get_observation(request: HttpRequest, pk: int) -> Any:
    return _detail(request, pk)


@router.post(
    "/observations",
    operation_id="observations_create",
    response={201: ObservationDetailOut},
    summary="录入一条监测值（字段同导入文件的一行；更正即以较晚的发布日期录入新版本）",
)
def create_observation(request: HttpRequest, payload: ObservationIn) -> Any:
    plan = _plan(payload.plan)
    cells = payload.dict(exclude={"plan"})
    cells = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in cells.items()}
    valid, report = imports.validate_single(cells, request.user, plan)
    if valid is None:
        errors = imports.field_errors(report)
        if report.outside_scope and len(report.errors) == 1:  # right data, wrong area: 403
            raise PermissionDenied(errors["area"][0])
        if imports.needs_confirmation(report):  # unusual, not impossible: a reason will do
            message = "数值需要确认：" + "；".join(e.problem for e in report.errors)
            message += "如确认无误，请在 confirm_reason 字段中说明理由后重新提交；否则请更正数值。"
            errors["confirm_reason"] = ["请说明确认理由（如：统计口径调整）。"]
            return error_response(422, message, errors, code="confirmation_required")
        raise ValidationError(errors)
    obs = services.record_observation(request.user, dict(valid.data))
    return Status(201, _detail(request, obs.pk))


@router.post(
    "/observations/{pk}/resolve",
    operation_id="observations_resolve",
    response=ObservationDetailOut,
    summary="核实来源冲突：采用或不采用本条",
)
def resolve_observation(request: HttpRequest, pk: int, payload: ResolveIn) -> Any:
    obs = get_object_or_404(selectors.observations_for(request.user), pk=pk)
    if obs.state != ReviewState.CONFLICT:
        raise HttpError(409, "该监测值不处于来源冲突状态，无需核实。")
    services.resolve_conflict(request.user, obs, payload.keep, payload.note)
    return _detail(request, pk)


@router.post(
    "/observations/{pk}/withdraw",
    operation_id="observations_withdraw",
    response=ObservationDetailOut,
    summary="作废监测值（保留记录，不再计入；须说明理由）",
)
def withdraw_observation(request: HttpRequest, pk: int, payload: ObservationWithdrawIn) -> Any:
    obs = get_object_or_404(selectors.observations_for(request.user), pk=pk)  # unseen: 404
    WITHDRAW_OBSERVATION.check(request.user)  # seen but not the role's: 403
    if obs.state == ReviewState.WITHDRAWN:
        raise HttpError(409, "该监测值已作废，无需重复作废。")
    services.withdraw_observation(request.user, obs, payload.reason)
    return _detail(request, pk)
