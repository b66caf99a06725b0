"""Geometric paths (counts that compound) and indicators that should go down."""

import pytest

from kechuang.monitoring.engine.paths import annual_change, planned_path, planned_value
from kechuang.monitoring.engine.progress import compute_progress

from .helpers import Target, obs

# 32 → 243 over five years is a factor (243/32)^(1/5) = 1.5 a year: 32, 48, 72, 108, 162, 243.
COUNT = Target(baseline_value=32, target_value=243, growth_model="geometric")

# A decrease target: energy use per unit of GDP 1.0 → 0.8, linear: 0.96, 0.92, 0.88, 0.84, 0.80.
INTENSITY = Target(baseline_value=1.0, target_value=0.8, direction="decrease")


def test_geometric_path_grows_by_a_constant_factor() -> None:
    values = [p.value for p in planned_path(COUNT)]

    assert values == pytest.approx([32, 48, 72, 108, 162, 243])


def test_geometric_path_for_tsme_tripling_450_to_1350() -> None:
    tsme = Target(baseline_value=450, target_value=1350, growth_model="geometric")

    # 450·3^(k/5): 3^(1/5) = 1.245731 → 560.58, 698.33, 869.93, 1083.70
    assert planned_value(tsme, 2021) == pytest.approx(560.579, abs=1e-3)
    assert planned_value(tsme, 2023) == pytest.approx(869.932, abs=1e-3)
    assert planned_value(tsme, 2024) == pytest.approx(1083.701, abs=1e-3)


def test_path_holds_baseline_before_and_target_after_the_period() -> None:
    assert planned_value(COUNT, 2018) == 32
    assert planned_value(COUNT, 2027) == 243


def test_geometric_status_uses_the_geometric_expected_value() -> None:
    result = compute_progress(COUNT, [obs(2022, 70.0)])

    # expected 72; completion (70 − 32)/211 = 0.180095; expected (72 − 32)/211 = 0.189573
    assert result.expected_value == pytest.approx(72.0)
    assert result.completion == pytest.approx(38 / 211)
    assert result.shortfall == pytest.approx(2 / 211)
    assert result.status == "on_track"


def test_geometric_changes_are_compound_annual_growth_rates() -> None:
    result = compute_progress(COUNT, [obs(2022, 70.0)])

    # observed CAGR: (70/32)^(1/2) − 1 = 47.902 %; required: (243/70)^(1/3) − 1 = 51.415 %
    assert result.change_method == "cagr"
    assert result.observed_annual_change == pytest.approx(47.902, abs=1e-3)
    assert result.required_annual_change == pytest.approx(51.415, abs=1e-3)


def test_annual_change_is_undefined_without_years_left_or_with_non_positive_ends() -> None:
    assert annual_change("linear", 2025, 10, 2025, 12) is None
    assert annual_change("geometric", 2022, 0, 2025, 12) is None


def test_geometric_path_with_zero_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="几何增长路径"):
        compute_progress(Target(baseline_value=0, target_value=10, growth_model="geometric"), [])


def test_decrease_progress_counts_falling_values_as_completion() -> None:
    result = compute_progress(INTENSITY, [obs(2022, 0.935)])

    # completion (0.935 − 1.0)/(0.8 − 1.0) = 0.325; expected 0.92 → 0.40; shortfall 0.075
    assert result.completion == pytest.approx(0.325)
    assert result.expected_value == pytest.approx(0.92)
    assert result.shortfall == pytest.approx(0.075)
    assert result.status == "behind"


def test_decrease_value_below_target_is_met() -> None:
    result = compute_progress(INTENSITY, [obs(2023, 0.79)])

    # (0.79 − 1.0)/(−0.2) = 1.05
    assert result.completion == pytest.approx(1.05)
    assert result.status == "met"


def test_decrease_value_rising_above_baseline_is_critical() -> None:
    result = compute_progress(INTENSITY, [obs(2022, 1.05)])

    assert result.completion == pytest.approx(-0.25)
    assert result.status == "critical"


def test_decrease_required_change_is_negative() -> None:
    result = compute_progress(INTENSITY, [obs(2022, 0.935)])

    # (0.8 − 0.935)/3 = −0.045 a year
    assert result.required_annual_change == pytest.approx(-0.045)


def test_decrease_forecast_above_the_ceiling_does_not_meet_target() -> None:
    result = compute_progress(INTENSITY, [obs(2021, 0.97), obs(2022, 0.94), obs(2023, 0.91)])

    # slope −0.03 a year → 0.91 − 0.06 = 0.85 in 2025, above the 0.8 ceiling
    assert result.forecast is not None
    assert result.forecast.value == pytest.approx(0.85)
    assert result.forecast_meets_target is False
