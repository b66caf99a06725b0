"""Bad policy documents: every fault named by its field, in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from kechuang.policies.engine import PolicyRuleError, load_policy, parse_policy, read_document
from kechuang.policies.engine.loader import load_file
from kechuang.policies.engine.vocabulary import BASE_FACTS, FIGURES, QUALIFICATIONS

DATA = Path(__file__).resolve().parents[4] / "data" / "policies"


def errors_of(document: object) -> dict[str, list[str]]:
    with pytest.raises(PolicyRuleError) as caught:
        parse_policy(document)
    return caught.value.errors


def base(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "code": "x",
        "name": "示例",
        "conditions": [{"fact": "holds", "kind": "HNTE"}],
        "amount": {"kind": "fixed", "value": 1000},
    }
    document.update(changes)
    return document


def test_cap_below_floor() -> None:
    errors = errors_of(
        base(
            amount={
                "kind": "rate",
                "rate": 0.1,
                "base": {"fact": "contract_amount"},
                "floor": 5000,
                "cap": 4999,
            }
        )
    )
    assert errors == {
        "amount.cap": ["封顶金额 4999 元低于保底金额 5000 元：请调高封顶或调低保底。"]
    }


def test_negative_budget() -> None:
    errors = errors_of(base(budget={"total": -1}))
    assert list(errors) == ["budget.total"]
    assert "不能为负数" in errors["budget.total"][0]


def test_unknown_field_and_fact_and_key() -> None:
    errors = errors_of(
        base(
            conditions=[
                {"fact": "figure", "field": "rd_spend", "op": ">=", "value": 1},
                {"fact": "wealth"},
                {"fact": "holds", "kind": "HNTE", "valeu": 1},
            ]
        )
    )
    assert set(errors) == {"conditions[0].field", "conditions[1].fact", "conditions[2].valeu"}
    assert errors["conditions[0].field"][0].startswith("未知的年度数据字段“rd_spend”")


def test_ratio_is_not_an_amount_base_and_rate_is_bounded() -> None:
    errors = errors_of(
        base(
            amount={
                "kind": "rate",
                "rate": 1.5,
                "base": {"fact": "growth_rate", "field": "rd_expense"},
            }
        )
    )
    assert set(errors) == {"amount.base.fact", "amount.rate"}


def test_overlapping_tiers_and_operator() -> None:
    errors = errors_of(
        base(
            conditions=[{"fact": "contract_amount", "op": "≥", "value": 1}],
            amount={
                "kind": "tiers",
                "base": {"fact": "contract_amount"},
                "tiers": [{"min": 0, "max": 100, "amount": 1}, {"min": 50, "amount": 2}],
            },
        )
    )
    assert set(errors) == {"conditions[0].op", "amount.tiers[1].min"}


def test_not_a_document_and_bad_yaml() -> None:
    assert errors_of([1]) == {"document": ["政策文件应为一个对象（YAML 映射或 JSON 对象）。"]}
    with pytest.raises(PolicyRuleError) as caught:
        read_document("code: x\n  name: [")
    assert "第 2 行" in caught.value.errors["document"][0]


def test_json_is_read_too() -> None:
    policy = load_policy(
        '{"code": "j", "name": "J", "conditions": [{"fact": "holds", "kind": "TSME"}],'
        ' "amount": {"kind": "fixed", "value": 1}}'
    )
    assert policy.conditions[0].kind == "TSME"


def test_example_files_parse_and_say_they_are_examples() -> None:
    files = sorted(DATA.glob("*.yaml"))
    assert len(files) == 5
    for path in files:
        document, policy = load_file(path)
        assert "示例" in policy.name and policy.label == "示例政策（待局方按正式文件配置）"
        assert document["code"].startswith("example-")


def test_vocabulary_follows_the_registry_names() -> None:
    # the engine's words stay those of registry.models (checked without importing Django)
    source = (
        Path(__file__).resolve().parents[3] / "registry" / "models" / "figures.py"
    ).read_text()
    for name in FIGURES:
        assert f"    {name} = " in source, name
    quals = (
        Path(__file__).resolve().parents[3] / "registry" / "models" / "qualifications.py"
    ).read_text()
    for code in QUALIFICATIONS:
        assert f'"{code}"' in quals, code
    assert "growth_rate" not in BASE_FACTS


def test_needs_name_only_what_the_policy_reads() -> None:
    from kechuang.policies.engine.rules import Needs, needs_of

    _, rd = load_file(DATA / "rd-increase-subsidy.yaml")
    assert needs_of(rd) == Needs(figures=frozenset({"rd_expense"}))
    _, platform = load_file(DATA / "platform-award.yaml")
    _, hnte = load_file(DATA / "hnte-first-award.yaml")
    assert needs_of(platform) | needs_of(hnte) == Needs(
        qualifications=frozenset({"HNTE"}), platforms=True
    )
