"""Average-annual-growth targets: the yearly value is itself a growth rate in %.

RD_GROWTH is the plan's 研发经费投入增长: 13.8 % in 2020, target 19 % a year on average 2021–2025.
"""

import pytest

from kechuang.monitoring.engine.progress import compute_progress

from .helpers import Target, obs

RD_GROWTH = Target(
    baseline_value=13.8, target_value=19, kind="average_annual_growth", growth_model="constant"
)
RATES_2021_2023 = [obs(2021, 15.0), obs(2022, 17.0), obs(2023, 21.0)]


def test_achieved_rate_is_the_arithmetic_mean_of_yearly_rates() -> None:
    result = compute_progress(RD_GROWTH, RATES_2021_2023)

    # (15 + 17 + 21)/3 = 17.6667; completion 17.6667/19 = 0.929825
    assert result.achieved_mean_rate == pytest.approx(17.666667, abs=1e-6)
    assert result.completion == pytest.approx(0.929825, abs=1e-6)


def test_compound_equivalent_rate_is_reported_alongside() -> None:
    result = compute_progress(RD_GROWTH, RATES_2021_2023)

    # (1.15 × 1.17 × 1.21)^(1/3) − 1 = 1.628055^(1/3) − 1 = 17.6404 %
    assert result.achieved_compound_rate == pytest.approx(17.6404, abs=1e-4)


def test_mean_seven_percent_below_target_rate_is_behind() -> None:
    result = compute_progress(RD_GROWTH, RATES_2021_2023)

    # shortfall 1 − 0.929825 = 0.070175: above 0.05, below 0.20
    assert result.shortfall == pytest.approx(0.070175, abs=1e-6)
    assert result.status == "behind"
    assert result.change_method == "mean_rate"
    assert result.expected_value == 19


def test_rate_still_required_in_the_remaining_years() -> None:
    result = compute_progress(RD_GROWTH, RATES_2021_2023)

    # arithmetic: (19 × 5 − 53)/2 = 21.0 % in each of 2024 and 2025
    assert result.required_annual_change == pytest.approx(21.0)
    # compound: (1.19^5 / 1.628055)^(1/2) − 1 = (2.386354/1.628055)^(1/2) − 1 = 21.069 %
    assert result.required_compound_rate == pytest.approx(21.069, abs=1e-3)


def test_missing_year_is_left_out_of_the_mean_and_reported() -> None:
    result = compute_progress(RD_GROWTH, [obs(2021, 15.0), obs(2023, 21.0)])

    # mean (15 + 21)/2 = 18; required (95 − 36)/3 = 19.667 over the three unobserved years
    assert result.achieved_mean_rate == pytest.approx(18.0)
    assert result.years_missing == (2022,)
    assert result.required_annual_change == pytest.approx(59 / 3)


def test_baseline_year_rate_does_not_enter_the_period_average() -> None:
    result = compute_progress(RD_GROWTH, [obs(2020, 13.8), obs(2021, 20.0)])

    assert result.achieved_mean_rate == pytest.approx(20.0)


def test_only_the_baseline_year_rate_means_no_data() -> None:
    result = compute_progress(RD_GROWTH, [obs(2020, 13.8)])

    assert result.status == "no_data"
    assert result.completion is None
    assert result.latest_year == 2020


def test_good_first_year_is_on_track_not_met_before_the_period_ends() -> None:
    result = compute_progress(RD_GROWTH, [obs(2021, 20.0)])

    assert result.completion == pytest.approx(20 / 19)
    assert result.status == "on_track"


def test_full_period_with_mean_at_or_above_target_is_met() -> None:
    rates = [obs(2021, 19.0), obs(2022, 19.0), obs(2023, 20.0), obs(2024, 21.0), obs(2025, 20.0)]

    result = compute_progress(RD_GROWTH, rates)

    # mean 99/5 = 19.8 ≥ 19
    assert result.achieved_mean_rate == pytest.approx(19.8)
    assert result.status == "met"
    assert result.required_annual_change is None


def test_full_period_slightly_below_target_is_behind_not_on_track() -> None:
    rates = [obs(2021, 18.0), obs(2022, 18.0), obs(2023, 19.0), obs(2024, 19.0), obs(2025, 18.5)]

    result = compute_progress(RD_GROWTH, rates)

    # mean 92.5/5 = 18.5, completion 0.973684: within 5 %, but the period is over
    assert result.completion == pytest.approx(18.5 / 19)
    assert result.status == "behind"


def test_forecast_figure_for_a_growth_rate_is_not_counted() -> None:
    result = compute_progress(RD_GROWTH, [*RATES_2021_2023, obs(2024, 30.0, "forecast")])

    assert result.achieved_mean_rate == pytest.approx(53 / 3)
    assert result.forecast_meets_target is None


def test_decrease_growth_target_treats_lower_rates_as_better() -> None:
    ceiling = Target(
        baseline_value=4.0,
        target_value=3.0,
        kind="average_annual_growth",
        direction="decrease",
        growth_model="constant",
    )

    within = compute_progress(ceiling, [obs(2021, 2.5), obs(2022, 3.3)])
    over = compute_progress(ceiling, [obs(2021, 3.6), obs(2022, 3.9)])

    # mean 2.9 → completion 1 − (2.9 − 3)/3 = 1.0333; mean 3.75 → 1 − 0.75/3 = 0.75
    assert within.completion == pytest.approx(1 + 0.1 / 3)
    assert within.status == "on_track"
    assert over.completion == pytest.approx(0.75)
    assert over.status == "critical"
