"""The enterprise self-assessment's logic: both rule sets on one case, and the what-if copy of a
case with the figures a user changed (the registry's records are never touched)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .case_loader import load_case
from .reader import CaseError
from .registry_case import CASE_YEAR_FIELDS
from .result import Assessment
from .rulesets import assess

RULESETS = (("hnte-2016", "高新技术企业"), ("tsme-2022", "科技型中小企业"))


def assess_case(case: dict[str, Any]) -> tuple[dict[str, Assessment], dict[str, list[str]]]:
    """Both rule sets on one case; returns the assessments or the case's field errors."""
    try:
        parsed = load_case(case)
    except CaseError as error:
        return {}, error.errors
    results, errors = {}, {}
    for code, _ in RULESETS:
        try:
            results[code] = assess(code, parsed)
        except CaseError as error:
            errors.update(error.errors)
    return results, errors


def what_if_case(base: dict[str, Any], post: Any) -> dict[str, Any]:
    """A copy of `base` with the figures the user changed in the what-if form."""
    case = {**base, "years": [dict(y) for y in base["years"]], "ip": dict(base["ip"])}
    for index, year in enumerate(case["years"]):
        for name in CASE_YEAR_FIELDS:
            raw = post.get(f"y{index}_{name}", "").strip()
            if raw != "":
                year[name] = _number(raw)
    for name in ("class_i", "class_ii"):
        raw = post.get(f"ip_{name}", "").strip()
        if raw != "":
            case["ip"][name] = _number(raw)
    if post.get("conversions_3y", "").strip():
        case["conversions_3y"] = _number(post["conversions_3y"].strip())
    grades = {k: post.get(k) for k in ("advancement", "core_support") if post.get(k)}
    if post.get("rd_management_points", "").strip():
        grades["rd_management_points"] = _number(post["rd_management_points"].strip())
    if grades:
        case["expert_grades"] = grades
    return case


def _number(raw: str) -> Any:
    """Numbers as numbers; anything else is passed through for the engine to refuse clearly."""
    try:
        value = Decimal(raw.replace(",", ""))
    except ArithmeticError:
        return raw
    return int(value) if value == value.to_integral_value() else float(value)
