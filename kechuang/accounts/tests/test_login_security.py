"""Login, lock-out after 5 failures, session expiry, password policy, and their audit trail."""

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kechuang.accounts.models import LoginThrottle
from kechuang.accounts.validators import character_classes
from kechuang.conftest import STRONG_PASSWORD
from kechuang.core.models import AuditAction, AuditEntry
from kechuang.core.roles import Role

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_success_redirects_home_and_is_audited(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="zhang")
    client = Client(REMOTE_ADDR="10.9.8.7")
    response = login(client, "zhang", STRONG_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_SUCCESS)
    assert (entry.actor_username, entry.ip) == ("zhang", "10.9.8.7")


def test_wrong_password_shows_chinese_error_and_is_audited(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="zhang")
    response = login(Client(REMOTE_ADDR="10.9.8.7"), "zhang", "wrong-Password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILURE)
    assert entry.actor_username == "zhang" and entry.ip == "10.9.8.7"
    assert "连续第 1 次" in entry.note


def test_five_failures_lock_the_account_even_with_the_right_password(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="zhang")
    client = Client()
    for attempt in range(1, 5):
        assert (
            "用户名或密码错误" in login(client, "zhang", f"Wrong-pass-{attempt}").content.decode()
        )
    fifth = " ".join(login(client, "zhang", "Wrong-pass-5").context["form"].non_field_errors())
    assert "已被锁定" in fifth and "15 分钟" in fifth  # the form's error, not the page's notice
    # The right password is refused while the lock lasts.
    response = login(client, "zhang", STRONG_PASSWORD)
    assert response.status_code == 200 and "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions.count(AuditAction.LOGIN_FAILURE) == 6
    assert actions.count(AuditAction.LOGIN_LOCKED) == 1
    assert AuditAction.LOGIN_SUCCESS not in actions


def test_lock_expires_after_fifteen_minutes(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="zhang")
    client = Client()
    for attempt in range(5):
        login(client, "zhang", f"Wrong-pass-{attempt}")
    throttle = LoginThrottle.objects.get(username="zhang")
    lock = throttle.locked_until - throttle.last_failure_at
    assert lock == dt.timedelta(minutes=15)
    throttle.locked_until = timezone.now() - dt.timedelta(seconds=1)
    throttle.save()
    assert login(client, "zhang", STRONG_PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(username="zhang").exists()


def test_success_resets_the_failure_count(make_user: Any) -> None:
    make_user(Role.CITY_STAFF, username="zhang")
    client = Client()
    for attempt in range(4):
        login(client, "zhang", f"Wrong-pass-{attempt}")
    assert login(client, "zhang", STRONG_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(4):
        login(client, "zhang", f"Wrong-pass-{attempt}")
    assert login(client, "zhang", STRONG_PASSWORD).status_code == 302


def test_unknown_usernames_are_throttled_like_real_ones(db: Any) -> None:
    client = Client()
    for attempt in range(5):
        login(client, "nobody", f"Wrong-pass-{attempt}")
    assert LoginThrottle.objects.get(username="nobody").is_locked()


def test_admin_login_is_locked_too(make_user: Any) -> None:
    make_user(Role.CITY_ADMIN, username="boss")
    client = Client()
    for attempt in range(5):
        client.post("/admin/login/", {"username": "boss", "password": f"Wrong-pass-{attempt}"})
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_logout_is_audited_and_needs_post(make_user: Any) -> None:
    user = make_user(Role.CITY_STAFF, username="zhang")
    client = Client()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGOUT, actor_username="zhang").exists()


def test_sessions_expire_after_thirty_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # refreshed at most once a minute (kechuang/core/tests/test_sessions.py), not every request
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_REFRESH_SECONDS == 60


def test_the_login_page_states_the_policy_the_settings_set() -> None:
    from django.test import override_settings

    with override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=20, SESSION_COOKIE_AGE=600):
        page = Client().get("/accounts/login/")
    assert page.context["security_notice"] == (
        "连续 3 次密码错误将锁定账户 20 分钟；10 分钟无操作将自动退出。"
    )


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("Lotus-river-9x!", True),  # 3 classes, no pattern, zxcvbn 4
        ("Tq7#mZ2!wLp9", True),
        ("Abcdefgh12", False),  # a word then digits
        ("abcdefgh1!", False),  # 3 classes but guessable (zxcvbn 1)
        ("Abcdefg12", False),  # 9 chars
        ("abcdefgh12", False),  # 2 classes
        ("ABCDEFGHIJ", False),  # 1 class
        ("Password123", False),  # too common
    ],
)
def test_password_policy(password: str, accepted: bool, db: Any) -> None:
    if accepted:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_password_policy_message_is_chinese(db: Any) -> None:
    with pytest.raises(ValidationError) as error:
        validate_password("abcdefghijkl")
    assert any("至少 3 类" in m for m in error.value.messages)


def test_character_classes_counts_each_class_once() -> None:
    assert character_classes("aA1!") == 4
    assert character_classes("aaaa1111") == 2
    assert character_classes("中文密码abc") == 2  # CJK characters count as symbols


def test_password_change_applies_the_policy(make_user: Any) -> None:
    user = make_user(Role.CITY_STAFF, username="zhang")
    client = Client()
    client.force_login(user)
    weak = client.post(
        "/accounts/password/",
        {"old_password": STRONG_PASSWORD, "new_password1": "short1A", "new_password2": "short1A"},
    )
    problems = " ".join(weak.context["form"].errors.get("new_password2", []))
    assert weak.status_code == 200 and "至少" in problems
    ok = client.post(
        "/accounts/password/",
        {
            "old_password": STRONG_PASSWORD,
            "new_password1": "Wancheng#2026x",
            "new_password2": "Wancheng#2026x",
        },
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Wancheng#2026x") and user.password_changed_at is not None
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(user.pk)).latest(
        "id"
    )
    assert entry.changes["password"] == ["（已隐藏）", "（已修改）"]
