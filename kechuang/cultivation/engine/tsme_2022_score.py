"""科技型中小企业 评价指标 (100 points), 国科发政〔2017〕115号 第七条 and 附件 评价指标.

科技人员 ≤20, 研发投入 ≤50 (the enterprise chooses option (1) 研发费用/销售收入 or
(2) 研发费用/成本费用支出总额), 科技成果 ≤30. All points are exact (no expert judgement).
Figures are those of the last accounting year (inferred from the 评价 practice and the derived
case TSME-1 of the reference notes; the window is not stated in the verified text). Amounts 万元.
"""

from __future__ import annotations

from fractions import Fraction

from .case import Case
from .common import band
from .numbers import fmt_amount, fmt_percent, percent, ratio
from .result import Interval, ScoreItem

ART_SCORE = "国科发政〔2017〕115号 第七条"
PASS_MARK = 60  # 第六条（五）「综合评价所得分值不低于60分，且科技人员指标得分不得为0分」
# 科技人员数占职工总数 (≤20): ≥30% 20, ≥25% 16, ≥20% 12, ≥15% 8, ≥10% 4, else 0 — 第七条
STAFF_BANDS: tuple[tuple[Fraction, str, int], ...] = (
    (Fraction(30, 100), "A", 20),
    (Fraction(25, 100), "B", 16),
    (Fraction(20, 100), "C", 12),
    (Fraction(15, 100), "D", 8),
    (Fraction(10, 100), "E", 4),
)
# (1) 研发费用总额占销售收入总额 (≤50): ≥6% 50, ≥5% 40, ≥4% 30, ≥3% 20, ≥2% 10 — 第七条
RD_SALES_BANDS: tuple[tuple[Fraction, str, int], ...] = (
    (Fraction(6, 100), "A", 50),
    (Fraction(5, 100), "B", 40),
    (Fraction(4, 100), "C", 30),
    (Fraction(3, 100), "D", 20),
    (Fraction(2, 100), "E", 10),
)
# (2) 研发费用总额占成本费用支出总额 (≤50): ≥30% 50, ≥25% 40, ≥20% 30, ≥15% 20, ≥10% 10 — 第七条
RD_COST_BANDS: tuple[tuple[Fraction, str, int], ...] = (
    (Fraction(30, 100), "A", 50),
    (Fraction(25, 100), "B", 40),
    (Fraction(20, 100), "C", 30),
    (Fraction(15, 100), "D", 20),
    (Fraction(10, 100), "E", 10),
)
# 科技成果 (≤30): ≥1 Ⅰ类 30; Ⅱ类 ≥4 24, 3 18, 2 12, 1 6; 无 0 — 第七条
IP_CLASS_II_POINTS: tuple[tuple[int, str, int], ...] = (
    (4, "B", 24),
    (3, "C", 18),
    (2, "D", 12),
    (1, "E", 6),
)
OPTION_LABELS = {
    "sales": "方案（1）研发费用/销售收入",
    "cost": "方案（2）研发费用/成本费用支出总额",
}


def staff_share(case: Case) -> Fraction | None:
    """科技人员 ÷ 职工总数 of the last year (persons), exact; None without employees."""
    return ratio(case.last_year.st_staff(), case.last_year.employees())


def rd_shares(case: Case) -> dict[str, Fraction | None]:
    """Both R&D ratios of the last year: ``sales`` (option 1) and ``cost`` (option 2)."""
    last = case.last_year
    cost = last.cost_expense_total
    return {
        "sales": ratio(last.rd_expense, last.sales_revenue),
        "cost": None if cost is None else ratio(last.rd_expense, cost),
    }


def ip_grade(class_i: int, class_ii: int) -> tuple[str, int]:
    """科技成果 grade and points from the counts of valid Ⅰ/Ⅱ类 IP (items)."""
    if class_i >= 1:
        return "A", 30
    for lower, grade, points in IP_CLASS_II_POINTS:
        if class_ii >= lower:
            return grade, points
    return "F", 0


def chosen_option(case: Case, points: dict[str, int]) -> str:
    """The R&D option used: the configured one, or (``best``) the one scoring more."""
    setting = case.options.tsme_rd_option
    if setting in ("sales", "cost"):
        return setting
    return "cost" if points["cost"] > points["sales"] else "sales"


def tsme_scores(case: Case) -> tuple[list[ScoreItem], Interval]:
    """All score items (staff, R&D with both options, IP) and the exact total."""
    last = case.last_year
    share = staff_share(case)
    staff_grade, staff_pts = band(share, STAFF_BANDS)
    shares = rd_shares(case)
    graded = {
        key: band(value, RD_SALES_BANDS if key == "sales" else RD_COST_BANDS)
        for key, value in shares.items()
    }
    points = {key: pts for key, (_, pts) in graded.items()}
    option = chosen_option(case, points)
    ip_g, ip_points = ip_grade(case.ip.class_i, case.ip.class_ii)
    rd_items = [
        ScoreItem(
            f"tsme.rd.{key}",
            OPTION_LABELS[key],
            graded[key][0],
            Interval.exact(points[key]),
            50,
            ART_SCORE,
            parent="tsme.rd",
            value=percent(shares[key]),
            note="未提供成本费用支出总额，无法计算"
            if shares[key] is None and key == "cost"
            else "",
        )
        for key in ("sales", "cost")
    ]
    items = [
        ScoreItem(
            "tsme.st_staff",
            "科技人员指标",
            staff_grade,
            Interval.exact(staff_pts),
            20,
            ART_SCORE,
            value=percent(share),
            note=(
                f"{last.year} 年科技人员 {fmt_amount(last.st_staff())} 人 ÷ "
                f"职工 {fmt_amount(last.employees())} 人 = {fmt_percent(share)}"
            ),
        ),
        ScoreItem(
            "tsme.rd",
            "研发投入指标",
            graded[option][0],
            Interval.exact(points[option]),
            50,
            ART_SCORE,
            value=option,
            note=f"采用{OPTION_LABELS[option]}（企业可自选其一）",
        ),
        *rd_items,
        ScoreItem(
            "tsme.ip",
            "科技成果指标",
            ip_g,
            Interval.exact(ip_points),
            30,
            ART_SCORE,
            value=case.ip.class_i + case.ip.class_ii,
            note=f"Ⅰ类 {case.ip.class_i} 项，Ⅱ类 {case.ip.class_ii} 项",
        ),
    ]
    total = sum((i.points for i in items if i.parent is None), Interval.exact(0))
    return items, total


def staff_points(case: Case) -> int:
    """科技人员指标 points (0 means 第六条（五） fails regardless of the total)."""
    return band(staff_share(case), STAFF_BANDS)[1]
