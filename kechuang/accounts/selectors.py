"""Reads for accounts: the audit trail with its filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from ninja import Schema

from kechuang.accounts.models import PasswordHistory
from kechuang.core.models import AuditAction, AuditEntry
from kechuang.core.permissions import VIEW_AUDIT_TRAIL


class AuditFilter(Schema):
    actor: str | None = None  # account name, substring
    action: AuditAction | None = None
    model: str | None = None  # "app_label.model", e.g. "registry.organization"
    object_id: str | None = None
    ip: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None  # object name or note, substring


def recent_password_hashes(user: Any, count: int) -> list[str]:
    """The hashes of the user's last `count` passwords, newest first."""
    return list(
        PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:count]
    )


def audit_models() -> QuerySet[ContentType]:
    """The content types that appear in the trail, for the filter's drop-down."""
    ids = AuditEntry.objects.exclude(content_type=None).values("content_type").distinct()
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


def audit_entries(user: Any, filters: AuditFilter) -> QuerySet[AuditEntry]:
    """The audit trail, for city administrators only."""
    VIEW_AUDIT_TRAIL.check(user)
    qs = AuditEntry.objects.select_related("content_type")
    if filters.actor:
        qs = qs.filter(actor_username__icontains=filters.actor.strip())
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.model and "." in filters.model:
        app_label, model = filters.model.split(".", 1)
        qs = qs.filter(content_type__app_label=app_label, content_type__model=model)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.ip:
        qs = qs.filter(ip=filters.ip.strip())
    if filters.date_from:
        qs = qs.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(at__date__lte=filters.date_to)
    if filters.q:
        qs = qs.filter(Q(object_repr__icontains=filters.q) | Q(note__icontains=filters.q))
    return qs.order_by("-at", "-id")
