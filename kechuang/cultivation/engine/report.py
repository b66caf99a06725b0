"""Chinese plain-text rendering of an :class:`~.result.Assessment`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .labels import ELIGIBILITY_LABELS, POLICY_LABELS
from .numbers import fmt_amount

if TYPE_CHECKING:  # the result types call this module; only their annotations are needed here
    from .result import Assessment, ConditionResult

VERDICT = {True: "通过", False: "未通过", None: "待定"}


def _value(value: Any, unit: str) -> str:
    """A value with its unit (no space before %), ``是/否`` for booleans, ``—`` for None."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = fmt_amount(value) if isinstance(value, Decimal | int) else str(value)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def _condition_line(c: ConditionResult) -> str:
    """One condition as a report line with its verdict, article and note."""
    tag = VERDICT[c.passed] if c.required else ("适用" if c.passed else "不适用")
    wanted = f"{c.comparator} {_value(c.threshold, c.unit)}"
    line = f"  [{tag}] {c.title}：{_value(c.value, c.unit)}（要求 {wanted}）"
    line += f"\n         依据：{c.article}"
    if c.note:
        line += f"\n         说明：{c.note}"
    return line


def render_assessment(a: Assessment) -> str:
    """Render the conclusion, conditions, score breakdown, gaps and notes as Chinese text."""
    lines = [
        f"{a.title}",
        f"规则：{a.ruleset}（版本 {a.version}）  评估日期：{a.as_of.isoformat()}",
        f"结论：{ELIGIBILITY_LABELS[a.eligible]}",
        "",
        "一、认定条件",
        *(_condition_line(c) for c in a.conditions),
        "",
        "二、评分",
    ]
    for item in a.scores:
        indent = "      " if item.parent else "  "
        grade = ""
        if item.grade:
            grade = f" {item.grade} 档" if len(item.grade) <= 3 else f"（{item.grade}）"
        note = f"（{item.note}）" if item.note else ""
        lines.append(
            f"{indent}{item.title}{grade}：{item.points.text()} 分 / 满分 {item.max_points}{note}"
        )
    policy = POLICY_LABELS[a.point_policy]
    lines.append(
        f"  合计：{a.total.text()} 分（按{policy}口径 {fmt_amount(a.total_points_by_policy)} 分）"
    )
    lines += ["", "三、差距与建议"]
    if a.gaps:
        lines += [f"  - {gap.message_zh}" for gap in a.gaps]
        if a.earliest_date:
            lines.append(f"  按注册时间和知识产权授权时间推算，最早可于 {a.earliest_date} 申请")
    else:
        lines.append("  无")
    lines += ["", "四、说明", *(f"  - {note}" for note in a.notes)]
    return "\n".join(lines)
