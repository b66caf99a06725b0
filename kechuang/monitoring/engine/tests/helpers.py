"""Small builders shared by the engine tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kechuang.monitoring.engine.observations import Observation


@dataclass(frozen=True)
class Target:
    """A minimal indicator target (the engine accepts anything shaped like IndicatorSpec)."""

    baseline_value: float
    target_value: float
    kind: str = "level"
    direction: str = "increase"
    growth_model: str = "linear"
    baseline_year: int = 2020
    target_year: int = 2025
    code: str = "test_indicator"


def obs(year: int, value: float, kind: str = "actual", as_of: str | None = None) -> Observation:
    """An observation published, by default, in March of the following year."""
    date = dt.date.fromisoformat(as_of) if as_of else dt.date(year + 1, 3, 1)
    return Observation(year=year, value=value, kind=kind, as_of=date)
