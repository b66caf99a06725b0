"""The audit trail: every create, update and delete of audited models, every login event.

Models opt in by subclassing `AuditedModel` (all domain models do, through
`kechuang.core.models.DomainModel`). The values a row had when it was loaded are kept on the
instance, so an update records field-level before/after without an extra query. Who and from
where come from the request context that `RequestContextMiddleware` sets, or from
`audit_context()` in commands and background tasks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kechuang.accounts.models import AuditAction, AuditedModel, AuditEntry


@dataclass
class AuditContext:
    request: Any = None
    label: str = ""  # who acts when there is no request, e.g. "manage.py load_reference"

    @property
    def user(self) -> Any:
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_context: ContextVar[AuditContext | None] = ContextVar("kechuang_audit_context", default=None)


@contextlib.contextmanager
def audit_context(request: Any = None, label: str = "") -> Iterator[AuditContext]:
    token = _context.set(AuditContext(request=request, label=label))
    try:
        yield _context.get()  # type: ignore[misc]
    finally:
        _context.reset(token)


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _redact(instance: AuditedModel, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    for name in instance.audit_redacted_fields:
        if name in changes:
            changes[name] = ["（已隐藏）", "（已修改）"]
    return changes


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if name in before and before[name] != value
    }


def record(
    action: str,
    *,
    instance: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor: Any = None,
    username: str = "",
    note: str = "",
    request: Any = None,
) -> AuditEntry:
    """Write one audit entry; actor and address default to the current request context."""
    context = _context.get()
    if request is None and context is not None:
        request = context.request
    if actor is None and context is not None:
        actor = context.user
    if actor is None and request is not None:
        candidate = getattr(request, "user", None)
        actor = candidate if candidate is not None and candidate.is_authenticated else None
    label = actor.get_username() if actor is not None else (context.label if context else "")
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_username=username or label or "（系统）",
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        changes=changes or {},
        note=note[:300],
    )
    if instance is not None:
        entry.content_type = ContentType.objects.get_for_model(type(instance))
        entry.object_id = str(instance.pk)
        entry.object_repr = str(instance)[:200]
    entry.save()
    return entry


@receiver(post_save)
def _audit_save(sender: type, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel):
        return
    after = instance.audit_snapshot()
    if created:
        changes = {name: [None, value] for name, value in after.items() if value not in (None, "")}
        record(AuditAction.CREATE, instance=instance, changes=_redact(instance, changes))
    else:
        before = instance.audit_loaded()
        if before is None:
            changes = {name: [None, value] for name, value in after.items()}
            note = "修改前的值未加载"
        else:
            changes, note = diff(before, after), ""
            if not changes:
                instance._audit_loaded = after
                return
        record(AuditAction.UPDATE, instance=instance, changes=_redact(instance, changes), note=note)
    instance._audit_loaded = after


@receiver(post_delete)
def _audit_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if not isinstance(instance, AuditedModel):
        return
    before = instance.audit_loaded() or instance.audit_snapshot()
    changes = {name: [value, None] for name, value in before.items() if value not in (None, "")}
    record(AuditAction.DELETE, instance=instance, changes=_redact(instance, changes))
