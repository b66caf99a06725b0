"""The pages still work under the Content-Security-Policy (issue #17 item 6): the browser
reports no CSP violation, the dashboard's ECharts charts draw, the Swagger page renders, the
delete button still asks first (a data-confirm handler in core/kechuang.js, no onsubmit)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kechuang.conftest import log_in
from kechuang.monitoring.tests import progress_data as pd
from kechuang.registry.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page: Page) -> list[str]:
    """Console messages and page errors that tell of a blocked script or style."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or "Refused" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_dashboard_and_api_docs_work_under_the_policy(page: Page, users: Any) -> None:
    pd.load_plan()
    pd.record_hnte(users["city_staff"])
    problems = watch(page)
    log_in(page, "city_staff")
    page.goto("/monitoring/?as_of=2024-06-30")
    hnte = page.locator('[data-testid="indicator-card"][data-code="hnte_count"]')
    expect(hnte.locator('[data-chart="hnte_count"] canvas')).to_have_count(1)
    heat = page.locator("[data-heatmap]")
    expect(heat.locator("canvas").first).to_be_visible()
    # the heat map's height, once a style attribute, is set from its data-height by the script
    assert heat.evaluate("e => e.style.height") == heat.get_attribute("data-height")
    page.goto("/api/docs")
    title = page.get_by_role("heading", name=re.compile(r"^科创平台 API"))
    expect(title).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert problems == []


def test_the_delete_button_still_asks_first(page: Page, users: Any, orgs: Any) -> None:
    org = orgs["wolong"]
    problems = watch(page)
    asked: list[str] = []

    def decline(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", decline)
    log_in(page, "city_admin")
    page.goto(f"/registry/organizations/{org.pk}/")
    page.get_by_role("button", name="删除").click()
    expect(page.get_by_test_id("detail-fields")).to_be_visible()
    assert asked == ["确定删除？删除后可在审计记录中查到原值。"]
    assert Organization.objects.filter(pk=org.pk).exists()
    assert problems == []
