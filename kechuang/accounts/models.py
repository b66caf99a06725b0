"""Users, login throttling, API tokens and the audit trail."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kechuang.accounts.roles import ORGANIZATION_ROLES, Role


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
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

    def audit_snapshot(self) -> dict[str, Any]:
        snapshot = {}
        for field in self._meta.concrete_fields:
            if field.name in self.audit_ignored_fields:
                continue
            if field.attname not in self.__dict__:  # deferred field: unknown, not changed
                continue
            snapshot[field.name] = _json_value(field.value_from_object(self))
        return snapshot


class User(AuditedModel, AbstractUser):
    """A platform account. County staff are bound to one area; enterprise and institution users
    to one organization. Which rows a user sees is decided by `kechuang.accounts.scoping`."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.CITY_STAFF)
    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    area = models.ForeignKey(
        "registry.Area",
        verbose_name="所属区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="县区工作人员必填：只能查看和修改本区域（含下级）的数据。",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="企业用户、高校院所用户必填：只能查看和修改本单位的数据。",
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    audit_redacted_fields = ("password",)
    audit_ignored_fields = ("last_login", "updated_at")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.role == Role.COUNTY_STAFF and not self.area_id:
            errors["area"] = "县区工作人员必须指定所属区域。"
        if self.role in ORGANIZATION_ROLES and not self.organization_id:
            errors["organization"] = "企业用户和高校院所用户必须指定所属单位。"
        if self.role != Role.COUNTY_STAFF and self.area_id:
            errors["area"] = "只有县区工作人员绑定区域。"
        if self.role not in ORGANIZATION_ROLES and self.organization_id:
            errors["organization"] = "只有企业用户和高校院所用户绑定单位。"
        if self.role in ORGANIZATION_ROLES and self.organization_id:
            from kechuang.registry.models import OrganizationKind

            is_enterprise = self.organization.kind == OrganizationKind.ENTERPRISE
            if self.role == Role.ENTERPRISE and not is_enterprise:
                errors["organization"] = "企业用户只能绑定企业类单位。"
            if self.role == Role.INSTITUTION and is_enterprise:
                errors["organization"] = "高校院所用户只能绑定高校、科研院所、医院等非企业单位。"
        if errors:
            raise ValidationError(errors)

    @property
    def is_city_admin(self) -> bool:
        return self.is_superuser or self.role == Role.CITY_ADMIN

    @property
    def masked_phone(self) -> str:
        from kechuang.core.masking import mask_phone

        return mask_phone(self.phone)


class LoginThrottle(models.Model):
    """Consecutive failed logins per username (existing or not, so probing learns nothing)."""

    username = models.CharField("用户名", max_length=150, unique=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    last_failure_at = models.DateTimeField("最近失败时间", null=True, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "登录失败计数"
        verbose_name_plural = "登录失败计数"

    def __str__(self) -> str:
        return f"{self.username}（连续失败 {self.failures} 次）"

    def is_locked(self, now: Any = None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for machine clients. Only its SHA-256 is stored; the raw key is shown once."""

    PREFIX = "kc_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_prefix = models.CharField("前缀", max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def generate_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


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
        User,
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
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录不可删除。")
