import datetime as dt

import pytest

from kechuang.monitoring.engine.observations import (
    Observation,
    ObservationConflict,
    select_counted,
)

from .helpers import obs


def test_later_revision_of_the_same_kind_replaces_the_earlier_figure() -> None:
    first = obs(2022, 51.0, as_of="2023-03-01")
    revised = obs(2022, 52.2, as_of="2023-09-01")

    selection = select_counted([revised, first])

    assert [o.value for o in selection.counted] == [52.2]
    assert selection.superseded[0].observation == first
    assert selection.superseded[0].reason == "已被 2023-09-01 的修订值取代"


def test_actual_figure_replaces_the_preliminary_one_for_the_same_year() -> None:
    preliminary = obs(2023, 53.5, "preliminary", as_of="2024-01-20")
    actual = obs(2023, 53.0, "actual", as_of="2024-04-01")

    selection = select_counted([actual, preliminary])

    assert selection.counted == (actual,)
    assert selection.superseded[0].reason == "已被 2024-04-01 发布的正式数取代"


def test_actual_figure_wins_even_over_a_preliminary_published_later() -> None:
    actual = obs(2023, 53.0, "actual", as_of="2024-04-01")
    late_preliminary = obs(2023, 54.0, "preliminary", as_of="2024-06-01")

    selection = select_counted([actual, late_preliminary])

    assert selection.counted == (actual,)


def test_partial_forecast_cumulative_and_target_figures_are_set_aside_with_labels() -> None:
    figures = [
        obs(2024, 54.8, "partial"),
        obs(2025, 56.0, "forecast"),
        obs(2023, 160.0, "cumulative"),
        obs(2025, 55.0, "target"),
    ]

    selection = select_counted(figures)

    assert selection.counted == ()
    assert [s.reason for s in selection.not_counted] == [
        "部分期间数，不计入进度",
        "预测数，不计入进度",
        "累计数，不计入进度",
        "目标数，不计入进度",
    ]


def test_counted_figures_come_back_one_per_year_in_year_order() -> None:
    selection = select_counted([obs(2023, 3.0), obs(2021, 1.0), obs(2022, 2.0)])

    assert [o.year for o in selection.counted] == [2021, 2022, 2023]


def test_identical_duplicates_are_merged_without_error() -> None:
    selection = select_counted([obs(2022, 5.0), obs(2022, 5.0)])

    assert len(selection.counted) == 1
    assert selection.superseded == ()


def test_two_different_figures_with_same_year_kind_and_date_are_refused() -> None:
    with pytest.raises(ObservationConflict, match="2022 年有两个同为正式数"):
        select_counted([obs(2022, 5.0), obs(2022, 6.0)])


def test_unknown_observation_kind_is_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="未知的监测值类型“estimate”"):
        Observation(year=2022, value=1.0, kind="estimate", as_of=dt.date(2023, 1, 1))


def test_non_finite_value_is_refused() -> None:
    with pytest.raises(ValueError, match="应为有限数值"):
        Observation(year=2022, value=float("nan"), kind="actual", as_of=dt.date(2023, 1, 1))
