import datetime as dt

import pytest

from kechuang.monitoring.engine.periods import PeriodError, parse_period


def test_a_year() -> None:
    p = parse_period(" 2023 ")
    assert (p.text, p.start, p.end, p.kind, p.year) == (
        "2023",
        dt.date(2023, 1, 1),
        dt.date(2023, 12, 31),
        "year",
        2023,
    )


def test_a_span_of_years_for_cumulative_totals() -> None:
    p = parse_period("2021-2025")
    assert (p.text, p.start, p.end, p.kind, p.year) == (
        "2021-2025",
        dt.date(2021, 1, 1),
        dt.date(2025, 12, 31),
        "years",
        2025,
    )
    assert parse_period("2021至2025").text == "2021-2025"


def test_a_span_of_months_for_partial_figures() -> None:
    p = parse_period("2022-1/2022-10")
    assert (p.text, p.start, p.end, p.kind, p.year) == (
        "2022-01/2022-10",
        dt.date(2022, 1, 1),
        dt.date(2022, 10, 31),
        "months",
        2022,
    )
    assert parse_period("2024-01/2024-02").end == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2025-2021", "终止年应晚于起始年"),
        ("2022-01/2022-13", "1–12"),
        ("23", "无法识别"),
        ("1899", "超出"),
        ("2022-10/2022-01", "终止月早于起始月"),
    ],
)
def test_bad_periods_say_what_is_accepted(raw: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        parse_period(raw)
