"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organization category (1), administrative division
(6), organization code body (9), check character (1). Characters come from the 31-symbol set
without I, O, S, V, Z; the check character is computed as in GB 32100-2015 §4 with the weights
3^(i) mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


class USCCError(ValueError):
    """Raised with a Chinese message that says what is wrong with the code."""


# full-width ！..～ to their ASCII forms; the ideographic space dropped
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(ord("！"), ord("～") + 1)}
_HALF_WIDTH[0x3000] = None


def normalize_uscc(raw: str) -> str:
    """Upper-case, strip spaces and full-width characters people paste in."""
    text = (raw or "").strip().upper()
    if not text.isascii():
        text = text.translate(_HALF_WIDTH)
    return text.replace(" ", "")


def check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> str:
    """Return the normalized code or raise USCCError with a message the user can act on."""
    code = normalize_uscc(raw)
    if len(code) != 18:
        raise USCCError(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。")
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise USCCError(
            f"统一社会信用代码含有非法字符：{'、'.join(bad)}（不使用 I、O、S、V、Z 及小写字母）。"
        )
    if not code[2:8].isdigit():
        raise USCCError("统一社会信用代码第 3–8 位应为行政区划数字代码。")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(f"统一社会信用代码校验位错误：第 18 位应为 {expected}，实为 {code[17]}。")
    return code
