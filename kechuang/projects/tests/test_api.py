"""Bad input to the projects' API answers 422 with a Chinese message and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kechuang.projects import services
from kechuang.projects.models import Acceptance, Spending

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def chinese(response: Any) -> str:
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert any("\u4e00" <= c <= "\u9fff" for c in body["message"]), body
    return json.dumps(body, ensure_ascii=False)


def test_extreme_ids_and_amounts_are_422(client_for: Any, running: Any) -> None:
    client = client_for("enterprise")
    assert client.get(f"/api/projects/projects/{2**63}").status_code == 422
    huge = {
        "items": [
            {"category": "设备费", "description": "x", "amount": "1e20", "spent_on": "2026-03-01"}
        ]
    }
    response = post(client, f"/api/projects/projects/{running.pk}/spending", huge)
    assert response.status_code == 422
    chinese(response)
    assert Spending.objects.count() == 0


def test_a_hit_without_explanation_is_422_naming_the_rule(client_for: Any, running: Any) -> None:
    body = {
        "items": [
            {
                "category": "业务费",
                "description": "客户宴请",
                "amount": "1",
                "spent_on": "2026-03-01",
            }
        ]
    }
    response = post(client_for("enterprise"), f"/api/projects/projects/{running.pk}/spending", body)
    assert response.status_code == 422
    assert "不得用于招待、娱乐、礼品" in chinese(response)
    assert Spending.objects.count() == 0


def test_evidence_that_is_not_base64_or_not_a_pdf_is_422(client_for: Any, running: Any) -> None:
    client = client_for("enterprise")
    target = running.targets.get()
    url = f"/api/projects/projects/{running.pk}/acceptance"
    bad = {
        "summary": "x",
        "evidence": {str(target.pk): {"file_base64": "%%%", "file_name": "a.pdf"}},
    }
    response = post(client, url, bad)
    assert response.status_code == 422 and "Base64" in chinese(response)
    fake = {
        "summary": "x",
        "evidence": {str(target.pk): {"file_base64": "aGVsbG8=", "file_name": "a.pdf"}},
    }
    response = post(client, url, fake)
    assert response.status_code == 422 and "名为 PDF 文件" in chinese(response)
    assert Acceptance.objects.count() == 0


def test_a_tranche_before_its_condition_is_422(
    client_for: Any, users: dict[str, Any], running: Any
) -> None:
    services.pay_tranche(users["city_staff"], running.tranches.get(number=1))
    tranche = running.tranches.get(number=2)
    response = post(client_for("city_staff"), f"/api/projects/tranches/{tranche.pk}/pay", {})
    assert response.status_code == 422
    assert "中期评估通过后" in chinese(response)
    tranche.refresh_from_db()
    assert tranche.status == "pending"
