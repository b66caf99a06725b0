"""Browser: an enterprise declares its own national HNTE certificate. A text file named .pdf is
refused; with a real scan the certificate is registered as 待核验 and counts nowhere."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.registry.models import Qualification
from kechuang.registry.tests.claims import PDF, TEXT_AS_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_enterprise_declares_its_own_hnte_certificate(page: Page, users: Any, orgs: Any) -> None:
    log_in(page, "enterprise")
    page.goto("/registry/qualifications/new/")  # "新增" leads an enterprise to the claim
    expect(page.get_by_role("heading", name="申报资质")).to_be_visible()
    expect(page.get_by_test_id("claim-form")).to_contain_text("卧龙测试企业（测试）")
    expect(page.locator('[name="verification"]')).to_have_count(0)
    page.get_by_label("资质类型").select_option("HNTE")
    page.get_by_label("证书编号").fill("GR202441000321")
    page.get_by_label("认定日期").fill("2025-11-20")
    page.get_by_label("认定层级").select_option("national")
    page.get_by_label("证书扫描件").set_input_files(
        {"name": "证书.pdf", "mimeType": "application/pdf", "buffer": TEXT_AS_PDF}
    )
    page.get_by_test_id("claim-submit").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("不是 PDF、PNG 或 JPEG 文件")
    assert not Qualification.objects.exists()
    page.get_by_label("证书扫描件").set_input_files(
        {"name": "证书.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_test_id("claim-submit").click()
    expect(page.get_by_test_id("verification-badge")).to_have_text("待核验")
    expect(page.get_by_test_id("verification")).to_contain_text("核验通过前不计入")
    expect(page.get_by_role("cell", name="待核验").first).to_be_visible()
    expect(page.get_by_role("cell", name="是", exact=True)).to_have_count(0)  # no "今日有效：是"
    page.goto("/")
    expect(page.get_by_test_id("hnte-count")).to_have_text("0")
    q = Qualification.objects.get()
    assert (q.verification, q.source, q.organization_id) == (
        "claimed",
        "declaration",
        orgs["wolong"].pk,
    )
