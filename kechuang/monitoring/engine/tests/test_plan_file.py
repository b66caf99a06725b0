"""Strict validation of plan files, with Chinese "路径: 问题" messages."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kechuang.monitoring.engine.plan_file import PlanFileError, load_plan, parse_plan


def _plan() -> dict[str, Any]:
    return {
        "id": "test-14",
        "title": "测试规划",
        "document_number": "测政〔2022〕1号",
        "issued": dt.date(2022, 8, 2),
        "period": {"start": 2021, "end": 2025},
        "city": {"name": "测试市", "area_code": "411300"},
        "source_file": "plan.txt",
        "indicators": [
            {
                "code": "hnte_count",
                "name": "高新技术企业数",
                "unit": "家",
                "baseline": {"year": 2020, "value": 264},
                "target": {"year": 2025, "value": 500},
                "kind": "level",
                "direction": "increase",
                "growth_model": "geometric",
                "source": {"section": "一（四）", "quote": "高新技术企业数"},
            }
        ],
        "commitments": [
            {
                "code": "new_makerspaces",
                "title": "新建众创空间",
                "section": "一（五）",
                "quote": "达到 50 家以上",
                "comparator": "gte",
                "value": 50,
                "unit": "家",
                "measure": "new",
                "target_year": 2025,
            }
        ],
    }


def _errors(data: dict[str, Any]) -> list[str]:
    with pytest.raises(PlanFileError) as info:
        parse_plan(data)
    return info.value.errors


def test_valid_plan_is_parsed_into_dataclasses() -> None:
    plan = parse_plan(_plan())

    assert plan.id == "test-14"
    assert (plan.start_year, plan.end_year) == (2021, 2025)
    spec = plan.indicator("hnte_count")
    assert (spec.baseline_year, spec.baseline_value, spec.target_value) == (2020, 264.0, 500.0)
    assert plan.commitment("new_makerspaces").value == 50.0


def test_issued_date_may_be_an_iso_string() -> None:
    data = _plan()
    data["issued"] = "2022-08-02"

    assert parse_plan(data).issued == dt.date(2022, 8, 2)


def test_unknown_kind_is_reported_with_its_path() -> None:
    data = _plan()
    data["indicators"][0]["kind"] = "levl"

    assert _errors(data) == [
        "indicators[0].kind: 未知的指标类型“levl”，应为 level、share、average_annual_growth 之一"
    ]


def test_target_year_before_baseline_is_refused() -> None:
    data = _plan()
    data["indicators"][0]["target"]["year"] = 2019

    assert _errors(data) == ["indicators[0].target.year: 目标年份 2019 不晚于基期年份 2020"]


def test_missing_code_is_refused() -> None:
    data = _plan()
    del data["commitments"][0]["code"]

    assert _errors(data) == ["commitments[0].code: 缺少必填字段"]


def test_duplicate_indicator_codes_are_refused() -> None:
    data = _plan()
    data["indicators"].append(dict(data["indicators"][0]))

    assert _errors(data) == ["indicators: 指标代码“hnte_count”重复"]


def test_duplicate_commitment_codes_are_refused() -> None:
    data = _plan()
    data["commitments"].append(dict(data["commitments"][0]))

    assert _errors(data) == ["commitments: 承诺代码“new_makerspaces”重复"]


def test_numbers_written_as_text_are_refused() -> None:
    data = _plan()
    data["indicators"][0]["baseline"]["value"] = "264"
    data["commitments"][0]["value"] = True

    assert _errors(data) == [
        "indicators[0].baseline.value: 应为数值，实为文字“264”",
        "commitments[0].value: 应为数值，实为布尔值 True",
    ]


def test_every_problem_is_reported_at_once() -> None:
    data = _plan()
    data["indicators"][0]["kind"] = "ratio"
    data["indicators"][0]["direction"] = "up"
    data["commitments"][0]["measure"] = "total"
    data["city"]["area_code"] = 411300

    errors = _errors(data)

    assert len(errors) == 4
    assert errors[0] == "city.area_code: 应为非空文字，实为数值 411300"


def test_unknown_field_is_reported_as_a_probable_typo() -> None:
    data = _plan()
    data["indicators"][0]["unti"] = "家"

    assert _errors(data) == ["indicators[0].unti: 未知字段（拼写错误？）"]


def test_commitment_must_point_at_an_existing_indicator() -> None:
    data = _plan()
    data["commitments"][0]["indicator"] = "hnte"

    assert _errors(data) == ["commitments[0].indicator: 引用了不存在的指标代码“hnte”"]


def test_range_commitment_needs_low_not_above_high() -> None:
    data = _plan()
    commitment = data["commitments"][0]
    del commitment["value"]
    commitment.update(comparator="range", low=3, high=2)

    assert _errors(data) == ["commitments[0].low: 区间下限 3.0 大于上限 2.0"]


def test_benchmark_commitment_has_no_fixed_value() -> None:
    data = _plan()
    del data["commitments"][0]["value"]
    data["commitments"][0]["benchmark"] = "全省平均水平"

    assert parse_plan(data).commitments[0].benchmark == "全省平均水平"


def test_geometric_path_needs_positive_ends() -> None:
    data = _plan()
    data["indicators"][0]["baseline"]["value"] = 0

    assert _errors(data) == ["indicators[0].growth_model: 几何增长路径要求基期值和目标值均大于 0"]


def test_average_growth_indicator_must_use_the_constant_model() -> None:
    data = _plan()
    data["indicators"][0]["kind"] = "average_annual_growth"

    assert _errors(data) == [
        "indicators[0].growth_model: 年均增速类指标须用 constant 模型，其他类型不得用 constant"
    ]


def test_direction_must_agree_with_baseline_and_target() -> None:
    data = _plan()
    data["indicators"][0]["direction"] = "decrease"

    assert _errors(data) == [
        "indicators[0].direction: 方向为 decrease，但目标值 500.0 大于基期值 264.0"
    ]


def test_null_nested_mapping_is_refused_not_skipped() -> None:
    data = _plan()
    data["indicators"][0]["baseline"] = None

    assert _errors(data) == ["indicators[0].baseline: 应为键值映射"]


def test_missing_indicator_list_is_refused() -> None:
    data = _plan()
    del data["indicators"]

    assert _errors(data) == ["indicators: 缺少必填字段"]


def test_empty_issued_date_is_refused() -> None:
    data = _plan()
    data["issued"] = None

    assert _errors(data) == ["issued: 应为 YYYY-MM-DD 日期，实为空值"]


def test_empty_indicator_list_is_refused() -> None:
    data = _plan()
    data["indicators"] = []

    assert _errors(data) == ["indicators: 应为非空列表"]


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(PlanFileError, match="顶层应为键值映射"):
        parse_plan(["not", "a", "plan"])


def test_error_message_counts_the_problems() -> None:
    data = _plan()
    data["indicators"][0]["kind"] = "x"

    with pytest.raises(PlanFileError, match="规划文件有 1 处错误"):
        parse_plan(data)


def test_load_plan_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="文件不存在"):
        load_plan(tmp_path / "none.yaml")


def test_load_plan_reports_yaml_syntax_errors_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nperiod: [2021, 2025\n", encoding="utf-8")

    with pytest.raises(PlanFileError, match="YAML 格式错误（第 3 行）"):
        load_plan(path)


def test_load_plan_refuses_duplicate_keys(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("id: a\nid: b\n", encoding="utf-8")

    with pytest.raises(PlanFileError, match="重复的键“id”"):
        load_plan(path)


# --- commitments read as the plan means them (issue #10) --------------------------------------


def _commitment(**changes: Any) -> dict[str, Any]:
    data = _plan()
    data["commitments"][0].update(changes)
    return data


def test_eq_needs_the_wording_equal_or_keep() -> None:
    assert _errors(_commitment(comparator="eq")) == [
        "commitments[0].comparator: 原文没有“等于/保持”，单独写出的数字是下限，应为 gte（不低于）"
    ]
    data = _commitment(comparator="eq", quote="动态保持在 50 家")
    assert parse_plan(data).commitments[0].comparator == "eq"


def test_approx_needs_a_tolerance_with_its_note() -> None:
    assert _errors(_commitment(comparator="approx")) == [
        "commitments[0].tolerance: “左右”承诺须写明允许偏差（absolute 或 relative）及其说明 note"
    ]
    data = _commitment(comparator="approx", tolerance={"relative": 0.1, "note": "按 ±10%"})
    tolerance = parse_plan(data).commitments[0].tolerance
    assert (tolerance.relative, tolerance.absolute, tolerance.note) == (0.1, None, "按 ±10%")
    assert tolerance.bounds(50) == pytest.approx((45, 55))


@pytest.mark.parametrize(
    ("tolerance", "error"),
    [
        ({"absolute": 1}, "commitments[0].tolerance.note: 缺少必填字段"),
        (
            {"absolute": 1, "relative": 0.1, "note": "x"},
            "commitments[0].tolerance: absolute（绝对偏差）与 relative（相对偏差）须且只能写一个",
        ),
        (
            {"relative": 10, "note": "x"},
            "commitments[0].tolerance: absolute 应不小于 0；"
            "relative 应在 0 与 1 之间（0.1 表示 ±10%）",
        ),
        ({"percent": 10, "note": "x"}, "commitments[0].tolerance.percent: 未知字段（拼写错误？）"),
    ],
)
def test_bad_tolerances_are_refused(tolerance: dict[str, Any], error: str) -> None:
    assert error in _errors(_commitment(comparator="approx", tolerance=tolerance))


def test_a_tolerance_belongs_to_approx_only() -> None:
    assert _errors(_commitment(tolerance={"absolute": 1, "note": "x"})) == [
        "commitments[0].tolerance: 只有“左右”（approx）承诺才写允许偏差"
    ]


def test_annual_areas() -> None:
    data = _commitment(measure="annual", comparator="gt", value=0, areas=["city", "counties"])
    assert parse_plan(data).commitments[0].areas == ("city", "counties")
    assert parse_plan(_commitment(measure="annual")).commitments[0].areas == ("city",)
    assert _errors(_commitment(areas=["city"])) == [
        "commitments[0].areas: 只有逐年（annual）承诺才写适用区域 areas"
    ]
    assert _errors(_commitment(measure="annual", areas=["county"])) == [
        "commitments[0].areas: 未知的区域“county”，应为 city、counties 或 6 位行政区划代码"
    ]


def test_benchmark_area_needs_a_benchmark_and_a_code() -> None:
    data = _plan()
    c = data["commitments"][0]
    del c["value"]
    c.update(benchmark="全省平均水平", benchmark_area="410000")
    assert parse_plan(data).commitments[0].benchmark_area == "410000"
    c["benchmark_area"] = "4100"
    assert _errors(data) == [
        "commitments[0].benchmark_area: 基准区域应为 6 位行政区划代码（加引号），实为“4100”"
    ]


def test_benchmark_area_without_benchmark_is_refused() -> None:
    assert _errors(_commitment(benchmark_area="410000")) == [
        "commitments[0].benchmark_area: 只有对标型承诺（写了 benchmark）才写基准区域"
    ]


def test_computed_names_a_known_registry_count() -> None:
    data = _commitment(computed={"source": "platforms", "kinds": ["makerspace"]})
    computed = parse_plan(data).commitments[0].computed
    assert (computed.source, computed.kinds, computed.levels) == ("platforms", ("makerspace",), ())
    assert _errors(_commitment(computed={"source": "patents"})) == [
        "commitments[0].computed.source: 未知的登记库计数来源“patents”，"
        "应为 platforms、teams、st_commissioners 之一",
    ]
    assert _errors(_commitment(computed={"levels": []})) == [
        "commitments[0].computed.source: 缺少必填字段",
        "commitments[0].computed.levels: 未知字段（拼写错误？）",
    ]
    assert _errors(_commitment(computed={"source": "teams", "kinds": ["x"]})) == [
        "commitments[0].computed.kinds: 未知字段（拼写错误？）"
    ]


def test_indicator_nature() -> None:
    assert parse_plan(_plan()).indicators[0].nature == "expected"
    data = _plan()
    data["indicators"][0]["nature"] = "binding"
    assert parse_plan(data).indicators[0].nature == "binding"
    data["indicators"][0]["nature"] = "soft"
    assert _errors(data) == [
        "indicators[0].nature: 未知的指标属性“soft”，应为 expected、binding 之一"
    ]
