"""The access matrix of every registry resource, generated: for each `Resource` of the registry
API and each `Page` built on it, every operation (list, retrieve, create, update, delete, the
pages list/detail/new/edit/delete) against records of four owners, and references inside the
payloads to rows inside and outside the caller's scope, for every role.

The expected answers come from the roles table of the README, restated below as `sees`,
`adds`, `deletes` — not from the scoping code under test:
- 404: the row is outside the caller's scope (exactly as if it did not exist);
- 422: the payload names a row outside the caller's scope (exactly as if it did not exist), or a
  field the role may not set (an organization user's area);
- 403: visible, or public reference data, but the action is not the role's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from kechuang.conftest import make_uscc
from kechuang.core.crud import archivable
from kechuang.core.tests.permissions import ROLES, Row, check_row
from kechuang.core.webcrud import Page
from kechuang.registry.api import RESOURCES
from kechuang.registry.models import (
    AnnualReport,
    InnovationPlatform,
    Organization,
    Patent,
    Qualification,
    Talent,
    Team,
)
from kechuang.registry.pages import PAGES

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Owner:
    key: str
    area: str  # "wolong" or "wancheng"
    org: str  # which organization: "wolong" (the enterprise user's), "univ", "wancheng", "spare"


OWNERS = {
    "wolong": Owner("wolong", "wolong", "wolong"),
    "univ": Owner("univ", "wolong", "univ"),
    "wancheng": Owner("wancheng", "wancheng", "wancheng"),
    "spare": Owner("spare", "wolong", "spare"),  # an unreferenced organization, for deletes
}
HOME = {"city_admin": "wolong", "city_staff": "wolong", "county_staff": "wolong"}
HOME |= {"enterprise": "wolong", "institution": "univ", "expert": "wolong", "anonymous": "wolong"}


def sees(role: str, owner: Owner) -> bool:
    """The README's table: city staff see all; county staff their area (卧龙区); enterprise and
    institution users their own organization; experts what is published (no registry row)."""
    return {
        "city_admin": True,
        "city_staff": True,
        "county_staff": owner.area == "wolong",
        "enterprise": owner.org == "wolong",
        "institution": owner.org == "univ",
    }.get(role, False)


def adds(role: str, path: str) -> bool:
    if role == "expert":
        return False
    if role in ("enterprise", "institution") and path == "qualifications":
        return False  # they claim instead (with a scan): the claim has its own rows
    return not (path == "organizations" and role in ("enterprise", "institution"))


def edits(role: str, path: str) -> bool:
    """Organization users do not edit qualifications (the bureau vouches for them): they
    claim again."""
    return not (path == "qualifications" and role in ("enterprise", "institution"))


def deletes(role: str) -> bool:
    return role in ("city_admin", "city_staff", "county_staff")


def by_role(api: int | None, decide: Any) -> dict[str, int]:
    """Expected status per role; the anonymous caller gets 401 from the API, the login page
    (302) from a page."""
    return {role: (api if role == "anonymous" else decide(role)) for role in ROLES}  # type: ignore[misc]


# --- payloads ------------------------------------------------------------------------------


def payload(path: str, owner: str, context: dict[str, Any], **extra: Any) -> dict[str, Any]:
    uscc = context[f"uscc_{owner}"]
    body = {
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
        "organizations": {
            "uscc": make_uscc(777, "411303"),
            "name": "新登记企业（测试）",
            "kind": "enterprise",
            "area": context[f"area_{owner}"],
        },
    }[path]
    return {**body, **extra}


def update_body(path: str, owner: str, context: dict[str, Any], **extra: Any) -> dict[str, Any]:
    if path != "organizations":
        return payload(path, owner, context, **extra)
    org = Organization.objects.get(pk=context[f"organizations_{owner}"])
    return {
        "uscc": org.uscc,
        "name": org.name + "（改）",
        "kind": org.kind,
        "area": org.area.code,
        **extra,
    }


# --- the rows ------------------------------------------------------------------------------


def _create_rows(path: str) -> list[Row]:
    rows = []
    for owner in ("wolong", "wancheng"):

        def decide(role: str, owner: str = owner) -> int:
            if not adds(role, path):
                return 403
            if path == "organizations":  # areas are public: a county outside yours is 403
                return 201 if sees(role, OWNERS[owner]) else 403
            return 201 if sees(role, OWNERS[owner]) else 422

        rows.append(
            Row(
                "POST",
                f"/api/registry/{path}",
                by_role(401, decide),
                body=lambda c, p=path, o=owner: payload(p, o, c),
                name=f"API create {path} naming {owner}",
            )
        )
    return rows


def moved(role: str, path: str, record: Owner) -> int:
    """A row changed to name another county's organization (an organization: moved to
    another county)."""
    if not sees(role, record):
        return 404
    if not edits(role, path):
        return 403
    if path == "organizations":
        return {"county_staff": 403, "enterprise": 422, "institution": 422}.get(role, 200)
    return 200 if sees(role, OWNERS["wancheng"]) else 422


def _update_rows(path: str) -> list[Row]:
    rows = []
    for owner in ("wolong", "univ", "wancheng"):

        def decide(role: str, owner: str = owner) -> int:
            if not sees(role, OWNERS[owner]):
                return 404
            return 200 if edits(role, path) else 403

        rows.append(
            Row(
                "PUT",
                f"/api/registry/{path}/{{{path}_{owner}}}",
                by_role(401, decide),
                body=lambda c, p=path, o=owner: update_body(p, o, c),
                name=f"API update {path} of {owner}",
            )
        )

    for owner in ("wolong", "univ"):

        def moved_body(c: dict[str, Any], p: str = path, o: str = owner) -> dict[str, Any]:
            if p == "organizations":
                return {**update_body(p, o, c), "area": "宛城区"}
            return payload(p, "wancheng", c)

        rows.append(
            Row(
                "PUT",
                f"/api/registry/{path}/{{{path}_{owner}}}",
                by_role(401, lambda role, o=owner: moved(role, path, OWNERS[o])),
                body=moved_body,
                name=f"API update {path} of {owner} naming wancheng",
            )
        )
    return rows


def _delete_rows(path: str) -> list[Row]:
    rows = []
    targets = ("spare", "wancheng_spare") if path == "organizations" else ("wolong", "wancheng")
    for target in targets:
        owner = OWNERS["wancheng"] if target == "wancheng_spare" else OWNERS[target]

        def decide(role: str, owner: Owner = owner) -> int:
            if not sees(role, owner):
                return 404
            return 204 if deletes(role) else 403

        rows.append(
            Row(
                "DELETE",
                f"/api/registry/{path}/{{{path}_{target}}}",
                by_role(401, decide),
                name=f"API delete {path} of {target}",
            )
        )
    return rows


# --- archive (注销/停用) and restore: whoever may delete a row may archive it -------------------

ARCHIVE_BODY = {"on": "2025-06-30", "reason": "营业执照已注销"}


def archived_state(path: str, key: str, allowed_to: bool) -> Any:
    """After the request: archived as `allowed_to` says for a role that may delete the row, as
    before (the opposite) for every other role."""

    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        model = next(r.model for r in RESOURCES if r.path == path)
        now = model.objects.get(pk=context[f"{path}_{key}"]).archived
        done = response.status_code == 200 or (response.status_code == 302 and role != "anonymous")
        expected = allowed_to if done else not allowed_to
        assert now == expected, f"{role} 请求后注销/停用状态应为 {expected}，实为 {now}"

    return check


def _archive_rows(path: str, prefix: str, page: bool = False) -> list[Row]:
    rows = []
    ok = 302 if page else 200
    for target in ("wolong", "wancheng"):
        owner = OWNERS[target]

        def decide(role: str, owner: Owner = owner) -> int:
            if not sees(role, owner):
                return 404
            return ok if deletes(role) else 403

        # an archived organization is its own organization (of the owner's area); an archived
        # platform or talent belongs to the owner's organization
        held = Owner(target, owner.area, "other") if path == "organizations" else owner
        anonymous = 302 if page else 401
        suffix = "/" if page else ""
        kind = "page" if page else "API"
        rows += [
            Row(
                "POST",
                f"{prefix}/{{{path}_{target}}}/archive{suffix}",
                by_role(anonymous, decide),
                body=ARCHIVE_BODY,
                name=f"{kind} archive {path} of {target}",
                check=archived_state(path, target, True),
            ),
            Row(
                "POST",
                f"{prefix}/{{{path}_archived_{target}}}/restore{suffix}",
                by_role(anonymous, lambda role, o=held: decide(role, o)),
                name=f"{kind} restore {path} of {target} (archived)",
                check=archived_state(path, f"archived_{target}", False),
            ),
        ]
    return rows


def _read_rows(path: str) -> list[Row]:
    def count(role: str, response: Any, context: dict[str, Any]) -> None:
        if response.status_code != 200:
            return
        ids = {item["id"] for item in response.json()["items"]}
        owners = [o for o in OWNERS.values() if f"{path}_{o.key}" in context]
        expected = {context[f"{path}_{o.key}"] for o in owners if sees(role, o)}
        mine = ids & {context[f"{path}_{o.key}"] for o in owners}
        assert mine == expected, f"列表应含 {sorted(expected)}，实含 {sorted(mine)}"

    rows = [
        Row(
            "GET",
            f"/api/registry/{path}?page_size=100",
            by_role(401, lambda role: 200),
            name=f"API list {path}",
            check=count,
        )
    ]
    for owner in ("wolong", "univ", "wancheng"):
        rows.append(
            Row(
                "GET",
                f"/api/registry/{path}/{{{path}_{owner}}}",
                by_role(401, lambda role, o=owner: 200 if sees(role, OWNERS[o]) else 404),
                name=f"API retrieve {path} of {owner}",
            )
        )
    return rows


def _nested_reference_rows() -> list[Row]:
    """References inside the payload beyond the owner: team leader and members, platform
    co-builders — talents and organizations of another county."""

    def co_built(role: str) -> int:
        if not adds(role, "platforms"):
            return 403
        both = sees(role, OWNERS["wolong"]) and sees(role, OWNERS["wancheng"])
        return 201 if both else 422

    def platform(c: dict[str, Any]) -> dict[str, Any]:
        return payload("platforms", "wolong", c, co_builders=[c["uscc_wancheng"]])

    # A team of the caller's own organization listing another county's talent: always refused,
    # for those who cannot see that talent as unknown, for the others as not a member.
    team_expected = {
        role: (401 if role == "anonymous" else (403 if not adds(role, "teams") else 422))
        for role in ROLES
    }
    return [
        Row(
            "POST",
            "/api/registry/teams",
            team_expected,
            body=lambda c: payload("teams", "wolong", c, member_ids=[c["talents_wancheng"]]),
            name="API create team with another county's member",
        ),
        Row(
            "POST",
            "/api/registry/platforms",
            by_role(401, co_built),
            body=platform,
            name="API create platform co-built with another county's organization",
        ),
    ]


def api_rows() -> list[Row]:
    rows: list[Row] = []
    for resource in RESOURCES:
        path = resource.path
        rows += _read_rows(path) + _create_rows(path) + _update_rows(path) + _delete_rows(path)
        if archivable(resource.model):
            rows += _archive_rows(path, f"/api/registry/{path}")
    return rows + _nested_reference_rows()


def new_page(role: str, key: str) -> int:
    if adds(role, key):
        return 200
    # organization users' "新增" of a qualification leads to the claim
    return 302 if key == "qualifications" and role in ("enterprise", "institution") else 403


def edit_page(role: str, key: str, owner: Owner) -> int:
    if not sees(role, owner):
        return 404
    return 200 if edits(role, key) else 403


def page_rows(page: Page) -> list[Row]:
    base = f"/registry/{page.slug}/"
    rows = [Row("GET", base, by_role(302, lambda role: 200), name=f"page list {page.slug}")]
    key = page.slug
    if page.resource.model.scope.reference:  # published to every signed-in user
        detail = by_role(302, lambda role: 200)
        return [*rows, Row("GET", f"{base}{{{key}}}/", detail, name=f"page detail {key}")]
    for owner in ("wolong", "univ", "wancheng"):
        rows.append(
            Row(
                "GET",
                f"{base}{{{key}_{owner}}}/",
                by_role(302, lambda role, o=owner: 200 if sees(role, OWNERS[o]) else 404),
                name=f"page detail {key} of {owner}",
            )
        )
    if page.read_only:
        return rows
    rows.append(
        Row(
            "GET",
            f"{base}new/",
            by_role(302, lambda role: new_page(role, key)),
            name=f"page new {key}",
        )
    )
    for owner in ("wolong", "wancheng"):
        rows.append(
            Row(
                "GET",
                f"{base}{{{key}_{owner}}}/edit/",
                by_role(302, lambda role, o=owner: edit_page(role, key, OWNERS[o])),
                name=f"page edit {key} of {owner}",
            )
        )
    targets = ("spare", "wancheng_spare") if key == "organizations" else ("wolong", "wancheng")
    for target in targets:
        owner = OWNERS["wancheng"] if target == "wancheng_spare" else OWNERS[target]
        rows.append(
            Row(
                "POST",
                f"{base}{{{key}_{target}}}/delete/",
                by_role(
                    302,
                    lambda role, o=owner: (302 if deletes(role) else 403) if sees(role, o) else 404,
                ),
                name=f"page delete {key} of {target}",
            )
        )
    if archivable(page.resource.model):
        rows += _archive_rows(key, base.rstrip("/"), page=True)
    return rows


API_ROWS = api_rows()
PAGE_ROWS = [r for page in PAGES for r in page_rows(page)]


# --- the data -------------------------------------------------------------------------------


def _records(org: Organization, suffix: str) -> dict[str, int]:
    qualification = Qualification.objects.create(
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
    talent = Talent.objects.create(name=f"张{suffix}", organization=org, phone="13800001111")
    team = Team.objects.create(name=f"测试团队{suffix}", organization=org, programme="other")
    patent = Patent.objects.create(
        number=f"ZL2020100000{len(suffix)}{suffix}",
        kind="invention",
        title="一种测试方法",
        organization=org,
        application_date=dt.date(2020, 1, 1),
        legal_status="pending",
    )
    report = AnnualReport.objects.create(organization=org, year=2023, rd_expense=10)
    return {
        "organizations": org.pk,
        "qualifications": qualification.pk,
        "platforms": platform.pk,
        "talents": talent.pk,
        "teams": team.pk,
        "patents": patent.pk,
        "annual_reports": report.pk,
    }


def _archived_records(context: dict[str, Any], owners: dict[str, Organization]) -> None:
    """An archived organization, platform and talent in 卧龙区 and in 宛城区 (restore rows)."""
    archived = {"archived": True, "archived_on": dt.date(2025, 6, 30), "archive_reason": "已注销"}
    for key, area in (("wolong", "卧龙区"), ("wancheng", "宛城区")):
        org = Organization.objects.create(
            uscc=make_uscc(880 + len(key), owners[key].area.code),
            name=f"{area}已注销企业（测试）",
            kind="enterprise",
            area=owners[key].area,
            **archived,
        )
        context[f"organizations_archived_{key}"] = org.pk
        host = owners[key]
        context[f"platforms_archived_{key}"] = InnovationPlatform.objects.create(
            name=f"已撤销平台{key}",
            kind="key_lab",
            level="municipal",
            host=host,
            area=host.area,
            **archived,
        ).pk
        context[f"talents_archived_{key}"] = Talent.objects.create(
            name=f"调离{key}", organization=host, **archived
        ).pk


@pytest.fixture
def context(orgs: dict[str, Organization], make_org: Any, users: Any) -> dict[str, Any]:
    from kechuang.registry.models import NamedActor

    owners = {"wolong": orgs["wolong"], "univ": orgs["wolong_univ"], "wancheng": orgs["wancheng"]}
    context: dict[str, Any] = {}
    for key, org in owners.items():
        context[f"uscc_{key}"] = org.uscc
        context[f"area_{key}"] = org.area.code
        for path, pk in _records(
            org, {"wolong": "甲", "univ": "丙", "wancheng": "乙"}[key]
        ).items():
            context[f"{path}_{key}"] = pk
    context["organizations_spare"] = make_org("卧龙区", name="卧龙备用企业（测试）").pk
    _archived_records(context, owners)
    context["organizations_wancheng_spare"] = make_org("宛城区", name="宛城备用企业（测试）").pk
    # Named actors are reference data (published to every signed-in user).
    context["named"] = NamedActor.objects.order_by("pk").values_list("pk", flat=True)[0]
    return context


@pytest.mark.parametrize("r", API_ROWS, ids=Row.label)
def test_registry_api_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)


@pytest.mark.parametrize("r", PAGE_ROWS, ids=Row.label)
def test_registry_page_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)


def test_the_harness_names_every_role_that_answers_otherwise(
    client_for: Any, context: dict[str, Any]
) -> None:
    wrong = Row("GET", "/api/registry/platforms", {role: 200 for role in ROLES})
    with pytest.raises(AssertionError) as failure:
        check_row(client_for, context, wrong)
    assert "anonymous: 期望 200，实得 401" in str(failure.value)
    assert "city_staff" not in str(failure.value)
