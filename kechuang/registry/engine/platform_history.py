"""A platform's status history, replayed (pure: no Django).

Events, in date order (same day: in the order recorded), move a platform between states:

    批准 approved   → 运行中, at the approved level (the platform's level when none is given)
    升级 upgraded   → a higher level                  降级 downgraded → a lower level
                      (the status stays: a suspended platform may change level)
    暂停 suspended  → 暂停 (from 运行中 only)          恢复 resumed    → 运行中 (from 暂停 only)
    撤销 revoked    → 已撤销 (final)                   整合 merged     → 已整合 (final)

`replay` checks the whole sequence (so an event recorded later but dated earlier is checked
against what came before and after it) and gives each event the status and level from its day
on; the first problem raises `HistoryError` with the field and a Chinese message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

EVENT_ZH = {
    "approved": "批准",
    "upgraded": "升级",
    "downgraded": "降级",
    "suspended": "暂停",
    "resumed": "恢复",
    "revoked": "撤销",
    "merged": "整合",
}
LEVEL_RANK = {"municipal": 1, "provincial": 2, "national": 3}
LEVEL_ZH = {"municipal": "市级", "provincial": "省级", "national": "国家级"}
FINAL = {"revoked": "revoked", "merged": "merged"}


class HistoryError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Step:
    event: str
    date: dt.date
    level: str = ""  # the new level (upgrade, downgrade; approval: optional)


@dataclass(frozen=True)
class State:
    status: str
    level_before: str
    level_after: str


@dataclass
class _Cursor:
    status: str = ""  # "" before the approval
    level: str = ""
    approved_on: dt.date | None = None
    ended: tuple[str, dt.date] | None = None  # (event, date) of a revocation or merger


def _check_order(cursor: _Cursor, step: Step) -> None:
    name = EVENT_ZH[step.event]
    if cursor.ended is not None:
        event, day = cursor.ended
        raise HistoryError(
            "date",
            f"平台已于 {day} {EVENT_ZH[event]}，其后不能再记录“{name}”（{step.date}）；"
            "如记录有误，请先更正撤销或整合的记录。",
        )
    if step.event == "approved":
        if cursor.approved_on is not None:
            raise HistoryError(
                "event",
                f"平台已于 {cursor.approved_on} 批准，不能再次记录“批准”；"
                "级别变化请记录升级或降级。",
            )
        return
    if cursor.approved_on is None:
        raise HistoryError(
            "date",
            f"“{name}”（{step.date}）早于平台的批准：批准之前不能记录其他事项；"
            "请先记录“批准”，或把日期改为批准之后。",
        )


def _check_level(cursor: _Cursor, step: Step) -> None:
    name = EVENT_ZH[step.event]
    if step.level not in LEVEL_RANK:
        raise HistoryError("level", f"记录“{name}”时须选择新级别（国家级、省级或市级）。")
    higher = LEVEL_RANK[step.level] > LEVEL_RANK[cursor.level]
    if higher != (step.event == "upgraded") or step.level == cursor.level:
        raise HistoryError(
            "level",
            f"平台在 {step.date} 为{LEVEL_ZH[cursor.level]}，“{name}”后的级别"
            f"{LEVEL_ZH[step.level]}须{'高于' if step.event == 'upgraded' else '低于'}现有级别。",
        )


def _advance(cursor: _Cursor, step: Step, initial_level: str) -> State:
    _check_order(cursor, step)
    before = cursor.level
    event = step.event
    if event == "approved":
        cursor.approved_on, cursor.status = step.date, "operating"
        cursor.level = step.level or initial_level
    elif event in ("upgraded", "downgraded"):
        _check_level(cursor, step)
        cursor.level = step.level
    elif event == "suspended":
        if cursor.status != "operating":
            raise HistoryError("event", f"平台于 {step.date} 并非运行中，不能暂停。")
        cursor.status = "suspended"
    elif event == "resumed":
        if cursor.status != "suspended":
            raise HistoryError("event", f"平台于 {step.date} 未处于暂停状态，无需恢复。")
        cursor.status = "operating"
    else:  # revoked, merged
        cursor.status, cursor.ended = FINAL[event], (event, step.date)
    return State(cursor.status, before, cursor.level)


def replay(steps: Sequence[Step], initial_level: str) -> list[State]:
    """The state after each of `steps` (already in order); raises HistoryError on the first
    event that cannot follow the ones before it."""
    cursor = _Cursor()
    return [_advance(cursor, step, initial_level) for step in steps]
