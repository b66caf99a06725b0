"""hnte-2016: the 100-point 创新能力评价 of the 2016 工作指引 (derived cases HT-GR, HT-IP, HT-CT,
HT-SC) and the 70/71 pass mark."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from kechuang.cultivation.engine import Interval
from kechuang.cultivation.engine.common import interval_verdict
from kechuang.cultivation.engine.hnte_2016_rules import score_passes
from kechuang.cultivation.engine.hnte_2016_score import (
    growth_grade,
    growth_rate,
    ip_quantity_grade,
)

from .factory import hnte, hnte_data, set_grades, set_ip, set_year


def F(n: int, d: int = 1) -> Fraction:
    return Fraction(n, d)


def iv(lo: int, hi: int) -> Interval:
    return Interval(Decimal(lo), Decimal(hi))


def test_net_asset_growth_averages_two_ratios_ht_gr_1() -> None:
    rate, _ = growth_rate([F(1000), F(1200), F(1500)], "ratio")
    assert rate == F(9, 40)  # ½(1.2 + 1.25) − 1 = 22.5%
    assert growth_grade(rate) == "C"
    item = hnte(hnte_data()).score("hnte.growth.net_assets")
    assert (item.grade, item.points, item.value) == ("C", iv(5, 6), Decimal("22.50"))


def test_sales_growth_ht_gr_2() -> None:
    rate, _ = growth_rate([F(2400), F(3200), F(4200)], "ratio")
    assert rate == (F(4, 3) + F(21, 16)) / 2 - 1  # 32.29%
    assert growth_grade(rate) == "B"
    item = hnte(hnte_data()).score("hnte.growth.sales")
    assert (item.grade, item.points, item.value) == ("B", iv(7, 8), Decimal("32.29"))


def test_zero_first_year_uses_the_last_two_years_ht_gr_3() -> None:
    rate, reason = growth_rate([F(0), F(800), F(1000)], "ratio")
    assert rate == F(1, 4)
    assert growth_grade(rate) == "B"
    assert "按后两年" in reason


def test_zero_second_year_scores_zero_ht_gr_4() -> None:
    rate, reason = growth_rate([F(1000), F(0), F(500)], "ratio")
    assert rate is None
    assert growth_grade(rate) == "F"
    assert "第二年为 0" in reason
    data = hnte_data()
    for i, sales in enumerate((1000, 0, 500)):
        set_year(data, i, sales_revenue=sales)
    item = hnte(data).score("hnte.growth.sales")
    assert (item.grade, item.points) == ("F", iv(0, 0))


def test_negative_growth_scores_zero_ht_gr_5() -> None:
    rate, _ = growth_rate([F(1000), F(970)], "ratio")
    assert rate == F(-3, 100)
    assert growth_grade(rate) == "F"
    data = hnte_data()
    for i, net in enumerate((1000, 990, 960)):
        set_year(data, i, net_assets_end=net)
    item = hnte(data).score("hnte.growth.net_assets")
    assert (item.grade, item.points) == ("F", iv(0, 0))


def test_growth_band_edges_are_inclusive_ht_gr_6() -> None:
    assert growth_grade(F(35, 100)) == "A"
    assert growth_grade(F(35, 100) - F(1, 10**9)) == "B"
    assert growth_grade(F(25, 100)) == "B"
    assert growth_grade(F(15, 100)) == "C"
    assert growth_grade(F(5, 100)) == "D"
    assert growth_grade(F(5, 100) - F(1, 10**9)) == "E"
    assert growth_grade(F(1, 10**9)) == "E"


def test_zero_growth_is_grade_f_ht_gr_7() -> None:
    assert growth_grade(F(0)) == "F"
    rate, _ = growth_rate([F(1000), F(1000), F(1000)], "ratio")
    assert rate == 0


def test_exact_35_percent_growth_from_figures_is_grade_a() -> None:
    data = hnte_data()
    for i, sales in enumerate((2000, 2700, 3645)):  # 1.35 and 1.35
        set_year(data, i, sales_revenue=sales)
    item = hnte(data).score("hnte.growth.sales")
    assert (item.grade, item.points, item.value) == ("A", iv(9, 10), Decimal("35.00"))


def test_negative_net_assets_score_zero_conservatively() -> None:
    rate, reason = growth_rate([F(-100), F(200), F(400)], "ratio")
    assert rate is None
    assert "负" in reason
    data = set_year(hnte_data(), 0, net_assets_end=-100)
    assert hnte(data).score("hnte.growth.net_assets").points == iv(0, 0)


def test_two_year_growth_uses_one_ratio_by_default() -> None:
    rate, _ = growth_rate([F(1000), F(1300)], "ratio")
    assert rate == F(3, 10)
    data = hnte_data(registered_on="2022-02-01")
    data["years"] = data["years"][1:]
    result = hnte(data)
    assert result.score("hnte.growth.net_assets").value == Decimal("25.00")  # 1500/1200 − 1
    assert result.score("hnte.growth.sales").grade == "B"  # 4200/3200 − 1 = 31.25%


def test_short_history_growth_can_be_configured_to_zero() -> None:
    data = hnte_data(registered_on="2022-02-01", options={"hnte_short_history_growth": "zero"})
    data["years"] = data["years"][1:]
    assert hnte(data).score("hnte.growth").points == iv(0, 0)


def test_one_year_company_has_no_growth_points() -> None:
    data = hnte_data(registered_on="2023-01-05")
    data["years"] = data["years"][2:]
    assert hnte(data).score("hnte.growth").points == iv(0, 0)


def test_ip_quantity_five_class_ii_is_grade_b_ht_ip_1() -> None:
    assert ip_quantity_grade(0, 5) == "B"
    data = set_ip(hnte_data(), class_i=0, class_ii=5)
    assert hnte(data).score("hnte.ip.quantity").points == iv(5, 6)


def test_ip_quantity_class_i_takes_precedence_ht_ip_2() -> None:
    assert ip_quantity_grade(1, 2) == "A"
    assert hnte(hnte_data()).score("hnte.ip.quantity").points == iv(7, 8)


def test_ip_quantity_grades_by_class_ii_count() -> None:
    expected = {0: "E", 1: "D", 2: "D", 3: "C", 4: "C", 5: "B", 9: "B"}
    assert {n: ip_quantity_grade(0, n) for n in expected} == expected


def test_class_ii_ip_used_before_is_not_counted_again() -> None:
    data = set_ip(hnte_data(), class_i=0, class_ii=5, class_ii_used_before=2)
    item = hnte(data).score("hnte.ip.quantity")
    assert (item.grade, item.value) == ("C", 3)
    assert "2 项Ⅱ类已在以往申请中使用" in item.note


def test_ip_acquisition_ranges() -> None:
    assert hnte(hnte_data()).score("hnte.ip.acquisition").points == iv(1, 6)
    data = set_ip(hnte_data(), self_developed=False)
    assert hnte(data).score("hnte.ip.acquisition").points == iv(1, 3)
    data = hnte_data()
    del data["ip"]["self_developed"]
    assert hnte(data).score("hnte.ip.acquisition").points == iv(1, 6)
    data = hnte_data(ip={"class_i": 0, "class_ii": 0})
    assert hnte(data).score("hnte.ip.acquisition").points == iv(0, 0)


def test_ip_total_is_capped_at_30_with_the_bonus() -> None:
    data = set_ip(hnte_data(), standards_drafted=True)
    result = hnte(data)
    assert result.score("hnte.ip.standards_bonus").points == iv(1, 2)
    assert result.score("hnte.ip").points == iv(23, 30)  # raw 23–32


def test_missing_expert_grades_take_the_whole_range() -> None:
    data = set_grades(hnte_data(), advancement=None, core_support=None, rd_management_points=None)
    result = hnte(data)
    assert result.score("hnte.ip.advancement").points == iv(0, 8)
    assert result.score("hnte.ip.core_support").points == iv(0, 8)
    assert result.score("hnte.rd_management").points == iv(0, 20)


def test_conversion_average_of_4_67_is_grade_b_ht_ct_1() -> None:
    item = hnte(hnte_data(conversions_3y=14)).score("hnte.conversion")
    assert (item.grade, item.points, item.value) == ("B", iv(19, 24), Decimal("4.66"))


def test_conversion_band_edges() -> None:
    expected = {15: ("A", 25), 12: ("B", 19), 9: ("C", 13), 6: ("D", 7), 3: ("E", 1), 0: ("F", 0)}
    for count, (grade, low) in expected.items():
        item = hnte(hnte_data(conversions_3y=count)).score("hnte.conversion")
        assert (item.grade, item.points.min) == (grade, low)
    item = hnte(hnte_data(conversions_3y=14)).score("hnte.conversion")
    assert item.grade == "B"


def test_conversion_average_below_one_is_left_to_experts() -> None:
    item = hnte(hnte_data(conversions_3y=2)).score("hnte.conversion")
    assert (item.grade, item.points) == ("E/F", iv(0, 6))


def test_conversion_divisor_for_a_two_year_company_is_configurable() -> None:
    data = hnte_data(registered_on="2022-02-01", conversions_3y=8)
    data["years"] = data["years"][1:]
    assert hnte(data).score("hnte.conversion").grade == "B"  # 8 / 2 = 4
    data["options"] = {"hnte_conversion_divisor": "three"}
    assert hnte(data).score("hnte.conversion").grade == "D"  # 8 / 3 = 2.67


def test_pass_mark_is_strictly_above_70_ht_sc_1() -> None:
    assert score_passes(Decimal(70)) is False
    assert score_passes(Decimal(71)) is True
    assert interval_verdict(iv(70, 70), score_passes) is False
    assert interval_verdict(iv(71, 71), score_passes) is True
    assert interval_verdict(iv(70, 71), score_passes) is None


def _edge_case(management: int) -> dict[str, object]:
    """IP 22–30, conversions 25–30, growth 12–14: minimum total = 59 + management."""
    return set_grades(hnte_data(), rd_management_points=management)


def test_minimum_total_of_71_passes() -> None:
    result = hnte(_edge_case(12))
    assert result.total == iv(71, 86)
    assert result.condition("hnte.c7.innovation_score").passed is True
    assert result.eligible == "pass"


def test_minimum_total_of_70_depends_on_experts() -> None:
    result = hnte(_edge_case(11))
    assert result.total == iv(70, 85)
    assert result.condition("hnte.c7.innovation_score").passed is None
    assert result.eligible == "depends_on_expert_judgement"


def _low_case(management: int) -> dict[str, object]:
    """IP 16–24 (B, B, 5 Ⅱ类), conversions 13–18, growth 12–14: max = 56 + management."""
    data = set_grades(
        hnte_data(conversions_3y=9),
        advancement="B",
        core_support="B",
        rd_management_points=management,
    )
    return set_ip(data, class_i=0, class_ii=5)


def test_maximum_total_of_70_fails() -> None:
    result = hnte(_low_case(14))
    assert result.total == iv(55, 70)
    assert result.condition("hnte.c7.innovation_score").passed is False
    assert result.eligible == "fail"


def test_maximum_total_of_71_depends_on_experts() -> None:
    result = hnte(_low_case(15))
    assert result.total == iv(56, 71)
    assert result.eligible == "depends_on_expert_judgement"
