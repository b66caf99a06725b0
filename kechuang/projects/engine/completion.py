"""The acceptance checklist: achieved against target for every quantified target (考核指标),
the completion, and the conclusion it suggests to the panel. No Django.

Per target: completion = achieved / target (capped at 1) for a target to reach, target /
achieved (capped at 1; 1 when achieved is 0) for a target to stay under (`lower_is_better`,
e.g. a defect rate), to four places (rounded down while the target is
missed, so a missed target never shows 100 %); a target without an achieved value counts 0.
The overall completion is the mean over the targets. Suggested conclusion (the panel decides;
the bands are the platform's example configuration, 示例口径，待局方按正式文件配置):
- 通过 (passed): every target met (each completion = 1);
- 结题 (concluded): overall completion ≥ `CONCLUDE_AT` (0.8) though some target is missed;
- 不通过 (failed): below that.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ONE = Decimal(1)
CONCLUDE_AT = Decimal("0.8")
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class TargetRow:
    id: str
    name: str
    unit: str
    target: Decimal
    achieved: Decimal | None
    lower_is_better: bool = False


@dataclass(frozen=True)
class Line:
    id: str
    name: str
    unit: str
    target: Decimal
    achieved: Decimal | None
    completion: Decimal
    met: bool

    def to_dict(self) -> dict[str, str | bool | None]:
        return {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "target": f"{self.target.normalize():f}",
            "achieved": None if self.achieved is None else f"{self.achieved.normalize():f}",
            "completion": f"{self.completion:f}",
            "met": self.met,
        }


@dataclass(frozen=True)
class Checklist:
    lines: list[Line]
    completion: Decimal
    suggested: str  # "passed" | "concluded" | "failed"


def line(row: TargetRow) -> Line:
    if row.achieved is None:
        ratio = Decimal(0)
    elif row.lower_is_better:
        ratio = ONE if row.achieved <= row.target else row.target / row.achieved
    else:
        ratio = ONE if row.target == 0 else min(ONE, row.achieved / row.target)
    met = ratio >= ONE
    # A target missed by a hair never shows as 100 %: it rounds down to 0.9999 at most.
    ratio = ratio.quantize(PLACES, rounding=ROUND_HALF_UP if met else ROUND_DOWN)
    return Line(row.id, row.name, row.unit, row.target, row.achieved, ratio, met)


def checklist(rows: list[TargetRow]) -> Checklist:
    lines = [line(r) for r in rows]
    if not lines:
        return Checklist([], Decimal(0), "failed")
    mean = (sum((x.completion for x in lines), Decimal(0)) / len(lines)).quantize(
        PLACES, rounding=ROUND_HALF_UP
    )
    if all(x.met for x in lines):
        suggested = "passed"
    elif mean >= CONCLUDE_AT:
        suggested = "concluded"
    else:
        suggested = "failed"
    return Checklist(lines, mean, suggested)
