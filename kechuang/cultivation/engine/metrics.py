"""Per-enterprise metrics for the tier rule sets (:mod:`.tiers`), vectorised with numpy.

Input: year columns ``(n, 3)`` float64, right-aligned (column 2 = the latest accounting year L,
column 1 = L-1, column 0 = L-2; NaN = missing), amounts in 万元 and headcounts in persons; and
scalars ``(n,)`` float64 (NaN = unknown, flags 1.0 / 0.0, screening codes 0 fail / 1 pass /
2 depends_on_expert_judgement).

Output: every scalar passed through unchanged plus the derived metrics of :data:`DERIVED`.
A derived metric is NaN when it cannot be computed: a year is missing, or a denominator (a
growth base, 销售收入, 总收入, 成本费用支出总额, 资产总额, 职工总数) is zero or negative.

Exactness: percentages are computed multiply-first (``part * 100 / whole``) and rounded to
:data:`ROUND_PLACES` decimal places, so a ratio that is exactly at a band edge in decimal terms
(R&D 50 / 1000 万元 = 5 %, growth 100 → 120 → 144 = 20 %) compares equal to the threshold
instead of falling 1e-15 short of it. Amounts themselves are not rounded.

:data:`METRICS` names every metric a rule may use (code → (Chinese label, unit)): the scalar
inputs the platform holds (:data:`SCALAR_INPUTS`), the derived metrics (:data:`DERIVED`) and the
metrics the platform does not collect yet (:data:`EXTERNAL`). A rule on an external metric
evaluates to "unknown" (数据不足) until the caller passes that metric as a scalar.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DERIVED",
    "EXTERNAL",
    "FLAG_UNIT",
    "METRICS",
    "ROUND_PLACES",
    "SCALAR_INPUTS",
    "SCREENING_CODES",
    "SCREENING_UNIT",
    "YEAR_INPUTS",
    "compute_metrics",
]

F64 = NDArray[np.float64]

ROUND_PLACES = 9
FLAG_UNIT = "是/否"
SCREENING_UNIT = "代码"
SCREENING_CODES: dict[int, str] = {0: "不符合", 1: "符合", 2: "待专家评审"}

YEAR_INPUTS: dict[str, tuple[str, str]] = {
    "sales_revenue": ("销售收入", "万元"),
    "total_revenue": ("总收入", "万元"),
    "rd_expense": ("研究开发费用", "万元"),
    "cost_expense_total": ("成本费用支出总额", "万元"),
    "net_assets_end": ("年末净资产", "万元"),
    "total_assets_end": ("年末资产总额", "万元"),
    "employees_avg": ("职工总数（全年月平均）", "人"),
    "st_staff_avg": ("科技人员数（全年月平均）", "人"),
}

SCALAR_INPUTS: dict[str, tuple[str, str]] = {
    "is_hnte": ("高新技术企业（有效期内）", FLAG_UNIT),
    "is_tsme": ("科技型中小企业（已入库）", FLAG_UNIT),
    "hnte_eligible": ("高企认定条件测评结果", SCREENING_UNIT),
    "tsme_eligible": ("科技型中小企业评价测评结果", SCREENING_UNIT),
    "hnte_failed_conditions": ("高企八项认定条件未满足项数", "项"),
    "hnte_total_min": ("高企创新能力评价得分（下限）", "分"),
    "hnte_total_max": ("高企创新能力评价得分（上限）", "分"),
    "tsme_total_min": ("科技型中小企业评价得分（下限）", "分"),
    "tsme_total_max": ("科技型中小企业评价得分（上限）", "分"),
    "age_years": ("成立年限", "年"),
    "class_i_ip": ("Ⅰ类知识产权数量", "项"),
    "class_ii_ip": ("Ⅱ类知识产权数量", "项"),
    "holds_gazelle": ("河南省瞪羚企业（已认定）", FLAG_UNIT),
    "holds_innovation_leader": ("河南省创新龙头企业（已认定）", FLAG_UNIT),
    "holds_eaglet": ("科技雏鹰企业（已认定）", FLAG_UNIT),
    "holds_srdi": ("专精特新中小企业（已认定）", FLAG_UNIT),
}

DERIVED: dict[str, tuple[str, str]] = {
    "sales_last": ("上年度销售收入", "万元"),
    "total_revenue_last": ("上年度总收入", "万元"),
    "rd_last": ("上年度研究开发费用", "万元"),
    "rd_prev": ("前年度研究开发费用", "万元"),
    "employees_last": ("上年度职工总数", "人"),
    "sales_growth_avg_2y": ("近两年销售收入平均增长率", "%"),
    "rd_ratio_sales_last": ("上年度研发费用占销售收入比例", "%"),
    "rd_ratio_revenue_last": ("上年度研发费用占总收入比例", "%"),
    "rd_ratio_cost_last": ("上年度研发费用占成本费用支出总额比例", "%"),
    "rd_min_2y": ("近两年研发费用（较低一年）", "万元"),
    "rd_ratio_sales_min_2y": ("近两年研发费用占销售收入比例（较低一年）", "%"),
    "rd_ratio_revenue_min_2y": ("近两年研发费用占总收入比例（较低一年）", "%"),
    "debt_ratio_last": ("上年末资产负债率", "%"),
    "st_staff_ratio_last": ("上年度科技人员占职工总数比例", "%"),
    "rd_activity": ("上年度有研发投入", FLAG_UNIT),
    "ip_total": ("Ⅰ类和Ⅱ类知识产权合计", "项"),
}

# Metrics the platform does not collect (yet). Rules may name them; they evaluate to "unknown"
# unless the caller passes them as scalars to :func:`compute_metrics`.
EXTERNAL: dict[str, tuple[str, str]] = {
    "net_profit_growth_avg_2y": ("近两年净利润平均增长率", "%"),
    "rd_platform_municipal": ("拥有市级以上研发平台", FLAG_UNIT),
    "equity_financing_2y": ("近两年新增股权融资（合格机构投资者实缴）", "万元"),
    "main_business_share_last": ("上年度主营业务收入占营业收入比重", "%"),
    "srdi_quality_score": ("专精特新发展质量评价得分", "分"),
    "srdi_ip_exempt": ("符合知识产权条件豁免情形（获奖、研发机构等）", FLAG_UNIT),
    "holds_innovative_sme": ("创新型中小企业（有效期内）", FLAG_UNIT),
}

METRICS: dict[str, tuple[str, str]] = {**SCALAR_INPUTS, **DERIVED, **EXTERNAL}


def _column(array: F64, index: int) -> F64:
    return np.ascontiguousarray(array[:, index])


def _pct(part: F64, whole: F64) -> F64:
    """``part * 100 / whole`` rounded to ROUND_PLACES; NaN where ``whole`` ≤ 0 or missing."""
    out = np.full(part.shape, np.nan)
    ok = whole > 0  # False for NaN, without a warning
    np.divide(part * 100.0, whole, out=out, where=ok)
    return np.round(out, ROUND_PLACES)


def _growth_pct(new: F64, base: F64) -> F64:
    """``(new − base) * 100 / base`` (unrounded); NaN where ``base`` ≤ 0 or a value is missing."""
    out = np.full(new.shape, np.nan)
    ok = base > 0
    np.divide((new - base) * 100.0, base, out=out, where=ok)
    return out


def _as_float(name: str, value: object, shape: tuple[int, ...]) -> F64:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"“{name}”应为形状 {shape} 的数组，实为 {array.shape}")
    return array


def _row_count(years: Mapping[str, object], scalars: Mapping[str, object]) -> int:
    for value in (*years.values(), *scalars.values()):
        shape = np.shape(value)
        if shape:
            return int(shape[0])
    raise ValueError("至少需要一列数据（years 或 scalars）才能确定企业数")


def compute_metrics(years: dict[str, np.ndarray], scalars: dict[str, np.ndarray]) -> dict[str, F64]:
    """Derive the tier metrics for ``n`` enterprises (see the module docstring).

    ``years`` keys are those of :data:`YEAR_INPUTS`, each ``(n, 3)``; a key not given is
    treated as all missing. ``scalars`` keys must be in :data:`SCALAR_INPUTS` or
    :data:`EXTERNAL`, each ``(n,)``. Raises ValueError (Chinese message) for an unknown key or a
    wrong shape.
    """
    unknown_years = sorted(set(years) - set(YEAR_INPUTS))
    unknown_scalars = sorted(set(scalars) - set(SCALAR_INPUTS) - set(EXTERNAL))
    if unknown_years or unknown_scalars:
        names = "、".join(f"“{name}”" for name in unknown_years + unknown_scalars)
        raise ValueError(f"未知的输入列：{names}")
    n = _row_count(years, scalars)
    year = {
        name: _as_float(name, years[name], (n, 3)) if name in years else np.full((n, 3), np.nan)
        for name in YEAR_INPUTS
    }
    out: dict[str, F64] = {name: _as_float(name, value, (n,)) for name, value in scalars.items()}

    def scalar(name: str) -> F64:
        return out[name] if name in out else np.full(n, np.nan)

    sales = year["sales_revenue"]
    revenue = year["total_revenue"]
    rd = year["rd_expense"]
    cost = year["cost_expense_total"]
    s0, s1, s2 = _column(sales, 0), _column(sales, 1), _column(sales, 2)
    rd_last, rd_prev = _column(rd, 2), _column(rd, 1)
    revenue_last, revenue_prev = _column(revenue, 2), _column(revenue, 1)
    sales_prev = s1

    out["sales_last"] = s2
    out["total_revenue_last"] = revenue_last
    out["rd_last"] = rd_last
    out["rd_prev"] = rd_prev
    out["employees_last"] = _column(year["employees_avg"], 2)
    # mean of the two annual growth rates; NaN propagates from a missing year or a base ≤ 0
    growth = (_growth_pct(s2, s1) + _growth_pct(s1, s0)) / 2.0
    out["sales_growth_avg_2y"] = np.round(growth, ROUND_PLACES)
    out["rd_ratio_sales_last"] = _pct(rd_last, s2)
    out["rd_ratio_revenue_last"] = _pct(rd_last, revenue_last)
    out["rd_ratio_cost_last"] = _pct(rd_last, _column(cost, 2))
    out["rd_min_2y"] = np.minimum(rd_last, rd_prev)  # NaN if either year is missing
    out["rd_ratio_sales_min_2y"] = np.minimum(_pct(rd_last, s2), _pct(rd_prev, sales_prev))
    out["rd_ratio_revenue_min_2y"] = np.minimum(
        _pct(rd_last, revenue_last), _pct(rd_prev, revenue_prev)
    )
    assets = _column(year["total_assets_end"], 2)
    out["debt_ratio_last"] = _pct(assets - _column(year["net_assets_end"], 2), assets)
    out["st_staff_ratio_last"] = _pct(
        _column(year["st_staff_avg"], 2), _column(year["employees_avg"], 2)
    )
    out["rd_activity"] = np.where(np.isnan(rd_last), np.nan, (rd_last > 0).astype(np.float64))
    out["ip_total"] = scalar("class_i_ip") + scalar("class_ii_ip")
    return out
