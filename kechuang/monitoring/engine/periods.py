"""Periods of observations: a year ("2023"), a span of years ("2021-2025", cumulative totals) or
a span of months ("2022-01/2022-10", partial figures)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_YEARS = re.compile(r"^(\d{4})\s*[-–—至~]\s*(\d{4})$")
_MONTHS = re.compile(r"^(\d{4})-(\d{1,2})\s*/\s*(\d{4})-(\d{1,2})$")


class PeriodError(ValueError):
    """A period that cannot be read; the message says which forms are accepted."""


@dataclass(frozen=True)
class Period:
    text: str  # normalised form: "2023", "2021-2025", "2022-01/2022-10"
    start: dt.date
    end: dt.date
    kind: str  # "year" | "years" | "months"

    @property
    def year(self) -> int:
        """The year a figure for this period is counted for: the year it ends in."""
        return self.end.year


def parse_period(raw: str) -> Period:
    """Read a period; raises PeriodError (Chinese) for anything else."""
    text = (raw or "").strip().replace("／", "/").replace("－", "-")
    if m := _YEAR.match(text):
        year = _year(int(m.group(1)))
        return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    if m := _YEARS.match(text):
        first, last = _year(int(m.group(1))), _year(int(m.group(2)))
        if last <= first:
            raise PeriodError(f"期间“{raw}”的终止年应晚于起始年。")
        return Period(f"{first}-{last}", dt.date(first, 1, 1), dt.date(last, 12, 31), "years")
    if m := _MONTHS.match(text):
        y1, m1, y2, m2 = (int(g) for g in m.groups())
        for month in (m1, m2):
            if not 1 <= month <= 12:
                raise PeriodError(f"期间“{raw}”中的月份应在 1–12 之间。")
        start = dt.date(_year(y1), m1, 1)
        end = dt.date(_year(y2), m2, calendar.monthrange(y2, m2)[1])
        if end < start:
            raise PeriodError(f"期间“{raw}”的终止月早于起始月。")
        return Period(f"{y1}-{m1:02d}/{y2}-{m2:02d}", start, end, "months")
    raise PeriodError(
        f"无法识别的期间“{raw}”：年度写作 2023，跨年累计写作 2021-2025，"
        "月份区间写作 2022-01/2022-10。"
    )


def _year(value: int) -> int:
    if not 1990 <= value <= 2100:
        raise PeriodError(f"年份 {value} 超出 1990–2100 的范围。")
    return value


KIND_LABELS = {"actual": "正式数", "preliminary": "初步数"}


def kind_period_problem(kind: str, period: Period) -> tuple[str, str] | None:
    """(problem, fix) when an observation's kind and period do not fit together: cumulative
    figures span years, partial figures span months, actual/preliminary cover one year."""
    if kind == "cumulative" and period.kind != "years":
        return (
            "累计数的期间应为年份区间，如 2021-2025。",
            "请把期间改为累计的起止年份，或把数据类型改为正式数/初步数。",
        )
    if kind == "partial" and period.kind != "months":
        return (
            "部分期间数的期间应为月份区间，如 2022-01/2022-10。",
            "请写明该数据覆盖的起止月份。",
        )
    if kind in KIND_LABELS and period.kind != "year":
        return (
            f"{KIND_LABELS[kind]}的期间应为单一年度，如 2023。",
            "跨年合计请用“累计数”，不满一年的数据请用“部分期间数”。",
        )
    return None
