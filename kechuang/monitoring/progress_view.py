"""The figures of the plan-monitoring dashboard, shaped once for every reader: the pages, the
API (`GET /api/monitoring/plans/{code}/progress`) and `manage.py plan_progress`.

All arithmetic comes from `monitoring.selectors` (and through them the progress engine); this
module only picks the plan, the date and the areas a user may see, and turns the selectors'
results into JSON-ready dicts and chart series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kechuang.monitoring import selectors
from kechuang.monitoring.engine.observations import OBSERVATION_KINDS
from kechuang.monitoring.engine.progress import STATUS_LABELS, ProgressResult
from kechuang.monitoring.models import (
    COMPARATOR_LABELS,
    MEASURE_LABELS,
    Indicator,
    Observation,
    Plan,
    ReviewState,
)
from kechuang.registry.models import Area
from kechuang.registry.selectors import working_areas

# Bootstrap colour of each status: 已达标 green, 正常 blue, 滞后 amber, 严重滞后 red, 暂无数据 grey.
STATUS_COLOURS = {
    "met": "success",
    "on_track": "primary",
    "behind": "warning",
    "critical": "danger",
    "no_data": "secondary",
}
COMMITMENT_COLOURS = {
    "met": "success",
    "not_met": "warning",
    "no_data": "secondary",
    "qualitative": "info",
}
CHANGE_UNITS = {"linear": "每年", "cagr": "% / 年（复合）", "mean_rate": "%"}


class ProgressInputError(ValueError):
    """A request the dashboard cannot answer; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class AreaForbidden(ProgressInputError):
    """The area exists but lies outside the user's own area and its subtree."""


# --- inputs ------------------------------------------------------------------------------------


def parse_as_of(text: str | None) -> dt.date:
    """The 测算日期 from `YYYY-MM-DD`; today when empty."""
    if not text:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as error:
        raise ProgressInputError("as_of", f"日期“{text}”格式有误，应为 YYYY-MM-DD。") from error


def plan_for(user: Any, code: str | None = None) -> Plan | None:
    """The plan `code` (default: the Nanyang 14th plan, else the newest) if the user sees it."""
    plans = Plan.objects.select_related("area") if user is None else selectors.plans_for(user)
    if code:
        return plans.filter(code=code).first()
    return plans.filter(code=selectors.DEFAULT_PLAN).first() or plans.first()


def areas_for(user: Any, plan: Plan) -> list[Area]:
    """The areas a user may monitor: the plan's whole tree, or a county user's own subtree."""
    return list(working_areas(user, plan.area).order_by("sort_order", "code"))


def default_area(user: Any, plan: Plan) -> Area:
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
    if all(a.pk != area.pk for a in areas_for(user, plan)):
        raise AreaForbidden("area", "您只能查看本区域及下辖区域的监测数据。")
    return area


def subtree(areas: list[Area], area: Area) -> list[Area]:
    return [a for a in areas if a.path.startswith(area.path)]


# --- the dashboard -----------------------------------------------------------------------------


@dataclass
class Dashboard:
    plan: Plan
    as_of: dt.date
    area: Area
    areas: list[Area]  # the selected area and its subtree (heat map, ranking)
    rows: list[selectors.IndicatorRow]  # one per indicator, for the selected area
    progress: dict[str, list[selectors.IndicatorRow]]
    commitments: list[selectors.CommitmentRow]

    @property
    def has_observations(self) -> bool:
        return any(r.published and r.published.counted for r in self.rows)

    def rankings(self) -> list[tuple[Indicator, list[Any]]]:
        return [
            (r.indicator, selectors.area_ranking(self.progress, r.indicator.code, self.areas))
            for r in self.rows
        ]

    def heatmap(self) -> dict[str, Any]:
        return selectors.heatmap(self.progress, self.areas)


def build_dashboard(plan: Plan, as_of: dt.date, area: Area, areas: list[Area]) -> Dashboard:
    scope = subtree(areas, area)
    progress = selectors.plan_progress(plan, as_of, scope)
    return Dashboard(
        plan=plan,
        as_of=as_of,
        area=area,
        areas=scope,
        rows=progress[area.code],
        progress=progress,
        commitments=selectors.commitment_progress(plan, as_of),
    )


def indicator_row(
    plan: Plan, as_of: dt.date, area: Area, areas: list[Area], code: str
) -> selectors.IndicatorRow | None:
    """One indicator of one area (the whole subtree is passed: computed values roll up)."""
    rows = selectors.plan_progress(plan, as_of, subtree(areas, area), codes=[code])[area.code]
    return rows[0] if rows else None


# --- JSON shapes -------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else value


def kind_label(kind: str | None) -> str:
    return OBSERVATION_KINDS.get(kind or "", "")


def latest_computed(row: selectors.IndicatorRow) -> selectors.Computed | None:
    return row.computed_points[-1] if row.computed_points else None


def indicator_dict(row: selectors.IndicatorRow) -> dict[str, Any]:
    """The essentials of one indicator's progress: published figures drive the status; the
    value computed from the registries is reported beside them, separately."""
    ind, target, p = row.indicator, row.target, row.published
    computed = latest_computed(row)
    forecast = p.forecast if p else None
    return {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "kind": ind.kind,
        "direction": ind.direction,
        "growth_model": ind.growth_model,
        "baseline_year": target.baseline_year if target else ind.baseline_year,
        "baseline_value": _num(target.baseline_value) if target else None,
        "target_year": target.target_year if target else ind.target_year,
        "target_value": _num(target.target_value) if target else None,
        "status": row.status,
        "status_label": STATUS_LABELS[row.status],
        "status_reason": p.status_reason if p else "；".join(row.warnings),
        "latest": (
            {
                "year": p.latest_year,
                "value": p.latest_value,
                "kind": p.latest_kind,
                "kind_label": kind_label(p.latest_kind),
            }
            if p and p.latest_year is not None
            else None
        ),
        "completion": p.completion if p else None,
        "expected_value": p.expected_value if p else None,
        "expected_completion": p.expected_completion if p else None,
        "shortfall": p.shortfall if p else None,
        "achieved_mean_rate": p.achieved_mean_rate if p else None,
        "change_method": p.change_method if p else None,
        "required_annual_change": p.required_annual_change if p else None,
        "required_compound_rate": p.required_compound_rate if p else None,
        "years_counted": list(p.years_counted) if p else [],
        "years_missing": list(p.years_missing) if p else [],
        "forecast": (
            {
                "year": forecast.year,
                "value": forecast.value,
                "low": forecast.low,
                "high": forecast.high,
                "method": forecast.method,
                "points": forecast.points,
            }
            if forecast
            else None
        ),
        "forecast_meets_target": p.forecast_meets_target if p else None,
        "not_counted": len(p.not_counted) if p else 0,
        "computed": (
            {
                "source": ind.get_computed_from_display(),
                "year": computed.year,
                "value": computed.value,
                "detail": computed.detail,
                "trace_url": computed.trace_url,
                "completion": row.computed.completion if row.computed else None,
                "status": row.computed.status if row.computed else None,
                "status_label": row.computed.status_label if row.computed else None,
            }
            if computed
            else None
        ),
        "conflicts": row.conflicts,
        "warnings": list(row.warnings),
    }


def commitment_dict(row: selectors.CommitmentRow) -> dict[str, Any]:
    c, obs = row.commitment, row.latest
    return {
        "code": c.code,
        "title": c.title,
        "section": c.section,
        "quote": c.quote,
        "comparator": c.comparator,
        "comparator_label": COMPARATOR_LABELS[c.comparator],
        "measure": c.measure,
        "measure_label": MEASURE_LABELS[c.measure],
        "value": _num(c.value),
        "low": _num(c.low),
        "high": _num(c.high),
        "benchmark": c.benchmark,
        "unit": c.unit,
        "target_year": c.target_year,
        "indicator": c.indicator.code if c.indicator_id else None,
        "status": row.status,
        "status_label": row.status_label,
        "latest": (
            {
                "period": obs.period,
                "year": obs.year,
                "value": _num(obs.value),
                "kind": obs.kind,
                "kind_label": kind_label(obs.kind),
                "as_of": obs.as_of.isoformat(),
                "source_title": obs.source_title,
            }
            if obs
            else None
        ),
    }


def progress_dict(dashboard: Dashboard) -> dict[str, Any]:
    """What the API's progress endpoint answers and `plan_progress --format json` prints."""
    plan = dashboard.plan
    return {
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "document_number": plan.document_number,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
        "as_of": dashboard.as_of.isoformat(),
        "area": {"code": dashboard.area.code, "name": dashboard.area.name},
        "indicators": [indicator_dict(r) for r in dashboard.rows],
        "commitments": [commitment_dict(r) for r in dashboard.commitments],
    }


def ranking_dicts(ranks: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "rank": r.rank,
            "area": r.area,
            "completion": r.completion,
            "status": r.status,
            "status_label": STATUS_LABELS.get(r.status, r.status),
        }
        for r in ranks
    ]


# --- charts ------------------------------------------------------------------------------------


def chart_dict(row: selectors.IndicatorRow) -> dict[str, Any]:
    """The series of one indicator's ECharts line chart, aligned on the years of the plan."""
    ind, p = row.indicator, row.published
    first = ind.baseline_year or (row.computed_points[0].year if row.computed_points else 2020)
    last = ind.target_year or first + 5
    years = list(range(first, last + 1))
    if row.computed_points:
        years = sorted(set(years) | {c.year for c in row.computed_points})

    def aligned(points: dict[int, float | None]) -> list[float | None]:
        return [points.get(y) for y in years]

    counted = {o.year: o.value for o in p.counted} if p else {}
    counted_kinds = {o.year: kind_label(o.kind) for o in p.counted} if p else {}
    path = {pt.year: round(pt.value, 6) for pt in p.planned_path} if p else {}
    computed = {c.year: c.value for c in row.computed_points}
    aside = [
        {"year": s.observation.year, "value": s.observation.value, "reason": s.reason}
        for s in (p.not_counted if p else ())
        if s.observation.year in years
    ]
    band_low: dict[int, float | None] = {}
    band_span: dict[int, float | None] = {}
    forecast_line: dict[int, float | None] = {}
    forecast = p.forecast if p else None
    if forecast is not None and p and p.latest_year is not None and forecast.year in years:
        forecast_line = {p.latest_year: p.latest_value, forecast.year: forecast.value}
        if forecast.low is not None and forecast.high is not None:
            for year in range(p.latest_year, forecast.year + 1):
                share = (year - p.latest_year) / max(forecast.year - p.latest_year, 1)
                low = p.latest_value + (forecast.low - p.latest_value) * share
                high = p.latest_value + (forecast.high - p.latest_value) * share
                band_low[year], band_span[year] = low, high - low
    return {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit,
        "years": [str(y) for y in years],
        "counted": aligned(counted),
        "counted_kinds": [counted_kinds.get(y, "") for y in years],
        "path": aligned(path),
        "computed": aligned(computed),
        "computed_label": ind.get_computed_from_display() if row.computed_points else "",
        "not_counted": aside,
        "forecast": aligned(forecast_line),
        "forecast_low": aligned(band_low),
        "forecast_span": aligned(band_span),
        "forecast_interval": (
            [forecast.low, forecast.high]
            if forecast and forecast.low is not None and forecast.high is not None
            else None
        ),
        "target": _num(row.target.target_value) if row.target else None,
    }


# --- one indicator's observations --------------------------------------------------------------


@dataclass(frozen=True)
class ObservationLine:
    observation: Observation
    role: str  # counted | superseded | not_counted | conflict | rejected | later | duplicate
    reason: str

    @property
    def colour(self) -> str:
        return {
            "counted": "success",
            "superseded": "secondary",
            "not_counted": "secondary",
            "conflict": "danger",
            "rejected": "dark",
            "later": "light",
            "duplicate": "secondary",
        }[self.role]

    @property
    def safe_url(self) -> str:
        url = self.observation.source_url
        return url if url.startswith(("http://", "https://", "/")) else ""


def _key(year: int, value: float, kind: str, as_of: dt.date, source: str) -> tuple[Any, ...]:
    return (year, round(float(value), 6), kind, as_of, source)


def observation_lines(
    observations: Any, published: ProgressResult | None, as_of: dt.date
) -> list[ObservationLine]:
    """Every stored observation of one indicator and area, each with what the calculation made
    of it (counted, superseded, not counted, in conflict, rejected, published after `as_of`)."""
    counted, superseded, not_counted = set(), {}, {}
    if published is not None:
        counted = {_key(o.year, o.value, o.kind, o.as_of, o.source) for o in published.counted}
        for s in published.superseded:
            o = s.observation
            superseded[_key(o.year, o.value, o.kind, o.as_of, o.source)] = s.reason
        for s in published.not_counted:
            o = s.observation
            not_counted[_key(o.year, o.value, o.kind, o.as_of, o.source)] = s.reason
    counted_values = {k[:4] for k in counted}
    lines = []
    for obs in observations:
        key = _key(obs.year, obs.value, obs.kind, obs.as_of, obs.source_title)
        if obs.as_of > as_of:
            line = ObservationLine(obs, "later", f"晚于测算日期 {as_of} 发布，不参与本次测算")
        elif obs.state == ReviewState.REJECTED:
            line = ObservationLine(obs, "rejected", f"核实后不采用：{obs.state_note}")
        elif obs.state == ReviewState.CONFLICT:
            line = ObservationLine(obs, "conflict", f"来源冲突，待核实，暂不计入：{obs.state_note}")
        elif key in counted:
            line = ObservationLine(obs, "counted", "计入进度")
        elif key in superseded:
            line = ObservationLine(obs, "superseded", superseded[key])
        elif key in not_counted:
            line = ObservationLine(obs, "not_counted", not_counted[key])
        elif key[:4] in counted_values:
            line = ObservationLine(obs, "duplicate", "与计入的数值相同（另一来源），已合并")
        else:
            line = ObservationLine(obs, "not_counted", "未计入（该区域无可比目标或数据有误）")
        lines.append(line)
    return lines


def planned_rows(row: selectors.IndicatorRow) -> list[dict[str, Any]]:
    """Year by year: the planned value, the counted published value and the computed value."""
    p = row.published
    counted = {o.year: o for o in p.counted} if p else {}
    computed = {c.year: c for c in row.computed_points}
    path = {pt.year: pt.value for pt in p.planned_path} if p else {}
    years = sorted(set(path) | set(counted) | set(computed))
    return [
        {
            "year": y,
            "planned": fmt(path.get(y)),
            "counted": fmt(counted[y].value) if y in counted else "—",
            "counted_kind": kind_label(counted[y].kind) if y in counted else "",
            "computed": computed.get(y),
        }
        for y in years
    ]


# --- display -----------------------------------------------------------------------------------


def fmt(value: Any, decimals: int = 2) -> str:
    """A number as the pages print it: thousands separators, at most `decimals` decimals."""
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(fraction: float | None, decimals: int = 1) -> str:
    return "—" if fraction is None else f"{fraction * 100:.{decimals}f}%"


def display(row: selectors.IndicatorRow) -> dict[str, str]:
    """The formatted figures of one indicator for the pages (the API returns raw numbers)."""
    p, target = row.published, row.target
    forecast = p.forecast if p else None
    interval = ""
    if forecast and forecast.low is not None and forecast.high is not None:
        interval = f"{fmt(forecast.low)} ～ {fmt(forecast.high)}"
    computed = latest_computed(row)
    return {
        "baseline": fmt(target.baseline_value) if target else "—",
        "target": fmt(target.target_value) if target else "—",
        "latest": fmt(p.latest_value) if p and p.latest_value is not None else "—",
        "completion": pct(p.completion if p else None),
        "expected_value": fmt(p.expected_value) if p else "—",
        "expected_completion": pct(p.expected_completion if p else None),
        "shortfall": pct(p.shortfall if p else None),
        "achieved_mean_rate": fmt(p.achieved_mean_rate) if p else "—",
        "achieved_compound_rate": fmt(p.achieved_compound_rate) if p else "—",
        "observed_annual_change": fmt(p.observed_annual_change) if p else "—",
        "required_annual_change": fmt(p.required_annual_change) if p else "—",
        "required_compound_rate": fmt(p.required_compound_rate) if p else "—",
        "forecast": fmt(forecast.value) if forecast else "—",
        "forecast_interval": interval,
        "forecast_slope": fmt(forecast.slope) if forecast else "—",
        "computed": fmt(computed.value) if computed else "—",
        "computed_completion": pct(row.computed.completion if row.computed else None),
        "on_track_gap": pct(p.thresholds.on_track_gap, 0) if p else "—",
        "critical_gap": pct(p.thresholds.critical_gap, 0) if p else "—",
    }
