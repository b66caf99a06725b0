"""References inside payloads are resolved within what the user may view: nobody names, attaches,
hosts or moves anything outside their scope, and an invisible row answers exactly like a missing
one (the API, the form and the model's own rules)."""

import json
import re
from typing import Any

import pytest

from kechuang.registry.models import InnovationPlatform, Organization, Talent, Team

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def without_values(response: Any) -> dict[str, Any]:
    """The answer with the references the caller sent blanked out, to compare two answers."""
    body = response.json()
    text = re.sub(r"：[^\"]*", "：…", json.dumps(body, ensure_ascii=False))
    return {"status": response.status_code, **json.loads(text)}


@pytest.fixture
def talents(orgs: Any) -> dict[str, Talent]:
    return {
        "own": Talent.objects.create(name="赵本单位", organization=orgs["wolong"]),
        "univ": Talent.objects.create(name="钱学院", organization=orgs["wolong_univ"]),
        "other": Talent.objects.create(name="孙宛城", organization=orgs["wancheng"]),
    }


@pytest.mark.parametrize("role", ["enterprise", "institution", "county_staff"])
def test_team_members_outside_the_scope_are_unknown_and_nothing_leaks(
    client_for: Any, users: Any, orgs: Any, talents: dict[str, Talent], role: str
) -> None:
    own_org = users[role].organization or orgs["wolong"]
    body = {"name": "泄露测试团队", "organization": own_org.uscc, "programme": "other"}
    invisible = post(
        client_for(role),
        "/api/registry/teams",
        {**body, "leader_id": talents["other"].pk, "member_ids": [talents["other"].pk]},
    )
    missing = post(
        client_for(role),
        "/api/registry/teams",
        {**body, "leader_id": 999_999, "member_ids": [999_999]},
    )
    assert invisible.status_code == missing.status_code == 422
    assert without_values(invisible) == without_values(missing)
    assert "孙宛城" not in invisible.content.decode()
    assert not Team.objects.filter(name="泄露测试团队").exists()


def test_team_members_must_belong_to_the_teams_organization(
    client_for: Any, orgs: Any, talents: dict[str, Talent]
) -> None:
    body = {"name": "跨单位团队", "organization": orgs["wolong"].uscc, "programme": "other"}
    client = client_for("city_staff")  # sees every talent: the rule is the team's own
    members = post(client, "/api/registry/teams", {**body, "member_ids": [talents["univ"].pk]})
    assert members.status_code == 422
    assert "钱学院" in members.json()["errors"]["members"][0]
    leader = post(client, "/api/registry/teams", {**body, "leader_id": talents["univ"].pk})
    assert leader.status_code == 422
    assert leader.json()["errors"]["leader"] == ["带头人须为该团队依托单位的人才。"]
    ok = post(
        client,
        "/api/registry/teams",
        {**body, "leader_id": talents["own"].pk, "member_ids": [talents["own"].pk]},
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["member_ids"] == [talents["own"].pk]
    assert ok.json()["leader_name"] == "赵本单位"
    assert list(Team.objects.get(name="跨单位团队").members.all()) == [talents["own"]]


@pytest.mark.parametrize("role", ["county_staff", "enterprise", "institution"])
def test_a_known_credit_code_outside_the_scope_answers_like_an_unknown_one(
    client_for: Any, orgs: Any, role: str
) -> None:
    def qualification(uscc: str) -> Any:
        body = {
            "organization": uscc,
            "kind": "HNTE",
            "issued_on": "2023-11-01",
            "expires_on": "2026-10-31",
            "issuer_level": "national",
        }
        return post(client_for(role), "/api/registry/qualifications", body)

    known, unknown = qualification(orgs["wancheng"].uscc), qualification("91411300MA00000000")
    # Organization users only claim qualifications (with a scan): the plain create is refused
    # for them before any reference is resolved, whatever it names.
    expected = 422 if role == "county_staff" else 403
    assert known.status_code == unknown.status_code == expected
    assert without_values(known) == without_values(unknown)


def test_county_staff_cannot_host_a_platform_at_another_countys_organization(
    client_for: Any, orgs: Any
) -> None:
    body = {"name": "越界平台", "kind": "key_lab", "level": "municipal"}
    client = client_for("county_staff")
    other = post(client, "/api/registry/platforms", {**body, "host": orgs["wancheng"].uscc})
    missing = post(client, "/api/registry/platforms", {**body, "host": "91411300MA00000000"})
    assert other.status_code == missing.status_code == 422
    assert without_values(other) == without_values(missing)
    co_built = post(
        client,
        "/api/registry/platforms",
        {**body, "host": orgs["wolong"].uscc, "co_builders": [orgs["wancheng"].uscc]},
    )
    assert co_built.status_code == 422 and "co_builders" in co_built.json()["errors"]
    assert not InnovationPlatform.objects.filter(name="越界平台").exists()


def _organization_body(org: Organization, **changes: Any) -> dict[str, Any]:
    return {
        "uscc": org.uscc,
        "name": org.name,
        "kind": org.kind,
        "area": org.area.code,
        "contact_phone": org.contact_phone,
        **changes,
    }


@pytest.mark.parametrize(
    ("role", "org_key"), [("enterprise", "wolong"), ("institution", "wolong_univ")]
)
def test_organization_users_cannot_move_their_own_organization(
    client_for: Any, orgs: Any, role: str, org_key: str
) -> None:
    org = orgs[org_key]
    url = f"/api/registry/organizations/{org.pk}"
    moved = post(client_for(role), url, _organization_body(org, area="宛城区"), method="put")
    assert moved.status_code == 422
    assert moved.json()["errors"]["area"] == [
        "所属区域由县区或市科技部门维护，企业和高校院所用户不能修改。"
    ]
    org.refresh_from_db()
    assert org.area.name == "卧龙区"
    # The same rule on the form
    page = client_for(role).post(
        f"/registry/organizations/{org.pk}/edit/", _organization_body(org, area="宛城区")
    )
    assert page.status_code == 422
    assert "企业和高校院所用户不能修改" in page.content.decode()
    org.refresh_from_db()
    assert org.area.name == "卧龙区"
    # Other changes stay possible
    renamed = post(client_for(role), url, _organization_body(org, address="新地址"), method="put")
    assert renamed.status_code == 200, renamed.content


def test_enterprise_user_cannot_place_its_platform_in_another_county(
    client_for: Any, orgs: Any
) -> None:
    body = {
        "name": "企业平台",
        "kind": "key_lab",
        "level": "municipal",
        "host": orgs["wolong"].uscc,
    }
    client = client_for("enterprise")
    elsewhere = post(client, "/api/registry/platforms", {**body, "area": "宛城区"})
    assert elsewhere.status_code == 422 and "area" in elsewhere.json()["errors"]
    created = post(client, "/api/registry/platforms", body)
    assert created.status_code == 201, created.content
    platform = InnovationPlatform.objects.get(name="企业平台")
    assert platform.area == orgs["wolong"].area
    moved = post(
        client,
        f"/api/registry/platforms/{platform.pk}",
        {**body, "area": "宛城区"},
        method="put",
    )
    assert moved.status_code == 422
    platform.refresh_from_db()
    assert platform.area == orgs["wolong"].area


def test_county_staff_may_still_move_an_organization_within_their_area(
    client_for: Any, orgs: Any
) -> None:
    org = orgs["wolong"]
    url = f"/api/registry/organizations/{org.pk}"
    elsewhere = post(client_for("county_staff"), url, _organization_body(org, area="宛城区"), "put")
    assert elsewhere.status_code == 403  # areas are public reference data: no existence leak
    org.refresh_from_db()
    assert org.area.name == "卧龙区"


def test_the_import_refuses_the_same_move_as_the_api_and_the_form(
    users: dict[str, Any], orgs: Any
) -> None:
    from kechuang.registry.excel.importer import validate_upload
    from kechuang.registry.tests.test_excel_import import make_xlsx, org_row

    org = orgs["wolong"]
    row = org_row(0, 统一社会信用代码=org.uscc, 单位名称=org.name, 所在区域="宛城区")
    report = validate_upload(
        "organizations", make_xlsx("organizations", [row]), users["enterprise"], filename="x.xlsx"
    )
    assert [(e.row, e.problem) for e in report.errors] == [
        (2, "所属区域由县区或市科技部门维护，企业和高校院所用户不能修改。")
    ]
    # unchanged area: the same row passes
    same = org_row(0, 统一社会信用代码=org.uscc, 单位名称=org.name, 所在区域="卧龙区")
    passed = validate_upload(
        "organizations", make_xlsx("organizations", [same]), users["enterprise"], filename="x.xlsx"
    )
    assert passed.errors == []
    org.refresh_from_db()
    assert org.area.name == "卧龙区"


def test_ids_no_database_can_hold_name_nothing(client_for: Any, orgs: Any) -> None:
    body = {"name": "大编号团队", "organization": orgs["wolong"].uscc, "programme": "other"}
    client = client_for("city_staff")
    members = post(client, "/api/registry/teams", {**body, "member_ids": [2**70]})
    leader = post(client, "/api/registry/teams", {**body, "leader_id": 2**70})
    assert (members.status_code, leader.status_code) == (422, 422)
    assert members.json()["errors"]["member_ids"] == [f"未知的人才编号：{2**70}"]
    # An id in an API path is typed 1..2^63-1 (core/bounds): beyond it, a 422 naming the field.
    beyond = client.get(f"/api/cultivation/pool/{2**70}")
    assert beyond.status_code == 422 and "organization_id" in beyond.json()["errors"]
    assert client.get(f"/cultivation/pool/{2**70}/").status_code == 404


@pytest.mark.parametrize("role", ["enterprise", "county_staff"])
def test_sending_back_a_co_builder_one_cannot_see_keeps_it(
    client_for: Any, users: dict[str, Any], orgs: Any, role: str
) -> None:
    from kechuang.registry.excel.importer import validate_upload
    from kechuang.registry.tests.test_excel_import import make_xlsx

    body = {
        "name": "共建平台",
        "kind": "key_lab",
        "level": "municipal",
        "host": orgs["wolong"].uscc,
        "co_builders": [orgs["wancheng"].uscc],
    }
    created = post(client_for("city_staff"), "/api/registry/platforms", body)
    assert created.status_code == 201, created.content
    url = f"/api/registry/platforms/{created.json()['id']}"
    renamed = post(client_for(role), url, {**body, "name": "共建平台（改）"}, "put")
    assert renamed.status_code == 200, renamed.content
    platform = InnovationPlatform.objects.get(pk=created.json()["id"])
    assert list(platform.co_builders.all()) == [orgs["wancheng"]]
    # The import re-reads what the export showed, alike
    row = {
        "平台名称": "共建平台（改）",
        "平台类型": "重点实验室",
        "级别": "市级",
        "依托单位统一社会信用代码": orgs["wolong"].uscc,
        "共建单位统一社会信用代码": orgs["wancheng"].uscc,
        "所在区域": "卧龙区",
    }
    report = validate_upload(
        "platforms", make_xlsx("platforms", [row]), users[role], filename="x.xlsx"
    )
    assert report.errors == []


def test_a_talent_cannot_leave_the_organization_of_its_teams(client_for: Any, orgs: Any) -> None:
    talent = Talent.objects.create(name="赵本单位", organization=orgs["wolong"])
    team = post(
        client_for("city_staff"),
        "/api/registry/teams",
        {
            "name": "卧龙团队",
            "organization": orgs["wolong"].uscc,
            "programme": "other",
            "leader_id": talent.pk,
            "member_ids": [talent.pk],
        },
    )
    assert team.status_code == 201, team.content
    moved = post(
        client_for("city_staff"),
        f"/api/registry/talents/{talent.pk}",
        {"name": "赵本单位", "organization": orgs["wancheng"].uscc},
        "put",
    )
    assert moved.status_code == 422
    assert "卧龙团队" in moved.json()["errors"]["organization"][0]
    talent.refresh_from_db()
    assert talent.organization == orgs["wolong"]


@pytest.mark.parametrize("role", ["county_staff", "enterprise", "city_staff"])
def test_a_missing_organization_is_a_field_error_not_a_scope_refusal(
    client_for: Any, users: Any, role: str
) -> None:
    body = {"name": "空单位团队", "organization": "  ", "programme": "other"}
    response = post(client_for(role), "/api/registry/teams", body)
    assert response.status_code == 422
    assert response.json()["errors"]["organization"] == ["请填写依托单位。"]
