"""Observations are checked before they count (the same rules on the form and the API; the
import's are in test_observations_import.py), unusual values are confirmed with a reason that
is kept, and a figure is withdrawn (作废) without being deleted — on the page, the API and the
admin — after which it counts nowhere: progress, commitments, the report."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.monitoring import report as monitoring_report
from kechuang.monitoring.models import Indicator, Observation, Plan, ReviewState
from kechuang.monitoring.selectors import commitment_progress, plan_progress, published_latest
from kechuang.monitoring.tests import progress_data as pd
from kechuang.registry.models import Area

pytestmark = pytest.mark.django_db

BASE = "/monitoring/observations/"
API = "/api/monitoring/data/observations"
TODAY = timezone.localdate()
LAST = TODAY.year - 1  # the last year that is over
BODY = {
    "indicator": "hnte_count",
    "area": "南阳市",
    "kind": "actual",
    "as_of": TODAY.isoformat(),
    "source": "统计公报",
}


@pytest.fixture
def plan(reference: None) -> Plan:
    return pd.load_plan()


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def seed(user: Any, value: float, year: int = LAST - 1, code: str = "hnte_count") -> Observation:
    return pd.record(user, code, "南阳市", str(year), value, "actual", as_of=TODAY)


# --- the rules on the API ---------------------------------------------------------------------


def test_api_refuses_the_minus_five_of_the_issue(plan: Plan, client_for: Any) -> None:
    response = post(client_for("city_staff"), API, {**BODY, "period": "2026", "value": -5})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["value"] == [
        "计数类指标（单位：家）不能为负数，实为 -5。"
        " 请填写 0 或正整数；如需撤销错误的数值，请作废原记录。"
    ]
    assert Observation.objects.count() == 0


@pytest.mark.parametrize(
    "value",
    [1e30, 1e26, "1e30", "1E26", 1e14, "100000000000000", -1e20, "NaN", "inf", "-Infinity"],
)
def test_api_numbers_out_of_range_or_not_finite_answer_422(
    plan: Plan, client_for: Any, value: Any
) -> None:
    response = post(client_for("city_staff"), API, {**BODY, "period": str(LAST), "value": value})
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    problem = body["errors"]["value"][0]
    assert "数值超出可保存的范围" in problem or "不是有效的数字" in problem
    assert Observation.objects.count() == 0


def test_api_json_nan_literal_is_a_422(plan: Plan, client_for: Any) -> None:
    raw = json.dumps({**BODY, "period": str(LAST), "value": float("nan")})
    assert "NaN" in raw
    response = client_for("city_staff").post(API, raw, content_type="application/json")
    assert response.status_code == 422 and Observation.objects.count() == 0


def test_api_minus_zero_is_zero(plan: Plan, client_for: Any) -> None:
    response = post(client_for("city_staff"), API, {**BODY, "period": str(LAST), "value": "-0"})
    assert response.status_code == 201, response.content
    assert Observation.objects.get().value == 0


def test_api_counts_shares_and_amounts(plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    year = str(LAST)
    fraction = post(client, API, {**BODY, "period": year, "value": "12.5"})
    assert fraction.json()["errors"]["value"][0].startswith("计数类指标（单位：家）应为整数")
    share = post(
        client, API, {**BODY, "indicator": "hightech_industry_share", "period": year, "value": 120}
    )
    assert share.status_code == 422
    assert share.json()["errors"]["value"][0].startswith("比重类指标（单位 %）应在 0–100 之间")
    amount = post(
        client, API, {**BODY, "indicator": "tech_contract_amount", "period": year, "value": -3}
    )
    assert amount.json()["errors"]["value"][0].startswith("该指标（单位：亿元）不能为负数")
    commitment = post(
        client, API, {**BODY, "indicator": "hnte_over_500", "period": year, "value": -1}
    )
    assert commitment.json()["errors"]["value"][0].startswith("计数类指标（单位：家）不能为负数")
    assert Observation.objects.count() == 0
    ok = post(client, API, {**BODY, "indicator": "hightech_industry_share", "period": year})
    assert ok.status_code == 422  # value missing
    ok = post(
        client,
        API,
        {**BODY, "indicator": "hightech_industry_share", "period": year, "value": "100"},
    )
    assert ok.status_code == 201


def test_api_period_not_yet_over_only_for_forecasts_and_targets(
    plan: Plan, client_for: Any
) -> None:
    client = client_for("city_staff")
    future = str(TODAY.year + 1)
    actual = post(client, API, {**BODY, "period": future, "value": 500})
    assert actual.status_code == 422
    assert "尚未结束的期间只能录入预测数或目标数" in actual.json()["errors"]["period"][0]
    forecast = post(client, API, {**BODY, "period": future, "value": 500, "kind": "forecast"})
    assert forecast.status_code == 201
    target = post(client, API, {**BODY, "period": future, "value": 500, "kind": "target"})
    assert target.status_code == 201
    assert Observation.objects.count() == 2


def test_api_rate_beyond_100_percent_needs_a_reason(plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    body = {**BODY, "indicator": "rd_growth", "period": str(LAST), "value": 150}
    refused = post(client, API, body)
    assert refused.status_code == 422
    answer = refused.json()
    assert answer["code"] == "confirmation_required"
    assert "增速 150% 超出 ±100%" in answer["message"]
    assert "请在 confirm_reason 字段中说明理由后重新提交" in answer["message"]
    assert "confirm_reason" in answer["errors"]
    accepted = post(client, API, {**body, "confirm_reason": "基数很小，新建大型研发中心"})
    assert accepted.status_code == 201
    saved = accepted.json()
    assert saved["confirmed_reason"] == "基数很小，新建大型研发中心"
    assert saved["confirmed_check"] == "增速 150% 超出 ±100%，极为罕见。"


def test_api_plausibility_asks_for_confirmation_and_keeps_the_reason(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    seed(users["city_staff"], 300)
    client = client_for("city_staff")
    body = {**BODY, "period": str(LAST), "value": 1000}
    refused = post(client, API, body)
    assert refused.status_code == 422
    message = refused.json()["message"]
    assert f"数值 1000 是上年的 3.3 倍，超过 3 倍（{LAST - 1} 年计入的数值为 300）" in message
    assert "confirm_reason" in message
    assert Observation.objects.count() == 1
    blank = post(client, API, {**body, "confirm_reason": "   "})
    assert blank.status_code == 422 and Observation.objects.count() == 1
    accepted = post(client, API, {**body, "confirm_reason": "统计口径调整，含省级认定"})
    assert accepted.status_code == 201
    obs = Observation.objects.get(value=1000)
    assert obs.confirmed_reason == "统计口径调整，含省级认定"
    assert obs.confirmed_check.startswith("数值 1000 是上年的 3.3 倍")
    assert post(client, API, {**body, "value": 900, "source": "快报"}).status_code == 201
    assert post(client, API, {**body, "value": 99, "source": "另一"}).status_code == 422


def test_api_plausibility_reads_the_factor_setting(
    plan: Plan, client_for: Any, users: dict[str, Any], settings: Any
) -> None:
    settings.PLAUSIBILITY_FACTOR = 1.5
    seed(users["city_staff"], 300)
    client = client_for("city_staff")
    assert post(client, API, {**BODY, "period": str(LAST), "value": 500}).status_code == 422
    assert post(client, API, {**BODY, "period": str(LAST), "value": 450}).status_code == 201


def test_api_sign_change_of_a_rate_asks_for_confirmation(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    seed(users["city_staff"], 8, code="rd_growth")
    client = client_for("city_staff")
    body = {**BODY, "indicator": "rd_growth", "period": str(LAST), "value": -2}
    refused = post(client, API, body)
    assert refused.status_code == 422
    assert "与上年符号相反" in refused.json()["message"]
    assert post(client, API, {**body, "confirm_reason": "疫情影响"}).status_code == 201


def test_withdrawn_previous_figure_is_not_compared(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    old = seed(users["city_staff"], 30)
    client = client_for("city_staff")
    assert post(client, API, {**BODY, "period": str(LAST), "value": 300}).status_code == 422
    assert post(client, f"{API}/{old.pk}/withdraw", {"reason": "少录一位"}).status_code == 200
    assert post(client, API, {**BODY, "period": str(LAST), "value": 300}).status_code == 201


# --- the rules on the form --------------------------------------------------------------------


FORM = {**BODY, "area": "411300"}


def test_form_refuses_the_minus_five_with_the_field_named(plan: Plan, client_for: Any) -> None:
    response = client_for("city_staff").post(
        BASE + "new/", {**FORM, "period": "2026", "value": "-5"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "计数类指标（单位：家）不能为负数，实为 -5。" in html
    assert 'data-testid="confirm-box"' not in html  # no reason makes −5 acceptable
    assert Observation.objects.count() == 0
    huge = client_for("city_staff").post(
        BASE + "new/", {**FORM, "period": str(LAST), "value": "1e30"}
    )
    assert huge.status_code == 422
    assert huge.context["errors"]["value"][0].startswith("数值超出可保存的范围")


def test_form_confirmation_is_a_second_submit_with_a_reason(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    seed(users["city_staff"], 300)
    client = client_for("city_staff")
    data = {**FORM, "period": str(LAST), "value": "1000"}
    first = client.post(BASE + "new/", data)
    assert first.status_code == 422
    html = first.content.decode()
    assert 'data-testid="confirm-box"' in html and "确认并说明理由" in html
    assert first.context["confirm"] == [
        f"数值 1000 是上年的 3.3 倍，超过 3 倍（{LAST - 1} 年计入的数值为 300）。"
    ]
    assert Observation.objects.count() == 1
    second = client.post(BASE + "new/", {**data, "confirm_reason": "统计口径调整"})
    assert second.status_code == 302
    saved = Observation.objects.get(value=1000)
    assert saved.confirmed_reason == "统计口径调整"
    detail = client.get(second["Location"]).content.decode()
    assert 'data-testid="confirmed"' in detail and "确认理由：统计口径调整" in detail


# --- withdrawing --------------------------------------------------------------------------------


def legacy_minus_five(user: Any) -> Observation:
    """The figure of the issue, stored before the rules existed (no service would take it)."""
    return Observation.objects.create(
        indicator=Indicator.objects.get(code="hnte_count"),
        area=Area.objects.get(name="南阳市"),
        period="2024",
        start=dt.date(2024, 1, 1),
        end=dt.date(2024, 12, 31),
        year=2024,
        value=Decimal(-5),
        kind="actual",
        as_of=dt.date(2025, 3, 1),
        source_title="误录",
        entered_by=user,
    )


def test_a_withdrawn_minus_five_no_longer_drives_the_status(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    pd.record(staff, "hnte_count", "南阳市", "2021", 300, "actual")
    bad = legacy_minus_five(staff)
    as_of = dt.date(2025, 6, 30)
    row = plan_progress(plan, as_of, codes=["hnte_count"])["411300"][0]
    assert (row.status, row.published.latest_value) == ("critical", -5.0)
    assert round(row.published.completion, 3) == round((-5 - 264) / (500 - 264), 3)
    response = post(client_for("city_staff"), f"{API}/{bad.pk}/withdraw", {"reason": "录入错误"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["state_display"], body["withdrawn_reason"]) == (
        "withdrawn",
        "已作废",
        "录入错误",
    )
    assert body["withdrawn_by"] == staff.username and body["withdrawn_at"]
    row = plan_progress(plan, as_of, codes=["hnte_count"])["411300"][0]
    assert (row.published.latest_year, row.published.latest_value) == (2021, 300.0)
    assert row.status != "critical"
    assert published_latest("hnte_count", [Area.objects.get(name="南阳市")], 2024) == {}
    page = client_for("city_staff").get(
        "/monitoring/indicators/hnte_count/", {"as_of": "2025-06-30"}
    )
    html = page.content.decode()
    assert 'data-role="withdrawn"' in html and "已作废，不计入：录入错误" in html
    sources = monitoring_report._source_rows(plan, as_of)
    assert [r[1] for r in sources] == ["2021 年南阳市统计公报"]
    bad.refresh_from_db()
    assert bad.value == -5 and bad.state == ReviewState.WITHDRAWN  # kept, never deleted
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Observation), object_id=str(bad.pk)
    )
    withdrawal = entries.get(actor_username=staff.username)  # the other: its creation
    assert withdrawal.changes["state"] == ["ok", "withdrawn"]
    assert withdrawal.changes["withdrawn_reason"] == ["", "录入错误"]


def test_a_withdrawn_commitment_figure_no_longer_counts(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    post(
        client_for("city_staff"),
        API,
        {**BODY, "indicator": "hnte_over_500", "period": "2025", "value": 520},
    )
    obs = Observation.objects.get()
    as_of = TODAY
    status = {r.commitment.code: r.status for r in commitment_progress(plan, as_of)}
    assert status["hnte_over_500"] == "met"
    post(client_for("city_admin"), f"{API}/{obs.pk}/withdraw", {"reason": "重复录入"})
    row = {r.commitment.code: r for r in commitment_progress(plan, as_of)}["hnte_over_500"]
    # The 520 no longer counts: the commitment falls back to the indicator it restates, whose
    # registry count (no HNTE here) is 0.
    assert row.status == "not_met"
    assert row.judgement.figure.value == 0
    assert row.judgement.figure.basis.startswith("指标“高新技术企业数”登记库计算值")


def test_api_withdraw_refusals(plan: Plan, client_for: Any, users: dict[str, Any]) -> None:
    wolong = pd.record(users["city_staff"], "hnte_count", "卧龙区", "2022", 10, "actual")
    url = f"{API}/{wolong.pk}/withdraw"
    county = post(client_for("county_staff"), url, {"reason": "x"})
    assert county.status_code == 403
    assert county.json()["message"].startswith("只有市科技局工作人员可以作废监测值")
    assert post(client_for("enterprise"), url, {"reason": "x"}).status_code == 404
    assert post(client_for("anonymous"), url, {"reason": "x"}).status_code == 401
    staff = client_for("city_staff")
    empty = post(staff, url, {"reason": "  "})
    assert empty.status_code == 422
    assert empty.json()["errors"]["reason"] == [
        "请填写作废理由（如：录入错误，正确数值见更正记录）。"
    ]
    assert post(staff, f"{API}/999999/withdraw", {"reason": "x"}).status_code == 404
    wolong.refresh_from_db()
    assert wolong.state == ReviewState.OK and wolong.withdrawn_at is None
    assert post(staff, url, {"reason": "错报"}).status_code == 200
    again = post(staff, url, {"reason": "错报"})
    assert again.status_code == 409 and again.json()["message"] == "该监测值已作废，无需重复作废。"


def test_withdrawing_one_side_of_a_conflict_settles_it(plan: Plan, client_for: Any) -> None:
    client = client_for("city_staff")
    body = {**BODY, "period": str(LAST), "value": 350}
    post(client, API, body)
    wrong = post(client, API, {**body, "value": 360, "source": "名单"}).json()
    assert set(Observation.objects.values_list("state", flat=True)) == {ReviewState.CONFLICT}
    post(client, f"{API}/{wrong['id']}/withdraw", {"reason": "名单为预公示数"})
    states = dict(Observation.objects.values_list("value", "state"))
    assert states == {350: ReviewState.OK, 360: ReviewState.WITHDRAWN}


def test_page_withdraw_strikes_through_and_keeps_the_reason(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    obs = seed(users["city_staff"], 300)
    county = client_for("county_staff")
    wolong = pd.record(users["city_staff"], "hnte_count", "卧龙区", "2022", 10, "actual")
    county_page = county.get(f"{BASE}{wolong.pk}/").content.decode()
    assert 'data-testid="withdraw-form"' not in county_page
    assert county.post(f"{BASE}{wolong.pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert county.post(f"{BASE}{obs.pk}/withdraw/", {"reason": "x"}).status_code == 404
    client = client_for("city_staff")
    detail = client.get(f"{BASE}{obs.pk}/").content.decode()
    assert 'data-testid="withdraw-form"' in detail and 'data-testid="correct-link"' in detail
    empty = client.post(f"{BASE}{obs.pk}/withdraw/", {"reason": ""}, follow=True)
    assert "请填写作废理由" in empty.content.decode()
    obs.refresh_from_db()
    assert obs.state == ReviewState.OK
    done = client.post(f"{BASE}{obs.pk}/withdraw/", {"reason": "年份录错"}, follow=True)
    html = done.content.decode()
    assert "已作废该监测值" in html and "<del>300</del>" in html and "年份录错" in html
    assert 'data-testid="withdraw-form"' not in html
    listing = client.get(BASE).content.decode()
    assert "<del>300</del>" in listing and 'data-testid="withdrawn-reason">年份录错<' in listing
    withdrawn_list = client.get(BASE, {"state": "withdrawn"})
    assert withdrawn_list.context["current"].paginator.count == 1


def test_correction_opens_the_form_prefilled_as_a_new_vintage(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    earlier = TODAY - dt.timedelta(days=30)
    old = pd.record(
        users["city_staff"], "hnte_count", "南阳市", str(LAST), 350, "actual", as_of=earlier
    )
    client = client_for("city_staff")
    page = client.get(BASE + "new/", {"from": old.pk})
    values = page.context["values"]
    assert (values["indicator"], values["area"], values["period"], values["value"]) == (
        "hnte_count",
        "411300",
        str(LAST),
        "350",
    )
    assert values["as_of"] == TODAY.isoformat() and values["source"] == old.source_title
    assert 'data-testid="correction-note"' in page.content.decode()
    assert client.get(BASE + "new/", {"from": "abc"}).context["values"]["kind"] == "actual"
    saved = client.post(BASE + "new/", {**values, "value": "352"})
    assert saved.status_code == 302
    history = client.get(saved["Location"]).context["history"]
    assert [h.value for h in history] == [352, 350]


# --- the admin ---------------------------------------------------------------------------------


def test_admin_withdraw_action_asks_for_a_reason(
    plan: Plan, client_for: Any, users: dict[str, Any]
) -> None:
    obs = seed(users["city_staff"], 300)
    client = client_for("city_admin")
    listing = client.get("/admin/monitoring/observation/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "withdraw_selected" in html and f"/monitoring/observations/new/?from={obs.pk}" in html
    url = "/admin/monitoring/observation/"
    ask = client.post(url, {"action": "withdraw_selected", "_selected_action": [obs.pk]})
    assert ask.status_code == 200 and "作废理由（必填）" in ask.content.decode()
    blank = client.post(
        url,
        {"action": "withdraw_selected", "_selected_action": [obs.pk], "confirm": "yes"},
    )
    assert blank.status_code == 200 and "请填写作废理由。" in blank.content.decode()
    obs.refresh_from_db()
    assert obs.state == ReviewState.OK
    done = client.post(
        url,
        {
            "action": "withdraw_selected",
            "_selected_action": [obs.pk],
            "confirm": "yes",
            "reason": "与统计公报不符",
        },
    )
    assert done.status_code == 302
    obs.refresh_from_db()
    assert (obs.state, obs.withdrawn_reason, obs.withdrawn_by) == (
        ReviewState.WITHDRAWN,
        "与统计公报不符",
        users["city_admin"],
    )
