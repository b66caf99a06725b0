"""The plan-monitoring pages: the dashboard (cards, commitments, charts' data, heat map,
ranking), the indicator detail, empty states and who sees which area."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from kechuang.monitoring.models import Observation
from kechuang.monitoring.tests import progress_data as pd

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(reference: None) -> Any:
    return pd.load_plan()


@pytest.fixture
def hnte(plan: Any, users: dict[str, Any]) -> None:
    pd.record_hnte(users["city_staff"])


def chart_data(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    start = html.index('<script id="monitoring-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def card(response: Any, code: str) -> Any:
    return next(c for c in response.context["cards"] if c["data"]["code"] == code)


def test_anonymous_is_sent_to_log_in(client_for: Any) -> None:
    response = client_for("anonymous").get("/monitoring/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_no_plan_loaded(client_for: Any) -> None:
    response = client_for("city_staff").get("/monitoring/")
    assert response.status_code == 200
    assert "manage.py load_plan" in response.content.decode()


def test_no_observations_yet(client_for: Any, plan: Any) -> None:
    response = client_for("city_staff").get("/monitoring/?as_of=2024-06-30")
    html = response.content.decode()
    assert len(response.context["cards"]) == 11
    assert all(c["data"]["status_label"] == "暂无数据" for c in response.context["cards"])
    assert 'data-testid="no-observations"' in html
    assert 'href="/monitoring/observations/new/"' in html


def test_cards_show_the_counted_value_completion_and_status(client_for: Any, hnte: None) -> None:
    response = client_for("city_staff").get("/monitoring/?as_of=2024-06-30")
    assert response.status_code == 200
    assert response.context["plan"].document_number == "宛政办〔2022〕52号"
    c = card(response, "hnte_count")
    d = c["data"]
    # 420 正式数 (2024-05-10) supersedes the 410 初步数; the 2025 预测数 never counts.
    assert d["latest"] == {"year": 2023, "value": 420.0, "kind": "actual", "kind_label": "正式数"}
    assert d["completion"] == pytest.approx(pd.COMPLETION)
    assert d["completion"] == pytest.approx(0.661, abs=5e-4)
    assert d["expected_value"] == pytest.approx(pd.EXPECTED_2023)
    assert d["status"] == "on_track" and c["colour"] == "primary"
    assert d["forecast"]["value"] == pytest.approx(pd.FORECAST_2025)
    assert d["not_counted"] == 1
    assert c["show"]["completion"] == "66.1%"
    html = response.content.decode()
    assert "正式数 · 完成度" in html and "66.1%" in html
    # The computed value (no qualifications registered: 0) is shown beside, with its trace.
    assert d["computed"]["value"] == 0.0
    assert "/registry/qualifications/?kind=HNTE" in d["computed"]["trace_url"]
    assert "登记库计算值" in html


def test_the_date_picker_goes_back_before_the_revision(client_for: Any, hnte: None) -> None:
    response = client_for("city_staff").get("/monitoring/?as_of=2024-03-01")
    d = card(response, "hnte_count")["data"]
    assert d["latest"]["value"] == 410.0 and d["latest"]["kind_label"] == "初步数"
    assert d["completion"] == pytest.approx(pd.PRELIMINARY_COMPLETION)


def test_a_bad_date_is_reported_and_today_used(client_for: Any, plan: Any) -> None:
    response = client_for("city_staff").get("/monitoring/?as_of=2024-13-45")
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date.today()
    assert "格式有误" in response.content.decode()


def test_chart_data_holds_actuals_path_computed_and_forecast(client_for: Any, hnte: None) -> None:
    data = chart_data(client_for("city_staff").get("/monitoring/?as_of=2024-06-30"))
    chart = data["charts"]["hnte_count"]
    assert chart["years"] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert chart["counted"] == [None, 300.0, 350.0, 420.0, None, None]
    assert chart["path"][0] == 264 and chart["path"][-1] == 500
    assert chart["path"][3] == pytest.approx(pd.EXPECTED_2023, abs=1e-3)
    assert chart["forecast"][3] == 420.0
    assert chart["forecast"][5] == pytest.approx(pd.FORECAST_2025)
    low, high = chart["forecast_interval"]
    assert low < pd.FORECAST_2025 < high
    assert chart["forecast_low"][5] == pytest.approx(low)
    assert chart["forecast_low"][5] + chart["forecast_span"][5] == pytest.approx(high)
    assert chart["not_counted"] == [{"year": 2025, "value": 600.0, "reason": "预测数，不计入进度"}]
    assert chart["computed"][1:4] == [0.0, 0.0, 0.0]
    assert len(data["charts"]) == 11
    heat = data["heatmap"]
    assert len(heat["areas"]) == 18 and len(heat["indicators"]) == 11
    x = heat["indicators"].index("高新技术企业数")
    city = next(c for c in heat["cells"] if c["value"][:2] == [x, 0])
    assert city["value"][2] == round(pd.COMPLETION * 100, 1) and city["source"] == "published"


def test_commitments_and_ranking_are_listed(client_for: Any, hnte: None) -> None:
    response = client_for("city_staff").get("/monitoring/?as_of=2024-06-30")
    assert len(response.context["commitments"]) >= 30
    titles = [c["data"]["title"] for c in response.context["commitments"]]
    assert "高新技术企业突破500家" in titles
    rankings = response.context["rankings"]
    assert len(rankings) == 11
    _indicator, rows = rankings[0]
    assert len(rows) == 17  # the 13 counties and 4 zones, not the city
    assert all(r["status_label"] == "暂无数据" for r in rows)  # no area targets yet


def test_the_pages_say_all_eleven_indicators_are_expected(client_for: Any, hnte: None) -> None:
    client = client_for("city_staff")
    board = client.get("/monitoring/?as_of=2024-06-30").content.decode()
    assert "11 项指标均为预期性指标（引导方向、争取实现），不是约束性指标。" in board
    page = client.get("/monitoring/indicators/hnte_count/?as_of=2024-06-30").content.decode()
    assert (
        '<span class="badge fs-6 text-bg-light border" data-testid="nature">预期性指标</span>'
        in page
    )
    body = client.get("/api/monitoring/plans/nanyang-14/progress?as_of=2024-06-30").json()
    assert {(i["nature"], i["nature_label"]) for i in body["indicators"]} == {
        ("expected", "预期性")
    }


def test_the_commitments_table_shows_how_each_is_read(client_for: Any, hnte: None) -> None:
    page = client_for("city_staff").get("/monitoring/?as_of=2024-06-30").content.decode()
    assert "10 左右（9—11）" in page  # the tolerance from the plan file, with its note
    assert "“左右”：规划未给出“左右”的允许偏差" in page
    assert "≥ 70" in page and "= 70" not in page


def test_conflicting_sources_are_warned_not_counted(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    pd.record(staff, "tsme_count", "南阳市", "2022", 700, "actual", source_title="统计公报")
    pd.record(staff, "tsme_count", "南阳市", "2022", 720, "actual", source_title="科技局年报")
    response = client_for("city_staff").get("/monitoring/?as_of=2024-06-30")
    d = card(response, "tsme_count")["data"]
    assert d["status"] == "no_data" and d["conflicts"] == 2
    assert any("来源冲突" in w for w in d["warnings"])
    detail = client_for("city_staff").get(
        "/monitoring/indicators/tsme_count/?as_of=2024-06-30&area=南阳市"
    )
    roles = [line.role for line in detail.context["lines"]]
    assert roles == ["conflict", "conflict"]


def test_indicator_page_explains_every_observation(client_for: Any, hnte: None) -> None:
    response = client_for("city_staff").get(
        "/monitoring/indicators/hnte_count/?as_of=2024-06-30&area=411300"
    )
    assert response.status_code == 200
    lines = {
        (line.observation.period, line.observation.kind): line for line in response.context["lines"]
    }
    assert lines[("2021", "actual")].role == "counted"
    assert lines[("2023", "actual")].role == "counted"
    assert lines[("2023", "preliminary")].role == "superseded"
    assert "正式数取代" in lines[("2023", "preliminary")].reason
    assert lines[("2025", "forecast")].role == "not_counted"
    html = response.content.decode()
    for text in (
        "南阳市统计局",
        "全市高新技术企业达到 420 家",
        'href="https://tjj.nanyang.gov.cn/2023-bulletin"',
        "按规划路径应为",
        "387.28",  # expected value 2023: 264·(500/264)^0.6
        "536.67",  # forecast 2025
        "90% 预测区间",
        "差距 ≤ 5% 为正常",
        "登记库计算值",
    ):
        assert text in html, text
    earlier = client_for("city_staff").get("/monitoring/indicators/hnte_count/?as_of=2024-03-01")
    later = [line for line in earlier.context["lines"] if line.role == "later"]
    assert [line.observation.value for line in later] == [420]


def test_unsafe_source_addresses_are_not_links(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    pd.record(
        users["city_staff"],
        "platforms",
        "南阳市",
        "2022",
        800,
        "actual",
        source_url="javascript:alert(1)",
    )
    html = client_for("city_staff").get("/monitoring/indicators/platforms/").content.decode()
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as text


@pytest.mark.parametrize("address", ["//evil.example/x", "javascript:alert(1)", "data:text/html,x"])
def test_protocol_relative_and_local_addresses_are_text_not_links(
    client_for: Any, plan: Any, users: dict[str, Any], address: str
) -> None:
    pd.record(users["city_staff"], "platforms", "南阳市", "2022", 800, "actual", source_url=address)
    obs = Observation.objects.get(source_url=address)
    client = client_for("city_staff")
    for path in ("/monitoring/indicators/platforms/", f"/monitoring/observations/{obs.pk}/"):
        html = client.get(path).content.decode()
        assert f'href="{address}' not in html
        assert address in html  # shown as text


def test_an_http_source_is_a_link_on_both_pages(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    address = "https://tjj.nanyang.gov.cn/bulletin-2022"
    pd.record(users["city_staff"], "platforms", "南阳市", "2022", 800, "actual", source_url=address)
    obs = Observation.objects.get(source_url=address)
    client = client_for("city_staff")
    for path in ("/monitoring/indicators/platforms/", f"/monitoring/observations/{obs.pk}/"):
        html = client.get(path).content.decode()
        assert f'href="{address}" rel="noopener noreferrer"' in html


def test_unknown_indicator_is_404(client_for: Any, plan: Any) -> None:
    assert client_for("city_staff").get("/monitoring/indicators/nope/").status_code == 404


def test_county_user_defaults_to_and_is_limited_to_their_area(
    client_for: Any, plan: Any, users: dict[str, Any]
) -> None:
    pd.record_hnte(users["city_staff"], area="卧龙区")
    client = client_for("county_staff")
    response = client.get("/monitoring/?as_of=2024-06-30")
    assert response.status_code == 200
    assert response.context["area"].name == "卧龙区"
    assert [a.name for a in response.context["areas"]] == ["卧龙区"]
    # No area target has been split for 卧龙区 yet: no status, and it says why.
    d = card(response, "hnte_count")["data"]
    assert d["status"] == "no_data" and "尚未分解目标" in d["warnings"][0]
    assert client.get("/monitoring/?area=宛城区").status_code == 403
    assert client.get("/monitoring/?area=南阳市").status_code == 403
    assert client.get("/monitoring/indicators/hnte_count/?area=宛城区").status_code == 403
    detail = client.get("/monitoring/indicators/hnte_count/?as_of=2024-06-30")
    assert len(detail.context["lines"]) == 5


def test_city_staff_may_pick_a_county(client_for: Any, plan: Any) -> None:
    response = client_for("city_staff").get("/monitoring/?area=卧龙区")
    assert response.context["area"].name == "卧龙区"
    assert client_for("city_staff").get("/monitoring/?area=不存在").status_code == 404


def test_the_navigation_links_the_dashboard(client_for: Any, plan: Any) -> None:
    html = client_for("city_staff").get("/").content.decode()
    assert 'href="/monitoring/"' in html
