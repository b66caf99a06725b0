import pytest

from kechuang.monitoring.engine.trend import t_quantile_95, trend_forecast


def test_ols_forecast_and_90_percent_prediction_interval_on_a_known_data_set() -> None:
    points = [(2020, 1.0), (2021, 3.0), (2022, 4.0), (2023, 6.0)]

    forecast = trend_forecast(points, 2025)

    # By hand: x̄ = 2021.5, ȳ = 3.5, Sxx = 2.25 + 0.25 + 0.25 + 2.25 = 5,
    # Sxy = (−1.5)(−2.5) + (−0.5)(−0.5) + (0.5)(0.5) + (1.5)(2.5) = 8, slope = 8/5 = 1.6.
    # Fitted 1.1, 2.7, 4.3, 5.9; residuals −0.1, 0.3, −0.3, 0.1; SSE = 0.2; s² = 0.2/2 = 0.1.
    # ŷ(2025) = 3.5 + 1.6 × 3.5 = 9.1.
    # se = sqrt(0.1 × (1 + 1/4 + 3.5²/5)) = sqrt(0.1 × 3.7) = sqrt(0.37) = 0.608276.
    # t(0.95; 2) = 2.919986 → half-width 2.919986 × 0.608276 = 1.776158 → [7.323842, 10.876158].
    assert forecast is not None
    assert forecast.method == "ols"
    assert forecast.slope == pytest.approx(1.6)
    assert forecast.value == pytest.approx(9.1)
    assert forecast.residual_sd == pytest.approx(0.316228, abs=1e-6)
    assert forecast.low == pytest.approx(7.323842, abs=1e-6)
    assert forecast.high == pytest.approx(10.876158, abs=1e-6)


def test_points_on_a_line_give_a_zero_width_interval() -> None:
    forecast = trend_forecast([(2023, 14.0), (2021, 10.0), (2022, 12.0)], 2025)

    assert forecast is not None
    assert (forecast.low, forecast.value, forecast.high) == pytest.approx((18.0, 18.0, 18.0))


def test_two_points_give_a_point_forecast_without_interval() -> None:
    forecast = trend_forecast([(2021, 10.0), (2023, 16.0)], 2025)

    # slope (16 − 10)/2 = 3 → 16 + 3 × 2 = 22
    assert forecast is not None
    assert forecast.method == "two_point"
    assert forecast.value == pytest.approx(22.0)
    assert (forecast.low, forecast.high) == (None, None)


def test_fewer_than_two_points_give_no_forecast() -> None:
    assert trend_forecast([(2021, 10.0)], 2025) is None
    assert trend_forecast([], 2025) is None


def test_t_quantiles_match_the_published_table() -> None:
    assert t_quantile_95(1) == 6.313752
    assert t_quantile_95(2) == 2.919986
    assert t_quantile_95(10) == 1.812461
    assert t_quantile_95(30) == 1.697261


def test_t_quantile_beyond_the_table_uses_the_df_30_value() -> None:
    assert t_quantile_95(45) == 1.697261


def test_t_quantile_needs_one_degree_of_freedom() -> None:
    with pytest.raises(ValueError, match="自由度"):
        t_quantile_95(0)
