"""Every menu item leads to a page that works for the role that sees it: no 404, no 403, no
500 behind a link the menu offers (a dead end is a defect, #11)."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.core.tests.permissions import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_every_menu_item_works_for_the_role(role: str, client_for: Any) -> None:
    client = client_for(role)
    home = client.get("/", follow=True)
    assert home.status_code == 200
    items = [i for i in home.context["nav_items"] if i["url"]]
    assert items, "the menu offers nothing"
    broken = {}
    for item in items:
        response = client.get(item["url"], follow=True)
        if response.status_code != 200:
            broken[item["label"]] = (item["url"], response.status_code)
    assert broken == {}
