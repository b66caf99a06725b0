"""The negative list on hand-made spending reports: exactly the items that should be flagged,
each with its rule (computed by hand in the comments)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from kechuang.projects.engine.negative_list import Item, RuleFileError, check, parse_rules

RULE_FILE = Path(__file__).resolve().parents[4] / "data" / "projects" / "negative-list.yaml"


@pytest.fixture
def rules() -> list:
    return parse_rules(yaml.safe_load(RULE_FILE.read_text(encoding="utf-8")))


def item(i: str, category: str, description: str, amount: str) -> Item:
    return Item(i, category, description, Decimal(amount))


def test_the_rule_file_names_a_source_for_every_rule(rules: list) -> None:
    assert [r.code for r in rules] == [
        "vehicle",
        "real_estate",
        "fines",
        "entertainment",
        "own_salary",
    ]
    assert all(r.source for r in rules)
    assert rules[-1].max_share == Decimal(30)


def test_a_hand_made_report_flags_exactly_the_bad_items(rules: list) -> None:
    report = [
        item("1", "设备费", "购置金刚石涂层设备", "40"),
        item("2", "业务费", "购置试验用轿车一辆", "18"),  # vehicle
        item("3", "业务费", "合同违约金", "2"),  # fines
        item("4", "业务费", "项目评审会宴请", "1.5"),  # entertainment
        item("5", "人员费", "项目组成员工资", "20"),  # salary running total 20 ≤ 30
        item("6", "人员费", "项目组成员绩效奖金", "10"),  # 30 ≤ 30: at the limit, not over
        item("7", "劳务费", "研究生劳务", "5"),  # no salary keyword: not counted
        item("8", "人员费", "项目组成员工资", "0.01"),  # 30.01 > 30: over
    ]
    hits = check(report, rules, Decimal(100))  # limit 30 % of 100 万元 = 30 万元
    assert [(h.item, h.rule) for h in hits] == [
        ("2", "vehicle"),
        ("3", "fines"),
        ("4", "entertainment"),
        ("8", "own_salary"),
    ]
    assert hits[0].why == "含“轿车”"
    assert hits[-1].why == "累计 30.01 万元，超过项目经费 100 万元的 30%（30 万元）"
    assert "国办发〔2021〕32 号" in hits[0].source


def test_full_width_and_case_are_folded(rules: list) -> None:
    hits = check([item("a", "业务费", "团队ＫＴＶ活动", "1")], rules, Decimal(100))
    assert [(h.item, h.rule) for h in hits] == [("a", "entertainment")]


def test_a_clean_report_has_no_hit(rules: list) -> None:
    report = [item("1", "材料费", "金刚石微粉", "3"), item("2", "测试化验加工费", "寿命测试", "2")]
    assert check(report, rules, Decimal(50)) == []


def test_a_malformed_rule_is_refused_in_chinese() -> None:
    with pytest.raises(RuleFileError, match="既无关键词也无限额"):
        parse_rules({"rules": [{"code": "x", "title": "t", "source": "s"}]})
    with pytest.raises(RuleFileError, match="0 到 100"):
        parse_rules({"rules": [{"code": "x", "title": "t", "source": "s", "max_share": "120"}]})
