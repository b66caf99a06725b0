"""Validators for what Chinese users type: telephone numbers as users expect them.

A mobile number is 11 digits starting 13–19 (optionally +86/86 in front); a landline is an area
code 0 + 2–3 digits and a 7–8 digit number, with an optional extension ("0377-63123456",
"037763123456", "0377-6312345-801"); a service number is 400/800 + 7 digits. Spaces and
hyphens between groups are accepted.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
SERVICE = re.compile(r"^[48]00-?\d{3}-?\d{4}$")


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\u3000]+", "", value).replace("－", "-").replace("—", "-")


@deconstructible
class PhoneValidator:
    message = (
        "电话号码格式不正确：手机号为 11 位（如 13912345678），固定电话带区号（如 0377-63123456）。"
    )
    code = "invalid_phone"

    def __call__(self, value: str) -> None:
        text = normalise_phone(value or "")
        if text and not (MOBILE.match(text) or LANDLINE.match(text) or SERVICE.match(text)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhoneValidator)

    def __hash__(self) -> int:
        return hash(self.code)


@deconstructible
class MobileValidator(PhoneValidator):
    message = "手机号格式不正确：应为 11 位，以 13–19 开头（如 13912345678）。"
    code = "invalid_mobile"

    def __call__(self, value: str) -> None:
        text = normalise_phone(value or "")
        if text and not MOBILE.match(text):
            raise ValidationError(self.message, code=self.code)


validate_phone = PhoneValidator()
validate_mobile = MobileValidator()
