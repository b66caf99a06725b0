"""The research-integrity records' API (/api/projects/integrity): city staff enter a record for
an organization or a person (resolved within their view; bad input a 422 naming the field,
nothing saved); the organization lists and contests its own; city staff answer the contest (an
upheld contest revokes the restriction)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kechuang.registry.models import IntegrityRecord, Talent
from kechuang.registry.selectors import integrity_in_force

pytestmark = pytest.mark.django_db
URL = "/api/projects/integrity"


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def record(**extra: Any) -> dict[str, Any]:
    return {
        "misconduct": "虚报项目经费",
        "severity": "serious",
        "decision": "三年内不得申报市级科技计划",
        "decided_by": "南阳市科学技术局",
        "decided_on": "2026-01-05",
        "excluded_from": "2026-01-05",
        "excluded_until": "2099-01-04",
        **extra,
    }


def test_city_staff_enter_records_and_bad_input_saves_nothing(
    client_for: Any, orgs: dict[str, Any]
) -> None:
    staff = client_for("city_staff")
    wolong = orgs["wolong"]
    elsewhere = Talent.objects.create(name="宛城研究员", organization=orgs["wancheng"])
    cases = [
        (record(organization_id=wolong.pk, severity="heavy"), "severity", "严重程度应为"),
        (record(), "organization_id", "请填写责任单位编号或责任人编号"),
        (record(organization_id=999_999), "organization_id", "找不到编号为 999999 的单位"),
        (
            record(organization_id=wolong.pk, talent_id=elsewhere.pk),
            "talent_id",
            "责任人不属于所填的责任单位",
        ),
        (
            record(organization_id=wolong.pk, excluded_until="2025-01-01"),
            "excluded_until",
            "限制截止日期早于限制开始日期",
        ),
    ]
    for body, field, message in cases:
        response = post(staff, URL, body)
        assert response.status_code == 422, (field, response.content)
        assert message in response.content.decode(), (field, response.content.decode())
    assert IntegrityRecord.objects.count() == 0
    response = post(staff, URL, record(talent_id=elsewhere.pk, person_only=True))
    assert response.status_code == 201
    made = IntegrityRecord.objects.get()
    assert (made.talent, made.organization, made.person_only) == (elsewhere, orgs["wancheng"], True)
    assert response.json()["severity_display"] == "较重"
    assert integrity_in_force(person=elsewhere)  # in force: blocks applications and awards


def test_the_organization_sees_and_contests_its_own_and_the_city_answers(
    client_for: Any, orgs: dict[str, Any]
) -> None:
    staff, team = client_for("city_staff"), client_for("enterprise")
    own = post(staff, URL, record(organization_id=orgs["wolong"].pk)).json()["id"]
    other = post(staff, URL, record(organization_id=orgs["wancheng"].pk)).json()["id"]
    assert sorted(r["id"] for r in staff.get(URL).json()) == sorted([own, other])
    assert [r["id"] for r in team.get(URL).json()] == [own]
    assert post(team, f"{URL}/{other}/contest", {"reason": "不是我们"}).status_code == 404
    empty = post(team, f"{URL}/{own}/contest", {"reason": "  "})
    assert empty.status_code == 422 and "请填写申诉理由" in empty.content.decode()
    contested = post(team, f"{URL}/{own}/contest", {"reason": "经费使用有据可查"})
    assert contested.status_code == 200 and contested.json()["contest_status"] == "pending"
    assert integrity_in_force(org=orgs["wolong"])
    upheld = post(staff, f"{URL}/{own}/answer", {"upheld": True, "answer": "经复核，申诉成立"})
    assert upheld.status_code == 200 and upheld.json()["contest_status"] == "upheld"
    assert not integrity_in_force(org=orgs["wolong"])
    again = post(staff, f"{URL}/{own}/answer", {"upheld": False, "answer": "x"})
    assert again.status_code == 422 and "该记录没有待处理的申诉" in again.content.decode()
