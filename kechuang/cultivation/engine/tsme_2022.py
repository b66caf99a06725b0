"""Ruleset ``tsme-2022``: 科技型中小企业评价 (国科发政〔2017〕115号 评价办法 第六、七、八条,
as refined by 国科火字〔2022〕67号《科技型中小企业评价服务工作指引》). Amounts in 万元.

Pass: 第六条（一）–（四） all hold, and either the score is ≥60 with a non-zero 科技人员 score
(第六条（五）) or one of the four direct routes of 第八条 applies.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from . import tsme_2022_gaps as gaps
from .case import Case
from .common import combine
from .numbers import ceil_places, frac
from .reader import CaseError
from .result import Assessment, ConditionResult, Eligibility, Interval, PointPolicy
from .tsme_2022_score import PASS_MARK, staff_points, tsme_scores

CODE = "tsme-2022"
VERSION = "2022.1"
TITLE = "科技型中小企业评价（国科发政〔2017〕115号、国科火字〔2022〕67号）"
ART = "国科发政〔2017〕115号"
ART_2022 = "国科火字〔2022〕67号"

EMPLOYEES_MAX = Decimal(500)  # 115号 第六条（二）「职工总数不超过500人」
SALES_MAX = Decimal(20000)  # 115号 第六条（二）「年销售收入不超过2亿元」
ASSETS_MAX = Decimal(20000)  # 115号 第六条（二）「资产总额不超过2亿元」
AWARD_WINDOW_YEARS = 5  # 115号 第八条（二）「近五年内」（起算口径未核实）
AWARD_RANK_MAX = 3  # 115号 第八条（二）「在获奖单位中排在前三名」

NOTES = (
    "科技人员、研发投入、规模指标均取最近一个会计年度的数据（评价年度口径为推论，原文未列明）。",
    "科小科技人员定义要求兼职、临时聘用人员累计工作 6 个月以上（高企为 183 天）；"
    "本引擎使用同一科技人员数。",
    "研发投入两个方案均已计算；企业可自选其一，默认取得分较高者"
    "（可通过 options.tsme_rd_option 指定）。",
    "第八条（二）“近五年内”按评估年度及之前四年计（起算口径未核实，取较窄口径）。",
)


def check_case(case: Case) -> None:
    """Raise CaseError when the last year lacks 资产总额 (needed for 第六条（二）)."""
    if case.last_year.total_assets_end is None:
        raise CaseError(
            {
                f"years[{len(case.years) - 1}].total_assets_end": [
                    "科小评价需要填写最近一年的年末资产总额"
                ]
            }
        )


def _cap(code: str, title: str, value: Fraction, cap: Decimal, unit: str) -> ConditionResult:
    """A size cap 「不超过」: value ≤ cap, compared exactly; shown rounded UP to 0.01."""
    article = f"{ART} 第六条（二）"
    shown = ceil_places(value, 2)
    return ConditionResult(code, title, value <= cap, shown, cap, article, "", unit, True, "≤")


def _declared(
    code: str, title: str, ok: bool, value: str, wanted: str, clause: str, note: str
) -> ConditionResult:
    """A condition the enterprise declares (第六条（一）（三）（四）), compared by equality."""
    article = f"{ART} 第六条{clause}；{ART_2022}"
    return ConditionResult(code, title, ok, value, wanted, article, note, "", True, "=")


def basic_conditions(case: Case) -> list[ConditionResult]:
    """第六条（一）–（四）: residence, size caps, industry, integrity (as declared)."""
    last = case.last_year
    resident, restricted = case.resident_enterprise, case.industry_restricted
    integrity_ok = not case.major_incident_last_year and not case.listed_abnormal_or_dishonest
    return [
        _declared(
            "tsme.c1.resident",
            "（一）境内注册的居民企业",
            resident,
            "是" if resident else "否",
            "是",
            "（一）",
            "2022 指引：须会计核算健全、实行查账征收、能准确归集研发费用",
        ),
        _cap(
            "tsme.c2.employees",
            "（二）职工总数不超过 500 人",
            last.employees(),
            EMPLOYEES_MAX,
            "人",
        ),
        _cap(
            "tsme.c2.sales",
            "（二）年销售收入不超过 2 亿元",
            frac(last.sales_revenue),
            SALES_MAX,
            "万元",
        ),
        _cap(
            "tsme.c2.assets",
            "（二）资产总额不超过 2 亿元",
            frac(last.total_assets_end or 0),
            ASSETS_MAX,
            "万元",
        ),
        _declared(
            "tsme.c3.industry",
            "（三）所在行业不属于禁止、限制、淘汰类或负面清单",
            not restricted,
            "属于" if restricted else "不属于",
            "不属于",
            "（三）",
            "依企业声明",
        ),
        _declared(
            "tsme.c4.integrity",
            "（四）无重大事故、严重违法失信，未列入异常名录",
            integrity_ok,
            "无" if integrity_ok else "有",
            "无",
            "（四）",
            "依企业声明（上一会计年度及当年）",
        ),
    ]


def score_conditions(total: Interval, staff: int) -> list[ConditionResult]:
    """第六条（五）: total ≥ 60 and 科技人员指标 ≠ 0."""
    article = f"{ART} 第六条（五）"
    return [
        ConditionResult(
            "tsme.c5.total",
            "（五）综合评价不低于 60 分",
            total.min >= PASS_MARK,
            total.min,
            PASS_MARK,
            article,
            "",
            "分",
        ),
        ConditionResult(
            "tsme.c5.st_staff_nonzero",
            "（五）科技人员指标得分不为 0",
            staff > 0,
            staff,
            0,
            article,
            "科技人员占比不足 10% 时该项为 0 分",
            "分",
            True,
            ">",
        ),
    ]


def _route(code: str, title: str, held: bool, clause: str) -> ConditionResult:
    """A 第八条 direct-qualification route (an alternative, not required)."""
    article = f"{ART} 第八条{clause}"
    value = "是" if held else "否"
    return ConditionResult(code, title, held, value, "是", article, "", "", False, "=")


def direct_routes(case: Case) -> list[ConditionResult]:
    """第八条 direct qualification routes (alternatives, ``required=False``).

    Awards count when national, ranked ≤3 and 0 ≤ as_of.year − award year < 5 ([U] window).
    """
    recent = [
        a
        for a in case.awards
        if a.level == "national"
        and a.rank <= AWARD_RANK_MAX
        and 0 <= case.as_of.year - a.year < AWARD_WINDOW_YEARS
    ]
    return [
        _route(
            "tsme.c8.hnte",
            "直接确认（一）：拥有有效期内高新技术企业资格证书",
            "HNTE" in case.qualifications,
            "（一）",
        ),
        _route(
            "tsme.c8.national_award",
            "直接确认（二）：近五年获国家级科技奖励且排名前三",
            bool(recent),
            "（二）",
        ),
        _route(
            "tsme.c8.rd_institution",
            "直接确认（三）：拥有经认定的省部级以上研发机构",
            case.provincial_rd_institution,
            "（三）",
        ),
        _route(
            "tsme.c8.standard",
            "直接确认（四）：近五年主导制定过国际、国家或行业标准",
            case.led_standard_last_5y,
            "（四）",
        ),
    ]


def eligibility(conditions: list[ConditionResult]) -> Eligibility:
    """（一）–（四） must hold; then pass via 第八条 or via 第六条（五）."""
    basic = [c for c in conditions if c.code.split(".")[1] in ("c1", "c2", "c3", "c4")]
    if any(c.passed is False for c in basic):
        return "fail"
    if any(c.passed for c in conditions if c.code.startswith("tsme.c8")):
        return combine(basic)
    return combine(conditions)


def assess(case: Case, point_policy: PointPolicy = "min", with_gaps: bool = True) -> Assessment:
    """Assess ``case`` (last-year figures, 万元) under 115号 as refined by the 2022 指引;
    ``with_gaps=False`` skips the gap analysis (the verdicts are the same)."""
    check_case(case)
    items, total = tsme_scores(case)
    conditions = [
        *basic_conditions(case),
        *score_conditions(total, staff_points(case)),
        *direct_routes(case),
    ]
    eligible = eligibility(conditions)
    notes = list(NOTES)
    direct = [c.title for c in conditions if c.code.startswith("tsme.c8") and c.passed]
    if direct and eligible == "pass":
        notes.append(f"符合第八条，可直接确认：{'；'.join(direct)}")
    return Assessment(
        ruleset=CODE,
        version=VERSION,
        title=TITLE,
        as_of=case.as_of,
        eligible=eligible,
        conditions=tuple(conditions),
        scores=tuple(items),
        total=total,
        total_points_by_policy=total.point(point_policy),
        point_policy=point_policy,
        gaps=tuple(gaps.collect(case, conditions, eligible)) if with_gaps else (),
        notes=tuple(notes),
    )
