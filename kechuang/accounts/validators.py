"""Password policy, with Chinese messages: a minimum length, at least 3 of the 4 character
classes (upper, lower, digit, symbol), no username inside, no common pattern (`Nanyang2024`),
a strength estimate (zxcvbn) and no reuse of the last passwords."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

from kechuang.accounts.selectors import recent_password_hashes


def character_classes(password: str) -> int:
    """How many of the classes A–Z, a–z, 0–9 and "anything else" (symbols, CJK) occur."""
    classes = (
        any("A" <= c <= "Z" for c in password),
        any("a" <= c <= "z" for c in password),
        any("0" <= c <= "9" for c in password),
        any(not ("A" <= c <= "Z" or "a" <= c <= "z" or "0" <= c <= "9") for c in password),
    )
    return sum(classes)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (its zh-Hans catalogue leaves the plural
    "too short" message in English)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                "密码太短，至少需要 %(min_length)d 个字符。",
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 个字符。"


class UsernameInPasswordValidator:
    """The username (3 characters or more) may not appear in the password, in any case."""

    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError(
                "密码不能包含用户名“%(username)s”，请换一个与账户无关的密码。",
                code="password_contains_username",
                params={"username": username},
            )

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


# A word then a year or a run of digits (Nanyang2024, Password@123, kechuang_2025!): the first
# pattern anyone guessing tries, whatever the character classes say.
WORD_THEN_NUMBER = re.compile(r"^[A-Za-z]+[\W_]{0,2}\d+[\W_]{0,2}$")
# Local words guessers start from (the city, the platform, the bureau), besides the user's own.
LOCAL_WORDS = ("nanyang", "wancheng", "kechuang", "keji", "kejiju", "henan", "admin", "password")


class CommonPatternValidator:
    """Refuses a single word followed by a year or digits (`Nanyang2024`, `Password@123`)."""

    def validate(self, password: str, user: Any = None) -> None:
        if WORD_THEN_NUMBER.match(password):
            raise ValidationError(
                "密码使用了常见模式（单词加年份或数字，如 Nanyang2024），"
                "容易被猜中，请改用几个无关词语和符号的组合。",
                code="password_common_pattern",
            )

    def get_help_text(self) -> str:
        return "不能是“单词加年份/数字”（如 Nanyang2024）这类常见模式。"


class StrengthValidator:
    """zxcvbn's estimate of how hard the password is to guess (0–4) must reach `min_score`; the
    user's own details and the local words count as known to a guesser."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        known = [
            str(getattr(user, name, "") or "")
            for name in ("username", "display_name", "email", "phone")
        ]
        result = zxcvbn(password[:100], user_inputs=[k for k in known if k] + list(LOCAL_WORDS))
        if result["score"] < self.min_score:
            raise ValidationError(
                "密码强度不足（评分 %(score)d/4，至少需要 %(min)d）：请加长密码，"
                "或混用几个无关词语、数字和符号。",
                code="password_weak",
                params={"score": result["score"], "min": self.min_score},
            )

    def get_help_text(self) -> str:
        return f"密码强度评分（0–4）至少 {self.min_score}：越长、越无规律越好。"


class PasswordHistoryValidator:
    """A new password may not repeat the current one or any of the last
    PASSWORD_HISTORY_COUNT (kept as hashes in `PasswordHistory`)."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        count = settings.PASSWORD_HISTORY_COUNT
        hashes = [user.password, *recent_password_hashes(user, count)]
        if any(h and check_password(password, h) for h in hashes):
            raise ValidationError(
                "新密码不能与最近 %(count)d 次使用过的密码相同，请换一个新密码。",
                code="password_reused",
                params={"count": count},
            )

    def get_help_text(self) -> str:
        return f"不能与最近 {settings.PASSWORD_HISTORY_COUNT} 次使用过的密码相同。"
