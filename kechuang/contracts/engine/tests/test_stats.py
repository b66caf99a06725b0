"""Statistics: counting rules and the hand-computed cases of issue 13."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from kechuang.contracts.engine import ContractRecord, aggregate, counted
from kechuang.contracts.engine.stats import in_year, latest, period_key

CITY = "南阳市"


def rec(
    no: str, day: dt.date | None, total: str, tech: str | None = None, **kw: object
) -> ContractRecord:
    values = {
        "status": "registered",
        "category": "development",
        "seller_areas": (CITY, "卧龙区"),
        "buyer_areas": (CITY, "宛城区"),
        "seller_name": "卖方甲",
        "buyer_name": "买方乙",
        **kw,
    }
    return ContractRecord(
        no, registered_on=day, total=D(total), technology=D(tech or total), **values
    )  # type: ignore[arg-type]


def test_cancelled_contract_drops_out_of_every_figure() -> None:
    records = [
        rec("A", dt.date(2024, 3, 1), "100"),
        rec("B", dt.date(2024, 3, 2), "40", status="cancelled"),
    ]
    stats = aggregate(records)
    assert stats.totals.count == 1 and stats.totals.total == D(100)
    assert stats.output_by_area["卧龙区"].total == D(100)
    assert stats.absorbed_by_area["宛城区"].total == D(100)
    assert stats.by_category["development"].count == 1
    assert stats.flows[("卧龙区", "宛城区")].total == D(100)


def test_changed_contract_counts_its_latest_amount_once() -> None:
    rows = [
        rec("A", dt.date(2024, 3, 1), "100"),
        rec("A", dt.date(2024, 3, 1), "80", status="changed"),
    ]
    stats = aggregate(latest(rows))
    assert (stats.totals.count, stats.totals.total) == (1, D(80))


def test_dec_31_and_jan_1_fall_in_their_own_years() -> None:
    records = [rec("A", dt.date(2023, 12, 31), "10"), rec("B", dt.date(2024, 1, 1), "20")]
    stats = aggregate(records)
    assert stats.by_period["2023"].total == D(10)
    assert stats.by_period["2024"].total == D(20)
    assert [r.registration_no for r in counted(records, in_year(2024))] == ["B"]
    quarters = aggregate(records, period="quarter").by_period
    assert set(quarters) == {"2023Q4", "2024Q1"}
    months = aggregate(records, period="month").by_period
    assert months["2023-12"].total == D(10) and months["2024-01"].total == D(20)


def test_buyer_outside_the_city_counts_in_output_only() -> None:
    stats = aggregate([rec("A", dt.date(2024, 5, 1), "50", buyer_areas=(), buyer_region="湖北省")])
    assert stats.output_by_area["卧龙区"].total == D(50)
    assert stats.output_by_area[CITY].total == D(50)
    assert stats.absorbed_by_area == {}
    assert stats.flows[("卧龙区", "市外·湖北省")].total == D(50)


def test_output_and_absorption_roll_up_and_split_by_kind() -> None:
    records = [
        rec("A", dt.date(2024, 1, 5), "30", "20", seller_kind="企业", field="电子信息"),
        rec(
            "B",
            dt.date(2024, 2, 5),
            "70",
            "70",
            seller_kind="高等院校",
            seller_name="卖方丙",
            seller_areas=(CITY, "宛城区"),
            buyer_areas=(CITY, "卧龙区"),
        ),
        rec("C", None, "999"),  # applied, never registered: not counted
    ]
    stats = aggregate(records)
    assert stats.output_by_area[CITY].total == D(100)
    assert stats.output_by_area[CITY].technology == D(90)
    assert stats.output_by_area["卧龙区"].total == D(30)
    assert stats.absorbed_by_area["卧龙区"].total == D(70)
    assert stats.by_seller_kind["企业"].total == D(30)
    assert stats.by_field["未填写"].count == 1
    assert [name for name, _ in stats.top_sellers()] == ["卖方丙", "卖方甲"]


def test_period_key_refuses_unknown_period() -> None:
    assert period_key(dt.date(2024, 4, 1), "quarter") == "2024Q2"
    with pytest.raises(ValueError, match="未知的统计周期"):
        period_key(dt.date(2024, 4, 1), "week")
