"""The audit trail as people read it: Chinese field labels, choice labels, related rows by
name, sensitive values masked, bookkeeping fields left out. The stored entries stay as they are
(raw values, for the API and for the record)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from kechuang.core.audit import REDACTED
from kechuang.core.masking import SENSITIVE_FIELDS, mask_for
from kechuang.core.models import AuditEntry

HIDDEN = frozenset({"id", "created_at", "updated_at"})
Row = tuple[str, Any, Any]


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _ids(field: Any, value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return list(value) if field.many_to_many else [value]


def readable(entries: Any) -> list[tuple[AuditEntry, list[Row]]]:
    """Each entry with its changes as (label, before, after) rows; related rows are looked up
    once per model for all the entries."""
    entries = list(entries)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    parsed = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        fields = []
        for name, pair in (entry.changes or {}).items():
            if name in HIDDEN:
                continue
            field = _field(model, name)
            fields.append((name, field, pair))
            if field is not None and field.is_relation and pair != REDACTED:
                for value in pair:
                    wanted[field.related_model].update(_ids(field, value))
        parsed.append((entry, fields))
    names = {  # one query per related model
        model: {pk: str(obj) for pk, obj in model._default_manager.in_bulk(list(ids)).items()}
        for model, ids in wanted.items()
    }
    return [
        (
            entry,
            [
                (
                    str(field.verbose_name) if field is not None else name,
                    *(
                        pair
                        if pair == REDACTED
                        else (_show(name, field, value, names) for value in pair)
                    ),
                )
                for name, field, pair in fields
            ],
        )
        for entry, fields in parsed
    ]


def _show(name: str, field: Any, value: Any, names: dict[Any, dict[Any, str]]) -> Any:
    if value in (None, "", []):
        return None
    if name in SENSITIVE_FIELDS:
        return mask_for(name)(str(value))
    if field is None:
        return value
    if field.is_relation:
        known = names.get(field.related_model, {})
        return "、".join(known.get(pk, f"#{pk}（已删除）") for pk in _ids(field, value))
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def history_for(obj: models.Model, limit: int = 100) -> list[tuple[AuditEntry, list[Row]]]:
    """The readable audit entries of one object, newest first (the detail pages' 变更记录)."""
    content_type = ContentType.objects.get_for_model(type(obj))
    entries = (
        AuditEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
        .select_related("content_type")
        .order_by("-at", "-id")[:limit]
    )
    return readable(entries)
