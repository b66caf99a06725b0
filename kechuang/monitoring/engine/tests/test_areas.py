from dataclasses import dataclass
from decimal import Decimal

import pytest

from kechuang.monitoring.engine.progress import compute_progress, rank_areas, split_target

from .helpers import Target, obs


def test_split_by_baseline_share_sums_exactly_to_the_city_target() -> None:
    # 500 × 132/264 = 250, × 88/264 = 166.67, × 44/264 = 83.33: floors 250 + 166 + 83 = 499,
    # the one unit left goes to the largest remainder (0.67, 宛城区).
    parts = split_target(264, 500, {"卧龙区": 132, "宛城区": 88, "邓州市": 44})

    assert parts == {"卧龙区": 250, "宛城区": 167, "邓州市": 83}
    assert sum(parts.values()) == 500


def test_manual_target_is_honoured_and_the_rest_spread_by_share() -> None:
    # 500 − 260 = 240 left for 88 : 44 → 160 and 80
    parts = split_target(264, 500, {"卧龙区": 132, "宛城区": 88, "邓州市": 44}, {"卧龙区": 260})

    assert parts == {"卧龙区": 260, "宛城区": 160, "邓州市": 80}


def test_split_to_one_decimal_sums_exactly_and_breaks_ties_by_name() -> None:
    # 10/3 = 3.333…: 33 + 33 + 33 tenths, one tenth left; equal remainders and baselines, so
    # the name decides (Unicode order 丙 < 乙 < 甲).
    parts = split_target(3, 10, {"甲": 1, "乙": 1, "丙": 1}, decimals=1)

    assert parts == {"甲": 3.3, "乙": 3.3, "丙": 3.4}
    assert sum(Decimal(str(v)) for v in parts.values()) == Decimal("10.0")


def test_split_across_thirteen_counties_stays_within_one_unit_of_the_exact_share() -> None:
    counts = [61, 52, 47, 40, 38, 35, 33, 31, 30, 27, 22, 19, 15]  # synthetic, sums to 450
    baselines = {f"县{i:02d}": b for i, b in enumerate(counts)}

    parts = split_target(450, 1000, baselines)

    assert sum(parts.values()) == 1000
    assert all(abs(parts[a] - b * 1000 / 450) < 1 for a, b in baselines.items())
    assert parts["县00"] == 136  # 61 × 1000/450 = 135.56, rounded up by largest remainder


def test_zero_baselines_share_the_target_equally() -> None:
    assert split_target(0, 5, {"A": 0, "B": 0}) == {"A": 3, "B": 2}


def test_area_baselines_must_account_for_the_city() -> None:
    with pytest.raises(ValueError, match="各地区基期值合计 200 与全市基期值 264"):
        split_target(264, 500, {"卧龙区": 100, "宛城区": 100})


def test_manual_targets_above_the_city_target_are_refused() -> None:
    with pytest.raises(ValueError, match="超过了全市目标"):
        split_target(264, 500, {"卧龙区": 132, "宛城区": 132}, {"卧龙区": 501})


def test_manual_target_for_an_unknown_area_is_refused() -> None:
    with pytest.raises(ValueError, match="不在地区列表中的地区：鸭河工区"):
        split_target(264, 500, {"卧龙区": 264}, {"鸭河工区": 10})


def test_manual_target_finer_than_the_decimals_is_refused() -> None:
    with pytest.raises(ValueError, match="超出了保留的小数位数"):
        split_target(264, 500, {"卧龙区": 132, "宛城区": 132}, {"卧龙区": 250.5})


def test_negative_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="不能为负"):
        split_target(10, 20, {"A": 12, "B": -2})


@dataclass(frozen=True)
class _Result:
    completion: float | None
    status: str


def test_rank_by_completion_ties_share_a_rank_and_are_ordered_by_name() -> None:
    rows = rank_areas(
        {
            "宛城区": _Result(0.8, "on_track"),
            "南召县": _Result(None, "no_data"),
            "卧龙区": _Result(0.8, "on_track"),
            "邓州市": _Result(0.95, "on_track"),
            "西峡县": _Result(0.5, "behind"),
        }
    )

    assert [(r.rank, r.area) for r in rows] == [
        (1, "邓州市"),
        (2, "卧龙区"),  # U+5367 sorts before 宛 U+5B9B
        (2, "宛城区"),
        (4, "西峡县"),
        (None, "南召县"),
    ]


def test_rank_areas_accepts_progress_results_with_no_data_last() -> None:
    target = Target(baseline_value=50, target_value=55, kind="share")
    results = {
        "甲县": compute_progress(target, [obs(2022, 51.0)]),
        "乙县": compute_progress(target, []),
        "丙县": compute_progress(target, [obs(2022, 53.0)]),
    }

    rows = rank_areas(results)

    assert [r.area for r in rows] == ["丙县", "甲县", "乙县"]
    assert rows[0].completion == pytest.approx(0.6)
    assert rows[-1].status == "no_data"
