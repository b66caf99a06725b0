"""The uptake and cost simulation over plain facts: counts, totals, areas, a changed threshold."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kechuang.policies.engine import Facts, PolicyRuleError, compare, summarise, with_changes

DOC = {
    "code": "rd",
    "name": "研发",
    "conditions": [
        {"fact": "figure", "field": "rd_expense", "op": ">=", "value": 100},
        {"fact": "increase", "field": "rd_expense", "op": ">", "value": 0},
    ],
    "amount": {"kind": "rate", "rate": 0.1, "base": {"fact": "increase", "field": "rd_expense"}},
}


def facts(pk: int, area: str, size: str, now: int, before: int) -> Facts:
    return Facts(
        pk,
        area=area,
        area_name=area,
        size=size,
        figures={2025: {"rd_expense": D(now)}, 2024: {"rd_expense": D(before)}},
    )


FACTS = [
    facts(1, "卧龙区", "small", 150, 100),  # +50 万 -> 50000
    facts(2, "卧龙区", "medium", 120, 100),  # +20 万 -> 20000
    facts(3, "宛城区", "small", 90, 50),  # below 100: near miss
    facts(4, "宛城区", "large", 300, 310),  # decrease: near miss
]


def test_summary_by_area_and_size() -> None:
    s = summarise(DOC, FACTS, 2025)
    assert (s.evaluated, s.eligible, s.total, s.near_miss) == (4, 2, D("70000.00"), 2)
    assert {k: (g.count, g.total) for k, g in s.by_area.items()} == {"卧龙区": (2, D("70000.00"))}
    assert {k: g.count for k, g in s.by_size.items()} == {"small": 1, "medium": 1}
    assert s.bands[:3] == [1, 1, 0]  # 20000 in 0–5 万, 50000 in 5–10 万


def test_lowering_the_threshold_reaches_one_more() -> None:
    result = compare(DOC, {"conditions[0].value": 90}, FACTS, 2025)
    assert result.gained == {3} and result.lost == set()
    assert result.after.total == D("110000.00")  # + 40 万 × 10%
    assert DOC["conditions"][0]["value"] == 100  # the draft itself is untouched


def test_cap_change() -> None:
    result = compare(DOC, {"amount.cap": 30000}, FACTS, 2025)
    assert result.after.total == D("50000.00")


def test_bad_paths_and_values_are_named() -> None:
    with pytest.raises(PolicyRuleError) as caught:
        with_changes(DOC, {"conditions[5].value": 1})
    assert list(caught.value.errors) == ["conditions[5].value"]
    with pytest.raises(PolicyRuleError) as caught:
        with_changes(DOC, {"amount.rate": 0})
    assert list(caught.value.errors) == ["amount.rate"]


def test_fast_path_decides_as_the_explained_one() -> None:
    from kechuang.policies.engine import evaluate, parse_policy

    growth = {
        "code": "g",
        "name": "增长",
        "conditions": [{"fact": "growth_rate", "field": "rd_expense", "op": ">=", "value": 0.2}],
        "amount": {"kind": "rate", "rate": 0.5, "base": {"fact": "figure", "field": "rd_expense"}},
    }
    cases = [*FACTS, facts(5, "卧龙区", "small", 50, 0), Facts(6)]
    for document in (DOC, growth):
        policy = parse_policy(document)
        for f in cases:
            fast, full = (evaluate(policy, f, 2025, explain=x) for x in (False, True))
            assert (fast.eligible, fast.amount, fast.near_miss) == (
                full.eligible,
                full.amount,
                full.near_miss,
            )
    assert evaluate(parse_policy(growth), FACTS[0], 2025).amount == D("750000.00")
