"""Gap analysis of ``tsme-2022``: the smallest change passing each failing condition.

Staff gaps count persons (new 科技人员 also raise 职工总数, capped at 500); R&D gaps are 万元
rounded UP to 0.1 (new R&D also raises 成本费用支出总额); IP gaps count items. Score levers are
verified by re-scoring the changed case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from .case import Case
from .common import amount_needed, persons_needed, ratio_top_up
from .numbers import fmt_amount, frac
from .result import ConditionResult, Gap
from .tsme_2022_score import (
    PASS_MARK,
    RD_COST_BANDS,
    RD_SALES_BANDS,
    STAFF_BANDS,
    tsme_scores,
)
from .whatif import add_ip, add_rd, add_st_staff

EMPLOYEES_MAX = 500  # 国科发政〔2017〕115号 第六条（二）「职工总数不超过500人」
SIZE_CAP_AMOUNT = Decimal(20000)  # 115号 第六条（二）销售收入、资产总额「不超过2亿元」
STAFF_MIN = STAFF_BANDS[-1][0]  # 10%: the lowest non-zero 科技人员 band, 115号 第七条


def _total(case: Case) -> Decimal:
    """The exact 科小 total of ``case`` (points)."""
    return tsme_scores(case)[1].min


def staff_gap(case: Case) -> Gap:
    """科技人员指标为 0: smallest n with (st + n)/(emp + n) ≥ 10% while 职工 ≤ 500.

    If adding staff would break the 500-person cap, the gap is a transfer of existing staff.
    """
    last = case.last_year
    st, emp = last.st_staff(), last.employees()
    n = persons_needed(st, emp, STAFF_MIN)
    code = "tsme.c5.st_staff_nonzero"
    if emp + n <= EMPLOYEES_MAX:
        message = f"科技人员需增加 {n} 人（新增人员同时计入职工总数），使占比达到 10%"
        return Gap("st_staff", message, n, "人", None, code)
    transfer = math.ceil(STAFF_MIN * emp - st)
    message = (
        f"新增人员将使职工总数超过 500 人；需由现有职工转为科技人员 {transfer} 人，使占比达到 10%"
    )
    return Gap("st_staff_transfer", message, transfer, "人", None, code)


def _rd_candidates(case: Case) -> list[tuple[Decimal, str]]:
    """R&D additions (万元) reaching each band of either option, smallest first."""
    last = case.last_year
    rd, sales = frac(last.rd_expense), frac(last.sales_revenue)
    options: list[tuple[Decimal, str]] = []
    if sales > 0:
        options += [
            (ratio_top_up(rd, sales, lower), "研发费用/销售收入") for lower, _, _ in RD_SALES_BANDS
        ]
    if last.cost_expense_total is not None:
        cost = frac(last.cost_expense_total)
        options += [
            (amount_needed(rd, cost, lower), "研发费用/成本费用支出总额")
            for lower, _, _ in RD_COST_BANDS
        ]
    return sorted(option for option in options if option[0] > 0)


def score_gaps(case: Case) -> list[Gap]:
    """Points short of 60, plus each single lever (staff, R&D, IP) that reaches 60 alone."""
    code = "tsme.c5.total"
    total = _total(case)
    short = PASS_MARK - total
    message = f"综合评价 {fmt_amount(total)} 分，还差 {fmt_amount(short)} 分才能达到 60 分"
    gaps = [Gap("tsme_score", message, short, "分", None, code)]
    last = case.last_year
    st, emp = last.st_staff(), last.employees()
    for lower, _, _ in reversed(STAFF_BANDS):
        n = persons_needed(st, emp, lower)
        if n > 0 and emp + n <= EMPLOYEES_MAX and _total(add_st_staff(case, n)) >= PASS_MARK:
            message = f"或科技人员增加 {n} 人（同时计入职工总数）"
            gaps.append(Gap("st_staff", message, n, "人", None, code))
            break
    for amount, label in _rd_candidates(case):
        if _total(add_rd(case, amount)) >= PASS_MARK:
            message = (
                f"或 {last.year} 年研发费用增加 {fmt_amount(amount)} 万元"
                f"（按{label}方案；同时计入成本费用）"
            )
            gaps.append(Gap("rd_expense", message, amount, "万元", None, code))
            break
    if case.ip.class_i == 0 and _total(add_ip(case, class_i=1)) >= PASS_MARK:
        gaps.append(Gap("ip_class_i", "或还需 1 项 Ⅰ类知识产权", 1, "项", None, code))
    for k in range(1, 5):
        if _total(add_ip(case, class_ii=k)) >= PASS_MARK:
            gaps.append(Gap("ip_class_ii", f"或还需 {k} 项Ⅱ类知识产权", k, "项", None, code))
            break
    return gaps


def _message_gap(code: str, message: str, condition: str) -> Gap:
    """A gap that is a statement, not a quantity."""
    return Gap(code, message, None, "", None, condition)


def cap_gaps(case: Case, failed: set[str]) -> list[Gap]:
    """Size caps of 第六条（二）: how far above each cap the enterprise is (not a fixable gap)."""
    last = case.last_year
    gaps = []
    if "tsme.c2.employees" in failed:
        excess = math.ceil(last.employees() - EMPLOYEES_MAX)
        message = f"职工总数超出 500 人上限 {excess} 人，不属于科技型中小企业规模范围"
        gaps.append(Gap("employees_cap", message, excess, "人", None, "tsme.c2.employees"))
    for code, label, value in (
        ("sales", "年销售收入", last.sales_revenue),
        ("assets", "资产总额", last.total_assets_end or Decimal(0)),
    ):
        if f"tsme.c2.{code}" in failed:
            excess_amount = value - SIZE_CAP_AMOUNT
            message = f"{label}超出 2 亿元上限 {fmt_amount(excess_amount)} 万元"
            gaps.append(Gap(f"{code}_cap", message, excess_amount, "万元", None, f"tsme.c2.{code}"))
    return gaps


DECLARATION_GAPS = {
    "tsme.c1.resident": ("resident", "须为中国境内注册、会计核算健全、查账征收的居民企业"),
    "tsme.c3.industry": ("industry", "所在行业属于禁止、限制、淘汰类或负面清单行业，不能参评"),
    "tsme.c4.integrity": (
        "integrity",
        "上一会计年度及当年存在重大事故、严重违法失信或列入异常名录等情形，不能参评",
    ),
}
DIRECT_ROUTES = (
    "也可通过第八条直接确认：取得高新技术企业资格、近五年获国家级科技奖励且排名前三、"
    "拥有省部级以上研发机构，或近五年主导制定国际/国家/行业标准"
)


def collect(case: Case, conditions: Sequence[ConditionResult], eligible: str) -> list[Gap]:
    """Gaps for a failing enterprise; none when it passes (including via 第八条)."""
    if eligible == "pass":
        return []
    failed = {c.code for c in conditions if c.passed is False and c.required}
    gaps = [
        _message_gap(code, message, condition)
        for condition, (code, message) in DECLARATION_GAPS.items()
        if condition in failed
    ]
    gaps += cap_gaps(case, failed)
    if "tsme.c5.st_staff_nonzero" in failed:
        gaps.append(staff_gap(case))
    if "tsme.c5.total" in failed:
        gaps.extend(score_gaps(case))
    if failed <= {"tsme.c5.total", "tsme.c5.st_staff_nonzero"}:
        gaps.append(_message_gap("direct_route", DIRECT_ROUTES, "tsme.c8"))
    return gaps
