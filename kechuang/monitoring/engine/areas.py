"""Counties (县市区) and functional zones: splitting the city's target, ranking progress.

``split_target`` hands the city's target down by each area's share of the baseline — every area
is asked to grow in the same proportion as the city — honouring targets the bureau sets by hand,
and rounds with the largest-remainder (Hamilton) method so that the parts add up exactly to the
city's target. ``rank_areas`` orders areas by completion for the leadership's ranking table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol


class HasCompletion(Protocol):
    """What ranking needs from a progress result (``ProgressResult`` satisfies it)."""

    @property
    def completion(self) -> float | None: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class AreaRank:
    """One row of the ranking; ``rank`` is None for areas without data."""

    rank: int | None
    area: str
    completion: float | None
    status: str


def split_target(
    city_baseline: float,
    city_target: float,
    area_baselines: Mapping[str, float],
    manual: Mapping[str, float] | None = None,
    decimals: int = 0,
    tolerance: float = 0.01,
) -> dict[str, float]:
    """Split the city's target among areas by their share of the baseline.

    Inputs (all in the indicator's unit): the city's baseline and target, each area's baseline,
    optional hand-set targets for some areas, the number of decimals of the result.
    Method: hand-set targets are kept as given; the rest of the city's target is divided among
    the other areas in proportion to their baselines (equally if those baselines are all 0) and
    rounded by largest remainder (ties: larger baseline, then name). The result sums exactly to
    the city's target rounded to ``decimals``.
    ``city_baseline`` is a consistency check: the areas must account for the city, so the sum
    of area baselines may differ from it by at most ``tolerance`` (relative, default 1 %).
    Raises ValueError (in Chinese) for a negative baseline, an unknown area in ``manual``, a
    hand-set value finer than ``decimals``, or hand-set targets exceeding the city's target.
    """
    manual = dict(manual or {})
    _check_split_inputs(city_baseline, area_baselines, manual, tolerance)
    scale = Decimal(10) ** decimals
    total_units = _to_units(city_target, scale)
    fixed = {area: _to_units(value, scale, area) for area, value in manual.items()}
    others = {a: Fraction(str(b)) for a, b in area_baselines.items() if a not in fixed}
    remaining = total_units - sum(fixed.values())
    if remaining < 0:
        raise ValueError("人工指定的目标合计超过了全市目标")
    if not others and remaining != 0:
        raise ValueError("所有地区均已人工指定，但合计不等于全市目标")
    shares = _largest_remainder(remaining, others) if others else {}
    units = {**fixed, **shares}
    return {area: float(Decimal(units[area]) / scale) for area in area_baselines}


def _check_split_inputs(
    city_baseline: float,
    area_baselines: Mapping[str, float],
    manual: Mapping[str, float],
    tolerance: float,
) -> None:
    """Refuse inputs that cannot be split honestly (see ``split_target``)."""
    if not area_baselines:
        raise ValueError("没有可分解的地区")
    negative = [a for a, b in area_baselines.items() if b < 0]
    if negative:
        raise ValueError(f"地区基期值不能为负：{'、'.join(negative)}")
    unknown = [a for a in manual if a not in area_baselines]
    if unknown:
        raise ValueError(f"人工指定了不在地区列表中的地区：{'、'.join(unknown)}")
    total = sum(area_baselines.values())
    if abs(total - city_baseline) > tolerance * abs(city_baseline):
        raise ValueError(
            f"各地区基期值合计 {total:g} 与全市基期值 {city_baseline:g} 相差超过 "
            f"{tolerance:.0%}，地区未覆盖全市或数据有误，无法按基期占比分解"
        )


def _to_units(value: float, scale: Decimal, area: str | None = None) -> int:
    """``value`` in integer units of 10^-decimals; a hand-set value must fit exactly."""
    exact = Decimal(str(value)) * scale
    units = int(exact.to_integral_value())
    if area is not None and exact != units:
        raise ValueError(f"{area} 的人工指定值 {value} 超出了保留的小数位数")
    return units


def _largest_remainder(units: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Hamilton's method: floors of the exact quotas, then one unit each to the largest
    remainders (ties: larger weight, then name) until ``units`` are all given out."""
    total = sum(weights.values())
    if total == 0:
        quotas = {area: Fraction(units, len(weights)) for area in weights}
    else:
        quotas = {area: units * w / total for area, w in weights.items()}
    floors = {area: q.numerator // q.denominator for area, q in quotas.items()}
    left = units - sum(floors.values())
    order = sorted(weights, key=lambda a: (-(quotas[a] - floors[a]), -weights[a], a))
    for area in order[:left]:
        floors[area] += 1
    return floors


def rank_areas(results: Mapping[str, HasCompletion]) -> list[AreaRank]:
    """Rank areas by completion, highest first; equal completions share a rank (1, 2, 2, 4)
    and are listed by name (Unicode order); areas with status ``no_data`` come last, unranked.

    Completion is direction-adjusted by the progress engine, so higher is always better.
    """
    with_data = [
        (a, r) for a, r in results.items() if r.status != "no_data" and r.completion is not None
    ]
    without = sorted(a for a in results if a not in dict(with_data))
    with_data.sort(key=lambda item: (-round(item[1].completion or 0.0, 9), item[0]))
    rows: list[AreaRank] = []
    previous: float | None = None
    rank = 0
    for position, (area, result) in enumerate(with_data, start=1):
        key = round(result.completion or 0.0, 9)
        if key != previous:
            rank, previous = position, key
        rows.append(AreaRank(rank, area, result.completion, result.status))
    rows.extend(AreaRank(None, area, None, results[area].status) for area in without)
    return rows


def is_additive(kind: str, code: str) -> bool:
    """Whether the areas' values of an indicator add up to the city's: year-end quantities
    (`kind` "level") do; shares, growth rates and intensities ("… per 10,000
    residents/workers", indicator codes with `_per_`) do not."""
    return kind == "level" and "_per_" not in code
