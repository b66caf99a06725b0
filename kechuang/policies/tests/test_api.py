"""The API's answers: bad input is a 422 in Chinese naming the field, nothing changed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kechuang.policies.models import BenefitRun, Entitlement, Policy
from kechuang.policies.tests.conftest import RD_TEXT

pytestmark = pytest.mark.django_db
A = "/api/policies"


def post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_bad_rule_text_is_a_chinese_422(client_for: Any, users: dict[str, Any]) -> None:
    client = client_for("city_staff")
    for text, field in (
        (RD_TEXT.replace("rd_expense, op", "rd_spend, op", 1), "text（conditions[0].field）"),
        (RD_TEXT.replace("total: 100000", "total: -5"), "text（budget.total）"),
        (RD_TEXT.replace("floor: 10000", "floor: 600000"), "text（amount.cap）"),
        ("code: [", "text（document）"),
    ):
        answer = post(client, A, {"text": text})
        assert answer.status_code == 422, answer.content
        body = answer.json()
        assert field in body["errors"], body
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][field][0]), body
    assert Policy.objects.count() == 0


def test_simulation_answers_and_bad_parameter(client_for: Any, city: dict[str, Any]) -> None:
    client = client_for("city_staff")
    created = post(client, A, {"text": RD_TEXT})
    assert created.status_code == 201
    pk = created.json()["id"]
    answer = post(client, f"{A}/{pk}/simulate", {"year": 2025, "changes": {"amount.cap": 30000}})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["before"]["eligible"], body["before"]["total"]) == (4, "241000.00")
    # cap 30000: 30000 + 30000 + 10000 + 21000
    assert body["after"]["total"] == "91000.00"
    bad = post(client, f"{A}/{pk}/simulate", {"year": 2025, "changes": {"conditions[9].value": 1}})
    assert bad.status_code == 422
    assert "changes（conditions[9].value）" in bad.json()["errors"]
    zero = post(client, f"{A}/{pk}/simulate", {"year": 2025, "changes": {"amount.rate": 0}})
    assert zero.status_code == 422 and "changes（amount.rate）" in zero.json()["errors"]


def test_run_and_review_over_the_api(client_for: Any, city: dict[str, Any]) -> None:
    from kechuang.policies.compute import execute_run

    client = client_for("city_staff")
    pk = post(client, A, {"text": RD_TEXT}).json()["id"]
    queued = post(client, f"{A}/{pk}/runs", {"year": 2025})
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    assert post(client, f"{A}/{pk}/runs", {"year": 1899}).status_code == 422
    run = execute_run(queued.json()["id"])
    rows = client.get(f"{A}/runs/{run.pk}/entitlements").json()["items"]
    assert [r["amount"] for r in rows] == ["150000.00", "60000.00", "21000.00", "10000.00", "0.00"]
    assert rows[0]["checks"][0] == {
        "label": "2025 年研发费用总额 >= 100 万元",
        "fact": "2025 年研发费用总额 300 万元",
        "held": True,
        "missing": False,
    }
    bad = post(client, f"{A}/runs/{run.pk}/notice", {"start": "2026-05-10", "end": "2026-05-01"})
    assert bad.status_code == 422 and "notice_end" in bad.json()["errors"]
    assert BenefitRun.objects.get(pk=run.pk).stage == "review"
    first = rows[0]["id"]
    too_much = post(client, f"{A}/entitlements/{first}/adjust", {"amount": "999999", "reason": "x"})
    assert too_much.status_code == 422 and "amount" in too_much.json()["errors"]
    assert Entitlement.objects.get(pk=first).amount == 150000


def test_confirm_bad_account_changes_nothing(
    client_for: Any, users: dict[str, Any], in_notice: Any, city: dict[str, Any]
) -> None:
    mine = in_notice.entitlements.get(organization=city["wolong"])
    client = client_for("enterprise")
    answer = post(
        client, f"{A}/entitlements/{mine.pk}/confirm", {"bank_name": "银行", "bank_account": "abc"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"]["bank_account"] == [
        "银行账号应为 12–25 位数字（可含空格），请核对后重填。"
    ]
    assert Entitlement.objects.get(pk=mine.pk).status == "entitled"
    listed = client.get(f"{A}/mine").json()
    assert [(e["policy"], e["amount"]) for e in listed] == [("研发后补助（测试）", "150000.00")]
