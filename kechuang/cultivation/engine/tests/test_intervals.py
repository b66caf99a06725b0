"""Interval arithmetic, point policies and the pass / fail / depends logic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kechuang.cultivation.engine import ConditionResult, Interval
from kechuang.cultivation.engine.common import combine, interval_verdict

from .factory import hnte, hnte_data, set_grades


def iv(lo: float, hi: float) -> Interval:
    return Interval(Decimal(str(lo)), Decimal(str(hi)))


def cond(passed: bool | None, required: bool = True) -> ConditionResult:
    return ConditionResult("x", "x", passed, None, None, "", required=required)


def test_interval_sum_and_cap() -> None:
    assert iv(7, 8) + iv(1, 6) == iv(8, 14)
    assert iv(23, 32).capped(30) == iv(23, 30)
    assert iv(31, 32).capped(30) == iv(30, 30)


def test_interval_rejects_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="区间下限 9 大于上限 8"):
        iv(9, 8)


def test_point_policies() -> None:
    assert iv(67, 82).point("min") == 67
    assert iv(67, 82).point("mid") == Decimal("74.5")
    assert iv(67, 82).point("max") == 82
    with pytest.raises(ValueError, match="未知的取分口径"):
        iv(1, 2).point("avg")


def test_verdict_pass_only_if_even_the_minimum_passes() -> None:
    def above_70(points: Decimal) -> bool:
        return points > 70

    assert interval_verdict(iv(71, 90), above_70) is True
    assert interval_verdict(iv(50, 70), above_70) is False
    assert interval_verdict(iv(70, 71), above_70) is None


def test_combine_required_conditions() -> None:
    assert combine([cond(True), cond(True)]) == "pass"
    assert combine([cond(True), cond(None)]) == "depends_on_expert_judgement"
    assert combine([cond(None), cond(False)]) == "fail"
    assert combine([cond(True), cond(False, required=False)]) == "pass"


def test_hard_condition_failure_beats_a_passing_score() -> None:
    result = hnte(hnte_data(tech_field="其他"))
    assert result.condition("hnte.c7.innovation_score").passed is True
    assert result.eligible == "fail"


def test_ungraded_enterprise_depends_on_experts() -> None:
    data = hnte_data()
    data["expert_grades"] = {}
    result = hnte(data)
    assert result.total == iv(45, 94)  # IP 8–30, conversions 25–30, management 0–20, growth 12–14
    assert result.condition("hnte.c2.ip_ownership").passed is None
    assert result.eligible == "depends_on_expert_judgement"


def test_even_the_maximum_failing_is_a_fail_without_grades() -> None:
    data = hnte_data(conversions_3y=0)
    data["expert_grades"] = {"core_support": "A"}
    data["ip"] = {"class_i": 0, "class_ii": 1, "self_developed": False}
    result = hnte(data)
    # IP: 0–8 + 7–8 + 1–2 + 1–3 = 9–21; conversions 0; management 0–20; growth 12–14.
    assert result.total == iv(21, 55)
    assert result.eligible == "fail"


def test_total_points_follow_the_policy() -> None:
    data = set_grades(hnte_data(), rd_management_points=None)
    assert hnte(data, "min").total_points_by_policy == Decimal(59)
    assert hnte(data, "mid").total_points_by_policy == Decimal("76.5")  # 59–94
    assert hnte(data, "max").total_points_by_policy == Decimal(94)
    assert {hnte(data, p).eligible for p in ("min", "mid", "max")} == {
        "depends_on_expert_judgement"
    }
