"""Browser test: a 揭榜挂帅 project and a 赛马制 pair from award to closure on the project pages —
both sides sign, staff pay every tranche when its condition holds, the team reports progress and
spending (a negative-list hit is refused until explained), an expert of the programmes' pool
reviews the mid-term, staff decide the 赛马 stage gate, the team applies for acceptance with
evidence per target (a file that is not what its name says is refused), staff conclude, the
certificate is offered and the public record shows the result. The agreements are created from
the awards by the services (fixtures in conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.projects import services
from kechuang.projects.models import Project, TrancheStatus
from kechuang.projects.tests.conftest import AGREEMENT, PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click(page: Page, test_id: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(test_id).click()


def as_user(page: Page, username: str, project: Any) -> None:
    page.context.clear_cookies()
    log_in(page, username)
    page.goto(f"/projects/{project.pk}/")


def pay(page: Page, project: Any, number: int) -> None:
    as_user(page, "city_staff", project)
    click(page, f"pay-{number}")
    expect(page.get_by_test_id(f"pay-{number}")).to_have_count(0)
    assert project.tranches.get(number=number).status == TrancheStatus.PAID


def apply(page: Page, project: Any, values: list[str]) -> None:
    for i, value in enumerate(values, 1):
        target = project.targets.order_by("pk")[i - 1]
        page.locator(f"#apply_achieved_{target.pk}").fill(value)
        page.get_by_test_id(f"evidence-{i}").set_input_files(
            {"name": f"佐证{i}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    page.get_by_label("总结报告摘要").fill("各项指标完成")
    click(page, "apply")
    expect(page.get_by_test_id("status")).to_have_text("验收中")


def conclude(page: Page, project: Any) -> None:
    as_user(page, "city_staff", project)
    page.get_by_label("结论", exact=True).select_option("passed")
    page.get_by_label("理由", exact=True).fill("全部考核指标完成")
    click(page, "conclude")
    expect(page.get_by_test_id("status")).to_have_text("通过验收")
    expect(page.get_by_test_id("certificate")).to_be_visible()


def fill_car_purchase(page: Page) -> None:
    """The spending form with an expense the negative list forbids (a car)."""
    page.get_by_label("类别", exact=True).fill("业务费")
    page.get_by_label("支出内容").fill("购置轿车一辆")
    page.get_by_label("金额（万元）").fill("20")
    page.get_by_label("日期", exact=True).fill("2026-03-02")


def challenge_project(page: Page, project: Any) -> None:
    as_user(page, "enterprise", project)
    click(page, "sign")
    as_user(page, "city_staff", project)
    click(page, "sign")
    expect(page.get_by_test_id("status")).to_have_text("实施中")
    pay(page, project, 1)
    as_user(page, "enterprise", project)
    page.get_by_label("报告期").fill("2026 上半年")
    page.get_by_label("对应里程碑").select_option(label="完成涂层工艺验证")
    page.get_by_label("该里程碑已完成").check()
    page.get_by_label("进展情况").fill("完成涂层工艺验证")
    with page.expect_navigation():
        page.get_by_role("button", name="提交进展报告").click()
    expect(page.get_by_test_id("reports")).to_contain_text("完成涂层工艺验证")
    fill_car_purchase(page)
    click(page, "spend")
    expect(page.get_by_test_id("errors")).to_contain_text("命中负面清单“不得购置车辆”")
    fill_car_purchase(page)
    page.get_by_label("情况说明（命中负面清单时必填）").fill("误购，已退车并改为租赁")
    click(page, "spend")
    expect(page.get_by_test_id("spending")).to_contain_text("不得购置车辆")
    as_user(page, "city_staff", project)
    click(page, "assign-midterm")
    as_user(page, "expert", project)
    page.get_by_label("评分（0–100）").fill("82")
    page.get_by_label("评审意见").fill("按期完成中期目标")
    click(page, "submit-review")
    as_user(page, "city_staff", project)
    click(page, "conclude-midterm")
    expect(page.get_by_test_id("midterm")).to_have_text("中期评估通过")
    pay(page, project, 2)
    as_user(page, "enterprise", project)
    target = project.targets.get()
    page.get_by_test_id("evidence-1").set_input_files(
        {"name": "检测报告.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}
    )
    page.locator(f"#apply_achieved_{target.pk}").fill("520")
    page.get_by_label("总结报告摘要").fill("寿命 520 小时")
    click(page, "apply")
    expect(page.get_by_test_id("errors")).to_contain_text("名为 PDF 文件，但内容是")
    apply(page, project, ["520"])
    conclude(page, project)
    pay(page, project, 3)


def race_pair(page: Page, ours: Any, theirs: Any) -> None:
    pay(page, ours, 1)
    pay(page, theirs, 1)
    for username, project, values in (
        ("enterprise", ours, ("85", "2")),
        ("institution", theirs, ("60", "1")),
    ):
        as_user(page, username, project)
        for target, value in zip(project.targets.order_by("pk"), values, strict=True):
            page.locator(f"#achieved_{target.pk}").fill(value)
        click(page, "save-achieved")
    as_user(page, "city_staff", ours)
    page.get_by_test_id("decision-1").select_option("continue")
    page.get_by_test_id("reasons-1").fill("提取率领先")
    page.get_by_test_id("decision-2").select_option("stop")
    page.get_by_test_id("reasons-2").fill("差距较大")
    click(page, "hold-gate")
    expect(page.get_by_test_id("gates")).to_contain_text("继续支持")
    pay(page, ours, 2)
    as_user(page, "institution", theirs)
    expect(page.get_by_test_id("status")).to_have_text("赛马淘汰（终止）")
    as_user(page, "enterprise", ours)
    apply(page, ours, ["91", "2"])
    conclude(page, ours)
    pay(page, ours, 3)


def test_projects_from_award_to_closure(
    page: Page, page_errors: list[str], users: Any, awarded: Any, race: dict[str, Any]
) -> None:
    project = services.create_project(
        users["city_staff"], awarded(), {**AGREEMENT, "lump_sum": True}
    )
    challenge_project(page, project)
    ours, theirs = race["projects"]
    race_pair(page, ours, theirs)
    page.context.clear_cookies()
    page.goto("/projects/results/")
    expect(page.get_by_test_id("results")).to_contain_text(project.title)
    expect(page.get_by_test_id("results")).to_contain_text(ours.title)
    statuses = dict(Project.objects.values_list("pk", "status"))
    assert statuses == {project.pk: "passed", ours.pk: "passed", theirs.pk: "stopped"}
    assert page_errors == []
