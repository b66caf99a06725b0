"""Bulk audit entries for bulk writes (bulk_create / bulk_update bypass the audit signals).

Same content as `kechuang.accounts.audit.record` — actor, address, client, object, field-level
changes with redacted fields hidden — but written with one `bulk_create` per batch, so an import
of 100,000 rows does not issue 100,000 INSERTs. Meant to move into kechuang/accounts/audit.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from kechuang.accounts.audit import _context, client_ip
from kechuang.accounts.models import AuditEntry

BATCH_SIZE = 1000
REDACTED = ["（已隐藏）", "（已修改）"]


def redact(instance: models.Model, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Hide the values of the model's redacted fields (e.g. ID numbers), keep the fact of change."""
    hidden = getattr(instance, "audit_redacted_fields", ())
    return {name: (REDACTED if name in hidden else value) for name, value in changes.items()}


def creation_changes(
    instance: models.Model, snapshot: dict[str, Any] | None = None
) -> dict[str, list[Any]]:
    """What the post_save signal records for a new row: every non-empty field as [None, value]."""
    if snapshot is None:
        snapshot = instance.audit_snapshot()  # type: ignore[attr-defined]
    return {name: [None, value] for name, value in snapshot.items() if value not in (None, "")}


def record_bulk(
    action: str,
    items: Iterable[tuple[models.Model, dict[str, list[Any]], str]],
    *,
    actor: Any = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Write one audit entry per (instance, changes, note); returns how many were written.

    Actor, client address and user agent default to the current audit context, as in `record`.
    """
    context = _context.get()
    request = context.request if context is not None else None
    if actor is None and context is not None:
        actor = context.user
    label = actor.get_username() if actor is not None else (context.label if context else "")
    ip = client_ip(request)
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    now = timezone.now()
    content_types: dict[type, ContentType] = {}
    batch: list[AuditEntry] = []
    written = 0
    for instance, changes, note in items:
        model = type(instance)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        batch.append(
            AuditEntry(
                at=now,
                action=action,
                actor=actor,
                actor_username=label or "（系统）",
                ip=ip,
                user_agent=agent,
                content_type=content_types[model],
                object_id=str(instance.pk),
                object_repr=str(instance)[:200],
                changes=redact(instance, changes),
                note=note[:300],
            )
        )
        if len(batch) >= batch_size:
            AuditEntry.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        AuditEntry.objects.bulk_create(batch)
        written += len(batch)
    return written
