"""Completion per target by hand computation, and the suggested conclusion at its band edges."""

from __future__ import annotations

from decimal import Decimal

from kechuang.projects.engine.completion import TargetRow, checklist, line


def row(target: str, achieved: str | None, lower: bool = False, i: str = "t") -> TargetRow:
    return TargetRow(
        i, "指标", "项", Decimal(target), None if achieved is None else Decimal(achieved), lower
    )


def test_completion_per_target_matches_hand_computation() -> None:
    assert line(row("500", "400")).completion == Decimal("0.8000")  # 400/500
    assert line(row("500", "650")).completion == Decimal("1.0000")  # capped
    assert line(row("3", "2")).completion == Decimal("0.6666")  # 2/3, missed: rounded down
    assert line(row("5", "4", lower=True)).completion == Decimal("1.0000")  # under the cap
    assert line(row("5", "8", lower=True)).completion == Decimal("0.6250")  # 5/8
    assert line(row("5", None)).completion == Decimal("0.0000")
    assert line(row("0", "0")).met is True


def test_all_met_suggests_passed() -> None:
    result = checklist([row("500", "500", i="a"), row("2", "3", i="b")])
    assert (result.completion, result.suggested) == (Decimal("1.0000"), "passed")


def test_the_concluded_band_starts_exactly_at_eighty_percent() -> None:
    # (1 + 0.6) / 2 = 0.8: concluded
    edge = checklist([row("10", "10", i="a"), row("10", "6", i="b")])
    assert (edge.completion, edge.suggested) == (Decimal("0.8000"), "concluded")
    # (1 + 0.5998) / 2 = 0.7999: failed
    below = checklist([row("10", "10", i="a"), row("10000", "5998", i="b")])
    assert (below.completion, below.suggested) == (Decimal("0.7999"), "failed")


def test_one_target_short_by_a_hair_is_not_passed() -> None:
    result = checklist([row("500", "499.99", i="a"), row("1", "1", i="b")])
    # 499.99 / 500 = 0.99998: shown 0.9999 (rounded down), not met; mean (0.9999 + 1) / 2
    assert (result.lines[0].completion, result.lines[0].met) == (Decimal("0.9999"), False)
    assert (result.completion, result.suggested) == (Decimal("1.0000"), "concluded")


def test_no_target_fails() -> None:
    assert checklist([]).suggested == "failed"
