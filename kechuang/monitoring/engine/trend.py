"""Trend forecast for the target year: ordinary least squares on (year, value).

With n ≥ 3 points the forecast carries a 90 % prediction interval for a new observation at
year x0 — the textbook interval of simple linear regression:

    ŷ0 ± t(0.95; n − 2) · s · sqrt(1 + 1/n + (x0 − x̄)² / Sxx),   s² = SSE / (n − 2)

With exactly 2 points only a point forecast is given, extending the line through them; with
fewer, none. The Student t quantiles are tabulated below (no SciPy on the intranet machines).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Upper 0.95 quantiles of Student's t for df = 1..30 (two-sided 90 % interval), to 6 decimals.
T_QUANTILES_95: tuple[float, ...] = (
    6.313752, 2.919986, 2.353363, 2.131847, 2.015048, 1.943180, 1.894579, 1.859548, 1.833113,
    1.812461, 1.795885, 1.782288, 1.770933, 1.761310, 1.753050, 1.745884, 1.739607, 1.734064,
    1.729133, 1.724718, 1.720743, 1.717144, 1.713872, 1.710882, 1.708141, 1.705618, 1.703288,
    1.701131, 1.699127, 1.697261,
)  # fmt: skip


@dataclass(frozen=True)
class Forecast:
    """A forecast value for ``year``; ``low``/``high`` bound the 90 % prediction interval.

    ``method`` is ``"ols"`` (≥ 3 points, with interval) or ``"two_point"`` (2 points, no
    interval). ``slope`` is the fitted change per year in the indicator's unit.
    """

    year: int
    value: float
    low: float | None
    high: float | None
    method: str
    points: int
    slope: float
    residual_sd: float | None


def t_quantile_95(df: int) -> float:
    """Upper 0.95 quantile of Student's t with ``df`` degrees of freedom.

    Exact to 6 decimals for df 1..30; above 30 the df = 30 value is used, which widens the
    interval slightly (at most 3 % against the normal limit 1.644854) — the cautious side.
    """
    if df < 1:
        raise ValueError("自由度至少为 1")
    return T_QUANTILES_95[min(df, 30) - 1]


def trend_forecast(points: Sequence[tuple[int, float]], year: int) -> Forecast | None:
    """Forecast the value at ``year`` from counted (year, value) points, one per year.

    Inputs: points in any order, years distinct. Returns None with fewer than 2 points.
    """
    pts = sorted(points)
    n = len(pts)
    if n < 2:
        return None
    if n == 2:
        (x1, y1), (x2, y2) = pts
        slope = (y2 - y1) / (x2 - x1)
        value = y2 + slope * (year - x2)
        return Forecast(year, value, None, None, "two_point", 2, slope, None)
    mean_x = sum(x for x, _ in pts) / n
    mean_y = sum(y for _, y in pts) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in pts)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in pts)
    slope = sxy / sxx
    value = mean_y + slope * (year - mean_x)
    sse = sum((y - (mean_y + slope * (x - mean_x))) ** 2 for x, y in pts)
    sd = math.sqrt(sse / (n - 2))
    se = sd * math.sqrt(1 + 1 / n + (year - mean_x) ** 2 / sxx)
    half = t_quantile_95(n - 2) * se
    return Forecast(year, value, value - half, value + half, "ols", n, slope, sd)
