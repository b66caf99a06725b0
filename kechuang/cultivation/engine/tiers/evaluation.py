"""Three-valued, vectorised evaluation of criteria over all enterprises (int8 per row:
:data:`~.nodes.FAIL` 0, :data:`~.nodes.PASS` 1, :data:`~.nodes.UNKNOWN` 2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .loading import coerce_criteria
from .nodes import F64, FAIL, I8, PASS, UNKNOWN, AnyOf, Criterion, Node
from .specs import ReservePolicySpec, TierRuleSpec


def row_count(metrics: Mapping[str, np.ndarray]) -> int:
    sizes = {np.shape(value) for value in metrics.values()}
    if not sizes:
        raise ValueError("metrics 为空，无法确定企业数")
    if len(sizes) != 1 or len(next(iter(sizes))) != 1:
        raise ValueError("metrics 中各指标应为等长的一维数组")
    return int(next(iter(sizes))[0])


def metric_column(metrics: Mapping[str, np.ndarray], name: str, n: int) -> F64:
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


def evaluate_leaf(node: Criterion, metrics: Mapping[str, np.ndarray], n: int) -> I8:
    if node.value is None:
        return np.full(n, UNKNOWN, dtype=np.int8)
    x = metric_column(metrics, node.metric, n)
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


def evaluate_node(node: Node, metrics: Mapping[str, np.ndarray], n: int) -> I8:
    if isinstance(node, Criterion):
        return evaluate_leaf(node, metrics, n)
    results = [evaluate_node(child, metrics, n) for child in node.items]
    return _any(results, n) if isinstance(node, AnyOf) else _all(results, n)


def evaluate(criteria: Sequence[Node | Mapping[str, Any]], metrics: Mapping[str, np.ndarray]) -> I8:
    """ALL of ``criteria`` per row: int8 0 fail / 1 pass / 2 unknown (empty criteria → pass).

    ``criteria`` are parsed nodes (or raw dicts, validated first). A metric missing from
    ``metrics`` counts as unknown for every row (data not held).
    """
    nodes = coerce_criteria(criteria)
    n = row_count(metrics)
    return _all([evaluate_node(node, metrics, n) for node in nodes], n)


def evaluate_rule_sets(
    rule_sets: Sequence[TierRuleSpec], metrics: Mapping[str, np.ndarray], on: date
) -> dict[str, I8]:
    """Results (code → int8 per row) of the rule sets in force ``on`` that are not inactive."""
    return {
        rule_set.code: evaluate(rule_set.criteria, metrics)
        for rule_set in rule_sets
        if rule_set.status != "inactive" and rule_set.applies_on(on)
    }


def assign_reserve_tiers(policy: ReservePolicySpec, metrics: Mapping[str, np.ndarray]) -> I8:
    """Index into ``policy.tiers`` of each row's first matching tier (True only); -1 for none.

    Rows whose ``exclude`` criteria are True get -1; an empty ``exclude`` excludes nobody.
    """
    n = row_count(metrics)
    out = np.full(n, -1, dtype=np.int8)
    open_rows = np.ones(n, dtype=bool)
    if policy.exclude:
        open_rows &= evaluate(policy.exclude, metrics) != PASS
    for index, tier in enumerate(policy.tiers):
        hit = open_rows & (evaluate(tier.criteria, metrics) == PASS)
        out[hit] = index
        open_rows &= ~hit
    return out
