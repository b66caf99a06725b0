"""Working-day deadlines of registration.

2024-12-20 draft 第十四条 (official-rules.md §5.4, [V1]): registration within **15 working days**
of acceptance; for contracts of large amount (技术交易额 generally ≥ 500 万元) or in dispute, an
expert review and **30 working days**; when materials are incomplete the body asks for them and
acceptance dates from their submission (the clock restarts).

Holidays and the weekend days worked in exchange (调休上班) are data (the bureau edits them):
a day is a working day when it is a listed make-up working day, or a Monday–Friday not listed as
a holiday. Day 1 is the first working day after the clock starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

STANDARD_DAYS = 15
EXTENDED_DAYS = 30
LARGE_CONTRACT_WAN = Decimal(500)  # 万元: 「技术交易额一般在500万元以上」


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # 调休上班 weekend days

    @classmethod
    def of(
        cls, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()
    ) -> WorkingCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (`start` itself does not count)."""
        day, left = start, days
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def working_days_allowed(technology_amount: Decimal | None, disputed: bool = False) -> int:
    """15 working days; 30 (with an expert review) from 500 万元 of 技术交易额 or when disputed."""
    if disputed or (technology_amount is not None and technology_amount >= LARGE_CONTRACT_WAN):
        return EXTENDED_DAYS
    return STANDARD_DAYS


def needs_expert_review(technology_amount: Decimal | None, disputed: bool = False) -> bool:
    return working_days_allowed(technology_amount, disputed) == EXTENDED_DAYS


def deadline(
    calendar: WorkingCalendar,
    accepted_on: dt.date,
    technology_amount: Decimal | None = None,
    disputed: bool = False,
    completed_on: dt.date | None = None,
) -> dt.date:
    """The last day to decide: counted from acceptance, or from the day the missing material was
    completed when the body asked for more (the clock restarts, it does not resume)."""
    start = max(accepted_on, completed_on) if completed_on else accepted_on
    return calendar.add_working_days(start, working_days_allowed(technology_amount, disputed))
