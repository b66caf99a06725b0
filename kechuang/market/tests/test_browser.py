"""Browser test of the market's main path: an enterprise posts a demand, county staff publish
it, the match list shows highlighted explanations, staff start a follow-up with a broker, and
the broker moves the card across the kanban (fixtures in kechuang/conftest.py)."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.market.models import Achievement, Match, TechDemand
from kechuang.market.tests.conftest import ACHIEVEMENT, OTHER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def post_demand(page: Page) -> str:
    """The enterprise posts its demand (a bad budget first) and submits it; the detail URL."""
    log_in(page, "enterprise")
    page.get_by_role("link", name="技术市场").first.click()
    page.get_by_test_id("new-demand").click()
    page.get_by_label("名称").fill("防爆电机温升过高，需要新的散热结构")
    page.get_by_label("技术难题描述").fill("矿用防爆电机满载温升超过 80 K，需要新的散热结构。")
    page.get_by_label("预算（万元）").fill("-1")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("预算：数值过小")
    page.get_by_label("预算（万元）").fill("80")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.get_by_test_id("status")).to_have_text("草稿")
    with page.expect_navigation():
        page.get_by_test_id("step-submit").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交（待审核）")
    detail = page.url
    log_out(page)
    return detail


def publish_and_follow(page: Page, detail: str) -> None:
    """County staff review and publish; the matches explain themselves; a follow-up starts."""
    log_in(page, "county_staff")
    page.goto(detail)
    with page.expect_navigation():
        page.get_by_test_id("step-review").click()
    with page.expect_navigation():
        page.get_by_test_id("step-publish").click()
    expect(page.get_by_test_id("status")).to_have_text("已发布")
    table = page.get_by_test_id("suggestions-achievement")
    first = table.get_by_test_id("suggestion").first
    expect(first.get_by_test_id("hl").first).to_be_visible()
    expect(first).to_contain_text("一种隔爆型电动机的冷却装置")
    expect(first.get_by_test_id("explanation")).to_contain_text("电机 ≈ 电动机")
    expect(first.get_by_test_id("explanation")).to_contain_text("散热 ≈ 冷却")
    expect(table).not_to_contain_text("香菇酱")
    first.get_by_label("技术经理人").select_option(label="周经理人")
    with page.expect_navigation():
        first.get_by_test_id("follow").click()
    expect(page.get_by_test_id("column-recommended")).to_contain_text("一种隔爆型电动机的冷却装置")
    log_out(page)


def test_demand_to_explained_match_to_kanban(
    page: Page, page_errors: list[str], publish: Any, make_user: Any, make_broker: Any
) -> None:
    publish("institution", Achievement, ACHIEVEMENT)
    publish("institution", Achievement, OTHER)
    make_broker(user=make_user("expert", "broker"))
    publish_and_follow(page, post_demand(page))

    # The broker moves the card across the kanban.
    log_in(page, "broker")
    page.goto("/market/board/")
    for column in ("contacted", "negotiating"):
        with page.expect_navigation():
            page.get_by_test_id("advance").first.click()
        expect(page.get_by_test_id(f"column-{column}")).to_contain_text("防爆电机温升过高")
    match = Match.objects.get()
    assert match.status == "negotiating" and match.demand == TechDemand.objects.get()
    assert list(match.events.order_by("id").values_list("to_status", flat=True)) == [
        "recommended",
        "contacted",
        "negotiating",
    ]
    assert page_errors == []
