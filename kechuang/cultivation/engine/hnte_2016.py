"""Ruleset ``hnte-2016``: 高新技术企业认定 (国科发火〔2016〕32号 办法 第十一条 and the
国科发火〔2016〕195号 工作指引). Amounts in 万元; ratios are computed exactly (Fraction).

The eight conditions of 第十一条 are checked here; the 100-point 创新能力评价 lives in
:mod:`.hnte_2016_score` and the gap analysis in :mod:`.hnte_2016_gaps`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import hnte_2016_gaps as gaps
from .case import TECH_FIELDS, Case
from .common import combine, interval_verdict
from .hnte_2016_rules import (
    DOMESTIC_MIN,
    HIGHTECH_MIN,
    PASS_MARK,
    ST_STAFF_MIN,
    one_year_after,
    rd_ratio_threshold,
    score_passes,
    st_staff_share,
    window_sums,
)
from .hnte_2016_score import innovation_scores
from .numbers import fmt_amount, fmt_percent, percent, ratio
from .reader import CaseError
from .result import Assessment, ConditionResult, Interval, PointPolicy

CODE = "hnte-2016"
VERSION = "2016.1"
TITLE = "高新技术企业认定（国科发火〔2016〕32号、国科发火〔2016〕195号）"
ART = "国科发火〔2016〕32号 第十一条"

NOTES = (
    "研发费用、销售收入、总收入须按高企口径归集；委托外部研发按发生额 80% 计入的口径未经核实，"
    "本引擎不作调整，请按已归集的金额填报。",
    "「各级指标均按整数打分」未经核实；分值区间按官方档次上下限给出。",
    "注册满一年按周年日计算（官方天数口径未核实，取较晚的周年日）。",
    "境内研发费用占比按与研发费用比例相同的近三年窗口计算（对第十一条（五）的推论）。",
)


def check_case(case: Case) -> None:
    """Raise CaseError when the case lacks data this ruleset needs (3-year window, amounts)."""
    errors: dict[str, list[str]] = {}
    window = case.window(3)
    offset = len(case.years) - len(window)
    first_needed = max(case.registered_on.year, case.last_year.year - 2)
    if window[0].year > first_needed:
        errors["years"] = [
            f"企业于 {case.registered_on.year} 年成立，高企评价需提供 {first_needed}–"
            f"{case.last_year.year} 年的数据（实际经营不满三年的按实际经营年度）"
        ]
    required = {"rd_expense_domestic": "境内研发费用", "net_assets_end": "年末净资产"}
    for i, year in enumerate(window):
        for key, label in required.items():
            if getattr(year, key) is None:
                errors[f"years[{offset + i}].{key}"] = [f"高企评价需要填写{label}"]
    last = len(case.years) - 1
    for key, label in (
        ("total_revenue", "总收入"),
        ("hightech_revenue", "高新技术产品（服务）收入"),
    ):
        if getattr(case.last_year, key) is None:
            errors[f"years[{last}].{key}"] = [f"高企评价需要填写最近一年的{label}"]
    if errors:
        raise CaseError(errors)


def _condition(
    code: str,
    title: str,
    passed: bool | None,
    value: Any,
    threshold: Any,
    clause: str,
    note: str = "",
    unit: str = "",
    comparator: str = "≥",
) -> ConditionResult:
    """A 第十一条 condition result with the article prefix and ``hnte.`` code prefix."""
    return ConditionResult(
        f"hnte.{code}",
        title,
        passed,
        value,
        threshold,
        f"{ART}{clause}",
        note,
        unit,
        True,
        comparator,
    )


def _met(share: Fraction | None, minimum: Fraction) -> bool:
    """An undefined share (zero denominator) never meets a minimum."""
    return share is not None and share >= minimum


def c1_registration(case: Case) -> ConditionResult:
    """（一）注册成立一年以上: as_of ≥ first anniversary of registered_on. Value in days."""
    anniversary = one_year_after(case.registered_on)
    return _condition(
        "c1.registration",
        "（一）注册成立一年以上",
        case.as_of >= anniversary,
        (case.as_of - case.registered_on).days,
        (anniversary - case.registered_on).days,
        "（一）",
        f"满一年之日为 {anniversary.isoformat()}",
        unit="天",
    )


def c2_ip_ownership(case: Case) -> ConditionResult:
    """（二）拥有对主要产品发挥核心支持作用的知识产权: usable IP ≥ 1 and core support judged.

    No usable IP → False; core_support grade E (「无」核心支持作用) → False (inference);
    no grade yet → None (expert judgement); A–D → True.
    """
    usable = case.ip.class_i + case.ip.class_ii_usable
    grade = case.expert_grades.core_support
    if usable == 0:
        passed, note = False, "无可用的Ⅰ类或未使用过的Ⅱ类知识产权"
    elif grade is None:
        passed, note = None, "是否发挥核心支持作用待专家评价"
    elif grade == "E":
        passed, note = False, "专家评价核心支持作用为“无”（E 档），据此推论不满足本条"
    else:
        passed, note = True, f"核心支持作用评价 {grade} 档"
    title = "（二）拥有核心支持作用的知识产权所有权"
    return _condition("c2.ip_ownership", title, passed, usable, 1, "（二）", note, "项")


def c3_tech_field(case: Case) -> ConditionResult:
    """（三）核心技术属于《国家重点支持的高新技术领域》: tech_field in the 8 fields (2016)."""
    field = case.tech_field
    passed = None if field is None else field in TECH_FIELDS
    note = "未填写技术领域，待专家认定" if field is None else ""
    title = "（三）核心技术属于国家重点支持的高新技术领域"
    return _condition(
        "c3.tech_field", title, passed, field, "八大领域之一", "（三）", note, comparator="∈"
    )


def c4_st_staff(case: Case) -> ConditionResult:
    """（四）科技人员占当年职工总数 ≥ 10% (monthly averages, 195号 指引)."""
    share = st_staff_share(case)
    last = case.last_year
    note = (
        f"{last.year} 年科技人员 {fmt_amount(last.st_staff())} 人 ÷ "
        f"职工 {fmt_amount(last.employees())} 人（全年月平均数）"
    )
    return _condition(
        "c4.st_staff_ratio",
        "（四）科技人员占职工总数比例",
        _met(share, ST_STAFF_MIN),
        percent(share),
        percent(ST_STAFF_MIN),
        "（四）",
        note,
        "%",
    )


def c5_rd_ratio(case: Case) -> ConditionResult:
    """（五）Σ3y 研发费用 ÷ Σ3y 销售收入 ≥ band threshold chosen by last year's 销售收入."""
    rd, _, sales = window_sums(case)
    share = ratio(rd, sales)
    threshold = rd_ratio_threshold(case.last_year.sales_revenue)
    n = len(case.window(3))
    note = (
        f"近{n}年研发费用合计 {fmt_amount(rd)} 万元 ÷ 销售收入合计 {fmt_amount(sales)} 万元；"
        f"最近一年销售收入 {fmt_amount(case.last_year.sales_revenue)} 万元，"
        f"适用比例 {fmt_percent(threshold)}"
    )
    if share is None:
        note += "；销售收入合计为 0，比例无法计算，按不满足处理"
    title = "（五）研发费用占销售收入比例"
    return _condition(
        "c5.rd_ratio",
        title,
        _met(share, threshold),
        percent(share),
        percent(threshold),
        "（五）",
        note,
        "%",
    )


def c5_domestic_share(case: Case) -> ConditionResult:
    """（五）境内研发费用 ÷ 全部研发费用 ≥ 60%, over the same window ([U] window reading)."""
    rd, domestic, _ = window_sums(case)
    share = ratio(domestic, rd)
    note = f"境内研发费用合计 {fmt_amount(domestic)} 万元 ÷ 研发费用合计 {fmt_amount(rd)} 万元"
    if share is None:
        note += "；研发费用为 0，按不满足处理"
    return _condition(
        "c5.rd_domestic_share",
        "（五）境内研发费用占比",
        _met(share, DOMESTIC_MIN),
        percent(share),
        percent(DOMESTIC_MIN),
        "（五）",
        note,
        "%",
    )


def c6_hightech_share(case: Case) -> ConditionResult:
    """（六）近一年高新技术产品（服务）收入 ÷ 同期总收入 ≥ 60%."""
    last = case.last_year
    hightech, total = last.hightech_revenue or Decimal(0), last.total_revenue or Decimal(0)
    share = ratio(hightech, total)
    note = (
        f"{last.year} 年高新技术产品（服务）收入 {fmt_amount(hightech)} 万元 ÷ "
        f"总收入 {fmt_amount(total)} 万元"
    )
    return _condition(
        "c6.hightech_revenue_share",
        "（六）高新技术产品（服务）收入占比",
        _met(share, HIGHTECH_MIN),
        percent(share),
        percent(HIGHTECH_MIN),
        "（六）",
        note,
        "%",
    )


def c7_score(total: Interval) -> ConditionResult:
    """（七）创新能力评价 > 70 on the interval: True/False/None (depends on experts)."""
    return _condition(
        "c7.innovation_score",
        "（七）创新能力评价达到要求",
        interval_verdict(total, score_passes),
        total.text(),
        PASS_MARK,
        "（七）；国科发火〔2016〕195号 工作指引",
        "取值为分值区间：最低分超过 70 分为通过，最高分不超过 70 分为未通过，否则取决于专家评审",
        "分",
        ">",
    )


def c8_incident(case: Case) -> ConditionResult:
    """（八）申请前一年内未发生重大安全、重大质量事故或严重环境违法行为 (declared)."""
    incident = case.major_incident_last_year
    title = "（八）前一年内无重大事故或严重环境违法"
    value = "有" if incident else "无"
    return _condition(
        "c8.no_major_incident",
        title,
        not incident,
        value,
        "无",
        "（八）",
        "依企业声明",
        comparator="=",
    )


def assess(case: Case, point_policy: PointPolicy = "min", with_gaps: bool = True) -> Assessment:
    """Assess ``case`` (amounts 万元) against 第十一条 and the 195号 指引 scoring.

    ``point_policy`` picks one number from the total interval for display and for the score
    gap target; eligibility always uses the whole interval. ``with_gaps=False`` skips the gap
    analysis (the verdicts are the same), e.g. to compare like for like with the vector engine.
    """
    check_case(case)
    items, total = innovation_scores(case)
    conditions = (
        c1_registration(case),
        c2_ip_ownership(case),
        c3_tech_field(case),
        c4_st_staff(case),
        c5_rd_ratio(case),
        c5_domestic_share(case),
        c6_hightech_share(case),
        c7_score(total),
        c8_incident(case),
    )
    return Assessment(
        ruleset=CODE,
        version=VERSION,
        title=TITLE,
        as_of=case.as_of,
        eligible=combine(conditions),
        conditions=conditions,
        scores=tuple(items),
        total=total,
        total_points_by_policy=total.point(point_policy),
        point_policy=point_policy,
        gaps=tuple(gaps.collect(case, conditions, point_policy)) if with_gaps else (),
        notes=NOTES + tuple(_case_notes(case)),
    )


def _case_notes(case: Case) -> list[str]:
    """Notes that depend on the case (short operating history, configured divisors)."""
    notes = []
    if len(case.window(3)) < 3:
        notes.append(
            f"实际经营不满三年，按 {len(case.window(3))} 个会计年度计算"
            "（第十一条（五）「按实际经营时间计算」）。"
        )
    if case.options.hnte_conversion_divisor == "operating_years" and len(case.window(3)) < 3:
        notes.append("科技成果转化年均数按实际经营年度数计算（可配置为固定除以 3）。")
    return notes
