"""contract_stats (json and table) and load_contract_calendar."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kechuang.contracts.models import CalendarDay
from kechuang.contracts.selectors import working_calendar

pytestmark = pytest.mark.django_db


def stats(*args: str) -> str:
    out = io.StringIO()
    call_command("contract_stats", *args, stdout=out)
    return out.getvalue()


def test_contract_stats_json_and_table(registered) -> None:
    registered([{"kind": "equipment", "amount": "30"}], on=dt.date(2025, 12, 31))
    registered(on=dt.date(2026, 1, 1))
    answer = json.loads(stats("--year", "2025", "--format", "json"))
    assert answer["totals"] == {
        "key": "合计",
        "count": 1,
        "total": "100.0000",
        "technology": "70.0000",
    }
    assert {r["key"] for r in answer["absorbed_by_area"]} == {"南阳市", "宛城区"}
    table = stats("--year", "2025", "--area", "卧龙区")
    assert (
        table.splitlines()[0]
        == "2025 年 卧龙区：1 份，成交额 100.0000 万元，技术交易额 70.0000 万元"
    )
    assert "技术吸纳（买方区域）\n" in table
    quarters = json.loads(stats("--year", "2026", "--period", "quarter", "--format", "json"))
    assert [r["key"] for r in quarters["by_period"]] == ["2026Q1"]
    with pytest.raises(CommandError, match="未知的区域"):
        stats("--year", "2025", "--area", "火星区")


def test_load_contract_calendar_is_idempotent_and_keeps_admin_edits() -> None:
    CalendarDay.objects.create(day=dt.date(2025, 10, 8), kind="workday", name="管理员改动")
    out = io.StringIO()
    call_command("load_contract_calendar", stdout=out)
    added = CalendarDay.objects.count()
    assert added > 30
    call_command("load_contract_calendar", stdout=io.StringIO())
    assert CalendarDay.objects.count() == added
    assert CalendarDay.objects.get(day=dt.date(2025, 10, 8)).name == "管理员改动"
    calendar = working_calendar()
    assert not calendar.is_working_day(dt.date(2025, 10, 1))
    assert calendar.is_working_day(dt.date(2025, 9, 28))  # a Sunday worked in exchange
    assert "国办发明电〔2023〕7号" in CalendarDay.objects.get(day=dt.date(2024, 2, 16)).source
    # 2021–2026 as the notices arrange them: a few checks per year
    assert not calendar.is_working_day(dt.date(2021, 2, 17))
    assert calendar.is_working_day(dt.date(2021, 2, 20))  # Saturday worked
    assert not calendar.is_working_day(dt.date(2022, 10, 7))
    assert not calendar.is_working_day(dt.date(2023, 1, 2))
    assert calendar.is_working_day(dt.date(2023, 10, 8))  # Sunday worked
    assert not calendar.is_working_day(dt.date(2026, 2, 23))
    assert calendar.is_working_day(dt.date(2026, 2, 28))
    assert (settings.DATA_DIR / "contracts" / "holidays.yaml").is_file()


def test_every_make_up_working_day_in_the_data_is_a_weekend_day() -> None:
    call_command("load_contract_calendar", stdout=io.StringIO())
    workdays = CalendarDay.objects.filter(kind="workday")
    assert workdays.count() == 7 + 7 + 7 + 8 + 5 + 6
    assert all(d.day.weekday() >= 5 for d in workdays)
    years = set(CalendarDay.objects.values_list("day__year", flat=True))
    assert years == {2021, 2022, 2023, 2024, 2025, 2026}
