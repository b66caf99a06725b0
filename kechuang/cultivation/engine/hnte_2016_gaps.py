"""Gap analysis of ``hnte-2016``: for each failing condition, the smallest change that passes it.

Amounts are 万元 rounded UP to 0.1, persons and IP items are whole numbers. Each gap is computed
against the current figures independently of the others (domestic R&D added for one R&D gap also
counts toward the other). Score gaps are found by re-scoring the changed case.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .case import Case
from .common import amount_needed, persons_needed, ratio_top_up
from .hnte_2016_rules import (
    DOMESTIC_MIN,
    HIGHTECH_MIN,
    PASS_MARK,
    ST_STAFF_MIN,
    one_year_after,
    rd_ratio_threshold,
    score_passes,
    window_sums,
)
from .hnte_2016_score import conversion_divisor, innovation_scores
from .numbers import fmt_amount, fmt_percent, frac
from .result import POLICY_LABELS, ConditionResult, Gap
from .whatif import add_conversions, add_ip

IP_TIMING = "知识产权须在申请前获得授权，或已下发授权通知书并能提供缴费收据"
KIND_LABEL = {"I": "Ⅰ类", "II": "Ⅱ类"}


def registration_gap(case: Case) -> Gap:
    """（一）: the first anniversary of registration, and the days left until it."""
    anniversary = one_year_after(case.registered_on)
    days = (anniversary - case.as_of).days
    return Gap(
        "registration_age",
        f"企业注册成立需满一年，最早可于 {anniversary.isoformat()} 申请（还需 {days} 天）",
        days,
        "天",
        anniversary,
        "hnte.c1.registration",
    )


def pending_date(case: Case, kinds: Sequence[str], count: int) -> date | None:
    """Date the ``count``-th pending IP of ``kinds`` is expected to be granted, if known."""
    dates = [p.expected_on for p in case.ip.pending if p.kind in kinds]
    return dates[count - 1] if len(dates) >= count else None


def _timing(when: date | None) -> str:
    """The IP timing remark, with the expected grant date when one is known."""
    if when is None:
        return f"（{IP_TIMING}）"
    return f"（待授权知识产权预计 {when.isoformat()} 获授权，届时可申请；{IP_TIMING}）"


def ip_ownership_gap(case: Case) -> Gap:
    """（二）: one usable IP right (Ⅰ类 or an unused Ⅱ类), or a better core-support judgement."""
    if case.ip.class_i + case.ip.class_ii_usable > 0:
        return Gap(
            "ip_core",
            "现有知识产权经评价对主要产品（服务）无核心支持作用，需取得发挥核心支持作用的知识产权",
            None,
            "",
            None,
            "hnte.c2.ip_ownership",
        )
    when = pending_date(case, ("I", "II"), 1)
    return Gap(
        "ip_any",
        "还需 1 项对主要产品（服务）发挥核心支持作用的知识产权（Ⅰ类或未使用过的Ⅱ类）"
        + _timing(when),
        1,
        "项",
        when,
        "hnte.c2.ip_ownership",
    )


def staff_gap(case: Case) -> Gap:
    """（四）: smallest n with (科技人员 + n) ÷ (职工 + n) ≥ 10%; new staff raise both."""
    last = case.last_year
    st, emp = last.st_staff(), last.employees()
    n = persons_needed(st, emp, ST_STAFF_MIN)
    message = f"科技人员需增加 {n} 人（新增人员同时计入职工总数，{last.year} 年全年月平均数口径）"
    if emp > 0:
        transfer = math.ceil(ST_STAFF_MIN * emp - st)
        message += f"；若由现有职工转为科技人员，需 {transfer} 人"
    return Gap("st_staff", message, n, "人", None, "hnte.c4.st_staff_ratio")


def rd_ratio_gap(case: Case) -> Gap:
    """（五）: threshold × Σ销售收入 − Σ研发费用, rounded UP to 0.1 万元."""
    rd, _, sales = window_sums(case)
    threshold = rd_ratio_threshold(case.last_year.sales_revenue)
    amount = ratio_top_up(rd, sales, threshold)
    n = len(case.window(3))
    label = "三年" if n == 3 else f"近{n}年"
    if sales == 0:
        message = "销售收入合计为 0，研发费用占比无法计算；需先取得销售收入"
        return Gap("sales_revenue", message, None, "万元", None, "hnte.c5.rd_ratio")
    message = (
        f"研发费用{label}合计需增加 {fmt_amount(amount)} 万元"
        f"（达到销售收入的 {fmt_percent(threshold)}；按境内研发费用计）"
    )
    return Gap("rd_expense", message, amount, "万元", None, "hnte.c5.rd_ratio")


def domestic_gap(case: Case) -> Gap:
    """（五）境内 ≥ 60%: smallest domestic addition x with (d + x)/(t + x) ≥ 60%, up to 0.1."""
    rd, domestic, _ = window_sums(case)
    amount = amount_needed(domestic, rd, DOMESTIC_MIN)
    n = len(case.window(3))
    label = "三年" if n == 3 else f"近{n}年"
    message = f"境内研发费用{label}合计需增加 {fmt_amount(amount)} 万元（同时计入研发费用总额）"
    return Gap("rd_expense_domestic", message, amount, "万元", None, "hnte.c5.rd_domestic_share")


def hightech_gap(case: Case) -> Gap:
    """（六）: smallest x with (高新收入 + x)/(总收入 + x) ≥ 60%, rounded UP to 0.1 万元."""
    last = case.last_year
    h, t = frac(last.hightech_revenue or 0), frac(last.total_revenue or 0)
    amount = amount_needed(h, t, HIGHTECH_MIN)
    message = (
        f"{last.year} 年高新技术产品（服务）收入需增加 {fmt_amount(amount)} 万元"
        "（新增收入同时计入总收入）"
    )
    if t > 0:
        reclass = ratio_top_up(h, t, HIGHTECH_MIN)
        message += (
            f"；若为现有收入经核定归入高新技术产品（服务）收入，需 {fmt_amount(reclass)} 万元"
        )
    return Gap("hightech_revenue", message, amount, "万元", None, "hnte.c6.hightech_revenue_share")


def _policy_total(case: Case, policy: str) -> Decimal:
    """The 创新能力评价 total of ``case`` under the point policy."""
    return innovation_scores(case)[1].point(policy)


def _smallest(limit: int, build: Callable[[int], Case], policy: str) -> int | None:
    """Smallest k in 1..limit whose changed case scores > 70 under ``policy``, else None."""
    for k in range(1, limit + 1):
        if score_passes(_policy_total(build(k), policy)):
            return k
    return None


@dataclass(frozen=True)
class ScoreSearch:
    """What :func:`score_gaps` needs about the score, found elsewhere (the batch screening
    re-scores whole columns at once, :mod:`.vector`): the total under the point policy, whether
    one Ⅰ类 right would pass, and the smallest number of Ⅱ类 rights (1–10) and of conversions
    (1–5 × divisor) that would, None when none in the range does."""

    total: Decimal
    class_i_passes: bool
    class_ii: int | None
    conversions: int | None


def search_score(case: Case, policy: str) -> ScoreSearch:
    """The single-case search: each lever's smallest change by re-scoring the changed case."""
    return ScoreSearch(
        total=_policy_total(case, policy),
        class_i_passes=case.ip.class_i == 0
        and _smallest(1, lambda k: add_ip(case, class_i=k), policy) is not None,
        class_ii=_smallest(10, lambda k: add_ip(case, class_ii=k), policy),
        conversions=_smallest(
            5 * conversion_divisor(case), lambda c: add_conversions(case, c), policy
        ),
    )


def score_gaps(case: Case, policy: str, search: ScoreSearch | None = None) -> list[Gap]:
    """（七）: points short under ``policy``, and each single lever (IP, conversions) that suffices.

    The target is total > 70 under the point policy (``min``: even the minimum passes).
    ``search`` is the lever search when the caller has it already (same answers).
    """
    found = search if search is not None else search_score(case, policy)
    total = found.total
    short = math.floor(PASS_MARK - total) + 1
    code = "hnte.c7.innovation_score"
    gaps = [
        Gap(
            "innovation_score",
            f"创新能力评价（按{POLICY_LABELS[policy]}口径 {fmt_amount(total)} 分）"
            f"还差 {short} 分才能超过 70 分",
            short,
            "分",
            None,
            code,
        )
    ]
    if case.ip.class_i == 0 and found.class_i_passes:
        when = pending_date(case, ("I",), 1)
        gaps.append(Gap("ip_class_i", "还需 1 项 Ⅰ类知识产权" + _timing(when), 1, "项", when, code))
    k = found.class_ii
    if k:
        when = pending_date(case, ("II",), k)
        gaps.append(
            Gap("ip_class_ii", f"或还需 {k} 项Ⅱ类知识产权" + _timing(when), k, "项", when, code)
        )
    c = found.conversions
    if c:
        gaps.append(
            Gap("conversions_3y", f"或近三年科技成果转化需增加 {c} 项", c, "项", None, code)
        )
    return gaps


def collect(case: Case, conditions: Sequence[ConditionResult], policy: str) -> list[Gap]:
    """All gaps of the failing conditions (and of the score when the policy total ≤ 70)."""
    return collect_failed(case, {c.code for c in conditions if c.passed is False}, policy)


def collect_failed(
    case: Case, failed: Collection[str], policy: str, search: ScoreSearch | None = None
) -> list[Gap]:
    """:func:`collect` from the codes of the failing conditions (e.g. the vector engine's
    verdicts) and, optionally, the score search done already (:class:`ScoreSearch`)."""
    builders: tuple[tuple[str, Callable[[Case], Gap]], ...] = (
        ("hnte.c1.registration", registration_gap),
        ("hnte.c2.ip_ownership", ip_ownership_gap),
        ("hnte.c4.st_staff_ratio", staff_gap),
        ("hnte.c5.rd_ratio", rd_ratio_gap),
        ("hnte.c5.rd_domestic_share", domestic_gap),
        ("hnte.c6.hightech_revenue_share", hightech_gap),
    )
    gaps = [build(case) for code, build in builders if code in failed]
    if "hnte.c3.tech_field" in failed:
        gaps.append(
            Gap(
                "tech_field",
                "主要产品（服务）的核心技术须属于《国家重点支持的高新技术领域》八大领域",
                None,
                "",
                None,
                "hnte.c3.tech_field",
            )
        )
    total = search.total if search is not None else _policy_total(case, policy)
    if not score_passes(total):
        gaps.extend(score_gaps(case, policy, search))
    if "hnte.c8.no_major_incident" in failed:
        gaps.append(
            Gap(
                "incident",
                "申请前一年内发生过重大安全、重大质量事故或严重环境违法行为，需满一年后方可申请",
                None,
                "",
                None,
                "hnte.c8.no_major_incident",
            )
        )
    return gaps
