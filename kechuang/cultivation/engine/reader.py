"""Typed field readers that collect Chinese error messages per field path.

Used by :func:`.case.load_case`; every reader returns a value or ``None`` and records an error
instead of raising, so that one :class:`CaseError` can report every bad field at once.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any


class CaseError(ValueError):
    """Invalid case input. ``errors`` maps a field path to its Chinese messages.

    Example: ``{"years[1].rd_expense": ["研发费用不能为负数"]}``.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        lines = [f"{path}: {msg}" for path, msgs in errors.items() for msg in msgs]
        super().__init__("案例数据有误：" + "；".join(lines))


def type_name(value: Any) -> str:
    """A short Chinese description of a JSON value's type, for error messages."""
    names = {
        bool: "布尔值",
        str: "文本",
        int: "整数",
        float: "小数",
        list: "列表",
        dict: "对象",
        type(None): "空值",
    }
    return names.get(type(value), type(value).__name__)


class Reader:
    """Reads fields out of plain dicts, collecting errors by path."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message: str) -> None:
        """Record ``message`` for ``path``."""
        self.errors.setdefault(path, []).append(message)

    def raise_if_errors(self) -> None:
        """Raise :class:`CaseError` when any error was recorded."""
        if self.errors:
            raise CaseError(self.errors)

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], prefix: str) -> None:
        """Report keys not in ``allowed`` (typos such as ``rd_expence``)."""
        for key in data:
            if key not in allowed:
                path = f"{prefix}.{key}" if prefix else str(key)
                self.error(path, f"未知字段“{key}”，请检查拼写")

    def number(
        self, value: Any, path: str, label: str, *, allow_negative: bool = False
    ) -> Decimal | None:
        """A finite number (int, float or Decimal; not bool, not text) as an exact Decimal."""
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.error(path, f"{label}应为数字，收到{type_name(value)}“{value}”")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.error(path, f"{label}应为有限数值")
            return None
        dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not dec.is_finite():
            self.error(path, f"{label}应为有限数值")
            return None
        if dec < 0 and not allow_negative:
            self.error(path, f"{label}不能为负数")
            return None
        return dec

    def integer(
        self, value: Any, path: str, label: str, *, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        """An integer (not bool) within ``[minimum, maximum]``."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"{label}应为整数，收到{type_name(value)}“{value}”")
            return None
        if value < minimum:
            self.error(path, f"{label}不能小于 {minimum}" if minimum else f"{label}不能为负数")
            return None
        if maximum is not None and value > maximum:
            self.error(path, f"{label}不能大于 {maximum}")
            return None
        return value

    def boolean(self, value: Any, path: str, label: str) -> bool | None:
        """``true`` or ``false`` only."""
        if not isinstance(value, bool):
            self.error(path, f"{label}应为 true 或 false，收到{type_name(value)}“{value}”")
            return None
        return value

    def text(self, value: Any, path: str, label: str) -> str | None:
        """A non-empty string."""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"{label}应为非空文本，收到{type_name(value)}“{value}”")
            return None
        return value.strip()

    def choice(self, value: Any, path: str, label: str, allowed: tuple[str, ...]) -> str | None:
        """One of ``allowed``."""
        if not isinstance(value, str) or value not in allowed:
            options = "、".join(allowed)
            self.error(path, f"未知的{label}“{value}”，应为 {options} 之一")
            return None
        return value

    def iso_date(self, value: Any, path: str, label: str) -> date | None:
        """A ``YYYY-MM-DD`` string (or a ``date``) as a :class:`date`."""
        if isinstance(value, date):
            return value
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.error(path, f"{label}格式应为 YYYY-MM-DD，收到“{value}”")
        return None

    def mapping(self, value: Any, path: str, label: str) -> dict[str, Any] | None:
        """A JSON object."""
        if not isinstance(value, dict):
            self.error(path, f"{label}应为对象（键值对），收到{type_name(value)}")
            return None
        return value

    def sequence(self, value: Any, path: str, label: str) -> list[Any] | None:
        """A JSON array."""
        if not isinstance(value, list | tuple):
            self.error(path, f"{label}应为列表，收到{type_name(value)}")
            return None
        return list(value)
