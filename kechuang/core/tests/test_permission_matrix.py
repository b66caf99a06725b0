"""Who may do what: every role against every foundation endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.conftest import make_uscc
from kechuang.core.tests.permissions import check_row, endpoint, row_id
from kechuang.registry.models import Organization


def org_payload(org_key: str, area: str | None = None) -> Any:
    def build(context: dict[str, Any]) -> dict[str, Any]:
        org = Organization.objects.get(pk=context[org_key])
        return {
            "uscc": org.uscc,
            "name": org.name + "（改）",
            "kind": org.kind,
            "area": area or org.area.code,
            "contact_phone": org.contact_phone,
        }

    return build


def new_org(area: str) -> dict[str, Any]:
    return {
        "uscc": make_uscc(777, "411303"),
        "name": "新登记企业（测试）",
        "kind": "enterprise",
        "area": area,
    }


# 404 means "not in your scope" (existence is not revealed); 403 means "visible, not allowed".
ROWS = [
    endpoint(
        "GET",
        "/api/accounts/me",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=200,
        institution=200,
        expert=200,
    ),
    endpoint(
        "GET",
        "/api/accounts/audit",
        anonymous=401,
        city_admin=200,
        city_staff=403,
        county_staff=403,
        enterprise=403,
        institution=403,
        expert=403,
    ),
    endpoint(
        "GET",
        "/api/registry/areas",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=200,
        institution=200,
        expert=200,
    ),
    endpoint(
        "GET",
        "/api/registry/organizations",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=200,
        institution=200,
        expert=200,
    ),
    endpoint(
        "GET",
        "/api/registry/organizations/{wolong}",
        name="GET own-area organization",
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
        "/api/registry/organizations/{wancheng}",
        name="GET other-area organization",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=404,
        enterprise=404,
        institution=404,
        expert=404,
    ),
    endpoint(
        "PUT",
        "/api/registry/organizations/{wolong}",
        body=org_payload("wolong"),
        name="PUT own-area organization",
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
        "/api/registry/organizations/{wancheng}",
        body=org_payload("wancheng"),
        name="PUT other-area organization",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=404,
        enterprise=404,
        institution=404,
        expert=404,
    ),
    endpoint(
        "PUT",
        "/api/registry/organizations/{wolong}",
        body=org_payload("wolong", "411302"),
        name="PUT moving an organization to another area",
        anonymous=401,
        city_admin=200,
        city_staff=200,
        county_staff=403,
        enterprise=422,  # its own area is not its to change (it used to move itself away)
        institution=404,
        expert=404,
    ),
    endpoint(
        "POST",
        "/api/registry/organizations",
        body=new_org("411303"),
        name="POST organization in 卧龙区",
        anonymous=401,
        city_admin=201,
        city_staff=201,
        county_staff=201,
        enterprise=403,
        institution=403,
        expert=403,
    ),
    endpoint(
        "POST",
        "/api/registry/organizations",
        body=new_org("411302"),
        name="POST organization in 宛城区",
        anonymous=401,
        city_admin=201,
        city_staff=201,
        county_staff=403,
        enterprise=403,
        institution=403,
        expert=403,
    ),
    endpoint(
        "DELETE",
        "/api/registry/organizations/{wolong_spare}",
        name="DELETE own-area organization",
        anonymous=401,
        city_admin=204,
        city_staff=204,
        county_staff=204,
        enterprise=404,
        institution=404,
        expert=404,
    ),
    endpoint(
        "DELETE",
        "/api/registry/organizations/{wolong}",
        name="DELETE own organization",
        anonymous=401,
        city_admin=409,  # users and records point at it: refused (core/protection.py)
        city_staff=409,
        county_staff=409,
        enterprise=403,
        institution=404,
        expert=404,
    ),
    endpoint(
        "GET",
        "/",
        name="home page",
        anonymous=302,
        city_admin=200,
        city_staff=200,
        county_staff=200,
        enterprise=200,
        institution=200,
        expert=200,
    ),
    endpoint(
        "GET",
        "/accounts/audit/",
        name="audit page",
        anonymous=302,
        city_admin=200,
        city_staff=403,
        county_staff=403,
        enterprise=403,
        institution=403,
        expert=403,
    ),
    endpoint(
        "GET",
        "/admin/",
        name="admin site",
        anonymous=302,
        city_admin=200,
        city_staff=302,
        county_staff=302,
        enterprise=302,
        institution=302,
        expert=302,
    ),
]


@pytest.fixture
def context(orgs: dict[str, Organization], make_org: Any, users: dict[str, Any]) -> dict[str, Any]:
    spare = make_org("卧龙区", name="卧龙备用企业（测试）")
    return {"wolong": orgs["wolong"].pk, "wancheng": orgs["wancheng"].pk, "wolong_spare": spare.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_permission_matrix(client_for: Any, context: dict[str, Any], row: Any) -> None:
    check_row(client_for, context, row)
