"""How the pages print figures and what they say the calculation made of each stored figure."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from kechuang.monitoring.engine.areas import is_additive
from kechuang.monitoring.engine.display import fmt, observation_lines, pct
from kechuang.monitoring.engine.observations import SetAside
from kechuang.monitoring.engine.progress import compute_progress
from kechuang.monitoring.engine.tests.helpers import Target, obs

AS_OF = dt.date(2024, 6, 30)


def stored(year: int, value: float, *, as_of: str, source: str = "", state: str = "ok") -> object:
    """A stored observation as the page reads it (attributes of monitoring.models.Observation)."""
    return SimpleNamespace(
        year=year,
        value=value,
        kind="actual",
        as_of=dt.date.fromisoformat(as_of),
        source_title=source,
        source_url="",
        state=state,
        state_note="说明",
        withdrawn_reason="录入错误" if state == "withdrawn" else "",
    )


def test_numbers_print_with_separators_and_without_trailing_zeros() -> None:
    assert fmt(12345.5) == "12,345.5"
    assert fmt(300) == "300"
    assert fmt(None) == "—"
    assert pct(0.125) == "12.5%"
    assert pct(None) == "—"


def test_only_year_end_quantities_add_up_across_areas() -> None:
    assert is_additive("level", "hnte_count")
    assert not is_additive("level", "hv_patents_per_10k")
    assert not is_additive("share", "industrial_rd_ratio")


def test_each_stored_figure_says_what_the_calculation_made_of_it() -> None:
    published = compute_progress(
        Target(100, 200),
        [obs(2021, 120, as_of="2022-03-01"), obs(2021, 125, as_of="2022-09-01")],
    )
    rows = [
        stored(2021, 125, as_of="2022-09-01"),  # the newest vintage counts
        stored(2021, 120, as_of="2022-03-01"),  # superseded by it
        stored(2021, 125, as_of="2022-09-01", source="另一来源"),  # the same value elsewhere
        stored(2022, 130, as_of="2023-03-01", state="conflict"),
        stored(2022, 131, as_of="2023-03-01", state="rejected"),
        stored(2022, -5, as_of="2023-03-01", state="withdrawn"),
        stored(2023, 140, as_of="2024-09-01"),  # published after the date of the calculation
    ]
    lines = observation_lines(rows, published, AS_OF)
    assert [line.role for line in lines] == [
        "counted",
        "superseded",
        "duplicate",
        "conflict",
        "rejected",
        "withdrawn",
        "later",
    ]
    assert (lines[5].reason, lines[5].colour) == ("已作废，不计入：录入错误", "dark")
    assert lines[0].colour == "success" and lines[0].reason == "计入进度"
    assert isinstance(published.superseded[0], SetAside)
    assert lines[1].reason == published.superseded[0].reason


def test_without_a_calculation_no_figure_counts() -> None:
    lines = observation_lines([stored(2021, 125, as_of="2022-09-01")], None, AS_OF)
    assert [(line.role, line.reason) for line in lines] == [
        ("not_counted", "未计入（该区域无可比目标或数据有误）")
    ]
