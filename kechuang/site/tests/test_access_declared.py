"""The access matrix of the operations and pages that are not generated registry CRUD: the
cultivation and monitoring APIs, tokens, the figure workflow's and the Excel pages, the
cultivation and monitoring pages, the home page. Expected answers are written out per role
(the specification); `test_access_completeness.py` fails when an operation or a page has no row.

404 = outside the caller's scope (as if missing); 403 = not the role's; 302 for anonymous
visitors of a page = the login page.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kechuang.core.tests.permissions import ROLES, Row, check_row, row
from kechuang.cultivation.tests.test_assess_entry_points import CASE
from kechuang.monitoring.models import Observation
from kechuang.registry.models import InnovationPlatform, PlatformStatusChange, Qualification
from kechuang.registry.services.platforms import record_status_change
from kechuang.registry.tests.claims import stored_claim

pytestmark = pytest.mark.django_db

GOVERNMENT = {"city_admin", "city_staff", "county_staff"}
CITY = {"city_admin", "city_staff"}


def withdrawn_only_by_the_city(role: str, response: Any, context: dict[str, Any]) -> None:
    """After a withdraw request: the figure is withdrawn for city staff, untouched otherwise."""
    state = Observation.objects.get(pk=context["observation_wolong"]).state
    assert state == ("withdrawn" if role in CITY else "ok"), (
        f"状态应{'已' if role in CITY else '未'}作废，实为 {state}"
    )


def published_monitoring_only(role: str, response: Any, context: dict[str, Any]) -> None:
    """The dashboard: VIEW_PUBLISHED_MONITORING alone shows the city's row, no county."""
    if role == "anonymous":
        return
    areas = [a.name for a in response.context["areas"]]
    if role in GOVERNMENT:
        assert areas == (["卧龙区"] if role == "county_staff" else areas) and len(areas) >= 1
        assert not response.context["published_only"]
    else:
        assert areas == ["南阳市"], f"{role} 只应看到全市：{areas}"
        assert response.context["published_only"]


def only(allowed: set[str], ok: int, anonymous: int, others: int = 403) -> dict[str, int]:
    return {
        role: anonymous if role == "anonymous" else (ok if role in allowed else others)
        for role in ROLES
    }


def signed_in(ok: int, anonymous: int) -> dict[str, int]:
    return only(set(ROLES) - {"anonymous"}, ok, anonymous)


# Who views the platform hosted by the 卧龙区 enterprise: the city, 卧龙区's staff, the host's
# users; the institution (another organization) and experts do not (404).
PLATFORM_VIEWERS = {"city_admin", "city_staff", "county_staff", "enterprise"}


def platform_access(ok: int, refused: int, anonymous: int) -> dict[str, int]:
    """Recording a platform's status change: city staff only; the other viewers are refused,
    the others do not see the platform."""
    return {
        role: anonymous
        if role == "anonymous"
        else ok
        if role in CITY
        else refused
        if role in PLATFORM_VIEWERS
        else 404
        for role in ROLES
    }


def history_unchanged_unless_city(role: str, response: Any, context: dict[str, Any]) -> None:
    count = PlatformStatusChange.objects.count()
    if role in CITY:
        assert count == context["status_changes"] + 1, "城市工作人员的记录未写入"
    else:
        assert count == context["status_changes"], f"{role} 被拒绝后仍写入了状态变更"


# Who sees a claim of the Wolong enterprise: city staff, Wolong's county staff, the enterprise.
SEES_WOLONG_CLAIM = CITY | {"county_staff", "enterprise"}


def still_claimed(key: str) -> Any:
    """A refused verify/reject changed nothing: the claim is still 待核验."""

    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        if response.status_code in (200, 302) and role in CITY:
            return
        state = Qualification.objects.get(pk=context[key]).verification
        assert state == "claimed", f"被拒绝后资质状态应仍为 claimed，实为 {state}"

    return check


QUALIFICATION_API_ROWS = [
    # a claim is multipart (certificate number + scan); a JSON body is a clear 422
    Row(
        "POST",
        "/api/registry/qualification-claims",
        {**signed_in(422, 401), "expert": 403},
        body={"kind": "HNTE", "verification": "verified"},
        name="POST a claim as JSON",
    ),
    Row(
        "POST",
        "/api/registry/qualifications/{claim_wolong}/verify",
        {**only(SEES_WOLONG_CLAIM, 403, 401, 404), "city_admin": 200, "city_staff": 200},
        name="POST verify own-area claim",
        check=still_claimed("claim_wolong"),
    ),
    Row(
        "POST",
        "/api/registry/qualifications/{claim_wancheng}/verify",
        only(CITY, 200, 401, 404),
        name="POST verify other-area claim",
        check=still_claimed("claim_wancheng"),
    ),
    Row(
        "POST",
        "/api/registry/qualifications/{claim_wolong}/reject",
        {**only(SEES_WOLONG_CLAIM, 403, 401, 404), "city_admin": 200, "city_staff": 200},
        body={"reason": "证书编号与扫描件不符"},
        name="POST reject own-area claim",
        check=still_claimed("claim_wolong"),
    ),
    Row(
        "GET",
        "/api/registry/qualifications/{claim_wolong}/scan",
        only(SEES_WOLONG_CLAIM, 200, 401, 404),
        name="GET own-area claim's scan",
    ),
    Row(
        "GET",
        "/api/registry/qualifications/{claim_wancheng}/scan",
        only(CITY, 200, 401, 404),
        name="GET other-area claim's scan",
    ),
]

QUALIFICATION_PAGE_ROWS = [
    Row("GET", "/registry/qualifications/claim/", {**signed_in(200, 302), "expert": 403}),
    Row(
        "POST",
        "/registry/qualifications/claim/",
        {**signed_in(422, 302), "expert": 403},
        body={"kind": "HNTE", "issued_on": "2024-11-01", "issuer_level": "national"},
        name="POST a claim without number and scan",
    ),
    Row("GET", "/registry/qualifications/pending/", only(CITY, 200, 302)),
    Row("GET", "/registry/qualifications/official-list/", only(CITY, 200, 302)),
    Row(
        "POST",
        "/registry/qualifications/official-list/",
        only(CITY, 422, 302),
        body={"kind": "HNTE"},
        name="POST an official list without a file",
    ),
    Row(
        "POST",
        "/registry/qualifications/{claim_wolong}/verify/",
        only(CITY, 302, 302),
        name="verify a claim on the page",
        check=still_claimed("claim_wolong"),
    ),
    Row(
        "POST",
        "/registry/qualifications/{claim_wolong}/reject/",
        only(CITY, 302, 302),
        body={"reason": "扫描件模糊，请重新上传"},
        name="reject a claim on the page",
        check=still_claimed("claim_wolong"),
    ),
    Row(
        "GET",
        "/registry/qualifications/{claim_wolong}/scan/",
        only(SEES_WOLONG_CLAIM, 200, 302, 404),
        name="own-area claim's scan page",
    ),
]


API_ROWS = [
    # tokens: each user manages their own; another user's token is as missing
    Row("GET", "/api/accounts/tokens", signed_in(200, 401)),
    Row("POST", "/api/accounts/tokens", signed_in(201, 401), body={"name": "脚本"}),
    Row(
        "DELETE",
        "/api/accounts/tokens/{token_city_staff}",
        {**signed_in(404, 401), "city_staff": 204},
        name="DELETE another user's token",
    ),
    # cultivation: the bureau's and the counties' working data
    Row(
        "POST",
        "/api/cultivation/assess?rules=tsme-2022",
        signed_in(200, 401),
        body=CASE,
        name="POST self-assessment",
    ),
    Row("GET", "/api/cultivation/pool", only(GOVERNMENT, 200, 401)),
    Row(
        "GET",
        "/api/cultivation/pool/{pool_wolong}",
        only(GOVERNMENT, 200, 401),
        name="GET own-area pool entry",
    ),
    Row(
        "GET",
        "/api/cultivation/pool/{pool_wancheng}",
        {**only(GOVERNMENT, 200, 401), "county_staff": 404},
        name="GET other-area pool entry",
    ),
    Row("GET", "/api/cultivation/funnel", only(GOVERNMENT, 200, 401)),
    Row(
        "GET",
        "/api/cultivation/funnel?area=宛城区",
        {**only(GOVERNMENT, 200, 401), "county_staff": 403},
        name="GET another county's funnel",
    ),
    Row("GET", "/api/cultivation/projection", only(GOVERNMENT, 200, 401)),
    Row("GET", "/api/cultivation/screenings", only(GOVERNMENT, 200, 401)),
    Row("POST", "/api/cultivation/screenings", only(GOVERNMENT, 202, 401), body={}),
    Row(
        "GET",
        "/api/cultivation/screenings/{run_wolong}",
        only(GOVERNMENT, 200, 401),
        name="GET own-area screening",
    ),
    Row(
        "GET",
        "/api/cultivation/screenings/{run_wancheng}",
        {**only(GOVERNMENT, 200, 401), "county_staff": 404},
        name="GET other-area screening",
    ),
    # monitoring observations: published figures; government staff enter them in their area
    Row("GET", "/api/monitoring/data/observations", signed_in(200, 401)),
    Row(
        "GET",
        "/api/monitoring/data/observations/{observation_wolong}",
        only(GOVERNMENT, 200, 401, 404),
        name="GET an observation",
    ),
    Row(
        "POST",
        "/api/monitoring/data/observations",
        only(GOVERNMENT, 201, 401),
        body=lambda c: {**c["observation_body"], "area": "卧龙区", "period": "2023", "value": "12"},
        name="POST own-area observation",
    ),
    Row(
        "POST",
        "/api/monitoring/data/observations",
        {**only(GOVERNMENT, 201, 401), "county_staff": 403},
        body=lambda c: {**c["observation_body"], "area": "宛城区", "period": "2023", "value": "13"},
        name="POST other-area observation",
    ),
    # platforms' status history: every viewer reads it, city staff record it
    Row(
        "GET",
        "/api/registry/platforms/{platform_wolong}/status-changes",
        only(PLATFORM_VIEWERS, 200, 401, 404),
        name="GET own-area platform's status changes",
    ),
    Row(
        "GET",
        "/api/registry/platforms/{platform_wancheng}/status-changes",
        only(CITY, 200, 401, 404),
        name="GET other-area platform's status changes",
    ),
    Row(
        "POST",
        "/api/registry/platforms/{platform_wolong}/status-changes",
        platform_access(201, 403, 401),
        body={"event": "suspended", "date": "2024-01-01", "note": "整改"},
        name="POST a platform's status change",
        check=history_unchanged_unless_city,
    ),
    Row(
        "POST",
        "/api/monitoring/data/observations/{observation_conflict}/resolve",
        only(CITY, 200, 401, 404),
        body={"keep": True, "note": "以统计公报为准"},
        name="POST resolve a city-level conflict",
    ),
    Row(
        "POST",
        "/api/monitoring/data/observations/{observation_wolong}/withdraw",
        {**only(CITY, 200, 401, 404), "county_staff": 403},
        body={"reason": "录入错误"},
        name="POST withdraw an observation",
        check=withdrawn_only_by_the_city,
    ),
]

API_ROWS += QUALIFICATION_API_ROWS

PAGE_ROWS = [
    row("GET", "/", anonymous=302, **{r: 200 for r in ROLES if r != "anonymous"}),
    row("GET", "/healthz", **{r: 200 for r in ROLES}),
    Row("GET", "/accounts/login/", signed_in(302, 200), name="login page (signed-in: home)"),
    Row("POST", "/accounts/logout/", {r: 302 for r in ROLES}, name="logout"),
    Row("GET", "/accounts/password/", signed_in(200, 302)),
    Row("GET", "/accounts/tokens/", signed_in(200, 302)),
    Row(
        "POST",
        "/accounts/tokens/{token_city_staff}/revoke/",
        {**signed_in(404, 302), "city_staff": 302},
        name="revoke another user's token",
    ),
    Row("GET", "/accounts/audit/", only({"city_admin"}, 200, 302)),
    # the annual-figures workflow
    Row("GET", "/registry/figures/", signed_in(200, 302)),
    Row("GET", "/registry/figures/new/", {**signed_in(200, 302), "expert": 403}),
    Row(
        "GET",
        "/registry/figures/{submission_wolong}/",
        {**only(GOVERNMENT | {"enterprise"}, 200, 302, 404)},
        name="own-area submission page",
    ),
    Row(
        "GET",
        "/registry/figures/{submission_wancheng}/",
        only(CITY, 200, 302, 404),
        name="other-area submission page",
    ),
    # the submitter's own steps: withdraw a pending submission, resubmit a returned one
    Row(
        "POST",
        "/registry/figures/{submission_by_enterprise}/withdraw/",
        {**only({"enterprise"}, 302, 302, 403), "institution": 404, "expert": 404},
        name="withdraw the enterprise's pending submission (page)",
        check=lambda role, response, c: _status_is(
            c["submission_by_enterprise"], "withdrawn" if role == "enterprise" else "submitted"
        ),
    ),
    Row(
        "POST",
        "/registry/figures/{submission_returned}/resubmit/",
        {**only({"enterprise"}, 302, 302, 403), "institution": 404, "expert": 404},
        body={"rd_expense": "14"},
        name="resubmit the enterprise's returned submission (page)",
        check=lambda role, response, c: _status_is(
            c["submission_returned"], "submitted" if role == "enterprise" else "returned"
        ),
    ),
    # a platform's status change
    Row(
        "GET",
        "/registry/platforms/{platform_wolong}/status-changes/new/",
        platform_access(200, 403, 302),
        name="status change form",
    ),
    Row(
        "POST",
        "/registry/platforms/{platform_wolong}/status-changes/new/",
        platform_access(302, 403, 302),
        body={"event": "suspended", "date": "2024-01-01"},
        name="record a status change on the page",
        check=history_unchanged_unless_city,
    ),
    # Excel round trip
    Row("GET", "/registry/excel/platforms/template.xlsx", signed_in(200, 302)),
    Row("GET", "/registry/excel/platforms/export.xlsx", signed_in(200, 302)),
    Row("GET", "/registry/excel/platforms/import/", {**signed_in(200, 302), "expert": 403}),
    Row(
        "GET",
        "/registry/excel/platforms/report.xlsx",
        {**signed_in(404, 302)},
        name="error workbook of no upload",
    ),
    # cultivation
    Row("GET", "/cultivation/", only(GOVERNMENT, 200, 302, 302)),
    Row("GET", "/cultivation/pool/", only(GOVERNMENT, 200, 302)),
    Row(
        "GET",
        "/cultivation/pool/{pool_wolong}/",
        only(GOVERNMENT, 200, 302),
        name="own-area pool page",
    ),
    Row(
        "GET",
        "/cultivation/pool/{pool_wancheng}/",
        {**only(GOVERNMENT, 200, 302), "county_staff": 404},
        name="other-area pool page",
    ),
    Row("GET", "/cultivation/movements/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/cultivation/screenings/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/cultivation/rules/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/cultivation/projection/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/cultivation/self-assessment/", signed_in(200, 302)),
    # monitoring
    Row(
        "GET",
        "/monitoring/",
        signed_in(200, 302),
        name="dashboard: the city's published figures only, for whom sees no observations",
        check=published_monitoring_only,
    ),
    Row(
        "GET",
        "/monitoring/?area=卧龙区",
        only(GOVERNMENT, 200, 302),
        name="dashboard of a county (VIEW_OBSERVATIONS)",
    ),
    Row(
        "GET",
        "/monitoring/?area=宛城区",
        {**only(GOVERNMENT, 200, 302), "county_staff": 403},
        name="dashboard of another county",
    ),
    Row("GET", "/monitoring/indicators/hnte_count/", signed_in(200, 302)),
    Row(
        "GET",
        "/monitoring/indicators/hnte_count/?area=卧龙区",
        only(GOVERNMENT, 200, 302),
        name="indicator page of a county (VIEW_OBSERVATIONS)",
    ),
    Row("GET", "/monitoring/indicators/hnte_count/targets/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/monitoring/observations/", signed_in(200, 302)),
    Row("GET", "/monitoring/observations/new/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/monitoring/observations/import/", only(GOVERNMENT, 200, 302)),
    Row(
        "GET",
        "/monitoring/observations/{observation_wolong}/",
        only(GOVERNMENT, 200, 302, 404),
        name="observation page",
    ),
    Row(
        "POST",
        "/monitoring/observations/{observation_conflict}/resolve/",
        only(CITY, 302, 302, 404),
        body={"decision": "keep", "note": "以统计公报为准"},
        name="resolve a conflict on the page",
    ),
    Row(
        "POST",
        "/monitoring/observations/{observation_wolong}/withdraw/",
        {**only(CITY, 302, 302, 404), "county_staff": 403},
        body={"reason": "录入错误"},
        name="withdraw an observation on the page",
        check=withdrawn_only_by_the_city,
    ),
    Row("GET", "/monitoring/report.docx?year=2024", only(CITY, 200, 302)),
    *QUALIFICATION_PAGE_ROWS,
]


# --- the data -------------------------------------------------------------------------------


def _api(client: Client, method: str, url: str, body: Any) -> Any:
    response = getattr(client, method)(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def _status_is(pk: int, expected: str) -> None:
    from kechuang.registry.models import FigureSubmission

    status = FigureSubmission.objects.get(pk=pk).status
    assert status == expected, f"填报状态应为 {expected}，实为 {status}"


def _own_submissions(users: Any, org: Any) -> dict[str, int]:
    """The enterprise's own submissions: one pending (2023), one returned (2022)."""
    from kechuang.registry.services import workflow

    pending = workflow.submit(users["enterprise"], org, 2023, {"rd_expense": "11"})
    returned = workflow.submit(users["enterprise"], org, 2022, {"rd_expense": "13"})
    workflow.review(users["county_staff"], returned, "return", "研发费用与审计报告不符")
    return {"submission_by_enterprise": pending.pk, "submission_returned": returned.pk}


@pytest.fixture
def context(orgs: Any, users: Any, client_for: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    from kechuang.accounts.services import create_api_token
    from kechuang.cultivation.models import DataStatus, PoolEntry, RunStatus, ScreeningRun
    from kechuang.monitoring.services import load_plan_file
    from kechuang.registry.services import workflow

    load_plan_file(django_settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    context: dict[str, Any] = {}
    settings.MEDIA_ROOT = tmp_path
    context["claim_wolong"] = stored_claim(orgs["wolong"]).pk
    context["claim_wancheng"] = stored_claim(orgs["wancheng"]).pk
    token, _ = create_api_token(users["city_staff"], "staff token")
    context["token_city_staff"] = token.pk
    for key in ("wolong", "wancheng"):
        org = orgs[key]
        run = ScreeningRun.objects.create(
            as_of=dt.date(2025, 6, 30), area=org.area, status=RunStatus.DONE
        )
        PoolEntry.objects.create(
            organization=org, run=run, as_of=run.as_of, data_status=DataStatus.COMPLETE
        )
        context[f"run_{key}"], context[f"pool_{key}"] = run.pk, org.pk
        submission = workflow.submit(users["city_staff"], org, 2024, {"rd_expense": "12"})
        context[f"submission_{key}"] = submission.pk
    context.update(_own_submissions(users, orgs["wolong"]))
    body = {
        "indicator": "hnte_count",
        "period": "2022",
        "kind": "actual",
        "as_of": "2023-04-01",
        "source": "2022 年南阳市统计公报",
    }
    context["observation_body"] = body
    staff = client_for("city_staff")
    api = "/api/monitoring/data/observations"
    context["observation_wolong"] = _api(
        staff, "post", api, {**body, "area": "卧龙区", "value": "10"}
    )["id"]
    _api(staff, "post", api, {**body, "area": "南阳市", "value": "350"})
    conflict = _api(
        staff, "post", api, {**body, "area": "南阳市", "value": "360", "source": "名单"}
    )
    context["observation_conflict"] = conflict["id"]
    for key in ("wolong", "wancheng"):
        host = orgs[key]
        platform = InnovationPlatform.objects.create(
            name=f"权限测试平台{key}", kind="key_lab", level="municipal", host=host, area=host.area
        )
        record_status_change(
            users["city_staff"], platform, {"event": "approved", "date": dt.date(2020, 5, 1)}
        )
        context[f"platform_{key}"] = platform.pk
    context["status_changes"] = PlatformStatusChange.objects.count()
    return context


@pytest.mark.parametrize("r", API_ROWS, ids=Row.label)
def test_declared_api_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)


@pytest.mark.parametrize("r", PAGE_ROWS, ids=Row.label)
def test_declared_page_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)
