"""Progress of one indicator against its plan target (进度测算), every component kept for display.

Method, in the spirit of Open SDG's progress measure (sdg-build ``ProgressMeasure``) but with the
plan's own path instead of a single CAGR ratio:

1. Pick one counted figure per year (``observations.select_counted``: only 正式数/初步数).
2. Level and share targets: completion = (latest − baseline)/(target − baseline); the planned
   path (``paths``) gives the value expected at the latest year and so the expected completion;
   shortfall = expected completion − completion, in units of the baseline→target span.
3. Average-annual-growth targets (the yearly value is the growth rate in %): achieved rate =
   arithmetic mean of the yearly rates of the plan period observed so far (the compound
   equivalent is reported too); completion = achieved/target; shortfall = 1 − completion.
4. Status from the shortfall and ``Thresholds``; 已达标 only when the target itself is reached.
5. The yearly change still required, and an OLS trend forecast for the target year (``trend``).

A ``decrease`` direction is handled by the same formulas: completion and shortfall are signed so
that a larger completion is always better.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .areas import AreaRank, rank_areas, split_target
from .observations import Observation, SetAside, select_counted
from .paths import PathPoint, TargetLike, annual_change, planned_path, planned_value
from .trend import Forecast, trend_forecast

__all__ = [
    "STATUS_LABELS",
    "AreaRank",
    "Observation",
    "ProgressResult",
    "Thresholds",
    "compute_progress",
    "rank_areas",
    "split_target",
]

STATUS_LABELS: dict[str, str] = {
    "met": "已达标",
    "on_track": "正常",
    "behind": "滞后",
    "critical": "严重滞后",
    "no_data": "暂无数据",
}
_EPS = 1e-9


@dataclass(frozen=True)
class Thresholds:
    """When a shortfall is 正常, 滞后 or 严重滞后.

    The shortfall is measured in units of the baseline→target span for level and share targets
    (0.10 = a tenth of the whole planned change), and relative to the target rate for
    average-growth targets (0.10 = the achieved mean rate is 10 % below the target rate).

    - ``on_track_gap`` (default 0.05): up to 5 % of the span behind the planned path is still
      正常 — a quarter of one year's progress on a five-year plan, within statistical noise.
    - ``critical_gap`` (default 0.20): more than 20 % of the span behind is 严重滞后 — a full
      year's worth of progress on a five-year plan; in between is 滞后.

    Once the target year's figure is in, a target not reached is never 正常: it is 滞后 when
    the final shortfall is at most ``critical_gap``, otherwise 严重滞后.
    """

    on_track_gap: float = 0.05
    critical_gap: float = 0.20

    def __post_init__(self) -> None:
        if not 0 <= self.on_track_gap <= self.critical_gap:
            raise ValueError("阈值须满足 0 ≤ on_track_gap ≤ critical_gap")


@dataclass(frozen=True)
class ProgressResult:
    """Everything the progress of one indicator is computed from and found to be.

    Units: values, ``expected_value`` and linear changes in the indicator's unit; rates and
    CAGRs in %; completions and shortfall as fractions (0.8 = 80 %).
    ``change_method`` says how to read the changes: ``linear`` (unit per year), ``cagr``
    (% per year, compound) or ``mean_rate`` (% — an average-growth target's mean rate).
    ``forecast`` is the trend value at the target year; for an average-growth target that is the
    yearly rate expected in the target year, not the period mean, so ``forecast_meets_target``
    is None there. ``counted`` are the figures used; ``superseded`` and ``not_counted`` are kept,
    with the reason, for display.
    """

    code: str | None
    kind: str
    direction: str
    growth_model: str
    baseline_year: int
    baseline_value: float
    target_year: int
    target_value: float
    status: str
    status_label: str
    status_reason: str
    latest_year: int | None
    latest_value: float | None
    latest_kind: str | None
    completion: float | None
    expected_value: float | None
    expected_completion: float | None
    shortfall: float | None
    achieved_mean_rate: float | None
    achieved_compound_rate: float | None
    change_method: str
    observed_annual_change: float | None
    required_annual_change: float | None
    required_compound_rate: float | None
    planned_path: tuple[PathPoint, ...]
    years_counted: tuple[int, ...]
    years_missing: tuple[int, ...]
    forecast: Forecast | None
    forecast_meets_target: bool | None
    counted: tuple[Observation, ...]
    superseded: tuple[SetAside, ...]
    not_counted: tuple[SetAside, ...]
    thresholds: Thresholds


def compute_progress(
    target: TargetLike, observations: Iterable[Observation], thresholds: Thresholds | None = None
) -> ProgressResult:
    """Compute the progress of one indicator (one area) against its target.

    Inputs: ``target`` — an ``IndicatorSpec`` or anything with baseline/target year and value,
    kind, direction and growth model; ``observations`` — that indicator's figures for the area,
    any kinds, any order; ``thresholds`` — see ``Thresholds``. Method: module docstring.
    Raises ValueError for an unknown kind/direction or a geometric path with non-positive ends,
    and ObservationConflict for contradictory figures.
    """
    thresholds = thresholds or Thresholds()
    _check_target(target)
    selection = select_counted(observations)
    sign = 1.0 if target.direction == "increase" else -1.0
    if target.kind == "average_annual_growth":
        parts = _growth_progress(target, selection.counted, sign, thresholds)
    else:
        parts = _level_progress(target, selection.counted, sign, thresholds)
    latest = selection.counted[-1] if selection.counted else None
    forecast = trend_forecast([(o.year, o.value) for o in selection.counted], target.target_year)
    meets = None
    if forecast is not None and target.kind != "average_annual_growth":
        meets = sign * (forecast.value - target.target_value) >= -_EPS
    return ProgressResult(
        code=getattr(target, "code", None),
        kind=target.kind,
        direction=target.direction,
        growth_model=target.growth_model,
        baseline_year=target.baseline_year,
        baseline_value=target.baseline_value,
        target_year=target.target_year,
        target_value=target.target_value,
        status_label=STATUS_LABELS[parts["status"]],
        latest_year=latest.year if latest else None,
        latest_value=latest.value if latest else None,
        latest_kind=latest.kind if latest else None,
        planned_path=planned_path(target),
        years_counted=tuple(o.year for o in selection.counted),
        years_missing=_missing_years(target, selection.counted),
        forecast=forecast,
        forecast_meets_target=meets,
        counted=selection.counted,
        superseded=selection.superseded,
        not_counted=selection.not_counted,
        thresholds=thresholds,
        **parts,
    )


def _check_target(target: TargetLike) -> None:
    """Refuse targets the formulas cannot handle, before any figure is looked at."""
    if target.kind not in ("level", "share", "average_annual_growth"):
        raise ValueError(f"未知的指标类型“{target.kind}”")
    if target.direction not in ("increase", "decrease"):
        raise ValueError(f"未知的方向“{target.direction}”")
    if target.target_year <= target.baseline_year:
        raise ValueError("目标年份须晚于基期年份")
    if target.kind != "average_annual_growth" and target.target_value == target.baseline_value:
        raise ValueError("目标值与基期值相同，完成度无法计算")
    if target.kind == "average_annual_growth" and target.target_value == 0:
        raise ValueError("年均增速目标不能为 0")
    planned_value(target, target.baseline_year + 1)  # raises for a bad growth model


def _level_progress(
    target: TargetLike, counted: tuple[Observation, ...], sign: float, th: Thresholds
) -> dict[str, object]:
    """Completion, expected completion, status and changes for level/share targets."""
    model = target.growth_model
    method = "cagr" if model == "geometric" else "linear"
    if not counted:
        return _no_data(method, "尚无计入进度的正式数或初步数")
    latest = counted[-1]
    b, t, big_t = target.baseline_value, target.target_value, target.target_year
    span = t - b
    completion = (latest.value - b) / span
    expected = planned_value(target, latest.year)
    expected_completion = (expected - b) / span
    shortfall = expected_completion - completion
    reached = sign * (latest.value - t) >= -_EPS
    status = _status(reached, latest.year >= big_t, shortfall, th)
    reason = (
        f"{latest.year} 年为 {latest.value:g}，按规划路径应为 {expected:.6g}；"
        f"完成度 {completion:.1%}，应有进度 {expected_completion:.1%}"
    )
    return {
        "status": status,
        "status_reason": reason,
        "completion": completion,
        "expected_value": expected,
        "expected_completion": expected_completion,
        "shortfall": shortfall,
        "achieved_mean_rate": None,
        "achieved_compound_rate": None,
        "change_method": method,
        "observed_annual_change": annual_change(
            model, target.baseline_year, b, latest.year, latest.value
        ),
        "required_annual_change": annual_change(model, latest.year, latest.value, big_t, t),
        "required_compound_rate": None,
    }


def _growth_progress(
    target: TargetLike, counted: tuple[Observation, ...], sign: float, th: Thresholds
) -> dict[str, object]:
    """Achieved mean and compound rates, completion, status for average-growth targets."""
    y0, big_t, goal = target.baseline_year, target.target_year, target.target_value
    rates = [o.value for o in counted if y0 < o.year <= big_t]
    if not rates:
        return _no_data("mean_rate", f"规划期（{y0 + 1}–{big_t} 年）内尚无计入进度的年度增速")
    n, period = len(rates), big_t - y0
    mean = sum(rates) / n
    completion = 1 + sign * (mean - goal) / abs(goal)
    shortfall = 1 - completion
    complete = any(o.year == big_t for o in counted)
    status = _status(complete and shortfall <= _EPS, complete, shortfall, th)
    left = period - n
    required = (goal * period - sum(rates)) / left if left > 0 else None
    reason = (
        f"规划期已有 {n} 年增速，算术平均 {mean:.2f}%，目标年均 {goal:g}%，完成度 {completion:.1%}"
    )
    return {
        "status": status,
        "status_reason": reason,
        "completion": completion,
        "expected_value": goal,
        "expected_completion": 1.0,
        "shortfall": shortfall,
        "achieved_mean_rate": mean,
        "achieved_compound_rate": _compound_rate(rates),
        "change_method": "mean_rate",
        "observed_annual_change": None,
        "required_annual_change": required,
        "required_compound_rate": _required_compound(goal, period, rates) if left > 0 else None,
    }


def _status(reached: bool, final: bool, shortfall: float, th: Thresholds) -> str:
    """Status code from the shortfall (see ``Thresholds``); ``final`` = target year observed."""
    if reached:
        return "met"
    if not final and shortfall <= th.on_track_gap + _EPS:
        return "on_track"
    return "behind" if shortfall <= th.critical_gap + _EPS else "critical"


def _no_data(method: str, reason: str) -> dict[str, object]:
    """The result components when nothing counts yet: every number None."""
    empty = ("completion", "expected_value", "expected_completion", "shortfall")
    rates = ("achieved_mean_rate", "achieved_compound_rate", "observed_annual_change")
    changes = ("required_annual_change", "required_compound_rate")
    parts: dict[str, object] = dict.fromkeys(empty + rates + changes)
    parts.update(status="no_data", status_reason=reason, change_method=method)
    return parts


def _compound_rate(rates: list[float]) -> float | None:
    """Geometric mean of yearly growth factors, as a rate in % (None if a factor is ≤ 0)."""
    factors = [1 + r / 100 for r in rates]
    if any(f <= 0 for f in factors):
        return None
    return (math.prod(factors) ** (1 / len(factors)) - 1) * 100


def _required_compound(goal: float, period: int, rates: list[float]) -> float | None:
    """The compound yearly rate (%) the unobserved years need for the period's compound growth
    to equal ``goal`` % a year: ((1+g)^N / Π(1+rᵢ))^(1/(N−n)) − 1."""
    done = math.prod(1 + r / 100 for r in rates)
    needed = (1 + goal / 100) ** period
    if done <= 0 or needed <= 0:
        return None
    return ((needed / done) ** (1 / (period - len(rates))) - 1) * 100


def _missing_years(target: TargetLike, counted: tuple[Observation, ...]) -> tuple[int, ...]:
    """Plan-period years up to the latest counted year (or the target year) with no figure."""
    if not counted:
        return ()
    last = min(counted[-1].year, target.target_year)
    have = {o.year for o in counted}
    return tuple(y for y in range(target.baseline_year + 1, last + 1) if y not in have)
