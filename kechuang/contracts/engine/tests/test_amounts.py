"""技术交易额 = 成交额 − non-technical costs; carriers not deducted (国科发政字〔2001〕253号
第五十一、五十二条; official-rules.md §5.3, derived cases TC-1 and TC-2)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from kechuang.contracts.engine import ContractRuleError, Deduction, DeductionKind, technology_amount
from kechuang.contracts.engine.amounts import check_declared


def test_tc1_purchased_production_equipment_is_deducted() -> None:
    result = technology_amount(D(100), [Deduction(DeductionKind.EQUIPMENT, D(30), "生产设备")])
    assert (result.total, result.deducted, result.technology) == (D(100), D(30), D(70))


def test_tc2_two_prototypes_are_carriers_not_deducted() -> None:
    item = Deduction(DeductionKind.CARRIER_PROTOTYPE, D(30), "样机", quantity=2)
    result = technology_amount(D(100), [item])
    assert result.technology == D(100)
    assert result.carriers == D(30)
    assert result.notes == []


def test_three_prototype_sets_exceed_the_reasonable_quantity_with_a_note() -> None:
    item = Deduction(DeductionKind.CARRIER_PROTOTYPE, D(45), "试验装置", quantity=3)
    result = technology_amount(D(100), [item])
    assert result.technology == D(100)
    assert "超过合理数量" in result.notes[0]


def test_every_non_technical_kind_is_deducted_and_summed() -> None:
    items = [
        Deduction(DeductionKind.EQUIPMENT, D("10.5")),
        Deduction(DeductionKind.INSTRUMENTS, D("2")),
        Deduction(DeductionKind.PARTS, D("3.25")),
        Deduction(DeductionKind.RAW_MATERIALS, D("4")),
        Deduction(DeductionKind.OTHER_NON_TECHNICAL, D("0.25")),
        Deduction(DeductionKind.CARRIER_DOCUMENTS, D("1")),
        Deduction(DeductionKind.CARRIER_MEDIA, D("1")),
    ]
    result = technology_amount(D(50), items)
    assert result.deducted == D(20)
    assert result.carriers == D(2)
    assert result.technology == D(30)


def test_deductions_equal_to_the_total_give_zero_never_negative() -> None:
    assert technology_amount(D(100), [Deduction("equipment", D(100))]).technology == D(0)


def test_deductions_above_the_total_are_refused() -> None:
    with pytest.raises(ContractRuleError) as info:
        technology_amount(D(100), [Deduction("equipment", D("100.01"))])
    assert "超过了合同成交额 100 万元" in info.value.errors["deductions"][0]


def test_negative_total_and_negative_item_are_refused_naming_the_field() -> None:
    with pytest.raises(ContractRuleError) as info:
        technology_amount(D(-1))
    assert "total_amount" in info.value.errors
    with pytest.raises(ContractRuleError) as info:
        technology_amount(D(10), [Deduction("parts", D(-1))])
    assert "第 1 项费用的金额不能为负数" in info.value.errors["deductions.0.amount"][0]


def test_unknown_item_kind_is_refused() -> None:
    with pytest.raises(ContractRuleError) as info:
        technology_amount(D(10), [Deduction("lunch", D(1))])
    assert "类别“lunch”无效" in info.value.errors["deductions.0.kind"][0]


def test_declared_technology_amount_band_edges() -> None:
    check_declared(D(100), D(100))  # equal: allowed
    check_declared(D(100), D(0))
    with pytest.raises(ContractRuleError) as info:
        check_declared(D(100), D("100.0001"))
    assert "超过了合同成交额" in info.value.errors["tech_amount"][0]
    with pytest.raises(ContractRuleError) as info:
        check_declared(D(100), D("-0.01"))
    assert "不能为负数" in info.value.errors["tech_amount"][0]
