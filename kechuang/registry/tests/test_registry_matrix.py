"""The permission matrix of the annual figures (confirmed reports, submissions and their review)
and the reference lists, for every role. The registries' CRUD rows are generated from their
resources in `kechuang/site/tests/test_access_registry.py`."""

from typing import Any

import pytest

from kechuang.core.tests.permissions import Row, check_row, endpoint, row_id
from kechuang.registry.models import AnnualReport, FigureSubmission
from kechuang.registry.services import workflow

VIEW_ALL = dict(
    anonymous=401,
    city_admin=200,
    city_staff=200,
    county_staff=200,
    enterprise=200,
    institution=200,
    expert=200,
)


def status_check(key: str, allowed: str, after: str, before: str) -> Any:
    """A write row's check: the allowed role changed the submission's status, no other did."""

    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        status = FigureSubmission.objects.get(pk=context[key]).status
        expected = after if role == allowed else before
        assert status == expected, f"填报状态应为 {expected}，实为 {status}"

    return check


def submitter_row(url: str, body: dict[str, Any], name: str, check: Any) -> Row:
    expected = dict(
        anonymous=401,
        city_admin=403,
        city_staff=403,
        county_staff=403,
        enterprise=200,
        institution=404,
        expert=404,
    )
    return Row("POST", url, expected, body, name, check)


def org_picker_in_scope(role: str, response: Any, context: dict[str, Any]) -> None:
    """The organization picker lists only what the role sees: a county officer their county's
    organizations (never 宛城区's), an enterprise user their own."""
    if response.status_code != 200:
        return
    listed = {item["value"] for item in response.json()}
    expected = {
        "city_admin": {context["wolong_uscc"], context["wancheng_uscc"]},
        "city_staff": {context["wolong_uscc"], context["wancheng_uscc"]},
        "county_staff": {context["wolong_uscc"]},
        "enterprise": {context["wolong_uscc"]},
        "institution": set(),
        "expert": set(),
    }[role]
    wanted = {context["wolong_uscc"], context["wancheng_uscc"]}
    assert listed & wanted == expected, f"单位选择应列出 {expected}，实为 {listed & wanted}"


ROWS = [
    endpoint("GET", "/api/registry/pickers/areas?q=卧龙", **VIEW_ALL),
    endpoint("GET", "/api/registry/pickers/industries?q=新材料", **VIEW_ALL),
    endpoint("GET", "/api/registry/pickers/tech-fields?q=04", **VIEW_ALL),
    Row(
        "GET",
        "/api/registry/pickers/organizations?q=测试",
        VIEW_ALL,
        name="GET organization picker (scoped)",
        check=org_picker_in_scope,
    ),
    endpoint("GET", "/api/registry/industries", **VIEW_ALL),
    endpoint("GET", "/api/registry/tech-fields", **VIEW_ALL),
    endpoint("GET", "/api/registry/annual-reports", **VIEW_ALL),
    endpoint("GET", "/api/registry/figure-submissions", **VIEW_ALL),
    endpoint(
        "POST",
        "/api/registry/figure-submissions",
        name="POST own-area figures",
        body=lambda c: {
            "organization": c["wolong_uscc"],
            "year": 2022,  # 2024 already has a pending submission in the context
            "values": {"rd_expense": 10},
        },
        anonymous=401,
        city_admin=201,
        city_staff=201,
        county_staff=201,
        enterprise=201,
        institution=404,
        expert=404,
    ),
    endpoint(
        "GET",
        "/api/registry/annual-reports/{wolong_report}",
        name="GET own-area annual report",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=200,
        institution=404,
        expert=404,
    ),
    endpoint(
        "GET",
        "/api/registry/annual-reports/{wancheng_report}",
        name="GET other-area annual report",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=404,
        enterprise=404,
        institution=404,
        expert=404,
    ),
    endpoint(
        "GET",
        "/api/registry/figure-submissions/{wolong_submission}",
        name="GET own-area submission",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=200,
        institution=404,
        expert=404,
    ),
    endpoint(
        "POST",
        "/api/registry/figure-submissions/{wolong_submission}/review",
        body={"decision": "approve"},
        name="POST area check of own-area submission",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=403,
        institution=404,
        expert=404,
    ),
    endpoint(
        "POST",
        "/api/registry/figure-submissions/{wancheng_submission}/review",
        body={"decision": "approve"},
        name="POST area check of other-area submission",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=404,
        enterprise=404,
        institution=404,
        expert=404,
    ),
    submitter_row(
        "/api/registry/figure-submissions/{enterprise_submission}/withdraw",
        {"comment": "填错了年度"},
        "POST withdraw of the enterprise's own pending submission",
        status_check("enterprise_submission", "enterprise", "withdrawn", "submitted"),
    ),
    submitter_row(
        "/api/registry/figure-submissions/{returned_submission}/resubmit",
        {"values": {"rd_expense": "9"}, "comment": "已按审计报告改正"},
        "POST resubmit of the enterprise's own returned submission",
        status_check("returned_submission", "enterprise", "submitted", "returned"),
    ),
]


@pytest.fixture
def context(orgs: Any, users: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "wolong_uscc": orgs["wolong"].uscc,
        "wancheng_uscc": orgs["wancheng"].uscc,
    }
    for key in ("wolong", "wancheng"):
        report = AnnualReport.objects.create(organization=orgs[key], year=2023, rd_expense=10)
        submission = workflow.submit(users["city_staff"], orgs[key], 2024, {"rd_expense": "12"})
        context[f"{key}_report"], context[f"{key}_submission"] = report.pk, submission.pk
    own = workflow.submit(users["enterprise"], orgs["wolong"], 2023, {"rd_expense": "11"})
    returned = workflow.submit(users["enterprise"], orgs["wolong"], 2021, {"rd_expense": "8"})
    workflow.review(users["county_staff"], returned, "return", "研发费用与审计报告不符")
    context["enterprise_submission"], context["returned_submission"] = own.pk, returned.pk
    return context


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_registry_permission_matrix(client_for: Any, context: dict[str, Any], row: Any) -> None:
    check_row(client_for, context, row)
