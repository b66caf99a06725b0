"""Categories of 国科发政字〔2001〕253号 第四条; 技术许可 apart since the 民法典
(official-rules.md §5.1)."""

from __future__ import annotations

import pytest

from kechuang.contracts.engine import (
    CATEGORIES,
    SUBCATEGORIES,
    ContractRuleError,
    check_category,
    statistical_category,
)


def test_the_five_categories_and_their_subcategories() -> None:
    assert list(CATEGORIES.values()) == ["技术开发", "技术转让", "技术许可", "技术咨询", "技术服务"]
    assert set(SUBCATEGORIES["development"].values()) == {"委托开发", "合作开发"}
    transfer = set(SUBCATEGORIES["transfer"].values())
    assert {"专利权转让", "专利申请权转让", "技术秘密转让", "集成电路布图设计权转让"} <= transfer
    assert {"植物新品种权转让", "计算机软件著作权转让"} <= transfer
    assert set(SUBCATEGORIES["service"].values()) == {"技术服务", "技术培训", "技术中介"}


def test_labels_and_codes_are_both_accepted() -> None:
    assert check_category("技术开发", "委托开发") == ("development", "commissioned")
    assert check_category("transfer", "patent") == ("transfer", "patent")
    assert check_category("技术咨询", "") == ("consulting", "consulting")


def test_unknown_category_names_the_field_and_the_choices() -> None:
    with pytest.raises(ContractRuleError) as info:
        check_category("技术买卖", "")
    assert info.value.errors["category"][0].startswith("未知的合同类别“技术买卖”")
    assert "技术许可" in info.value.errors["category"][0]


def test_subcategory_of_another_category_is_refused() -> None:
    with pytest.raises(ContractRuleError) as info:
        check_category("技术开发", "专利权转让")
    assert "技术开发合同的细分类别" in info.value.errors["subcategory"][0]


def test_training_and_intermediary_are_counted_apart_from_service() -> None:
    assert statistical_category("service", "training") == "training"
    assert statistical_category("service", "intermediary") == "intermediary"
    assert statistical_category("service", "service") == "service"
    assert statistical_category("licensing", "patent_licence") == "licensing"
