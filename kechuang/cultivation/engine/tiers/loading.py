"""Loading and validating rules: every problem is collected and raised at once as
:class:`~.nodes.RuleError` (Chinese messages naming the rule set and the criterion)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeGuard

from ..metrics import METRICS
from .nodes import (
    CODE_RE,
    CONFIDENCES,
    ISSUER_LEVELS,
    MAX_TIERS,
    OPS,
    QUALIFICATION_KINDS,
    STATUSES,
    AllOf,
    AnyOf,
    Criterion,
    Node,
    RuleError,
    Threshold,
    leaves,
)
from .specs import ReservePolicySpec, ReserveTierSpec, TierRuleSpec


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


def _rule_set_label(item: Mapping[str, Any], errors: list[str], position: int) -> str:
    """The rule set's name as its label in messages (its code or position when unnamed)."""
    name = item.get("name")
    label = name if isinstance(name, str) and name.strip() else None
    label = label or (f"规则集“{item['code']}”" if item.get("code") else f"第{position}个规则集")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{label}：名称 name 不能为空")
    return label


def _check_choices(item: Mapping[str, Any], errors: list[str], label: str) -> None:
    """Issuer level, qualification kind (optional) and status against their vocabularies."""
    level = item.get("issuer_level")
    if level not in ISSUER_LEVELS:
        errors.append(f"{label}：发布层级“{level}”无效，应为 {'、'.join(ISSUER_LEVELS)} 之一")
    kind = item.get("qualification_kind")
    if kind is not None and kind not in QUALIFICATION_KINDS:
        allowed = "、".join(QUALIFICATION_KINDS)
        errors.append(f"{label}：资格类型“{kind}”无效，应为 {allowed} 之一")
    _check_status(item.get("status"), errors, label)


def _check_status(status: object, errors: list[str], label: str) -> None:
    if status not in STATUSES:
        errors.append(f"{label}：状态“{status}”无效，应为 {'、'.join(STATUSES)} 之一")


def _period(
    item: Mapping[str, Any], errors: list[str], label: str
) -> tuple[date | None, date | None]:
    """effective_from (required) and effective_to (optional, not before the start)."""
    start = _date(item.get("effective_from"), errors, label, "生效日期 effective_from")
    end = None
    if item.get("effective_to") is not None:
        end = _date(item["effective_to"], errors, label, "失效日期 effective_to")
    if start and end and end < start:
        errors.append(f"{label}：失效日期 {end} 早于生效日期 {start}")
    return start, end


def _check_verified(criteria: tuple[Node, ...], errors: list[str], label: str) -> None:
    """A verified rule set may not hold a threshold that is unset or tagged U."""
    for where, leaf in leaves(criteria):
        if leaf.unset:
            errors.append(f"{label} {where}：状态为 verified，但该门槛未设定或未经核实（U）")


def _rule_set(item: object, errors: list[str], position: int) -> TierRuleSpec | None:
    if not isinstance(item, Mapping):
        errors.append(f"第{position}个规则集：应为键值结构")
        return None
    label = _rule_set_label(item, errors, position)
    _check_keys(item, _RULE_SET_KEYS, errors, label)
    code = _code(item.get("code"), errors, label, "规则集")
    _check_choices(item, errors, label)
    start, end = _period(item, errors, label)
    source = _text(item, "source", errors, label)
    if not source.strip():
        errors.append(f"{label}：来源 source 不能为空（请注明文件或“局方自定”）")
    criteria = _load_list(item.get("criteria"), errors, label, allow_empty=False)
    if item.get("status") == "verified":
        _check_verified(criteria, errors, label)
    if start is None:
        return None
    kind = item.get("qualification_kind")
    return TierRuleSpec(
        code=code,
        name=str(item.get("name")),
        issuer_level=str(item.get("issuer_level")),
        qualification_kind=kind if isinstance(kind, str) else None,
        effective_from=start,
        effective_to=end,
        source=source,
        status=str(item.get("status")),
        note=_text(item, "note", errors, label),
        criteria=criteria,
    )


def load_rule_set(item: dict[str, Any]) -> TierRuleSpec:
    """Validate and build one rule set; raises :class:`RuleError` with every problem."""
    errors: list[str] = []
    rule_set = _rule_set(item, errors, 1)
    if errors or rule_set is None:
        raise RuleError(errors)
    return rule_set


_POLICY_KEYS = {"version", "effective_from", "source", "note", "status", "exclude", "tiers"}
_TIER_KEYS = {"code", "label", "description", "criteria"}


def _reserve_tier(
    raw: object, errors: list[str], label: str, position: int, seen: set[str]
) -> ReserveTierSpec | None:
    """One tier of the policy; ``seen`` collects the codes so far (codes must be unique)."""
    where = f"{label} 第{position}级"
    if not isinstance(raw, Mapping):
        errors.append(f"{where}：应为键值结构")
        return None
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
    return ReserveTierSpec(
        code=code,
        label=str(tier_label),
        criteria=_load_list(raw.get("criteria"), errors, where, allow_empty=False),
        description=_text(raw, "description", errors, where),
    )


def _reserve_tiers(raw_tiers: object, errors: list[str], label: str) -> tuple[ReserveTierSpec, ...]:
    """The policy's tiers in order (a non-empty list of at most MAX_TIERS)."""
    if not isinstance(raw_tiers, list) or not raw_tiers:
        errors.append(f"{label}：tiers 应为非空列表")
        raw_tiers = []
    if len(raw_tiers) > MAX_TIERS:
        errors.append(f"{label}：最多 {MAX_TIERS} 个分级")
    seen: set[str] = set()
    tiers = [
        _reserve_tier(raw, errors, label, position, seen)
        for position, raw in enumerate(raw_tiers, start=1)
    ]
    return tuple(tier for tier in tiers if tier is not None)


def _policy(item: object, errors: list[str]) -> ReservePolicySpec | None:
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
    _check_status(status, errors, label)
    source = _text(item, "source", errors, label)
    if not source.strip():
        errors.append(f"{label}：来源 source 不能为空")
    exclude = _load_list(item.get("exclude"), errors, f"{label} 排除条件", allow_empty=True)
    tiers = _reserve_tiers(item.get("tiers"), errors, label)
    if start is None:
        return None
    return ReservePolicySpec(
        version=str(version),
        effective_from=start,
        source=source,
        note=_text(item, "note", errors, label),
        exclude=exclude,
        tiers=tiers,
        status=str(status),
    )


def load_reserve_policy(item: dict[str, Any]) -> ReservePolicySpec:
    """Validate and build the reserve pool policy; raises :class:`RuleError`."""
    errors: list[str] = []
    policy = _policy(item, errors)
    if errors or policy is None:
        raise RuleError(errors)
    return policy


def load_rules(data: dict[str, Any]) -> tuple[list[TierRuleSpec], ReservePolicySpec]:
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
    rule_sets: list[TierRuleSpec] = []
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


def coerce_criteria(criteria: Sequence[Node | Mapping[str, Any]]) -> tuple[Node, ...]:
    """Parsed nodes as they are; raw dicts are validated first (:func:`load_criteria`)."""
    if any(isinstance(item, Mapping) for item in criteria):
        return load_criteria(list(criteria))
    return tuple(criteria)  # type: ignore[arg-type]
