"""Helpers shared by the rulesets: grade bands, interval verdicts, eligibility, shortfalls."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from .numbers import ceil_tenth, share_addition_needed
from .result import ConditionResult, Eligibility, Interval


def band(value: Fraction | None, bands: Sequence[tuple[Fraction, str, int]]) -> tuple[str, int]:
    """First ``(grade, points)`` whose lower bound (inclusive, ``≥``) ``value`` reaches.

    ``bands`` is ordered from the highest band down; an undefined value (None) or a value below
    every bound gets grade ``F`` and 0 points.
    """
    if value is not None:
        for lower, grade, points in bands:
            if value >= lower:
                return grade, points
    return "F", 0


def interval_verdict(total: Interval, passes: Callable[[Decimal], bool]) -> bool | None:
    """True if even the minimum passes, False if even the maximum fails, else None."""
    if passes(total.min):
        return True
    if not passes(total.max):
        return False
    return None


def combine(conditions: Iterable[ConditionResult]) -> Eligibility:
    """Combine the required conditions: any False → fail, all True → pass, else depends."""
    required = [c for c in conditions if c.required]
    if any(c.passed is False for c in required):
        return "fail"
    if all(c.passed is True for c in required):
        return "pass"
    return "depends_on_expert_judgement"


def persons_needed(part: Fraction, whole: Fraction, target: Fraction) -> int:
    """Smallest whole n with (part + n)/(whole + n) ≥ target: staff added to a headcount share.

    New 科技人员 are also 职工, so the denominator grows too. At least 1 when the share is
    currently undefined (no staff at all).
    """
    n = math.ceil(share_addition_needed(part, whole, target))
    return max(n, 1) if whole == 0 else n


def amount_needed(part: Fraction, whole: Fraction, target: Fraction) -> Decimal:
    """Smallest amount (万元, rounded UP to 0.1) added to both part and whole to reach target."""
    amount = ceil_tenth(share_addition_needed(part, whole, target))
    return max(amount, Decimal("0.1")) if whole == 0 else amount


def ratio_top_up(part: Fraction, whole: Fraction, target: Fraction) -> Decimal:
    """Smallest amount (万元, rounded UP to 0.1) added to ``part`` alone to reach target·whole."""
    return max(ceil_tenth(target * whole - part), Decimal(0))
