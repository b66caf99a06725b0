"""Exact arithmetic helpers shared by the rule engines.

Every comparison against a regulatory threshold is done on :class:`fractions.Fraction` values built
from the :class:`decimal.Decimal` inputs, so band edges (5000 万元, 2 亿元, 6.0 %, 10 %) are exact.
Display values are derived from the exact value by rounding *down* (ratios) or *up* (shortfalls),
so a displayed ratio never looks as if it met a threshold that the exact value misses.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

Number = Decimal | int | Fraction


def frac(value: Number) -> Fraction:
    """Return ``value`` as an exact :class:`Fraction` (Decimal → Fraction is exact)."""
    return value if isinstance(value, Fraction) else Fraction(value)


def ratio(part: Number, whole: Number) -> Fraction | None:
    """Return ``part / whole`` exactly, or ``None`` when ``whole`` is zero."""
    whole_f = frac(whole)
    if whole_f == 0:
        return None
    return frac(part) / whole_f


def ceil_tenth(value: Fraction) -> Decimal:
    """Round ``value`` (万元) UP to the next 0.1 and return it as a one-place Decimal."""
    return Decimal(math.ceil(value * 10)).scaleb(-1)


def floor_places(value: Fraction, places: int) -> Decimal:
    """Round ``value`` DOWN to ``places`` decimal places (display of ratios and averages)."""
    return Decimal(math.floor(value * 10**places)).scaleb(-places)


def ceil_places(value: Fraction, places: int) -> Decimal:
    """Round ``value`` UP to ``places`` decimal places (display of a value against a cap)."""
    return Decimal(math.ceil(value * 10**places)).scaleb(-places)


def percent(value: Fraction | None, places: int = 2) -> Decimal | None:
    """Express a ratio as a percentage rounded DOWN to ``places`` places (None stays None)."""
    return None if value is None else floor_places(value * 100, places)


def to_decimal(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact value DOWN to ``places`` places for display (e.g. a 3-year sum)."""
    return floor_places(value, places)


def share_addition_needed(part: Number, whole: Number, target: Fraction) -> Fraction:
    """Smallest x ≥ 0 with (part + x) / (whole + x) ≥ target, for 0 < target < 1.

    Adding x to the part also adds x to the whole (new 科技人员 are also 职工; new 境内研发费用 are
    also 研发费用; new 高新技术产品收入 are also 总收入). Solving gives
    x ≥ (target·whole − part) / (1 − target). Returns 0 when the share is already met.
    """
    needed = (target * frac(whole) - frac(part)) / (1 - target)
    return max(needed, Fraction(0))


def fmt_amount(value: Decimal | Fraction | int) -> str:
    """Format an amount (万元) or a count without trailing zeros: 38.2, 5000, 16.33."""
    if isinstance(value, Fraction):
        value = floor_places(value, 2)
    dec = Decimal(value)
    text = f"{dec:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_percent(value: Fraction | None) -> str:
    """Format a ratio as ``6.83%`` (rounded down to two places), or ``—`` when undefined."""
    if value is None:
        return "—"
    return f"{fmt_amount(floor_places(value * 100, 2))}%"
