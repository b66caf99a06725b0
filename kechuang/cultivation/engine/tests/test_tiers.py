"""Tier rule sets (:mod:`..tiers`) and their metrics (:mod:`..metrics`): pure numpy, no DB.

Covers each operator at its edge, the three-valued ALL / any_of truth tables, first-match
reserve tiers with exclusion, rule validation (every problem collected, Chinese, naming the
rule), effective dates, ``explain`` / ``describe``, metric edge cases (zero, negative or
missing bases → NaN) and the shipped ``data/cultivation/tier-rules.yaml``.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from kechuang.cultivation.engine.metrics import (
    DERIVED,
    EXTERNAL,
    METRICS,
    SCALAR_INPUTS,
    YEAR_INPUTS,
    compute_metrics,
)
from kechuang.cultivation.engine.tiers import (
    FAIL,
    PASS,
    UNKNOWN,
    AllOf,
    AnyOf,
    Criterion,
    ReservePolicySpec,
    RuleError,
    TierRuleSpec,
    assign_reserve_tiers,
    describe,
    evaluate,
    evaluate_rule_sets,
    explain,
    load_criteria,
    load_reserve_policy,
    load_rule_set,
    load_rules,
)

RULES_PATH = Path(__file__).resolve().parents[4] / "data" / "cultivation" / "tier-rules.yaml"
NAN = np.nan
T, F, U = PASS, FAIL, UNKNOWN


def crit(metric: str, op: str, value: Any, confidence: str = "V1", source: str = "") -> Criterion:
    """A parsed criterion (through the loader, so the test also covers parsing)."""
    item = {"metric": metric, "op": op, "value": value, "confidence": confidence}
    if source:
        item["source"] = source
    (node,) = load_criteria([item])
    assert isinstance(node, Criterion)
    return node


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def rule_set_dict(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "henan-gazelle",
        "name": "河南省瞪羚企业",
        "issuer_level": "provincial",
        "qualification_kind": "gazelle",
        "effective_from": "2024-01-01",
        "effective_to": "2026-12-31",
        "source": "§3.1",
        "status": "needs_confirmation",
        "note": "",
        "criteria": [
            {"metric": "is_hnte", "op": "==", "value": 1, "confidence": "V1"},
            {"metric": "sales_growth_avg_2y", "op": ">=", "value": None, "confidence": "U"},
        ],
    }
    data.update(overrides)
    return data


def policy_dict() -> dict[str, Any]:
    return {
        "version": "test",
        "effective_from": "2026-01-01",
        "source": "测试",
        "exclude": [{"metric": "is_hnte", "op": "==", "value": 1, "confidence": "U"}],
        "tiers": [
            {
                "code": "mature",
                "label": "成熟型",
                "criteria": [
                    {"metric": "hnte_failed_conditions", "op": "==", "value": 0, "confidence": "U"}
                ],
            },
            {
                "code": "growing",
                "label": "成长型",
                "criteria": [
                    {"metric": "hnte_failed_conditions", "op": "<=", "value": 2, "confidence": "U"},
                    {"metric": "is_tsme", "op": "==", "value": 1, "confidence": "U"},
                ],
            },
            {
                "code": "seed",
                "label": "种子型",
                "criteria": [{"metric": "rd_activity", "op": "==", "value": 1, "confidence": "U"}],
            },
        ],
    }


# --------------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("op", "value", "xs", "expected"),
    [
        (">=", 1000, (999.99, 1000, 1000.01), (F, T, T)),
        (">", 1000, (999.99, 1000, 1000.01), (F, F, T)),
        ("<=", 80, (79.99, 80, 80.01), (T, T, F)),
        ("<", 80, (79.99, 80, 80.01), (T, F, F)),
        ("==", 1, (0, 1, 2), (F, T, F)),
        ("between", [1000, 10000], (999.99, 1000, 9999.99, 10000), (F, T, T, F)),
    ],
)
def test_operator_edges(op: str, value: Any, xs: tuple[float, ...], expected: tuple[int]) -> None:
    result = evaluate([crit("sales_last", op, value)], {"sales_last": arr(*xs)})
    assert result.dtype == np.int8
    assert result.tolist() == list(expected)


def test_nan_metric_is_unknown() -> None:
    result = evaluate([crit("sales_last", ">=", 1000)], {"sales_last": arr(NAN, 5000, 10)})
    assert result.tolist() == [U, T, F]


def test_null_threshold_is_unknown_even_with_data() -> None:
    metrics = {"sales_growth_avg_2y": arr(-50, 0, 500)}
    for op in (">=", "between"):
        result = evaluate([crit("sales_growth_avg_2y", op, None)], metrics)
        assert result.tolist() == [U, U, U]


def test_metric_not_held_is_unknown() -> None:
    """A known metric absent from the metrics (data not collected) is unknown, not fail."""
    result = evaluate([crit("equity_financing_2y", ">=", 2000)], {"sales_last": arr(1, 2)})
    assert result.tolist() == [U, U]


def test_empty_criteria_pass_and_metrics_must_be_consistent() -> None:
    assert evaluate([], {"sales_last": arr(1, 2)}).tolist() == [T, T]
    with pytest.raises(ValueError, match="metrics 为空"):
        evaluate([crit("sales_last", ">=", 1)], {})
    with pytest.raises(ValueError, match="等长"):
        evaluate([crit("sales_last", ">=", 1)], {"sales_last": arr(1, 2), "age_years": arr(1)})


def test_raw_dicts_are_accepted_and_validated() -> None:
    raw = [{"metric": "sales_last", "op": ">=", "value": 5, "confidence": "bureau"}]
    assert evaluate(raw, {"sales_last": arr(4, 5)}).tolist() == [F, T]
    with pytest.raises(RuleError):
        evaluate([{"metric": "nope", "op": ">=", "value": 5}], {"sales_last": arr(1)})


# --------------------------------------------------------------------------- three-valued logic

# sales_last ≥ 10 gives T at 20, F at 0, U at NaN; age_years ≥ 3 likewise.
CODE_VALUE = {T: 20.0, F: 0.0, U: NAN}
PAIRS = [(a, b) for a in (T, F, U) for b in (T, F, U)]


def _pair_metrics() -> dict[str, np.ndarray]:
    return {
        "sales_last": arr(*(CODE_VALUE[a] for a, _ in PAIRS)),
        "age_years": arr(*(CODE_VALUE[b] for _, b in PAIRS)),
    }


def test_all_truth_table() -> None:
    nodes = [crit("sales_last", ">=", 10), crit("age_years", ">=", 3)]
    result = evaluate(nodes, _pair_metrics()).tolist()
    expected = {
        (T, T): T,
        (T, F): F,
        (T, U): U,
        (F, T): F,
        (F, F): F,
        (F, U): F,
        (U, T): U,
        (U, F): F,
        (U, U): U,
    }
    assert result == [expected[pair] for pair in PAIRS]


def test_any_of_truth_table() -> None:
    (node,) = load_criteria(
        [
            {
                "any_of": [
                    {"metric": "sales_last", "op": ">=", "value": 10, "confidence": "V1"},
                    {"metric": "age_years", "op": ">=", "value": 3, "confidence": "V1"},
                ]
            }
        ]
    )
    assert isinstance(node, AnyOf)
    result = evaluate([node], _pair_metrics()).tolist()
    expected = {
        (T, T): T,
        (T, F): T,
        (T, U): T,
        (F, T): T,
        (F, F): F,
        (F, U): U,
        (U, T): T,
        (U, F): U,
        (U, U): U,
    }
    assert result == [expected[pair] for pair in PAIRS]


def test_all_of_nested_in_any_of() -> None:
    """sales ≥ 1500 OR (financing ≥ 2000 AND age ≥ 3)."""
    nodes = load_criteria(
        [
            {
                "any_of": [
                    {"metric": "sales_last", "op": ">=", "value": 1500, "confidence": "VC"},
                    {
                        "all_of": [
                            {
                                "metric": "equity_financing_2y",
                                "op": ">=",
                                "value": 2000,
                                "confidence": "VC",
                            },
                            {"metric": "age_years", "op": ">=", "value": 3, "confidence": "VC"},
                        ]
                    },
                ]
            }
        ]
    )
    assert isinstance(nodes[0], AnyOf) and isinstance(nodes[0].items[1], AllOf)
    metrics = {
        "sales_last": arr(1500, 100, 100, 100),
        "equity_financing_2y": arr(NAN, 2000, 2000, NAN),
        "age_years": arr(1, 3, 2, 1),
    }
    assert evaluate(nodes, metrics).tolist() == [T, T, F, F]


# --------------------------------------------------------------------------- reserve tiers


def test_reserve_tiers_first_match_exclusion_and_unknown() -> None:
    policy = load_reserve_policy(policy_dict())
    assert policy.tier_codes == ["mature", "growing", "seed"]
    metrics = {
        #           hnte  mature  growing  seed   growing-not-tsme  unknown→seed  nothing  excl.?NaN
        "is_hnte": arr(1, 0, 0, 0, 0, 0, 0, NAN),
        "hnte_failed_conditions": arr(0, 0, 2, 5, 1, NAN, 4, 0),
        "is_tsme": arr(1, 1, 1, 1, 0, 1, 0, 0),
        "rd_activity": arr(1, 1, 1, 1, 1, 1, 0, 0),
    }
    tiers = assign_reserve_tiers(policy, metrics)
    assert tiers.dtype == np.int8
    # row 0 excluded (already 高企); row 1 matches mature AND growing → first wins (mature);
    # row 5: failed conditions unknown → mature/growing unknown → falls to seed;
    # row 7: is_hnte unknown → not excluded → mature.
    assert tiers.tolist() == [-1, 0, 1, 2, 2, 2, -1, 0]


def test_reserve_tiers_empty_exclude_excludes_nobody() -> None:
    data = policy_dict()
    data["exclude"] = []
    policy = load_reserve_policy(data)
    tiers = assign_reserve_tiers(policy, {"is_hnte": arr(1), "hnte_failed_conditions": arr(0)})
    assert tiers.tolist() == [0]


# --------------------------------------------------------------------------- validation


def test_validation_collects_all_errors_in_chinese() -> None:
    bad = rule_set_dict(
        issuer_level="city",
        criteria=[
            {"metric": "is_hnte", "op": "==", "value": 1, "confidence": "V1"},
            {"metric": "sales_growth", "op": ">=", "value": 20, "confidence": "V1"},
            {"metric": "sales_last", "op": "=>", "value": 20, "confidence": "V1"},
            {"metric": "sales_last", "op": ">=", "value": "一千", "confidence": "V1"},
            {"metric": "sales_last", "op": "between", "value": [1000], "confidence": "V1"},
            {"metric": "sales_last", "op": "between", "value": [5, 5], "confidence": "V1"},
            {"metric": "is_hnte", "op": "==", "value": True, "confidence": "V1"},
            {"metric": "sales_last", "op": ">=", "value": 1, "confidence": "V3"},
            {"metric": "sales_last", "op": ">=", "value": 1, "confidence": "V1", "unit": "元"},
            {"any_of": [{"metric": "rd_ratio", "op": ">=", "value": 5, "confidence": "V1"}]},
            {"metric": "sales_last", "op": ">=", "confidence": "V1"},
            {"any_of": []},
        ],
    )
    with pytest.raises(RuleError) as info:
        load_rule_set(bad)
    errors = info.value.errors
    expected = [
        "河南省瞪羚企业：发布层级“city”无效",
        "河南省瞪羚企业 第2条：未知指标“sales_growth”",
        "河南省瞪羚企业 第3条：未知比较方式“=>”",
        "河南省瞪羚企业 第4条：门槛值应为数值或留空（null），实为“一千”",
        "河南省瞪羚企业 第5条：between 的门槛值应为两个数值",
        "河南省瞪羚企业 第6条：between 的门槛值应为两个数值",
        "河南省瞪羚企业 第7条：门槛值应为数值或留空（null），实为“True”",
        "河南省瞪羚企业 第8条：可信度“V3”无效",
        "河南省瞪羚企业 第9条：未知字段“unit”",
        "河南省瞪羚企业 第10条第1项：未知指标“rd_ratio”",
        "河南省瞪羚企业 第11条：缺少门槛值 value",
        "河南省瞪羚企业 第12条：any_of 应为非空列表",
    ]
    for message in expected:
        assert any(error.startswith(message) for error in errors), (message, errors)
    assert len(errors) == len(expected)
    assert "规则配置有误" in str(info.value)


def test_validation_of_rule_set_fields() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (rule_set_dict(code="Henan_Gazelle"), "规则集编码“Henan_Gazelle”无效"),
        (rule_set_dict(effective_from="2024-13-01"), "生效日期 effective_from 应为日期"),
        (rule_set_dict(effective_to="2023-12-31"), "失效日期 2023-12-31 早于生效日期 2024-01-01"),
        (rule_set_dict(status="draft"), "状态“draft”无效"),
        (rule_set_dict(qualification_kind="dragon"), "资格类型“dragon”无效"),
        (rule_set_dict(criteria=[]), "criteria 应为非空列表"),
        (rule_set_dict(source=""), "来源 source 不能为空"),
        (rule_set_dict(status="verified"), "第2条：状态为 verified，但该门槛未设定"),
        (rule_set_dict(name=""), "名称 name 不能为空"),
    ]
    for data, message in cases:
        with pytest.raises(RuleError) as info:
            load_rule_set(data)
        assert any(message in error for error in info.value.errors), (message, info.value.errors)


def test_load_rules_duplicate_codes_and_policy_errors() -> None:
    policy = policy_dict()
    policy["tiers"][1]["code"] = "mature"
    policy["tiers"][2]["criteria"] = []
    data = {"rule_sets": [rule_set_dict(), rule_set_dict(name="瞪羚副本")], "reserve_tiers": policy}
    with pytest.raises(RuleError) as info:
        load_rules(data)
    errors = info.value.errors
    assert any("瞪羚副本：规则集编码“henan-gazelle”与“河南省瞪羚企业”重复" in e for e in errors)
    assert any("后备库分级 成长型：分级编码“mature”重复" in e for e in errors)
    assert any("后备库分级 种子型：criteria 应为非空列表" in e for e in errors)
    assert len(errors) == 3
    with pytest.raises(RuleError, match="缺少 reserve_tiers"):
        load_rules({"rule_sets": [rule_set_dict()]})


def test_to_dict_round_trip() -> None:
    rule_set = load_rule_set(rule_set_dict())
    assert load_rule_set(rule_set.to_dict()) == rule_set
    policy = load_reserve_policy(policy_dict())
    assert load_reserve_policy(policy.to_dict()) == policy


# --------------------------------------------------------------------------- dates


def test_applies_on_edges() -> None:
    rule_set = load_rule_set(rule_set_dict())
    assert not rule_set.applies_on(date(2023, 12, 31))
    assert rule_set.applies_on(date(2024, 1, 1))
    assert rule_set.applies_on(date(2026, 12, 31))
    assert not rule_set.applies_on(date(2027, 1, 1))
    open_ended = load_rule_set(rule_set_dict(effective_to=None))
    assert open_ended.effective_to is None
    assert open_ended.applies_on(date(2099, 1, 1))


def test_evaluate_rule_sets_skips_inactive_and_out_of_date() -> None:
    current = load_rule_set(rule_set_dict())
    inactive = load_rule_set(rule_set_dict(code="eaglet", status="inactive"))
    old = load_rule_set(rule_set_dict(code="old", effective_to="2024-06-30"))
    metrics = {"is_hnte": arr(1, 0), "sales_growth_avg_2y": arr(50, 50)}
    results = evaluate_rule_sets([current, inactive, old], metrics, date(2024, 7, 1))
    assert list(results) == ["henan-gazelle"]
    assert results["henan-gazelle"].tolist() == [U, F]
    assert set(evaluate_rule_sets([current, old], metrics, date(2024, 6, 30))) == {
        "henan-gazelle",
        "old",
    }


# --------------------------------------------------------------------------- confirmation state


def test_needs_confirmation_and_unset_thresholds() -> None:
    rule_set = load_rule_set(rule_set_dict(status="historical"))
    assert rule_set.needs_confirmation  # null threshold
    assert rule_set.unset_thresholds() == ["第2条：近两年销售收入平均增长率 ≥ 待局方确认"]
    settled = load_rule_set(
        rule_set_dict(
            status="verified",
            criteria=[{"metric": "is_hnte", "op": "==", "value": 1, "confidence": "bureau"}],
        )
    )
    assert not settled.needs_confirmation
    assert settled.unset_thresholds() == []
    guessed = load_rule_set(
        rule_set_dict(
            status="historical",
            criteria=[{"metric": "age_years", "op": "<=", "value": 15, "confidence": "U"}],
        )
    )
    assert guessed.needs_confirmation
    assert guessed.unset_thresholds() == [
        "第1条：成立年限 ≤ 15 年（待局方确认），门槛未经核实，待局方确认"
    ]


# --------------------------------------------------------------------------- describe / explain


def test_describe() -> None:
    nodes = load_criteria(
        [
            {
                "metric": "sales_last",
                "op": ">=",
                "value": 1000,
                "source": "上年度销售收入（§3.1，[V1]）",
                "confidence": "V1",
            },
            {"metric": "sales_growth_avg_2y", "op": ">=", "value": None, "confidence": "U"},
            {"metric": "sales_last", "op": "between", "value": [1000, 10000], "confidence": "V1"},
            {"metric": "is_hnte", "op": "==", "value": 1, "source": "§3.1", "confidence": "V1"},
            {"metric": "hnte_eligible", "op": "==", "value": 2, "confidence": "bureau"},
            {
                "any_of": [
                    {"metric": "rd_ratio_sales_last", "op": ">=", "value": 5, "confidence": "V1"},
                    {"metric": "rd_ratio_cost_last", "op": ">=", "value": 25, "confidence": "V1"},
                ]
            },
            {"metric": "debt_ratio_last", "op": "<", "value": 62.5, "confidence": "VC"},
        ]
    )
    assert describe(nodes) == [
        "上年度销售收入 ≥ 1000 万元（依据 §3.1；已核对原文）",
        "近两年销售收入平均增长率 ≥ 待局方确认",
        "上年度销售收入 1000 万元（含）至 10000 万元（不含）（已核对原文）",
        "高新技术企业（有效期内）：是（依据 §3.1；已核对原文）",
        "高企认定条件测评结果 = 2（待专家评审）（局方设定）",
        "满足其一：上年度研发费用占销售收入比例 ≥ 5%（已核对原文）；"
        "上年度研发费用占成本费用支出总额比例 ≥ 25%（已核对原文）",
        "上年末资产负债率 < 62.5%（待核对原文）",
    ]


def test_explain_one_row() -> None:
    nodes = load_criteria(
        [
            {
                "metric": "sales_last",
                "op": ">=",
                "value": 1000,
                "source": "§3.1",
                "confidence": "V1",
            },
            {
                "any_of": [
                    {"metric": "rd_ratio_sales_last", "op": ">=", "value": 5, "confidence": "V1"},
                    {
                        "metric": "net_profit_growth_avg_2y",
                        "op": ">=",
                        "value": 20,
                        "confidence": "V1",
                    },
                ],
                "note": "任一",
            },
            {"metric": "sales_last", "op": "between", "value": [1000, 10000], "confidence": "V1"},
        ]
    )
    metrics = {"sales_last": arr(500, 1000), "rd_ratio_sales_last": arr(9, 4.5)}
    lines = explain(nodes, metrics, 1)
    assert lines[0] == {
        "kind": "criterion",
        "metric": "sales_last",
        "label": "上年度销售收入",
        "unit": "万元",
        "value": 1000.0,
        "op": ">=",
        "threshold": 1000.0,
        "outcome": "pass",
        "source": "§3.1",
        "confidence": "V1",
        "note": "",
        "text": "上年度销售收入 ≥ 1000 万元（依据 §3.1；已核对原文）",
    }
    group = lines[1]
    assert group["kind"] == "any_of"
    assert group["label"] == "满足其一"
    assert group["outcome"] == "unknown"  # R&D 4.5 % fails, net profit not held
    assert group["note"] == "任一"
    assert [item["outcome"] for item in group["items"]] == ["fail", "unknown"]
    assert group["items"][0]["value"] == 4.5
    assert group["items"][1]["value"] is None
    assert lines[2]["threshold"] == [1000.0, 10000.0]
    assert lines[2]["outcome"] == "pass"
    assert explain(nodes, metrics, 0)[0]["outcome"] == "fail"
    with pytest.raises(IndexError):
        explain(nodes, metrics, 2)


# --------------------------------------------------------------------------- metrics


def years_of(rows: list[dict[str, tuple[float, float, float]]]) -> dict[str, np.ndarray]:
    """Year columns (L-2, L-1, L) per row; keys not given in a row are NaN."""
    return {
        key: np.array([row.get(key, (NAN, NAN, NAN)) for row in rows], dtype=np.float64)
        for key in YEAR_INPUTS
    }


def test_metrics_growth_and_ratios_exact_at_edges() -> None:
    years = years_of(
        [
            {
                "sales_revenue": (100, 120, 144),
                "total_revenue": (100, 200, 250),
                "rd_expense": (0, 7, 7.2),
                "cost_expense_total": (0, 0, 28.8),
                "net_assets_end": (0, 0, 20),
                "total_assets_end": (0, 0, 100),
                "employees_avg": (0, 0, 30),
                "st_staff_avg": (0, 0, 3),
            },
            {"sales_revenue": (781.25, 625, 1000), "rd_expense": (NAN, 20, 50)},
        ]
    )
    m = compute_metrics(years, {})
    assert m["sales_growth_avg_2y"].tolist() == [20.0, 20.0]  # exactly, no 19.999999…
    assert m["sales_last"].tolist() == [144.0, 1000.0]
    assert m["rd_ratio_sales_last"].tolist() == [5.0, 5.0]
    assert m["rd_ratio_cost_last"][0] == 25.0
    assert m["rd_ratio_revenue_last"][0] == 2.88
    assert m["rd_min_2y"][0] == 7.0
    assert m["rd_ratio_revenue_min_2y"][0] == 2.88  # min(7.2/250, 7/200 = 3.5 %)
    assert m["rd_ratio_sales_min_2y"].tolist() == [5.0, 3.2]  # min(5 %, 20/625 = 3.2 %)
    assert m["debt_ratio_last"][0] == 80.0
    assert m["st_staff_ratio_last"][0] == 10.0
    assert m["rd_prev"].tolist() == [7.0, 20.0]
    assert np.isnan(m["rd_ratio_cost_last"][1])  # cost not given
    assert np.isnan(m["debt_ratio_last"][1])


def test_metrics_zero_negative_or_missing_bases_are_nan() -> None:
    years = years_of(
        [
            {"sales_revenue": (0, 100, 120), "rd_expense": (1, 1, 0)},  # zero base L-2
            {"sales_revenue": (100, -5, 120), "rd_expense": (1, NAN, 3)},  # negative base L-1
            {"sales_revenue": (NAN, 100, 120), "rd_expense": (1, 1, NAN)},  # missing L-2
            {
                "sales_revenue": (100, 100, 0),
                "total_revenue": (0, 0, 0),
                "cost_expense_total": (0, 0, -1),
                "total_assets_end": (0, 0, 0),
                "net_assets_end": (0, 0, 0),
                "employees_avg": (0, 0, 0),
                "st_staff_avg": (0, 0, 0),
                "rd_expense": (0, 0, 5),
            },
        ]
    )
    m = compute_metrics(years, {})
    assert np.isnan(m["sales_growth_avg_2y"][:3]).all()
    assert m["sales_growth_avg_2y"][3] == -50.0  # last year 0 is a valid value, bases are 100
    assert np.isnan(m["rd_ratio_sales_last"][3])
    assert np.isnan(m["rd_ratio_revenue_last"][3])
    assert np.isnan(m["rd_ratio_cost_last"][3])
    assert np.isnan(m["debt_ratio_last"][3])
    assert np.isnan(m["st_staff_ratio_last"][3])
    assert np.isnan(m["rd_min_2y"][1])  # L-1 missing
    assert np.isnan(m["rd_ratio_sales_min_2y"][3])
    assert m["rd_activity"][0] == 0.0
    assert m["rd_activity"][1] == 1.0
    assert np.isnan(m["rd_activity"][2])


def test_metrics_scalars_pass_through_and_ip_total() -> None:
    is_hnte = arr(1, 0, NAN)
    scalars = {
        "is_hnte": is_hnte,
        "class_i_ip": arr(1, 0, NAN),
        "class_ii_ip": arr(2, 0, 4),
        "net_profit_growth_avg_2y": arr(25, NAN, 0),
    }
    m = compute_metrics({}, scalars)
    assert m["is_hnte"] is is_hnte
    assert m["net_profit_growth_avg_2y"][0] == 25.0
    assert m["ip_total"][:2].tolist() == [3.0, 0.0]
    assert np.isnan(m["ip_total"][2])
    assert np.isnan(m["sales_last"]).all()  # no year columns given → all missing
    assert set(m) <= set(METRICS)
    assert set(DERIVED) <= set(m)


def test_metrics_input_errors() -> None:
    with pytest.raises(ValueError, match="未知的输入列"):
        compute_metrics({"sales": np.zeros((1, 3))}, {})
    with pytest.raises(ValueError, match="未知的输入列"):
        compute_metrics({}, {"sales_last": arr(1)})  # a derived name is not an input
    with pytest.raises(ValueError, match="形状"):
        compute_metrics({"sales_revenue": np.zeros((2, 2))}, {})
    with pytest.raises(ValueError, match="形状"):
        compute_metrics({"sales_revenue": np.zeros((2, 3))}, {"is_hnte": arr(1)})
    with pytest.raises(ValueError, match="至少需要一列"):
        compute_metrics({}, {})


def test_metrics_catalogue() -> None:
    assert set(METRICS) == set(SCALAR_INPUTS) | set(DERIVED) | set(EXTERNAL)
    for label, unit in METRICS.values():
        assert label and isinstance(unit, str)
    assert METRICS["sales_growth_avg_2y"] == ("近两年销售收入平均增长率", "%")


def test_vectorised_over_many_rows() -> None:
    n = 200_000
    rng = np.random.default_rng(7)
    sales = rng.uniform(0, 30000, size=(n, 3))
    sales[::97] = np.nan
    m = compute_metrics({"sales_revenue": sales}, {"is_hnte": rng.integers(0, 2, n).astype(float)})
    rule_sets, policy = load_rules(yaml.safe_load(RULES_PATH.read_text(encoding="utf-8")))
    results = evaluate_rule_sets(rule_sets, m, date(2026, 11, 1))
    assert all(result.shape == (n,) and result.dtype == np.int8 for result in results.values())
    assert assign_reserve_tiers(policy, m).shape == (n,)


# --------------------------------------------------------------------------- shipped rules


@pytest.fixture(scope="module")
def shipped() -> tuple[list[TierRuleSpec], ReservePolicySpec]:
    with RULES_PATH.open(encoding="utf-8") as handle:
        return load_rules(yaml.safe_load(handle))


def _by_code(rule_sets: list[TierRuleSpec]) -> dict[str, TierRuleSpec]:
    return {rule_set.code: rule_set for rule_set in rule_sets}


def _all_leaves(nodes: tuple[Any, ...]) -> list[Criterion]:
    out: list[Criterion] = []
    for node in nodes:
        out.extend([node] if isinstance(node, Criterion) else _all_leaves(node.items))
    return out


Shipped = tuple[list[TierRuleSpec], ReservePolicySpec]


def test_shipped_rules_load_and_are_honest(shipped: Shipped) -> None:
    rule_sets, policy = shipped
    by_code = _by_code(rule_sets)
    assert {rs.qualification_kind for rs in rule_sets} >= {
        "innovation_leader",
        "gazelle",
        "eaglet",
        "tech_giant",
        "srdi",
    }
    # nothing is shipped as verified: no gov.cn original was consulted
    assert all(rs.status != "verified" for rs in rule_sets)
    for rs in rule_sets:
        if rs.status == "needs_confirmation":
            assert rs.needs_confirmation
        unset = rs.unset_thresholds()
        for leaf in _all_leaves(rs.criteria):
            # every threshold with a value is sourced and tagged; U ones are reported
            if leaf.value is not None and leaf.confidence != "U":
                assert leaf.confidence in {"V2", "V1", "VC"}, (rs.code, leaf)
                assert "§" in leaf.source, (rs.code, leaf)
            if leaf.unset:
                assert rs.needs_confirmation
                assert any(describe([leaf])[0] in line for line in unset), (rs.code, leaf)
        assert len(unset) == sum(leaf.unset for leaf in _all_leaves(rs.criteria))
    # the selection thresholds of 创新龙头 / 瞪羚 are not known: left to the bureau
    leader = by_code["henan-innovation-leader"]
    assert leader.status == "needs_confirmation"
    assert len(leader.unset_thresholds()) == 2
    assert all(leaf.value in (None, 1.0) for leaf in _all_leaves(leader.criteria))  # no 3亿 / 5 %
    gazelle = by_code["henan-gazelle"]
    assert gazelle.unset_thresholds() == ["第2条：近两年销售收入平均增长率 ≥ 待局方确认"]
    eaglet = by_code["nanyang-eaglet"]
    assert eaglet.status == "inactive" and eaglet.needs_confirmation
    assert by_code["srdi-2026"].effective_from == date(2026, 4, 1)
    assert by_code["srdi-2026"].needs_confirmation
    for code in ("henan-tech-giant-cultivation-2017", "henan-tech-giant-2017"):
        assert by_code[code].status == "historical"
        assert by_code[code].unset_thresholds() == []
    # the reserve pool policy is a proposal the bureau must confirm
    assert policy.version == "nanyang-2026-draft"
    assert policy.needs_confirmation
    assert policy.tier_codes == ["mature", "growing", "startup", "seed"]
    assert [tier.label for tier in policy.tiers] == ["成熟型", "成长型", "初创型", "种子型"]
    assert all(tier.description for tier in policy.tiers)
    # inactive 雏鹰 is never evaluated
    metrics = {"is_hnte": arr(1)}
    assert "nanyang-eaglet" not in evaluate_rule_sets(rule_sets, metrics, date(2024, 1, 1))


def test_shipped_tech_giant_2017(shipped: tuple[list[TierRuleSpec], ReservePolicySpec]) -> None:
    by_code = _by_code(shipped[0])
    cultivation = by_code["henan-tech-giant-cultivation-2017"]
    giant = by_code["henan-tech-giant-2017"]
    # sales L-2, L-1, L: 781.25 → 625 (−20 %) → 1000 (+60 %): average growth exactly 20 %
    edge = (781.25, 625.0, 1000.0)
    rows: list[dict[str, tuple[float, float, float]]] = [
        # 0: sales 1000 exactly, growth 20 exactly, R&D 5 % of sales exactly → pass
        {"sales_revenue": edge, "rd_expense": (0, 0, 50), "cost_expense_total": (0, 0, 900)},
        # 1: R&D 4 % of sales but exactly 25 % of costs → pass
        {"sales_revenue": edge, "rd_expense": (0, 0, 40), "cost_expense_total": (0, 0, 160)},
        # 2: R&D 4.999 % of sales and < 25 % of costs → fail
        {"sales_revenue": edge, "rd_expense": (0, 0, 49.99), "cost_expense_total": (0, 0, 900)},
        # 3: sales 999.99 → fail
        {
            "sales_revenue": (781.25, 625, 999.99),
            "rd_expense": (0, 0, 60),
            "cost_expense_total": (0, 0, 900),
        },
        # 4: sales growth 19.99… %: net profit not held → unknown (net profit could pass)
        {
            "sales_revenue": (781.3, 625, 1000),  # −20.003 % then +60 %
            "rd_expense": (0, 0, 50),
            "cost_expense_total": (0, 0, 900),
        },
        # 5: sales 1 亿 exactly → 小巨人 band, not 培育
        {
            "sales_revenue": (7812.5, 6250, 10000),
            "rd_expense": (0, 0, 500),
            "cost_expense_total": (0, 0, 9000),
        },
        # 6: sales 2 亿 exactly → upper end excluded (not stated in the text; half-open)
        {
            "sales_revenue": (15625, 12500, 20000),
            "rd_expense": (0, 0, 1000),
            "cost_expense_total": (0, 0, 9000),
        },
    ]
    scalars = {
        "class_i_ip": arr(0, 0, 0, 0, 0, 1, 1),
        "class_ii_ip": arr(1, 1, 1, 1, 1, 0, 0),
    }
    m = compute_metrics(years_of(rows), scalars)
    assert m["sales_growth_avg_2y"][:3].tolist() == [20.0, 20.0, 20.0]
    assert 19.99 < m["sales_growth_avg_2y"][4] < 20
    assert evaluate(cultivation.criteria, m).tolist() == [T, T, F, F, U, F, F]
    # 小巨人 needs a 市级以上研发平台, not held → unknown until supplied
    assert evaluate(giant.criteria, m).tolist() == [F, F, F, F, F, U, F]
    held = dict(m, rd_platform_municipal=arr(1, 1, 1, 1, 1, 1, 1))
    assert evaluate(giant.criteria, held).tolist() == [F, F, F, F, F, T, F]
    # with net profit growth supplied, row 4 is decided
    profit = dict(m, net_profit_growth_avg_2y=arr(0, 0, 0, 0, 20, 0, 0))
    assert evaluate(cultivation.criteria, profit)[4] == T
    profit["net_profit_growth_avg_2y"] = arr(0, 0, 0, 0, 19.9, 0, 0)
    assert evaluate(cultivation.criteria, profit)[4] == F
    # 小巨人 IP: ≥1 Ⅰ类 or ≥3 Ⅱ类
    ip_rows = dict(held, class_i_ip=arr(0, 0, 0, 0, 0, 0, 0), class_ii_ip=arr(3, 3, 3, 3, 3, 3, 3))
    assert evaluate(giant.criteria, ip_rows)[5] == T
    ip_rows["class_ii_ip"] = arr(2, 2, 2, 2, 2, 2, 2)
    assert evaluate(giant.criteria, ip_rows)[5] == F


def test_shipped_srdi_2026(shipped: tuple[list[TierRuleSpec], ReservePolicySpec]) -> None:
    srdi = _by_code(shipped[0])["srdi-2026"]
    rows = [
        {
            "sales_revenue": (1000, 1500, 1500),
            "rd_expense": (0, 100, 100),
            "total_assets_end": (0, 0, 100),
            "net_assets_end": (0, 0, 20),
        },
        {
            "sales_revenue": (1000, 1500, 1500),
            "rd_expense": (0, 100, 100),
            "total_assets_end": (0, 0, 100),
            "net_assets_end": (0, 0, 19.99),  # debt ratio 80.01 % → fail
        },
    ]
    scalars = {"is_tsme": arr(1, 1), "age_years": arr(3, 3), "class_i_ip": arr(1, 1)}
    m = compute_metrics(years_of(rows), scalars)
    # main-business share and the MIIT quality score are not held → unknown, never pass
    assert evaluate(srdi.criteria, m).tolist() == [U, F]
    held = dict(m, main_business_share_last=arr(80, 80), srdi_quality_score=arr(50, 50))
    assert evaluate(srdi.criteria, held).tolist() == [T, F]
    young = dict(held, age_years=arr(2.9, 3))
    assert evaluate(srdi.criteria, young).tolist() == [F, F]


def test_shipped_reserve_tiers(shipped: tuple[list[TierRuleSpec], ReservePolicySpec]) -> None:
    policy = shipped[1]
    scalars = {
        "is_hnte": arr(1, 0, 0, 0, 0, 0, 0),
        "hnte_failed_conditions": arr(0, 0, 2, 2, 5, 5, 5),
        "is_tsme": arr(1, 0, 1, 0, 0, 0, 0),
        "tsme_eligible": arr(1, 0, 2, 1, 1, 0, 0),
        "class_i_ip": arr(0, 0, 0, 0, 0, 1, 0),
        "class_ii_ip": arr(0, 0, 0, 0, 0, 0, 0),
    }
    rd = np.zeros((7, 3))
    rd[:, 2] = [5, 0, 0, 0, 0, 0, 0]
    m = compute_metrics({"rd_expense": rd}, scalars)
    codes = policy.tier_codes
    tiers = assign_reserve_tiers(policy, m).tolist()
    assert [codes[i] if i >= 0 else None for i in tiers] == [
        None,  # already 高企
        "mature",
        "growing",  # is_tsme
        "growing",  # tsme_eligible == 1
        "startup",
        "seed",  # Ⅰ类 IP
        None,
    ]


def test_shipped_rules_round_trip(shipped: tuple[list[TierRuleSpec], ReservePolicySpec]) -> None:
    rule_sets, policy = shipped
    data = {"rule_sets": [rs.to_dict() for rs in rule_sets], "reserve_tiers": policy.to_dict()}
    again = load_rules(copy.deepcopy(data))
    assert again == (rule_sets, policy)
