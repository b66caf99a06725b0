"""Hand-computed entitlements at every threshold, floor and cap edge (amounts in 元)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kechuang.policies.engine import Facts, evaluate, parse_policy

RD = {
    "code": "rd",
    "name": "研发后补助",
    "conditions": [
        {"fact": "figure", "field": "rd_expense", "op": ">=", "value": 100},
        {"fact": "increase", "field": "rd_expense", "op": ">", "value": 0},
    ],
    "amount": {
        "kind": "rate",
        "rate": 0.1,
        "base": {"fact": "increase", "field": "rd_expense"},
        "floor": 10000,
        "cap": 500000,
    },
}


def rd(now: str | None, before: str | None) -> Facts:
    return Facts(
        1,
        figures={2025: {"rd_expense": now and D(now)}, 2024: {"rd_expense": before and D(before)}},
    )


@pytest.mark.parametrize(
    ("now", "before", "eligible", "amount"),
    [
        ("100", "90", True, D("10000.00")),  # 10 万元 × 10% = 10000 元, exactly the floor
        ("100", "95", True, D("10000.00")),  # 5000 元, raised to the floor 10000
        ("99.99", "50", False, D(0)),  # just under the 100 万元 threshold
        ("100", "100", False, D(0)),  # no increase (> 0 is strict)
        ("600", "100", True, D("500000.00")),  # 500 万 × 10% = 50 万, exactly the cap
        ("700", "100", True, D("500000.00")),  # 60 万 capped at 50 万
        ("123.4567", "100", True, D("23456.70")),  # 23.4567 万 × 10% = 23456.70
        ("100", None, False, D(0)),  # last year's figure missing: 数据缺失
    ],
)
def test_rd_subsidy_edges(now: str, before: str | None, eligible: bool, amount: D) -> None:
    outcome = evaluate(parse_policy(RD), rd(now, before), 2025)
    assert (outcome.eligible, outcome.amount) == (eligible, amount)


def test_explanation_names_the_facts() -> None:
    outcome = evaluate(parse_policy(RD), rd("150", "100"), 2025)
    assert [c.label for c in outcome.checks] == [
        "2025 年研发费用总额 >= 100 万元",
        "2025 年研发费用总额较上年增加额 > 0 万元",
    ]
    assert outcome.checks[0].fact == "2025 年研发费用总额 150 万元"
    assert outcome.checks[1].fact == "2025 年研发费用总额 150 − 2024 年 100 = 50 万元"
    assert outcome.amount == D("50000.00")
    assert "× 10%" in outcome.formula and "50,000 元" in outcome.formula


def test_missing_figure_is_a_gap_and_a_near_miss() -> None:
    outcome = evaluate(parse_policy(RD), rd("150", None), 2025)
    assert not outcome.eligible
    assert outcome.near_miss
    assert outcome.checks[1].missing
    assert outcome.checks[1].fact == "2024 年研发费用总额：无已确认数据"


def test_growth_rate_with_zero_last_year_is_missing_not_a_crash() -> None:
    policy = parse_policy(
        {
            "code": "g",
            "name": "增长",
            "conditions": [
                {"fact": "growth_rate", "field": "rd_expense", "op": ">=", "value": 0.2}
            ],
            "amount": {"kind": "fixed", "value": 1},
        }
    )
    zero = evaluate(policy, rd("50", "0"), 2025)
    assert not zero.eligible and zero.checks[0].missing
    assert "为 0，无法计算增长率" in zero.checks[0].fact
    assert evaluate(policy, rd("120", "100"), 2025).eligible  # exactly 20%
    assert not evaluate(policy, rd("119.99", "100"), 2025).eligible


TIERS = {
    "code": "t",
    "name": "技术合同",
    "conditions": [{"fact": "contract_amount", "op": ">=", "value": 100}],
    "amount": {
        "kind": "tiers",
        "base": {"fact": "contract_amount"},
        "tiers": [
            {"min": 100, "max": 500, "amount": 20000},
            {"min": 500, "max": 1000, "amount": 50000},
            {"min": 1000, "amount": 100000},
        ],
    },
}


@pytest.mark.parametrize(
    ("amount", "paid"),
    [
        ("99.9999", D(0)),
        ("100", D(20000)),
        ("499.9999", D(20000)),
        ("500", D(50000)),
        ("999.99", D(50000)),
        ("1000", D(100000)),
        ("50000", D(100000)),
    ],
)
def test_tier_edges(amount: str, paid: D) -> None:
    outcome = evaluate(parse_policy(TIERS), Facts(1, contract_amount=D(amount)), 2025)
    assert outcome.amount == paid


PLATFORM = {
    "code": "p",
    "name": "平台",
    "conditions": [{"fact": "new_platforms", "levels": ["national", "provincial"]}],
    "amount": {
        "kind": "per_unit",
        "unit_amount": 300000,
        "base": {"fact": "new_platforms", "levels": ["national", "provincial"]},
        "cap": 800000,
    },
}


@pytest.mark.parametrize(
    ("platforms", "paid"),
    [
        ((), D(0)),
        ((("key_lab", "municipal"),), D(0)),  # a municipal platform does not count
        ((("key_lab", "provincial"),), D(300000)),
        ((("key_lab", "provincial"), ("engineering_center", "national")), D(600000)),
        ((("a", "provincial"), ("b", "provincial"), ("c", "national")), D(800000)),  # cap
        ((("a", "provincial", "municipal"),), D(300000)),  # upgraded into 省级: new
        ((("a", "national", "provincial"),), D(0)),  # provincial to national: not new 省级以上
    ],
)
def test_platform_per_unit(platforms: tuple[tuple[str, ...], ...], paid: D) -> None:
    outcome = evaluate(parse_policy(PLATFORM), Facts(1, new_platforms=platforms), 2025)
    assert outcome.amount == paid


def test_one_time_reward_is_not_paid_twice() -> None:
    policy = parse_policy(
        {
            "code": "h",
            "name": "首次高企",
            "frequency": "once",
            "conditions": [{"fact": "first_granted", "kind": "HNTE"}],
            "amount": {"kind": "fixed", "value": 100000},
        }
    )
    facts = Facts(1, first_granted=frozenset({"HNTE"}))
    assert evaluate(policy, facts, 2025).amount == D(100000)
    again = evaluate(policy, facts, 2025, rewarded_before=True)
    assert not again.eligible
    assert again.gaps == ["此前未享受过本项一次性奖励"]


def test_area_and_size_sets() -> None:
    policy = parse_policy(
        {
            "code": "a",
            "name": "区域",
            "conditions": [
                {"fact": "area", "op": "in", "value": ["411303"]},
                {"fact": "size", "op": "not_in", "value": ["large"]},
                {"fact": "holds", "kind": "TSME"},
            ],
            "amount": {"kind": "fixed", "value": 5000},
        }
    )
    ok = Facts(1, area="411303", size="small", held=frozenset({"TSME"}))
    assert evaluate(policy, ok, 2025).amount == D(5000)
    large = Facts(1, area="411303", size="large", held=frozenset({"TSME"}))
    assert evaluate(policy, large, 2025).gaps == ["企业规模不属于large"]
