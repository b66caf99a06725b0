"""Roadshows and matchmaking events (路演/对接会): the listings presented, the participants, the
matches they produced; the conversion figures by area, industry, broker and event (page, API,
Excel)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from kechuang.core.models import AuditEntry
from kechuang.market import api, selectors, services
from kechuang.market.models import (
    Broker,
    Match,
    Roadshow,
    TechDemand,
    TransferInstitution,
)
from kechuang.market.tests.conftest import DEMAND
from kechuang.registry.models import IndustryChain

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 18)
WHEN = {"title": "路演", "held_on": "2026-04-01"}


def _roadshow(user: Any, market: dict[str, Any], orgs: dict[str, Any], **extra: Any) -> Roadshow:
    payload = api.RoadshowIn(
        title="卧龙区装备制造成果路演",
        held_on=DAY,
        venue="卧龙区科技大市场",
        demands=[market["demand"].pk],
        achievements=[market["achievement"].pk, market["other"].pk],
        participants=[orgs["wolong"].uscc, orgs["wolong_univ"].uscc],
        guests="南阳某投资机构",
        attendance=60,
        **extra,
    )
    return services.save_roadshow(user, Roadshow(), api.roadshow_data(user, payload))


def test_staff_register_a_roadshow_with_its_listings_and_participants(
    users: dict[str, Any], market: dict[str, Any], orgs: dict[str, Any]
) -> None:
    roadshow = _roadshow(users["county_staff"], market, orgs)
    assert roadshow.area.name == "卧龙区"
    assert list(roadshow.demands.all()) == [market["demand"]]
    assert {a.title for a in roadshow.achievements.all()} == {
        "一种隔爆型电动机的冷却装置",
        "香菇酱超临界萃取增香工艺",
    }
    assert {o.name for o in roadshow.participants.all()} == {
        "卧龙测试企业（测试）",
        "卧龙测试学院（测试）",
    }
    links = AuditEntry.objects.filter(object_id=str(roadshow.pk), note__contains="推介项目")
    assert links.get().changes["demands"] == ["防爆电机温升过高，需要新的散热结构"]


def test_an_unpublished_listing_cannot_be_presented(
    users: dict[str, Any], market: dict[str, Any], publish: Callable[..., Any]
) -> None:
    draft = publish("enterprise", TechDemand, {**DEMAND, "title": "草稿需求"}, until="submit")
    payload = api.RoadshowIn(title="路演", held_on=DAY, demands=[draft.pk])
    with pytest.raises(ValidationError) as error:
        api.roadshow_data(users["city_staff"], payload)
    assert error.value.message_dict["demands"] == [
        f"以下编号不是您可见的已发布技术需求：{draft.pk}。"
    ]
    assert Roadshow.objects.count() == 0


def test_enterprise_may_not_register_a_roadshow(
    users: dict[str, Any], market: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        services.save_roadshow(
            users["enterprise"], Roadshow(), {"title": "x", "held_on": DAY, "area": None}
        )
    assert Roadshow.objects.count() == 0


def _matches(users: dict[str, Any], market: dict[str, Any], roadshow: Roadshow) -> list[Match]:
    staff = users["city_staff"]
    broker = Broker.objects.create(name="张经理", area=market["demand"].area, fields="装备制造")
    won = services.create_match(staff, market["demand"], market["achievement"], broker, roadshow)
    for status in ("contacted", "negotiating", "signed"):
        services.move_match(staff, won, status)
    lost = services.create_match(staff, market["demand"], market["other"], None, roadshow)
    services.move_match(staff, lost, "failed", reason="方向不符")
    return [won, lost]


def test_matches_produced_by_a_roadshow_and_its_conversion(
    users: dict[str, Any], market: dict[str, Any], orgs: dict[str, Any]
) -> None:
    roadshow = _roadshow(users["city_staff"], market, orgs)
    won, lost = _matches(users, market, roadshow)
    out = api.roadshow_out(users["city_staff"], roadshow)
    assert {m["id"] for m in out["matches"]} == {won.pk, lost.pk}
    assert out["conversion"] == {"matches": 2, "signed": 1, "rate": 0.5}
    assert won.events.first().note == "推荐对接（卧龙区装备制造成果路演）"


def test_conversion_by_every_dimension(
    users: dict[str, Any], market: dict[str, Any], orgs: dict[str, Any]
) -> None:
    industry = IndustryChain.objects.filter(parent__isnull=True).order_by("code").first()
    TechDemand.objects.filter(pk=market["demand"].pk).update(industry=industry)
    roadshow = _roadshow(users["city_staff"], market, orgs)
    _matches(users, market, roadshow)
    table = selectors.conversion_table(selectors.matches_for(users["city_staff"]))
    assert table["area"] == [{"key": "卧龙区", "matches": 2, "signed": 1, "rate": 0.5}]
    assert table["industry"] == [{"key": industry.name, "matches": 2, "signed": 1, "rate": 0.5}]
    assert table["broker"] == [
        {"key": "张经理", "matches": 1, "signed": 1, "rate": 1.0},
        {"key": "（未指派经理人）", "matches": 1, "signed": 0, "rate": 0.0},
    ]
    assert table["roadshow"] == [
        {"key": "卧龙区装备制造成果路演", "matches": 2, "signed": 1, "rate": 0.5}
    ]


def test_stats_page_and_its_excel(
    client_for: Callable[[str], Any],
    users: dict[str, Any],
    market: dict[str, Any],
    orgs: dict[str, Any],
) -> None:
    roadshow = _roadshow(users["city_staff"], market, orgs)
    _matches(users, market, roadshow)
    client = client_for("county_staff")
    page = client.get("/market/stats/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "卧龙区装备制造成果路演" in text and "张经理" in text and "50%" in text
    workbook = load_workbook(io.BytesIO(client.get("/market/stats/?format=xlsx").content))
    assert workbook.sheetnames == ["按需求方区域", "按产业", "按技术经理人", "按路演对接活动"]
    sheet = workbook["按路演对接活动"]
    assert [c.value for c in sheet[2]] == ["路演对接活动", "对接（项）", "签约（项）", "转化率"]
    assert [c.value for c in sheet[3]] == ["卧龙区装备制造成果路演", 2, 1, 0.5]
    assert client_for("enterprise").get("/market/stats/").status_code == 403


def test_roadshow_api_create_and_detail(
    client_for: Callable[[str], Any],
    users: dict[str, Any],
    market: dict[str, Any],
    orgs: dict[str, Any],
) -> None:
    client = client_for("county_staff")
    body = {
        "title": "宛城对接会",
        "kind": "matchmaking",
        "held_on": "2026-04-01",
        "achievements": [market["achievement"].pk],
        "participants": [orgs["wolong"].uscc],
        "attendance": 30,
    }
    created = client.post("/api/market/roadshows", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["kind_display"] == "对接会"
    assert data["area"] == "卧龙区"
    assert data["participants"] == ["卧龙测试企业（测试）"]
    pk = data["id"]
    made = client.post(
        "/api/market/matches",
        {"demand": market["demand"].pk, "achievement": market["achievement"].pk, "roadshow": pk},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["roadshow"] == "宛城对接会"
    detail = client.get(f"/api/market/roadshows/{pk}").json()
    assert [m["achievement"] for m in detail["matches"]] == ["一种隔爆型电动机的冷却装置"]
    conversion = client.get("/api/market/stats/conversion").json()
    assert conversion["roadshow"] == [{"key": "宛城对接会", "matches": 1, "signed": 0, "rate": 0.0}]


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"title": "", "held_on": "2026-04-01"}, "title", ""),
        ({"title": "路演", "held_on": "2026-02-30"}, "held_on", ""),
        ({"title": "路演", "held_on": "2026-04-01", "attendance": -1}, "attendance", ""),
        ({**WHEN, "participants": ["123"]}, "participants", "未知"),
        ({**WHEN, "achievements": [999999]}, "achievements", "999999"),
    ],
)
def test_roadshow_api_refuses_bad_input_and_changes_nothing(
    client_for: Callable[[str], Any],
    market: dict[str, Any],
    body: dict[str, Any],
    field: str,
    text: str,
) -> None:
    response = client_for("city_staff").post(
        "/api/market/roadshows", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in str(errors), errors
    assert text in str(errors)
    assert Roadshow.objects.count() == 0


def test_roadshow_pages(
    client_for: Callable[[str], Any],
    users: dict[str, Any],
    market: dict[str, Any],
    orgs: dict[str, Any],
) -> None:
    client = client_for("city_staff")
    form = client.get("/market/roadshows/new/")
    assert "一种隔爆型电动机的冷却装置" in form.content.decode()
    posted = client.post(
        "/market/roadshows/new/",
        {
            "title": "页面登记的路演",
            "kind": "roadshow",
            "held_on": "2026-05-06",
            "demands": [str(market["demand"].pk)],
            "participants": f"{orgs['wolong'].uscc}\n",
            "attendance": "12",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    roadshow = Roadshow.objects.get(title="页面登记的路演")
    detail = client.get(posted["Location"]).content.decode()
    assert "防爆电机温升过高，需要新的散热结构" in detail
    assert "卧龙测试企业（测试）" in detail
    assert "页面登记的路演" in client.get("/market/roadshows/").content.decode()
    bad = client.post("/market/roadshows/new/", {"title": "", "held_on": "2026-05-06"})
    assert bad.status_code == 422
    assert Roadshow.objects.count() == 1
    assert roadshow.attendance == 12


def test_institutions_page_lists_institutions_with_their_brokers(
    client_for: Callable[[str], Any], market: dict[str, Any]
) -> None:
    area = market["demand"].area
    agency = TransferInstitution.objects.create(
        name="伏牛技术转移中心（测试）",
        area=area,
        level="provincial",
        fields="装备制造、新材料",
        services="评估、交易",
        deals=12,
    )
    TransferInstitution.objects.create(name="白河成果转化中心（测试）", area=area, fields="农业")
    Broker.objects.create(name="张经理", area=area, fields="装备制造", agency=agency)
    Broker.objects.create(name="隐经理", area=area, fields="装备", agency=agency, is_public=False)
    page = client_for("enterprise").get("/market/institutions/")
    assert page.status_code == 200
    rows = {i.name: [b.name for b in i.brokers.all()] for i in page.context["page"].object_list}
    assert rows == {"伏牛技术转移中心（测试）": ["张经理"], "白河成果转化中心（测试）": []}
    text = page.content.decode()
    assert "省级技术转移示范机构" in text and "暂无登记的技术经理人" in text
    found = client_for("enterprise").get("/market/institutions/?q=新材料")
    assert [i.name for i in found.context["page"].object_list] == ["伏牛技术转移中心（测试）"]
    none = client_for("enterprise").get("/market/institutions/?q=航天")
    assert "没有符合“航天”的机构" in none.content.decode()
