"""Small random helpers shared by the generators (all driven by an explicit random.Random)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A log-normal draw by its median (not mean): heavy right tail, never negative."""
    return median * math.exp(rng.gauss(0.0, sigma))


def random_date(rng: random.Random, year: int, months: tuple[int, int] = (1, 12)) -> dt.date:
    month = rng.randint(*months)
    return dt.date(year, month, rng.randint(1, _DAYS_IN_MONTH[month - 1]))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class WeightedPicker:
    """Repeated weighted choices from a fixed population in O(log n) each."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def __bool__(self) -> bool:
        return bool(self.items) and self.cumulative[-1] > 0

    def pick(self, rng: random.Random) -> T:  # type: ignore[type-var]
        point = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_right(self.cumulative, point), len(self.items) - 1)]


def money(value: float) -> Decimal:
    """Round to the cent (figures are 万元 with 2 decimals) without going through str()."""
    return Decimal(round(value * 100)).scaleb(-2)


def cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def split_cents(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` cents by weights so that the parts add up to `total` exactly."""
    weight_sum = sum(weights)
    parts = [int(total * w / weight_sum) for w in weights[:-1]]
    parts.append(total - sum(parts))
    return parts
