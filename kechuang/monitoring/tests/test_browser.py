"""Browser tests of plan monitoring: the dashboard's cards, an ECharts chart drawn from the app's
own copy of ECharts, the click-through to one indicator; an impossible figure refused and a
figure withdrawn (fixtures in kechuang/conftest.py)."""

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.monitoring.models import Observation
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


def test_city_staff_is_refused_a_negative_count_then_withdraws_a_figure(
    page: Page, users: Any
) -> None:
    """The −5 of issue 10 ends in a clear refusal; a plausible figure entered next is withdrawn
    (作废) with a reason and stays listed, struck through."""
    pd.load_plan()
    last = timezone.localdate().year - 1
    pd.record(users["city_staff"], "hnte_count", "南阳市", str(last - 1), 300, "actual")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "city_staff")
    page.goto("/monitoring/observations/new/")
    page.locator("#id_indicator").select_option("hnte_count")
    page.locator("#id_area").select_option(label="南阳市")
    page.get_by_label("期间 *").fill("2026")
    page.get_by_label("数值 *").fill("-5")
    page.get_by_label("来源名称 *").fill("统计公报")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("observation-form")).to_contain_text(
        "计数类指标（单位：家）不能为负数，实为 -5。"
    )
    expect(page.get_by_test_id("confirm-box")).to_have_count(0)
    assert Observation.objects.count() == 1
    page.get_by_label("期间 *").fill(str(last))
    page.get_by_label("数值 *").fill("320")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("value")).to_have_text("320")
    page.get_by_label("作废理由 *").fill("重复录入，以统计公报更正版为准")
    page.get_by_role("button", name="作废").click()
    expect(page.get_by_test_id("value").locator("del")).to_have_text("320")
    expect(page.get_by_test_id("state")).to_contain_text("已作废：重复录入，以统计公报更正版为准")
    expect(page.get_by_test_id("withdraw-form")).to_have_count(0)
    page.goto("/monitoring/observations/?state=withdrawn")
    row = page.get_by_test_id("observation-row")
    expect(row).to_have_count(1)
    expect(row.locator("del").first).to_have_text("南阳市")
    expect(row.get_by_test_id("withdrawn-reason")).to_have_text("重复录入，以统计公报更正版为准")
    assert Observation.objects.get(value=320).state == "withdrawn"
    assert errors == []
