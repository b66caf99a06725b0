"""What-if changes to a :class:`Case`, and how each gap lever is applied.

Used by the gap analysis (to search for the smallest change) and by callers/tests to verify that
applying a gap makes the condition pass. All changes go to the most recent year. Amounts 万元.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .case import Case, Monthly, YearFigures
from .result import Gap


def _replace_last(case: Case, year: YearFigures) -> Case:
    """The case with its last year replaced."""
    return replace(case, years=(*case.years[:-1], year))


def _plus(value: Decimal | None, amount: Decimal) -> Decimal | None:
    """``value + amount``, keeping None (field not given) as None."""
    return None if value is None else value + amount


def add_rd(case: Case, amount: Decimal) -> Case:
    """Add ``amount`` 万元 of domestic R&D to the last year.

    It raises 研发费用, 境内研发费用 and 成本费用支出总额 (R&D is part of costs) where given.
    """
    last = case.last_year
    return _replace_last(
        case,
        replace(
            last,
            rd_expense=last.rd_expense + amount,
            rd_expense_domestic=_plus(last.rd_expense_domestic, amount),
            cost_expense_total=_plus(last.cost_expense_total, amount),
        ),
    )


def _shift_months(months: Monthly | None, n: int) -> Monthly | None:
    """Monthly headcounts with ``n`` persons added at every month start and end."""
    if months is None:
        return None
    return tuple((begin + n, end + n) for begin, end in months)


def add_st_staff(case: Case, persons: int) -> Case:
    """Add ``persons`` full-year 科技人员 to the last year; they are also 职工."""
    last = case.last_year
    return _replace_last(
        case,
        replace(
            last,
            st_staff_avg=_plus(last.st_staff_avg, Decimal(persons)),
            employees_avg=_plus(last.employees_avg, Decimal(persons)),
            st_staff_monthly=_shift_months(last.st_staff_monthly, persons),
            employees_monthly=_shift_months(last.employees_monthly, persons),
        ),
    )


def transfer_to_st_staff(case: Case, persons: int) -> Case:
    """Reassign ``persons`` existing 职工 to 科技人员 in the last year (职工总数 unchanged)."""
    last = case.last_year
    return _replace_last(
        case,
        replace(
            last,
            st_staff_avg=_plus(last.st_staff_avg, Decimal(persons)),
            st_staff_monthly=_shift_months(last.st_staff_monthly, persons),
        ),
    )


def add_hightech_revenue(case: Case, amount: Decimal) -> Case:
    """Add ``amount`` 万元 of 高新技术产品（服务）收入 to the last year (also 总收入)."""
    last = case.last_year
    return _replace_last(
        case,
        replace(
            last,
            hightech_revenue=_plus(last.hightech_revenue, amount),
            total_revenue=_plus(last.total_revenue, amount),
        ),
    )


def add_ip(case: Case, class_i: int = 0, class_ii: int = 0) -> Case:
    """Add granted IP rights (never used before)."""
    ip = replace(case.ip, class_i=case.ip.class_i + class_i, class_ii=case.ip.class_ii + class_ii)
    return replace(case, ip=ip)


def add_conversions(case: Case, count: int) -> Case:
    """Add ``count`` 科技成果转化 within the 3-year window."""
    return replace(case, conversions_3y=case.conversions_3y + count)


def apply_gap(case: Case, gap: Gap) -> Case:
    """Return ``case`` changed as ``gap`` describes; ValueError for non-quantitative gaps."""
    amount = gap.amount
    if gap.code == "registration_age" and gap.earliest_date is not None:
        return replace(case, as_of=gap.earliest_date)
    if amount is None:
        raise ValueError(f"差距“{gap.code}”不是可量化的调整，无法自动套用")
    if gap.code in ("rd_expense", "rd_expense_domestic"):
        return add_rd(case, Decimal(amount))
    if gap.code == "hightech_revenue":
        return add_hightech_revenue(case, Decimal(amount))
    if gap.code == "st_staff":
        return add_st_staff(case, int(amount))
    if gap.code == "st_staff_transfer":
        return transfer_to_st_staff(case, int(amount))
    if gap.code == "ip_class_i":
        return add_ip(case, class_i=int(amount))
    if gap.code in ("ip_class_ii", "ip_any"):
        return add_ip(case, class_ii=int(amount))
    if gap.code == "conversions_3y":
        return add_conversions(case, int(amount))
    raise ValueError(f"差距“{gap.code}”不是可量化的调整，无法自动套用")
