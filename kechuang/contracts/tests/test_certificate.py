"""The certificate, read back from the Word file: 成交额 and 技术交易额, number and check code."""

from __future__ import annotations

import io

import pytest
from docx import Document

from kechuang.contracts.certificate import build_certificate

pytestmark = pytest.mark.django_db


def test_certificate_states_both_amounts_and_the_check_code(registered) -> None:
    contract = registered([{"kind": "equipment", "amount": "30", "description": "生产设备"}])
    document = Document(io.BytesIO(build_certificate(contract, "http://x/contracts/verify/")))
    rows = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert rows["合同成交额"] == "100 万元"
    assert rows["技术交易额"] == "70 万元"
    assert rows["登记编号"] == contract.registration_no
    assert rows["校验码"] == contract.check_code
    assert rows["买方所在地"] == "宛城区"
    items = document.tables[1]
    assert [c.text for c in items.rows[1].cells] == ["购置设备（扣除）", "生产设备", "1", "30 万元"]
    assert document.paragraphs[0].text == "技术合同登记证明"
