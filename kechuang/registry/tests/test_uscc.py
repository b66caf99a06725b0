"""GB 32100-2015 check character of the unified social credit code."""

import pytest

from kechuang.registry.declarations import EXAMPLE_USCC
from kechuang.registry.engine.uscc import USCCError, check_character, normalize_uscc, validate_uscc


def test_published_example_validates() -> None:
    # The example code printed in GB 32100-2015 explanatory material.
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_check_character_zero_when_remainder_is_zero() -> None:
    # Search a body whose weighted sum is divisible by 31: its check character must be "0".
    for serial in range(1000):
        body = f"91411303{serial:09d}"
        if check_character(body) == "0":
            assert validate_uscc(body + "0")
            return
    pytest.fail("no body with check character 0 in the first 1000 serials")


def test_normalizes_case_spaces_and_full_width() -> None:
    assert normalize_uscc(" ９１350100m000100y43 ") == "91350100M000100Y43"
    assert validate_uscc("91350100m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "应为 18 位，当前为 17 位"),
        ("91350100M000100Y44", "第 18 位应为 3，实为 4"),
        ("91350100O000100Y43", "非法字符：O"),
        ("9135A100M000100Y43", "第 3–8 位应为行政区划数字代码"),
    ],
)
def test_rejections_say_what_is_wrong(code: str, message: str) -> None:
    with pytest.raises(USCCError) as error:
        validate_uscc(code)
    assert message in str(error.value)


def test_the_example_in_the_excel_instructions_passes_the_check_digit() -> None:
    assert validate_uscc(EXAMPLE_USCC) == EXAMPLE_USCC
