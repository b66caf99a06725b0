"""Assessment output: JSON form, Chinese text report, and the ruleset registry."""

from __future__ import annotations

import json

import pytest

from kechuang.cultivation.engine import RULESETS, assess, load_case

from .factory import hnte, hnte_data, set_year, tsme, tsme_data


def _failing() -> dict[str, object]:
    data = hnte_data(registered_on="2015-06-01")
    for i, rd in enumerate((100, 150, 201.8)):
        set_year(data, i, rd_expense=rd, rd_expense_domestic=rd)
    return data


def test_to_dict_is_json_serialisable_with_plain_numbers() -> None:
    data = hnte(_failing()).to_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["eligible"] == "fail"
    assert data["as_of"] == "2024-05-01"
    assert data["total"] == {"min": 77, "max": 92}
    rd = next(c for c in data["conditions"] if c["code"] == "hnte.c5.rd_ratio")
    assert (rd["value"], rd["threshold"], rd["passed"], rd["unit"]) == (4.61, 5, False, "%")
    gap = data["gaps"][0]
    assert (gap["code"], gap["amount"], gap["unit"]) == ("rd_expense", 38.2, "万元")


def test_to_dict_lists_every_condition_and_score_item() -> None:
    data = hnte(hnte_data()).to_dict()
    assert len(data["conditions"]) == 9
    codes = [s["code"] for s in data["scores"]]
    assert codes[:6] == [
        "hnte.ip",
        "hnte.ip.advancement",
        "hnte.ip.core_support",
        "hnte.ip.quantity",
        "hnte.ip.acquisition",
        "hnte.ip.standards_bonus",
    ]
    assert {"hnte.conversion", "hnte.rd_management", "hnte.growth.sales"} <= set(codes)
    assert data["total_points_by_policy"] == 77
    assert data["point_policy"] == "min"


def test_render_text_is_a_chinese_report() -> None:
    text = hnte(_failing()).render_text()
    assert text.startswith("高新技术企业认定（国科发火〔2016〕32号、国科发火〔2016〕195号）")
    assert "结论：不符合" in text
    assert "[未通过] （五）研发费用占销售收入比例：4.61%（要求 ≥ 5%）" in text
    assert "  - 研发费用三年合计需增加 38.2 万元（达到销售收入的 5%；按境内研发费用计）" in text
    assert "合计：77–92 分（按最低分口径 77 分）" in text
    assert "依据：国科发火〔2016〕32号 第十一条（五）" in text


def test_render_text_of_a_passing_tsme() -> None:
    text = tsme(tsme_data(class_i=1)).render_text()
    assert "结论：符合" in text
    assert "三、差距与建议\n  无" in text
    assert "[通过] （二）职工总数不超过 500 人：80 人（要求 ≤ 500 人）" in text


def test_render_text_shows_the_earliest_date() -> None:
    data = hnte_data(registered_on="2023-09-15")
    data["years"] = data["years"][2:]
    assert "最早可于 2024-09-15 申请" in hnte(data).render_text()


def test_registry_holds_both_rulesets() -> None:
    assert set(RULESETS) == {"hnte-2016", "tsme-2022"}
    assert RULESETS["hnte-2016"].VERSION == "2016.1"


def test_unknown_ruleset_raises_a_chinese_value_error() -> None:
    case = load_case(hnte_data())
    with pytest.raises(
        ValueError, match="未知的评价规则“srdi-2022”，可用的规则为：hnte-2016、tsme-2022"
    ):
        assess("srdi-2022", case)


def test_unknown_point_policy_is_rejected() -> None:
    with pytest.raises(ValueError, match="未知的取分口径“average”"):
        assess("hnte-2016", load_case(hnte_data()), "average")  # type: ignore[arg-type]


def test_assessment_lookup_helpers() -> None:
    result = hnte(_failing())
    assert result.condition("hnte.c5.rd_ratio").passed is False
    assert [g.code for g in result.gaps_for("hnte.c5.rd_ratio")] == ["rd_expense"]
    with pytest.raises(KeyError):
        result.score("nope")
