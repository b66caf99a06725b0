"""The dashboard's content and the progress API's JSON are kept, keyed on the data version and on
everything they show (plan, day, area, the user's areas, published-only, input errors): a repeat
computes and renders nothing, a write is seen at once, and one role's page or answer is never
served to another."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from kechuang.monitoring import selectors
from kechuang.monitoring.tests import progress_data as pd

pytestmark = pytest.mark.django_db

PAGE = "/monitoring/?as_of=2025-06-30"
API = "/api/monitoring/plans/nanyang-14/progress?as_of=2025-06-30"


@pytest.fixture
def figures(plan: Any, users: dict[str, Any]) -> None:
    pd.record_hnte(users["city_staff"])  # the city's series: 420 in 2023
    pd.record(users["city_staff"], "hnte_count", "卧龙区", "2023", 60, "actual")


@pytest.fixture
def boards(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each dashboard computed (selectors.build_dashboard called), in order."""
    built: list[Any] = []
    original = selectors.build_dashboard

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args[2])  # the area
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "build_dashboard", counting)
    return built


def page(response: Any) -> str:
    """The page without the per-response CSRF token of the site frame."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def latest_city_hnte(client: Any) -> float:
    answer = client.get(API).json()
    return next(i for i in answer["indicators"] if i["code"] == "hnte_count")["latest"]["value"]


def test_a_repeated_page_is_computed_and_rendered_once(
    client_for: Any, figures: None, boards: list[Any]
) -> None:
    client = client_for("city_staff")
    first = client.get(PAGE)
    again = client.get(PAGE)
    assert first.status_code == again.status_code == 200
    assert page(first) == page(again)
    assert len(boards) == 1
    assert 'data-testid="latest-value">420' in first.content.decode()
    client.get(PAGE + "&area=卧龙区")  # another area: its own page
    assert len(boards) == 2 and boards[1].name == "卧龙区"
    errors = client.get("/monitoring/?as_of=2025-13-45").content.decode()
    assert "已按今天测算" in errors  # the input error is part of what is kept


def test_a_new_figure_is_seen_at_once_on_the_page_and_in_the_api(
    client_for: Any, users: dict[str, Any], figures: None
) -> None:
    client = client_for("city_staff")
    assert 'data-testid="latest-value">420' in client.get(PAGE).content.decode()
    assert latest_city_hnte(client) == 420.0
    staff, day = users["city_staff"], dt.date(2025, 3, 1)
    pd.record(staff, "hnte_count", "南阳市", "2024", 480, "actual", as_of=day)
    assert 'data-testid="latest-value">480' in client.get(PAGE).content.decode()
    assert latest_city_hnte(client) == 480.0


def test_one_roles_page_is_never_served_to_another(client_for: Any, figures: None) -> None:
    expert = client_for("expert").get(PAGE).content.decode()
    assert 'data-testid="published-only"' in expert
    staff = client_for("city_staff").get(PAGE).content.decode()
    assert 'data-testid="published-only"' not in staff
    assert "卧龙区" in staff and ">宛城区<" in staff  # the whole city's areas in the filter
    county = client_for("county_staff").get(PAGE).content.decode()
    assert ">宛城区<" not in county  # the county user's own subtree only
    assert 'data-testid="published-only"' not in county
    other = PAGE + "&area=宛城区"  # refused, every time: a refusal is never kept
    county_client = client_for("county_staff")
    assert county_client.get(other).status_code == county_client.get(other).status_code == 403
    assert client_for("city_staff").get(other).status_code == 200


def test_the_api_answer_is_the_renderers_json_for_each_role(client_for: Any, figures: None) -> None:
    staff = client_for("city_staff").get(API)
    assert staff.status_code == 200
    assert staff["Content-Type"] == "application/json; charset=utf-8"
    assert "南阳市" in staff.content.decode("utf-8")  # Chinese written as is, as the API does
    assert staff.json()["area"]["code"] == "411300"
    county = client_for("county_staff").get(API).json()  # the same request, its own answer
    assert county["area"]["code"] == "411303"
    assert latest_city_hnte(client_for("city_staff")) == 420.0  # the city's, not 卧龙区's
    assert json.loads(client_for("city_staff").get(API).content) == staff.json()
