"""Stacking (不重复享受) and the budget, to the fen."""

from __future__ import annotations

from decimal import Decimal as D

from kechuang.policies.engine import Claim, allocate, stack
from kechuang.policies.engine.rules import Budget, Stacking


def test_pro_rata_to_the_fen() -> None:
    claims = [Claim(1, D("100000.00")), Claim(2, D("100000.00")), Claim(3, D("100000.00"))]
    paid, note = allocate(claims, Budget(total=D("100000.00")))
    # 100000 / 3 = 33333.333…: each 33333.33, one fen left goes to the smallest key (ties)
    assert paid == {1: D("33333.34"), 2: D("33333.33"), 3: D("33333.33")}
    assert sum(paid.values()) == D("100000.00")
    assert "同比例核减" in note


def test_pro_rata_largest_remainder_first() -> None:
    claims = [Claim(1, D("10.00")), Claim(2, D("20.00")), Claim(3, D("70.01"))]
    paid, _ = allocate(claims, Budget(total=D("50.00")))
    # factor 50 / 100.01: exact 4.99950…, 9.99900…, 35.00150… -> cut 4.99, 9.99, 35.00
    # (49.98): 2 fens left, to the remainders .0095 (key 1) and .0090 (key 2), not .0015
    assert paid == {1: D("5.00"), 2: D("10.00"), 3: D("35.00")}
    assert sum(paid.values()) == D("50.00")


def test_within_budget_pays_in_full() -> None:
    claims = [Claim(1, D("10.00")), Claim(2, D("20.00"))]
    assert allocate(claims, Budget(total=D("30.00"))) == ({1: D("10.00"), 2: D("20.00")}, "")
    assert allocate(claims, Budget(total=None))[0] == {1: D("10.00"), 2: D("20.00")}


def test_priority_pays_in_order_then_the_rest() -> None:
    claims = [Claim(1, D(100)), Claim(2, D(300)), Claim(3, D(200)), Claim(4, D(200))]
    paid, note = allocate(claims, Budget(total=D(550), shortfall="priority"))
    # amount desc: 2 (300) full, 3 (200) full, 4 gets the 50 left, 1 nothing
    assert paid == {2: D(300), 3: D(200), 4: D(50), 1: D(0)}
    assert "依次足额兑现" in note
    paid_asc, _ = allocate(
        claims, Budget(total=D(550), shortfall="priority", priority="amount_asc")
    )
    assert paid_asc == {1: D(100), 3: D(200), 4: D(200), 2: D(50)}


def test_stacking_highest_pays_the_difference() -> None:
    rule = Stacking(group="g", rule="highest")
    assert stack(D(100000), [], rule) == (D(100000), "")
    amount, note = stack(D(100000), [("省级平台奖励", D(300000))], rule)
    assert amount == D(0) and "就高不重复享受" in note
    amount, note = stack(D(500000), [("省级平台奖励", D(300000))], rule)
    assert amount == D(200000) and "就高补差 200,000 元" in note
    # equal amounts: nothing more
    assert stack(D(300000), [("A", D(300000))], rule)[0] == D(0)


def test_stacking_combined_cap() -> None:
    rule = Stacking(group="g", rule="combined_cap", cap=D(400000))
    assert stack(D(100000), [("A", D(250000))], rule)[0] == D(100000)  # 350000 ≤ cap
    amount, note = stack(D(200000), [("A", D(250000))], rule)
    assert amount == D(150000) and "合计封顶 400,000 元" in note
    assert stack(D(1), [("A", D(400000))], rule)[0] == D(0)
