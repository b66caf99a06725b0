"""The market API: the enterprise's demand through the workflow, explained matches, the public
API (published only, no writes, 404 for unpublished ids), bad input answered in Chinese."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from kechuang.market.models import Match, PublishedList, TechDemand
from kechuang.market.tests.conftest import DEMAND

pytestmark = pytest.mark.django_db
A = "/api/market"


def post(client: Any, url: str, body: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_enterprise_posts_and_staff_publish_then_matches_explain(
    client_for: Callable[[str], Any], market: dict[str, Any]
) -> None:
    enterprise, county = client_for("enterprise"), client_for("county_staff")
    answer = post(enterprise, f"{A}/demands", {**DEMAND, "industry": "equipment.explosion_proof"})
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    assert answer.json()["status"] == "draft" and answer.json()["industry"].endswith("防爆电气装备")
    assert post(enterprise, f"{A}/demands/{pk}/workflow", {"step": "submit"}).status_code == 200
    for step in ("review", "publish"):
        assert post(county, f"{A}/demands/{pk}/workflow", {"step": step}).status_code == 200
    found = enterprise.get(f"{A}/demands/{pk}/matches").json()
    best = found["achievement"][0]
    assert best["title"] == "一种隔爆型电动机的冷却装置"
    bridged = {t["query_term"]: t["matched_term"] for t in best["terms"] if t["synonym"]}
    assert bridged["电机"] == "电动机"
    assert any(flag for _, flag in best["highlighted"])
    assert {"patent", "expert", "broker", "demand"} <= set(found)


def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    client_for: Callable[[str], Any], users: dict
) -> None:
    client = client_for("enterprise")
    cases = [
        ({**DEMAND, "budget": -5}, "budget"),
        ({"title": "缺少问题描述"}, "problem"),
        ({**DEMAND, "industry": "不存在的产业"}, "industry"),
        ({**DEMAND, "description": "需求没有这个字段"}, "description"),
    ]
    for body, field in cases:
        answer = post(client, f"{A}/demands", body)
        assert answer.status_code == 422, (field, answer.content)
        errors = answer.json()["errors"]
        assert field in errors, errors
        assert all("\u4e00" <= ch <= "\u9fff" for ch in errors[field][0][:1]), errors[field]
    assert TechDemand.objects.count() == 0


def test_a_long_query_is_truncated_and_says_so(
    client_for: Callable[[str], Any], market: dict
) -> None:
    answer = client_for("enterprise").get(f"{A}/search", {"q": "电机" * 5000})
    assert answer.status_code == 200
    body = answer.json()
    assert body["truncated"] is True and "2000" in body["notice"]
    short = client_for("enterprise").get(
        f"{A}/search", {"q": "隔爆电动机 冷却", "kind": "achievement"}
    )
    assert short.json()["results"][0]["title"] == "一种隔爆型电动机的冷却装置"


def test_public_api_shows_published_only_and_refuses_writes(
    client_for: Callable[[str], Any], market: dict, publish: Callable[..., Any]
) -> None:
    anonymous = client_for("anonymous")
    draft = publish("enterprise", TechDemand, {**DEMAND, "title": "未发布的需求"}, until="review")
    titles = [r["title"] for r in anonymous.get(f"{A}/public/demands").json()]
    assert DEMAND["title"] in titles and "未发布的需求" not in titles
    assert anonymous.get(f"{A}/public/demands/{draft.pk}").status_code == 404
    assert anonymous.get(f"{A}/public/demands/{market['demand'].pk}").status_code == 200
    assert post(anonymous, f"{A}/public/demands", DEMAND).status_code in (404, 405)
    assert anonymous.get(f"{A}/demands").status_code == 401
    assert TechDemand.objects.count() == 2


def test_confidential_demand_is_masked_in_public(
    client_for: Callable[[str], Any], publish: Callable[..., Any]
) -> None:
    from decimal import Decimal

    demand = publish(
        "enterprise", TechDemand, {**DEMAND, "confidential": True, "budget": Decimal(50)}
    )
    body = client_for("anonymous").get(f"{A}/public/demands/{demand.pk}").json()
    assert body["organization"] == "（保密）" and body["details"]["budget"] is None
    own = client_for("enterprise").get(f"{A}/demands/{demand.pk}").json()
    assert own["details"]["budget"] == "50.00"


def test_issue_a_list_and_read_it_in_public(client_for: Callable[[str], Any], market: dict) -> None:
    answer = post(
        client_for("city_staff"), f"{A}/lists", {"kind": "demands", "ids": [market["demand"].pk]}
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["title"] == "第1期技术需求清单"
    public = client_for("anonymous").get(f"{A}/public/lists/{answer.json()['id']}").json()
    assert public["items"][0]["title"] == DEMAND["title"]
    refused = post(
        client_for("enterprise"), f"{A}/lists", {"kind": "demands", "ids": [market["demand"].pk]}
    )
    assert refused.status_code == 403
    assert PublishedList.objects.count() == 1


def test_match_pipeline_over_the_api(client_for: Callable[[str], Any], market: dict) -> None:
    staff = client_for("county_staff")
    body = {"demand": market["demand"].pk, "achievement": market["achievement"].pk}
    created = post(staff, f"{A}/matches", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["explanation"]
    skipped = post(staff, f"{A}/matches/{pk}/move", {"status": "signed"})
    assert skipped.status_code == 422 and "只能从" in skipped.json()["errors"]["status"][0]
    moved = post(staff, f"{A}/matches/{pk}/move", {"status": "contacted", "note": "电话联系"})
    assert moved.json()["status_display"] == "已联系"
    assert [e["to"] for e in moved.json()["events"]] == ["recommended", "contacted"]
    assert Match.objects.get(pk=pk).status == "contacted"
    board = staff.get(f"{A}/matches").json()
    assert [m["id"] for m in board] == [pk]


def test_public_budget_answers_429_in_chinese(
    client_for: Callable[[str], Any], market: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.cache import cache

    from kechuang.market import selectors

    cache.clear()
    monkeypatch.setattr(selectors, "PUBLIC_LIMIT", 2)
    anonymous = client_for("anonymous")
    assert anonymous.get(f"{A}/public/demands").status_code == 200
    assert anonymous.get("/market/public/demands/").status_code == 200
    refused = anonymous.get(f"{A}/public/demands")
    assert refused.status_code == 429 and "频繁" in refused.json()["message"]
    page = anonymous.get("/market/public/demands/")
    assert page.status_code == 429 and "请求过于频繁" in page.content.decode()
    cache.clear()


def test_bad_requests_never_answer_500(client_for: Callable[[str], Any], market: dict) -> None:
    staff = client_for("city_staff")
    pk = market["demand"].pk
    cases = [
        ("get", f"{A}/demands/abc", None, 422),
        ("get", f"{A}/demands/{pk}/matches?k=0", None, 422),
        ("get", f"{A}/search?q=", None, 422),
        ("get", f"{A}/search?q=电机&kind=planet", None, 422),
        ("get", f"{A}/demands?status=whatever", None, 422),
        ("patch", f"{A}/achievements/{market['achievement'].pk}", {"trl": 12}, 422),
        ("patch", f"{A}/achievements/{market['achievement'].pk}", {"transfer_modes": "x"}, 422),
        ("post", f"{A}/demands/{pk}/workflow", {"step": "approve"}, 422),
        ("post", f"{A}/demands/{pk}/workflow", {"step": "publish"}, 422),
        ("post", f"{A}/lists", {"kind": "demands", "ids": ["x"]}, 422),
        ("post", f"{A}/lists", {"kind": "demands", "ids": [pk], "area": "火星"}, 422),
        ("post", f"{A}/lists", {"kind": "key_demands", "ids": [pk]}, 422),
        ("post", f"{A}/matches", {"demand": pk, "scenario": 1, "achievement": 1}, 422),
        ("post", f"{A}/matches", {"demand": pk, "achievement": 999999}, 422),
        ("post", f"{A}/matches/999999/move", {"status": "contacted"}, 404),
        ("post", f"{A}/demands", "not json", 400),
    ]
    for method, url, body, status in cases:
        data = body if isinstance(body, str) else json.dumps(body) if body is not None else None
        kwargs = {"data": data, "content_type": "application/json"} if data is not None else {}
        answer = getattr(staff, method)(url, **kwargs)
        assert answer.status_code == status, (url, body, answer.status_code, answer.content[:200])
        assert any("\u4e00" <= c <= "\u9fff" for c in answer.json()["message"]), answer.json()
    assert TechDemand.objects.get(pk=pk).status == "published"
    assert PublishedList.objects.count() == 0 and Match.objects.count() == 0


def test_search_filters_by_maturity_area_and_industry(
    client_for: Callable[[str], Any], market: dict
) -> None:
    client = client_for("city_staff")

    def titles(**params: str) -> list[str]:
        answer = client.get(f"{A}/search", {"q": "电机 香菇", "kind": "achievement", **params})
        assert answer.status_code == 200, answer.content
        return [r["title"] for r in answer.json()["results"]]

    assert titles(maturity="pilot") == ["一种隔爆型电动机的冷却装置"]
    assert titles(maturity="industrial") == ["香菇酱超临界萃取增香工艺"]
    assert len(titles(area="卧龙区")) == 2 and titles(area="宛城区") == []
    assert titles(industry="equipment") == []  # neither listing names an industry
    unknown = client.get(f"{A}/search", {"q": "电机", "area": "火星"})
    assert unknown.status_code == 422 and "area" in unknown.json()["errors"]
