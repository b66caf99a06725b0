"""Issue #17 item 7: plan monitoring follows the visibility of the data. Experts, enterprise and
institution users see no observation and no other county's rows in the observation and
registry APIs, so on the progress, ranking and dashboard they see only what is published for
the whole city: the city's row, from its published figures, without registry counts, county
rankings or the heat map's counties (VIEW_PUBLISHED_MONITORING without VIEW_OBSERVATIONS)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kechuang.core.permissions import VIEW_OBSERVATIONS, VIEW_PUBLISHED_MONITORING
from kechuang.monitoring.models import AreaTarget, Indicator
from kechuang.monitoring.tests import progress_data as pd
from kechuang.registry.models import Area

pytestmark = pytest.mark.django_db

PROGRESS = "/api/monitoring/plans/nanyang-14/progress?as_of=2024-06-30"
RANKING = "/api/monitoring/plans/nanyang-14/ranking?indicator=hnte_count&as_of=2024-06-30"
GOVERNMENT = ("city_admin", "city_staff", "county_staff")
PUBLISHED_ONLY = ("enterprise", "institution", "expert")


@pytest.fixture
def figures(reference: None, users: dict[str, Any]) -> None:
    pd.load_plan()
    pd.record_hnte(users["city_staff"])  # the city's published series (420 in 2023)
    hnte = Indicator.objects.get(code="hnte_count")
    for name, baseline, target in (("卧龙区", 40, 80), ("宛城区", 30, 50)):
        AreaTarget.objects.create(
            indicator=hnte,
            area=Area.objects.get(name=name),
            baseline_value=baseline,
            target_value=target,
            method="manual",
        )
    pd.record(users["city_staff"], "hnte_count", "卧龙区", "2023", 60, "actual")
    pd.record(users["city_staff"], "hnte_count", "宛城区", "2023", 45, "actual")


def test_the_vocabulary_names_both_depths(users: dict[str, Any]) -> None:
    for role, user in users.items():
        assert VIEW_PUBLISHED_MONITORING.allows(user) is (user is not None), role
        assert VIEW_OBSERVATIONS.allows(user) is (role in GOVERNMENT), role
    assert "全市公开发布" in VIEW_OBSERVATIONS.refusal


@pytest.mark.parametrize("role", PUBLISHED_ONLY)
def test_progress_is_the_citys_published_figures_only(
    client_for: Any, figures: None, role: str
) -> None:
    mine = client_for(role).get(PROGRESS).json()
    staff = client_for("city_staff").get(PROGRESS).json()
    assert mine["area"] == staff["area"] == {"code": "411300", "name": "南阳市"}
    hnte = next(i for i in mine["indicators"] if i["code"] == "hnte_count")
    staff_hnte = next(i for i in staff["indicators"] if i["code"] == "hnte_count")
    # the same published figure and completion as city staff see ...
    assert (
        hnte["latest"]
        == staff_hnte["latest"]
        == {
            "year": 2023,
            "value": 420.0,
            "kind": "actual",
            "kind_label": "正式数",
        }
    )
    assert hnte["completion"] == staff_hnte["completion"]
    # ... but no count computed from the registries, for indicators or commitments
    assert staff_hnte["computed"] is not None
    assert [i["computed"] for i in mine["indicators"]] == [None] * len(mine["indicators"])
    hnte_500 = next(c for c in mine["commitments"] if c["code"] == "hnte_over_500")
    assert hnte_500["figure"]["value"] == 420.0
    assert all("登记库" not in o["basis"] for c in mine["commitments"] for o in c["others"])


@pytest.mark.parametrize("role", PUBLISHED_ONLY)
def test_no_county_ranking_nor_county_progress(client_for: Any, figures: None, role: str) -> None:
    client = client_for(role)
    assert client.get(RANKING).json()["rows"] == []
    staff_rows = client_for("city_staff").get(RANKING).json()["rows"]
    assert [r["area"] for r in staff_rows[:2]] == ["宛城区", "卧龙区"]
    refused = client.get(PROGRESS + "&area=卧龙区")
    assert refused.status_code == 403
    assert "全市公开发布" in refused.json()["message"]
    # the observation API hides every figure from these roles: the same visibility
    assert client.get("/api/monitoring/data/observations").json()["count"] == 0


@pytest.mark.parametrize("role", PUBLISHED_ONLY)
def test_the_dashboard_shows_the_city_alone(client_for: Any, figures: None, role: str) -> None:
    page = client_for(role).get("/monitoring/?as_of=2024-06-30")
    assert page.status_code == 200
    context = page.context
    assert [a.name for a in context["areas"]] == ["南阳市"]
    assert all(ranks == [] for _, ranks in context["rankings"])
    assert context["chart_data"]["heatmap"]["areas"] == ["南阳市"]
    assert all(card["row"].computed is None for card in context["cards"])
    assert all(c["row"].links == () for c in context["commitments"])
    html = page.content.decode()
    assert 'data-testid="published-only"' in html and "仅向市科技局和县区工作人员开放" in html
    charts = json.dumps(context["chart_data"], ensure_ascii=False)
    assert "卧龙区" not in charts and "宛城区" not in charts
    county = client_for(role).get("/monitoring/?area=卧龙区")
    assert county.status_code == 403 and "全市公开发布" in county.content.decode()


def test_government_staff_keep_the_full_dashboard(client_for: Any, figures: None) -> None:
    city = client_for("city_staff").get("/monitoring/?as_of=2024-06-30").context
    assert len(city["areas"]) == 18
    assert any(ranks for _, ranks in city["rankings"])
    assert "published-only" not in client_for("city_staff").get("/monitoring/").content.decode()
    county = client_for("county_staff").get("/monitoring/?as_of=2024-06-30").context
    assert [a.name for a in county["areas"]] == ["卧龙区"]


@pytest.mark.parametrize("role", PUBLISHED_ONLY)
def test_the_indicator_page_has_no_registry_count(
    client_for: Any, figures: None, role: str
) -> None:
    page = client_for(role).get("/monitoring/indicators/hnte_count/?as_of=2024-06-30")
    assert page.status_code == 200
    assert page.context["row"].computed is None and page.context["row"].computed_points == []
    assert page.context["row"].published.counted  # the published series still counts
    staff = client_for("city_staff").get("/monitoring/indicators/hnte_count/?as_of=2024-06-30")
    assert staff.context["row"].computed_points != []
