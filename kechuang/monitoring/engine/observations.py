"""Observations (监测值) and the rule that decides which of them count.

Only official yearly figures drive completion, status and forecasts: ``actual`` (正式数, e.g. the
statistical bulletin) and ``preliminary`` (初步数, e.g. a quick report later revised). Partial-year
figures, forecasts, cumulative totals and restated targets are kept and shown, labelled, but never
counted — counting a January–September figure or a department's own forecast as the year's value
is the classic way a monitoring report flatters itself.

For each year one counted value is chosen: an ``actual`` beats a ``preliminary`` whatever their
dates (the official figure is final); between two figures of the same kind the later ``as_of``
wins (a revision). Everything not chosen is returned with the reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

OBSERVATION_KINDS: dict[str, str] = {
    "actual": "正式数",
    "preliminary": "初步数",
    "partial": "部分期间数",
    "forecast": "预测数",
    "cumulative": "累计数",
    "target": "目标数",
}
COUNTED_KINDS = ("actual", "preliminary")
_KIND_RANK = {"preliminary": 0, "actual": 1}


class ObservationConflict(ValueError):
    """Two figures for the same year, kind and date disagree; the input must be fixed."""


@dataclass(frozen=True)
class Observation:
    """One value of an indicator for one year.

    ``value`` is in the indicator's unit (for an average-growth indicator, the year's growth
    rate in %). ``as_of`` is the date the figure was published or revised; ``source`` names the
    provenance (e.g. "2023 年南阳市国民经济和社会发展统计公报").
    """

    year: int
    value: float
    kind: str
    as_of: dt.date
    source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in OBSERVATION_KINDS:
            allowed = "、".join(OBSERVATION_KINDS)
            raise ValueError(f"未知的监测值类型“{self.kind}”，应为 {allowed} 之一")
        if isinstance(self.value, bool) or not math.isfinite(self.value):
            raise ValueError(f"{self.year} 年监测值应为有限数值，实为 {self.value!r}")


@dataclass(frozen=True)
class SetAside:
    """An observation that does not drive progress, and why (in Chinese, for display)."""

    observation: Observation
    reason: str


@dataclass(frozen=True)
class Selection:
    """The outcome of ``select_counted``: one counted figure per year, and the rest."""

    counted: tuple[Observation, ...]
    superseded: tuple[SetAside, ...]
    not_counted: tuple[SetAside, ...]


def select_counted(observations: Iterable[Observation]) -> Selection:
    """Choose the one counted figure per year.

    Inputs: observations of one indicator for one area, in any order. Rule: only ``actual`` and
    ``preliminary`` count; per year ``actual`` beats ``preliminary``, then the later ``as_of``
    wins. Identical duplicates are merged. Returns counted figures sorted by year, superseded
    figures (a counted kind that lost) and not-counted figures (other kinds), each with a reason.
    Raises ObservationConflict when two figures of the same year, kind and date differ.
    """
    best: dict[int, Observation] = {}
    superseded: list[SetAside] = []
    not_counted: list[SetAside] = []
    for obs in observations:
        if obs.kind not in COUNTED_KINDS:
            label = OBSERVATION_KINDS[obs.kind]
            not_counted.append(SetAside(obs, f"{label}，不计入进度"))
            continue
        current = best.get(obs.year)
        if current is None:
            best[obs.year] = obs
            continue
        if _rank(obs) == _rank(current):
            if obs.value != current.value:
                raise ObservationConflict(
                    f"{obs.year} 年有两个同为{OBSERVATION_KINDS[obs.kind]}、同日（{obs.as_of}）"
                    f"发布但不同的值：{current.value} 与 {obs.value}，请核对后只保留一个"
                )
            continue
        winner, loser = (obs, current) if _rank(obs) > _rank(current) else (current, obs)
        best[obs.year] = winner
        superseded.append(SetAside(loser, _superseded_reason(winner, loser)))
    counted = tuple(best[year] for year in sorted(best))
    return Selection(counted, tuple(superseded), tuple(not_counted))


def _rank(obs: Observation) -> tuple[int, dt.date]:
    return (_KIND_RANK[obs.kind], obs.as_of)


def _superseded_reason(winner: Observation, loser: Observation) -> str:
    if winner.kind != loser.kind:
        return f"已被 {winner.as_of} 发布的正式数取代"
    return f"已被 {winner.as_of} 的修订值取代"
