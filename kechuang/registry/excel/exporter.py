"""Export any (filtered) registry list as the registry workbook, ready to edit and re-import.

The columns are the template's, so export → import is the identity. Two protections:
- Formula injection (OWASP "CSV injection"): every text cell starting with = + - @, a tab or a
  carriage return gets a leading single quote ', so Excel or WPS shows it as text instead of
  running it; the importer strips that one quote again.
- Masking: sensitive columns (contact phones, talent ID numbers and phones) are masked unless
  the user may change the row — `can(user, "change", obj)`, evaluated for the whole list in one
  query with the same scope filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models

from kechuang.core.imports.cells import neutralise_formula
from kechuang.core.masking import mask_for
from kechuang.core.scoping import scope_filter
from kechuang.registry.excel.importer import m2m_fields, related_paths
from kechuang.registry.excel.specs import Column, References, RegistrySpec, get_spec
from kechuang.registry.excel.template import BOOL_LABELS, write_workbook

CHUNK_SIZE = 2000


def export_xlsx(
    registry_code: str, queryset: models.QuerySet, user: Any, progress: Any = None
) -> bytes:
    """The rows of `queryset` the user may view, as an xlsx workbook (streamed, write-only);
    `progress` (a background job's) hears every CHUNK_SIZE rows written."""
    spec = get_spec(registry_code)
    if queryset.model is not spec.model:
        raise ValueError(f"queryset of {queryset.model.__name__} for registry {spec.code}")
    visible = queryset.restrict(user, "view")  # type: ignore[attr-defined]
    visible = visible.select_related(*related_paths(spec)).prefetch_related(*m2m_fields(spec))
    changeable = _changeable_ids(spec, visible, user)
    refs = References.load()
    return write_workbook(spec, _rows(spec, visible, changeable, refs, progress), refs)


def _changeable_ids(spec: RegistrySpec, queryset: models.QuerySet, user: Any) -> set[Any] | None:
    """Ids of the rows the user may change (None: all of them), i.e. `can(user, "change", obj)`
    for every row at once."""
    if not any(column.sensitive for column in spec.columns):
        return None
    condition = scope_filter(spec.model.scope, user, "change")  # type: ignore[attr-defined]
    if condition is None:
        return None
    return set(queryset.filter(condition).values_list("pk", flat=True))


def _rows(
    spec: RegistrySpec,
    queryset: models.QuerySet,
    changeable: set[Any] | None,
    refs: References,
    progress: Any = None,
) -> Iterator[list[Any]]:
    for number, obj in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
        unmasked = changeable is None or obj.pk in changeable
        yield [cell_value(column, obj, unmasked, refs) for column in spec.columns]
        if progress is not None and number % CHUNK_SIZE == 0:
            progress.step(number)


def cell_value(column: Column, obj: models.Model, unmasked: bool, refs: References) -> Any:
    """The value the import of `column` reads back as the object's value."""
    if column.kind == "info":
        value: Any = obj
        for part in column.field.split("__"):
            value = getattr(value, part, None) if value is not None else None
        return _text(value)
    if column.kind == "list":
        return "；".join(
            _label(column.item_kind, item, refs) for item in getattr(obj, column.field).all()
        )
    value = getattr(obj, column.field)
    if value is None:
        return None
    if column.kind in ("text", "uscc"):
        if column.sensitive and not unmasked:
            value = mask_for(column.field)(value)
        return _text(value)
    if column.kind == "bool":
        return BOOL_LABELS[0] if value else BOOL_LABELS[1]
    if column.kind == "choice":
        return _text(getattr(obj, f"get_{column.field}_display")()) if value else None
    if column.kind.startswith("fk_"):
        return _label(column.kind, value, refs)
    return value  # numbers and dates keep their cell types


def _label(kind: str | None, value: Any, refs: References) -> str:
    if kind == "fk_org":
        return value.uscc
    if kind == "fk_industry":
        return refs.industry_label(value)
    return _text(value.name)


def _text(value: Any) -> Any:
    if value is None or value == "":
        return None
    return neutralise_formula(str(value))
