"""Reading typed values out of decoded YAML while collecting "路径: 问题" messages.

Used by ``plan_file``; kept apart so the plan's schema reads on its own. Every reader returns
None when the value is missing or wrong, after recording why — so one pass reports every problem.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class Validator:
    """Collects "路径: 问题" messages while reading values out of decoded YAML."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, problem: str) -> None:
        """Record one problem at ``path`` (dotted, with [i] for list items; "(根)" for the top)."""
        self.errors.append(f"{path or '(根)'}: {problem}")

    def is_mapping(self, item: Any, path: str) -> bool:
        """True if ``item`` is a mapping; otherwise record the problem."""
        if isinstance(item, dict):
            return True
        self.error(path, "应为键值映射")
        return False

    def keys(self, item: dict[str, Any], path: str, required: set[str], optional: set[str]) -> None:
        """Report missing required keys and unknown keys (usually typos)."""
        prefix = f"{path}." if path else ""
        for key in sorted(required - item.keys()):
            self.error(f"{prefix}{key}", "缺少必填字段")
        for key in sorted(set(map(str, item.keys())) - required - optional):
            self.error(f"{prefix}{key}", "未知字段（拼写错误？）")

    def mapping(self, item: Any, path: str, key: str, required: set[str]) -> dict[str, Any]:
        """The nested mapping under ``key`` whose keys are exactly ``required``; {} if unusable."""
        full = _join(path, key)
        if not isinstance(item, dict) or key not in item:
            return {}  # a missing key is reported by keys()
        value = item[key]
        if not self.is_mapping(value, full):
            return {}
        self.keys(value, full, required, set())
        return value

    def items(self, data: dict[str, Any], key: str, *, required: bool) -> list[Any]:
        """The list under ``key``; a required list must be present and non-empty."""
        if key not in data:
            return []  # a missing required key is reported by keys()
        value = data[key]
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.error(key, "应为非空列表" if required else "应为列表")
            return []
        return value

    def text(self, item: Any, path: str, key: str) -> str | None:
        """A non-empty string under ``key``; None if absent (keys() reports required ones)."""
        if not isinstance(item, dict) or key not in item:
            return None
        value = item[key]
        if not isinstance(value, str) or not value.strip():
            self.error(_join(path, key), f"应为非空文字，实为{_describe(value)}")
            return None
        return value

    def code(self, item: dict[str, Any], path: str) -> str | None:
        """The snake_case ``code`` of an indicator or commitment."""
        code = self.text(item, path, "code")
        if code is not None and not _CODE.match(code):
            self.error(_join(path, "code"), f"代码应为小写字母开头的 snake_case，实为“{code}”")
            return None
        return code

    def number(self, item: Any, path: str, key: str = "value") -> float | None:
        """A finite int or float as float; text such as "13.8" and booleans are refused."""
        if not isinstance(item, dict) or key not in item:
            return None
        value = item[key]
        if not _is_number(value):
            self.error(_join(path, key), f"应为数值，实为{_describe(value)}")
            return None
        return float(value)

    def year(self, item: Any, path: str, key: str = "year") -> int | None:
        """A calendar year as an integer between 1949 and 2100."""
        if not isinstance(item, dict) or key not in item:
            return None
        value = item[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1949 <= value <= 2100:
            self.error(_join(path, key), f"应为四位整数年份，实为{_describe(value)}")
            return None
        return value

    def date(self, item: dict[str, Any], path: str, key: str) -> dt.date | None:
        """A date: YAML's own date scalar or a "YYYY-MM-DD" string."""
        if key not in item:
            return None
        value = item[key]
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error(_join(path, key), f"应为 YYYY-MM-DD 日期，实为{_describe(value)}")
            return None

    def choice(
        self, item: dict[str, Any], path: str, key: str, allowed: tuple[str, ...], what: str
    ) -> str | None:
        """One of the ``allowed`` codes; ``what`` names the field in the message."""
        if key not in item:
            return None
        value = item[key]
        if value not in allowed:
            self.error(_join(path, key), f"未知的{what}“{value}”，应为 {'、'.join(allowed)} 之一")
            return None
        return value

    def strings(self, item: dict[str, Any], path: str, key: str) -> tuple[str, ...]:
        """An optional list of non-empty strings, as a tuple."""
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
            self.error(_join(path, key), "应为文字列表")
            return ()
        return tuple(value)

    def notes(self, item: dict[str, Any], path: str) -> tuple[str, ...]:
        """The optional ``notes`` list."""
        return self.strings(item, path, "notes")

    def unique(self, codes: list[str], path: str, what: str) -> None:
        """Report every code that occurs more than once."""
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                self.error(path, f"{what}代码“{code}”重复")
            seen.add(code)


def _is_number(value: Any) -> bool:
    """True for real, finite ints and floats; booleans and numeric strings are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _join(path: str, key: str) -> str:
    """``path.key``, or just ``key`` at the top level."""
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    """How a wrong value is shown in a message, with its type in plain Chinese."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {value}"
    if isinstance(value, str):
        return f"文字“{value}”"
    if isinstance(value, int | float):
        return f"数值 {value!r}"
    return f"{type(value).__name__} 类型的值"
