"""Eligibility rules of a call, as data (申报条件), checked on submission with the reasons shown.

A rule is a dict: `{"rule": "qualification", "kind": "HNTE"}` (holds a valid qualification of
that kind on the submission day), `{"rule": "founded_years", "years": 1}` (registered at least
that many whole years before the submission day), `{"rule": "organization_kind", "kinds":
["enterprise"]}`. The caller supplies the organization's facts. (The cultivation app's rule
machinery is another domain app's, which a layer-3 app may not import; these three rules are
what the calls use.) No Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kechuang.programs.engine.errors import ProgramRuleError

RULES = {
    "qualification": "持有有效资质",
    "founded_years": "成立（注册）满规定年限",
    "organization_kind": "单位类型符合要求",
}


@dataclass(frozen=True)
class OrganizationFacts:
    name: str
    kind: str
    kind_label: str = ""
    founded_on: dt.date | None = None
    qualifications: frozenset[str] = field(default_factory=frozenset)  # kinds valid on the day


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def check_rules(rules: Any) -> list[dict[str, Any]]:
    """Validate a call's rule list (when the call is saved)."""
    if rules in (None, ""):
        return []
    if not isinstance(rules, list):
        raise ProgramRuleError.on("eligibility", "申报条件应为列表。")
    errors = []
    for i, rule in enumerate(rules, 1):
        name = rule.get("rule") if isinstance(rule, dict) else None
        if name not in RULES:
            errors.append(f"第 {i} 条申报条件的规则“{name}”未知，可选：{'、'.join(RULES)}。")
        elif name == "qualification" and not rule.get("kind"):
            errors.append(f"第 {i} 条申报条件缺少资质类型 kind。")
        elif name == "founded_years" and not (
            isinstance(rule.get("years"), int) and rule["years"] > 0
        ):
            errors.append(f"第 {i} 条申报条件的 years 应为正整数。")
        elif name == "organization_kind" and not rule.get("kinds"):
            errors.append(f"第 {i} 条申报条件缺少单位类型 kinds。")
    if errors:
        raise ProgramRuleError({"eligibility": errors})
    return rules


def reasons(
    rules: list[dict[str, Any]],
    facts: OrganizationFacts,
    day: dt.date,
    labels: dict[str, str] | None = None,
) -> list[str]:
    """Why the organization is not eligible on `day` (empty when it is); Chinese."""
    labels = labels or {}
    out = []
    for rule in rules:
        name = rule["rule"]
        if name == "qualification" and rule["kind"] not in facts.qualifications:
            label = labels.get(rule["kind"], rule["kind"])
            out.append(
                f"申报条件：须持有有效的{label}资质，{facts.name}在 {day} 没有有效的{label}资质。"
            )
        elif name == "founded_years":
            years = rule["years"]
            if facts.founded_on is None:
                out.append(
                    f"申报条件：须在本市注册满 {years} 年，{facts.name}未登记成立日期，"
                    "请先在主体库中补充。"
                )
            elif _years_between(facts.founded_on, day) < years:
                out.append(
                    f"申报条件：须注册满 {years} 年，{facts.name}成立于 {facts.founded_on}，"
                    f"至 {day} 未满 {years} 年。"
                )
        elif name == "organization_kind" and facts.kind not in rule["kinds"]:
            allowed = "、".join(labels.get(k, k) for k in rule["kinds"])
            out.append(
                f"申报条件：申报单位须为{allowed}，{facts.name}为{facts.kind_label or facts.kind}。"
            )
    return out
