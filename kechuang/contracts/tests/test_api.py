"""The API: a contract from application to registration, history, the Chinese 422s of the
issue's bad input with nothing saved, statistics and the public certificate check."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from kechuang.contracts.models import ContractEvent, TechContract
from kechuang.contracts.tests.conftest import PDF

pytestmark = pytest.mark.django_db
B64 = base64.b64encode(PDF).decode()


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def body(orgs: dict[str, Any]) -> dict[str, Any]:
    return {
        "category": "技术转让",
        "subcategory": "专利权转让",
        "title": "一种光学镜头镀膜方法专利权转让（测试）",
        "buyer_uscc": orgs["wancheng"].uscc,
        "signed_on": "2024-12-20",
        "total_amount": "100",
        "declared_tech_amount": "70",
        "file_name": "转让合同.pdf",
        "file_base64": B64,
    }


def test_application_to_registration(client_for, body) -> None:
    seller, staff = client_for("enterprise"), client_for("city_staff")
    created = post(seller, "/api/contracts", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "applied"
    assert post(staff, f"/api/contracts/{pk}/accept", {}).json()["status"] == "accepted"
    assessed = post(
        staff,
        f"/api/contracts/{pk}/assess",
        {"deductions": [{"kind": "equipment", "amount": "30", "description": "生产设备"}]},
    ).json()
    assert assessed["tech_amount"] == "70.0000"
    registered = post(staff, f"/api/contracts/{pk}/register", {"registered_on": "2024-12-31"})
    assert registered.status_code == 200, registered.content
    data = registered.json()
    assert data["registered_on"] == "2024-12-31" and data["status"] == "registered"
    assert [e["kind"] for e in data["events"]] == [
        "applied",
        "accepted",
        "amount_assessed",
        "registered",
    ]
    listed = client_for("county_staff").get("/api/contracts?year=2024&counted=true").json()
    assert [c["id"] for c in listed["items"]] == [pk]
    assert client_for("institution").get("/api/contracts").json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"declared_tech_amount": "120"}, "tech_amount", "超过了合同成交额"),
        ({"total_amount": "-5"}, "total_amount", "数值过小"),
        ({"category": "技术买卖"}, "category", "未知的合同类别"),
        ({"seller_uscc": "__wancheng__"}, "seller_uscc", "未知的单位"),
        ({"file_base64": base64.b64encode(b"<html>").decode()}, "contract_file", "按内容检查"),
        ({"signed_on": "2024-13-01"}, "signed_on", "日期格式"),
    ],
)
def test_bad_input_is_a_chinese_422_and_saves_nothing(
    client_for, orgs, body, change, field, text
) -> None:
    if change.get("seller_uscc") == "__wancheng__":
        change = {"seller_uscc": orgs["wancheng"].uscc}
    response = post(client_for("enterprise"), "/api/contracts", {**body, **change})
    assert response.status_code == 422, response.content
    answer = response.json()
    assert text in " ".join(answer["errors"][field]), answer
    assert TechContract.objects.count() == 0 and ContractEvent.objects.count() == 0


def test_registration_before_signing_and_duplicate_number_via_api(client_for, body, orgs) -> None:
    seller, staff = client_for("enterprise"), client_for("city_staff")
    first = post(seller, "/api/contracts", body).json()["id"]
    second = post(
        seller, "/api/contracts", {**body, "buyer_uscc": orgs["wolong_univ"].uscc}
    ).json()["id"]
    for pk in (first, second):
        post(staff, f"/api/contracts/{pk}/accept", {})
        post(staff, f"/api/contracts/{pk}/assess", {"deductions": []})
    early = post(staff, f"/api/contracts/{first}/register", {"registered_on": "2024-12-01"})
    assert early.status_code == 422
    assert "早于签订日期" in early.json()["errors"]["registered_on"][0]
    ok = post(staff, f"/api/contracts/{first}/register", {"registration_no": "2024411303A0001"})
    assert ok.status_code == 200
    dup = post(staff, f"/api/contracts/{second}/register", {"registration_no": "2024411303A0001"})
    assert dup.status_code == 422
    assert "已用于另一份合同" in dup.json()["errors"]["registration_no"][0]
    assert TechContract.objects.get(pk=second).status == "accepted"


def test_verify_reveals_minimal_data(client, registered) -> None:
    contract = registered()
    url = f"/api/contracts/verify?number={contract.registration_no}&code={contract.check_code}"
    genuine = client.get(url).json()
    assert genuine["genuine"] is True and genuine["category"] == "技术开发"
    assert "seller" not in json.dumps(genuine) and "100" not in json.dumps(genuine)
    wrong = client.get(f"/api/contracts/verify?number={contract.registration_no}&code=00000000")
    assert wrong.json() == {
        "genuine": False,
        "message": "未查到与该登记编号和校验码相符的登记证明。",
        "registration_no": None,
        "registered_on": None,
        "category": None,
        "status": None,
    }


def test_stats_endpoint(client_for, registered) -> None:
    registered([{"kind": "equipment", "amount": "30"}])
    answer = client_for("city_staff").get("/api/contracts/stats?year=2025").json()
    assert answer["totals"]["total"] == "100" or float(answer["totals"]["total"]) == 100
    assert float(answer["totals"]["technology"]) == 70
    outputs = {r["key"]: float(r["total"]) for r in answer["output_by_area"]}
    assert outputs["卧龙区"] == 100 and outputs["南阳市"] == 100
    assert {r["key"] for r in answer["absorbed_by_area"]} == {"南阳市", "宛城区"}
    assert answer["flows"][0]["seller"] == "卧龙区" and answer["flows"][0]["buyer"] == "宛城区"
    bad = client_for("city_staff").get("/api/contracts/stats?area=火星区")
    assert bad.status_code == 422 and "未知的区域" in bad.json()["errors"]["area"][0]


def test_malformed_api_input_is_422_in_chinese(client_for, body, registered) -> None:
    seller, staff = client_for("enterprise"), client_for("city_staff")
    bad_file = post(seller, "/api/contracts", {**body, "file_base64": "不是base64!"})
    assert bad_file.status_code == 422
    assert "Base64" in bad_file.json()["errors"]["file_base64"][0]
    nul = post(seller, "/api/contracts", {**body, "title": "合同\x00"})
    assert nul.status_code == 422
    huge = post(seller, "/api/contracts", {**body, "total_amount": "1" * 20})
    assert huge.status_code == 422
    contract = registered()
    negative = post(staff, f"/api/contracts/{contract.pk}/change", {"total_amount": "-1"})
    assert negative.status_code == 422 and negative.json()["message"]
    kind = post(
        staff,
        f"/api/contracts/{contract.pk}/change",
        {"deductions": [{"kind": "lunch", "amount": "1"}]},
    )
    assert kind.status_code == 422 and "类别“lunch”无效" in json.dumps(
        kind.json(), ensure_ascii=False
    )
    assert TechContract.objects.count() == 1
    contract.refresh_from_db()
    assert contract.status == "registered"


def test_outside_buyer_reads_back_without_an_area(client_for, body) -> None:
    outside = {**body, "buyer_uscc": "", "buyer_name": "武汉某公司", "buyer_region": "湖北省武汉市"}
    created = post(client_for("enterprise"), "/api/contracts", outside)
    assert created.status_code == 201, created.content
    data = client_for("city_staff").get(f"/api/contracts/{created.json()['id']}").json()
    assert (data["buyer_area"], data["buyer_region"]) == (None, "湖北省武汉市")
    assert data["tech_field"] is None and data["registration_no"] is None


def test_verification_is_rate_limited_per_address(client, monkeypatch) -> None:
    from django.core.cache import cache

    from kechuang.contracts import selectors

    cache.clear()
    monkeypatch.setattr(selectors, "VERIFY_LIMIT", 2)
    url = "/api/contracts/verify?number=2025X&code=ABC"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and refused.json()["message"] == "请求过于频繁，请稍后再试。"
    page = client.get("/contracts/verify/?number=2025X&code=ABC")
    assert page.status_code == 429 and "查验过于频繁" in page.content.decode()
    cache.clear()
