"""Configurable enterprise tier rule sets and the HNTE reserve pool (高企后备库) tiers.

Rules are data (``data/cultivation/tier-rules.yaml`` or an admin JSON field) so that the bureau
can edit thresholds and effective dates without a code change. :func:`load_rules` validates the
whole structure and raises :class:`RuleError` listing every problem at once (Chinese messages
naming the rule set and the criterion, e.g. “河南省瞪羚企业 第2条：未知指标“sales_growth””).

Format (see the YAML file for a commented example)::

    rule_sets:
      - code, name, issuer_level, qualification_kind?, effective_from, effective_to?,
        source, status, note?, criteria: [node, …]          # ALL must hold
    reserve_tiers:
      version, effective_from, source, note?, status?, exclude: [node, …],
      tiers: [{code, label, description?, criteria: [node, …]}, …]   # first match wins

    node := {metric, op, value, source?, confidence, note?}
          | {any_of: [node, …], note?}                        # at least one must hold
          | {all_of: [node, …], note?}                        # all must hold (inside any_of)

Operators: ``>=``, ``>``, ``<=``, ``<``, ``==`` and ``between`` with ``value: [lo, hi]`` meaning
**lo ≤ x < hi** (lower end included, upper end excluded, as in 「1000万(含)–1亿」 followed by
「1亿(含)–2亿」). Write two criteria (``>=`` and ``<=``) for a closed interval.
``value: null`` is a threshold the bureau has not set yet.

Semantics, three-valued and vectorised over all enterprises: a criterion is True, False or
Unknown; it is Unknown where the metric is NaN (or absent from the metrics: data not held) or
where the threshold is null. ALL: False if any False, else Unknown if any Unknown, else True.
any_of: True if any True, else Unknown if any Unknown, else False. Result codes (int8):
:data:`FAIL` 0, :data:`PASS` 1, :data:`UNKNOWN` 2 (待确认 / 数据不足).

Reserve tiers: a row's tier is the first tier whose criteria are True (Unknown does not match);
rows where ``exclude`` is True (e.g. already 高新技术企业) and rows matching no tier get -1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeGuard

import numpy as np
from numpy.typing import NDArray

from .metrics import FLAG_UNIT, METRICS, SCREENING_CODES, SCREENING_UNIT

__all__ = [
    "CONFIDENCES",
    "FAIL",
    "ISSUER_LEVELS",
    "OPS",
    "OUTCOMES",
    "PASS",
    "QUALIFICATION_KINDS",
    "STATUSES",
    "UNKNOWN",
    "AllOf",
    "AnyOf",
    "Criterion",
    "Node",
    "ReservePolicy",
    "ReserveTier",
    "RuleError",
    "TierRuleSet",
    "assign_reserve_tiers",
    "describe",
    "describe_node",
    "evaluate",
    "evaluate_rule_sets",
    "explain",
    "load_criteria",
    "load_reserve_policy",
    "load_rule_set",
    "load_rules",
]

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
CONFIDENCES: dict[str, str] = {
    "V2": "V2",
    "V1": "V1",
    "VC": "VC",
    "U": "U",
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


def _leaves(nodes: Sequence[Node], path: str = "") -> list[tuple[str, Criterion]]:
    """Every criterion with its Chinese position (第2条 / 第2条第1项)."""
    found: list[tuple[str, Criterion]] = []
    for index, node in enumerate(nodes, start=1):
        here = f"{path}第{index}{'项' if path else '条'}"
        if isinstance(node, Criterion):
            found.append((here, node))
        else:
            found.extend(_leaves(node.items, here))
    return found


def _unset_lines(nodes: Sequence[Node], prefix: str = "") -> list[str]:
    lines = []
    for where, leaf in _leaves(nodes):
        if not leaf.unset:
            continue
        text = describe_node(leaf)
        if leaf.value is not None:
            text += "，门槛未经核实，待局方确认"
        lines.append(f"{prefix}{where}：{text}")
    return lines


@dataclass(frozen=True)
class TierRuleSet:
    """A qualification tier (创新龙头, 瞪羚, 专精特新 …) as a configurable set of criteria."""

    code: str
    name: str
    issuer_level: str
    qualification_kind: str | None
    effective_from: date
    effective_to: date | None
    source: str
    status: str
    note: str
    criteria: tuple[Node, ...]

    def applies_on(self, day: date) -> bool:
        """True when ``day`` lies within effective_from … effective_to (both included)."""
        if day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    @property
    def needs_confirmation(self) -> bool:
        """Status needs_confirmation, or some threshold is null or tagged U."""
        if self.status == "needs_confirmation":
            return True
        return any(leaf.unset for _, leaf in _leaves(self.criteria))

    def unset_thresholds(self) -> list[str]:
        """Chinese descriptions of the criteria awaiting the bureau (null or [U] thresholds)."""
        return _unset_lines(self.criteria)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "issuer_level": self.issuer_level,
            "qualification_kind": self.qualification_kind,
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "source": self.source,
            "status": self.status,
            "note": self.note,
            "criteria": [node.to_dict() for node in self.criteria],
        }


@dataclass(frozen=True)
class ReserveTier:
    """One tier of the reserve pool (种子型 / 初创型 / 成长型 / 成熟型)."""

    code: str
    label: str
    criteria: tuple[Node, ...]
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "description": self.description,
            "criteria": [node.to_dict() for node in self.criteria],
        }


@dataclass(frozen=True)
class ReservePolicy:
    """The HNTE reserve pool (高企后备库) policy: exclusions, then tiers in order (first match)."""

    version: str
    effective_from: date
    source: str
    note: str
    exclude: tuple[Node, ...]
    tiers: tuple[ReserveTier, ...]
    status: str = "needs_confirmation"

    @property
    def tier_codes(self) -> list[str]:
        """Tier codes in order; :func:`assign_reserve_tiers` returns indices into this list."""
        return [tier.code for tier in self.tiers]

    def applies_on(self, day: date) -> bool:
        return day >= self.effective_from

    @property
    def needs_confirmation(self) -> bool:
        if self.status == "needs_confirmation":
            return True
        nodes = [*self.exclude, *(node for tier in self.tiers for node in tier.criteria)]
        return any(leaf.unset for _, leaf in _leaves(nodes))

    def unset_thresholds(self) -> list[str]:
        lines = _unset_lines(self.exclude, "排除条件 ")
        for tier in self.tiers:
            lines.extend(_unset_lines(tier.criteria, f"{tier.label} "))
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "note": self.note,
            "status": self.status,
            "exclude": [node.to_dict() for node in self.exclude],
            "tiers": [tier.to_dict() for tier in self.tiers],
        }


# --------------------------------------------------------------------------- loading


def _is_number(value: object) -> TypeGuard[int | float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _parse_threshold(op: str, value: object, errors: list[str], where: str) -> Threshold:
    if value is None:
        return None
    if op == "between":
        if (
            isinstance(value, list | tuple)
            and len(value) == 2
            and all(_is_number(item) for item in value)
            and float(value[0]) < float(value[1])
        ):
            return (float(value[0]), float(value[1]))
        errors.append(f"{where}：between 的门槛值应为两个数值 [下限, 上限] 且下限小于上限")
        return None
    if _is_number(value):
        return float(value)
    errors.append(f"{where}：门槛值应为数值或留空（null），实为“{value}”")
    return None


def _text(item: Mapping[str, Any], key: str, errors: list[str], where: str) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(f"{where}：{key} 应为文字")
        return ""
    return value


def _check_keys(item: Mapping[str, Any], allowed: set[str], errors: list[str], where: str) -> None:
    for key in item:
        if key not in allowed:
            errors.append(f"{where}：未知字段“{key}”")


_LEAF_KEYS = {"metric", "op", "value", "source", "confidence", "note"}


def _load_node(item: object, errors: list[str], where: str) -> Node | None:
    if not isinstance(item, Mapping):
        errors.append(f"{where}：条件应为键值结构")
        return None
    groups = [key for key in ("any_of", "all_of") if key in item]
    if len(groups) + ("metric" in item) != 1:
        errors.append(f"{where}：条件应且只应包含 metric、any_of、all_of 之一")
        return None
    if groups:
        key = groups[0]
        _check_keys(item, {key, "note"}, errors, where)
        items = item[key]
        if not isinstance(items, list) or not items:
            errors.append(f"{where}：{key} 应为非空列表")
            return None
        children = [
            _load_node(child, errors, f"{where}第{index}项")
            for index, child in enumerate(items, start=1)
        ]
        note = _text(item, "note", errors, where)
        valid = tuple(child for child in children if child is not None)
        return AnyOf(valid, note) if key == "any_of" else AllOf(valid, note)
    _check_keys(item, _LEAF_KEYS, errors, where)
    metric = item["metric"]
    if not isinstance(metric, str) or metric not in METRICS:
        errors.append(f"{where}：未知指标“{metric}”")
        metric = str(metric)
    op = item.get("op")
    if op not in OPS:
        allowed = "、".join(OPS)
        errors.append(f"{where}：未知比较方式“{op}”，应为 {allowed} 之一")
        op = ">="
    if "value" not in item:
        errors.append(f"{where}：缺少门槛值 value（未定门槛请写 null）")
    value = _parse_threshold(str(op), item.get("value"), errors, where)
    confidence = item.get("confidence")
    if confidence not in CONFIDENCES:
        allowed = "、".join(CONFIDENCES)
        errors.append(f"{where}：可信度“{confidence}”无效，应为 {allowed} 之一")
        confidence = "U"
    return Criterion(
        metric=metric,
        op=str(op),
        value=value,
        source=_text(item, "source", errors, where),
        confidence=str(confidence),
        note=_text(item, "note", errors, where),
    )


def _load_list(items: object, errors: list[str], label: str, allow_empty: bool) -> tuple[Node, ...]:
    if items is None and allow_empty:
        return ()
    if not isinstance(items, list) or (not items and not allow_empty):
        errors.append(f"{label}：criteria 应为非空列表（至少一条条件）")
        return ()
    nodes = [_load_node(item, errors, f"{label} 第{i}条") for i, item in enumerate(items, 1)]
    return tuple(node for node in nodes if node is not None)


def load_criteria(
    items: object, label: str = "条件", allow_empty: bool = False
) -> tuple[Node, ...]:
    """Parse a list of criteria; raises :class:`RuleError` naming ``label`` on problems."""
    errors: list[str] = []
    nodes = _load_list(items, errors, label, allow_empty)
    if errors:
        raise RuleError(errors)
    return nodes


def _date(value: object, errors: list[str], where: str, key: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(f"{where}：{key} 应为日期（YYYY-MM-DD），实为“{value}”")
    return None


def _code(value: object, errors: list[str], where: str, what: str) -> str:
    if not isinstance(value, str) or not CODE_RE.fullmatch(value):
        errors.append(f"{where}：{what}编码“{value}”无效，只能包含小写字母、数字和连字符")
        return str(value)
    return value


_RULE_SET_KEYS = {
    "code",
    "name",
    "issuer_level",
    "qualification_kind",
    "effective_from",
    "effective_to",
    "source",
    "status",
    "note",
    "criteria",
}


def _rule_set(item: object, errors: list[str], position: int) -> TierRuleSet | None:
    if not isinstance(item, Mapping):
        errors.append(f"第{position}个规则集：应为键值结构")
        return None
    name = item.get("name")
    label = name if isinstance(name, str) and name.strip() else None
    label = label or (f"规则集“{item['code']}”" if item.get("code") else f"第{position}个规则集")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{label}：名称 name 不能为空")
    _check_keys(item, _RULE_SET_KEYS, errors, label)
    code = _code(item.get("code"), errors, label, "规则集")
    level = item.get("issuer_level")
    if level not in ISSUER_LEVELS:
        errors.append(f"{label}：发布层级“{level}”无效，应为 {'、'.join(ISSUER_LEVELS)} 之一")
    kind = item.get("qualification_kind")
    if kind is not None and kind not in QUALIFICATION_KINDS:
        allowed = "、".join(QUALIFICATION_KINDS)
        errors.append(f"{label}：资格类型“{kind}”无效，应为 {allowed} 之一")
    status = item.get("status")
    if status not in STATUSES:
        errors.append(f"{label}：状态“{status}”无效，应为 {'、'.join(STATUSES)} 之一")
    start = _date(item.get("effective_from"), errors, label, "生效日期 effective_from")
    end = None
    if item.get("effective_to") is not None:
        end = _date(item["effective_to"], errors, label, "失效日期 effective_to")
    if start and end and end < start:
        errors.append(f"{label}：失效日期 {end} 早于生效日期 {start}")
    source = _text(item, "source", errors, label)
    if not source.strip():
        errors.append(f"{label}：来源 source 不能为空（请注明文件或“局方自定”）")
    criteria = _load_list(item.get("criteria"), errors, label, allow_empty=False)
    if status == "verified":
        for where, leaf in _leaves(criteria):
            if leaf.unset:
                errors.append(f"{label} {where}：状态为 verified，但该门槛未设定或未经核实（U）")
    if start is None:
        return None
    return TierRuleSet(
        code=code,
        name=str(name),
        issuer_level=str(level),
        qualification_kind=kind if isinstance(kind, str) else None,
        effective_from=start,
        effective_to=end,
        source=source,
        status=str(status),
        note=_text(item, "note", errors, label),
        criteria=criteria,
    )


def load_rule_set(item: dict[str, Any]) -> TierRuleSet:
    """Validate and build one rule set; raises :class:`RuleError` with every problem."""
    errors: list[str] = []
    rule_set = _rule_set(item, errors, 1)
    if errors or rule_set is None:
        raise RuleError(errors)
    return rule_set


_POLICY_KEYS = {"version", "effective_from", "source", "note", "status", "exclude", "tiers"}
_TIER_KEYS = {"code", "label", "description", "criteria"}


def _policy(item: object, errors: list[str]) -> ReservePolicy | None:
    label = "后备库分级"
    if not isinstance(item, Mapping):
        errors.append(f"{label}：reserve_tiers 应为键值结构")
        return None
    _check_keys(item, _POLICY_KEYS, errors, label)
    version = item.get("version")
    if not isinstance(version, str) or not version.strip():
        errors.append(f"{label}：版本 version 不能为空")
    start = _date(item.get("effective_from"), errors, label, "生效日期 effective_from")
    status = item.get("status", "needs_confirmation")
    if status not in STATUSES:
        errors.append(f"{label}：状态“{status}”无效，应为 {'、'.join(STATUSES)} 之一")
    source = _text(item, "source", errors, label)
    if not source.strip():
        errors.append(f"{label}：来源 source 不能为空")
    exclude = _load_list(item.get("exclude"), errors, f"{label} 排除条件", allow_empty=True)
    raw_tiers = item.get("tiers")
    tiers: list[ReserveTier] = []
    if not isinstance(raw_tiers, list) or not raw_tiers:
        errors.append(f"{label}：tiers 应为非空列表")
        raw_tiers = []
    if len(raw_tiers) > MAX_TIERS:
        errors.append(f"{label}：最多 {MAX_TIERS} 个分级")
    seen: set[str] = set()
    for position, raw in enumerate(raw_tiers, start=1):
        where = f"{label} 第{position}级"
        if not isinstance(raw, Mapping):
            errors.append(f"{where}：应为键值结构")
            continue
        tier_label = raw.get("label")
        if isinstance(tier_label, str) and tier_label.strip():
            where = f"{label} {tier_label}"
        else:
            errors.append(f"{where}：名称 label 不能为空")
        _check_keys(raw, _TIER_KEYS, errors, where)
        code = _code(raw.get("code"), errors, where, "分级")
        if code in seen:
            errors.append(f"{where}：分级编码“{code}”重复")
        seen.add(code)
        tiers.append(
            ReserveTier(
                code=code,
                label=str(tier_label),
                criteria=_load_list(raw.get("criteria"), errors, where, allow_empty=False),
                description=_text(raw, "description", errors, where),
            )
        )
    if start is None:
        return None
    return ReservePolicy(
        version=str(version),
        effective_from=start,
        source=source,
        note=_text(item, "note", errors, label),
        exclude=exclude,
        tiers=tuple(tiers),
        status=str(status),
    )


def load_reserve_policy(item: dict[str, Any]) -> ReservePolicy:
    """Validate and build the reserve pool policy; raises :class:`RuleError`."""
    errors: list[str] = []
    policy = _policy(item, errors)
    if errors or policy is None:
        raise RuleError(errors)
    return policy


def load_rules(data: dict[str, Any]) -> tuple[list[TierRuleSet], ReservePolicy]:
    """Validate ``{rule_sets: […], reserve_tiers: {…}}``; raises :class:`RuleError` with ALL
    problems (unknown metric or operator, bad threshold, dates, duplicate codes, empty criteria).
    """
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise RuleError(["规则文件：顶层应为键值结构，包含 rule_sets 与 reserve_tiers"])
    _check_keys(data, {"rule_sets", "reserve_tiers"}, errors, "规则文件")
    raw_sets = data.get("rule_sets")
    if not isinstance(raw_sets, list):
        errors.append("规则文件：缺少 rule_sets 列表")
        raw_sets = []
    rule_sets: list[TierRuleSet] = []
    seen: dict[str, str] = {}
    for position, raw in enumerate(raw_sets, start=1):
        rule_set = _rule_set(raw, errors, position)
        if rule_set is None:
            continue
        if rule_set.code in seen:
            errors.append(
                f"{rule_set.name}：规则集编码“{rule_set.code}”与“{seen[rule_set.code]}”重复"
            )
        seen.setdefault(rule_set.code, rule_set.name)
        rule_sets.append(rule_set)
    if "reserve_tiers" not in data:
        errors.append("规则文件：缺少 reserve_tiers（高企后备库分级）")
        policy = None
    else:
        policy = _policy(data["reserve_tiers"], errors)
    if errors or policy is None:
        raise RuleError(errors)
    return rule_sets, policy


# --------------------------------------------------------------------------- evaluation


def _rows(metrics: Mapping[str, np.ndarray]) -> int:
    sizes = {np.shape(value) for value in metrics.values()}
    if not sizes:
        raise ValueError("metrics 为空，无法确定企业数")
    if len(sizes) != 1 or len(next(iter(sizes))) != 1:
        raise ValueError("metrics 中各指标应为等长的一维数组")
    return int(next(iter(sizes))[0])


def _metric(metrics: Mapping[str, np.ndarray], name: str, n: int) -> F64:
    """The metric column, or all NaN when the caller does not hold it (data not collected)."""
    if name not in metrics:
        return np.full(n, np.nan)
    return np.asarray(metrics[name], dtype=np.float64)


def _compare(x: F64, op: str, value: float | tuple[float, float]) -> NDArray[np.bool_]:
    if op == "between":
        assert isinstance(value, tuple)
        lo, hi = value
        return (x >= lo) & (x < hi)
    assert isinstance(value, float)
    if op == ">=":
        return x >= value
    if op == ">":
        return x > value
    if op == "<=":
        return x <= value
    if op == "<":
        return x < value
    return x == value


def _leaf(node: Criterion, metrics: Mapping[str, np.ndarray], n: int) -> I8:
    if node.value is None:
        return np.full(n, UNKNOWN, dtype=np.int8)
    x = _metric(metrics, node.metric, n)
    out = _compare(x, node.op, node.value).astype(np.int8)
    out[np.isnan(x)] = UNKNOWN
    return out


def _all(results: list[I8], n: int) -> I8:
    if not results:
        return np.full(n, PASS, dtype=np.int8)
    stack = np.stack(results)
    out = np.full(n, PASS, dtype=np.int8)
    out[(stack == UNKNOWN).any(axis=0)] = UNKNOWN
    out[(stack == FAIL).any(axis=0)] = FAIL
    return out


def _any(results: list[I8], n: int) -> I8:
    stack = np.stack(results)
    out = np.full(n, FAIL, dtype=np.int8)
    out[(stack == UNKNOWN).any(axis=0)] = UNKNOWN
    out[(stack == PASS).any(axis=0)] = PASS
    return out


def _node(node: Node, metrics: Mapping[str, np.ndarray], n: int) -> I8:
    if isinstance(node, Criterion):
        return _leaf(node, metrics, n)
    results = [_node(child, metrics, n) for child in node.items]
    return _any(results, n) if isinstance(node, AnyOf) else _all(results, n)


def _coerce(criteria: Sequence[Node | Mapping[str, Any]]) -> tuple[Node, ...]:
    if any(isinstance(item, Mapping) for item in criteria):
        return load_criteria(list(criteria))
    return tuple(criteria)  # type: ignore[arg-type]


def evaluate(criteria: Sequence[Node | Mapping[str, Any]], metrics: Mapping[str, np.ndarray]) -> I8:
    """ALL of ``criteria`` per row: int8 0 fail / 1 pass / 2 unknown (empty criteria → pass).

    ``criteria`` are parsed nodes (or raw dicts, validated first). A metric missing from
    ``metrics`` counts as unknown for every row (data not held).
    """
    nodes = _coerce(criteria)
    n = _rows(metrics)
    return _all([_node(node, metrics, n) for node in nodes], n)


def evaluate_rule_sets(
    rule_sets: Sequence[TierRuleSet], metrics: Mapping[str, np.ndarray], on: date
) -> dict[str, I8]:
    """Results (code → int8 per row) of the rule sets in force ``on`` that are not inactive."""
    return {
        rule_set.code: evaluate(rule_set.criteria, metrics)
        for rule_set in rule_sets
        if rule_set.status != "inactive" and rule_set.applies_on(on)
    }


def assign_reserve_tiers(policy: ReservePolicy, metrics: Mapping[str, np.ndarray]) -> I8:
    """Index into ``policy.tiers`` of each row's first matching tier (True only); -1 for none.

    Rows whose ``exclude`` criteria are True get -1; an empty ``exclude`` excludes nobody.
    """
    n = _rows(metrics)
    out = np.full(n, -1, dtype=np.int8)
    open_rows = np.ones(n, dtype=bool)
    if policy.exclude:
        open_rows &= evaluate(policy.exclude, metrics) != PASS
    for index, tier in enumerate(policy.tiers):
        hit = open_rows & (evaluate(tier.criteria, metrics) == PASS)
        out[hit] = index
        open_rows &= ~hit
    return out


# --------------------------------------------------------------------------- description


def _fmt(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _with_unit(text: str, unit: str) -> str:
    if unit in ("%", "", FLAG_UNIT, SCREENING_UNIT):
        return f"{text}{unit if unit == '%' else ''}"
    return f"{text} {unit}"


def _provenance(node: Criterion) -> str:
    refs = "、".join(dict.fromkeys(SECTION_RE.findall(node.source)))
    tag = f"[{CONFIDENCES.get(node.confidence, node.confidence)}]"
    return f"（{refs} {tag}）" if refs else f"（{tag}）"


def _describe_leaf(node: Criterion) -> str:
    label, unit = METRICS.get(node.metric, (node.metric, ""))
    value = node.value
    if value is None:
        return f"{label} {OPS.get(node.op, node.op)} {UNSET}"
    if isinstance(value, tuple):
        lo, hi = (_with_unit(_fmt(v), unit) for v in value)
        body = f"{label} {lo}（含）至 {hi}（不含）"
    elif unit == FLAG_UNIT and node.op == "==" and value in (0.0, 1.0):
        body = f"{label}：{'是' if value == 1.0 else '否'}"
    elif unit == SCREENING_UNIT and node.op == "==" and int(value) in SCREENING_CODES:
        body = f"{label} = {_fmt(value)}（{SCREENING_CODES[int(value)]}）"
    else:
        body = f"{label} {OPS[node.op]} {_with_unit(_fmt(value), unit)}"
    return body + _provenance(node)


def describe_node(node: Node) -> str:
    """One Chinese line for a criterion or group (see :func:`describe`)."""
    if isinstance(node, Criterion):
        return _describe_leaf(node)
    head = "满足其一" if isinstance(node, AnyOf) else "同时满足"
    return f"{head}：" + "；".join(describe_node(child) for child in node.items)


def describe(criteria: Sequence[Node | Mapping[str, Any]]) -> list[str]:
    """Chinese one-liners, e.g. “上年度销售收入 ≥ 1000 万元（§3.1 [V1]）” or
    “近两年销售收入平均增长率 ≥ 待局方确认”; groups read “满足其一：A；B”."""
    return [describe_node(node) for node in _coerce(criteria)]


def _explain_node(
    node: Node, metrics: Mapping[str, np.ndarray], row: int, n: int
) -> dict[str, Any]:
    if isinstance(node, Criterion):
        label, unit = METRICS.get(node.metric, (node.metric, ""))
        x = _metric(metrics, node.metric, n)[row]
        value = node.value
        return {
            "kind": "criterion",
            "metric": node.metric,
            "label": label,
            "unit": unit,
            "value": None if np.isnan(x) else float(x),
            "op": node.op,
            "threshold": list(value) if isinstance(value, tuple) else value,
            "outcome": OUTCOMES[int(_leaf(node, metrics, n)[row])],
            "source": node.source,
            "confidence": node.confidence,
            "note": node.note,
            "text": describe_node(node),
        }
    return {
        "kind": "any_of" if isinstance(node, AnyOf) else "all_of",
        "label": "满足其一" if isinstance(node, AnyOf) else "同时满足",
        "outcome": OUTCOMES[int(_node(node, metrics, n)[row])],
        "note": node.note,
        "items": [_explain_node(child, metrics, row, n) for child in node.items],
    }


def explain(
    criteria: Sequence[Node | Mapping[str, Any]], metrics: Mapping[str, np.ndarray], row: int
) -> list[dict[str, Any]]:
    """Per criterion (nested for any_of/all_of) at ``row``: metric, label, unit, value (None if
    NaN or not held), op, threshold, outcome ("pass"/"fail"/"unknown"), source, confidence,
    note and the :func:`describe` text, for the enterprise detail page."""
    nodes = _coerce(criteria)
    n = _rows(metrics)
    if not -n <= row < n:
        raise IndexError(f"行号 {row} 超出范围（共 {n} 家企业）")
    return [_explain_node(node, metrics, row, n) for node in nodes]
