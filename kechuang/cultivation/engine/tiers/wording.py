"""Chinese wording of one criterion or group, and of the thresholds the bureau must still set."""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics import FLAG_UNIT, METRICS, SCREENING_CODES, SCREENING_UNIT
from .nodes import CONFIDENCES, OPS, SECTION_RE, UNSET, AnyOf, Criterion, Node, leaves


def _fmt(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _with_unit(text: str, unit: str) -> str:
    if unit in ("%", "", FLAG_UNIT, SCREENING_UNIT):
        return f"{text}{unit if unit == '%' else ''}"
    return f"{text} {unit}"


def _provenance(node: Criterion) -> str:
    """（依据 §3.1；已核对原文）: the rule-file section and how sure it is, in words."""
    refs = "、".join(dict.fromkeys(SECTION_RE.findall(node.source)))
    sureness = CONFIDENCES.get(node.confidence, node.confidence)
    return f"（依据 {refs}；{sureness}）" if refs else f"（{sureness}）"


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


def unset_lines(nodes: Sequence[Node], prefix: str = "") -> list[str]:
    """The criteria awaiting the bureau (null or [U] thresholds), one Chinese line each."""
    lines = []
    for where, leaf in leaves(nodes):
        if not leaf.unset:
            continue
        text = describe_node(leaf)
        if leaf.value is not None:
            text += "，门槛未经核实，待局方确认"
        lines.append(f"{prefix}{where}：{text}")
    return lines
