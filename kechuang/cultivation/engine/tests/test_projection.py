"""HNTE/TSME projection to the plan's target year: rates, model, support, gaps and fallbacks."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from kechuang.cultivation.engine.projection import (
    TARGET_PASSED_NOTE,
    ConversionYear,
    ProjectionInput,
    RetentionYear,
    historical_rate,
    historical_retention,
    project,
)


def make_input(**changes: Any) -> ProjectionInput:
    """h = 300 in 2023, retention 0.9, pool 成熟 10 (50%) and 成长 40 (10%): inflow 5 + 4 = 9."""
    base = ProjectionInput(
        base_year=2023,
        target_year=2025,
        hnte_now=300,
        tsme_now=600,
        hnte_history=((2021, 250), (2022, 280)),
        tsme_history=((2020, 100), (2021, 300), (2022, 400)),
        pool={"mature": 10, "growing": 40},
        tier_rates={"mature": 0.5, "growing": 0.1},
        overall_rate=0.2,
        retention=0.9,
        hnte_target=None,
        tsme_target=None,
    )
    return replace(base, **changes)


# Historical rates


def test_historical_rate_is_pooled_over_years() -> None:
    conversions = [
        ConversionYear(2021, candidates=100, converted=10),
        ConversionYear(2022, candidates=200, converted=25),
        ConversionYear(2023, candidates=0, converted=0),
    ]
    # (10 + 25) / (100 + 200) = 35 / 300, not the mean of 10% and 12.5%
    assert historical_rate(conversions) == pytest.approx(35 / 300)


def test_historical_rate_is_none_without_candidates() -> None:
    assert historical_rate([ConversionYear(2022, 0, 0), ConversionYear(2023, 0, 0)]) is None
    assert historical_rate([]) is None


def test_historical_retention_is_pooled_over_years() -> None:
    retentions = [RetentionYear(2022, 264, 250), RetentionYear(2023, 300, 270)]
    assert historical_retention(retentions) == pytest.approx(520 / 564)
    assert historical_retention([RetentionYear(2023, 0, 0)]) is None


# HNTE model


def test_two_year_model_projection_by_hand() -> None:
    result = project(make_input())

    # 2024: 300 × 0.9 + 10 × 0.5 + 40 × 0.1 = 270 + 5 + 4 = 279
    # 2025: 279 × 0.9 + 9 = 251.1 + 9 = 260.1
    assert result.hnte_method == "model"
    assert [y.year for y in result.years] == [2024, 2025]
    assert [y.hnte for y in result.years] == pytest.approx([279.0, 260.1])
    assert [y.hnte_without_support for y in result.years] == pytest.approx([279.0, 260.1])
    assert result.hnte_projected == pytest.approx(260.1)
    assert result.support_uplift == pytest.approx(0.0)
    assert result.rates == {"mature": 0.5, "growing": 0.1}
    assert result.retention == 0.9
    assert any("保有率按 90.0%" in text for text in result.assumptions)
    assert any("新入库企业数与转出数相当" in text for text in result.assumptions)
    assert any("成熟 50.0%、成长 10.0%" in text for text in result.assumptions)
    assert (result.hnte_gap, result.hnte_met, result.required_extra_per_year) == (None,) * 3
    assert result.support_needed is None


def test_tier_rates_fall_back_to_the_city_wide_rate() -> None:
    result = project(make_input(tier_rates=None, overall_rate=0.2))

    # inflow (10 + 40) × 0.2 = 10 → 2024: 270 + 10 = 280; 2025: 252 + 10 = 262
    assert result.rates == {"mature": 0.2, "growing": 0.2}
    assert [y.hnte for y in result.years] == pytest.approx([280.0, 262.0])
    assert (
        "各梯队缺少分层历史数据，年转化率按全市科技型中小企业→高新技术企业历史转化率 20.0% 计。"
        in result.assumptions
    )


def test_missing_tier_rates_fall_back_per_tier() -> None:
    inp = make_input(pool={"mature": 10, "growing": 40, "seed": 5}, tier_rates={"mature": 0.5})
    result = project(inp)

    # inflow 10 × 0.5 + 45 × 0.2 = 14 → 2024: 270 + 14 = 284
    assert result.rates == {"mature": 0.5, "growing": 0.2, "seed": 0.2}
    assert result.years[0].hnte == pytest.approx(284.0)
    assert any(text.startswith("成长、种子梯队缺少分层历史数据") for text in result.assumptions)
    assert any("20.0%" in text for text in result.assumptions)


def test_supporting_two_growing_adds_1_8_then_carries_on_with_retention() -> None:
    result = project(make_input(supported=("growing", "growing")))

    # 2024: 270 + 10 × 0.5 + 38 × 0.1 + 2 = 280.8 = 279 + 2 × (1 − 0.1)
    # 2025: 280.8 × 0.9 + 9 = 261.72 = 260.1 + 1.8 × 0.9
    with_support = [y.hnte for y in result.years]
    without = [y.hnte_without_support for y in result.years]
    assert with_support == pytest.approx([280.8, 261.72])
    assert without == pytest.approx([279.0, 260.1])
    assert with_support[0] - without[0] == pytest.approx(1.8)
    assert with_support[1] - without[1] == pytest.approx(1.8 * 0.9)
    assert result.support_uplift == pytest.approx(1.62)
    assert any("重点扶持的 2 家企业（成长 2 家）假定于 2024 年" in t for t in result.assumptions)


# Targets


def test_gap_required_extra_and_support_needed_when_short() -> None:
    result = project(make_input(hnte_target=270))

    # gap 270 − 260.1 = 9.9; extra x per year: 0.9x (2024) + x (2025) = 9.9 → x = 9.9 / 1.9
    assert result.hnte_gap == pytest.approx(9.9)
    assert result.hnte_met is False
    assert result.required_extra_per_year == pytest.approx(9.9 / 1.9)
    # each supported adds (1 − rate) × 0.9 in 2025: 成熟 0.45 (all 10 → 4.5, 5.4 left),
    # 成长 0.81 → ceil(5.4 / 0.81 = 6.67) = 7 → 17 in all
    assert result.support_needed == 17
    assert any("每年需额外新增高企数" in text for text in result.assumptions)


def test_support_needed_is_the_smallest_number_that_closes_the_gap() -> None:
    seventeen = ("mature",) * 10 + ("growing",) * 7
    sixteen = ("mature",) * 10 + ("growing",) * 6
    # 17: (10 × 0.5 + 7 × 0.9) × 0.9 = 10.17 ≥ 9.9; 16: (5 + 5.4) × 0.9 = 9.36 < 9.9
    assert project(make_input(hnte_target=270, supported=seventeen)).hnte_met is True
    short = project(make_input(hnte_target=270, supported=sixteen))
    assert short.hnte_met is False
    assert short.support_needed == 1


def test_support_needed_counts_beyond_those_already_supported() -> None:
    result = project(make_input(hnte_target=270, supported=("growing", "growing")))

    # gap 270 − 261.72 = 8.28; 成熟 10 → 4.5, 3.78 left → ceil(3.78 / 0.81 = 4.67) = 5 → 15
    assert result.hnte_gap == pytest.approx(8.28)
    assert result.support_needed == 15


def test_support_needed_is_none_when_the_whole_pool_is_not_enough() -> None:
    result = project(make_input(hnte_target=400))

    # whole pool adds 10 × 0.45 + 40 × 0.81 = 36.9 < 400 − 260.1 = 139.9
    assert result.hnte_gap == pytest.approx(139.9)
    assert result.support_needed is None
    assert "即使扶持后备库全部企业也无法在目标年补足高企缺口。" in result.notes


def test_target_already_met() -> None:
    result = project(make_input(hnte_target=250, tsme_target=900))

    assert result.hnte_gap == pytest.approx(-10.1)
    assert result.hnte_met is True
    assert result.required_extra_per_year == 0.0
    assert result.support_needed == 0
    # TSME 2025 = 910 (see the trend test) ≥ 900
    assert result.tsme_gap == pytest.approx(-10.0)
    assert result.tsme_met is True


def test_target_year_already_passed_uses_current_counts() -> None:
    inp = make_input(base_year=2025, hnte_now=480, tsme_now=1400, hnte_target=500, tsme_target=1350)
    inp = replace(inp, hnte_history=((2024, 450),), tsme_history=((2024, 1200),))
    result = project(inp)

    assert result.years == []
    assert TARGET_PASSED_NOTE in result.notes
    assert TARGET_PASSED_NOTE == "规划目标年已过，请以实际数据为准"
    assert (result.hnte_gap, result.hnte_met) == (20.0, False)
    assert (result.tsme_gap, result.tsme_met) == (-50.0, True)
    assert result.required_extra_per_year is None
    assert result.support_needed is None
    past = project(replace(inp, target_year=2022))
    assert past.years == [] and TARGET_PASSED_NOTE in past.notes


# Fallbacks


def test_hnte_falls_back_to_trend_without_retention() -> None:
    result = project(make_input(retention=None, hnte_target=340, supported=("mature",)))

    # points 2021: 250, 2022: 280 (history is not a line: 2023 is hnte_now = 300)
    # OLS slope = ((−1)(−26.67) + (1)(23.33)) / 2 = 25, mean 276.67 at 2022 → 2024: 326.67
    assert result.hnte_method == "trend"
    assert [y.hnte for y in result.years] == pytest.approx([830 / 3 + 50, 830 / 3 + 75])
    assert result.years[0].hnte == result.years[0].hnte_without_support
    trend_note = "缺少高企保有率，高企数量改按历年数据线性趋势外推（3 年数据）。"
    assert trend_note in result.notes
    assert "趋势外推无法区分后备库梯队，重点扶持企业的效果未计入。" in result.notes
    # gap 340 − 351.67 < 0 → met
    assert result.hnte_met is True
    assert result.support_needed == 0


def test_trend_fallback_required_extra_per_year() -> None:
    target = 1055 / 3 + 10  # the trend gives 351.67 in 2025 (see above) → gap 10
    inp = make_input(overall_rate=None, tier_rates={"mature": 0.5}, hnte_target=target)
    result = project(inp)

    # 成长 has no rate → trend; retention 0.9 is known → 10 / (0.9 + 1)
    assert result.hnte_method == "trend"
    assert any("成长梯队的转化率" in note for note in result.notes)
    assert result.hnte_gap == pytest.approx(10.0)
    assert result.required_extra_per_year == pytest.approx(10 / 1.9)
    assert result.support_needed is None
    assert "高企数量按趋势外推，无法测算补足缺口所需的扶持企业数。" in result.notes

    # retention unknown as well → counted as 100 %: 10 / (1 + 1) = 5
    unknown = project(make_input(retention=None, hnte_target=target))
    assert unknown.required_extra_per_year == pytest.approx(5.0)
    assert "保有率未知，每年需额外新增的高企数按保有率 100% 计算。" in unknown.notes


def test_hnte_unavailable_without_rates_or_history() -> None:
    result = project(make_input(retention=None, hnte_history=(), hnte_target=500))

    assert result.hnte_method == "unavailable"
    assert [y.hnte for y in result.years] == [None, None]
    assert result.hnte_projected is None
    assert (result.hnte_gap, result.hnte_met, result.support_needed) == (None, None, None)
    assert "缺少高企保有率，且高企历史数据不足两年，无法推算高企数量。" in result.notes


# TSME


def test_tsme_by_ols_trend_with_interval() -> None:
    result = project(make_input(tsme_target=1350))

    # points 100, 300, 400, 600 for 2020–2023: slope 160, mean 350 at 2021.5
    # 2024: 350 + 160 × 2.5 = 750; 2025: 910 with half-width 100 × 1.776158 (see test_trend)
    assert result.tsme_method == "ols"
    assert [y.tsme for y in result.years] == pytest.approx([750.0, 910.0])
    last = result.years[-1]
    assert last.tsme_low == pytest.approx(732.3842, abs=1e-4)
    assert last.tsme_high == pytest.approx(1087.6158, abs=1e-4)
    assert result.tsme_gap == pytest.approx(440.0)
    assert result.tsme_met is False
    assert any("90% 预测区间" in text for text in result.assumptions)


def test_tsme_with_two_points_has_no_interval() -> None:
    result = project(make_input(tsme_history=((2022, 500),)))

    # 500 → 600: +100 per year → 700, 800
    assert result.tsme_method == "two_point"
    assert [(y.tsme, y.tsme_low, y.tsme_high) for y in result.years] == [
        (700.0, None, None),
        (800.0, None, None),
    ]


def test_tsme_with_one_point_stays_constant_with_a_note() -> None:
    result = project(make_input(tsme_history=((2023, 600),)))

    assert result.tsme_method == "constant"
    assert [(y.tsme, y.tsme_low, y.tsme_high) for y in result.years] == [
        (600.0, None, None),
        (600.0, None, None),
    ]
    assert "科技型中小企业历史数据不足两年，按当前数量 600 家保持不变计。" in result.notes


def test_to_dict_is_json_serialisable() -> None:
    data = project(make_input(hnte_target=270, supported=("growing",))).to_dict()

    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["years"][0]["year"] == 2024
    assert data["support_needed"] == 16
    assert data["rates"] == {"mature": 0.5, "growing": 0.1}


# Validation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hnte_now": -1}, "当前高企数不能为负数"),
        ({"tsme_history": ((2022, -5),)}, "2022 年科技型中小企业数不能为负数"),
        ({"pool": {"mature": -2}}, "后备库成熟梯队企业数不能为负数"),
        ({"retention": 1.2}, "高企保有率应在 0 到 1 之间"),
        ({"overall_rate": -0.1}, "全市转化率应在 0 到 1 之间"),
        ({"tier_rates": {"growing": 1.5}}, "成长梯队转化率应在 0 到 1 之间"),
        ({"hnte_target": -10}, "高企目标数不能为负数"),
        ({"hnte_history": ((2024, 320),)}, "高企历史数据中的 2024 年晚于基准年 2023"),
        ({"target_year": 2022, "hnte_history": ((2024, 320),)}, "晚于基准年"),
        ({"hnte_history": ((2022, 280), (2022, 281))}, "2022 年重复出现"),
        ({"supported": ("seed",)}, "重点扶持企业的梯队“种子”不在后备库中"),
        ({"supported": ("mature",) * 11}, "成熟梯队重点扶持 11 家，超过后备库中该梯队的 10 家"),
    ],
)
def test_invalid_input_raises_with_a_chinese_message(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        project(make_input(**changes))


def test_invalid_history_rows_raise() -> None:
    with pytest.raises(ValueError, match="2022 年转化企业数 11 大于候选企业数 10"):
        ConversionYear(2022, candidates=10, converted=11)
    with pytest.raises(ValueError, match="转化候选企业数不能为负数"):
        ConversionYear(2022, candidates=-1, converted=0)
    with pytest.raises(ValueError, match="大于年初高企数"):
        RetentionYear(2022, holders_start=5, still_holding=6)
