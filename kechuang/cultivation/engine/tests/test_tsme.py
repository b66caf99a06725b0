"""tsme-2022: conditions, 100-point evaluation, direct routes and gaps (derived cases TSME-1…6)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from kechuang.cultivation.engine import Gap, Interval, apply_gap, assess, load_case
from kechuang.cultivation.engine.tsme_2022_score import ip_grade

from .factory import tsme, tsme_data


def points(data: dict[str, Any], code: str) -> Decimal:
    return tsme(data).score(code).points.min


def test_full_marks_pass_tsme_1() -> None:
    result = tsme(tsme_data(employees=80, st_staff=24, rd=300, sales=4200, class_i=2))
    assert [points(tsme_data(class_i=2), c) for c in ("tsme.st_staff", "tsme.rd", "tsme.ip")] == [
        20,
        50,
        30,
    ]
    assert result.total == Interval.exact(100)
    assert result.score("tsme.rd.sales").value == Decimal("7.14")
    assert result.eligible == "pass"
    assert result.gaps == ()


def test_zero_staff_score_fails_despite_80_points_tsme_2() -> None:
    result = tsme(tsme_data(employees=100, st_staff=9.9, rd=300, sales=4200, class_i=1))
    assert result.total == Interval.exact(80)
    assert result.condition("tsme.c5.total").passed is True
    assert result.condition("tsme.c5.st_staff_nonzero").passed is False
    assert result.eligible == "fail"


def test_rd_to_sales_of_exactly_6_percent_scores_50_tsme_3() -> None:
    assert points(tsme_data(rd=252, sales=4200, cost=None), "tsme.rd") == 50
    assert points(tsme_data(rd=251.58, sales=4200, cost=None), "tsme.rd") == 40  # 5.99%


def test_rd_to_sales_band_edges() -> None:
    expected = {300: 50, 250: 40, 200: 30, 150: 20, 100: 10, 99.99: 0}
    got = {rd: points(tsme_data(rd=rd, sales=5000, cost=None), "tsme.rd") for rd in expected}
    assert got == expected


def test_class_ii_ip_points_tsme_4() -> None:
    got = {n: points(tsme_data(class_ii=n), "tsme.ip") for n in (0, 1, 2, 3, 4, 7)}
    assert got == {0: 0, 1: 6, 2: 12, 3: 18, 4: 24, 7: 24}
    assert ip_grade(1, 0) == ("A", 30)


def test_size_caps_are_inclusive_tsme_5() -> None:
    data = tsme_data(employees=500, st_staff=150, sales=20000, assets=20000, rd=1200, class_i=1)
    result = tsme(data)
    assert [
        result.condition(c).passed for c in ("tsme.c2.employees", "tsme.c2.sales", "tsme.c2.assets")
    ] == [True, True, True]
    assert result.eligible == "pass"
    over = tsme(tsme_data(employees=501, st_staff=150, class_i=1))
    assert over.condition("tsme.c2.employees").passed is False
    assert over.eligible == "fail"
    assert tsme(tsme_data(sales=20000.01, rd=1300)).condition("tsme.c2.sales").passed is False
    assert tsme(tsme_data(assets=20000.01)).condition("tsme.c2.assets").passed is False


def _forty_points(**extra: Any) -> dict[str, Any]:
    """Staff 20% (12) + R&D 2% (10) + 3 Ⅱ类 (18) = 40."""
    return tsme_data(employees=100, st_staff=20, rd=84, sales=4200, cost=None, class_ii=3, **extra)


def test_valid_hnte_certificate_qualifies_directly_tsme_6() -> None:
    assert tsme(_forty_points()).eligible == "fail"
    result = tsme(_forty_points(qualifications=["HNTE"]))
    assert result.total == Interval.exact(40)
    assert result.eligible == "pass"
    assert result.gaps == ()
    assert any("直接确认（一）" in note for note in result.notes)


def test_direct_route_does_not_override_the_size_cap() -> None:
    data = tsme_data(employees=501, st_staff=200, class_i=1, qualifications=["HNTE"])
    assert tsme(data).eligible == "fail"


def test_direct_route_does_not_override_a_declared_incident() -> None:
    data = _forty_points(qualifications=["HNTE"], major_incident_last_year=True)
    assert tsme(data).eligible == "fail"


@pytest.mark.parametrize(
    ("award", "qualifies"),
    [
        ({"level": "national", "year": 2022, "rank": 3}, True),
        ({"level": "national", "year": 2020, "rank": 1}, True),  # as_of 2024: 4 years back
        ({"level": "national", "year": 2019, "rank": 1}, False),  # 5 years back: narrow reading
        ({"level": "national", "year": 2022, "rank": 4}, False),
        ({"level": "provincial", "year": 2022, "rank": 1}, False),
    ],
)
def test_national_award_route(award: dict[str, Any], qualifies: bool) -> None:
    result = tsme(_forty_points(awards=[award]))
    assert result.condition("tsme.c8.national_award").passed is qualifies
    assert result.eligible == ("pass" if qualifies else "fail")


def test_rd_institution_and_standard_routes() -> None:
    assert tsme(_forty_points(provincial_rd_institution=True)).eligible == "pass"
    assert tsme(_forty_points(led_standard_last_5y=True)).eligible == "pass"


def test_total_of_exactly_60_passes() -> None:
    result = tsme(tsme_data(employees=100, st_staff=30, rd=250, sales=5000, cost=None))
    assert result.total == Interval.exact(60)  # 20 + 40 + 0
    assert result.eligible == "pass"
    result = tsme(tsme_data(employees=100, st_staff=25, rd=250, sales=5000, cost=None))
    assert result.total == Interval.exact(56)
    assert result.eligible == "fail"


def test_staff_bands_and_the_10_percent_edge() -> None:
    expected = {30: 20, 29.99: 16, 25: 16, 20: 12, 15: 8, 10: 4, 9.99: 0}
    got = {st: points(tsme_data(employees=100, st_staff=st), "tsme.st_staff") for st in expected}
    assert got == expected
    exact = tsme(tsme_data(employees=100, st_staff=10, class_i=1))
    assert exact.condition("tsme.c5.st_staff_nonzero").passed is True


def test_both_rd_options_are_computed_and_the_better_used_by_default() -> None:
    data = tsme_data(rd=300, sales=20000, cost=1000)  # 1.5% of sales, 30% of costs
    result = tsme(data)
    assert result.score("tsme.rd.sales").points == Interval.exact(0)
    assert result.score("tsme.rd.cost").points == Interval.exact(50)
    assert result.score("tsme.rd.cost").value == Decimal("30.00")
    assert (result.score("tsme.rd").value, result.score("tsme.rd").points.min) == ("cost", 50)


def test_rd_option_can_be_fixed_by_the_enterprise() -> None:
    data = tsme_data(rd=300, sales=20000, cost=1000, options={"tsme_rd_option": "sales"})
    assert points(data, "tsme.rd") == 0
    assert tsme(data).score("tsme.rd.cost").points == Interval.exact(50)  # still reported


def test_missing_cost_total_leaves_option_two_uncomputed() -> None:
    result = tsme(tsme_data(cost=None))
    assert result.score("tsme.rd.cost").value is None
    assert result.score("tsme.rd").value == "sales"


def test_cost_option_band_edges() -> None:
    expected = {300: 50, 250: 40, 200: 30, 150: 20, 100: 10, 99.9: 0}
    got = {rd: points(tsme_data(rd=rd, sales=1e6 / 100, cost=1000), "tsme.rd") for rd in expected}
    assert got == expected


def test_declarations_fail_the_basic_conditions() -> None:
    assert tsme(tsme_data(class_i=1, resident_enterprise=False)).eligible == "fail"
    assert tsme(tsme_data(class_i=1, industry_restricted=True)).eligible == "fail"
    assert tsme(tsme_data(class_i=1, listed_abnormal_or_dishonest=True)).eligible == "fail"


# --- gaps ---------------------------------------------------------------------------------


def _passes(data: dict[str, Any], gap: Gap) -> bool:
    result = assess("tsme-2022", apply_gap(load_case(data), gap))
    return result.condition(gap.condition).passed is True


def _assert_minimal(data: dict[str, Any], gap: Gap) -> None:
    assert gap.amount is not None
    step = Decimal("0.1") if gap.unit == "万元" else 1
    assert _passes(data, gap)
    assert not _passes(data, replace(gap, amount=gap.amount - step))


def _gap(data: dict[str, Any], code: str) -> Gap:
    found = [g for g in tsme(data).gaps if g.code == code]
    assert len(found) == 1
    return found[0]


def test_staff_gap_for_a_zero_staff_score() -> None:
    data = tsme_data(employees=100, st_staff=9.9, class_i=1)
    gap = _gap(data, "st_staff")
    assert gap.amount == 1
    _assert_minimal(data, gap)


def test_staff_gap_switches_to_transfers_at_the_500_cap() -> None:
    data = tsme_data(employees=495, st_staff=10, class_i=1)
    gap = _gap(data, "st_staff_transfer")
    assert gap.amount == 40  # 50 / 495 ≥ 10%; adding 44 people would exceed 500
    _assert_minimal(data, gap)


def test_score_gap_levers_reach_60_and_are_minimal() -> None:
    data = _forty_points()
    short = _gap(data, "tsme_score")
    assert (short.amount, short.message_zh) == (20, "综合评价 40 分，还差 20 分才能达到 60 分")
    rd = _gap(data, "rd_expense")
    assert rd.amount == Decimal("84.0")  # 168 / 4200 = 4% → 30 points
    _assert_minimal(data, rd)
    codes = {g.code for g in tsme(data).gaps}
    assert "ip_class_i" not in codes  # 12 + 10 + 30 = 52 is not enough alone


def test_ip_and_staff_levers_for_a_near_miss() -> None:
    data = tsme_data(employees=100, st_staff=20, rd=168, sales=4200, cost=None, class_ii=2)
    assert tsme(data).total == Interval.exact(54)  # 12 + 30 + 12
    ip_i = _gap(data, "ip_class_i")
    assert ip_i.amount == 1
    _assert_minimal(data, ip_i)
    ip_ii = _gap(data, "ip_class_ii")
    assert ip_ii.amount == 1  # 3 Ⅱ类 → 18
    _assert_minimal(data, ip_ii)
    staff = _gap(data, "st_staff")
    assert staff.amount == 15  # 25% (+4) is not enough; 35/115 = 30.4% → 20 points (+8)
    _assert_minimal(data, staff)


def test_rd_gap_via_the_cost_option() -> None:
    data = tsme_data(employees=100, st_staff=20, rd=100, sales=20000, cost=1000, class_ii=3)
    assert tsme(data).total == Interval.exact(40)  # 12 + 10 (10% of costs) + 18
    gap = _gap(data, "rd_expense")
    assert gap.amount == Decimal("125.0")  # (100 + x)/(1000 + x) ≥ 20% → x = 125 → 30 points
    assert "成本费用支出总额方案" in gap.message_zh
    _assert_minimal(data, gap)
