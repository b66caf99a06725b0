"""The cultivation API: pool, funnel, screenings and projection, with scope and error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kechuang.cultivation.models import ScreeningRun

pytestmark = pytest.mark.django_db


def test_pool_api_is_scoped_filtered_and_ordered(client_for: Any, screened: Any) -> None:
    city = client_for("city_staff").get("/api/cultivation/pool?stage=pool").json()
    assert city["count"] == 6
    assert city["results"][0]["organization"]["name"] == "成熟企业（测试）"
    growing = next(r for r in city["results"] if r["organization"]["name"] == "成长企业（测试）")
    assert growing["tier"] == "growing" and growing["tier_label"] == "成长型"
    assert growing["hnte"]["failed_conditions"] == [
        {"code": "hnte.c4.st_staff_ratio", "label": "科技人员占比"}
    ]
    county = client_for("county_staff").get("/api/cultivation/pool?stage=pool").json()
    assert {r["organization"]["area"] for r in county["results"]} == {"卧龙区"}
    assert county["count"] == 5


def test_pool_api_refuses_bad_filters_with_the_error_shape(client_for: Any, screened: Any) -> None:
    response = client_for("city_staff").get("/api/cultivation/pool?tier=gold&max_failed=11")
    assert response.status_code == 422
    body = response.json()
    assert set(body) >= {"code", "message", "errors"}
    assert set(body["errors"]) == {"tier", "max_failed"}


def test_entry_and_funnel_endpoints(client_for: Any, screened: Any) -> None:
    client = client_for("city_staff")
    org = screened["growing"]
    entry = client.get(f"/api/cultivation/pool/{org.pk}").json()
    assert entry["movements"] == [{"on": "2025-06-30", "from": None, "to": "growing"}]
    funnel = client.get("/api/cultivation/funnel").json()
    assert funnel["area"] == "南阳市"
    assert {s["key"]: s["value"] for s in funnel["stages"]}["growing"] == 2
    wancheng = next(a for a in funnel["areas"] if a["area"] == "宛城区")
    assert wancheng["tsme"] == 1 and wancheng["growing"] == 1
    county = client_for("county_staff")
    assert county.get(f"/api/cultivation/pool/{screened['wancheng'].pk}").status_code == 404
    assert county.get("/api/cultivation/funnel?area=411302").status_code == 403
    assert client.get("/api/cultivation/funnel?area=nowhere").status_code == 422


def test_screening_api_queues_and_reports(client_for: Any, screened: Any) -> None:
    client = client_for("city_staff")
    response = client.post(
        "/api/cultivation/screenings",
        json.dumps({"as_of": "2025-06-30", "area": "卧龙区"}),
        content_type="application/json",
    )
    assert response.status_code == 202
    run = response.json()
    assert run["status"] == "queued" and run["area"] == "卧龙区"
    status = client.get(f"/api/cultivation/screenings/{run['id']}").json()
    assert status["status_label"] == "排队中"
    bad = client.post(
        "/api/cultivation/screenings",
        json.dumps({"as_of": "2999-01-01"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "as_of" in bad.json()["errors"]
    assert ScreeningRun.objects.filter(as_of="2999-01-01").count() == 0
    county = client_for("county_staff")
    assert county.get(f"/api/cultivation/screenings/{run['id']}").status_code == 200
    forbidden = county.post(
        "/api/cultivation/screenings",
        json.dumps({"area": "宛城区"}),
        content_type="application/json",
    )
    assert forbidden.status_code == 403


def test_projection_api(client_for: Any, screened: Any, plan: Any) -> None:
    client = client_for("city_staff")
    body = client.get("/api/cultivation/projection?target_year=2027&support=1").json()
    assert body["plan"] == "nanyang-14"
    assert body["targets"]["target_year"] == 2027 and body["targets"]["hnte"] == 500
    assert [y["year"] for y in body["result"]["years"]] == [2026, 2027]
    assert body["supported"][0]["organization"] == "成熟企业（测试）"
    assert client.get("/api/cultivation/projection?support=9999").status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "/api/cultivation/pool",
        "/api/cultivation/funnel",
        "/api/cultivation/screenings",
        "/api/cultivation/projection",
    ],
)
def test_non_government_users_are_refused(client_for: Any, screened: Any, url: str) -> None:
    for role in ("enterprise", "institution", "expert"):
        assert client_for(role).get(url).status_code == 403
    assert client_for("anonymous").get(url).status_code in (401, 403)
