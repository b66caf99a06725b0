"""Users, login throttling and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kechuang.core.masking import mask_phone
from kechuang.core.models import AuditedModel
from kechuang.core.roles import ORGANIZATION_ROLES, Role


class User(AuditedModel, AbstractUser):
    """A platform account. County staff are bound to one area; enterprise and institution users
    to one organization. Which rows a user sees is decided by `kechuang.core.scoping`."""

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
            is_enterprise = self.organization.is_enterprise
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
        return mask_phone(self.phone)


class LoginThrottle(models.Model):
    """Consecutive failed logins per username *from one client address* (existing usernames or
    not, so probing learns nothing), and per address whatever the username (`username` empty).

    A username is locked only for the address its failures came from, so strangers cannot lock
    the administrator out from elsewhere; an address that fails too often is locked for every
    username."""

    ANY_USERNAME = ""  # the row counting an address's failures whatever the username

    username = models.CharField("用户名", max_length=150, blank=True)
    address = models.CharField("客户端地址", max_length=45, blank=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0)
    last_failure_at = models.DateTimeField("最近失败时间", null=True, blank=True)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "登录失败计数"
        verbose_name_plural = "登录失败计数"
        constraints = [
            models.UniqueConstraint(
                fields=["username", "address"], name="login_throttle_username_address"
            )
        ]

    def __str__(self) -> str:
        who = self.username or "（任意用户名）"
        return f"{who} @ {self.address or '未知地址'}（连续失败 {self.failures} 次）"

    def is_locked(self, now: Any = None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (the current one included), so a new password
    cannot repeat any of the last `PASSWORD_HISTORY_COUNT`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} 的历史密码（{self.created_at:%Y-%m-%d}）"


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
    expires_at = models.DateTimeField("过期时间")
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
        return self.revoked_at is None and self.expires_at > now
