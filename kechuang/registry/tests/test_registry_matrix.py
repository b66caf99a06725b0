"""The permission matrix over every registry endpoint, for every role."""

import datetime as dt
from typing import Any

import pytest

from kechuang.core.tests.permissions import check_row, endpoint, row_id
from kechuang.registry.models import (
    AnnualReport,
    InnovationPlatform,
    Patent,
    Qualification,
    Talent,
    Team,
)
from kechuang.registry.services import workflow


def make_records(org: Any, suffix: str) -> dict[str, int]:
    qual = Qualification.objects.create(
        organization=org,
        kind="TSME",
        issued_on=dt.date(2024, 5, 1),
        expires_on=dt.date(2025, 12, 31),
        issuer_level="national",
    )
    platform = InnovationPlatform.objects.create(
        name=f"测试工程中心{suffix}",
        kind="engineering_center",
        level="municipal",
        host=org,
        area=org.area,
    )
    talent = Talent.objects.create(
        name=f"张{suffix}", organization=org, id_number="410101199001011234", phone="13800001111"
    )
    team = Team.objects.create(name=f"测试团队{suffix}", organization=org, programme="other")
    patent = Patent.objects.create(
        number=f"ZL2020100000{len(suffix)}{suffix[-1]}",
        kind="invention",
        title="一种测试方法",
        organization=org,
        application_date=dt.date(2020, 1, 1),
        legal_status="pending",
    )
    return {
        "qualifications": qual.pk,
        "platforms": platform.pk,
        "talents": talent.pk,
        "teams": team.pk,
        "patents": patent.pk,
    }


def payload(path: str, uscc: str) -> dict[str, Any]:
    return {
        "qualifications": {
            "organization": uscc,
            "kind": "HNTE",
            "issued_on": "2023-11-01",
            "expires_on": "2026-10-31",
            "issuer_level": "national",
        },
        "platforms": {
            "name": "新建测试平台",
            "kind": "key_lab",
            "level": "municipal",
            "host": uscc,
        },
        "talents": {"name": "李新", "organization": uscc},
        "teams": {"name": "新建测试团队", "organization": uscc, "programme": "industry_cultivated"},
        "patents": {
            "number": "ZL202310000001.X",
            "kind": "utility_model",
            "title": "一种测试装置",
            "organization": uscc,
            "application_date": "2023-01-01",
            "legal_status": "pending",
        },
    }[path]


PATHS = ["qualifications", "platforms", "talents", "teams", "patents"]
VIEW_ALL = dict(
    anonymous=401,
    city_admin=200,
    city_staff=200,
    county_staff=200,
    enterprise=200,
    institution=200,
    expert=200,
)


def rows() -> list[Any]:
    result = []
    for path in PATHS:
        result += [
            endpoint("GET", f"/api/registry/{path}", **VIEW_ALL),
            endpoint(
                "GET",
                f"/api/registry/{path}/{{wolong_{path}}}",
                name=f"GET own-area {path}",
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
                f"/api/registry/{path}/{{wancheng_{path}}}",
                name=f"GET other-area {path}",
                anonymous=401,
                city_admin=200,
                city_staff=200,
                county_staff=404,
                enterprise=404,
                institution=404,
                expert=404,
            ),
            endpoint(
                "POST",
                f"/api/registry/{path}",
                body=lambda c, p=path: payload(p, c["wolong_uscc"]),
                name=f"POST own-area {path}",
                anonymous=401,
                city_admin=201,
                city_staff=201,
                county_staff=201,
                enterprise=201,
                institution=422,  # the organization is not visible to it: "unknown", as missing
                expert=403,
            ),
            endpoint(
                "POST",
                f"/api/registry/{path}",
                body=lambda c, p=path: payload(p, c["wancheng_uscc"]),
                name=f"POST other-area {path}",
                anonymous=401,
                city_admin=201,
                city_staff=201,
                county_staff=422,
                enterprise=422,
                institution=422,
                expert=403,
            ),
            endpoint(
                "PUT",
                f"/api/registry/{path}/{{wolong_{path}}}",
                body=lambda c, p=path: payload(p, c["wolong_uscc"]),
                name=f"PUT own-area {path}",
                anonymous=401,
                city_admin=200,
                city_staff=200,
                county_staff=200,
                enterprise=200,
                institution=404,
                expert=404,
            ),
            endpoint(
                "PUT",
                f"/api/registry/{path}/{{wancheng_{path}}}",
                body=lambda c, p=path: payload(p, c["wancheng_uscc"]),
                name=f"PUT other-area {path}",
                anonymous=401,
                city_admin=200,
                city_staff=200,
                county_staff=404,
                enterprise=404,
                institution=404,
                expert=404,
            ),
            endpoint(
                "DELETE",
                f"/api/registry/{path}/{{wolong_{path}}}",
                name=f"DELETE own-area {path}",
                anonymous=401,
                city_admin=204,
                city_staff=204,
                county_staff=204,
                enterprise=403,
                institution=404,
                expert=404,
            ),
            endpoint(
                "DELETE",
                f"/api/registry/{path}/{{wancheng_{path}}}",
                name=f"DELETE other-area {path}",
                anonymous=401,
                city_admin=204,
                city_staff=204,
                county_staff=404,
                enterprise=404,
                institution=404,
                expert=404,
            ),
        ]
    result += [
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
    return result


ROWS = rows()


@pytest.fixture
def context(orgs: Any, users: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "wolong_uscc": orgs["wolong"].uscc,
        "wancheng_uscc": orgs["wancheng"].uscc,
    }
    for key, suffix in (("wolong", "甲"), ("wancheng", "乙")):
        for path, pk in make_records(orgs[key], suffix).items():
            context[f"{key}_{path}"] = pk
        report = AnnualReport.objects.create(organization=orgs[key], year=2023, rd_expense=10)
        submission = workflow.submit(users["city_staff"], orgs[key], 2024, {"rd_expense": "12"})
        context[f"{key}_report"], context[f"{key}_submission"] = report.pk, submission.pk
    return context


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_registry_permission_matrix(client_for: Any, context: dict[str, Any], row: Any) -> None:
    check_row(client_for, context, row)


def test_every_registry_endpoint_is_in_the_matrix() -> None:
    from kechuang.core.tests.test_permission_matrix import ROWS as FOUNDATION_ROWS
    from kechuang.site.api import api

    schema = api.get_openapi_schema()["paths"]
    declared = {
        (method.upper(), path)
        for path, operations in schema.items()
        if path.startswith("/api/registry/")
        for method in operations
    }
    covered = {
        (row.method, row.url.replace("{wolong_", "{").replace("{wancheng_", "{"))
        for row in ROWS + FOUNDATION_ROWS
    }

    def normalise(path: str) -> str:
        import re

        return re.sub(r"\{[^}]+\}", "{id}", path)

    covered_norm = {(m, normalise(p)) for m, p in covered}
    missing = {(m, p) for m, p in declared if (m, normalise(p)) not in covered_norm}
    assert missing == set()
