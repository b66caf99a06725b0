"""Accessibility basics (#11 item 9): the main page of each module passes axe-core (run in
Debian chromium, from node_modules/axe-core, installed by `make assets` from the npm registry and
never served) with no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from kechuang.conftest import REPO, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
MAIN_PAGES = {
    "home": "/",
    "registry": "/registry/organizations/",
    "monitoring": "/monitoring/",
    "cultivation": "/cultivation/",
    "contracts": "/contracts/",
    "market": "/market/",
    "programs": "/programs/",
    "policies": "/policies/",
    "projects": "/projects/",
    "jobs": "/jobs/",
}


def violations(page: Page) -> list[tuple[str, str, int]]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing: `make assets` installs it ({AXE})", pytrace=False)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => [v.id, v.nodes[0].target.join(' '), v.nodes.length])"
    )
    return [tuple(v) for v in found]


@pytest.mark.parametrize("role", ["city_staff", "enterprise"])
def test_each_modules_main_page_has_no_serious_violation(page: Page, users: Any, role: str) -> None:
    # axe-core is injected as a script tag, which the site's Content-Security-Policy (rightly)
    # refuses; the test's browser alone bypasses it (CSP itself is tested in test_csp_browser)
    page.context.new_cdp_session(page).send("Page.setBypassCSP", {"enabled": True})
    log_in(page, role)
    problems = {}
    for name, url in MAIN_PAGES.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if found := violations(page):
            problems[name] = found
    assert problems == {}
