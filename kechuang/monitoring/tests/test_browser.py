"""Browser test of the plan-monitoring dashboard: the cards, an ECharts chart drawn from the
app's own copy of ECharts, the click-through to one indicator (fixtures in kechuang/conftest.py)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.monitoring.tests import progress_data as pd

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_staff_opens_the_dashboard_and_an_indicator(page: Page, users: Any) -> None:
    pd.load_plan()
    pd.record_hnte(users["city_staff"])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "city_staff")
    page.get_by_role("link", name="规划监测").click()
    expect(page.get_by_test_id("plan-title")).to_contain_text("科技创新和一流创新生态建设规划")
    page.get_by_label("测算日期").fill("2024-06-30")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"as_of=2024-06-30"))  # the cards below are on both pages
    cards = page.get_by_test_id("indicator-card")
    expect(cards).to_have_count(11)
    hnte = page.locator('[data-testid="indicator-card"][data-code="hnte_count"]')
    expect(hnte.get_by_test_id("status")).to_have_text("正常")
    expect(hnte.get_by_test_id("latest-meta")).to_contain_text("2023 年 · 正式数")
    expect(hnte.get_by_test_id("completion")).to_have_text("66.1%")
    expect(hnte.locator('[data-chart="hnte_count"] canvas')).to_have_count(1)
    expect(page.locator("[data-heatmap] canvas").first).to_be_visible()
    hnte.get_by_role("link", name="高新技术企业数").click()
    expect(page.get_by_test_id("indicator-name")).to_contain_text("高新技术企业数")
    expect(page.locator('[data-chart="hnte_count"] canvas')).to_have_count(1)
    expect(page.get_by_test_id("observations")).to_contain_text("已被 2024-05-10 发布的正式数取代")
    expect(page.get_by_test_id("observations")).to_contain_text("预测数，不计入进度")
    assert errors == []
