"""高企 创新能力评价 (100 points), 国科发火〔2016〕195号《高新技术企业认定管理工作指引》.

Four indicators: 知识产权 ≤30, 科技成果转化能力 ≤30, 研究开发组织管理水平 ≤20, 企业成长性 ≤20.
Every grade maps to a point *range* (an expert picks the point); the engine carries the range as
an :class:`Interval`. A missing expert grade means the whole range of that item.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from .case import Case, YearFigures
from .common import band
from .numbers import floor_places, fmt_amount, fmt_percent, frac, percent
from .result import Interval, ScoreItem

GUIDE = "国科发火〔2016〕195号 工作指引"
ART_IP = f"{GUIDE} 创新能力评价·知识产权"
ART_CONV = f"{GUIDE} 创新能力评价·科技成果转化能力"
ART_MGMT = f"{GUIDE} 创新能力评价·研究开发组织管理水平"
ART_GROWTH = f"{GUIDE} 创新能力评价·企业成长性"

IP_CAP = 30  # 「加分后"知识产权"总分不超过30分」 — 195号 指引 知识产权
# 技术先进程度 / 核心支持作用 (each ≤8): A 7–8, B 5–6, C 3–4, D 1–2, E 0 — 195号 指引 知识产权
EXPERT_BANDS: dict[str, tuple[int, int]] = {
    "A": (7, 8),
    "B": (5, 6),
    "C": (3, 4),
    "D": (1, 2),
    "E": (0, 0),
}
# 知识产权数量 (≤8): A ≥1 项Ⅰ类 7–8; B ≥5 项Ⅱ类 5–6; C 3–4 项Ⅱ类 3–4; D 1–2 项Ⅱ类 1–2; E 0 — 同上
QUANTITY_BANDS: dict[str, tuple[int, int]] = EXPERT_BANDS
# 知识产权获得方式 (≤6): 有自主研发 1–6；仅有受让、受赠和并购等 1–3 — 同上
ACQ_SELF = (1, 6)
ACQ_TRANSFER_ONLY = (1, 3)
BONUS_STANDARDS = (1, 2)  # 加分项 参与编制国家/行业标准等 是 1–2，否 0 (≤2) — 同上
# 科技成果转化 (≤30) by 近3年年平均转化项数 — 195号 指引 科技成果转化能力
CONVERSION_BANDS: tuple[tuple[int, str, tuple[int, int]], ...] = (
    (5, "A", (25, 30)),
    (4, "B", (19, 24)),
    (3, "C", (13, 18)),
    (2, "D", (7, 12)),
    (1, "E", (1, 6)),
)
MGMT_MAX = 20  # 研究开发组织管理水平 ≤20 (6+6+4+4) — 195号 指引
# 企业成长性: 净资产增长率、销售收入增长率各 ≤10 — 195号 指引 企业成长性 (band edges [VC])
GROWTH_BANDS: tuple[tuple[Fraction, str, int], ...] = (
    (Fraction(35, 100), "A", 9),
    (Fraction(25, 100), "B", 7),
    (Fraction(15, 100), "C", 5),
    (Fraction(5, 100), "D", 3),
)
GROWTH_RANGES: dict[str, tuple[int, int]] = {
    "A": (9, 10),
    "B": (7, 8),
    "C": (5, 6),
    "D": (3, 4),
    "E": (1, 2),
    "F": (0, 0),
}


def _iv(pair: tuple[int, int]) -> Interval:
    """A (low, high) points pair as an Interval."""
    return Interval(Decimal(pair[0]), Decimal(pair[1]))


def expert_item(code: str, title: str, grade: str | None) -> ScoreItem:
    """技术先进程度 / 核心支持作用 (≤8 each) from an expert grade A–E; None → 0–8 (ungraded)."""
    points = _iv(EXPERT_BANDS[grade]) if grade else Interval(Decimal(0), Decimal(8))
    note = "" if grade else "尚无专家评价，按全部分值区间 0–8 计"
    return ScoreItem(code, title, grade, points, 8, ART_IP, parent="hnte.ip", note=note)


def ip_quantity_grade(class_i: int, class_ii_usable: int) -> str:
    """知识产权数量 grade; Ⅰ类 takes precedence, Ⅱ类 counts only rights not used before."""
    if class_i >= 1:
        return "A"
    if class_ii_usable >= 5:
        return "B"
    if class_ii_usable >= 3:
        return "C"
    if class_ii_usable >= 1:
        return "D"
    return "E"


def acquisition_item(ip_count: int, self_developed: bool | None) -> ScoreItem:
    """知识产权获得方式 (≤6): 有自主研发 1–6, 仅受让/受赠/并购 1–3, unknown 1–6, no IP 0."""
    title = "知识产权获得方式"
    if ip_count == 0:
        return ScoreItem(
            "hnte.ip.acquisition",
            title,
            None,
            Interval.exact(0),
            6,
            ART_IP,
            "hnte.ip",
            note="无可用知识产权，本项按 0 分计（推论：表中无此情形）",
        )
    if self_developed is None:
        note = "未说明是否有自主研发，按两档合并区间 1–6 计"
        return ScoreItem(
            "hnte.ip.acquisition", title, None, _iv(ACQ_SELF), 6, ART_IP, "hnte.ip", note=note
        )
    grade, pair = ("自主研发", ACQ_SELF) if self_developed else ("受让等", ACQ_TRANSFER_ONLY)
    return ScoreItem("hnte.ip.acquisition", title, grade, _iv(pair), 6, ART_IP, "hnte.ip")


def ip_items(case: Case) -> list[ScoreItem]:
    """知识产权 (≤30): five sub-items plus the capped group item ``hnte.ip``.

    Input: the case's IP counts (items) and expert grades. Source: 195号 指引 知识产权 table.
    """
    ip, grades = case.ip, case.expert_grades
    usable = ip.class_i + ip.class_ii_usable
    qty_grade = ip_quantity_grade(ip.class_i, ip.class_ii_usable)
    qty_note = f"Ⅰ类 {ip.class_i} 项，可用Ⅱ类 {ip.class_ii_usable} 项"
    if ip.class_ii_used_before:
        qty_note += f"（另有 {ip.class_ii_used_before} 项Ⅱ类已在以往申请中使用，不再计入）"
    items = [
        expert_item("hnte.ip.advancement", "技术的先进程度", grades.advancement),
        expert_item(
            "hnte.ip.core_support",
            "对主要产品（服务）在技术上发挥核心支持作用",
            grades.core_support,
        ),
        ScoreItem(
            "hnte.ip.quantity",
            "知识产权数量",
            qty_grade,
            _iv(QUANTITY_BANDS[qty_grade]),
            8,
            ART_IP,
            "hnte.ip",
            value=usable,
            note=qty_note,
        ),
        acquisition_item(usable, ip.self_developed),
        ScoreItem(
            "hnte.ip.standards_bonus",
            "加分项：参与编制国家标准、行业标准、检测方法、技术规范",
            "是" if ip.standards_drafted else "否",
            _iv(BONUS_STANDARDS) if ip.standards_drafted else Interval.exact(0),
            2,
            ART_IP,
            "hnte.ip",
        ),
    ]
    raw = sum((item.points for item in items), Interval.exact(0))
    group = ScoreItem(
        "hnte.ip",
        "知识产权",
        None,
        raw.capped(IP_CAP),
        30,
        ART_IP,
        note="加分后知识产权总分不超过 30 分" if raw.max > IP_CAP else "",
    )
    return [group, *items]


def conversion_divisor(case: Case) -> int:
    """Years to average 成果转化 over: 3, or the operating years in the window (configurable)."""
    if case.options.hnte_conversion_divisor == "three":
        return 3
    return len(case.window(3))


def conversion_item(case: Case) -> ScoreItem:
    """科技成果转化能力 (≤30) from 近3年 conversions (items) ÷ divisor, per 195号 指引.

    An average strictly between 0 and 1 matches neither 「≥1」 (E) nor 「0」 (F): the experts'
    综合评价 decides, so the engine returns E/F with 0–6 points.
    """
    total, divisor = case.conversions_3y, conversion_divisor(case)
    average = Fraction(total, divisor)
    note = f"近三年转化 {total} 项 ÷ {divisor} = 年均 {fmt_amount(average)} 项"
    grade, pair = "F", (0, 0)
    for lower, band_grade, band_pair in CONVERSION_BANDS:
        if average >= lower:
            grade, pair = band_grade, band_pair
            break
    else:
        if average > 0:
            grade, pair = "E/F", (0, 6)
            note += "；年均不足 1 项，表中无对应档次，由专家在 E(1–6)/F(0) 间判断"
    return ScoreItem(
        "hnte.conversion",
        "科技成果转化能力",
        grade,
        _iv(pair),
        30,
        ART_CONV,
        value=floor_places(average, 2),
        note=note,
    )


def management_item(case: Case) -> ScoreItem:
    """研究开发组织管理水平 (≤20): pure expert judgement given as points; None → 0–20."""
    points = case.expert_grades.rd_management_points
    if points is None:
        return ScoreItem(
            "hnte.rd_management",
            "研究开发组织管理水平",
            None,
            Interval(Decimal(0), Decimal(20)),
            MGMT_MAX,
            ART_MGMT,
            note="尚无专家评分，按全部分值区间 0–20 计",
        )
    return ScoreItem(
        "hnte.rd_management",
        "研究开发组织管理水平",
        None,
        Interval.exact(points),
        MGMT_MAX,
        ART_MGMT,
    )


def growth_rate(values: Sequence[Fraction], short_history: str) -> tuple[Fraction | None, str]:
    """增长率 per 195号 指引 企业成长性, with the reason when it scores 0 by rule.

    3 years: g = ½(Y2/Y1 + Y3/Y2) − 1; Y1 = 0 → 按后两年 g = Y3/Y2 − 1 ([U] reading);
    Y2 = 0 → 0 分. <3 years ([U], configurable): ``ratio`` → 2 years g = Y2/Y1 − 1, 1 year 0 分;
    ``zero`` → 0 分. A negative Y1/Y2 (净资产) has no official rule ([U]): 0 分 (conservative).
    Returns (g, "") or (None, reason) when the rule gives 0 points without a rate.
    """
    if len(values) < 3 and short_history == "zero":
        return None, "经营不满三年，按配置不计算增长率（0 分）"
    if len(values) == 1:
        return None, "仅有一个会计年度，无法计算增长率（0 分）"
    if any(v < 0 for v in values[:-1]):
        return None, "前期年末数为负，官方无计算口径，保守按 0 分计"
    if len(values) == 2:
        y1, y2 = values
        if y1 == 0:
            return None, "第一年为 0，无法计算增长率（0 分）"
        return y2 / y1 - 1, "经营两年：按 Y2/Y1−1 计算"
    y1, y2, y3 = values
    if y2 == 0:
        return None, "第二年为 0，按 0 分计算"
    if y1 == 0:
        return y3 / y2 - 1, "第一年为 0，按后两年计算：Y3/Y2−1"
    return (y2 / y1 + y3 / y2) / 2 - 1, ""


def growth_grade(rate: Fraction | None) -> str:
    """Grade A–F of a growth rate: ≥35% A, ≥25% B, ≥15% C, ≥5% D, >0 E, ≤0 F ([VC] edges)."""
    grade, _ = band(rate, GROWTH_BANDS)
    if grade == "F" and rate is not None and rate > 0:
        return "E"
    return grade


def growth_items(case: Case) -> list[ScoreItem]:
    """企业成长性 (≤20): 净资产增长率 (≤10) + 销售收入增长率 (≤10) over the 3-year window."""
    window: Sequence[YearFigures] = case.window(3)
    policy = case.options.hnte_short_history_growth
    items = []
    for code, title, values in (
        ("hnte.growth.net_assets", "净资产增长率", [frac(y.net_assets_end or 0) for y in window]),
        ("hnte.growth.sales", "销售收入增长率", [frac(y.sales_revenue) for y in window]),
    ):
        rate, reason = growth_rate(values, policy)
        grade = growth_grade(rate)
        note = "；".join(part for part in (reason, f"增长率 {fmt_percent(rate)}") if part)
        items.append(
            ScoreItem(
                code,
                title,
                grade,
                _iv(GROWTH_RANGES[grade]),
                10,
                ART_GROWTH,
                "hnte.growth",
                value=percent(rate),
                note=note,
            )
        )
    group_points = items[0].points + items[1].points
    return [ScoreItem("hnte.growth", "企业成长性", None, group_points, 20, ART_GROWTH), *items]


def innovation_scores(case: Case) -> tuple[list[ScoreItem], Interval]:
    """All score items and the total interval (top-level items only) of the 100-point scale."""
    items = [
        *ip_items(case),
        conversion_item(case),
        management_item(case),
        *growth_items(case),
    ]
    total = sum((i.points for i in items if i.parent is None), Interval.exact(0))
    return items, total
