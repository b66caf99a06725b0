"""Score aggregation against hand-computed cases; criteria ranges; the 四唯 check."""

from __future__ import annotations

import math
from decimal import Decimal as D

import pytest

from kechuang.programs.engine.criteria import DEFAULT_CRITERIA, parse_criteria
from kechuang.programs.engine.errors import ProgramRuleError
from kechuang.programs.engine.scores import (
    Score,
    aggregate,
    aggregate_json,
    load_scores,
    reviewer_z,
    trimmed_mean,
    weighted_total,
)


def test_trimmed_mean_band_edge_at_five_scores() -> None:
    assert trimmed_mean([60, 70, 80, 90]) == 75  # 4 scores: nothing dropped
    assert trimmed_mean([50, 70, 80, 90, 100]) == 80  # 5: drop 50 and 100 → (70+80+90)/3
    assert trimmed_mean([10, 10, 80, 90, 90, 90]) == pytest.approx((10 + 80 + 90 + 90) / 4)


def test_hand_computed_z_scores() -> None:
    # Reviewer R gives 60, 70, 80: mean 70, population sd = sqrt(200/3) = 8.16497
    scores = [Score("A", "R", 60), Score("B", "R", 70), Score("C", "R", 80)]
    z = reviewer_z(scores)
    sd = math.sqrt(200 / 3)
    assert z[("A", "R")] == pytest.approx(-10 / sd)
    assert z[("A", "R")] == pytest.approx(-1.224745, abs=1e-6)
    assert z[("B", "R")] == 0
    assert z[("C", "R")] == pytest.approx(1.224745, abs=1e-6)


def test_constant_reviewer_contributes_zero() -> None:
    scores = [
        Score("A", "flat", 85),
        Score("B", "flat", 85),
        Score("A", "x", 90),
        Score("B", "x", 70),
    ]
    rows = {r.application: r for r in aggregate(scores)}
    assert rows["A"].z_mean == pytest.approx((0 + 1) / 2)
    assert rows["B"].z_mean == pytest.approx((0 - 1) / 2)


def test_one_harsh_reviewer_no_longer_decides_the_ranking() -> None:
    # Three applications, four reviewers. The three fair reviewers rank A first on their own
    # scale; the harsh reviewer H reviews A only among the top two and scores everything low.
    scores = [
        Score("A", "r1", 88),
        Score("B", "r1", 86),
        Score("C", "r1", 70),
        Score("A", "r2", 90),
        Score("B", "r2", 87),
        Score("C", "r2", 75),
        Score("A", "H", 50),
        Score("C", "H", 40),
        Score("D", "H", 45),
        Score("B", "r3", 89),
        Score("D", "r3", 80),
        Score("C", "r3", 78),
    ]
    by_raw = [r.application for r in aggregate(scores, "raw_mean")]
    by_z = [r.application for r in aggregate(scores, "z_mean")]
    assert by_raw[0] == "B"  # A's raw mean 76 is dragged down by H; B's is 87.33
    assert by_z[0] == "A"  # on each reviewer's own scale A is best for all three of its reviewers
    a = next(r for r in aggregate(scores) if r.application == "A")
    assert a.raw_mean == pytest.approx(76)
    assert a.count == 3 and a.rank == 1


def test_json_round_trip_and_ranks() -> None:
    data = {
        "scores": [
            {"application": "1", "reviewer": "a", "score": 80},
            {"application": "2", "reviewer": "a", "score": 60},
        ]
    }
    out = aggregate_json(data)
    assert out["applications"]["1"] == {
        "count": 1,
        "raw_mean": 80.0,
        "trimmed_mean": 80.0,
        "z_mean": 1.0,
        "rank": 1,
    }
    assert out["applications"]["2"]["rank"] == 2


def test_bad_score_rows_are_named() -> None:
    with pytest.raises(ProgramRuleError) as caught:
        load_scores(
            {
                "scores": [
                    {"application": "1", "reviewer": "a", "score": "high"},
                    {"application": "1", "reviewer": "a", "score": 3},
                    {"application": "1", "reviewer": "a", "score": 4},
                    {"reviewer": "b", "score": 1},
                ]
            }
        )
    messages = caught.value.errors["scores"]
    assert messages == [
        "第 1 条评分的 score“high”不是数字。",
        "第 3 条评分重复：专家 a 已为申报 1 评过分。",
        "第 4 条评分缺少 application 或 reviewer。",
    ]


def test_weighted_total_and_ranges() -> None:
    criteria = parse_criteria(DEFAULT_CRITERIA)
    marks = {"problem": 15, "route": 25.5, "targets": 18, "team": 12, "budget": 8, "impact": 0}
    assert weighted_total(criteria, marks) == D("78.5")
    with pytest.raises(ProgramRuleError) as caught:
        weighted_total(criteria, {**marks, "route": 30.5, "impact": -1})
    assert caught.value.errors["route"] == [
        "评审指标“技术路线的创新性与可行性”的得分 30.5 超出范围：应在 0 到 30 分之间。"
    ]
    assert "impact" in caught.value.errors
    assert weighted_total(criteria, {**marks, "route": 30}) == D("83")
    with pytest.raises(ProgramRuleError, match="请为评审指标“经费预算的合理性”打分"):
        weighted_total(criteria, {k: v for k, v in marks.items() if k != "budget"})


def test_four_only_criteria_are_refused() -> None:
    bad = [
        *DEFAULT_CRITERIA[:-1],
        {"code": "papers", "name": "近五年发表SCI论文数量", "max_points": 10},
    ]
    with pytest.raises(ProgramRuleError, match="唯论文"):
        parse_criteria(bad)
    hats = [*DEFAULT_CRITERIA[:-1], {"code": "hat", "name": "负责人人才称号", "max_points": 10}]
    with pytest.raises(ProgramRuleError, match="唯帽子"):
        parse_criteria(hats)


def test_criteria_must_total_100() -> None:
    with pytest.raises(ProgramRuleError, match="合计为 90 分，应为 100 分"):
        parse_criteria(DEFAULT_CRITERIA[:-1])
