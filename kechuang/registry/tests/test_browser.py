"""Browser tests of the registry: the organization list a county user sees, a detail page, the
figures workflow page (fixtures in kechuang/conftest.py)."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_lists_filters_and_opens_their_organizations(page: Page, users: Any) -> None:
    log_in(page, "county_staff")
    page.get_by_role("link", name="创新主体").click()
    table = page.get_by_test_id("list-table")
    expect(table).to_contain_text("卧龙测试企业（测试）")
    expect(table).not_to_contain_text("宛城测试企业（测试）")
    expect(page.get_by_test_id("total")).to_contain_text("共 2 条")
    page.get_by_label("单位类型").select_option("university")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("total")).to_contain_text("共 1 条")
    page.get_by_role("link", name="卧龙测试学院（测试）").click()
    expect(page.get_by_test_id("detail-fields")).to_contain_text("卧龙区")


def test_enterprise_user_submits_figures_in_the_browser(page: Page, users: Any, orgs: Any) -> None:
    log_in(page, "enterprise")
    page.goto(f"/registry/figures/new/?organization={orgs['wolong'].uscc}&year=2024")
    page.get_by_label("总收入（万元）").fill("1000")
    page.get_by_label("销售收入（万元）").fill("1200")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("不能大于总收入")
    page.get_by_label("销售收入（万元）").fill("900")
    page.get_by_label("研发费用总额（万元）").fill("60")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("status")).to_have_text("已填报，待县区审核")
    expect(page.get_by_test_id("diff")).to_contain_text("60")


def test_enterprise_user_submitting_nothing_is_refused_then_withdraws(
    page: Page, users: Any, orgs: Any
) -> None:
    """The issue's path: an empty submission went to the county queue and blocked the real one."""
    log_in(page, "enterprise")
    page.goto(f"/registry/figures/new/?organization={orgs['wolong'].uscc}&year=2024")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("form-error")).to_have_text(
        "本次填报没有填写任何年度数据，或所填数据与已确认的数据完全相同；"
        "请至少填写或修改一项后再提交。"
    )
    page.get_by_label("总收入（万元）").fill("1000")
    page.get_by_label("销售收入（万元）").fill("1200")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".invalid-feedback").first).to_have_text(
        "销售收入（万元）不能大于总收入（万元）（1,000.00）；请核对两项。"
    )
    page.get_by_label("销售收入（万元）").fill("900")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("status")).to_have_text("已填报，待县区审核")
    page.get_by_role("button", name="撤回本次填报").click()
    expect(page.get_by_test_id("status")).to_have_text("已撤回")
    page.goto(f"/registry/figures/new/?organization={orgs['wolong'].uscc}&year=2024")
    page.get_by_label("总收入（万元）").fill("1100")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("status")).to_have_text("已填报，待县区审核")
