"""The parameters of monitoring's lists, each parsed in one place for every reader.

- `ObservationFilter`: the observation list, shared by the page (`/monitoring/observations/`)
  and the API (`GET /api/monitoring/data/observations`).
- `parse_as_of` and `resolve_area`: the 测算日期 and the area of the progress figures, shared by
  the dashboard, an indicator's page, the progress and ranking endpoints and
  `manage.py plan_progress`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from ninja import Field, FilterLookup, FilterSchema

from kechuang.core.permissions import VIEW_OBSERVATIONS
from kechuang.monitoring import selectors
from kechuang.monitoring.models import ObservationKind, Plan, ReviewState
from kechuang.registry.models import Area

# --- observations ------------------------------------------------------------------------------


class ObservationFilter(FilterSchema):
    plan: str = Field(selectors.DEFAULT_PLAN, max_length=40, description="规划编号")
    indicator: Annotated[str | None, FilterLookup(["indicator__code", "commitment__code"])] = Field(
        None, max_length=60, description="指标代码或量化承诺代码"
    )
    area: Annotated[str | None, FilterLookup(["area__code", "area__name"])] = Field(
        None, max_length=50, description="区域代码或名称"
    )
    year: int | None = Field(None, ge=1990, le=2100)
    kind: ObservationKind | None = None
    state: ReviewState | None = None

    def filter_plan(self, value: str) -> Q:
        return Q()  # picks the plan (`selectors.plan_observations`), filters no row


PAGE_FILTERS = ("indicator", "area", "year", "kind", "state")


def page_observation_filter(
    query: QueryDict,
) -> tuple[ObservationFilter, dict[str, str], list[str]]:
    """The list page's filters from its query string: (the filter, the values as typed, problems).

    The page keeps the other filters when one is wrong (a misread year is reported and ignored)
    and takes a kind or state it does not know literally (it matches nothing), so the values
    are not validated as the API validates them."""
    typed = {name: query.get(name, "").strip() for name in PAGE_FILTERS}
    errors: list[str] = []
    year = None
    if typed["year"]:
        if typed["year"].isdigit():
            year = int(typed["year"])
        else:
            errors.append("年度应为四位数字，如 2023。")
    values: dict[str, Any] = {name: typed[name] or None for name in PAGE_FILTERS}
    filters = ObservationFilter.model_construct(**{**values, "year": year})
    return filters, typed, errors


# --- progress ----------------------------------------------------------------------------------


class ProgressInputError(ValueError):
    """A request the dashboard cannot answer; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AreaForbidden(ProgressInputError):
    """The area exists but lies outside the user's own area and its subtree."""


def parse_as_of(text: str | None) -> dt.date:
    """The 测算日期 from `YYYY-MM-DD`; today when empty."""
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as error:
        raise ProgressInputError("as_of", f"日期“{text}”格式有误，应为 YYYY-MM-DD。") from error


def default_area(user: Any, plan: Plan) -> Area:
    """A county user's own area, else the plan's city."""
    own = getattr(user, "area", None) if user is not None else None
    return own if own is not None else plan.area


def resolve_area(user: Any, plan: Plan, text: str | None) -> Area:
    """The area named by code or name, within the user's areas; the default when empty."""
    if not text:
        return default_area(user, plan)
    text = text.strip()
    area = Area.objects.filter(Q(code=text) | Q(name=text)).first()
    if area is None:
        raise ProgressInputError("area", f"未知的区域“{text}”。")
    if all(a.pk != area.pk for a in selectors.areas_for(user, plan)):
        if selectors.published_only(user):
            raise AreaForbidden("area", VIEW_OBSERVATIONS.refusal)
        raise AreaForbidden("area", "您只能查看本区域及下辖区域的监测数据。")
    return area
