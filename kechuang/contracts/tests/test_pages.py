"""The pages: application form (file checked by content, errors in Chinese, nothing saved),
the registrar's actions, the workbench's overdue items, the export, the certificate download,
the public check, the statistics page and its export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from kechuang.contracts import services
from kechuang.contracts.models import TechContract
from kechuang.contracts.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def form(orgs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "title": "页面申请的合同（测试）",
        "category": "development",
        "subcategory": "cooperative",
        "buyer_uscc": orgs["wancheng"].uscc,
        "signed_on": "2025-02-01",
        "total_amount": "88",
        "declared_tech_amount": "",
        **extra,
    }


def test_apply_on_the_page_then_act_as_registrar(client_for, orgs) -> None:
    upload = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    response = client_for("enterprise").post(
        "/contracts/apply/", {**form(orgs), "contract_file": upload}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    contract = TechContract.objects.get()
    assert (contract.subcategory, contract.total_amount) == ("cooperative", 88)
    staff = client_for("city_staff")
    url = f"/contracts/{contract.pk}/act/"
    assert staff.post(url, {"action": "accept"}).status_code == 302
    assessed = staff.post(
        url,
        {"action": "assess", "d_kind_0": "parts", "d_amount_0": "8", "d_desc_0": "零部件"},
    )
    assert assessed.status_code == 302
    assert staff.post(url, {"action": "register", "on": "2025-03-01"}).status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.tech_amount) == ("registered", 80)
    page = staff.get(f"/contracts/{contract.pk}/").content.decode()
    assert "核定技术交易额" in page and "登记编号" in page
    docx = staff.get(f"/contracts/{contract.pk}/certificate.docx")
    rows = {
        r.cells[0].text: r.cells[1].text for r in Document(io.BytesIO(docx.content)).tables[0].rows
    }
    assert rows["合同成交额"] == "88 万元" and rows["技术交易额"] == "80 万元"


def test_bad_page_input_is_shown_in_chinese_and_saves_nothing(client_for, orgs) -> None:
    fake = SimpleUploadedFile("合同.pdf", b"GIF89a not a contract", content_type="application/pdf")
    response = client_for("enterprise").post(
        "/contracts/apply/", {**form(orgs, declared_tech_amount="100"), "contract_file": fake}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "按内容检查" in text or "超过了合同成交额" in text
    assert TechContract.objects.count() == 0
    upload = SimpleUploadedFile("合同.pdf", PDF)
    response = client_for("enterprise").post(
        "/contracts/apply/", {**form(orgs, declared_tech_amount="100"), "contract_file": upload}
    )
    assert response.status_code == 422 and "超过了合同成交额" in response.content.decode()
    assert TechContract.objects.count() == 0


def test_refused_action_on_the_page_changes_nothing(client_for, registered) -> None:
    contract = registered()
    response = client_for("city_staff").post(
        f"/contracts/{contract.pk}/act/", {"action": "change", "total_amount": "-3"}
    )
    assert response.status_code == 422
    contract.refresh_from_db()
    assert (contract.status, contract.total_amount) == ("registered", 100)


def test_workbench_lists_overdue_items(client_for, users, application, monkeypatch) -> None:
    contract = services.apply(users["enterprise"], application, PDF)
    services.accept(users["city_staff"], contract, on=dt.date(2025, 3, 3))  # due 2025-03-24
    monkeypatch.setattr(services, "today", lambda: dt.date(2025, 3, 25))
    page = client_for("city_staff").get("/contracts/workbench/")
    assert [c.pk for c in page.context["items"]["overdue"]] == [contract.pk]
    monkeypatch.setattr(services, "today", lambda: dt.date(2025, 3, 24))
    page = client_for("city_staff").get("/contracts/workbench/")
    assert page.context["items"]["overdue"] == [] and len(page.context["items"]["due"]) == 1


def test_list_export_is_the_filtered_list(client_for, registered) -> None:
    registered()
    response = client_for("city_staff").get("/contracts/?year=2025&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "登记编号" and sheet.max_row == 2
    assert sheet.cell(2, 14).value == 100
    empty = client_for("city_staff").get("/contracts/?year=2024&format=xlsx")
    assert load_workbook(io.BytesIO(empty.content)).active.max_row == 1
    misread = client_for("city_staff").get("/contracts/?year=abc&format=xlsx")
    assert misread["Content-Type"].startswith("text/html")  # never exported widened


def test_public_check_page(client, registered) -> None:
    contract = registered()
    ok = client.get(
        f"/contracts/verify/?number={contract.registration_no}&code={contract.check_code.lower()}"
    )
    text = ok.content.decode()
    assert "登记证明真实有效" in text and contract.seller_name not in text
    bad = client.get(f"/contracts/verify/?number={contract.registration_no}&code=WRONG")
    assert "未查到" in bad.content.decode()


def test_statistics_page_and_export(client_for, registered) -> None:
    registered([{"kind": "equipment", "amount": "30"}])
    page = client_for("city_staff").get("/contracts/stats/?year=2025")
    assert page.status_code == 200
    assert page.context["chart"]["period_total"] == [100.0]
    assert "vendor/echarts/echarts.min.js" in page.content.decode()
    export = client_for("city_staff").get("/contracts/stats/?year=2025&format=xlsx")
    workbook = load_workbook(io.BytesIO(export.content))
    output = workbook["技术输出（卖方区域）"]
    assert [c.value for c in output[2]] == ["南阳市", 1, 100, 70]
    assert [c.value for c in output[3]] == ["卧龙区", 1, 100, 70]
    assert workbook["流向（卖方→买方）"]["A2"].value == "卧龙区"


def test_malformed_page_input_answers_in_chinese_never_500(client_for, users, application) -> None:
    contract = services.apply(users["enterprise"], application, PDF)
    staff = client_for("city_staff")
    url = f"/contracts/{contract.pk}/act/"
    staff.post(url, {"action": "accept"})
    bad = staff.post(url, {"action": "assess", "d_kind_0": "equipment", "d_amount_0": "三十"})
    assert bad.status_code == 422 and "第 1 项金额应为数字" in bad.content.decode()
    bad = staff.post(
        url, {"action": "assess", "d_kind_0": "equipment", "d_amount_0": "3", "d_qty_0": "x"}
    )
    assert bad.status_code == 422 and "第 1 项数量应为" in bad.content.decode()
    assert staff.post(url, {"action": "answer", "objection": "abc"}).status_code == 404
    assert staff.post(url, {"action": "register", "on": "2025-02-30"}).status_code == 422
    assert staff.post(url, {"action": "nonsense"}).status_code == 404
    contract.refresh_from_db()
    assert (contract.status, contract.tech_amount) == ("accepted", None)


def test_statistics_word_export(client_for, registered) -> None:
    registered([{"kind": "equipment", "amount": "30"}])
    response = client_for("city_staff").get("/contracts/stats/?year=2025&format=docx")
    document = Document(io.BytesIO(response.content))
    assert "登记合同 1 份，合同成交额 100 万元，技术交易额 70 万元" in document.paragraphs[1].text
    output = document.tables[0]
    assert [c.text for c in output.rows[1].cells] == ["南阳市", "1", "100", "70"]
    flows = document.tables[-1]
    assert flows.rows[1].cells[0].text == "卧龙区 → 宛城区"
