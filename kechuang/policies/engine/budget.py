"""Stacking (不重复享受) and the budget: what is payable after the other policies of the same
group, and how a batch is cut when it exceeds the policy's budget.

Stacking, against what the enterprise already has under the policies of the same group and
year (earlier runs, neither excluded nor declined):

- `highest` (就高不重复享受): the enterprise gets the higher of the two; when this policy's amount
  is higher it is paid the difference (就高补差), otherwise nothing.
- `combined_cap` (合计封顶): what the group pays it together never exceeds the cap.

Budget shortfall (the sum of a batch above the policy's budget):

- `pro_rata`: every amount scaled by budget ÷ total, cut to the fen; the fens left over go one by
  one to the largest remainders (ties: the smaller key first), so the batch sums to the budget
  exactly and no one gets more than the entitlement.
- `priority`: in the policy's order (amount from high to low by default, ties by key) each is
  paid in full while the budget lasts; the first that no longer fits gets what is left; the rest
  get nothing (they are listed as 预算不足未兑现).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from .evaluate import FEN, _num
from .rules import Budget, Stacking


def stack(
    amount: Decimal, prior: list[tuple[str, Decimal]], rule: Stacking | None
) -> tuple[Decimal, str]:
    """(the payable amount, the note) given `prior` = [(policy name, amount)] of the same group."""
    if rule is None or not prior or amount <= 0:
        return amount, ""
    already = sum((a for _, a in prior), Decimal(0))
    names = "、".join(f"{name} {_num(a)} 元" for name, a in prior)
    if rule.rule == "highest":
        payable = max(Decimal(0), amount - already)
        if payable == 0:
            return payable, f"同组已享受 {names}，就高不重复享受，本项不再兑现"
        if already:
            return payable, f"同组已享受 {names}，就高补差 {_num(payable)} 元"
        return amount, ""
    assert rule.cap is not None
    payable = max(Decimal(0), min(amount, rule.cap - already))
    if payable < amount:
        return (
            payable,
            f"同组已享受 {names}，合计封顶 {_num(rule.cap)} 元，本项兑现 {_num(payable)} 元",
        )
    return amount, ""


@dataclass(frozen=True)
class Claim:
    key: int
    amount: Decimal  # 元, to the fen
    base: Decimal | None = None


def allocate(claims: list[Claim], budget: Budget) -> tuple[dict[int, Decimal], str]:
    """{key: amount paid} within `budget.total` and the note the batch page shows."""
    total = sum((c.amount for c in claims), Decimal(0))
    if budget.total is None or total <= budget.total:
        return {c.key: c.amount for c in claims}, ""
    if budget.shortfall == "priority":
        return _by_priority(claims, budget)
    return _pro_rata(claims, budget.total, total)


def _pro_rata(
    claims: list[Claim], limit: Decimal, total: Decimal
) -> tuple[dict[int, Decimal], str]:
    paid: dict[int, Decimal] = {}
    remainders: list[tuple[Decimal, int]] = []
    for c in claims:
        exact = c.amount * limit / total
        cut = exact.quantize(FEN, rounding=ROUND_DOWN)
        paid[c.key] = cut
        remainders.append((exact - cut, c.key))
    left = int(((limit - sum(paid.values(), Decimal(0))) / FEN).to_integral_value())
    for _, key in sorted(remainders, key=lambda r: (-r[0], r[1]))[:left]:
        paid[key] += FEN
    note = (
        f"应兑现合计 {_num(total)} 元超出预算 {_num(limit)} 元，"
        f"按预算同比例核减（比例 {limit / total:.4%}），尾差按分分配给余数最大者"
    )
    return paid, note


def _order(claims: list[Claim], priority: str) -> list[Claim]:
    if priority == "amount_asc":
        return sorted(claims, key=lambda c: (c.amount, c.key))
    if priority == "base_desc":
        return sorted(claims, key=lambda c: (-(c.base or Decimal(0)), c.key))
    return sorted(claims, key=lambda c: (-c.amount, c.key))


def _by_priority(claims: list[Claim], budget: Budget) -> tuple[dict[int, Decimal], str]:
    assert budget.total is not None
    left = budget.total
    paid: dict[int, Decimal] = {}
    for c in _order(claims, budget.priority):
        paid[c.key] = min(c.amount, left)
        left -= paid[c.key]
    total = sum((c.amount for c in claims), Decimal(0))
    return paid, (
        f"应兑现合计 {_num(total)} 元超出预算 {_num(budget.total)} 元，"
        "按排序依次足额兑现，预算用尽后的企业本批未兑现"
    )
