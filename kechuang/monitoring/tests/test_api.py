"""The plan-monitoring API: plans, progress (the dashboard's figures), the area ranking, and its
permission matrix."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.core.tests.permissions import Row, check_row, endpoint, row_id
from kechuang.monitoring.models import AreaTarget, Indicator
from kechuang.monitoring.tests import progress_data as pd
from kechuang.registry.models import Area

pytestmark = pytest.mark.django_db

PROGRESS = "/api/monitoring/plans/nanyang-14/progress"
EVERYONE = dict(
    anonymous=401,
    city_admin=200,
    city_staff=200,
    county_staff=200,
    enterprise=200,
    institution=200,
    expert=200,
)
# Roles that see plan monitoring only as published for the whole city (no observations).
PUBLISHED_ONLY = dict(enterprise=403, institution=403, expert=403)


def published_only_answer(role: str, response: Any) -> None:
    """The whole city's published figures for roles that see no observations: the city's row,
    no count computed from the registries (government staff see those)."""
    if role == "anonymous":
        return
    body = response.json()
    computed = [i["computed"] for i in body["indicators"] if i["computed"] is not None]
    if role in PUBLISHED_ONLY:
        assert body["area"]["code"] == "411300", f"{role} 只应看到全市"
        assert computed == [], f"{role} 不应看到登记库计数"
    else:
        assert computed != [], f"{role} 应看到登记库计数"


ROWS = [
    endpoint("GET", "/api/monitoring/plans", **EVERYONE),
    endpoint("GET", PROGRESS + "?as_of=2024-06-30", **EVERYONE),
    endpoint("GET", "/api/monitoring/plans/nanyang-14/ranking?indicator=hnte_count", **EVERYONE),
    endpoint(
        "GET",
        PROGRESS + "?area=宛城区",
        name="GET progress of another county",
        **{**EVERYONE, **PUBLISHED_ONLY, "county_staff": 403},
    ),
    # VIEW_PUBLISHED_MONITORING without VIEW_OBSERVATIONS: the whole city's published figures,
    # no county, no registry count (the check reads the answer of each role)
    Row(
        "GET",
        PROGRESS + "?as_of=2024-06-30",
        dict(EVERYONE),
        name="GET progress: the city's published figures only, for whom sees no observations",
        check=lambda role, response, context: published_only_answer(role, response),
    ),
    endpoint(
        "GET",
        PROGRESS + "?area=卧龙区",
        name="GET progress of a county",
        **{**EVERYONE, **PUBLISHED_ONLY},
    ),
    endpoint(
        "GET",
        "/api/monitoring/plans/nanyang-14/ranking?indicator=hnte_count&area=卧龙区",
        name="GET ranking within a county",
        **{**EVERYONE, **PUBLISHED_ONLY},
    ),
    endpoint(
        "GET",
        "/api/monitoring/plans/nope/progress",
        name="GET progress of an unknown plan",
        **{role: 404 for role in EVERYONE if role != "anonymous"},
        anonymous=401,
    ),
    endpoint(
        "GET",
        PROGRESS + "?as_of=2024-02-30",
        name="GET progress with a bad date",
        **{role: 422 for role in EVERYONE if role != "anonymous"},
        anonymous=401,
    ),
]


@pytest.fixture
def plan(reference: None) -> Any:
    return pd.load_plan()


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_monitoring_permission_matrix(client_for: Any, plan: Any, row: Any) -> None:
    check_row(client_for, {}, row)


def indicator(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in body["indicators"] if i["code"] == code)


def test_plans_are_listed(client_for: Any, plan: Any) -> None:
    body = client_for("expert").get("/api/monitoring/plans").json()
    assert body == [
        {
            "code": "nanyang-14",
            "title": "南阳市“十四五”科技创新和一流创新生态建设规划",
            "document_number": "宛政办〔2022〕52号",
            "issued_on": "2022-08-02",
            "start_year": 2021,
            "end_year": 2025,
            "area": "南阳市",
        }
    ]


def test_progress_gives_the_dashboard_figures(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    pd.record_hnte(users["city_staff"])
    body = client_for("city_staff").get(PROGRESS + "?as_of=2024-06-30").json()
    assert body["as_of"] == "2024-06-30"
    assert body["area"] == {"code": "411300", "name": "南阳市"}
    assert len(body["indicators"]) == 11
    hnte = indicator(body, "hnte_count")
    assert hnte["baseline_value"] == 264 and hnte["target_value"] == 500
    assert hnte["latest"] == {
        "year": 2023,
        "value": 420.0,
        "kind": "actual",
        "kind_label": "正式数",
    }
    assert hnte["completion"] == pytest.approx(0.661, abs=5e-4)
    assert hnte["status"] == "on_track" and hnte["status_label"] == "正常"
    assert hnte["expected_completion"] == pytest.approx((pd.EXPECTED_2023 - 264) / 236)
    assert hnte["forecast"]["value"] == pytest.approx(pd.FORECAST_2025)
    assert hnte["forecast"]["method"] == "ols" and hnte["forecast"]["points"] == 3
    assert hnte["years_counted"] == [2021, 2022, 2023]
    assert hnte["computed"]["value"] == 0.0 and hnte["computed"]["status"] == "critical"
    assert indicator(body, "rd_growth")["status"] == "no_data"
    assert len(body["commitments"]) >= 30
    hnte_500 = next(c for c in body["commitments"] if c["code"] == "hnte_over_500")
    # The commitment restates the indicator 高新技术企业数: with no figure of its own it reads the
    # indicator's published 2023 value (420 < 500, the target year 2025 still ahead) and shows
    # the registry's computed value (0 here) beside it.
    assert hnte_500["indicator"] == "hnte_count"
    assert (hnte_500["status"], hnte_500["status_label"]) == ("not_yet", "尚未达到")
    assert hnte_500["figure"] == {
        "value": 420.0,
        "year": 2023,
        "basis": "指标“高新技术企业数”发布数：2023 年正式数",
    }
    assert hnte_500["others"][0]["basis"] == "指标“高新技术企业数”登记库计算值：2023 年年末数"
    assert hnte_500["others"][0]["value"] == 0.0
    assert hnte_500["target_text"] == "≥ 500"


def test_progress_before_the_revision_uses_the_preliminary_figure(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    pd.record_hnte(users["city_staff"])
    body = client_for("city_staff").get(PROGRESS + "?as_of=2024-03-01").json()
    hnte = indicator(body, "hnte_count")
    assert hnte["latest"]["value"] == 410.0 and hnte["latest"]["kind"] == "preliminary"
    assert hnte["completion"] == pytest.approx(pd.PRELIMINARY_COMPLETION)


def test_a_forecast_alone_never_counts(client_for: Any, plan: Any, users: dict[str, Any]) -> None:
    pd.record(users["city_staff"], "platforms", "南阳市", "2025", 1200, "forecast")
    body = client_for("city_staff").get(PROGRESS).json()
    platforms = indicator(body, "platforms")
    assert platforms["latest"] is None and platforms["status"] == "no_data"
    assert platforms["not_counted"] == 1


def test_progress_by_area_name_or_code(client_for: Any, plan: Any) -> None:
    client = client_for("city_staff")
    by_name = client.get(PROGRESS + "?area=卧龙区&as_of=2024-06-30").json()
    by_code = client.get(PROGRESS + "?area=411303&as_of=2024-06-30").json()
    assert by_name == by_code and by_name["area"]["name"] == "卧龙区"
    assert client_for("county_staff").get(PROGRESS).json()["area"]["name"] == "卧龙区"


def test_errors_have_the_one_shape(client_for: Any, plan: Any) -> None:
    client = client_for("city_staff")
    bad_date = client.get(PROGRESS + "?as_of=yesterday")
    assert bad_date.status_code == 422
    assert "YYYY-MM-DD" in bad_date.json()["errors"]["as_of"][0]
    unknown_area = client.get(PROGRESS + "?area=火星")
    assert unknown_area.status_code == 422 and "area" in unknown_area.json()["errors"]
    missing = client.get("/api/monitoring/plans/nanyang-13/progress")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message", "errors"}
    unknown = client.get("/api/monitoring/plans/nanyang-14/ranking?indicator=gdp")
    assert unknown.status_code == 422 and "indicator" in unknown.json()["errors"]


def test_ranking_orders_areas_with_targets_by_completion(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    hnte = Indicator.objects.get(code="hnte_count")
    for name, baseline, target in (("卧龙区", 40, 80), ("宛城区", 30, 50)):
        AreaTarget.objects.create(
            indicator=hnte,
            area=Area.objects.get(name=name),
            baseline_value=baseline,
            target_value=target,
            method="manual",
        )
    staff = users["city_staff"]
    pd.record(staff, "hnte_count", "卧龙区", "2023", 60, "actual")  # (60−40)/40 = 0.5
    pd.record(staff, "hnte_count", "宛城区", "2023", 45, "actual")  # (45−30)/20 = 0.75
    body = (
        client_for("city_staff")
        .get("/api/monitoring/plans/nanyang-14/ranking?indicator=hnte_count&as_of=2024-06-30")
        .json()
    )
    assert body["indicator_name"] == "高新技术企业数"
    top = body["rows"][:3]
    assert [(r["rank"], r["area"]) for r in top[:2]] == [(1, "宛城区"), (2, "卧龙区")]
    assert top[0]["completion"] == pytest.approx(0.75)
    assert top[1]["completion"] == pytest.approx(0.5)
    assert top[2]["rank"] is None and top[2]["status_label"] == "暂无数据"
    assert len(body["rows"]) == 17
    county = (
        client_for("county_staff")
        .get("/api/monitoring/plans/nanyang-14/ranking?indicator=hnte_count&as_of=2024-06-30")
        .json()
    )
    assert [r["area"] for r in county["rows"]] == ["卧龙区"]
