"""Browser test: a 揭榜挂帅 call from publication to award — staff publish the call, the
enterprise bids on a challenge and submits, staff pass the formal check and assign reviewers
automatically, the expert reviews, staff run the defence and award, the result list is
published and the public sees it (fixtures in kechuang/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.programs import services
from kechuang.programs.models import Application, Award
from kechuang.programs.tests.conftest import MARKS, PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def setup_call(users: dict[str, Any], make_org: Any, orgs: dict[str, Any]) -> Any:
    from kechuang.registry.models import Talent

    staff = users["city_staff"]
    program = services.create_program(
        staff, {"name": "重大科技专项（测试）", "kind": "challenge", "year": 2026}
    )
    start = timezone.now() - dt.timedelta(days=1)
    call = services.create_call(
        staff,
        program,
        {
            "title": "揭榜挂帅浏览器测试批次",
            "mode": "challenge",
            "opens_at": start,
            "closes_at": start + dt.timedelta(days=30),
            "budget": "1000",
            "reviews_per_application": 1,
            "required_attachments": ["可行性研究报告"],
            "budget_categories": ["设备费", "业务费"],
        },
    )
    services.create_challenge(
        staff,
        call,
        {
            "code": "JB-01",
            "title": "金刚石刀具寿命提升",
            "problem": "金刚石刀具寿命不足",
            "targets": [{"name": "刀具寿命", "unit": "小时", "value": "500"}],
            "budget_cap": "300",
        },
    )
    Talent.objects.create(name="张负责", organization=orgs["wolong"], expertise="刀具")
    home = make_org("宛城区", name="专家单位（测试）")
    talent = Talent.objects.create(name="专家甲", organization=home, expertise="金刚石刀具 寿命")
    services.add_expert(staff, {"talent": talent.pk, "user": users["expert"]})
    return call


def click(page: Page, test_id: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(test_id).click()


def log_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def publish(page: Page, call: Any) -> None:
    log_in(page, "city_staff")
    page.goto(f"/programs/calls/{call.pk}/")
    click(page, "next-status")  # 发布（发榜）
    expect(page.get_by_test_id("challenge")).to_contain_text("已发榜")
    log_out(page)


def bid(page: Page) -> str:
    """The enterprise bids on the form (a budget that does not sum is refused first), uploads
    the report and submits; the application page's address."""
    log_in(page, "enterprise")
    page.get_by_role("link", name="科技计划").first.click()
    page.get_by_role("link", name="揭榜挂帅浏览器测试批次").click()
    click(page, "bid-JB-01")
    page.get_by_label("项目名称").fill("长寿命金刚石刀具")
    page.get_by_label("研究内容与技术路线").fill("新型涂层工艺")
    page.get_by_label("项目负责人").select_option(label="张负责（编号 1）")
    page.get_by_label("申请财政经费（万元）").fill("200")
    page.get_by_label("自筹经费（万元）").fill("100")
    page.get_by_label("设备费（万元）").fill("250")
    page.get_by_label("业务费（万元）").fill("40")
    click(page, "save")
    expect(page.get_by_test_id("errors")).to_contain_text("各预算科目合计 290 万元")
    page.get_by_label("业务费（万元）").fill("50")
    page.get_by_label("设备费（万元）").fill("250")
    click(page, "save")
    expect(page.get_by_test_id("phase")).to_have_text("填报中")
    page.get_by_test_id("file").set_input_files(
        {"name": "可研报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    click(page, "upload")
    click(page, "t-submit")
    expect(page.get_by_test_id("phase")).to_have_text("形式审查中")
    address = page.url
    log_out(page)
    return address


def check_and_assign(page: Page, call: Any) -> None:
    log_in(page, "city_staff")
    page.goto("/programs/workbench/")
    page.get_by_test_id("to-check").get_by_role("link", name="长寿命金刚石刀具").click()
    page.get_by_placeholder("意见或理由").first.fill("材料齐全")
    click(page, "t-pass_check")
    expect(page.get_by_test_id("phase")).to_have_text("专家评审中")
    page.goto("/programs/workbench/")
    click(page, f"auto-assign-{call.pk}")
    expect(page.get_by_test_id("assigned")).to_contain_text("本次分配 1 人次")
    log_out(page)


def review(page: Page) -> None:
    log_in(page, "expert")
    page.goto("/programs/reviews/")
    page.get_by_role("link", name="长寿命金刚石刀具").click()
    for code, value in MARKS.items():
        page.locator(f"#mark_{code}").fill(str(value))
    page.get_by_label("评审意见").fill("路线可行，指标可检验")
    click(page, "submit-review")
    expect(page.get_by_test_id("my-reviews")).to_contain_text("已提交评审意见")
    log_out(page)


def defend_and_award(page: Page, application: str, call: Any) -> None:
    log_in(page, "city_staff")
    page.goto(application)
    click(page, "t-close_review")
    expect(page.get_by_test_id("phase")).to_have_text("答辩中")
    page.get_by_placeholder("答辩评委").fill("评委甲")
    page.get_by_placeholder("得分（0–100）").fill("88")
    click(page, "defence-save")
    click(page, "t-close_defence")
    expect(page.get_by_test_id("phase")).to_have_text("待立项决定")
    page.get_by_placeholder("立项经费（万元）").fill("180")
    page.get_by_placeholder("理由").fill("评审与答辩排名第一")
    click(page, "decide")
    expect(page.get_by_test_id("phase")).to_have_text("已立项")
    page.goto(f"/programs/calls/{call.pk}/")
    click(page, "next-status")  # 截止受理
    click(page, "next-status")  # 公示立项结果
    log_out(page)


def test_challenge_call_from_publication_to_award(
    page: Page, users: Any, make_org: Any, orgs: Any
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    call = setup_call(users, make_org, orgs)
    publish(page, call)
    application = bid(page)
    check_and_assign(page, call)
    review(page)
    defend_and_award(page, application, call)
    page.goto("/programs/results/")
    expect(page.get_by_test_id("awards")).to_contain_text("长寿命金刚石刀具")
    expect(page.get_by_test_id("awards")).to_contain_text("180")
    award = Award.objects.get()
    assert award.published and award.amount == 180
    assert Application.objects.get().phase == "awarded"
    assert errors == []
