"""How the monitoring pages print figures: number formats, status colours, the formatted
figures of one indicator, its year-by-year table and what the calculation made of each stored
observation. Pure Python: takes the selectors' rows (read by attribute) and returns strings,
dicts and small dataclasses; the API and `plan_progress` use the raw numbers of `shapes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .observations import OBSERVATION_KINDS

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
    "not_met": "danger",
    "not_yet": "warning",
    "incomplete": "warning",
    "no_data": "secondary",
    "qualitative": "info",
}
CHANGE_UNITS = {"linear": "每年", "cagr": "% / 年（复合）", "mean_rate": "%"}
# Review states of a stored observation (`monitoring.models.ReviewState`).
REJECTED, CONFLICT, WITHDRAWN = "rejected", "conflict", "withdrawn"


def number(value: Any) -> float | None:
    """A Decimal or int as a float (JSON-ready); other values unchanged."""
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else value


def kind_label(kind: str | None) -> str:
    """正式数, 初步数 … for an observation kind code; "" for none."""
    return OBSERVATION_KINDS.get(kind or "", "")


def fmt(value: Any, decimals: int = 2) -> str:
    """A number as the pages print it: thousands separators, at most `decimals` decimals."""
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(fraction: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage (0.125 → "12.5%"); "—" for none."""
    return "—" if fraction is None else f"{fraction * 100:.{decimals}f}%"


def latest_computed(row: Any) -> Any:
    """The last value computed from the registries of an indicator row, or None."""
    return row.computed_points[-1] if row.computed_points else None


def display(row: Any) -> dict[str, str]:
    """The formatted figures of one indicator row for the pages (the API returns raw numbers)."""
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


def planned_rows(row: Any) -> list[dict[str, Any]]:
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


# --- one indicator's observations --------------------------------------------------------------


@dataclass(frozen=True)
class ObservationLine:
    observation: Any  # a stored observation (value, kind, as_of, source_title, state …)
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
            "withdrawn": "dark",
            "later": "light",
            "duplicate": "secondary",
        }[self.role]


Key = tuple[Any, ...]


def _key(year: int, value: float, kind: str, as_of: dt.date, source: str) -> Key:
    return (year, round(float(value), 6), kind, as_of, source)


def _published_roles(published: Any) -> dict[Key, tuple[str, str]]:
    """(role, reason) of each figure the calculation saw, by key: counted wins over superseded,
    superseded over not counted."""
    roles: dict[Key, tuple[str, str]] = {}
    if published is None:
        return roles
    for role, asides in (
        ("not_counted", published.not_counted),
        ("superseded", published.superseded),
    ):
        for s in asides:
            o = s.observation
            roles[_key(o.year, o.value, o.kind, o.as_of, o.source)] = (role, s.reason)
    for o in published.counted:
        roles[_key(o.year, o.value, o.kind, o.as_of, o.source)] = ("counted", "计入进度")
    return roles


def _line(
    obs: Any, roles: dict[Key, tuple[str, str]], counted_values: set[Key], as_of: dt.date
) -> ObservationLine:
    if obs.as_of > as_of:
        return ObservationLine(obs, "later", f"晚于测算日期 {as_of} 发布，不参与本次测算")
    if obs.state == WITHDRAWN:
        return ObservationLine(obs, "withdrawn", f"已作废，不计入：{obs.withdrawn_reason}")
    if obs.state == REJECTED:
        return ObservationLine(obs, "rejected", f"核实后不采用：{obs.state_note}")
    if obs.state == CONFLICT:
        return ObservationLine(obs, "conflict", f"来源冲突，待核实，暂不计入：{obs.state_note}")
    key = _key(obs.year, obs.value, obs.kind, obs.as_of, obs.source_title)
    if key in roles:
        return ObservationLine(obs, *roles[key])
    if key[:4] in counted_values:
        return ObservationLine(obs, "duplicate", "与计入的数值相同（另一来源），已合并")
    return ObservationLine(obs, "not_counted", "未计入（该区域无可比目标或数据有误）")


def observation_lines(observations: Any, published: Any, as_of: dt.date) -> list[ObservationLine]:
    """Every stored observation of one indicator and area, each with what the calculation
    (`published`, a ProgressResult or None) made of it: counted, superseded, not counted, in
    conflict, rejected, published after `as_of`."""
    roles = _published_roles(published)
    counted_values = {k[:4] for k, (role, _) in roles.items() if role == "counted"}
    return [_line(obs, roles, counted_values, as_of) for obs in observations]
