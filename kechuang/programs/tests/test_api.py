"""Bad input on the API answers 422 with a Chinese message naming the rule, never 500, and
changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kechuang.programs.models import Application, Assignment, Review
from kechuang.programs.tests.conftest import MARKS

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_bid_with_budget_not_summing(client_for: Any, programme: dict[str, Any]) -> None:
    body = {
        "challenge": programme["challenge"].pk,
        "title": "方案",
        "summary": "路线",
        "requested": "100",
        "budget": {"设备费": "30"},
    }
    response = post(
        client_for("enterprise"), f"/api/programs/calls/{programme['call'].pk}/applications", body
    )
    assert response.status_code == 422
    assert "各预算科目合计 30 万元" in response.json()["errors"]["budget"][0]
    body["budget"] = {"差旅费": "100"}
    response = post(
        client_for("enterprise"), f"/api/programs/calls/{programme['call'].pk}/applications", body
    )
    assert "预算科目“差旅费”不在本批次的科目中" in response.json()["errors"]["budget"][0]
    assert Application.objects.count() == 0


def test_unknown_challenge_and_bad_base64(
    client_for: Any, programme: dict[str, Any], users: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    client = client_for("enterprise")
    body = {"challenge": 99999, "title": "方案", "summary": "路线", "requested": "1"}
    response = post(client, f"/api/programs/calls/{programme['call'].pk}/applications", body)
    assert response.status_code == 422
    assert "未知的榜单“99999”" in response.json()["errors"]["challenge"][0]
    from kechuang.programs import services

    app = services.create_application(users["enterprise"], programme["call"], bid_data)
    response = post(
        client,
        f"/api/programs/applications/{app.pk}/attachments",
        {"kind": "可行性研究报告", "file_name": "a.pdf", "file_base64": "***"},
    )
    assert response.status_code == 422 and "Base64" in response.json()["errors"]["file_base64"][0]
    response = post(
        client, f"/api/programs/applications/{app.pk}/transition", {"transition": "fly"}
    )
    assert response.status_code == 422
    assert "没有操作“fly”" in response.json()["errors"]["transition"][0]


def test_review_out_of_range_and_recusal_on_the_api(
    client_for: Any, users: dict[str, Any], in_review: Any, programme: dict[str, Any], orgs: Any
) -> None:
    app = in_review()
    mine = app.assignments.get(expert__user=users["expert"])
    response = post(
        client_for("expert"),
        f"/api/programs/assignments/{mine.pk}/review",
        {"marks": {**MARKS, "budget": 11}, "comments": "x", "recommendation": "fund"},
    )
    assert response.status_code == 422
    assert "得分 11 超出范围：应在 0 到 10 分之间" in response.json()["errors"]["budget"][0]
    assert Review.objects.count() == 0
    from kechuang.programs import services
    from kechuang.registry.models import Talent

    same = Talent.objects.create(name="本单位专家", organization=orgs["wolong"])
    expert = services.add_expert(users["city_staff"], {"talent": same.pk})
    before = Assignment.objects.count()
    response = post(
        client_for("city_staff"),
        f"/api/programs/applications/{app.pk}/assignments",
        {"expert": expert.pk},
    )
    assert response.status_code == 422
    assert "回避：本单位" in response.json()["errors"]["expert"][0]
    assert Assignment.objects.count() == before


def test_workflow_with_a_dead_end_is_refused(client_for: Any, programme: dict[str, Any]) -> None:
    from kechuang.programs.engine.builtin import challenge

    definition = challenge()
    definition["stages"][2]["phases"][1]["transitions"] = []
    response = post(
        client_for("city_admin"),
        "/api/programs/workflows/challenge/versions",
        {"definition": definition},
    )
    assert response.status_code == 422
    assert "环节“答辩中”没有后续操作" in response.json()["errors"]["definition"][0]


def test_staff_create_a_call_with_four_only_criteria_refused(
    client_for: Any, programme: dict[str, Any]
) -> None:
    from kechuang.programs.models import Call

    client = client_for("city_staff")
    body = {
        "title": "前沿探索第一批",
        "mode": "regular",
        "opens_at": "2026-01-01T00:00:00+08:00",
        "closes_at": "2026-03-01T00:00:00+08:00",
        "budget": "500",
        "criteria": [
            {"code": "route", "name": "技术路线", "max_points": 70},
            {"code": "papers", "name": "近五年SCI论文数", "max_points": 30},
        ],
    }
    url = f"/api/programs/programs/{programme['program'].pk}/calls"
    before = Call.objects.count()
    response = post(client, url, body)
    assert response.status_code == 422
    assert "唯论文" in response.json()["errors"]["criteria"][0]
    assert Call.objects.count() == before
    body["criteria"][1] = {"code": "targets", "name": "考核指标可考核性", "max_points": 30}
    response = post(client, url, body)
    assert response.status_code == 201
    call = Call.objects.get(pk=response.json()["id"])
    assert call.workflow_version.workflow.code == "regular" and call.status == "draft"
