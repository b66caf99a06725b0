"""Commitments judged as the plan means them, with hand-computed cases at every boundary:
exactly the floor, one under, the 左右 tolerance edges, a `new` commitment from yearly counts
and from a cumulative figure, an `annual` commitment failing in one county in one year, a
benchmark, and a restated indicator."""

import datetime as dt

import pytest

from kechuang.monitoring.engine.commitments import (
    STATUS_LABELS,
    Point,
    Rule,
    Tolerance,
    judge,
    passes,
)

CITY, WOLONG, WANCHENG, HENAN = "411300", "411303", "411302", "410000"


def rule(**kw: object) -> Rule:
    base = {"comparator": "gte", "measure": "stock", "target_year": 2025, "start_year": 2021}
    return Rule(**{**base, **kw})  # type: ignore[arg-type]


def pt(year: int, value: float, kind: str = "actual", area: str = CITY, **kw: object) -> Point:
    return Point(area, year, value, kind, dt.date(year + 1, 3, 1), **kw)  # type: ignore[arg-type]


# --- comparators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "met"), [(70, True), (69, False), (69.999, False), (75, True), (70.0000000001, True)]
)
def test_a_bare_number_is_a_floor(value: float, met: bool) -> None:
    # "新培育……企业70家": 75 meets it (it did not when a bare number was read as "= 70").
    assert passes(rule(value=70.0), value) is met


@pytest.mark.parametrize(("value", "met"), [(500, False), (500.5, True), (499, False)])
def test_gt_is_strict(value: float, met: bool) -> None:
    assert passes(rule(comparator="gt", value=500.0), value) is met


@pytest.mark.parametrize(("value", "met"), [(50, True), (51, False), (1, True)])
def test_lte_ranks(value: float, met: bool) -> None:
    assert passes(rule(comparator="lte", value=50.0), value) is met


@pytest.mark.parametrize(
    ("value", "met"), [(1.9, False), (2, True), (2.5, True), (3, True), (3.1, False)]
)
def test_range_edges_are_inclusive(value: float, met: bool) -> None:
    assert passes(rule(comparator="range", low=2.0, high=3.0), value) is met


@pytest.mark.parametrize(
    ("value", "met"), [(8.9, False), (9, True), (10, True), (11, True), (11.1, False), (12, False)]
)
def test_approx_uses_the_tolerance_written_in_the_plan_file_absolute(
    value: float, met: bool
) -> None:
    # 创新龙头企业动态保持在10家左右, tolerance ±1 (9—11).
    r = rule(comparator="approx", value=10.0, tolerance=Tolerance(absolute=1.0, note="±1"))
    assert passes(r, value) is met


@pytest.mark.parametrize(
    ("value", "met"), [(179, False), (180, True), (200, True), (220, True), (221, False)]
)
def test_approx_relative_tolerance_edges(value: float, met: bool) -> None:
    # 选派200名左右市级科技特派员, tolerance ±10 % (180—220).
    r = rule(comparator="approx", value=200.0, tolerance=Tolerance(relative=0.1, note="±10%"))
    assert passes(r, value) is met


def test_approx_without_a_tolerance_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="允许偏差"):
        passes(rule(comparator="approx", value=10.0), 10)


def test_eq_only_exactly() -> None:
    assert passes(rule(comparator="eq", value=13.0), 13) is True
    assert passes(rule(comparator="eq", value=13.0), 14) is False


# --- stock ------------------------------------------------------------------------------------


def test_stock_takes_the_latest_year_actual_before_preliminary() -> None:
    points = [pt(2023, 480), pt(2024, 495, "preliminary"), pt(2024, 505, "actual")]
    j = judge(rule(value=500.0), points, area=CITY, as_of_year=2025)
    assert (j.status, j.figure.value, j.figure.year) == ("met", 505, 2024)
    assert j.figure.basis == "本项发布数：2024 年正式数"


def test_stock_below_the_floor_before_the_target_year_is_not_yet() -> None:
    j = judge(rule(value=500.0), [pt(2023, 499)], area=CITY, as_of_year=2024)
    assert (j.status, j.status_label) == ("not_yet", "尚未达到")


def test_stock_below_the_floor_in_the_target_year_is_not_met() -> None:
    j = judge(rule(value=500.0), [pt(2025, 499)], area=CITY, as_of_year=2026)
    assert (j.status, j.status_label) == ("not_met", "未达标")


def test_a_figure_after_the_target_year_does_not_judge_the_commitment() -> None:
    j = judge(rule(value=500.0), [pt(2025, 480), pt(2026, 520)], area=CITY, as_of_year=2027)
    assert (j.status, j.figure.year) == ("not_met", 2025)


def test_no_figure_is_no_data_and_qualitative_without_a_number() -> None:
    assert judge(rule(value=5.0), [], area=CITY, as_of_year=2024).status == "no_data"
    assert judge(rule(), [pt(2023, 1)], area=CITY, as_of_year=2024).status == "qualitative"


def test_another_areas_figure_is_not_the_citys() -> None:
    j = judge(rule(value=5.0), [pt(2023, 9, area=WOLONG)], area=CITY, as_of_year=2024)
    assert j.status == "no_data"


# --- new: yearly counts summed, or a cumulative figure ----------------------------------------


def test_new_sums_the_yearly_new_counts() -> None:
    # 新培育龙头/瞪羚/雏鹰 70家: 12 + 15 + 20 + 23 = 70 by 2024 → met exactly at the floor.
    points = [pt(2021, 12), pt(2022, 15), pt(2023, 20), pt(2024, 23)]
    j = judge(rule(value=70.0, measure="new"), points, area=CITY, as_of_year=2025)
    assert (j.status, j.figure.value, j.figure.year) == ("met", 70, 2024)
    assert j.figure.basis == "本项发布数：逐年新增合计（2021、2022、2023、2024 年，共 4 年）"


def test_new_one_under_the_floor_in_the_target_year_is_not_met() -> None:
    points = [pt(2021, 12), pt(2022, 15), pt(2023, 20), pt(2024, 10), pt(2025, 12)]
    j = judge(rule(value=70.0, measure="new"), points, area=CITY, as_of_year=2026)
    assert (j.status, j.figure.value) == ("not_met", 69)


def test_new_counts_each_year_once_the_revision_wins() -> None:
    points = [pt(2021, 10, "preliminary"), pt(2021, 12), pt(2022, 15)]
    j = judge(rule(value=20.0, measure="new"), points, area=CITY, as_of_year=2023)
    assert j.figure.value == 27


def test_new_ignores_years_before_the_plan() -> None:
    points = [pt(2020, 50), pt(2021, 3)]
    j = judge(rule(value=5.0, measure="new"), points, area=CITY, as_of_year=2022)
    assert (j.figure.value, j.status) == (3, "not_yet")


def test_new_shows_both_the_cumulative_figure_and_the_yearly_sum() -> None:
    cumulative = pt(2024, 72, "cumulative", start_year=2021)
    yearly = [pt(2021, 12), pt(2022, 15), pt(2023, 20)]
    j = judge(rule(value=70.0, measure="new"), [cumulative, *yearly], area=CITY, as_of_year=2025)
    # The cumulative figure reaches 2024, the yearly sum only 2023: the cumulative is judged.
    assert (j.status, j.figure.value) == ("met", 72)
    assert j.figure.basis == "本项发布数：累计数（2021—2024 年）"
    assert [(f.value, f.year) for f in j.others] == [(47, 2023)]


def test_new_on_a_tie_the_published_cumulative_is_judged() -> None:
    cumulative = pt(2023, 40, "cumulative", start_year=2021)
    yearly = [pt(2021, 12), pt(2022, 15), pt(2023, 20)]
    j = judge(rule(value=50.0, measure="new"), [*yearly, cumulative], area=CITY, as_of_year=2024)
    assert j.figure.value == 40 and j.others[0].value == 47


def test_a_cumulative_figure_not_starting_with_the_plan_is_not_its_new_count() -> None:
    j = judge(
        rule(value=50.0, measure="new"),
        [pt(2024, 90, "cumulative", start_year=2016)],
        area=CITY,
        as_of_year=2025,
    )
    assert j.status == "no_data"


# --- annual: every year, every area -----------------------------------------------------------


def _growth(values: dict[tuple[str, int], float]) -> list[Point]:
    return [pt(year, value, area=area) for (area, year), value in values.items()]


ANNUAL = rule(comparator="gt", value=0.0, measure="annual", areas=(CITY, WOLONG, WANCHENG))


def test_annual_fails_in_one_county_in_one_year_and_says_which() -> None:
    values = {(a, y): 5.0 for a in (CITY, WOLONG, WANCHENG) for y in (2021, 2022, 2023)}
    values[(WOLONG, 2022)] = -1.5
    j = judge(ANNUAL, _growth(values), area=CITY, as_of_year=2024)
    assert j.status == "not_met"
    assert j.failures == ((WOLONG, 2022, -1.5),)
    assert j.missing == ()


def test_annual_zero_growth_is_not_growth() -> None:
    values = {(a, 2021): 1.0 for a in (CITY, WOLONG, WANCHENG)}
    values[(CITY, 2021)] = 0.0
    j = judge(ANNUAL, _growth(values), area=CITY, as_of_year=2022)
    assert j.failures == ((CITY, 2021, 0.0),)


def test_annual_every_year_every_area_met() -> None:
    values = {(a, y): 2.0 for a in (CITY, WOLONG, WANCHENG) for y in range(2021, 2026)}
    j = judge(ANNUAL, _growth(values), area=CITY, as_of_year=2026)
    assert (j.status, j.figure.value) == ("met", 15)


def test_annual_lists_missing_years_and_areas() -> None:
    values = {(a, y): 2.0 for a in (CITY, WOLONG) for y in (2021, 2022)}
    j = judge(ANNUAL, _growth(values), area=CITY, as_of_year=2023)
    assert j.status == "incomplete"
    assert j.missing == ((WANCHENG, 2021), (WANCHENG, 2022))


def test_annual_a_year_not_over_and_without_data_is_not_due() -> None:
    values = {(a, 2021): 2.0 for a in (CITY, WOLONG, WANCHENG)}
    j = judge(ANNUAL, _growth(values), area=CITY, as_of_year=2022)
    assert (j.status, j.missing) == ("met", ())


def test_annual_areas_outside_the_rule_are_ignored() -> None:
    values = {(a, 2021): 2.0 for a in (CITY, WOLONG, WANCHENG)}
    values[("411321", 2021)] = -9.0
    assert judge(ANNUAL, _growth(values), area=CITY, as_of_year=2022).status == "met"


# --- benchmark --------------------------------------------------------------------------------


BENCHMARK = rule(has_benchmark=True)


def test_benchmark_is_judged_against_the_same_years_benchmark() -> None:
    own = [pt(2022, 1.30), pt(2023, 1.45)]
    henan = [pt(2022, 1.86, area=HENAN), pt(2023, 1.45, area=HENAN)]
    j = judge(BENCHMARK, own, area=CITY, as_of_year=2024, benchmark=henan)
    assert (j.status, j.figure.year, j.benchmark.value) == ("met", 2023, 1.45)
    assert j.target_text == "≥ 基准值 1.45"


def test_benchmark_one_under_is_not_yet_before_the_target_year() -> None:
    j = judge(
        BENCHMARK,
        [pt(2023, 1.44)],
        area=CITY,
        as_of_year=2024,
        benchmark=[pt(2023, 1.45, area=HENAN)],
    )
    assert j.status == "not_yet"


def test_benchmark_without_the_same_years_benchmark_cannot_be_judged() -> None:
    j = judge(
        BENCHMARK,
        [pt(2023, 2.0)],
        area=CITY,
        as_of_year=2024,
        benchmark=[pt(2022, 1.8, area=HENAN)],
    )
    assert j.status == "no_data"
    assert j.figure.value == 2.0
    assert "缺少 2023 年的基准值" in j.notes[0]


# --- restated indicator and registry counts ---------------------------------------------------


def test_a_restated_indicators_series_is_read_when_the_commitment_has_none() -> None:
    # 高新技术企业突破500家 ← 高新技术企业数: 736 published for 2024.
    indicator = [pt(2023, 640), pt(2024, 736)]
    registry = [pt(2024, 700, "registry")]
    j = judge(
        rule(value=500.0),
        [],
        area=CITY,
        as_of_year=2025,
        fallbacks=[("指标“高新技术企业数”发布数", indicator), ("登记库计数", registry)],
    )
    assert (j.status, j.figure.value) == ("met", 736)
    assert j.figure.basis == "指标“高新技术企业数”发布数：2024 年正式数"
    assert [(f.value, f.basis) for f in j.others] == [(700, "登记库计数：2024 年年末数")]


def test_the_commitments_own_figure_comes_before_the_fallbacks() -> None:
    j = judge(
        rule(value=500.0),
        [pt(2024, 480)],
        area=CITY,
        as_of_year=2025,
        fallbacks=[("登记库计数", [pt(2024, 510, "registry")])],
    )
    assert (j.figure.value, j.status) == (480, "not_yet")
    assert j.others[0].value == 510


def test_a_registry_count_of_new_platforms_is_a_cumulative_point() -> None:
    registry = [
        pt(2022, 40, "cumulative", start_year=2021),
        pt(2023, 101, "cumulative", start_year=2021),
    ]
    j = judge(
        rule(value=100.0, measure="new"),
        [],
        area=CITY,
        as_of_year=2024,
        fallbacks=[("登记库计数", registry)],
    )
    assert (j.status, j.figure.value, j.figure.basis) == (
        "met",
        101,
        "登记库计数：累计数（2021—2023 年）",
    )


def test_every_status_has_a_chinese_label() -> None:
    assert set(STATUS_LABELS) == {
        "met",
        "not_met",
        "not_yet",
        "incomplete",
        "no_data",
        "qualitative",
    }
    assert rule(
        comparator="approx", value=10.0, tolerance=Tolerance(absolute=1.0)
    ).target_text() == ("10 左右（9—11）")
    assert rule(comparator="range", low=2.0, high=3.0).target_text() == "2—3"
