"""Issue #17 item 5: token lifetimes capped and revoked on a password change or deactivation;
lock-out per username *and* address with a per-address limit (the admin login too); the
password policy (username inside, common patterns, strength, the last 5 passwords)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from kechuang.accounts import services
from kechuang.accounts.models import ApiToken, LoginThrottle, PasswordHistory, User
from kechuang.conftest import STRONG_PASSWORD
from kechuang.core.models import AuditAction, AuditEntry
from kechuang.core.roles import Role

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("kechuang.accounts.migrations.0003_security_hardening")


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def new_token(client: Client, days: Any = 30) -> Any:
    return client.post(
        "/api/accounts/tokens",
        {"name": "同步", "days": days},
        content_type="application/json",
    )


# --- tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [None, 0, -3, 91, 10**30, "七天", True])
def test_a_token_without_a_bounded_lifetime_is_refused_in_chinese(
    client_for: Any, users: Any, days: Any
) -> None:
    response = new_token(client_for("city_staff"), days)
    assert response.status_code == 422
    message = response.json()["errors"]["days"][0]
    assert "有效天数" in message and "1–90" in message
    assert not ApiToken.objects.filter(user=users["city_staff"]).exists()


def test_a_token_within_the_cap_expires_when_asked(client_for: Any, users: Any) -> None:
    response = new_token(client_for("city_staff"), 90)
    assert response.status_code == 201
    token = ApiToken.objects.get(user=users["city_staff"])
    lifetime = token.expires_at - token.created_at
    assert dt.timedelta(days=89, hours=23) < lifetime <= dt.timedelta(days=90, seconds=1)


def test_the_cap_is_a_setting(client_for: Any) -> None:
    with override_settings(API_TOKEN_MAX_DAYS=7):
        assert new_token(client_for("city_staff"), 8).status_code == 422
        assert new_token(client_for("city_staff"), 7).status_code == 201


def test_the_token_page_refuses_too_long_a_lifetime(client_for: Any, users: Any) -> None:
    page = client_for("city_staff").post("/accounts/tokens/", {"name": "x", "days": 400})
    assert page.status_code == 200
    assert "有效天数" in " ".join(page.context["form"].errors["days"])
    assert not ApiToken.objects.filter(user=users["city_staff"]).exists()


def test_a_password_change_revokes_every_token(client_for: Any, users: Any) -> None:
    raw = new_token(client_for("city_staff")).json()["key"]
    assert Client().get("/api/accounts/me", **bearer(raw)).status_code == 200
    page = client_for("city_staff").post(
        "/accounts/password/",
        {
            "old_password": STRONG_PASSWORD,
            "new_password1": "Lotus-river-9x!",
            "new_password2": "Lotus-river-9x!",
        },
    )
    assert page.status_code == 302
    answer = Client().get("/api/accounts/me", **bearer(raw))
    assert answer.status_code == 401 and "令牌" in answer.json()["message"]
    token = ApiToken.objects.get(user=users["city_staff"])
    assert token.revoked_at is not None
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(token.pk)).get()
    assert entry.note.startswith("密码已修改")


def test_deactivating_a_user_revokes_their_tokens(client_for: Any, users: Any) -> None:
    raw = new_token(client_for("enterprise")).json()["key"]
    user = users["enterprise"]
    user.is_active = False
    user.save()
    assert Client().get("/api/accounts/me", **bearer(raw)).status_code == 401
    user.is_active = True
    user.save()  # reactivated: the revoked token stays revoked
    assert Client().get("/api/accounts/me", **bearer(raw)).status_code == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None


def test_a_login_does_not_revoke_tokens(client_for: Any, users: Any) -> None:
    raw = new_token(client_for("city_staff")).json()["key"]
    client = Client(REMOTE_ADDR="10.0.0.5")
    client.post("/accounts/login/", {"username": "city_staff", "password": STRONG_PASSWORD})
    assert Client().get("/api/accounts/me", **bearer(raw)).status_code == 200


def test_the_migration_gives_every_token_an_expiry(users: Any) -> None:
    user = users["city_staff"]
    created = timezone.now() - dt.timedelta(days=10)
    ApiToken.objects.create(
        user=user, name="旧", key_prefix="kc_a", key_hash="a" * 64, expires_at=created
    )
    ApiToken.objects.create(
        user=user, name="长", key_prefix="kc_b", key_hash="b" * 64, expires_at=created
    )
    ApiToken.objects.filter(name="旧").update(created_at=created)
    ApiToken.objects.filter(name="长").update(
        created_at=created, expires_at=created + dt.timedelta(days=365)
    )
    MIGRATION.cap_token_lifetimes(django_apps, None)
    for token in ApiToken.objects.all():
        if token.name == "长":
            assert token.expires_at == created + dt.timedelta(days=settings.API_TOKEN_MAX_DAYS)
        else:
            assert token.expires_at == created  # shorter than the cap: untouched


# --- anonymous writes ------------------------------------------------------------------------


def test_anonymous_writes_answer_401_not_a_csrf_failure(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = new_token(client)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated" and "登录" in body["message"]


def test_a_signed_in_session_still_needs_the_csrf_token(users: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["city_staff"])
    response = new_token(client)
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


# --- lock-out by username and address --------------------------------------------------------


def fail(address: str, username: str, times: int, path: str = "/accounts/login/") -> None:
    client = Client(REMOTE_ADDR=address)
    for attempt in range(times):
        client.post(path, {"username": username, "password": f"Wrong-pass-{attempt}"})


def login_from(address: str, username: str, path: str = "/accounts/login/") -> Any:
    return Client(REMOTE_ADDR=address).post(
        path, {"username": username, "password": STRONG_PASSWORD}
    )


def test_strangers_cannot_lock_the_administrator_out(make_user: Any) -> None:
    make_user(Role.CITY_ADMIN, username="admin")
    fail("203.0.113.9", "admin", 5)
    locked = login_from("203.0.113.9", "admin")
    assert locked.status_code == 200 and "已被锁定" in locked.content.decode()
    assert login_from("10.20.0.7", "admin").status_code == 302  # the admin's own desk
    row = LoginThrottle.objects.get(username="admin", address="203.0.113.9")
    assert row.failures == 5 and row.locked_until is not None


def test_the_admin_login_follows_the_same_rules(make_user: Any) -> None:
    make_user(Role.CITY_ADMIN, username="boss")
    fail("203.0.113.9", "boss", 5, "/admin/login/")
    refused = login_from("203.0.113.9", "boss", "/admin/login/?next=/admin/")
    assert refused.status_code == 200  # the form again, not signed in
    assert "_auth_user_id" not in refused.wsgi_request.session
    assert login_from("10.20.0.7", "boss", "/admin/login/?next=/admin/").status_code == 302


def test_one_address_trying_many_usernames_is_locked_for_all(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="zhang")
    with override_settings(LOGIN_MAX_FAILURES_PER_ADDRESS=8):
        for name in ("a1", "a2", "a3", "a4"):
            fail("198.51.100.4", name, 2)  # never 5 on one username
        assert login_from("198.51.100.4", "zhang").status_code == 200  # the address is locked
        assert login_from("10.20.0.8", "zhang").status_code == 302
    row = LoginThrottle.objects.get(username="", address="198.51.100.4")
    assert row.failures == 8 and row.is_locked()
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN_LOCKED, note__contains="该地址的全部登录"
    ).exists()


def test_success_clears_only_its_own_address(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="li")
    fail("203.0.113.1", "li", 3)
    fail("203.0.113.2", "li", 2)
    assert login_from("203.0.113.2", "li").status_code == 302
    assert LoginThrottle.objects.filter(username="li", address="203.0.113.2").count() == 0
    assert LoginThrottle.objects.get(username="li", address="203.0.113.1").failures == 3


def test_unlock_lifts_every_address_of_a_username(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="wang")
    fail("203.0.113.1", "wang", 5)
    fail("203.0.113.2", "wang", 5)
    assert services.unlock("wang") == 2
    assert login_from("203.0.113.1", "wang").status_code == 302


# --- password policy -------------------------------------------------------------------------


def messages_for(password: str, user: Any = None) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return " ".join(caught.value.messages)


def test_the_username_inside_the_password_is_refused(make_user: Any) -> None:
    user = make_user(Role.EXPERT, username="expert")
    assert "不能包含用户名“expert”" in messages_for("expert12345!", user)
    assert "不能包含用户名" in messages_for("Big-EXPERT-kettle-9", user)


@pytest.mark.parametrize("password", ["Nanyang2024", "Password@123", "Kechuang_2025!"])
def test_common_patterns_are_refused(password: str, db: Any) -> None:
    assert "常见模式" in messages_for(password)


def test_a_guessable_password_gets_the_strength_message(db: Any) -> None:
    assert "密码强度不足（评分 1/4" in messages_for("abcdefgh1!")


def test_none_of_the_last_five_passwords_may_return(make_user: Any) -> None:
    user = make_user(Role.CITY_STAFF, username="zhao")
    passwords = [f"Lotus-river-{n}x!Q" for n in range(6)]
    for password in passwords:
        validate_password(password, user)
        user.set_password(password)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == settings.PASSWORD_HISTORY_COUNT
    for recent in passwords[1:]:  # the current one and the four before it
        assert "最近 5 次" in messages_for(recent, user)
    validate_password(passwords[0], user)  # six changes ago: allowed again
    validate_password(STRONG_PASSWORD, user)  # the first one, pushed out long ago


def test_the_password_page_refuses_the_current_password(make_user: Any) -> None:
    user = make_user(Role.CITY_STAFF, username="qian")
    client = Client()
    client.force_login(user)
    page = client.post(
        "/accounts/password/",
        {
            "old_password": STRONG_PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )
    assert page.status_code == 200
    assert "最近 5 次" in " ".join(page.context["form"].errors["new_password2"])
    assert User.objects.get(pk=user.pk).password == user.password


def test_the_token_page_states_the_cap(client_for: Any) -> None:
    html = client_for("city_staff").get("/accounts/tokens/").content.decode()
    assert 'max="90"' in html and "1–90 天，令牌到期自动失效" in html
    assert "永不" not in html
