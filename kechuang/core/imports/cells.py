"""Pure cell parsers for imports: what people really type into a spreadsheet, turned into values.

No Django here, so the rules are tested in isolation and reused by any importer. Every parser
returns None for an empty cell (the caller decides whether the column is required) and raises
`CellError` with a Chinese problem and a Chinese fix otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "FORMULA_PREFIXES",
    "CellError",
    "is_empty",
    "lookup_key",
    "neutralise_formula",
    "normalize_text",
    "parse_amount_wan",
    "parse_bool",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "restore_formula",
    "split_list",
]


class CellError(ValueError):
    """A cell that cannot be read: `problem` says what is wrong, `fix` how to put it right."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


# Full-width ASCII (U+FF01..U+FF5E) maps to ASCII by subtracting 0xFEE0. Text fields only convert
# digits and Latin letters: Chinese names legitimately use full-width brackets, e.g. （演示）.
_FULLWIDTH_ALNUM = {
    code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code - 0xFEE0).isalnum()
}
_FULLWIDTH_ALL = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009]+")
_ANY_WHITESPACE = re.compile(r"[\s\u00a0\u3000]+")
_MINUS = {ord("−"): "-", ord("—"): "-", ord("–"): "-"}

# OWASP CSV/formula injection: a text starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


_BLANK = " \t\r\n\v\f\u00a0\u3000\u2002\u2003\u2009\u200b\u200c\u200d\u2060\ufeff"


def is_empty(value: object) -> bool:
    """None, or text of nothing but spaces and invisible characters (cheap: called per cell)."""
    return value is None or (isinstance(value, str) and not value.strip(_BLANK))


def normalize_text(value: object, multiline: bool = False) -> str:
    """Strip, drop invisible characters, full-width digits/letters to half-width, collapse spaces.

    With `multiline`, line breaks are kept (abstracts, expertise); otherwise any run of
    whitespace, line breaks included, becomes one space.
    """
    if value is None:
        return ""
    text = str(value).translate(_INVISIBLE).translate(_FULLWIDTH_ALNUM)
    if multiline:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip()
    return _ANY_WHITESPACE.sub(" ", text).strip()


def neutralise_formula(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula (OWASP advice)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def restore_formula(text: str) -> str:
    """Undo `neutralise_formula` on import, so that export → import is the identity."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _numeric_text(value: object) -> str:
    """Numbers as typed: half-width, no spaces, no thousands separators, ASCII minus."""
    text = str(value).translate(_INVISIBLE).translate(_FULLWIDTH_ALL).translate(_MINUS)
    text = _ANY_WHITESPACE.sub("", text)
    return text.replace(",", "").replace("，", "").replace("、", "")


def _to_decimal(value: object) -> Decimal | None:
    """A plain number (cell value or text) as Decimal, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return Decimal(repr(value))  # repr: the shortest text that round-trips, 0.1 stays 0.1
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    text = _numeric_text(value)
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


_AMOUNT_UNITS = (
    ("亿元", Decimal(10000)),
    ("亿", Decimal(10000)),
    ("万元", Decimal(1)),
    ("万", Decimal(1)),
    ("千元", Decimal("0.1")),
    ("元", Decimal("0.0001")),
)


def parse_amount_wan(
    value: object, allow_negative: bool = False, places: int = 2
) -> Decimal | None:
    """An amount in 万元. Bare numbers are 万元; "元", "万元", "亿元" (and "千元") are converted.

    Accepts thousands separators, full-width digits, "¥"/"￥" and stray spaces. The result is
    rounded half-up to `places` decimals (0.01 万元 = 100 元, the precision of the registry).
    """
    if is_empty(value):
        return None
    factor = Decimal(1)
    number: Decimal | None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = _to_decimal(value)
    else:
        text = _numeric_text(value).lstrip("¥￥").replace("人民币", "")
        for unit, unit_factor in _AMOUNT_UNITS:
            if text.endswith(unit):
                text, factor = text[: -len(unit)], unit_factor
                break
        number = _to_decimal(text.lstrip("¥￥"))
    if number is None:
        raise CellError(
            f"“{value}”不是有效的金额。",
            "请填写数字，单位默认为万元，如 1234.5；也可写 12345678元、1.2亿元。",
        )
    result = (number * factor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if result < 0 and not allow_negative:
        raise CellError("金额不能为负数。", "请填写 0 或正数；如确为亏损，请在备注中说明。")
    return result + 0  # normalise -0.00 to 0.00


_COUNT_UNITS = ("人年", "人", "项", "个", "件", "家", "年", "次")


def parse_decimal(
    value: object, places: int = 2, allow_negative: bool = False, unit: str = ""
) -> Decimal | None:
    """A decimal number (e.g. head counts in 人, 人年), rounded half-up to `places` decimals."""
    if is_empty(value):
        return None
    text = value if isinstance(value, int | float | Decimal) else _strip_unit(value)
    number = _to_decimal(text)
    if number is None:
        raise CellError(
            f"“{value}”不是有效的数字。",
            f"请填写数字{('（单位：' + unit + '）') if unit else ''}，如 12 或 12.5。",
        )
    result = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0
    if result < 0 and not allow_negative:
        raise CellError("数值不能为负数。", "请填写 0 或正数。")
    return result


def _strip_unit(value: object) -> str:
    text = _numeric_text(value)
    for unit in _COUNT_UNITS:
        if text.endswith(unit):
            return text[: -len(unit)]
    return text


def parse_int(
    value: object, min_value: int | None = None, max_value: int | None = None
) -> int | None:
    """A whole number; "1,234", "１２", 12.0 and "12项" are accepted, 12.5 is not."""
    if is_empty(value):
        return None
    text = value if isinstance(value, int | float | Decimal) else _strip_unit(value)
    number = _to_decimal(text)
    if number is None or number != number.to_integral_value():
        raise CellError(f"“{value}”不是整数。", "请填写不带小数的整数，如 12。")
    result = int(number)
    if min_value is not None and result < min_value:
        raise CellError(
            f"{result} 小于允许的最小值 {min_value}。", f"请填写不小于 {min_value} 的整数。"
        )
    if max_value is not None and result > max_value:
        raise CellError(
            f"{result} 大于允许的最大值 {max_value}。", f"请填写不大于 {max_value} 的整数。"
        )
    return result


_TRUE = {"是", "Y", "YES", "TRUE", "T", "1", "√", "✓", "对", "有"}
_FALSE = {"否", "N", "NO", "FALSE", "F", "0", "×", "✗", "错", "无"}


def parse_bool(value: object) -> bool | None:
    """是/否, Y/N, YES/NO, TRUE/FALSE, 1/0 (and Excel's own TRUE/FALSE cells)."""
    if isinstance(value, bool):
        return value
    if is_empty(value):
        return None
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = normalize_text(value).translate(_FULLWIDTH_ALL).upper().replace(" ", "")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"“{value}”不是有效的是/否值。", "请填写“是”或“否”（也可写 Y/N、1/0）。")


# Excel serial day numbers: day 1 is 1900-01-01 with the 1900 leap-year bug, so serials count
# from 1899-12-30. Only serials from 1910 to 2099 are taken as dates: a bare 2023 is not a date.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_RANGE = (3654, 73050)
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*"
    r"(?:(?:[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?)|月)?"
    r"(?:\s*[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_FIX = (
    "请按 2023-05-01 的格式填写；也可写 2023/5/1、2023年5月1日，或 2023.5（表示当月 1 日）。"
)


def parse_date(value: object) -> dt.date | None:
    """A date from an Excel date cell, an Excel serial number or the text forms people type.

    Text forms: 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501, and month-only forms
    2023.5, 2023-5, 2023年5月, which mean the first day of that month. A number cell such as
    2023.5 (Excel stores "2023.10" as 2023.1) is read as year.month in the same way.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if is_empty(value):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _date_from_number(value)
    text = normalize_text(value).translate(_FULLWIDTH_ALL).translate(_MINUS)
    if re.fullmatch(r"\d{8}", text):
        return _make_date(int(text[:4]), int(text[4:6]), int(text[6:]), value)
    match = _DATE.fullmatch(text)
    if match is None:
        if re.fullmatch(r"\d+(\.0+)?", text):
            return _date_from_number(Decimal(text))
        raise CellError(f"“{value}”不是可识别的日期。", _DATE_FIX)
    day = int(match["d"]) if match["d"] else 1
    return _make_date(int(match["y"]), int(match["m"]), day, value)


def _date_from_number(value: int | float | Decimal) -> dt.date:
    number = _to_decimal(value)
    if number is None:
        raise CellError(f"“{value}”不是可识别的日期。", _DATE_FIX)
    whole = int(number)
    if number != whole and 1900 <= whole <= 2100:  # 2023.5 typed into a number cell
        digits = str(number).split(".")[1] if "." in str(number) else ""
        if not digits.isdigit() or len(digits) > 2:
            raise CellError(f"“{value}”不是可识别的日期。", _DATE_FIX)
        return _make_date(whole, int(digits), 1, value)
    if number == whole and 19000101 <= whole <= 21001231:
        text = str(whole)
        return _make_date(int(text[:4]), int(text[4:6]), int(text[6:]), value)
    if number == whole and _SERIAL_RANGE[0] <= whole <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=whole)
    raise CellError(f"“{value}”不是可识别的日期。", _DATE_FIX)


def _make_date(year: int, month: int, day: int, raw: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(
            f"日期“{raw}”不存在（{year} 年 {month} 月 {day} 日）。",
            "请检查年、月、日是否写对，如 2023-02-28。",
        ) from None


_LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")


def split_list(value: object) -> list[str]:
    """A multi-value cell ("电子信息；新材料") as its items, in order, without blanks."""
    if is_empty(value):
        return []
    return [
        item for item in (normalize_text(p) for p in _LIST_SEPARATORS.split(str(value))) if item
    ]


_QUOTES = dict.fromkeys(map(ord, "\"'“”‘’「」『』 "), None)


def lookup_key(value: object) -> str:
    """The form used to match typed labels against known ones: half-width, no spaces or quotes,
    lower case (so "专精特新'小巨人'企业" finds 专精特新“小巨人”企业)."""
    text = normalize_text(value).translate(_FULLWIDTH_ALL).translate(_QUOTES)
    return text.lower()
