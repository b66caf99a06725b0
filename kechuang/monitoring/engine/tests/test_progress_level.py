"""Level and share targets. Hand computations in the comments.

SHARE is 高新技术产业增加值占比 50 → 55 (2020 → 2025), linear: the planned path is
50, 51, 52, 53, 54, 55 and the span is 5 points.
"""

import pytest

from kechuang.monitoring.engine.progress import Thresholds, compute_progress

from .helpers import Target, obs

SHARE = Target(baseline_value=50, target_value=55, kind="share")


def test_value_above_target_is_met_with_completion_above_one() -> None:
    result = compute_progress(SHARE, [obs(2021, 51.0), obs(2023, 56.0)])

    # (56 − 50) / (55 − 50) = 1.2
    assert result.completion == pytest.approx(1.2)
    assert result.status == "met"
    assert result.status_label == "已达标"
    assert (result.latest_year, result.latest_value) == (2023, 56.0)


def test_value_below_baseline_gives_negative_completion_and_critical_status() -> None:
    result = compute_progress(SHARE, [obs(2022, 49.0)])

    # completion (49 − 50)/5 = −0.2; expected 52 → 0.4; shortfall 0.6 > 0.20
    assert result.completion == pytest.approx(-0.2)
    assert result.expected_value == pytest.approx(52.0)
    assert result.expected_completion == pytest.approx(0.4)
    assert result.shortfall == pytest.approx(0.6)
    assert result.status == "critical"
    assert result.status_label == "严重滞后"


def test_small_lag_behind_the_path_is_on_track() -> None:
    result = compute_progress(SHARE, [obs(2022, 51.9)])

    # completion 1.9/5 = 0.38, expected 0.40, shortfall 0.02 ≤ 0.05
    assert result.shortfall == pytest.approx(0.02)
    assert result.status == "on_track"
    assert result.status_label == "正常"


def test_lag_between_thresholds_is_behind() -> None:
    result = compute_progress(SHARE, [obs(2022, 51.5)])

    # completion 0.30, expected 0.40, shortfall 0.10
    assert result.shortfall == pytest.approx(0.10)
    assert result.status == "behind"
    assert result.status_label == "滞后"


def test_thresholds_are_parameters() -> None:
    lenient = Thresholds(on_track_gap=0.15, critical_gap=0.30)

    result = compute_progress(SHARE, [obs(2022, 51.5)], lenient)

    assert result.status == "on_track"
    assert result.thresholds == lenient


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="on_track_gap ≤ critical_gap"):
        Thresholds(on_track_gap=0.3, critical_gap=0.1)


def test_target_year_shortfall_is_never_on_track() -> None:
    result = compute_progress(SHARE, [obs(2025, 54.9)])

    # completion 0.98; the deadline has passed, so a 2 % shortfall is 滞后, not 正常
    assert result.completion == pytest.approx(0.98)
    assert result.status == "behind"


def test_annual_changes_observed_and_required_for_linear_model() -> None:
    result = compute_progress(SHARE, [obs(2022, 51.5)])

    # observed (51.5 − 50)/2 = 0.75 a year; required (55 − 51.5)/(2025 − 2022) = 1.1667 a year
    assert result.change_method == "linear"
    assert result.observed_annual_change == pytest.approx(0.75)
    assert result.required_annual_change == pytest.approx(3.5 / 3)


def test_missing_year_is_reported_and_the_latest_year_still_drives_status() -> None:
    result = compute_progress(SHARE, [obs(2021, 51.0), obs(2023, 53.2)])

    assert result.years_counted == (2021, 2023)
    assert result.years_missing == (2022,)
    assert result.latest_year == 2023
    # expected 53 at 2023 → already ahead: shortfall (0.6 − 0.64) = −0.04
    assert result.shortfall == pytest.approx(-0.04)
    assert result.status == "on_track"


def test_revised_figure_with_later_as_of_is_the_one_counted() -> None:
    early = obs(2022, 51.0, as_of="2023-03-01")
    revised = obs(2022, 52.2, as_of="2023-09-01")

    result = compute_progress(SHARE, [early, revised])

    assert result.latest_value == 52.2
    # (52.2 − 50)/5 = 0.44
    assert result.completion == pytest.approx(0.44)
    assert [s.observation for s in result.superseded] == [early]


def test_forecast_figure_does_not_count_towards_completion() -> None:
    result = compute_progress(SHARE, [obs(2023, 52.5), obs(2025, 56.0, "forecast")])

    assert result.latest_year == 2023
    assert result.completion == pytest.approx(0.5)
    assert result.status != "met"
    assert result.not_counted[0].observation.value == 56.0
    assert result.not_counted[0].reason == "预测数，不计入进度"


def test_partial_year_figure_does_not_count() -> None:
    result = compute_progress(SHARE, [obs(2023, 52.5), obs(2024, 54.8, "partial")])

    assert result.latest_year == 2023
    assert result.years_counted == (2023,)
    assert result.not_counted[0].reason == "部分期间数，不计入进度"


def test_preliminary_figure_counts_until_the_actual_arrives() -> None:
    preliminary = obs(2023, 53.5, "preliminary", as_of="2024-01-20")
    alone = compute_progress(SHARE, [preliminary])
    both = compute_progress(SHARE, [preliminary, obs(2023, 52.5, as_of="2024-04-01")])

    assert (alone.latest_kind, alone.latest_value) == ("preliminary", 53.5)
    assert (both.latest_kind, both.latest_value) == ("actual", 52.5)


def test_only_uncounted_figures_means_no_data() -> None:
    result = compute_progress(SHARE, [obs(2025, 56.0, "forecast")])

    assert result.status == "no_data"
    assert result.status_label == "暂无数据"
    assert result.completion is None
    assert result.latest_year is None
    assert result.forecast is None
    assert len(result.not_counted) == 1


def test_planned_path_is_kept_for_every_year_of_the_period() -> None:
    result = compute_progress(SHARE, [])

    assert [(p.year, p.value) for p in result.planned_path] == [
        (2020, 50.0),
        (2021, 51.0),
        (2022, 52.0),
        (2023, 53.0),
        (2024, 54.0),
        (2025, 55.0),
    ]


def test_trend_forecast_uses_counted_points_only() -> None:
    figures = [obs(2021, 51.0), obs(2022, 52.0), obs(2023, 53.0), obs(2024, 60.0, "forecast")]

    result = compute_progress(SHARE, figures)

    # exact line 51, 52, 53 → 55 in 2025 with zero residuals; the forecast figure is ignored
    assert result.forecast is not None
    assert result.forecast.value == pytest.approx(55.0)
    assert result.forecast.points == 3
    assert result.forecast_meets_target is True


def test_result_carries_the_indicator_code_and_plan_figures() -> None:
    result = compute_progress(SHARE, [obs(2022, 51.5)])

    assert result.code == "test_indicator"
    assert (result.baseline_year, result.baseline_value) == (2020, 50)
    assert (result.target_year, result.target_value) == (2025, 55)
    assert "完成度 30.0%" in result.status_reason


def test_target_equal_to_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="目标值与基期值相同"):
        compute_progress(Target(baseline_value=5, target_value=5), [])


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="未知的指标类型"):
        compute_progress(Target(baseline_value=1, target_value=2, kind="index"), [])
