"""The audit trail: every create, update and delete of audited models, every login event.

Models opt in by subclassing `AuditedModel` (all domain models do, through
`kechuang.core.models.DomainModel`). The values a row had when it was loaded are kept on the
instance, so an update records field-level before/after without an extra query. Who and from
where come from the request context that `RequestContextMiddleware` sets, or from
`audit_context()` in commands and background tasks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from kechuang.core import bulk
from kechuang.core.models import AuditAction, AuditedModel, AuditEntry


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


REDACTED = ["（已隐藏）", "（已修改）"]
BULK_BATCH_SIZE = 20_000  # entries per statement (a column list of each, then one write)


def redact(instance: models.Model, changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Hide the values of the model's redacted fields (e.g. ID numbers), keep the fact of change."""
    hidden = getattr(instance, "audit_redacted_fields", ())
    if not hidden:
        return changes
    return {name: (REDACTED if name in hidden else value) for name, value in changes.items()}


def creation_changes(
    instance: models.Model, snapshot: dict[str, Any] | None = None
) -> dict[str, list[Any]]:
    """What a new row's entry records: every non-empty field as [None, value]."""
    if snapshot is None:
        snapshot = instance.audit_snapshot()  # type: ignore[attr-defined]
    return {name: [None, value] for name, value in snapshot.items() if value not in (None, "")}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if name in before and before[name] != value
    }


def _origin(actor: Any = None, username: str = "", request: Any = None) -> dict[str, Any]:
    """Who acts and from where: explicit values first, then the current request context."""
    context = _context.get()
    if request is None and context is not None:
        request = context.request
    if actor is None and context is not None:
        actor = context.user
    if actor is None and request is not None:
        candidate = getattr(request, "user", None)
        actor = candidate if candidate is not None and candidate.is_authenticated else None
    label = actor.get_username() if actor is not None else (context.label if context else "")
    return {
        "actor": actor,
        "actor_username": username or label or "（系统）",
        "ip": client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
    }


def _about(instance: models.Model) -> dict[str, Any]:
    return {
        "content_type": ContentType.objects.get_for_model(type(instance)),
        "object_id": str(instance.pk),
        "object_repr": str(instance)[:200],
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
    entry = AuditEntry(
        action=action, changes=changes or {}, note=note[:300], **_origin(actor, username, request)
    )
    if instance is not None:
        for name, value in _about(instance).items():
            setattr(entry, name, value)
    entry.save()
    return entry


def record_bulk(
    action: str,
    items: Iterable[tuple[models.Model, dict[str, list[Any]], str]],
    *,
    actor: Any = None,
    batch_size: int = BULK_BATCH_SIZE,
) -> int:
    """One entry per (instance, changes, note) for writes that bypass the signals (bulk_create,
    bulk_update), written column by column in one set-based statement per batch
    (`core/bulk.py`: an ``executemany`` on SQLite, ``COPY`` on PostgreSQL); returns how many
    were written.

    The same content as `record` (origin from the current context, redacted fields hidden).
    """
    origin = _origin(actor)
    now = timezone.now()
    written = 0
    batch: list[tuple[models.Model, dict[str, list[Any]], str]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            written += _write_entries(action, batch, origin, now)
            batch = []
    return written + _write_entries(action, batch, origin, now)


def _write_entries(
    action: str,
    items: list[tuple[models.Model, dict[str, list[Any]], str]],
    origin: dict[str, Any],
    now: Any,
) -> int:
    if not items:
        return 0
    models_written = {type(instance) for instance, _, _ in items}
    types = {model: ContentType.objects.get_for_model(model) for model in models_written}
    n = len(items)
    actor = origin["actor"]
    columns: dict[str, list[Any]] = {
        "at": [now] * n,
        "action": [action] * n,
        "actor_id": [getattr(actor, "pk", None)] * n,
        "actor_username": [origin["actor_username"]] * n,
        "ip": [origin["ip"]] * n,
        "user_agent": [origin["user_agent"]] * n,
        "content_type_id": [types[type(instance)].pk for instance, _, _ in items],
        "object_id": [str(instance.pk) for instance, _, _ in items],
        "object_repr": [str(instance)[:200] for instance, _, _ in items],
        "changes": [redact(instance, changes) for instance, changes, _ in items],
        "note": [note[:300] for _, _, note in items],
    }
    bulk.insert(AuditEntry, columns)
    return n


@receiver(post_save)
def _audit_save(sender: type, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel):
        return
    after = instance.audit_snapshot()
    if created:
        record(
            AuditAction.CREATE,
            instance=instance,
            changes=redact(instance, creation_changes(instance, after)),
        )
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
        record(AuditAction.UPDATE, instance=instance, changes=redact(instance, changes), note=note)
    instance._audit_loaded = after


@receiver(post_delete)
def _audit_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if not isinstance(instance, AuditedModel):
        return
    before = instance.audit_loaded() or instance.audit_snapshot()
    changes = {name: [value, None] for name, value in before.items() if value not in (None, "")}
    record(AuditAction.DELETE, instance=instance, changes=redact(instance, changes))


def data_version(*model_classes: type[models.Model]) -> tuple[int | None, ...]:
    """A value that changes whenever a row of `model_classes` is written, for caches of
    results computed from them (e.g. the plan progress): the newest audit entry about each
    model (every audited create, update and delete, bulk ones included) and the highest primary
    key of each table (rows inserted without an entry, e.g. by a data load). One query; each
    part is one index lookup (the audit trail's (content type, id) index)."""
    types = ContentType.objects.get_for_models(*model_classes)
    quote = connection.ops.quote_name
    audit_table = quote(AuditEntry._meta.db_table)
    parts: list[str] = []
    params: list[int] = []
    for model in model_classes:
        parts.append(f"(SELECT MAX(id) FROM {audit_table} WHERE content_type_id = %s)")
        params.append(types[model].pk)
        parts.append(
            f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return tuple(cursor.fetchone())
