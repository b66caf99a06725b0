"""Browser tests of the foundation: login, lock-out, home, audit, API docs (fixtures in
kechuang/conftest.py)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import STRONG_PASSWORD, log_in
from kechuang.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_through_the_real_page_shows_the_home_page(page: Page, make_user: Any) -> None:
    make_user(Role.CITY_ADMIN, username="chief", display_name="王局长")
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    log_in(page, "chief", STRONG_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，王局长")
    expect(page.get_by_test_id("empty-state")).to_contain_text("还没有创新主体数据")
    expect(page.get_by_test_id("org-count")).to_have_text("0")
    # The app's own stylesheet and Bootstrap, served by the app, are applied.
    navbar_colour = page.locator("nav.kc-navbar").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert navbar_colour == "rgb(31, 78, 140)"
    expect(page.locator("nav.kc-navbar .btn-light")).to_have_css("border-radius", "4px")
    page.get_by_role("link", name="审计记录").click()
    expect(page.get_by_test_id("audit-table")).to_contain_text("登录成功")


def test_five_wrong_passwords_lock_the_account_in_the_browser(
    page: Page, make_user: Any, wolong: Any
) -> None:
    make_user(Role.COUNTY_STAFF, username="wolong", area=wolong)
    for attempt in range(4):
        log_in(page, "wolong", f"Wrong-pass-{attempt}")
        expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码错误")
    log_in(page, "wolong", "Wrong-pass-5")
    expect(page.get_by_test_id("login-error")).to_contain_text("已被锁定")
    log_in(page, "wolong", STRONG_PASSWORD)
    expect(page.get_by_test_id("login-error")).to_contain_text("已被锁定")


def test_api_docs_render_offline(page: Page, make_user: Any) -> None:
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
    # Swagger UI renders the title after fetching and parsing the whole schema (every app's
    # operations): give it time on a loaded machine.
    title = page.get_by_role("heading", name=re.compile(r"^科创平台 API"))
    expect(title).to_be_visible(timeout=30_000)
