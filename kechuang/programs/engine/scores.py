"""Review scores: weighted criteria per call, and aggregation shown three ways (issue 14 §5).

- raw mean: the plain mean of an application's scores;
- trimmed mean: with 5 or more scores, the single highest and the single lowest are dropped;
- z mean: each score standardised with its reviewer's own mean and population standard
  deviation over all the reviewer's scores in the call (one harsh or lenient reviewer no longer
  decides the ranking); a reviewer whose scores do not vary contributes 0.

The raw scores are kept; aggregation never rewrites them. No Django.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kechuang.programs.engine.errors import ProgramRuleError

TRIM_FROM = 5
METHODS = {
    "z_mean": "标准分（z 分）均值",
    "trimmed_mean": "去掉最高最低分均值",
    "raw_mean": "原始均值",
}


@dataclass(frozen=True)
class Score:
    application: str
    reviewer: str
    score: float


@dataclass(frozen=True)
class Aggregate:
    application: str
    count: int
    raw_mean: float
    trimmed_mean: float
    z_mean: float
    rank: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "raw_mean": round(self.raw_mean, 4),
            "trimmed_mean": round(self.trimmed_mean, 4),
            "z_mean": round(self.z_mean, 4),
            "rank": self.rank,
        }


def load_scores(data: Any) -> list[Score]:
    """The scores of `{"scores": [{"application", "reviewer", "score"}]}`; errors by row."""
    if not isinstance(data, dict) or not isinstance(data.get("scores"), list):
        raise ProgramRuleError.on("scores", '输入应为 {"scores": [...]} 形式的 JSON 对象。')
    scores, errors, seen = [], [], set()
    for i, row in enumerate(data["scores"], 1):
        if not isinstance(row, dict):
            errors.append(f"第 {i} 条评分应为对象。")
            continue
        app, reviewer, value = row.get("application"), row.get("reviewer"), row.get("score")
        if app in (None, "") or reviewer in (None, ""):
            errors.append(f"第 {i} 条评分缺少 application 或 reviewer。")
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            errors.append(f"第 {i} 条评分的 score“{value}”不是数字。")
            continue
        if (str(app), str(reviewer)) in seen:
            errors.append(f"第 {i} 条评分重复：专家 {reviewer} 已为申报 {app} 评过分。")
            continue
        seen.add((str(app), str(reviewer)))
        scores.append(Score(str(app), str(reviewer), float(value)))
    if errors:
        raise ProgramRuleError({"scores": errors})
    return scores


def trimmed_mean(values: list[float]) -> float:
    if len(values) >= TRIM_FROM:
        ordered = sorted(values)[1:-1]
        return sum(ordered) / len(ordered)
    return sum(values) / len(values)


def reviewer_z(scores: list[Score]) -> dict[tuple[str, str], float]:
    """The z-score of each (application, reviewer) against that reviewer's population mean and
    standard deviation over every score they gave; 0 when the reviewer's scores do not vary."""
    by_reviewer: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_reviewer[s.reviewer].append(s)
    z: dict[tuple[str, str], float] = {}
    for given in by_reviewer.values():
        values = [s.score for s in given]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        for s in given:
            z[(s.application, s.reviewer)] = 0.0 if sd < 1e-12 else (s.score - mean) / sd
    return z


def aggregate(scores: list[Score], method: str = "z_mean") -> list[Aggregate]:
    """One aggregate per application, ranked by `method` (ties: the other two methods, then the
    application id); rank 1 is best."""
    if method not in METHODS:
        raise ProgramRuleError.on("method", f"排序方法“{method}”未知，可选：{'、'.join(METHODS)}。")
    z = reviewer_z(scores)
    by_app: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_app[s.application].append(s)
    rows = []
    for app, given in by_app.items():
        values = [s.score for s in given]
        rows.append(
            Aggregate(
                app,
                len(values),
                sum(values) / len(values),
                trimmed_mean(values),
                sum(z[(app, s.reviewer)] for s in given) / len(given),
            )
        )
    others = [m for m in METHODS if m != method]
    rows.sort(
        key=lambda r: (
            -round(getattr(r, method), 9),
            *(-round(getattr(r, m), 9) for m in others),
            r.application,
        )
    )
    return [Aggregate(**{**r.__dict__, "rank": i}) for i, r in enumerate(rows, 1)]


def aggregate_json(data: Any, method: str = "z_mean") -> dict[str, Any]:
    """The `manage.py aggregate_scores` output: per application raw/trimmed/z means and rank."""
    rows = aggregate(load_scores(data), method)
    return {"method": method, "applications": {r.application: r.to_dict() for r in rows}}


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    max_points: Decimal
    guidance: str = ""


def weighted_total(criteria: list[Criterion], marks: dict[str, Any]) -> Decimal:
    """The review's total: the sum of the marks, each within 0…its criterion's points. Every
    criterion must be marked; errors name the criterion and its range."""
    errors: dict[str, list[str]] = {}
    total = Decimal(0)
    for c in criteria:
        raw = marks.get(c.code)
        try:
            value = Decimal(str(raw))
        except Exception:
            value = None
        if raw in (None, "") or value is None or not value.is_finite():
            errors[c.code] = [f"请为评审指标“{c.name}”打分（0 到 {c.max_points} 分）。"]
        elif value < 0 or value > c.max_points:
            errors[c.code] = [
                f"评审指标“{c.name}”的得分 {value} 超出范围：应在 0 到 {c.max_points} 分之间。"
            ]
        else:
            total += value
    unknown = sorted(set(marks) - {c.code for c in criteria})
    if unknown:
        errors["marks"] = [f"评审表中没有指标：{'、'.join(unknown)}。"]
    if errors:
        raise ProgramRuleError(errors)
    return total
