"""One generic, scoped CRUD resource for the API: list (filters, ordering, pagination), retrieve,
create, update, delete. Every registry declares a `Resource` instead of writing five endpoints.

Reads start from the resource's selector (which starts from `restrict(user, "view")`); writes go
through `kechuang.core.services` (validation, scope before and after the change, audit trail).
Out-of-scope objects answer 404; visible but forbidden changes 403.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, FilterSchema, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from kechuang.core.audit import record
from kechuang.core.pagination import Pagination
from kechuang.core.permissions import check_may_add
from kechuang.core.references import MAX_ID
from kechuang.core.services import (
    archive_instance,
    delete_instance,
    ensure_can,
    restore_instance,
    save_instance,
)


@dataclass(frozen=True)
class Resource:
    path: str  # URL segment, e.g. "platforms"
    label: str  # Chinese name, e.g. "创新平台"
    model: type[models.Model]
    out: type[Schema]
    payload: type[Schema]
    filters: type[FilterSchema]
    orderings: tuple[str, ...]
    queryset: Callable[[Any], QuerySet]  # the scoped selector for a user
    # (user, payload) -> model field values, every reference resolved within what the user
    # may view (core/references.py)
    to_data: Callable[[Any, Any], dict[str, Any]]
    # (user, payload, instance) -> many-to-many values, resolved the same way (the instance's
    # current links may be kept even when the user cannot see them)
    many: Callable[[Any, Any, Any], dict[str, list[Any]]] = field(
        default=lambda user, payload, instance: {}
    )
    # (saved object, many-to-many values) -> None, or a ValidationError (e.g. team members must
    # belong to the team's organization)
    check_many: Callable[[Any, dict[str, list[Any]]], None] = field(default=lambda obj, many: None)
    prepare: Callable[[HttpRequest, Any], Any] = field(default=lambda request, obj: obj)
    # (user, instance) -> field values the service decides, not the payload (e.g. a
    # qualification's verification state); may refuse with PermissionDenied before any
    # reference is resolved
    state: Callable[[Any, Any], dict[str, Any]] = field(default=lambda user, instance: {})


class ArchiveIn(Schema):
    """注销/停用: when and why (the row stays, hidden from default lists, restorable)."""

    on: dt.date | None = Field(
        None, ge=dt.date(1949, 10, 1), description="注销/停用日期（默认今天，不晚于今天）"
    )
    reason: str = Field(..., min_length=2, max_length=200, description="注销/停用原因")


def archivable(model: type[models.Model]) -> bool:
    """Rows of the model are archived (core.models.Archivable) rather than deleted."""
    return any(f.name == "archived" for f in model._meta.concrete_fields)


def save_from_payload(request: HttpRequest, resource: Resource, instance: Any, payload: Any) -> Any:
    user = request.user
    # Who may write at all is decided before any reference is resolved: a forbidden write is
    # 403 whatever the payload names.
    if instance.pk is None:
        check_may_add(user, resource.model)
    else:
        ensure_can(user, "change", instance)
    state = resource.state(user, instance)
    with transaction.atomic():
        many = resource.many(user, payload, instance)
        obj = save_instance(user, instance, {**resource.to_data(user, payload), **state})
        resource.check_many(obj, many)
        changes = {}
        for name, values in many.items():
            related = getattr(obj, name)
            before = sorted(related.values_list("pk", flat=True))
            related.set(values)
            after = sorted(related.values_list("pk", flat=True))
            if before != after:
                changes[name] = [before, after]
        if changes:  # many-to-many writes send no post_save: the audit entry is written here
            record("update", instance=obj, changes=changes)
    return resource.prepare(request, obj)


def add_crud(router: Router, r: Resource) -> None:
    """Register the five endpoints of `r` on `router`."""
    ordering_type = Literal[tuple(o for name in r.orderings for o in (name, f"-{name}"))]  # type: ignore[valid-type]
    default_ordering = r.orderings[0]
    out, payload_type, filter_type = r.out, r.payload, r.filters

    @router.get(
        f"/{r.path}", response=list[out], summary=f"{r.label}列表", operation_id=f"{r.path}_list"
    )
    @paginate(Pagination)
    def list_(
        request: HttpRequest,
        filters: Query[filter_type],
        ordering: ordering_type = default_ordering,
    ) -> Any:  # type: ignore[valid-type]
        return filters.filter(r.queryset(request.user)).order_by(ordering, "pk")

    @router.get(
        f"/{r.path}/{{pk}}", response=out, summary=f"{r.label}详情", operation_id=f"{r.path}_get"
    )
    def get_(request: HttpRequest, pk: int) -> Any:
        return r.prepare(request, get_object_or_404(r.queryset(request.user), pk=pk))

    @router.post(
        f"/{r.path}", response={201: out}, summary=f"新增{r.label}", operation_id=f"{r.path}_create"
    )
    def create_(request: HttpRequest, payload: payload_type) -> Any:  # type: ignore[valid-type]
        return Status(201, save_from_payload(request, r, r.model(), payload))

    @router.put(
        f"/{r.path}/{{pk}}", response=out, summary=f"修改{r.label}", operation_id=f"{r.path}_update"
    )
    def update_(request: HttpRequest, pk: int, payload: payload_type) -> Any:  # type: ignore[valid-type]
        return save_from_payload(
            request, r, get_object_or_404(r.queryset(request.user), pk=pk), payload
        )

    @router.delete(
        f"/{r.path}/{{pk}}",
        response={204: None},
        summary=f"删除{r.label}",
        operation_id=f"{r.path}_delete",
    )
    def delete_(request: HttpRequest, pk: int) -> Any:
        delete_instance(request.user, get_object_or_404(r.queryset(request.user), pk=pk))
        return Status(204, None)

    if archivable(r.model):
        add_archive(router, r)


def add_archive(router: Router, r: Resource) -> None:
    """注销/停用 and 恢复 of an archivable resource: who may delete a row may archive it."""
    out = r.out

    @router.post(
        f"/{r.path}/{{pk}}/archive",
        response=out,
        summary=f"注销/停用{r.label}",
        operation_id=f"{r.path}_archive",
    )
    def archive_(
        request: HttpRequest, payload: ArchiveIn, pk: int = Path(..., ge=1, le=MAX_ID)
    ) -> Any:
        obj = get_object_or_404(r.queryset(request.user), pk=pk)
        return r.prepare(request, archive_instance(request.user, obj, payload.on, payload.reason))

    @router.post(
        f"/{r.path}/{{pk}}/restore",
        response=out,
        summary=f"恢复已注销/停用的{r.label}",
        operation_id=f"{r.path}_restore",
    )
    def restore_(request: HttpRequest, pk: int = Path(..., ge=1, le=MAX_ID)) -> Any:
        obj = get_object_or_404(r.queryset(request.user), pk=pk)
        return r.prepare(request, restore_instance(request.user, obj))
