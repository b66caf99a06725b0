"""Browser test of the searchable picker (core/pickers.py, core/static/core/picker.js): typing
"卧龙" offers 卧龙区, picking it fills the form, and the form saves it; the filter bar filters by
the picked area. A screenshot of the open picker is kept under var/screenshots/."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.registry.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def test_picker_finds_wolong_by_typing_and_the_form_saves_it(
    page: Page, users: Any, orgs: Any
) -> None:
    org = orgs["wancheng"]
    log_in(page, "city_staff")
    page.goto(f"/registry/organizations/{org.pk}/edit/")
    area = page.get_by_test_id("picker-area")
    expect(area).to_have_value("宛城区")  # the label, never 411302
    area.fill("")
    area.press_sequentially("卧龙")
    option = page.get_by_role("option", name="卧龙区")
    expect(option).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "picker-area.png"))
    option.click()
    expect(area).to_have_value("卧龙区")
    expect(page.locator('input[type=hidden][name="area"]')).to_have_value("411303")
    industry = page.get_by_test_id("picker-industry")
    industry.press_sequentially("超硬")
    page.get_by_role("option", name="新材料 / 超硬材料").click()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("detail-fields")).to_contain_text("卧龙区")
    org.refresh_from_db()
    assert (org.area.name, org.industry.code) == ("卧龙区", "materials.superhard")


def test_filter_bar_picker_filters_by_the_picked_area(page: Page, users: Any, orgs: Any) -> None:
    log_in(page, "city_staff")
    page.goto("/registry/organizations/")
    expect(page.get_by_test_id("total")).to_contain_text(f"共 {Organization.objects.count()} 条")
    area = page.get_by_test_id("picker-area")
    area.press_sequentially("卧龙")
    expect(page.get_by_role("option", name="卧龙区")).to_be_visible()
    area.press("Enter")  # the only match is picked, the form is not sent yet
    expect(area).to_have_value("卧龙区")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("total")).to_contain_text("共 2 条")
    expect(page.get_by_test_id("picker-area")).to_have_value("卧龙区")
    assert "area=411303" in page.url


def test_a_label_typed_without_picking_is_resolved_by_the_server(page: Page, users: Any) -> None:
    """Typed and sent at once ("卧龙", no pick): the server resolves it, or says it cannot."""
    log_in(page, "city_staff")
    page.goto("/registry/organizations/")
    area = page.get_by_test_id("picker-area")
    area.fill("卧龙")
    area.press("Escape")  # close the suggestions without picking
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("total")).to_contain_text("共 2 条")
    expect(page.get_by_test_id("picker-area")).to_have_value("卧龙区")
    page.wait_for_load_state("load")  # the picker's deferred script has set the page up
    page.get_by_test_id("picker-area").fill("火星")
    page.get_by_test_id("picker-area").press("Escape")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("filters")).to_contain_text("没有名称含“火星”的区域")
