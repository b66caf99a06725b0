"""A platform's status history: recording an event (批准、升级、降级、暂停、恢复、撤销、整合)
and keeping the platform's current status, level and approval date in step with it.

Events may be recorded out of order (an old revocation found later): the platform's whole
history is replayed (`engine/platform_history.replay`) with the new event in its place, every
event's `status_after`/`level_after` is recomputed, and the platform's fields follow the latest
event. Only city staff record events (the province's and the city's approvals are the city's
records); every write lands in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kechuang.core.permissions import CITY_WORK, Permission
from kechuang.core.services import ensure_can
from kechuang.registry.engine.platform_history import HistoryError, Step, replay
from kechuang.registry.models import InnovationPlatform
from kechuang.registry.models.platforms import PlatformEvent, PlatformStatusChange

RECORD_PLATFORM_HISTORY = Permission(
    "record_platform_history",
    "记录创新平台的状态变更",
    CITY_WORK.test,
    "只有市科技局工作人员可以记录创新平台的批准、升级、暂停、撤销、整合等状态变更。",
)
# a status registered without history, and the event that dates it
END_STATUSES = {"suspended": "suspended", "revoked": "revoked", "merged": "merged"}
LEVEL_EVENTS = (PlatformEvent.APPROVED, PlatformEvent.UPGRADED, PlatformEvent.DOWNGRADED)


def check_event(change: PlatformStatusChange, today: dt.date) -> dict[str, str]:
    """Field errors of one event on its own (the sequence is checked by `replay`)."""
    errors = {}
    if change.date and change.date > today:
        errors["date"] = f"日期 {change.date} 晚于今天（{today}）：只能记录已经发生的事项。"
    if change.merged_into_id is not None and change.event != PlatformEvent.MERGED:
        errors["merged_into"] = "只有“整合”记录可以填写整合进入的平台；请留空或把事项改为整合。"
    if change.merged_into_id is not None and change.merged_into_id == change.platform_id:
        errors["merged_into"] = "整合进入的平台须是另一个平台，不能是本平台。"
    if change.level and change.event not in LEVEL_EVENTS:
        errors["level"] = (
            f"“{change.get_event_display()}”不改变级别，请把新级别留空（仅批准、升级、降级填写）。"
        )
    return errors


def _ordered(platform: InnovationPlatform, new: PlatformStatusChange) -> list[PlatformStatusChange]:
    events = list(platform.status_changes.order_by("date", "pk"))
    # the new event after those recorded earlier on the same day
    position = sum(1 for e in events if e.date <= new.date)
    return [*events[:position], new, *events[position:]]


IMPLIED_NOTE = "按平台登记的批准日期补记（平台登记时尚无状态变更记录）。"


def _implied_start(
    platform: InnovationPlatform, change: PlatformStatusChange
) -> PlatformStatusChange | None:
    """A platform registered with an approval date (by a form, the API or an import) but no
    history yet starts its history with that approval when another event is recorded; one
    registered as suspended, revoked or merged must first be given that event's date."""
    if change.event == PlatformEvent.APPROVED or platform.status_changes.exists():
        return None
    if platform.approved_on is None or platform.status == "preparing":
        return None  # the replay asks for the approval first
    registered = platform.status
    if registered in END_STATUSES and change.event != END_STATUSES[registered]:
        label = platform.get_status_display()
        raise ValidationError(
            {
                "event": f"该平台登记为“{label}”，但尚无状态变更记录：请先记录"
                f"“{PlatformEvent(END_STATUSES[registered]).label}”及其日期。"
            }
        )
    return PlatformStatusChange(
        platform=platform,
        event=PlatformEvent.APPROVED,
        date=platform.approved_on,
        level=platform.level,
        document_no=platform.approval_document,
        note=IMPLIED_NOTE,
    )


def _replay(platform: InnovationPlatform, events: list[PlatformStatusChange]) -> None:
    steps = [Step(e.event, e.date, e.level) for e in events]
    try:
        states = replay(steps, platform.level)
    except HistoryError as error:
        raise ValidationError({error.field: error.message}) from error
    for event, state in zip(events, states, strict=True):
        event.status_after = state.status
        event.level_before = state.level_before
        event.level_after = state.level_after


def _follow(platform: InnovationPlatform, events: list[PlatformStatusChange]) -> None:
    """The platform's current fields from its history (saved, audited, only when changed)."""
    latest = events[-1]
    approval = next(e for e in events if e.event == PlatformEvent.APPROVED)
    values = {
        "status": latest.status_after,
        "level": latest.level_after,
        "approved_on": approval.date,
    }
    if approval.document_no and not platform.approval_document:
        values["approval_document"] = approval.document_no
    changed = [name for name, value in values.items() if getattr(platform, name) != value]
    for name in changed:
        setattr(platform, name, values[name])
    if changed:
        platform.save(update_fields=[*changed, "updated_at"])


@transaction.atomic
def record_status_change(
    user: Any, platform: InnovationPlatform, data: dict[str, Any]
) -> PlatformStatusChange:
    """Record one event of `platform` (data: event, date, level, merged_into, document_no,
    note); refuses with Chinese field errors and changes nothing when it cannot be."""
    RECORD_PLATFORM_HISTORY.check(user)
    ensure_can(user, "change", platform)
    platform = InnovationPlatform.objects.select_for_update().get(pk=platform.pk)
    change = PlatformStatusChange(platform=platform, **data)
    if change.event == PlatformEvent.APPROVED and not change.level:
        change.level = platform.level  # the approval keeps the level it was granted at
    errors = check_event(change, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    start = _implied_start(platform, change)
    events = _ordered(platform, change)
    if start is not None:
        events.insert(0, start)
    _replay(platform, events)
    change.full_clean()
    for event in events:
        if event is change or event is start:
            event.save()
        elif event.status_after != event.stored_value("status_after") or (
            event.level_after != event.stored_value("level_after")
            or event.level_before != event.stored_value("level_before")
        ):
            event.save(update_fields=["status_after", "level_before", "level_after", "updated_at"])
    _follow(platform, events)
    return change
