"""The value rules of an observation, at every edge: counts, shares, rates, amounts, the stored
range, periods not yet over, and the plausibility check against the previous year."""

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.monitoring.engine.figure_rules import (
    COUNT,
    NON_NEGATIVE,
    OTHER,
    RATE,
    SHARE,
    FigureCheck,
    blocking,
    check_figure,
    confirmed,
    plausibility_findings,
    value_class,
    value_findings,
)

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("unit", "kind", "name", "expected"),
    [
        ("家", "level", "高新技术企业数", COUNT),
        ("个", "level", "科技创新平台数", COUNT),
        ("项", "", "国家科技奖", COUNT),
        ("名（地市级城市排名）", "", "创新型城市排名", COUNT),
        ("个县市区", "", "科技特派员覆盖", COUNT),
        ("件", "level", "每万人口高价值发明专利拥有量", NON_NEGATIVE),
        ("人年", "level", "每万名就业人员中研发人员", NON_NEGATIVE),
        ("万人", "level", "常住人口", NON_NEGATIVE),
        ("亿元", "level", "技术合同成交额", NON_NEGATIVE),
        ("倍（2025 年数量÷2020 年数量）", "", "倍增", NON_NEGATIVE),
        ("%", "share", "高新技术产业增加值占比", SHARE),
        ("%（有研发活动的规上工业企业占比）", "", "研发活动覆盖率", SHARE),
        ("%", "", "研发投入强度", SHARE),
        ("%", "average_annual_growth", "研发经费投入增长", RATE),
        ("%（财政科技支出同比增速）", "", "财政科技支出逐年增长", RATE),
        ("%", "level", "某水平", OTHER),
        ("", "level", "无单位", OTHER),
    ],
)
def test_the_class_is_read_from_the_unit_and_kind(
    unit: str, kind: str, name: str, expected: str
) -> None:
    assert value_class(unit, kind, name) == expected


def problems(value: str, cls: str) -> list[tuple[str, bool]]:
    return [(f.problem, f.confirmable) for f in value_findings(Decimal(value), cls, "家")]


def test_counts_are_non_negative_whole_numbers() -> None:
    assert problems("0", COUNT) == []
    assert problems("736", COUNT) == []
    assert problems("-5", COUNT) == [("计数类指标（单位：家）不能为负数，实为 -5。", False)]
    assert problems("12.5", COUNT) == [("计数类指标（单位：家）应为整数，实为 12.5。", False)]
    assert problems("-0", COUNT) == []


def test_shares_lie_between_0_and_100() -> None:
    assert problems("0", SHARE) == [] and problems("100", SHARE) == []
    assert problems("100.0001", SHARE) == [
        ("比重类指标（单位 %）应在 0–100 之间，实为 100.0001。", False)
    ]
    assert problems("-0.5", SHARE)[0][1] is False


def test_a_rate_beyond_100_percent_needs_a_reason() -> None:
    assert problems("100", RATE) == [] and problems("-100", RATE) == []
    assert problems("-12.5", RATE) == []
    assert problems("100.5", RATE) == [("增速 100.5% 超出 ±100%，极为罕见。", True)]
    assert problems("-150", RATE) == [("增速 -150% 超出 ±100%，极为罕见。", True)]


def test_amounts_are_non_negative() -> None:
    assert problems("-1", NON_NEGATIVE) == [("该指标（单位：家）不能为负数，实为 -1。", False)]
    assert problems("0.25", NON_NEGATIVE) == []


@pytest.mark.parametrize("value", ["1E+30", "1E+26", "100000000000000", "-1E+14"])
def test_numbers_beyond_the_stored_range_are_refused(value: str) -> None:
    [finding] = value_findings(Decimal(value), OTHER)
    assert finding.problem.startswith("数值超出可保存的范围") and not finding.confirmable
    assert value_findings(Decimal("99999999999999.9999"), OTHER) == []


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(value: str) -> None:
    [finding] = value_findings(Decimal(value), OTHER)
    assert finding.problem == "数值不是有限的数字。"


def plausible(value: str, previous: str | None, kind: str = "actual", factor: float = 3.0):
    prev = None if previous is None else Decimal(previous)
    return [f.problem for f in plausibility_findings(Decimal(value), kind, 2026, prev, factor)]


def test_plausibility_edges_of_the_factor() -> None:
    assert plausible("900", "300") == []  # exactly 3×
    assert plausible("100", "300") == []  # exactly 1/3
    assert plausible("901", "300") == [
        "数值 901 是上年的 3.0 倍，超过 3 倍（2025 年计入的数值为 300）。"
    ]
    assert plausible("99", "300") == [
        "数值 99 不足上年的 1/3（2025 年计入的数值为 300），变化异常。"
    ]
    assert plausible("0", "300") != []  # a drop to nothing is beyond any factor
    assert plausible("500", "300", factor=1.5) != [] and plausible("450", "300", factor=1.5) == []


def test_a_sign_change_asks_for_a_reason() -> None:
    assert plausible("-2", "8") == ["数值 -2 与上年符号相反（2025 年计入的数值为 8）。"]
    assert plausible("2", "-8") != []


def test_no_plausibility_check_without_a_comparable_previous_figure() -> None:
    assert plausible("1000", None) == []
    assert plausible("1000", "0") == []
    assert plausible("1000", "300", kind="forecast") == []
    assert plausible("1000", "300", kind="partial") == []
    assert plausible("1000", "300", kind="preliminary") != []


def figure(value: str, kind: str = "actual", end: dt.date = dt.date(2025, 12, 31), **kw):
    return FigureCheck(
        value=Decimal(value),
        kind=kind,
        period_end=end,
        year=end.year,
        unit=kw.pop("unit", "家"),
        indicator_kind=kw.pop("indicator_kind", "level"),
        name=kw.pop("name", "高新技术企业数"),
        previous=kw.pop("previous", None),
    )


def test_a_period_not_yet_over_holds_only_forecasts_and_targets() -> None:
    year_2026 = dt.date(2026, 12, 31)
    [finding] = check_figure(figure("736", end=year_2026), TODAY)
    assert finding.field == "period" and not finding.confirmable
    assert "晚于录入日期 2026-12-06" in finding.problem
    assert check_figure(figure("736", kind="forecast", end=year_2026), TODAY) == []
    assert check_figure(figure("736", kind="target", end=year_2026), TODAY) == []
    assert check_figure(figure("736", end=TODAY), TODAY) == []  # ends on the day: over


def test_the_minus_five_of_the_issue_is_refused_twice_over() -> None:
    findings = check_figure(figure("-5", end=dt.date(2026, 12, 31), previous=Decimal(263)), TODAY)
    assert [(f.field, f.confirmable) for f in findings] == [("value", False), ("period", False)]
    assert blocking(findings, "确认无误") == findings  # no reason lifts an impossible value


def test_a_reason_lifts_only_confirmable_findings_and_is_kept() -> None:
    findings = check_figure(figure("1000", previous=Decimal(300)), TODAY)
    assert [f.confirmable for f in findings] == [True]
    assert blocking(findings, "") == findings
    assert blocking(findings, "  ") == findings
    assert blocking(findings, "统计口径调整") == []
    assert confirmed(findings, "统计口径调整") == findings[0].problem
    assert confirmed([], "统计口径调整") == ""
    rate = figure("150", unit="%", indicator_kind="average_annual_growth", name="增长")
    assert [f.confirmable for f in check_figure(rate, TODAY)] == [True]
