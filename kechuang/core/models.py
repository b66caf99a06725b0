"""The base every domain model stands on (audit trail, scoping, timestamps) and the audit
trail itself."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kechuang.core.jobs.models import Job, JobStatus
from kechuang.core.scoping import ScopedManager, ScopeRule

__all__ = ["AuditAction", "AuditEntry", "AuditedModel", "DomainModel", "Job", "JobStatus"]


_PLAIN_JSON = frozenset({str, int, bool, float, type(None)})


def _json_value(value: Any) -> Any:
    if value.__class__ in _PLAIN_JSON or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


class AuditedModel(models.Model):
    """Abstract base: changes to subclasses are written to the audit trail."""

    # Fields whose values never enter the trail; their changes are noted as "（已修改）".
    audit_redacted_fields: tuple[str, ...] = ()
    audit_ignored_fields: tuple[str, ...] = ("updated_at",)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        # Keep the raw loaded values; they become a snapshot only if the row is saved or deleted,
        # so listing thousands of rows costs nothing extra.
        instance._audit_raw = (field_names, values)
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_audit_raw", None)
        self._audit_loaded = self.audit_snapshot()  # the database state just read

    def audit_loaded(self) -> dict[str, Any] | None:
        """The audited values as loaded from the database (None for a row never loaded)."""
        cached = self.__dict__.get("_audit_loaded")
        if cached is not None:
            return cached
        raw = self.__dict__.get("_audit_raw")
        if raw is None:
            return None
        by_attname = {f.attname: f for f in self._meta.concrete_fields}
        snapshot = {}
        for attname, value in zip(*raw, strict=True):
            field = by_attname.get(attname)
            if field is not None and field.name not in self.audit_ignored_fields:
                snapshot[field.name] = _json_value(value)
        self._audit_loaded = snapshot
        return snapshot

    def stored_value(self, name: str) -> Any:
        """The field's value as stored (its id for a foreign key): as loaded when the row was
        read, so checking a change costs no query; from the database otherwise."""
        loaded = self.audit_loaded()
        if loaded is not None and name in loaded:
            return loaded[name]
        attname = self._meta.get_field(name).attname
        rows = type(self)._default_manager.filter(pk=self.pk).values_list(attname, flat=True)
        return rows.first()

    def audit_snapshot(self) -> dict[str, Any]:
        state = self.__dict__
        return {
            name: _json_value(getattr(self, attname))
            for name, attname in self._audit_fields()
            if attname in state  # a deferred field: unknown, not changed
        }

    @classmethod
    def _audit_fields(cls) -> list[tuple[str, str]]:
        """(name, attname) of the audited concrete fields, worked out once per model (a bulk
        import snapshots 100,000 rows)."""
        fields = cls.__dict__.get("_audit_field_names")
        if fields is None:
            fields = [
                (f.name, f.attname)
                for f in cls._meta.concrete_fields
                if f.name not in cls.audit_ignored_fields
            ]
            cls._audit_field_names = fields
        return fields


class DomainModel(AuditedModel):
    """Abstract base of domain data.

    Subclasses set `scope = ScopeRule(...)`; `objects.restrict(user, action)` then narrows any
    queryset to what the user may see or change, and every change lands in the audit trail.
    """

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    scope = ScopeRule()
    objects = ScopedManager()

    class Meta:
        abstract = True


class Archivable(models.Model):
    """Abstract: a registry row that history points to is archived (注销/停用), never deleted.

    Archived rows stay where history finds them; default lists hide them (a filter shows them);
    archiving and restoring are audited changes (core/services.py: archive_instance,
    restore_instance)."""

    archived = models.BooleanField("已注销/停用", default=False, db_index=True)
    archived_on = models.DateField("注销/停用日期", null=True, blank=True)
    archive_reason = models.CharField("注销/停用原因", max_length=200, blank=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    LOGIN_SUCCESS = "login_success", "登录成功"
    LOGIN_FAILURE = "login_failure", "登录失败"
    LOGIN_LOCKED = "login_locked", "账户锁定"
    LOGOUT = "logout", "退出登录"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计记录不可修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录不可删除。")


class AuditEntry(models.Model):
    """One immutable line of the audit trail: who did what to which object, from where, when.

    The actor and object are kept as plain ids (no database constraint) so that deleting a user
    or an object never rewrites history; their names are copied at the time of the event.
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    action = models.CharField("操作", max_length=20, choices=AuditAction.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=300, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name="对象类型",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("字段变化", default=dict, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        db_table = "accounts_auditentry"  # the table predates the move to core
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            # the newest entry about a model, in one lookup (`audit.data_version`)
            models.Index(fields=["content_type", "id"], name="audit_type_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录不可删除。")
