"""The pure cell parsers: every form people type, and every rejection with its message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.core.imports.cells import (
    CellError,
    lookup_key,
    neutralise_formula,
    normalize_text,
    parse_amount_wan,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    restore_formula,
    split_list,
)

MAY_1 = dt.date(2023, 5, 1)


@pytest.mark.parametrize(
    "raw",
    [
        "2023-05-01",
        "2023-5-1",
        "2023/5/1",
        "2023/05/01",
        "2023.5.1",
        "2023年5月1日",
        "2023年05月01日",
        "2023 年 5 月 1 日",
        "2023年5月1号",
        "２０２３－０５－０１",
        "２０２３年５月１日",
        " 2023-05-01 ",
        "2023-05-01 00:00:00",
        "2023-05-01T00:00",
        "20230501",
        "2023.5",
        "2023-5",
        "2023/05",
        "2023年5月",
        2023.5,
        2023.05,
        20230501,
        45047,  # Excel serial day number of 2023-05-01
        45047.0,
        dt.datetime(2023, 5, 1, 0, 0),
        dt.date(2023, 5, 1),
    ],
)
def test_parse_date_accepts_the_forms_people_type(raw: object) -> None:
    assert parse_date(raw) == MAY_1


def test_month_only_forms_mean_the_first_of_the_month() -> None:
    assert parse_date("2023.10") == dt.date(2023, 10, 1)
    assert parse_date("2023.12") == dt.date(2023, 12, 1)
    assert parse_date(2023.12) == dt.date(2023, 12, 1)
    # Excel stores a typed 2023.10 as the number 2023.1: that reads as January (documented).
    assert parse_date(2023.1) == dt.date(2023, 1, 1)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_parse_date_empty_is_none(raw: object) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("2023-02-30", "日期“2023-02-30”不存在（2023 年 2 月 30 日）。"),
        ("2023-13-01", "日期“2023-13-01”不存在（2023 年 13 月 1 日）。"),
        ("2023.13", "日期“2023.13”不存在（2023 年 13 月 1 日）。"),
        ("去年五月", "“去年五月”不是可识别的日期。"),
        ("05/01/2023", "“05/01/2023”不是可识别的日期。"),
        ("2023", "“2023”不是可识别的日期。"),
        (2023, "“2023”不是可识别的日期。"),
        (2023.123, "“2023.123”不是可识别的日期。"),
    ],
)
def test_parse_date_rejects_with_a_message_and_a_fix(raw: object, problem: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(raw)
    assert caught.value.problem == problem
    assert "2023-0" in caught.value.fix  # an example of the expected form


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.5", Decimal("1234.50")),
        ("1,234.5", Decimal("1234.50")),
        ("1,234.5万元", Decimal("1234.50")),
        ("1，234.5 万元", Decimal("1234.50")),
        ("1234.5万", Decimal("1234.50")),
        ("12345678元", Decimal("1234.57")),
        ("12,345,678 元", Decimal("1234.57")),
        ("1.2亿元", Decimal("12000.00")),
        ("1.2亿", Decimal("12000.00")),
        ("500千元", Decimal("50.00")),
        ("１２３４", Decimal("1234.00")),
        ("１，２３４．５万元", Decimal("1234.50")),
        ("¥1,000,000元", Decimal("100.00")),
        ("￥100万元", Decimal("100.00")),
        (" 12 ", Decimal("12.00")),
        ("0", Decimal("0.00")),
        ("-0", Decimal("0.00")),
        (1234.5, Decimal("1234.50")),
        (0.1 + 0.2, Decimal("0.30")),
        (1234, Decimal("1234.00")),
        (Decimal("1234.567"), Decimal("1234.57")),
        ("1.005", Decimal("1.01")),  # half-up, not banker's rounding
        ("1e3", Decimal("1000.00")),
    ],
)
def test_parse_amount_wan(raw: object, expected: Decimal) -> None:
    result = parse_amount_wan(raw)
    assert result == expected
    assert result is not None and result.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_parse_amount_empty_is_none(raw: object) -> None:
    assert parse_amount_wan(raw) is None


@pytest.mark.parametrize("raw", ["-5", "-5万元", "－５", "−1,000元", -0.5])
def test_parse_amount_rejects_negative(raw: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_amount_wan(raw)
    assert caught.value.problem == "金额不能为负数。"


def test_parse_amount_allows_negative_where_the_field_does() -> None:
    assert parse_amount_wan("-1,234.5万元", allow_negative=True) == Decimal("-1234.50")


@pytest.mark.parametrize("raw", ["abc", "12万元3", "1.2.3", "万元", "约100", "100美元", True])
def test_parse_amount_rejects_non_numbers(raw: object) -> None:
    with pytest.raises(CellError) as caught:
        parse_amount_wan(raw)
    assert "不是有效的金额" in caught.value.problem
    assert "万元" in caught.value.fix


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("１２", 12), ("1,234", 1234), (12.0, 12), ("12项", 12), ("2023年", 2023), (7, 7)],
)
def test_parse_int(raw: object, expected: int) -> None:
    assert parse_int(raw) == expected


def test_parse_int_rejects_fractions_and_bounds() -> None:
    with pytest.raises(CellError) as caught:
        parse_int("12.5")
    assert caught.value.problem == "“12.5”不是整数。"
    with pytest.raises(CellError) as caught:
        parse_int("1999", min_value=2000)
    assert caught.value.problem == "1999 小于允许的最小值 2000。"
    with pytest.raises(CellError) as caught:
        parse_int(2101, max_value=2100)
    assert caught.value.problem == "2101 大于允许的最大值 2100。"
    assert parse_int("") is None


def test_parse_decimal() -> None:
    assert parse_decimal("12.5人") == Decimal("12.50")
    assert parse_decimal("3.25人年") == Decimal("3.25")
    assert parse_decimal("１２") == Decimal("12.00")
    assert parse_decimal(7) == Decimal("7.00")
    assert parse_decimal(None) is None
    with pytest.raises(CellError) as caught:
        parse_decimal("-1")
    assert caught.value.problem == "数值不能为负数。"
    with pytest.raises(CellError) as caught:
        parse_decimal("很多")
    assert caught.value.problem == "“很多”不是有效的数字。"


@pytest.mark.parametrize(
    "raw", ["是", "Y", "y", "YES", "TRUE", "true", "T", "1", 1, True, "√", "Ｙ", " 是 "]
)
def test_parse_bool_true(raw: object) -> None:
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "n", "NO", "FALSE", "false", "0", 0, False, "×"])
def test_parse_bool_false(raw: object) -> None:
    assert parse_bool(raw) is False


def test_parse_bool_empty_and_bad() -> None:
    assert parse_bool(None) is None
    assert parse_bool("") is None
    with pytest.raises(CellError) as caught:
        parse_bool("也许")
    assert caught.value.problem == "“也许”不是有效的是/否值。"
    assert caught.value.fix == "请填写“是”或“否”（也可写 Y/N、1/0）。"
    with pytest.raises(CellError):
        parse_bool(2)


def test_normalize_text() -> None:
    assert normalize_text("  南阳  某某\u3000科技\t有限公司 ") == "南阳 某某 科技 有限公司"
    assert normalize_text("ＡＢＣ１２３") == "ABC123"
    # Full-width brackets in Chinese names are kept.
    assert normalize_text("某某科技（演示）") == "某某科技（演示）"
    assert normalize_text("a\u200bb\ufeff") == "ab"
    assert normalize_text("第一行\r\n第二行") == "第一行 第二行"
    assert normalize_text("第一行  \r\n  第二行", multiline=True) == "第一行\n第二行"
    assert normalize_text(None) == ""
    assert normalize_text(12) == "12"


def test_formula_neutralising_round_trips() -> None:
    for text in ("=1+1", "+86 138", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_formula(text) == "'" + text
        assert restore_formula(neutralise_formula(text)) == text
    assert neutralise_formula("南阳") == "南阳"
    assert restore_formula("'quoted") == "'quoted"  # only a neutralised formula loses its quote


def test_split_list_and_lookup_key() -> None:
    assert split_list("电子信息；新材料, 生物与新医药、 ") == ["电子信息", "新材料", "生物与新医药"]
    assert split_list(None) == []
    assert lookup_key("专精特新'小巨人'企业") == lookup_key("专精特新“小巨人”企业")
    assert lookup_key("产业科技创新人才团队(培育)") == lookup_key("产业科技创新人才团队（培育）")
