"""Writes for accounts: login throttling, login events, password changes, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kechuang.accounts.models import ApiToken, LoginThrottle, User, hash_token
from kechuang.core import audit
from kechuang.core.models import AuditAction


def lockout_remaining(username: str) -> dt.timedelta | None:
    """How long `username` stays locked, or None if it may try to log in."""
    throttle = LoginThrottle.objects.filter(username=username.strip().lower()).first()
    if throttle is None or not throttle.is_locked():
        return None
    return throttle.locked_until - timezone.now()


def lockout_message(remaining: dt.timedelta) -> str:
    minutes = max(1, int(remaining.total_seconds() // 60) + 1)
    return (
        f"该账户因连续 {settings.LOGIN_MAX_FAILURES} 次登录失败已被锁定，请 {minutes} 分钟后再试。"
    )


@transaction.atomic
def register_login_failure(username: str, request: Any) -> LoginThrottle:
    """Count one failed login; the Nth consecutive failure locks the username."""
    key = username.strip().lower()
    now = timezone.now()
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=key)
    if throttle.locked_until and throttle.locked_until <= now:
        throttle.failures = 0  # the previous lock has run out: start counting afresh
        throttle.locked_until = None
    if throttle.is_locked(now):
        audit.record(
            AuditAction.LOGIN_FAILURE, username=key, note="账户锁定期间尝试登录", request=request
        )
        return throttle
    LoginThrottle.objects.filter(pk=throttle.pk).update(
        failures=F("failures") + 1, last_failure_at=now
    )
    throttle.refresh_from_db()
    audit.record(
        AuditAction.LOGIN_FAILURE,
        username=key,
        note=f"用户名或密码错误（连续第 {throttle.failures} 次）",
        request=request,
    )
    if throttle.failures >= settings.LOGIN_MAX_FAILURES:
        throttle.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        throttle.save(update_fields=["locked_until"])
        audit.record(
            AuditAction.LOGIN_LOCKED,
            username=key,
            note=f"锁定至 {timezone.localtime(throttle.locked_until):%Y-%m-%d %H:%M:%S}",
            request=request,
        )
    return throttle


def register_login_success(user: User, request: Any) -> None:
    LoginThrottle.objects.filter(username=user.get_username().lower()).delete()
    audit.record(AuditAction.LOGIN_SUCCESS, actor=user, request=request)


def register_logout(user: Any, request: Any) -> None:
    if user is not None and user.is_authenticated:
        audit.record(AuditAction.LOGOUT, actor=user, request=request)


def unlock(username: str) -> int:
    """Lift a lock-out by hand (administrators)."""
    deleted, _ = LoginThrottle.objects.filter(username=username.strip().lower()).delete()
    return deleted


def create_api_token(user: User, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the raw key, which is never stored."""
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "未命名",
        key_prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit.record(
        AuditAction.CREATE, instance=token, actor=user, changes={"name": [None, token.name]}
    )
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(AuditAction.UPDATE, instance=token, changes={"revoked_at": [None, "已吊销"]})


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
