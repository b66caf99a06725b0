"""Browser tests: Debian's chromium driven by Playwright against a live server.

Chromium runs headless with a fresh profile, without sandbox (CI runs as root) and without any
background networking; every request to a host other than the live server is aborted and fails
the test, which also proves that no page needs a CDN.
"""

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kechuang.accounts.roles import Role
from kechuang.conftest import STRONG_PASSWORD

# Playwright's sync API keeps an event loop running in the test thread while the tests' own ORM
# calls stay synchronous; Django's async guard would refuse them. Set at import, because a fixture
# is too late for the database fixtures; the subprocess tests drop DJANGO_* variables.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("KECHUANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    outside: list[str] = []
    local_host = urlparse(live_server.url).hostname

    def guard(route: Any) -> None:
        if urlparse(route.request.url).hostname == local_host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert outside == [], f"pages tried to reach outside hosts: {outside}"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


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
    expect(page.get_by_text("科创平台 API").first).to_be_visible()
