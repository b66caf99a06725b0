"""Constants and exact calculators of ``hnte-2016`` (国科发火〔2016〕32号 第十一条 and the
国科发火〔2016〕195号 工作指引), shared by the conditions, the scoring and the gap analysis.
Amounts in 万元; shares are exact Fractions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from .case import Case
from .numbers import frac, ratio

ST_STAFF_MIN = Fraction(10, 100)  # 国科发火〔2016〕32号 第十一条（四）「不低于10%」
BAND_LOW_MAX = Decimal(5000)  # 第十一条（五）1.「小于5,000万元（含）」
BAND_MID_MAX = Decimal(20000)  # 第十一条（五）2.「5,000万元至2亿元（含）」
RD_RATIO_LOW = Fraction(5, 100)  # 第十一条（五）1. 不低于5%（2008年版的6%已废止）
RD_RATIO_MID = Fraction(4, 100)  # 第十一条（五）2. 不低于4%
RD_RATIO_HIGH = Fraction(3, 100)  # 第十一条（五）3. 2亿元以上 不低于3%
DOMESTIC_MIN = Fraction(60, 100)  # 第十一条（五）境内研发费用占比不低于60%
HIGHTECH_MIN = Fraction(60, 100)  # 第十一条（六）高新技术产品（服务）收入占比不低于60%
PASS_MARK = 70  # 195号 指引「综合得分达到70分以上（不含70分）为符合认定要求」


def rd_ratio_threshold(last_year_sales: Decimal) -> Fraction:
    """Minimum Σ3y R&D ÷ Σ3y 销售收入 by last year's 销售收入 (万元), 第十一条（五）.

    ≤5000 → 5%; >5000 and ≤20000 → 4%; >20000 → 3% (both upper bounds are 「含」).
    """
    if last_year_sales <= BAND_LOW_MAX:
        return RD_RATIO_LOW
    if last_year_sales <= BAND_MID_MAX:
        return RD_RATIO_MID
    return RD_RATIO_HIGH


def one_year_after(registered_on: date) -> date:
    """First anniversary (29 Feb → 1 Mar), from which 「注册成立一年以上」 holds, 第十一条（一）."""
    try:
        return registered_on.replace(year=registered_on.year + 1)
    except ValueError:
        return date(registered_on.year + 1, 3, 1)


def st_staff_share(case: Case) -> Fraction | None:
    """科技人员 ÷ 职工总数 of the last year (全年月平均数), exact; None if no employees."""
    return ratio(case.last_year.st_staff(), case.last_year.employees())


def window_sums(case: Case) -> tuple[Fraction, Fraction, Fraction]:
    """(Σ R&D, Σ 境内 R&D, Σ 销售收入) over the 3-year window (fewer if operating <3 years)."""
    window = case.window(3)
    rd = sum((frac(y.rd_expense) for y in window), Fraction(0))
    domestic = sum((frac(y.rd_expense_domestic or 0) for y in window), Fraction(0))
    sales = sum((frac(y.sales_revenue) for y in window), Fraction(0))
    return rd, domestic, sales


def score_passes(points: Decimal) -> bool:
    """「70分以上（不含70分）」: strictly greater than 70."""
    return points > PASS_MARK
