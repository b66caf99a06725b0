"""Result types of an assessment, their JSON form (``to_dict``) and a Chinese text report.

Scores are carried as :class:`Interval` (min–max points) because the official tables give a point
*range* per grade and an expert picks the point. ``passed`` on a condition is ``True``, ``False`` or
``None`` (cannot be decided without expert judgement or unverified rules).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from .labels import ELIGIBILITY_LABELS, POLICY_LABELS
from .numbers import fmt_amount
from .report import render_assessment

PointPolicy = Literal["min", "mid", "max"]
Eligibility = Literal["pass", "fail", "depends_on_expert_judgement"]
POINT_POLICIES: tuple[str, ...] = ("min", "mid", "max")
__all__ = [
    "ELIGIBILITY_LABELS",
    "POINT_POLICIES",
    "POLICY_LABELS",
    "Assessment",
    "ConditionResult",
    "Eligibility",
    "Gap",
    "Interval",
    "PointPolicy",
    "ScoreItem",
]


@dataclass(frozen=True)
class Interval:
    """A closed range of points ``[min, max]``; an exact score has ``min == max``."""

    min: Decimal
    max: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "min", Decimal(self.min))
        object.__setattr__(self, "max", Decimal(self.max))
        if self.min > self.max:
            raise ValueError(f"区间下限 {self.min} 大于上限 {self.max}")

    @classmethod
    def exact(cls, points: int | Decimal) -> Interval:
        """An interval holding a single value."""
        return cls(Decimal(points), Decimal(points))

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.min + other.min, self.max + other.max)

    def capped(self, cap: int | Decimal) -> Interval:
        """Clip both ends to ``cap`` (e.g. 知识产权 ≤ 30 after the bonus item)."""
        return Interval(min(self.min, Decimal(cap)), min(self.max, Decimal(cap)))

    def point(self, policy: str) -> Decimal:
        """One number from the range: ``min``, ``max`` or the midpoint ``mid``."""
        if policy == "min":
            return self.min
        if policy == "max":
            return self.max
        if policy == "mid":
            return (self.min + self.max) / 2
        raise ValueError(f"未知的取分口径 '{policy}'，应为 min、mid、max 之一")

    def text(self) -> str:
        """``7–8`` or ``8`` when exact."""
        if self.min == self.max:
            return fmt_amount(self.min)
        return f"{fmt_amount(self.min)}–{fmt_amount(self.max)}"


@dataclass(frozen=True)
class ConditionResult:
    """One recognition condition: the measured value, the threshold and the verdict.

    ``required`` is False for alternative routes (e.g. 科小 direct qualification) that can
    replace other conditions rather than being needed themselves. ``comparator`` is how
    ``value`` must relate to ``threshold`` (≥, ≤, >, =).
    """

    code: str
    title: str
    passed: bool | None
    value: Any
    threshold: Any
    article: str
    note: str = ""
    unit: str = ""
    required: bool = True
    comparator: str = "≥"


@dataclass(frozen=True)
class ScoreItem:
    """One scored indicator; ``parent`` names the group item it belongs to (None: top level)."""

    code: str
    title: str
    grade: str | None
    points: Interval
    max_points: int
    article: str
    parent: str | None = None
    value: Any = None
    note: str = ""


@dataclass(frozen=True)
class Gap:
    """The smallest change that would make ``condition`` pass, in the user's units.

    ``code`` names the lever (see :mod:`.whatif` for how each lever is applied to a case);
    ``amount`` is None when the gap is not a quantity (e.g. a declaration).
    """

    code: str
    message_zh: str
    amount: Decimal | int | None
    unit: str
    earliest_date: date | None
    condition: str = ""


@dataclass(frozen=True)
class Assessment:
    """The outcome of one ruleset on one case."""

    ruleset: str
    version: str
    title: str
    as_of: date
    eligible: Eligibility
    conditions: tuple[ConditionResult, ...]
    scores: tuple[ScoreItem, ...]
    total: Interval
    total_points_by_policy: Decimal
    point_policy: PointPolicy
    gaps: tuple[Gap, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    def condition(self, code: str) -> ConditionResult:
        """The condition with ``code`` (KeyError if absent)."""
        for item in self.conditions:
            if item.code == code:
                return item
        raise KeyError(code)

    def score(self, code: str) -> ScoreItem:
        """The score item with ``code`` (KeyError if absent)."""
        for item in self.scores:
            if item.code == code:
                return item
        raise KeyError(code)

    def gaps_for(self, condition: str) -> list[Gap]:
        """Gaps addressing ``condition``."""
        return [gap for gap in self.gaps if gap.condition == condition]

    @property
    def earliest_date(self) -> date | None:
        """Latest of the gaps' earliest dates (registration age, IP grants), if any."""
        dates = [gap.earliest_date for gap in self.gaps if gap.earliest_date is not None]
        return max(dates) if dates else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (Decimal → int/float, date → ISO string)."""
        data = _jsonable(dataclasses.asdict(self))
        data["earliest_date"] = _jsonable(self.earliest_date)
        return data

    def render_text(self) -> str:
        """A plain-text Chinese report of the assessment."""
        return render_assessment(self)


def _jsonable(value: Any) -> Any:
    """Recursively convert Decimal to int/float and dates to ISO strings."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
