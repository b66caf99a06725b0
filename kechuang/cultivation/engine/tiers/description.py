"""The criteria as the pages read them: Chinese one-liners (:func:`describe`) and, for one
enterprise, each criterion with its value and outcome (:func:`explain`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..metrics import METRICS
from .evaluation import evaluate_leaf, evaluate_node, metric_column, row_count
from .loading import coerce_criteria
from .nodes import OUTCOMES, AnyOf, Criterion, Node
from .wording import describe_node


def describe(criteria: Sequence[Node | Mapping[str, Any]]) -> list[str]:
    """Chinese one-liners, e.g. “上年度销售收入 ≥ 1000 万元（§3.1 [V1]）” or
    “近两年销售收入平均增长率 ≥ 待局方确认”; groups read “满足其一：A；B”."""
    return [describe_node(node) for node in coerce_criteria(criteria)]


def _explain_node(
    node: Node, metrics: Mapping[str, np.ndarray], row: int, n: int
) -> dict[str, Any]:
    if isinstance(node, Criterion):
        label, unit = METRICS.get(node.metric, (node.metric, ""))
        x = metric_column(metrics, node.metric, n)[row]
        value = node.value
        return {
            "kind": "criterion",
            "metric": node.metric,
            "label": label,
            "unit": unit,
            "value": None if np.isnan(x) else float(x),
            "op": node.op,
            "threshold": list(value) if isinstance(value, tuple) else value,
            "outcome": OUTCOMES[int(evaluate_leaf(node, metrics, n)[row])],
            "source": node.source,
            "confidence": node.confidence,
            "note": node.note,
            "text": describe_node(node),
        }
    return {
        "kind": "any_of" if isinstance(node, AnyOf) else "all_of",
        "label": "满足其一" if isinstance(node, AnyOf) else "同时满足",
        "outcome": OUTCOMES[int(evaluate_node(node, metrics, n)[row])],
        "note": node.note,
        "items": [_explain_node(child, metrics, row, n) for child in node.items],
    }


def explain(
    criteria: Sequence[Node | Mapping[str, Any]], metrics: Mapping[str, np.ndarray], row: int
) -> list[dict[str, Any]]:
    """Per criterion (nested for any_of/all_of) at ``row``: metric, label, unit, value (None if
    NaN or not held), op, threshold, outcome ("pass"/"fail"/"unknown"), source, confidence,
    note and the :func:`describe` text, for the enterprise detail page."""
    nodes = coerce_criteria(criteria)
    n = row_count(metrics)
    if not -n <= row < n:
        raise IndexError(f"行号 {row} 超出范围（共 {n} 家企业）")
    return [_explain_node(node, metrics, row, n) for node in nodes]
