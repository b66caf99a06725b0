"""Browser test of the roadshow path: city staff register a matchmaking event with the listings
presented and the participants, start a follow-up from it on the demand's suggestions, move it
to 已签约 on the kanban, and the conversion page shows the event's rate; the institutions page
lists an institution with its brokers (fixtures in kechuang/conftest.py and ./conftest.py)."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.market.models import (
    Achievement,
    Match,
    Roadshow,
    TechDemand,
    TransferInstitution,
)
from kechuang.market.tests.conftest import ACHIEVEMENT, DEMAND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENT = "卧龙区防爆装备产学研对接会"


def go(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def register_event(page: Page, participants: list[str]) -> None:
    """The form: title, kind, date, participants by credit code, the listings presented."""
    go(page, "/market/roadshows/")
    with page.expect_navigation():
        page.get_by_role("link", name="登记活动").click()
    page.get_by_label("活动名称").fill(EVENT)
    page.get_by_label("活动类型").select_option(label="对接会")
    page.get_by_label("举办日期").fill("2026-04-16")
    page.get_by_label("地点").fill("卧龙区科创中心")
    page.get_by_label("参会人数").fill("45")
    page.get_by_label("参会单位（统一社会信用代码，每行一个）").fill("\n".join(participants))
    page.get_by_label("防爆电机温升过高，需要新的散热结构", exact=False).check()
    page.get_by_label("一种隔爆型电动机的冷却装置", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name=EVENT)).to_be_visible()
    expect(page.get_by_test_id("presented-demands")).to_contain_text("防爆电机温升过高")
    expect(page.get_by_test_id("presented-achievements")).to_contain_text("隔爆型电动机")
    expect(page.get_by_test_id("participants")).to_contain_text("卧龙测试企业（测试）")
    expect(page.get_by_test_id("participants")).to_contain_text("卧龙测试学院（测试）")


def follow_from_event(page: Page) -> None:
    """On the presented demand's suggestions: the broker and the event, then follow up."""
    with page.expect_navigation():
        page.get_by_test_id("presented-demands").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    first = page.get_by_test_id("suggestions-achievement").get_by_test_id("suggestion").first
    expect(first).to_contain_text("一种隔爆型电动机的冷却装置")
    first.get_by_label("技术经理人").select_option(label="周经理人")
    first.get_by_label("来源活动").select_option(label=EVENT)
    with page.expect_navigation():
        first.get_by_test_id("follow").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("column-recommended")).to_contain_text("隔爆型电动机")
    for column in ("contacted", "negotiating", "signed"):
        with page.expect_navigation():
            page.get_by_test_id("advance").first.click()
        page.wait_for_load_state("networkidle")
        expect(page.get_by_test_id(f"column-{column}")).to_contain_text("防爆电机温升过高")


def test_roadshow_to_match_to_conversion_and_institutions(
    page: Page, page_errors: list[str], publish: Any, orgs: Any, wolong: Any, make_broker: Any
) -> None:
    publish("enterprise", TechDemand, DEMAND)
    publish("institution", Achievement, ACHIEVEMENT)
    agency = TransferInstitution.objects.create(
        name="卧龙技术转移服务中心（测试）",
        area=wolong,
        level="provincial",
        fields="装备制造、防爆电气",
        services="评估、挂牌、交易",
        deals=21,
    )
    make_broker(agency=agency)
    make_broker("吴经理人", "新材料", agency=agency)

    log_in(page, "city_staff")
    register_event(page, [orgs["wolong"].uscc, orgs["wolong_univ"].uscc])
    roadshow = Roadshow.objects.get()
    assert roadshow.attendance == 45 and roadshow.kind == "matchmaking"
    follow_from_event(page)
    match = Match.objects.get()
    assert (match.roadshow, match.status, match.broker.name) == (roadshow, "signed", "周经理人")

    go(page, "/market/stats/")
    by_event = page.get_by_test_id("conversion-roadshow")
    row = by_event.get_by_role("row").filter(has_text=EVENT)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell")).to_have_text([EVENT, "1", "1", "100%"])
    go(page, f"/market/roadshows/{roadshow.pk}/")
    expect(page.get_by_test_id("roadshow-matches")).to_contain_text("已签约")
    expect(page.get_by_role("heading", name="转化率 100%")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="技术转移机构").click()
    page.wait_for_load_state("networkidle")
    institution = page.get_by_test_id("institution").filter(has_text="卧龙技术转移服务中心")
    expect(institution).to_contain_text("省级技术转移示范机构")
    expect(institution.get_by_test_id("brokers")).to_contain_text("周经理人")
    expect(institution.get_by_test_id("brokers")).to_contain_text("吴经理人")
    assert page_errors == []
