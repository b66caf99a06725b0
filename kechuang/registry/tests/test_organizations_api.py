"""Organization endpoints: filters, ordering, pagination, masking, scoping."""

from typing import Any

import pytest

from kechuang.registry.models import IndustryChain, TechField

pytestmark = pytest.mark.django_db


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_county_user_lists_only_their_area(client_for: Any, orgs: Any) -> None:
    listed = names(client_for("county_staff").get("/api/registry/organizations"))
    assert sorted(listed) == sorted(["卧龙测试学院（测试）", "卧龙测试企业（测试）"])


def test_enterprise_user_lists_only_their_organization(client_for: Any, orgs: Any) -> None:
    assert names(client_for("enterprise").get("/api/registry/organizations")) == [
        "卧龙测试企业（测试）"
    ]


def test_expert_and_institution_do_not_see_enterprises(client_for: Any, orgs: Any) -> None:
    assert names(client_for("expert").get("/api/registry/organizations")) == []
    assert names(client_for("institution").get("/api/registry/organizations")) == [
        "卧龙测试学院（测试）"
    ]


def test_filters_by_area_subtree_kind_and_text(client_for: Any, orgs: Any) -> None:
    client = client_for("city_staff")
    assert len(names(client.get("/api/registry/organizations", {"area": "南阳市"}))) == 3
    assert names(client.get("/api/registry/organizations", {"area": "411302"})) == [
        "宛城测试企业（测试）"
    ]
    assert names(client.get("/api/registry/organizations", {"kind": "university"})) == [
        "卧龙测试学院（测试）"
    ]
    assert names(client.get("/api/registry/organizations", {"q": "宛城"})) == [
        "宛城测试企业（测试）"
    ]
    unknown = client.get("/api/registry/organizations", {"area": "火星区"})
    assert unknown.status_code == 422  # said, not a silent empty list
    assert unknown.json()["errors"]["area"] == ["没有名称含“火星区”的区域，请从下拉列表中选择。"]


def test_filters_accept_labels_and_parts_of_them(client_for: Any, orgs: Any) -> None:
    """ "卧龙" means 卧龙区, "新材料" the industry or the high-tech field of that name; a label that
    means several rows says which."""
    wolong = orgs["wolong"]
    wolong.industry = IndustryChain.objects.get(code="materials.superhard")
    wolong.tech_field = TechField.objects.get(name="新材料")
    wolong.save()
    client = client_for("city_staff")
    by_area = names(client.get("/api/registry/organizations", {"area": "卧龙"}))
    assert sorted(by_area) == sorted(["卧龙测试企业（测试）", "卧龙测试学院（测试）"])
    for query in ({"industry": "新材料"}, {"industry": "超硬"}, {"tech_field": "新材料"}):
        assert names(client.get("/api/registry/organizations", query)) == [
            "卧龙测试企业（测试）"
        ], query
    assert names(client.get("/api/registry/organizations", {"tech_field": "04"})) == [
        "卧龙测试企业（测试）"
    ]
    vague = client.get("/api/registry/organizations", {"industry": "材料"})
    assert vague.status_code == 422
    assert vague.json()["errors"]["industry"][0].startswith("“材料”对应多个产业（")


def test_county_user_cannot_widen_their_scope_with_a_filter(client_for: Any, orgs: Any) -> None:
    assert (
        names(client_for("county_staff").get("/api/registry/organizations", {"area": "宛城区"}))
        == []
    )


def test_ordering_and_pagination(client_for: Any, make_org: Any, orgs: Any) -> None:
    for i in range(4):
        make_org("新野县", name=f"新野{i}号（测试）")
    client = client_for("city_staff")
    first = client.get(
        "/api/registry/organizations", {"ordering": "-name", "page": 1, "page_size": 3}
    ).json()
    assert first["count"] == 7 and len(first["items"]) == 3
    every = names(client.get("/api/registry/organizations", {"ordering": "-name", "page_size": 50}))
    assert every == sorted(every, reverse=True)
    bad = client.get("/api/registry/organizations", {"ordering": "uscc; drop table"})
    assert bad.status_code == 422 and "ordering" in bad.json()["errors"]


def test_phone_is_masked_in_lists_and_shown_to_those_who_may_change(
    client_for: Any, orgs: Any
) -> None:
    org_id = orgs["wolong"].pk
    listed = (
        client_for("city_staff").get("/api/registry/organizations", {"q": "卧龙测试企业"}).json()
    )
    assert listed["items"][0]["contact_phone"] == "139****5678"
    assert client_for("county_staff").get(f"/api/registry/organizations/{org_id}").json()[
        "contact_phone"
    ] == ("13912345678")
