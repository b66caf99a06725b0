"""The planned path from baseline to target, and yearly rates of change.

Growth models (chosen per indicator in the plan file):

- ``linear``: equal absolute steps, ``b + (t − b)·(y − y0)/(T − y0)``. This is the reading behind
  the usual "时间过半、任务过半" check and suits shares and ratios.
- ``geometric``: equal relative steps, ``b·(t/b)^((y − y0)/(T − y0))`` — a constant compound
  annual growth rate (CAGR), as Open SDG's progress measure assumes; suits counts and amounts
  that compound. Needs ``b > 0`` and ``t > 0``.
- ``constant``: the target value every year after the baseline year; the path of an
  average-annual-growth target, whose yearly value is itself a rate.

Before the baseline year the path holds the baseline, after the target year it holds the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class TargetLike(Protocol):
    """What the engine needs from an indicator: ``IndicatorSpec`` satisfies it."""

    @property
    def baseline_year(self) -> int: ...
    @property
    def baseline_value(self) -> float: ...
    @property
    def target_year(self) -> int: ...
    @property
    def target_value(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def growth_model(self) -> str: ...


@dataclass(frozen=True)
class PathPoint:
    """The value the plan implies for one year."""

    year: int
    value: float


def planned_value(target: TargetLike, year: int) -> float:
    """The planned value for ``year`` under the indicator's growth model (unit of the indicator).

    Raises ValueError for an unknown model, or a geometric path whose ends are not positive.
    """
    y0, b = target.baseline_year, target.baseline_value
    big_t, t = target.target_year, target.target_value
    if year <= y0:
        return b
    if year >= big_t:
        return t
    share_of_time = (year - y0) / (big_t - y0)
    if target.growth_model == "linear":
        return b + (t - b) * share_of_time
    if target.growth_model == "geometric":
        if b <= 0 or t <= 0:
            raise ValueError("几何增长路径要求基期值和目标值均大于 0")
        return b * (t / b) ** share_of_time
    if target.growth_model == "constant":
        return t
    raise ValueError(f"未知的增长模型“{target.growth_model}”")


def planned_path(target: TargetLike) -> tuple[PathPoint, ...]:
    """The planned value for every year from the baseline year to the target year inclusive."""
    years = range(target.baseline_year, target.target_year + 1)
    return tuple(PathPoint(year, planned_value(target, year)) for year in years)


def annual_change(
    model: str, from_year: int, from_value: float, to_year: int, to_value: float
) -> float | None:
    """The yearly change that leads from one point to another.

    ``linear``: absolute change per year, in the indicator's unit. ``geometric``: the compound
    annual growth rate in % (Open SDG's CAGR). None when ``to_year <= from_year``, or when a
    geometric rate is undefined (a non-positive end).
    """
    years = to_year - from_year
    if years <= 0:
        return None
    if model == "geometric":
        if from_value <= 0 or to_value <= 0:
            return None
        return ((to_value / from_value) ** (1 / years) - 1) * 100
    return (to_value - from_value) / years
