"""Working-day deadlines (2024 draft 第十四条): 15 working days, 30 from 500 万元 or disputed, the
clock restarting when missing material is completed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from kechuang.contracts.engine import WorkingCalendar, deadline, working_days_allowed
from kechuang.contracts.engine.calendar import needs_expert_review

WEEKENDS_ONLY = WorkingCalendar.of()
# 2025 National Day and Mid-Autumn: 10-01..10-08 off, 09-28 (Sun) and 10-11 (Sat) worked.
OCTOBER_2025 = WorkingCalendar.of(
    holidays=[dt.date(2025, 10, d) for d in range(1, 9)],
    workdays=[dt.date(2025, 9, 28), dt.date(2025, 10, 11)],
)


def test_500_wan_edge_exactly() -> None:
    assert working_days_allowed(D("499.9999")) == 15
    assert working_days_allowed(D(500)) == 30
    assert working_days_allowed(D("500.0001")) == 30
    assert working_days_allowed(None) == 15
    assert working_days_allowed(D(1), disputed=True) == 30
    assert needs_expert_review(D(500)) and not needs_expert_review(D(499))


def test_fifteen_working_days_skip_weekends() -> None:
    # Monday 2025-03-03 accepted: 15 working days = three weeks → Monday 2025-03-24.
    assert deadline(WEEKENDS_ONLY, dt.date(2025, 3, 3), D(10)) == dt.date(2025, 3, 24)


def test_thirty_working_days_for_large_contracts() -> None:
    assert deadline(WEEKENDS_ONLY, dt.date(2025, 3, 3), D(500)) == dt.date(2025, 4, 14)


def test_holidays_are_skipped_and_makeup_days_count() -> None:
    # Accepted Friday 2025-09-26: 09-28 (Sun, worked)=1, 09-29=2, 09-30=3, holidays to 10-08,
    # 10-09=4, 10-10=5, 10-11 (Sat, worked)=6, then 10-13..10-17 = 7..11, 10-20..10-23 = 12..15.
    assert deadline(OCTOBER_2025, dt.date(2025, 9, 26)) == dt.date(2025, 10, 23)
    assert deadline(WEEKENDS_ONLY, dt.date(2025, 9, 26)) == dt.date(2025, 10, 17)


def test_clock_restarts_on_completion_of_missing_material() -> None:
    accepted = dt.date(2025, 3, 3)
    completed = dt.date(2025, 3, 17)  # Monday, two weeks later
    assert deadline(WEEKENDS_ONLY, accepted, completed_on=completed) == dt.date(2025, 4, 7)
    # A completion date before acceptance does not move the clock back.
    assert deadline(WEEKENDS_ONLY, accepted, completed_on=dt.date(2025, 3, 1)) == dt.date(
        2025, 3, 24
    )


def test_working_days_between() -> None:
    assert WEEKENDS_ONLY.working_days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 10)) == 5
    assert WEEKENDS_ONLY.working_days_between(dt.date(2025, 3, 10), dt.date(2025, 3, 3)) == 0
    assert OCTOBER_2025.is_working_day(dt.date(2025, 10, 11))
    assert not OCTOBER_2025.is_working_day(dt.date(2025, 10, 8))
