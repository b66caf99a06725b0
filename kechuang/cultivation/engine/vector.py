"""Vectorised screening of many enterprises against ``hnte-2016`` and ``tsme-2022`` (numpy).

The single-case engines (:mod:`.hnte_2016`, :mod:`.tsme_2022`) are the reference; this module
computes the same ``eligible`` answer, the same total score interval and the same condition
verdicts for a whole column store at once, without Django and without gaps/notes/texts.

Exactness: amounts are carried as int64 in units of 0.01 万元 and headcounts in 0.01 persons, so
every threshold of 国科发火〔2016〕32号 第十一条 and 国科发政〔2017〕115号 第六、七条 is an integer
cross-multiplication (e.g. 研发费用比例 ``rd * 100 >= 5 * sales``). The only non-linear test,
the 3-year growth rate of the 195号 指引 (企业成长性), is computed in float64 and every row whose
rate lies within 1e-9 of a band edge is recomputed with :class:`fractions.Fraction`, so results
are identical to the single-case engine, not approximately equal.

Input: :class:`FigureArrays` (one row per enterprise; year columns right-aligned, column 2 = the
most recent accounting year, ``n_years`` of the (up to) 3-year window are valid). Build it
directly (see ``bench/bench_screening.py``) or from :class:`.case.Case` objects with
:func:`figures_from_cases`, which rejects (:class:`VectorInputError`) cases the vector path does
not cover: monthly headcounts (``employees_monthly``/``st_staff_monthly``), amounts or
headcounts with more than two decimal places, absolute amounts ≥ 10¹³ 万元, a different
``as_of`` per case, and cases the single-case engines reject (missing 境内研发费用/净资产/总收入/
高新收入/资产总额). Pending IP (``ip.pending``) only feeds the gap analysis and is ignored; awards
are reduced to the 第八条（二） flag ``national_award_recent``.

Output: :class:`ScreenResult` per ruleset: ``eligible`` (0 fail, 1 pass, 2
depends_on_expert_judgement), ``total_min``/``total_max`` (points), ``points`` for the point
policy, and ``conditions`` (code → int8: 0 False, 1 True, 2 None/undecided).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from . import hnte_2016, tsme_2022
from .case import EXPERT_GRADES, TECH_FIELDS, Case
from .reader import CaseError

__all__ = [
    "DEPENDS",
    "ELIGIBLE_CODES",
    "FAIL",
    "PASS",
    "FigureArrays",
    "ScreenResult",
    "VectorInputError",
    "figures_from_cases",
    "screen",
    "screen_hnte",
    "screen_tsme",
    "take_rows",
]

FAIL, PASS, DEPENDS = 0, 1, 2
ELIGIBLE_CODES: dict[str, int] = {
    "fail": FAIL,
    "pass": PASS,
    "depends_on_expert_judgement": DEPENDS,
}
UNDECIDED = 2  # a condition verdict of None
SCALE = 100  # amounts in 0.01 万元, headcounts in 0.01 persons
AMOUNT_LIMIT = 10**15  # |amount| < 10¹³ 万元 keeps every int64 cross-product exact
TECH_UNKNOWN, TECH_LISTED, TECH_OTHER = 0, 1, 2
RD_OPTION_CODES: dict[str, int] = {"best": 0, "sales": 1, "cost": 2}

I64 = NDArray[np.int64]
I8 = NDArray[np.int8]
B = NDArray[np.bool_]

YEAR_COLUMNS = (
    "sales",
    "total_revenue",
    "hightech_revenue",
    "rd",
    "rd_domestic",
    "cost_total",
    "net_assets",
    "total_assets",
    "employees",
    "st_staff",
)
CASE_YEAR_FIELDS: dict[str, str] = {
    "sales": "sales_revenue",
    "total_revenue": "total_revenue",
    "hightech_revenue": "hightech_revenue",
    "rd": "rd_expense",
    "rd_domestic": "rd_expense_domestic",
    "cost_total": "cost_expense_total",
    "net_assets": "net_assets_end",
    "total_assets": "total_assets_end",
    "employees": "employees_avg",
    "st_staff": "st_staff_avg",
}


class VectorInputError(ValueError):
    """A case or column the vector path cannot represent exactly (message names the case)."""


@dataclass
class FigureArrays:
    """Column store of ``n`` enterprises as of one ``as_of`` date.

    Year columns are ``(n, 3)`` int64, right-aligned (column 2 = most recent year; columns before
    ``3 - n_years`` are ignored): amounts in 0.01 万元, headcounts (全年月平均数) in 0.01 persons.
    A missing 总收入/高新收入/成本费用支出总额 is 0 (the engines treat both alike).
    Scalars per enterprise (``(n,)``): ``registered_on`` datetime64[D]; ``tech_field``
    0 unknown / 1 one of the eight 2016 fields / 2 other; expert grades 0–4 = A–E, −1 ungraded;
    ``rd_management_points`` 0–20, −1 ungraded; ``self_developed`` 1/0, −1 unknown;
    ``tsme_rd_option`` 0 best / 1 sales / 2 cost.
    """

    as_of: date
    n_years: NDArray[np.int8]
    sales: I64
    total_revenue: I64
    hightech_revenue: I64
    rd: I64
    rd_domestic: I64
    cost_total: I64
    net_assets: I64
    total_assets: I64
    employees: I64
    st_staff: I64
    registered_on: NDArray[np.datetime64]
    tech_field: I8
    class_i: I64
    class_ii: I64
    class_ii_used_before: I64
    self_developed: I8
    standards_drafted: B
    conversions_3y: I64
    advancement: I8
    core_support: I8
    rd_management_points: I8
    major_incident: B
    has_hnte: B
    national_award_recent: B
    provincial_rd_institution: B
    resident_enterprise: B
    industry_restricted: B
    listed_abnormal_or_dishonest: B
    led_standard_last_5y: B
    conversion_divisor_three: B
    short_history_zero: B
    tsme_rd_option: I8
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.n_years)
        for item in fields(self):
            if item.name in ("as_of", "extra"):
                continue
            value = getattr(self, item.name)
            shape = (n, 3) if item.name in YEAR_COLUMNS else (n,)
            if not isinstance(value, np.ndarray) or value.shape != shape:
                raise VectorInputError(f"{item.name} 应为形状 {shape} 的 numpy 数组")
        if n and (self.n_years.min() < 1 or self.n_years.max() > 3):
            raise VectorInputError("n_years 应在 1–3 之间")
        for name in YEAR_COLUMNS:
            column = getattr(self, name)
            if n and int(np.abs(column).max()) >= AMOUNT_LIMIT:
                raise VectorInputError(f"{name} 超出精确计算范围（绝对值应小于 10¹³ 万元）")

    def __len__(self) -> int:
        return len(self.n_years)


@dataclass
class ScreenResult:
    """One ruleset's answers for every row: see the module docstring for the codes."""

    ruleset: str
    eligible: I8
    total_min: I64
    total_max: I64
    points: NDArray[np.float64]
    conditions: dict[str, I8]


# --------------------------------------------------------------------------- helpers


def _tri(true: B, false: B | None = None) -> I8:
    """Verdict codes: 1 where ``true``, 0 where ``false`` (default: not true), else 2."""
    if false is None:
        return true.astype(np.int8)
    out = np.full(true.shape, UNDECIDED, dtype=np.int8)
    out[false] = 0
    out[true] = 1
    return out


def _combine(verdicts: list[I8]) -> I8:
    """common.combine: any False → fail, all True → pass, else depends on experts."""
    stack = np.stack(verdicts)
    out = np.full(stack.shape[1], DEPENDS, dtype=np.int8)
    out[(stack == 1).all(axis=0)] = PASS
    out[(stack == 0).any(axis=0)] = FAIL
    return out


def _points(lo: I64, hi: I64, policy: str) -> NDArray[np.float64]:
    """Interval.point: min, max or mid (halves are exact in float64)."""
    if policy == "min":
        return lo.astype(np.float64)
    if policy == "max":
        return hi.astype(np.float64)
    if policy == "mid":
        return (lo + hi) / 2.0
    raise ValueError(f"未知的取分口径“{policy}”，应为 min、mid、max 之一")


def _bands(value_ge: list[B], points: list[int], default: int = 0) -> I64:
    """Points of the first band (highest first) whose ``≥`` test holds, else ``default``."""
    return np.select(value_ge, points, default).astype(np.int64)


# --------------------------------------------------------------------------- hnte-2016

# 195号 指引 知识产权: 技术先进程度 / 核心支持作用 / 数量 A 7–8, B 5–6, C 3–4, D 1–2, E 0
_GRADE_LO = np.array([7, 5, 3, 1, 0], dtype=np.int64)
_GRADE_HI = np.array([8, 6, 4, 2, 0], dtype=np.int64)
# 195号 指引 企业成长性: A 9–10, B 7–8, C 5–6, D 3–4, E 1–2, F 0 (edges 35/25/15/5 %, > 0)
_GROWTH_LO = np.array([9, 7, 5, 3, 1, 0], dtype=np.int64)
_GROWTH_HI = np.array([10, 8, 6, 4, 2, 0], dtype=np.int64)
_GROWTH_EDGES = (Fraction(35, 100), Fraction(25, 100), Fraction(15, 100), Fraction(5, 100))


def _expert_interval(grade: I8) -> tuple[I64, I64]:
    """技术先进程度 / 核心支持作用 (≤8): the band of grade A–E; ungraded → 0–8."""
    index = np.clip(grade, 0, 4)
    lo = np.where(grade < 0, 0, _GRADE_LO[index])
    hi = np.where(grade < 0, 8, _GRADE_HI[index])
    return lo, hi


def _growth_grade_exact(y1: int, y2: int, y3: int, pair: bool) -> int:
    """Exact grade index (0 A … 5 F) of a defined growth rate (195号 指引 企业成长性)."""
    back = Fraction(y3, y2)
    rate = back - 1 if pair else (Fraction(y2, y1) + back) / 2 - 1
    for index, edge in enumerate(_GROWTH_EDGES):
        if rate >= edge:
            return index
    return 4 if rate > 0 else 5


def _growth_interval(values: I64, n_years: NDArray[np.int8], short_zero: B) -> tuple[I64, I64]:
    """增长率 points (≤10) per hnte_2016_score.growth_rate/growth_grade, vectorised.

    3 years: ½(Y2/Y1 + Y3/Y2) − 1; Y1 = 0 → Y3/Y2 − 1; Y2 = 0 or a negative Y1/Y2 → 0 分.
    2 years: Y2/Y1 − 1 (0 分 when 0 or negative, or with ``short_history_zero``); 1 year: 0 分.
    """
    y1, y2, y3 = values[:, 0], values[:, 1], values[:, 2]
    three = n_years == 3
    pair = (n_years == 2) | (three & (y1 == 0))
    triple = three & (y1 > 0)
    defined = (y2 > 0) & (pair | triple) & ~((n_years < 3) & short_zero)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1, f2, f3 = (y.astype(np.float64) for y in (y1, y2, y3))
        back = f3 / f2
        rate = np.where(pair, back - 1.0, (f2 / f1 + back) / 2.0 - 1.0)
    rate = np.where(defined, rate, -1.0)
    grade = np.select(
        [rate >= 0.35, rate >= 0.25, rate >= 0.15, rate >= 0.05, rate > 0.0], [0, 1, 2, 3, 4], 5
    )
    near = np.zeros(len(rate), dtype=bool)
    for edge in (0.0, 0.05, 0.15, 0.25, 0.35):
        near |= np.abs(rate - edge) <= 1e-9
    for i in np.flatnonzero(near & defined):
        grade[i] = _growth_grade_exact(int(y1[i]), int(y2[i]), int(y3[i]), bool(pair[i]))
    return _GROWTH_LO[grade], _GROWTH_HI[grade]


def _window_sum(values: I64, n_years: NDArray[np.int8]) -> I64:
    """Σ over the valid (right-aligned) window columns."""
    valid = np.arange(3)[None, :] >= (3 - n_years.astype(np.int64))[:, None]
    return np.where(valid, values, 0).sum(axis=1)


def hnte_scores(fig: FigureArrays) -> tuple[I64, I64]:
    """Total interval of the 100-point 创新能力评价 (国科发火〔2016〕195号 工作指引)."""
    usable_ii = fig.class_ii - fig.class_ii_used_before
    usable = fig.class_i + usable_ii
    adv_lo, adv_hi = _expert_interval(fig.advancement)
    core_lo, core_hi = _expert_interval(fig.core_support)
    # 知识产权数量: ≥1 Ⅰ类 A; 可用Ⅱ类 ≥5 B, 3–4 C, 1–2 D; else E
    qty = np.select(
        [fig.class_i >= 1, usable_ii >= 5, usable_ii >= 3, usable_ii >= 1], [0, 1, 2, 3], 4
    )
    # 获得方式: no IP 0; 自主研发 or unknown 1–6; 仅受让等 1–3
    acq_lo = np.where(usable == 0, 0, 1)
    acq_hi = np.where(usable == 0, 0, np.where(fig.self_developed == 0, 3, 6))
    bonus_lo = np.where(fig.standards_drafted, 1, 0)
    bonus_hi = np.where(fig.standards_drafted, 2, 0)
    ip_lo = np.minimum(adv_lo + core_lo + _GRADE_LO[qty] + acq_lo + bonus_lo, 30)
    ip_hi = np.minimum(adv_hi + core_hi + _GRADE_HI[qty] + acq_hi + bonus_hi, 30)
    # 科技成果转化能力: 年均 = conversions ÷ divisor; ≥5 25–30 … ≥1 1–6; (0,1) 0–6; 0 → 0
    divisor = np.where(fig.conversion_divisor_three, 3, fig.n_years.astype(np.int64))
    conv = fig.conversions_3y
    tests = [conv >= k * divisor for k in (5, 4, 3, 2, 1)] + [conv > 0]
    conv_lo = _bands(tests, [25, 19, 13, 7, 1, 0])
    conv_hi = _bands(tests, [30, 24, 18, 12, 6, 6])
    # 研究开发组织管理水平: expert points, ungraded 0–20
    mgmt = fig.rd_management_points.astype(np.int64)
    mgmt_lo = np.where(mgmt < 0, 0, mgmt)
    mgmt_hi = np.where(mgmt < 0, 20, mgmt)
    # 企业成长性: 净资产增长率 + 销售收入增长率
    na_lo, na_hi = _growth_interval(fig.net_assets, fig.n_years, fig.short_history_zero)
    sa_lo, sa_hi = _growth_interval(fig.sales, fig.n_years, fig.short_history_zero)
    total_lo = ip_lo + conv_lo + mgmt_lo + na_lo + sa_lo
    total_hi = ip_hi + conv_hi + mgmt_hi + na_hi + sa_hi
    return total_lo.astype(np.int64), total_hi.astype(np.int64)


def screen_hnte(fig: FigureArrays, point_policy: str = "min") -> ScreenResult:
    """高新技术企业认定, 国科发火〔2016〕32号 第十一条（一）–（八） and the 195号 指引 score."""
    lo, hi = hnte_scores(fig)
    last = slice(None), 2
    # （一）注册成立一年以上: as_of ≥ first anniversary (29 Feb → 1 Mar), compared as YYYYMMDD
    reg = fig.registered_on.astype("datetime64[D]")
    month_start = reg.astype("datetime64[M]")
    reg_key = (
        (reg.astype("datetime64[Y]").astype(np.int64) + 1970) * 10000
        + (month_start.astype(np.int64) % 12 + 1) * 100
        + (reg - month_start).astype(np.int64)
        + 1
    )
    as_of_key = fig.as_of.year * 10000 + fig.as_of.month * 100 + fig.as_of.day
    c1 = _tri(as_of_key >= reg_key + 10000)
    # （二）usable IP ≥ 1 and 核心支持作用 graded A–D (E → False, ungraded → None)
    usable = fig.class_i + fig.class_ii - fig.class_ii_used_before
    c2 = _tri(
        (usable > 0) & (fig.core_support >= 0) & (fig.core_support <= 3),
        (usable == 0) | (fig.core_support == 4),
    )
    # （三）技术领域 in the eight fields (unknown → None)
    c3 = _tri(fig.tech_field == TECH_LISTED, fig.tech_field == TECH_OTHER)
    # （四）科技人员 ≥ 10% of 职工总数 (last year)
    emp, st = fig.employees[last], fig.st_staff[last]
    c4 = _tri((emp > 0) & (st * 100 >= 10 * emp))
    # （五）Σ研发费用 ÷ Σ销售收入 ≥ 5% / 4% / 3% by last year's 销售收入 (≤5000, ≤20000 含)
    rd_sum = _window_sum(fig.rd, fig.n_years)
    sales_sum = _window_sum(fig.sales, fig.n_years)
    last_sales = fig.sales[last]
    threshold = np.where(last_sales <= 5000 * SCALE, 5, np.where(last_sales <= 20000 * SCALE, 4, 3))
    c5 = _tri((sales_sum > 0) & (rd_sum * 100 >= threshold * sales_sum))
    # （五）境内研发费用 ≥ 60% of 研发费用 (same window)
    domestic_sum = _window_sum(fig.rd_domestic, fig.n_years)
    c5d = _tri((rd_sum > 0) & (domestic_sum * 100 >= 60 * rd_sum))
    # （六）高新技术产品（服务）收入 ≥ 60% of 总收入 (last year)
    total_rev, hightech = fig.total_revenue[last], fig.hightech_revenue[last]
    c6 = _tri((total_rev > 0) & (hightech * 100 >= 60 * total_rev))
    # （七）创新能力评价 > 70 on the interval
    c7 = _tri(lo > 70, hi <= 70)
    # （八）no major incident
    c8 = _tri(~fig.major_incident)
    conditions = {
        "hnte.c1.registration": c1,
        "hnte.c2.ip_ownership": c2,
        "hnte.c3.tech_field": c3,
        "hnte.c4.st_staff_ratio": c4,
        "hnte.c5.rd_ratio": c5,
        "hnte.c5.rd_domestic_share": c5d,
        "hnte.c6.hightech_revenue_share": c6,
        "hnte.c7.innovation_score": c7,
        "hnte.c8.no_major_incident": c8,
    }
    return ScreenResult(
        "hnte-2016",
        _combine(list(conditions.values())),
        lo,
        hi,
        _points(lo, hi, point_policy),
        conditions,
    )


# --------------------------------------------------------------------------- tsme-2022


def tsme_scores(fig: FigureArrays) -> tuple[I64, I64]:
    """(科技人员 points, total) of 国科发政〔2017〕115号 第七条 (last year's figures, exact)."""
    emp, st = fig.employees[:, 2], fig.st_staff[:, 2]
    staff = _bands(
        [(emp > 0) & (st * 100 >= k * emp) for k in (30, 25, 20, 15, 10)], [20, 16, 12, 8, 4]
    )
    rd, sales, cost = fig.rd[:, 2], fig.sales[:, 2], fig.cost_total[:, 2]
    by_sales = _bands(
        [(sales > 0) & (rd * 100 >= k * sales) for k in (6, 5, 4, 3, 2)], [50, 40, 30, 20, 10]
    )
    by_cost = _bands(
        [(cost > 0) & (rd * 100 >= k * cost) for k in (30, 25, 20, 15, 10)], [50, 40, 30, 20, 10]
    )
    rd_points = np.select(
        [fig.tsme_rd_option == 1, fig.tsme_rd_option == 2],
        [by_sales, by_cost],
        np.maximum(by_sales, by_cost),
    )
    ip = _bands(
        [
            fig.class_i >= 1,
            fig.class_ii >= 4,
            fig.class_ii >= 3,
            fig.class_ii >= 2,
            fig.class_ii >= 1,
        ],
        [30, 24, 18, 12, 6],
    )
    return staff, (staff + rd_points + ip).astype(np.int64)


def screen_tsme(fig: FigureArrays, point_policy: str = "min") -> ScreenResult:
    """科技型中小企业评价, 115号 第六条（一）–（五）, 第七条 score, 第八条 direct routes."""
    staff, total = tsme_scores(fig)
    conditions = {
        "tsme.c1.resident": _tri(fig.resident_enterprise),
        "tsme.c2.employees": _tri(fig.employees[:, 2] <= 500 * SCALE),
        "tsme.c2.sales": _tri(fig.sales[:, 2] <= 20000 * SCALE),
        "tsme.c2.assets": _tri(fig.total_assets[:, 2] <= 20000 * SCALE),
        "tsme.c3.industry": _tri(~fig.industry_restricted),
        "tsme.c4.integrity": _tri(~fig.major_incident & ~fig.listed_abnormal_or_dishonest),
        "tsme.c5.total": _tri(total >= 60),
        "tsme.c5.st_staff_nonzero": _tri(staff > 0),
        "tsme.c8.hnte": _tri(fig.has_hnte),
        "tsme.c8.national_award": _tri(fig.national_award_recent),
        "tsme.c8.rd_institution": _tri(fig.provincial_rd_institution),
        "tsme.c8.standard": _tri(fig.led_standard_last_5y),
    }
    codes = list(conditions)
    basic = np.stack([conditions[c] for c in codes[:6]]).all(axis=0)
    direct = np.stack([conditions[c] for c in codes[8:]]).any(axis=0)
    scored = (conditions["tsme.c5.total"] == 1) & (conditions["tsme.c5.st_staff_nonzero"] == 1)
    eligible = np.where(basic & (direct | scored), PASS, FAIL).astype(np.int8)
    return ScreenResult(
        "tsme-2022", eligible, total, total, _points(total, total, point_policy), conditions
    )


def screen(code: str, fig: FigureArrays, point_policy: str = "min") -> ScreenResult:
    """Screen ``fig`` with the ruleset ``code`` (``hnte-2016`` or ``tsme-2022``)."""
    if code == "hnte-2016":
        return screen_hnte(fig, point_policy)
    if code == "tsme-2022":
        return screen_tsme(fig, point_policy)
    raise ValueError(f"未知的评价规则“{code}”，可用的规则为：hnte-2016、tsme-2022")


def take_rows(fig: FigureArrays, rows: NDArray[np.int64]) -> FigureArrays:
    """The column store of the rows ``rows`` of ``fig`` (same ``as_of``)."""
    columns = {
        item.name: getattr(fig, item.name)[rows]
        for item in fields(fig)
        if item.name not in ("as_of", "extra")
    }
    return FigureArrays(as_of=fig.as_of, extra=dict(fig.extra), **columns)


# --------------------------------------------------------------------------- from cases


def _scaled(value: Decimal | None, what: str) -> int:
    """``value`` × 100 as an exact int (None → 0); more than two decimals is rejected."""
    if value is None:
        return 0
    scaled = Decimal(value) * SCALE
    if scaled != scaled.to_integral_value():
        raise VectorInputError(f"{what} 超过两位小数，向量化路径无法精确表示")
    return int(scaled)


def _grade_code(grade: str | None) -> int:
    """A–E → 0–4; ungraded → −1."""
    return -1 if grade is None else EXPERT_GRADES.index(grade)


def figures_from_cases(cases: list[Case]) -> FigureArrays:
    """Column store of ``cases`` (all with the same ``as_of``) for :func:`screen`.

    Raises :class:`VectorInputError` naming the case index for cases the vector path does not
    cover (see the module docstring) and for cases either single-case engine rejects.
    """
    n = len(cases)
    if n == 0:
        raise VectorInputError("没有案例")
    as_of = cases[0].as_of
    cols = {name: np.zeros((n, 3), dtype=np.int64) for name in YEAR_COLUMNS}
    scal: dict[str, list[object]] = {name: [] for name in SCALAR_FIELDS}
    n_years = np.zeros(n, dtype=np.int8)
    for i, case in enumerate(cases):
        where = f"案例 {i}："
        if case.as_of != as_of:
            raise VectorInputError(f"{where}评估日期与第一个案例不同，向量化筛查要求同一评估日期")
        try:
            hnte_2016.check_case(case)
            tsme_2022.check_case(case)
        except CaseError as exc:
            raise VectorInputError(f"{where}单案例引擎拒绝该案例：{exc}") from exc
        window = case.window(3)
        n_years[i] = len(window)
        for j, year in enumerate(window, start=3 - len(window)):
            if year.employees_monthly is not None or year.st_staff_monthly is not None:
                raise VectorInputError(f"{where}{year.year} 年使用月度人数，向量化路径不支持")
            for name, attr in CASE_YEAR_FIELDS.items():
                cols[name][i, j] = _scaled(getattr(year, attr), f"{where}{year.year} 年 {attr}")
        awards = [
            a
            for a in case.awards
            if a.level == "national" and a.rank <= 3 and 0 <= as_of.year - a.year < 5
        ]
        tech = (
            TECH_UNKNOWN
            if case.tech_field is None
            else (TECH_LISTED if case.tech_field in TECH_FIELDS else TECH_OTHER)
        )
        grades, ip, opts = case.expert_grades, case.ip, case.options
        row = {
            "registered_on": np.datetime64(case.registered_on, "D"),
            "tech_field": tech,
            "class_i": ip.class_i,
            "class_ii": ip.class_ii,
            "class_ii_used_before": ip.class_ii_used_before,
            "self_developed": -1 if ip.self_developed is None else int(ip.self_developed),
            "standards_drafted": ip.standards_drafted,
            "conversions_3y": case.conversions_3y,
            "advancement": _grade_code(grades.advancement),
            "core_support": _grade_code(grades.core_support),
            "rd_management_points": -1
            if grades.rd_management_points is None
            else grades.rd_management_points,
            "major_incident": case.major_incident_last_year,
            "has_hnte": "HNTE" in case.qualifications,
            "national_award_recent": bool(awards),
            "provincial_rd_institution": case.provincial_rd_institution,
            "resident_enterprise": case.resident_enterprise,
            "industry_restricted": case.industry_restricted,
            "listed_abnormal_or_dishonest": case.listed_abnormal_or_dishonest,
            "led_standard_last_5y": case.led_standard_last_5y,
            "conversion_divisor_three": opts.hnte_conversion_divisor == "three",
            "short_history_zero": opts.hnte_short_history_growth == "zero",
            "tsme_rd_option": RD_OPTION_CODES[opts.tsme_rd_option],
        }
        for name, value in row.items():
            scal[name].append(value)
    arrays = {name: np.array(values, dtype=SCALAR_FIELDS[name]) for name, values in scal.items()}
    return FigureArrays(as_of=as_of, n_years=n_years, **cols, **arrays)  # type: ignore[arg-type]


SCALAR_FIELDS: dict[str, str] = {
    "registered_on": "datetime64[D]",
    "tech_field": "int8",
    "class_i": "int64",
    "class_ii": "int64",
    "class_ii_used_before": "int64",
    "self_developed": "int8",
    "standards_drafted": "bool",
    "conversions_3y": "int64",
    "advancement": "int8",
    "core_support": "int8",
    "rd_management_points": "int8",
    "major_incident": "bool",
    "has_hnte": "bool",
    "national_award_recent": "bool",
    "provincial_rd_institution": "bool",
    "resident_enterprise": "bool",
    "industry_restricted": "bool",
    "listed_abnormal_or_dishonest": "bool",
    "led_standard_last_5y": "bool",
    "conversion_divisor_three": "bool",
    "short_history_zero": "bool",
    "tsme_rd_option": "int8",
}
