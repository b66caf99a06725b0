"""Writes for accounts: login throttling, login events, password changes, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kechuang.accounts.models import ApiToken, LoginThrottle, PasswordHistory, User, hash_token
from kechuang.core import audit
from kechuang.core.models import AuditAction


def _address(request: Any) -> str:
    return (audit.client_ip(request) or "")[:45]


def _throttles(username: str, address: str) -> Any:
    """The rows that may lock this attempt: the username from this address, and the address."""
    key = username.strip().lower()
    return LoginThrottle.objects.filter(
        Q(username=key, address=address) | Q(username=LoginThrottle.ANY_USERNAME, address=address)
    )


def lockout_remaining(username: str, request: Any = None) -> dt.timedelta | None:
    """How long `username` stays locked for the client of `request` (the username from that
    address, or the address as a whole), or None if it may try to log in."""
    now = timezone.now()
    until = [t.locked_until for t in _throttles(username, _address(request)) if t.is_locked(now)]
    return max(until) - now if until else None


def lockout_message(remaining: dt.timedelta) -> str:
    minutes = max(1, int(remaining.total_seconds() // 60) + 1)
    return (
        f"该账户因连续 {settings.LOGIN_MAX_FAILURES} 次登录失败已被锁定（仅限本机地址），"
        f"请 {minutes} 分钟后再试。"
    )


def _count_failure(
    username: str, address: str, limit: int, now: dt.datetime
) -> tuple[LoginThrottle, bool]:
    """One more failure on the (username, address) row; the `limit`-th locks it (True)."""
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=username, address=address
    )
    if throttle.is_locked(now):
        return throttle, False
    stale = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    quiet = throttle.last_failure_at is not None and now - throttle.last_failure_at > stale
    if throttle.locked_until or quiet:
        throttle.failures = 0  # the previous lock, or the last failure, has run out: count afresh
        throttle.locked_until = None
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= limit:
        throttle.locked_until = now + stale
    throttle.save()
    return throttle, throttle.locked_until is not None


@transaction.atomic
def register_login_failure(username: str, request: Any) -> LoginThrottle:
    """Count one failed login for the username from this address and for the address; the
    LOGIN_MAX_FAILURES-th consecutive failure locks the username for this address only, the
    LOGIN_MAX_FAILURES_PER_ADDRESS-th locks the address for every username."""
    key = username.strip().lower()
    address = _address(request)
    now = timezone.now()
    if lockout_remaining(key, request) is not None:
        audit.record(
            AuditAction.LOGIN_FAILURE, username=key, note="账户锁定期间尝试登录", request=request
        )
        return _throttles(key, address).filter(username=key).first() or LoginThrottle(
            username=key, address=address
        )
    throttle, user_locked = _count_failure(key, address, settings.LOGIN_MAX_FAILURES, now)
    by_address, address_locked = _count_failure(
        LoginThrottle.ANY_USERNAME, address, settings.LOGIN_MAX_FAILURES_PER_ADDRESS, now
    )
    audit.record(
        AuditAction.LOGIN_FAILURE,
        username=key,
        note=f"用户名或密码错误（本地址连续第 {throttle.failures} 次）",
        request=request,
    )
    locks = (
        (throttle, user_locked, f"用户名 {key}"),
        (by_address, address_locked, "该地址的全部登录"),
    )
    for locked, just_locked, what in locks:
        if just_locked:
            audit.record(
                AuditAction.LOGIN_LOCKED,
                username=key,
                note=(
                    f"{what}（来自 {address or '未知地址'}）锁定至 "
                    f"{timezone.localtime(locked.locked_until):%Y-%m-%d %H:%M:%S}"
                ),
                request=request,
            )
    return throttle


def register_login_success(user: User, request: Any) -> None:
    LoginThrottle.objects.filter(
        username=user.get_username().lower(), address=_address(request)
    ).delete()
    audit.record(AuditAction.LOGIN_SUCCESS, actor=user, request=request)


def register_logout(user: Any, request: Any) -> None:
    if user is not None and user.is_authenticated:
        audit.record(AuditAction.LOGOUT, actor=user, request=request)


def unlock(username: str, address: str | None = None) -> int:
    """Lift a lock-out by hand (administrators): the username from every address, or one row."""
    rows = LoginThrottle.objects.filter(username=username.strip().lower())
    if address is not None:
        rows = rows.filter(address=address)
    deleted, _ = rows.delete()
    return deleted


def token_days_problem(days: Any) -> str | None:
    """Why `days` is not an acceptable token lifetime, in Chinese, or None."""
    limit = settings.API_TOKEN_MAX_DAYS
    if days is None or isinstance(days, bool) or not isinstance(days, int):
        return f"有效天数必填，应为 1–{limit} 的整数（令牌必须有过期时间）。"
    if not 1 <= days <= limit:
        return f"有效天数应为 1–{limit} 的整数，收到 {days}。"
    return None


def create_api_token(user: User, name: str, days: int = 90) -> tuple[ApiToken, str]:
    """A new token for `user`, expiring after `days` (1..API_TOKEN_MAX_DAYS); returns the row
    and the raw key, which is never stored."""
    problem = token_days_problem(days)
    if problem:
        raise ValidationError({"days": [problem]})
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "未命名",
        key_prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
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


def revoke_user_tokens(user: User, reason: str) -> int:
    """Revoke every live token of `user` (password changed, account deactivated), audited."""
    now = timezone.now()
    live = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now))
    for token in live:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(
            AuditAction.UPDATE,
            instance=token,
            changes={"revoked_at": [None, "已吊销"]},
            note=reason,
        )
    return len(live)


def remember_password(user: User) -> None:
    """Keep the hash of the user's new password; only the last PASSWORD_HISTORY_COUNT stay."""
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
        : settings.PASSWORD_HISTORY_COUNT
    ]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()


def password_changed(user: User) -> None:
    """After a password change: remember it and revoke the user's API tokens."""
    remember_password(user)
    revoke_user_tokens(user, "密码已修改，原有 API 令牌一律吊销")


def user_deactivated(user: User) -> None:
    revoke_user_tokens(user, "账户已停用，API 令牌一并吊销")


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
