"""The data model of tier rules: the constants of the rule format, :class:`RuleError`, and the
criteria tree (:class:`Criterion`, :class:`AnyOf`, :class:`AllOf`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

I8 = NDArray[np.int8]
F64 = NDArray[np.float64]

FAIL, PASS, UNKNOWN = 0, 1, 2
OUTCOMES: dict[int, str] = {FAIL: "fail", PASS: "pass", UNKNOWN: "unknown"}
OPS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "between": "介于"}
ISSUER_LEVELS: dict[str, str] = {
    "national": "国家级",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
}
QUALIFICATION_KINDS = (
    "HNTE",
    "TSME",
    "gazelle",
    "eaglet",
    "innovation_leader",
    "srdi",
    "little_giant",
    "innovative_sme",
    "tech_giant",
    "other",
)
STATUSES: dict[str, str] = {
    "verified": "已核实",
    "needs_confirmation": "待局方确认",
    "historical": "历史标准",
    "inactive": "未启用",
}
# How sure the rule file is of a threshold (official-rules.md's tags), in the words users read:
# verified against a text of the rule (V2 several copies, V1 one), corroborated only indirectly
# (VC), not verified (U), or set by the bureau.
CONFIDENCES: dict[str, str] = {
    "V2": "已核对原文",
    "V1": "已核对原文",
    "VC": "待核对原文",
    "U": "待局方确认",
    "bureau": "局方设定",
}
UNSET = "待局方确认"
CODE_RE = re.compile(r"[a-z0-9-]+")
SECTION_RE = re.compile(r"§\d+(?:\.\d+)*")
MAX_TIERS = 100  # tier indices are int8

Threshold = float | tuple[float, float] | None


class RuleError(ValueError):
    """Invalid rules; ``errors`` lists every problem found (Chinese, naming rule and criterion)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("规则配置有误：\n" + "\n".join(self.errors))


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Criterion:
    """One comparison ``metric op value``; ``value`` None = threshold not set (待局方确认)."""

    metric: str
    op: str
    value: Threshold
    source: str = ""
    confidence: str = "U"
    note: str = ""

    @property
    def unset(self) -> bool:
        """True when the bureau still has to set or confirm this threshold."""
        return self.value is None or self.confidence == "U"

    def to_dict(self) -> dict[str, Any]:
        value: Any = list(self.value) if isinstance(self.value, tuple) else self.value
        out: dict[str, Any] = {
            "metric": self.metric,
            "op": self.op,
            "value": value,
            "source": self.source,
            "confidence": self.confidence,
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class AnyOf:
    """At least one of ``items`` must hold."""

    items: tuple[Node, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"any_of": [item.to_dict() for item in self.items]}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class AllOf:
    """All of ``items`` must hold (useful inside :class:`AnyOf`)."""

    items: tuple[Node, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"all_of": [item.to_dict() for item in self.items]}
        if self.note:
            out["note"] = self.note
        return out


Node = Criterion | AnyOf | AllOf


def leaves(nodes: Sequence[Node], path: str = "") -> list[tuple[str, Criterion]]:
    """Every criterion with its Chinese position (第2条 / 第2条第1项)."""
    found: list[tuple[str, Criterion]] = []
    for index, node in enumerate(nodes, start=1):
        here = f"{path}第{index}{'项' if path else '条'}"
        if isinstance(node, Criterion):
            found.append((here, node))
        else:
            found.extend(leaves(node.items, here))
    return found
