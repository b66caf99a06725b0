"""Browser test of the cultivation module's main page (fixtures in kechuang/conftest.py)."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_sees_its_self_assessment_and_runs_a_what_if(page: Page, users: Any) -> None:
    log_in(page, "enterprise")
    page.get_by_role("link", name="企业培育").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("高企、科小认定条件自评")
    # No confirmed figures yet: the page says what is missing.
    expect(page.get_by_test_id("case-errors")).to_contain_text("数据不完整")
    page.get_by_role("button", name="模拟测算").click()
    expect(page.get_by_test_id("what-if")).to_be_visible()
