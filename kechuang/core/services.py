"""Shared write helpers: scoped, validated, audited saves used by every app's services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from kechuang.core.errors import Conflict
from kechuang.core.protection import protected_message
from kechuang.core.scoping import (
    Action,
    can,
    fits_scope,
    frozen_field_errors,
    missing_scope_link,
)

ACTION_ZH = {"view": "查看", "add": "新增", "change": "修改", "delete": "删除"}


def ensure_can(user: Any, action: Action, obj: models.Model) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(f"您无权{ACTION_ZH[action]}该{obj._meta.verbose_name}。")


@transaction.atomic
def save_instance(user: Any, instance: models.Model, data: dict[str, Any]) -> models.Model:
    """Apply `data` to `instance`, validate, check the user's scope, save (audited by signal).

    An existing row is checked as stored (may the user change it at all?) and again as changed
    (does it still lie within the user's scope?).
    """
    action: Action = "add" if instance.pk is None else "change"
    if action == "change":
        ensure_can(user, "change", instance)
    nul = {
        k: ["不能包含空字符（NUL）。"]
        for k, v in data.items()
        if isinstance(v, str) and "\x00" in v
    }
    if nul:
        raise ValidationError(nul)
    for name, value in data.items():
        setattr(instance, name, value)
    frozen = frozen_field_errors(user, instance)
    if frozen:
        raise ValidationError(frozen)
    missing = missing_scope_link(instance)
    if missing:  # a client mistake (422), not a write outside the scope (403)
        raise ValidationError(missing)
    if not fits_scope(user, action, instance):
        raise PermissionDenied(
            f"您无权{ACTION_ZH[action]}该{instance._meta.verbose_name}：超出了您的管辖范围。"
        )
    instance.full_clean()
    instance.save()
    return instance


def delete_instance(user: Any, instance: models.Model) -> None:
    """Delete a row the user may delete; a delete that would cascade into history (a PROTECT
    key, a guarded link: core/protection.py) is refused with `Conflict` (409) naming why."""
    ensure_can(user, "delete", instance)
    try:
        with transaction.atomic():
            instance.delete()
    except (models.ProtectedError, models.RestrictedError) as error:
        raise Conflict(protected_message(instance, error)) from error


ARCHIVE_FIELDS = ["archived", "archived_on", "archive_reason", "updated_at"]


def _archive_errors(on: dt.date, reason: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if on > timezone.localdate():
        errors["on"] = ["注销/停用日期不能晚于今天，请填写已经发生的日期。"]
    reason = reason.strip()
    if len(reason) < 2 or "\x00" in reason:
        errors["reason"] = ["请填写注销/停用原因（至少 2 个字，如“营业执照已注销”）。"]
    return errors


@transaction.atomic
def archive_instance(
    user: Any, instance: models.Model, on: dt.date | None, reason: str
) -> models.Model:
    """Archive (注销/停用) a row history points to instead of deleting it: reversible, audited
    (the post_save signal records the three fields' change). Who may delete the row may archive
    it."""
    ensure_can(user, "delete", instance)
    label = instance._meta.verbose_name
    if instance.archived:  # type: ignore[attr-defined]
        when = instance.archived_on  # type: ignore[attr-defined]
        raise Conflict(f"该{label}“{instance}”已于 {when} 注销/停用，无需重复操作。")
    on = on or timezone.localdate()
    errors = _archive_errors(on, reason)
    if errors:
        raise ValidationError(errors)
    instance.archived = True  # type: ignore[attr-defined]
    instance.archived_on = on  # type: ignore[attr-defined]
    instance.archive_reason = reason.strip()  # type: ignore[attr-defined]
    instance.save(update_fields=ARCHIVE_FIELDS)
    return instance


@transaction.atomic
def restore_instance(user: Any, instance: models.Model) -> models.Model:
    """Undo an archive: the row is listed again; the archive stays in the audit trail."""
    ensure_can(user, "delete", instance)
    if not instance.archived:  # type: ignore[attr-defined]
        label = instance._meta.verbose_name
        raise Conflict(f"该{label}“{instance}”未注销/停用，无需恢复。")
    instance.archived = False  # type: ignore[attr-defined]
    instance.archived_on = None  # type: ignore[attr-defined]
    instance.archive_reason = ""  # type: ignore[attr-defined]
    instance.save(update_fields=ARCHIVE_FIELDS)
    return instance
