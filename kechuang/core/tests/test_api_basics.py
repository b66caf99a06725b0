"""The API's contract: authentication, the one error shape, health, and the OpenAPI docs."""

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from kechuang.accounts import services
from kechuang.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def assert_error_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == code
    assert any("\u4e00" <= c <= "\u9fff" for c in body["message"])
    return body


def test_healthz_answers_200_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_does_not(client: Client) -> None:
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch("kechuang.core.views.connection", broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "unreachable",
        "detail": "OperationalError",
    }


def test_anonymous_gets_401_in_the_error_shape(client: Client) -> None:
    assert_error_shape(client.get("/api/registry/organizations"), 401, "not_authenticated")


def test_unknown_api_path_gets_404_in_the_error_shape(client_for: Any) -> None:
    assert_error_shape(client_for("city_staff").get("/api/no/such/thing"), 404, "not_found")


def test_wrong_method_gets_405_in_the_error_shape(client_for: Any) -> None:
    response = client_for("city_staff").patch("/api/registry/areas")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_bad_body_gets_422_with_chinese_per_field_errors(client_for: Any) -> None:
    response = client_for("city_staff").post(
        "/api/registry/organizations",
        {
            "uscc": "91411303000000001",
            "kind": "factory",
            "area": "卧龙区",
            "founded_on": "2020/13/01",
        },
        content_type="application/json",
    )
    body = assert_error_shape(response, 422, "validation_error")
    assert body["errors"]["name"] == ["必填项。"]
    assert body["errors"]["kind"] == ["取值不在允许范围内。"]
    assert body["errors"]["founded_on"] == ["日期格式应为 YYYY-MM-DD。"]


def test_invalid_json_gets_an_error_not_a_500(client_for: Any) -> None:
    response = client_for("city_staff").post(
        "/api/registry/organizations", "{not json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"code", "message", "errors"}


def test_model_validation_errors_name_the_field(client_for: Any, reference: None) -> None:
    response = client_for("city_staff").post(
        "/api/registry/organizations",
        {
            "uscc": "91411303000000001X",
            "name": "校验位错误企业",
            "kind": "enterprise",
            "area": "卧龙区",
        },
        content_type="application/json",
    )
    body = assert_error_shape(response, 422, "validation_error")
    assert body["errors"]["uscc"][0].startswith("统一社会信用代码校验位错误")


def test_unknown_area_is_a_field_error(client_for: Any) -> None:
    response = client_for("city_staff").post(
        "/api/registry/organizations",
        {"uscc": "91350100M000100Y43", "name": "某企业", "kind": "enterprise", "area": "火星区"},
        content_type="application/json",
    )
    body = assert_error_shape(response, 422, "validation_error")
    assert body["errors"] == {"area": ["未知的区域：火星区"]}


def test_bearer_token_authenticates_and_acts_as_its_user(users: Any) -> None:
    token, raw = services.create_api_token(users["county_staff"], "数据同步")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/registry/organizations")
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["items"]}
    assert names == {"卧龙测试企业（测试）", "卧龙测试学院（测试）"}
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert token.key_hash != raw and raw not in str(ApiToken.objects.values_list())


def test_revoked_and_expired_tokens_are_refused(users: Any) -> None:
    revoked, raw_revoked = services.create_api_token(users["city_staff"], "旧令牌")
    services.revoke_api_token(revoked)
    expired, raw_expired = services.create_api_token(users["city_staff"], "过期令牌")
    expired.expires_at = timezone.now() - dt.timedelta(seconds=1)
    expired.save()
    for raw in (raw_revoked, raw_expired, "kc_made-up-token"):
        response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/accounts/me")
        assert_error_shape(response, 401, "not_authenticated")


def test_token_endpoint_shows_the_key_once(client_for: Any) -> None:
    client = client_for("enterprise")
    created = client.post(
        "/api/accounts/tokens", {"name": "ERP 对接", "days": 30}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["key"].startswith("kc_")
    listed = client.get("/api/accounts/tokens").json()
    assert len(listed) == 1 and "key" not in listed[0]
    assert client.delete(f"/api/accounts/tokens/{listed[0]['id']}").status_code == 204
    assert client.get("/api/accounts/tokens").json()[0]["revoked_at"] is not None


def test_session_writes_need_the_csrf_token(users: Any, orgs: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["city_staff"])
    response = client.delete(f"/api/registry/organizations/{orgs['wancheng'].pk}")
    body = assert_error_shape(response, 403, "csrf_failed")  # the same code as the pages
    assert "CSRF" in body["message"]


def test_openapi_docs_are_served_without_a_cdn(client: Client) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    schema = client.get("/api/openapi.json").json()
    assert "/api/registry/organizations" in schema["paths"]
    assert schema["info"]["title"] == "科创平台 API"


def test_nul_bytes_are_refused_with_a_field_error(client_for: Any, reference: None) -> None:
    created = client_for("city_staff").post(
        "/api/registry/organizations",
        {
            "uscc": "91350100M000100Y43",
            "name": "含\x00字符",
            "kind": "enterprise",
            "area": "卧龙区",
        },
        content_type="application/json",
    )
    body = assert_error_shape(created, 422, "validation_error")
    assert body["errors"] == {"name": ["不能包含空字符（NUL）。"]}


def test_nul_bytes_in_a_filter_never_cause_a_server_error(client_for: Any, reference: None) -> None:
    # SQLite matches nothing; PostgreSQL refuses the value, which the API reports as a 422.
    listed = client_for("city_staff").get("/api/registry/organizations", {"q": "a\x00b"})
    if listed.status_code == 200:
        assert listed.json()["count"] == 0
    else:
        assert_error_shape(listed, 422, "validation_error")


def test_validation_messages_are_never_pydantic_english(client_for: Any) -> None:
    import json

    from kechuang.core.errors import CJK, pydantic_message

    response = client_for("city_staff").post(
        "/api/accounts/tokens", json.dumps({"name": "x", "days": 1.5}), "application/json"
    )
    body = assert_error_shape(response, 422, "validation_error")
    messages = [m for ms in body["errors"].values() for m in ms]
    assert messages and all(CJK.search(m) for m in messages), messages
    # a type nobody mapped gets the generic Chinese message; our validators keep their own
    assert (
        pydantic_message({"type": "uuid_parsing", "msg": "Input should be a UUID"}) == "取值无效。"
    )
    assert (
        pydantic_message({"type": "value_error", "msg": "Value error, 校验位错误"}) == "校验位错误"
    )
