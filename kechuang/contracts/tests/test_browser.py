"""Browser test: a contract from the seller's application to the registrar's certificate, the
public check of that certificate, and the statistics chart (ECharts from the platform's own
static files; fixtures in kechuang/conftest.py)."""

import io
import re
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.contracts.models import TechContract
from kechuang.contracts.tests.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def apply_as_seller(page: Page, orgs: Any) -> str:
    """The enterprise applies on the form; the detail page's address."""
    log_in(page, "enterprise")
    page.get_by_role("link", name="技术合同").first.click()
    page.get_by_test_id("apply-link").click()
    page.get_by_label("合同名称").fill("高效节能电机控制技术开发（测试）")
    page.get_by_label("合同类别").select_option("development")
    page.get_by_label("细分类别").select_option("commissioned")
    page.get_by_label("买方统一社会信用代码").fill(orgs["wancheng"].uscc)
    page.get_by_label("签订日期").fill("2025-04-01")
    page.get_by_label("合同成交额（万元）").fill("100")
    page.get_by_label("合同文本（PDF、Word 或扫描件，≤ 10 MB）").set_input_files(
        {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("已申请（待受理）")
    detail = page.url
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    return detail


def test_application_to_certificate(page: Page, users: Any, orgs: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    detail = apply_as_seller(page, orgs)
    log_in(page, "city_staff")
    page.goto(detail)
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("status")).to_have_text("已受理（审查中）")
    page.get_by_label("第1项类别").select_option("equipment")
    page.get_by_label("第1项说明").fill("购置生产设备")
    page.get_by_label("第1项金额").fill("30")
    page.get_by_label("第2项类别").select_option("carrier_prototype")
    page.get_by_label("第2项说明").fill("样机")
    page.get_by_label("第2项数量").fill("2")
    page.get_by_label("第2项金额").fill("10")
    with page.expect_navigation():
        page.get_by_test_id("assess").click()
    expect(page.get_by_test_id("tech-amount")).to_have_text("70 万元")
    page.get_by_label("登记日期（留空为今天）").fill("2025-04-20")
    with page.expect_navigation():
        page.get_by_test_id("register").click()
    expect(page.get_by_test_id("status")).to_have_text("已登记")
    expect(page.get_by_test_id("history")).to_contain_text("核定技术交易额")
    with page.expect_download() as download:
        page.get_by_test_id("certificate").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115
    rows = {r.cells[0].text: r.cells[1].text for r in Document(io.BytesIO(content)).tables[0].rows}
    assert rows["合同成交额"] == "100 万元" and rows["技术交易额"] == "70 万元"

    contract = TechContract.objects.get()
    page.goto("/contracts/verify/")
    page.get_by_label("登记编号").fill(contract.registration_no)
    page.get_by_label("校验码").fill(contract.check_code)
    page.get_by_role("button", name="查验").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("登记证明真实有效")

    page.goto("/contracts/stats/?year=2025")
    expect(page.get_by_test_id("totals")).to_contain_text("合同成交额 100 万元，技术交易额 70 万元")
    expect(page.locator("#chart-period canvas")).to_have_count(1)
    assert re.search(r"/contracts/\d+/$", detail)
    assert errors == []
