"""hnte-2016 gaps: exact amounts; applying a gap passes its condition, one unit less does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from kechuang.cultivation.engine import Gap, apply_gap, assess, load_case
from kechuang.cultivation.engine.hnte_2016_rules import score_passes

from .factory import hnte, hnte_data, set_grades, set_ip, set_year

UNIT_STEP = {"万元": Decimal("0.1"), "人": 1, "项": 1}


def condition_passes(data: dict[str, Any], gap: Gap, policy: str = "min") -> bool:
    """Apply ``gap`` and tell whether its condition now passes (score: under ``policy``)."""
    result = assess("hnte-2016", apply_gap(load_case(data), gap), policy)  # type: ignore[arg-type]
    if gap.condition == "hnte.c7.innovation_score":
        return score_passes(result.total_points_by_policy)
    return result.condition(gap.condition).passed is True


def one_unit_less(gap: Gap) -> Gap:
    if gap.code == "registration_age":
        assert gap.earliest_date is not None
        return replace(gap, earliest_date=gap.earliest_date - timedelta(days=1))
    assert gap.amount is not None
    return replace(gap, amount=gap.amount - UNIT_STEP[gap.unit])


def assert_minimal(data: dict[str, Any], gap: Gap, policy: str = "min") -> None:
    assert not condition_passes(data, one_unit_less(gap), policy), gap.message_zh
    assert condition_passes(data, gap, policy), gap.message_zh


def only_gap(data: dict[str, Any], code: str, policy: str = "min") -> Gap:
    gaps = [g for g in hnte(data, policy).gaps if g.code == code]
    assert len(gaps) == 1
    return gaps[0]


def _rd_data(*rd: float) -> dict[str, Any]:
    data = hnte_data()
    for i, value in enumerate(rd):
        set_year(data, i, rd_expense=value, rd_expense_domestic=value)
    return data


def test_rd_gap_is_threshold_times_sales_minus_rd() -> None:
    data = _rd_data(100, 150, 201.8)  # Σ 451.8; 5% × 9800 = 490
    gap = only_gap(data, "rd_expense")
    assert gap.amount == Decimal("38.2")
    assert gap.message_zh.startswith("研发费用三年合计需增加 38.2 万元")
    assert_minimal(data, gap)


def test_rd_gap_is_rounded_up_to_a_tenth() -> None:
    data = _rd_data(100, 150, 201.85)  # shortfall 38.15
    gap = only_gap(data, "rd_expense")
    assert gap.amount == Decimal("38.2")
    assert_minimal(data, gap)


def test_rd_gap_in_the_4_percent_band() -> None:
    data = hnte_data()
    for i in range(3):
        set_year(
            data,
            i,
            sales_revenue=8000,
            total_revenue=8000,
            hightech_revenue=6000,
            rd_expense=300,
            rd_expense_domestic=300,
        )
    gap = only_gap(data, "rd_expense")
    assert gap.amount == Decimal("60.0")  # 4% × 24000 − 900
    assert_minimal(data, gap)


def test_staff_gap_accounts_for_the_growing_denominator() -> None:
    data = set_year(hnte_data(), 2, st_staff_avg=5)  # 5/80
    gap = only_gap(data, "st_staff")
    assert gap.amount == 4  # (5+4)/(80+4) = 10.7%, (5+3)/(80+3) = 9.6%
    assert "若由现有职工转为科技人员，需 3 人" in gap.message_zh
    assert_minimal(data, gap)


def test_staff_gap_landing_exactly_on_10_percent() -> None:
    data = set_year(hnte_data(), 2, employees_avg=19, st_staff_avg=1)
    gap = only_gap(data, "st_staff")
    assert gap.amount == 1  # 2/20 = 10% exactly
    assert_minimal(data, gap)


def test_staff_gap_with_monthly_headcounts() -> None:
    data = hnte_data()
    del data["years"][2]["employees_avg"], data["years"][2]["st_staff_avg"]
    set_year(data, 2, employees_monthly=[[50, 52]] * 12, st_staff_monthly=[[2, 3]] * 12)
    gap = only_gap(data, "st_staff")
    assert gap.amount == 3  # (2.5+n)/(51+n) ≥ 10% → n ≥ 2.83
    assert_minimal(data, gap)


def test_domestic_share_gap() -> None:
    data = hnte_data()
    for i, domestic in enumerate((100, 150, 150)):  # Σ 400 of 670
        set_year(data, i, rd_expense_domestic=domestic)
    gap = only_gap(data, "rd_expense_domestic")
    assert gap.amount == Decimal("5.0")  # (0.6 × 670 − 400) / 0.4
    assert_minimal(data, gap)


def test_hightech_revenue_gap() -> None:
    data = set_year(hnte_data(), 2, hightech_revenue=2000)
    gap = only_gap(data, "hightech_revenue")
    assert gap.amount == Decimal("1450.0")  # (0.6 × 4300 − 2000) / 0.4
    assert "需 580 万元" in gap.message_zh  # reclassification alternative
    assert_minimal(data, gap)


def test_registration_gap_gives_the_earliest_date() -> None:
    data = hnte_data(registered_on="2023-09-15")
    data["years"] = data["years"][2:]
    gap = only_gap(data, "registration_age")
    assert gap.earliest_date == date(2024, 9, 15)
    assert gap.amount == 137
    assert_minimal(data, gap)
    assert hnte(data).earliest_date == date(2024, 9, 15)


def _score_data(**ip: Any) -> dict[str, Any]:
    """Minimum total 67: 2 Ⅱ类 (quantity D) and management 14."""
    data = set_grades(hnte_data(), rd_management_points=14)
    return set_ip(data, class_i=0, class_ii=2, **ip)


def test_score_gap_reports_points_short_under_the_policy() -> None:
    data = _score_data()
    gap = only_gap(data, "innovation_score")
    assert (gap.amount, gap.unit) == (4, "分")
    assert gap.message_zh == "创新能力评价（按最低分口径 67 分）还差 4 分才能超过 70 分"
    mid = hnte(data, "mid")  # 67–82 → midpoint 74.5 already above 70
    assert mid.total_points_by_policy == Decimal("74.5")
    assert [g for g in mid.gaps if g.condition == "hnte.c7.innovation_score"] == []


def test_one_class_i_ip_closes_the_score_gap() -> None:
    data = _score_data(pending=[{"kind": "I", "expected_on": "2024-08-01"}])
    gap = only_gap(data, "ip_class_i")
    assert (gap.amount, gap.earliest_date) == (1, date(2024, 8, 1))
    assert gap.message_zh.startswith("还需 1 项 Ⅰ类知识产权")
    assert_minimal(data, gap)


def test_class_ii_ip_gap_is_the_smallest_count() -> None:
    data = _score_data()
    gap = only_gap(data, "ip_class_ii")
    assert gap.amount == 3  # 5 Ⅱ类 → quantity B (+4 at the minimum)
    assert_minimal(data, gap)


def test_class_ii_gap_date_waits_for_the_kth_pending_grant() -> None:
    pending = [{"kind": "II", "expected_on": d} for d in ("2024-06-01", "2024-07-01", "2024-09-01")]
    gap = only_gap(_score_data(pending=pending), "ip_class_ii")
    assert gap.earliest_date == date(2024, 9, 1)


@pytest.mark.parametrize("policy", ["min", "mid", "max"])
def test_conversion_gap_is_minimal_under_each_policy(policy: str) -> None:
    data = set_grades(hnte_data(conversions_3y=6), rd_management_points=12)  # 53–68
    gap = only_gap(data, "conversions_3y", policy)
    assert gap.amount == {"min": 9, "mid": 6, "max": 3}[policy]
    assert_minimal(data, gap, policy)


def test_conversion_gap_value_under_min_policy() -> None:
    data = set_grades(hnte_data(conversions_3y=6), rd_management_points=14)
    assert only_gap(data, "conversions_3y").amount == 9  # 15 in 3 years → grade A


def test_class_ii_used_once_needs_new_rights() -> None:
    data = _score_data()
    data["ip"].update(class_ii=5, class_ii_used_before=3)  # 2 usable, as in _score_data
    gap = only_gap(data, "ip_class_ii")
    assert gap.amount == 3
    assert_minimal(data, gap)


def test_ip_ownership_gap_for_an_enterprise_without_ip() -> None:
    data = hnte_data(
        ip={"class_i": 0, "class_ii": 0, "pending": [{"kind": "II", "expected_on": "2024-07-01"}]}
    )
    result = hnte(data)
    (gap,) = result.gaps_for("hnte.c2.ip_ownership")
    assert (gap.code, gap.amount, gap.earliest_date) == ("ip_any", 1, date(2024, 7, 1))
    assert condition_passes(data, gap)


def test_non_quantitative_gaps_cannot_be_applied() -> None:
    data = hnte_data(tech_field="其他", major_incident_last_year=True)
    gaps = {g.code: g for g in hnte(data).gaps}
    assert set(gaps) == {"tech_field", "incident"}
    with pytest.raises(ValueError, match="不是可量化的调整"):
        apply_gap(load_case(data), gaps["tech_field"])


def test_every_quantitative_gap_of_a_weak_case_is_minimal() -> None:
    data = _rd_data(100, 150, 201.8)
    set_year(data, 2, st_staff_avg=5, hightech_revenue=2000)
    set_grades(data, rd_management_points=14)
    set_ip(data, class_i=0, class_ii=2)
    result = hnte(data)
    checked = 0
    for gap in result.gaps:
        if gap.amount is not None and gap.code != "innovation_score":
            assert_minimal(data, gap)
            checked += 1
    assert checked == 5  # R&D, staff, high-tech revenue, Ⅰ类, Ⅱ类
    assert result.eligible == "fail"


@pytest.mark.parametrize("code", ["hnte-2016", "tsme-2022"])
def test_without_gap_analysis_the_verdicts_are_the_same_and_no_gap_is_given(code: str) -> None:
    from .factory import tsme_data

    data = set_year(hnte_data(), 2, st_staff_avg=5) if code == "hnte-2016" else tsme_data()
    if code == "tsme-2022":
        data["years"][-1]["employees_avg"] = 800  # too large: fails, so it has gaps
    full = assess(code, load_case(data))
    bare = assess(code, load_case(data), with_gaps=False)
    assert full.gaps and bare.gaps == ()
    assert (bare.eligible, bare.total, bare.conditions) == (
        full.eligible,
        full.total,
        full.conditions,
    )
