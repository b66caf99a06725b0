"""The organizations behind a listing's matches (issue #12 item 6): a demand → the owners of the
matching achievements and patents; an achievement → the enterprises with related demands, then
the enterprises of the same industry chain that the user may view; on the page and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kechuang.market import matching, selectors
from kechuang.registry.models import IndustryChain, OrganizationKind

pytestmark = pytest.mark.django_db
A = "/api/market"


@pytest.fixture(autouse=True)
def fresh_index() -> Any:
    matching.forget()
    yield
    matching.forget()


def test_a_demand_finds_the_organizations_of_the_matching_achievements(
    market: dict, users: dict, orgs: dict
) -> None:
    demand = market["demand"]
    found = selectors.suggestions_for(users["city_staff"], "demand", demand)
    entries = selectors.organizations_for(users["city_staff"], "demand", demand, found)
    assert [e.name for e in entries] == [orgs["wolong_univ"].name]
    achievement_hit = next(s for s in found["achievement"] if s.obj == market["achievement"])
    assert entries[0].score == pytest.approx(achievement_hit.hit.score)
    assert entries[0].reasons == ["匹配成果：一种隔爆型电动机的冷却装置"]
    assert entries[0].organization == orgs["wolong_univ"]


def test_an_achievement_finds_enterprises_with_demands_then_the_same_chain(
    market: dict, users: dict, orgs: dict, make_org: Callable[..., Any]
) -> None:
    chain = IndustryChain.objects.filter(parent=None).order_by("sort_order").first()
    child = chain.children.order_by("sort_order").first() or chain
    achievement = market["achievement"]
    achievement.industry = child
    achievement.save(update_fields=["industry"])
    in_chain = make_org("宛城区", name="同链企业甲（测试）", industry=chain)
    archived = make_org("宛城区", name="已注销同链企业（测试）", industry=chain, archived=True)
    make_org("宛城区", name="同链院校（测试）", industry=chain, kind=OrganizationKind.UNIVERSITY)
    found = selectors.suggestions_for(users["city_staff"], "achievement", achievement)
    entries = selectors.organizations_for(users["city_staff"], "achievement", achievement, found)
    names = [e.name for e in entries]
    assert names[0] == orgs["wolong"].name  # its demand matches
    assert entries[0].reasons == ["有相关需求：防爆电机温升过高，需要新的散热结构"]
    assert in_chain.name in names and archived.name not in names
    assert "同链院校（测试）" not in names  # enterprises only
    same = next(e for e in entries if e.name == in_chain.name)
    assert same.score == 0 and same.reasons == [f"同属产业链：{chain.name}"]
    # county staff of 卧龙区 do not see the 宛城区 enterprise of the chain
    county = selectors.organizations_for(users["county_staff"], "achievement", achievement, found)
    assert in_chain.name not in [e.name for e in county]


def test_the_api_and_the_page_show_them(
    client_for: Callable[[str], Any], market: dict, orgs: dict
) -> None:
    pk = market["demand"].pk
    body = client_for("city_staff").get(f"{A}/demands/{pk}/organizations").json()
    assert body == [
        {
            "name": orgs["wolong_univ"].name,
            "organization_id": orgs["wolong_univ"].pk,
            "uscc": orgs["wolong_univ"].uscc,
            "score": body[0]["score"],
            "reasons": ["匹配成果：一种隔爆型电动机的冷却装置"],
        }
    ]
    assert body[0]["score"] > 0
    page = client_for("city_staff").get(f"/market/demands/{pk}/").content.decode()
    assert "相关单位" in page and orgs["wolong_univ"].name in page
    assert client_for("city_staff").get(f"{A}/demands/{pk}/organizations?k=0").status_code == 422
