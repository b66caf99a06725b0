"""The pages an enterprise user works on fit a phone (390 px wide, #11 item 8): nothing wider
than the screen except inside a table's own scroll box; a screenshot of each is kept under
var/screenshots/ for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from kechuang.conftest import REPO, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = REPO / "var" / "screenshots"
PAGES = {
    "workbench": "/",
    "figures-new": "/registry/figures/new/",
    "figures": "/registry/figures/",
    "claim": "/registry/qualifications/claim/",
    "self-assessment": "/cultivation/self-assessment/",
    "policies-mine": "/policies/mine/",
    "contract-apply": "/contracts/apply/",
}
# Elements wider than the viewport that are not inside a horizontal scroll box.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if ((s === "auto" || s === "scroll") && p.scrollWidth > p.clientWidth) return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .slice(0, 5)
    .map((el) => el.tagName + (el.id ? "#" + el.id : "") + "." + el.className);
}"""


def test_enterprise_pages_fit_a_phone(page: Page, users: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "enterprise")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name, url in PAGES.items():
        response = page.goto(url)
        assert response is not None and response.status < 400, (name, response)
        page.screenshot(path=str(Path(SHOTS / f"phone-{name}.png")), full_page=True)
        wide = page.evaluate(OVERFLOW)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        if wide or page_width > 391:
            problems[name] = (page_width, wide)
    assert problems == {}
