"""hnte-2016: the eight conditions of 国科发火〔2016〕32号 第十一条 (derived cases HT-RD, HT-ST)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from kechuang.cultivation.engine.hnte_2016_rules import (
    one_year_after,
    rd_ratio_threshold,
    window_sums,
)

from .factory import case_of, hnte, hnte_data, set_grades, set_ip, set_year


def test_base_case_passes_every_condition() -> None:
    result = hnte(hnte_data())
    assert result.eligible == "pass"
    assert all(c.passed is True for c in result.conditions)
    assert result.total.min == 77
    assert result.total.max == 92  # IP 30 + conversions 30 + management 18 + growth 14
    assert result.gaps == ()


def test_rd_ratio_threshold_depends_on_revenue_band_ht_rd_1_to_4() -> None:
    assert rd_ratio_threshold(Decimal("5000")) == Fraction(5, 100)  # HT-RD-1
    assert rd_ratio_threshold(Decimal("5000.01")) == Fraction(4, 100)  # HT-RD-2
    assert rd_ratio_threshold(Decimal("20000")) == Fraction(4, 100)  # HT-RD-3
    assert rd_ratio_threshold(Decimal("20000.01")) == Fraction(3, 100)  # HT-RD-4
    assert rd_ratio_threshold(Decimal("0")) == Fraction(5, 100)


def test_rd_ratio_uses_three_year_sums_ht_rd_5() -> None:
    case = case_of(hnte_data())
    rd, domestic, sales = window_sums(case)
    assert (rd, sales) == (670, 9800)
    assert domestic == 600
    cond = hnte(hnte_data()).condition("hnte.c5.rd_ratio")
    assert cond.passed is True
    assert cond.value == Decimal("6.83")  # 670/9800 = 6.8367…%, shown rounded down
    assert cond.threshold == Decimal("5.00")


def test_rd_ratio_band_uses_last_year_sales_not_the_sum() -> None:
    # Σ sales = 15000.01 but last year 5000 exactly → still the 5% band.
    data = hnte_data()
    for i in range(3):
        set_year(data, i, sales_revenue=5000, total_revenue=5100, hightech_revenue=4000)
    set_year(data, 0, sales_revenue=5000.01, total_revenue=5100)
    cond = hnte(data).condition("hnte.c5.rd_ratio")
    assert cond.threshold == Decimal("5.00")


def _ratio_case(last_sales: float, rd_each: float) -> dict[str, object]:
    """Three equal years: sales ``last_sales``, R&D ``rd_each`` (all domestic)."""
    data = hnte_data()
    for i in range(3):
        set_year(
            data,
            i,
            sales_revenue=last_sales,
            total_revenue=last_sales,
            hightech_revenue=last_sales,
            rd_expense=rd_each,
            rd_expense_domestic=rd_each,
        )
    return data


def test_sales_of_exactly_5000_needs_5_percent() -> None:
    assert hnte(_ratio_case(5000, 250)).condition("hnte.c5.rd_ratio").passed is True
    assert hnte(_ratio_case(5000, 249.99)).condition("hnte.c5.rd_ratio").passed is False


def test_sales_just_above_5000_needs_only_4_percent() -> None:
    cond = hnte(_ratio_case(5000.01, 200.0004)).condition("hnte.c5.rd_ratio")
    assert cond.passed is True
    assert cond.threshold == Decimal("4.00")
    assert hnte(_ratio_case(5000.01, 200)).condition("hnte.c5.rd_ratio").passed is False


def test_sales_of_exactly_200_million_needs_4_percent() -> None:
    assert hnte(_ratio_case(20000, 800)).condition("hnte.c5.rd_ratio").passed is True
    assert hnte(_ratio_case(20000, 799.99)).condition("hnte.c5.rd_ratio").passed is False


def test_sales_above_200_million_needs_3_percent() -> None:
    cond = hnte(_ratio_case(20000.01, 600.0003)).condition("hnte.c5.rd_ratio")
    assert (cond.passed, cond.threshold) == (True, Decimal("3.00"))
    assert hnte(_ratio_case(20000.01, 600)).condition("hnte.c5.rd_ratio").passed is False


def test_domestic_share_below_60_percent_fails_ht_rd_6() -> None:
    data = hnte_data()
    set_year(data, 0, rd_expense_domestic=100)
    set_year(data, 1, rd_expense_domestic=150)
    set_year(data, 2, rd_expense_domestic=150)  # Σ 400 of 670
    result = hnte(data)
    cond = result.condition("hnte.c5.rd_domestic_share")
    assert cond.passed is False
    assert cond.value == Decimal("59.70")
    assert result.eligible == "fail"


def test_domestic_share_of_exactly_60_percent_passes() -> None:
    data = hnte_data()
    set_year(data, 0, rd_expense_domestic=100)
    set_year(data, 1, rd_expense_domestic=152)
    set_year(data, 2, rd_expense_domestic=150)  # Σ 402 of 670 = 60%
    assert hnte(data).condition("hnte.c5.rd_domestic_share").passed is True


def test_st_staff_share_of_exactly_10_percent_passes_ht_st_2() -> None:
    data = set_year(hnte_data(), 2, employees_avg=20.0, st_staff_avg=2.0)
    cond = hnte(data).condition("hnte.c4.st_staff_ratio")
    assert (cond.passed, cond.value) == (True, Decimal("10.00"))
    data = set_year(hnte_data(), 2, employees_avg=20.0, st_staff_avg=1.99)
    assert hnte(data).condition("hnte.c4.st_staff_ratio").passed is False


def test_st_staff_share_uses_monthly_averages_exactly() -> None:
    # 职工 196/12 per HT-ST-1; 科技人员 exactly a tenth of it month by month.
    months = [(10, 12), (12, 12), (12, 14), (14, 14), (14, 16), (16, 16)]
    months += [(16, 18), (18, 18), (18, 20), (20, 20), (20, 20), (20, 22)]
    data = hnte_data()
    del data["years"][2]["employees_avg"], data["years"][2]["st_staff_avg"]
    set_year(
        data,
        2,
        employees_monthly=[list(m) for m in months],
        st_staff_monthly=[[b / 10, e / 10] for b, e in months],
    )
    cond = hnte(data).condition("hnte.c4.st_staff_ratio")
    assert cond.passed is True
    assert cond.value == Decimal("10.00")


def test_st_staff_share_uses_the_last_year_only() -> None:
    data = set_year(hnte_data(), 0, st_staff_avg=1)
    assert hnte(data).condition("hnte.c4.st_staff_ratio").passed is True


def test_no_employees_fails_the_staff_condition() -> None:
    data = set_year(hnte_data(), 2, employees_avg=0, st_staff_avg=0)
    cond = hnte(data).condition("hnte.c4.st_staff_ratio")
    assert cond.passed is False
    assert cond.value is None


def test_registration_of_exactly_one_year_passes() -> None:
    data = hnte_data(registered_on="2021-01-01", as_of="2022-01-01")
    data["years"] = [data["years"][0]]
    assert hnte(data).condition("hnte.c1.registration").passed is True
    data["as_of"] = "2021-12-31"
    data["years"][0]["year"] = 2020
    data["registered_on"] = "2020-12-31"
    assert hnte(data).condition("hnte.c1.registration").passed is True


def test_registration_one_day_short_fails() -> None:
    data = hnte_data(registered_on="2021-01-02", as_of="2022-01-01")
    data["years"] = [data["years"][0]]
    cond = hnte(data).condition("hnte.c1.registration")
    assert (cond.passed, cond.value, cond.threshold) == (False, 364, 365)


def test_leap_day_registration_is_met_on_the_first_of_march() -> None:
    assert one_year_after(date(2020, 2, 29)) == date(2021, 3, 1)
    assert one_year_after(date(2023, 3, 1)) == date(2024, 3, 1)


def test_ip_ownership_needs_a_usable_right() -> None:
    data = hnte_data(ip={"class_i": 0, "class_ii": 2, "class_ii_used_before": 2})
    cond = hnte(data).condition("hnte.c2.ip_ownership")
    assert (cond.passed, cond.value) == (False, 0)


def test_ip_without_core_support_fails_condition_two() -> None:
    data = set_grades(hnte_data(), core_support="E")
    assert hnte(data).condition("hnte.c2.ip_ownership").passed is False


def test_ip_ownership_waits_for_the_core_support_grade() -> None:
    data = set_grades(hnte_data(), core_support=None)
    assert hnte(data).condition("hnte.c2.ip_ownership").passed is None


def test_tech_field_outside_the_eight_fields_fails() -> None:
    assert hnte(hnte_data(tech_field="其他")).condition("hnte.c3.tech_field").passed is False
    for field in ("生物与新医药", "先进制造与自动化", "高技术服务"):
        assert hnte(hnte_data(tech_field=field)).condition("hnte.c3.tech_field").passed is True


def test_missing_tech_field_depends_on_experts() -> None:
    data = hnte_data()
    del data["tech_field"]
    result = hnte(data)
    assert result.condition("hnte.c3.tech_field").passed is None
    assert result.eligible == "depends_on_expert_judgement"


def test_hightech_share_of_exactly_60_percent_passes() -> None:
    data = set_year(hnte_data(), 2, hightech_revenue=2580, total_revenue=4300)
    assert hnte(data).condition("hnte.c6.hightech_revenue_share").passed is True
    data = set_year(hnte_data(), 2, hightech_revenue=2579.99, total_revenue=4300)
    assert hnte(data).condition("hnte.c6.hightech_revenue_share").passed is False


def test_hightech_share_with_zero_total_revenue_fails() -> None:
    data = set_year(hnte_data(), 2, hightech_revenue=0, total_revenue=0)
    assert hnte(data).condition("hnte.c6.hightech_revenue_share").passed is False


def test_major_incident_fails_condition_eight() -> None:
    result = hnte(hnte_data(major_incident_last_year=True))
    assert result.condition("hnte.c8.no_major_incident").passed is False
    assert result.eligible == "fail"


def test_zero_sales_fails_the_rd_ratio() -> None:
    data = hnte_data()
    for i in range(3):
        set_year(data, i, sales_revenue=0)
    cond = hnte(data).condition("hnte.c5.rd_ratio")
    assert (cond.passed, cond.value) == (False, None)


def test_under_three_year_company_uses_its_actual_years() -> None:
    data = hnte_data(registered_on="2022-03-01")
    data["years"] = data["years"][1:]  # 2022, 2023
    result = hnte(data)
    case = case_of(data)
    assert window_sums(case) == (520, 450, 7400)
    cond = result.condition("hnte.c5.rd_ratio")
    assert cond.value == Decimal("7.02")  # 520 / 7400
    assert any("按 2 个会计年度计算" in note for note in result.notes)


def test_class_ii_used_before_no_longer_counts_for_ip_ownership() -> None:
    data = set_ip(hnte_data(), class_i=0, class_ii=3, class_ii_used_before=2)
    cond = hnte(data).condition("hnte.c2.ip_ownership")
    assert (cond.passed, cond.value) == (True, 1)
