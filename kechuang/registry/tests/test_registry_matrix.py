"""The permission matrix of the annual figures (confirmed reports, submissions and their review)
and the reference lists, for every role. The registries' CRUD rows are generated from their
resources in `kechuang/site/tests/test_access_registry.py`."""

from typing import Any

import pytest

from kechuang.core.tests.permissions import check_row, endpoint, row_id
from kechuang.registry.models import AnnualReport
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


ROWS = [
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
    return context


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_registry_permission_matrix(client_for: Any, context: dict[str, Any], row: Any) -> None:
    check_row(client_for, context, row)
