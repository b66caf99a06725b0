"""The rules an observation's value must meet before it counts: one pure function for the form,
the API and the import (`monitoring/imports.py` calls it for every row; the service calls it
again before saving).

What a value may be depends on what it measures, read from the unit of its indicator (or
commitment) and the indicator's kind:

- a **count** (家、个、件、项、名、人 …; not a per-capita ratio such as 每万人口…) is a
  non-negative whole number;
- a **share** (unit "%" of a share-kind indicator, or a "%…占比" commitment) lies in 0–100;
- a **rate** (unit "%" of an average-annual-growth indicator, or a "%…增速/增长" commitment) may
  be negative, but beyond ±100 % it needs a reason (a doubling of R&D spending happens, rarely);
- an **amount or ratio** (元、万人、人年、倍、每万…) is non-negative;
- every value fits the stored field (18 digits, 4 of them decimals: less than 10^14 in size).

A period that has not ended on the day of entry is only a forecast or a target: an actual,
preliminary, partial or cumulative figure for it cannot be known yet.

The plausibility check against the series: a counted figure (正式数/初步数) more than `factor`
times the previous year's counted figure of the same indicator and area, less than 1/`factor` of
it, or of the opposite sign, is asked to be confirmed with a reason; the reason is kept.

Pure Python: plain values in, `Finding`s out (Chinese problem and fix, and whether a reason
makes it acceptable).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

COUNT = "count"
SHARE = "share"
RATE = "rate"
NON_NEGATIVE = "non_negative"
OTHER = "other"
CLASS_LABELS = {
    COUNT: "计数",
    SHARE: "比重",
    RATE: "增速",
    NON_NEGATIVE: "金额、人口或比值",
    OTHER: "数值",
}

# Units of things counted one by one (the unit's head, before any "（…）" note).
COUNT_UNITS = frozenset("家个件项名人所座支位户次篇")
# Units whose values are fractional by nature although they start with a count character.
FRACTIONAL_UNITS = frozenset({"人年", "人次/万人"})
RATE_WORDS = ("增长", "增速", "增幅", "增长率")
# The stored field keeps 18 digits, 4 of them decimals: at most 14 before the point.
MAX_ABS_VALUE = Decimal(10) ** 14
RATE_LIMIT = Decimal(100)
DEFAULT_FACTOR = 3.0
UNENDED_KINDS = ("forecast", "target")  # the only kinds a period not yet over may have
COUNTED_KINDS = ("actual", "preliminary")  # the kinds the plausibility check compares


@dataclass(frozen=True)
class Finding:
    """One problem with a value. `confirmable`: a reason given by the user makes it acceptable
    (the value is unusual, not impossible)."""

    field: str  # "value" or "period"
    problem: str
    fix: str
    confirmable: bool = False


def unit_head(unit: str) -> str:
    """The unit without its note: "%（财政科技支出同比增速）" → "%"."""
    return unit.replace("(", "（").split("（")[0].strip()


def value_class(unit: str, indicator_kind: str = "", name: str = "") -> str:
    """What the value measures: COUNT, SHARE, RATE, NON_NEGATIVE or OTHER.

    `unit` is the indicator's (or commitment's) unit, `indicator_kind` the indicator's kind
    (level, share, average_annual_growth; "" for a commitment), `name` its name or title.
    """
    head = unit_head(unit)
    if head == "%":
        growth = indicator_kind == "average_annual_growth" or any(
            word in unit for word in RATE_WORDS
        )
        if growth:
            return RATE
        if indicator_kind in ("share", "") or "占比" in unit or "比重" in name:
            return SHARE
        return OTHER
    if not head:
        return OTHER
    per_capita = "每" in name or "/" in head
    if head[0] in COUNT_UNITS and head not in FRACTIONAL_UNITS and not per_capita:
        return COUNT
    if "元" in head or "万" in head or "倍" in head or per_capita or head[0] in COUNT_UNITS:
        return NON_NEGATIVE
    return OTHER


def value_findings(value: Decimal, cls: str, unit: str = "") -> list[Finding]:
    """What is wrong with `value` for a measure of class `cls` (empty when nothing)."""
    if not value.is_finite():
        return [Finding("value", "数值不是有限的数字。", "请填写数字，如 420 或 12.5。")]
    if abs(value) >= MAX_ABS_VALUE:
        return [
            Finding(
                "value",
                f"数值超出可保存的范围（绝对值须小于 10 的 14 次方，最多 4 位小数）：{value:E}。",
                "请检查单位和数量级（应为指标的计量单位，如“家”“亿元”）。",
            )
        ]
    unit_text = f"（单位：{unit}）" if unit else ""
    if cls == COUNT:
        if value < 0:
            return [
                Finding(
                    "value",
                    f"计数类指标{unit_text}不能为负数，实为 {_plain(value)}。",
                    "请填写 0 或正整数；如需撤销错误的数值，请作废原记录。",
                )
            ]
        if value != value.to_integral_value():
            return [
                Finding(
                    "value",
                    f"计数类指标{unit_text}应为整数，实为 {_plain(value)}。",
                    "请填写不带小数的整数，如 420。",
                )
            ]
    if cls == SHARE and not Decimal(0) <= value <= Decimal(100):
        return [
            Finding(
                "value",
                f"比重类指标（单位 %）应在 0–100 之间，实为 {_plain(value)}。",
                "请填写百分数的数值，如 12.5 表示 12.5%。",
            )
        ]
    if cls == NON_NEGATIVE and value < 0:
        return [
            Finding(
                "value",
                f"该指标{unit_text}不能为负数，实为 {_plain(value)}。",
                "请填写 0 或正数。",
            )
        ]
    if cls == RATE and abs(value) > RATE_LIMIT:
        return [
            Finding(
                "value",
                f"增速 {_plain(value)}% 超出 ±100%，极为罕见。",
                "如确认无误，请填写确认理由（如：基数很小，当年新建大型项目）。",
                confirmable=True,
            )
        ]
    return []


def period_findings(kind: str, period_end: dt.date, entered_on: dt.date) -> list[Finding]:
    """A period not yet over on the day of entry holds only forecasts and targets."""
    if kind in UNENDED_KINDS or period_end <= entered_on:
        return []
    return [
        Finding(
            "period",
            f"期间截至 {period_end}，晚于录入日期 {entered_on}："
            "尚未结束的期间只能录入预测数或目标数。",
            "请把数据类型改为预测数或目标数；已有的部分期间数请写明已结束的月份，"
            "如 2022-01/2022-10。",
        )
    ]


def plausibility_findings(
    value: Decimal,
    kind: str,
    year: int,
    previous: Decimal | None,
    factor: float = DEFAULT_FACTOR,
) -> list[Finding]:
    """A counted figure against the previous year's counted figure of the same series: beyond
    `factor` times (or below 1/`factor` of) it, or of the opposite sign, asks for a reason."""
    if kind not in COUNTED_KINDS or previous is None or previous == 0 or not value.is_finite():
        return []
    fix = "如确认无误，请填写确认理由（如：统计口径调整、上年数值有误已更正）；否则请更正数值。"
    shown = f"{year - 1} 年计入的数值为 {_plain(previous)}"
    if value != 0 and (value < 0) != (previous < 0):
        return [Finding("value", f"数值 {_plain(value)} 与上年符号相反（{shown}）。", fix, True)]
    ratio = abs(value) / abs(previous)
    limit = Decimal(str(factor))
    if abs(value) > limit * abs(previous):  # compared exactly, not through the rounded ratio
        problem = (
            f"数值 {_plain(value)} 是上年的 {ratio:.1f} 倍，超过 {_plain(limit)} 倍（{shown}）。"
        )
        return [Finding("value", problem, fix, True)]
    if abs(value) * limit < abs(previous):
        problem = f"数值 {_plain(value)} 不足上年的 1/{_plain(limit)}（{shown}），变化异常。"
        return [Finding("value", problem, fix, True)]
    return []


@dataclass(frozen=True)
class FigureCheck:
    """Everything the rules read about one figure."""

    value: Decimal
    kind: str  # observation kind: actual, preliminary, partial, forecast, cumulative, target
    period_end: dt.date
    year: int
    unit: str
    indicator_kind: str = ""  # "" for a commitment
    name: str = ""
    previous: Decimal | None = None  # the previous year's counted value of the same series


def check_figure(
    figure: FigureCheck, entered_on: dt.date, factor: float = DEFAULT_FACTOR
) -> list[Finding]:
    """Every rule for one figure: its value for its class, its period, its plausibility.

    The findings come in field order; those marked `confirmable` are accepted when the user
    gives a reason, the others never.
    """
    cls = value_class(figure.unit, figure.indicator_kind, figure.name)
    findings = value_findings(figure.value, cls, figure.unit)
    if not any(not f.confirmable for f in findings):
        findings += plausibility_findings(
            figure.value, figure.kind, figure.year, figure.previous, factor
        )
    return [*findings, *period_findings(figure.kind, figure.period_end, entered_on)]


def blocking(findings: list[Finding], reason: str) -> list[Finding]:
    """The findings that stop the figure: every hard one, and the confirmable ones when no
    reason was given."""
    given = bool(reason.strip())
    return [f for f in findings if not (f.confirmable and given)]


def confirmed(findings: list[Finding], reason: str) -> str:
    """What the user's reason confirms (kept with the figure); "" when nothing needed it."""
    if not reason.strip():
        return ""
    return "；".join(f.problem for f in findings if f.confirmable)


def _plain(value: Decimal) -> str:
    """12.5000 → 12.5, 300.0000 → 300, -0 → 0."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text
