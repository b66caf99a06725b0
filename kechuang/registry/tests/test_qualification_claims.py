"""Qualifications are verified before they count: an organization's claim (page or API, with a
scan checked by content) is 待核验 and counts nowhere until city staff verify it; a rejection
keeps the reason; nobody but city staff sets the state."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.registry.excel.importer import validate_upload
from kechuang.registry.models import Qualification
from kechuang.registry.selectors import registry_summary
from kechuang.registry.tests.claims import JPEG, PDF, PNG, TEXT_AS_PDF, stored_claim

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ISSUED = TODAY - dt.timedelta(days=30)
CLAIM = {
    "kind": "HNTE",
    "certificate_no": "GR202441000777",
    "issued_on": ISSUED.isoformat(),
    "issuer_level": "national",
    "issuer": "河南省科学技术厅",
}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def scan(content: bytes = PDF, name: str = "证书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def api_claim(client: Any, **extra: Any) -> Any:
    body = {**CLAIM, "scan": scan(), **extra}
    return client.post("/api/registry/qualification-claims", body)


def hnte_today(user: Any) -> int:
    return registry_summary(user)["hnte"]


# --- the claim ------------------------------------------------------------------------------


def test_an_enterprise_claim_through_the_api_is_pending_and_not_counted(
    client_for: Any, users: Any, orgs: Any
) -> None:
    response = api_claim(client_for("enterprise"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["verification"] == "claimed" and body["verification_display"] == "待核验"
    assert body["source"] == "declaration" and body["source_display"] == "单位申报"
    assert body["organization_uscc"] == orgs["wolong"].uscc  # their own, without naming it
    assert body["valid_today"] is False and body["has_scan"] is True
    assert body["verified_by"] is None
    q = Qualification.objects.get(pk=body["id"])
    assert q.scan.name.startswith("qualifications/scans/") and q.scan.read() == PDF
    assert not Qualification.objects.filter(Qualification.valid_on(TODAY)).exists()
    assert hnte_today(users["city_staff"]) == 0
    assert registry_summary(users["city_staff"])["pending_claims"] == 1
    assert AuditEntry.objects.filter(object_id=str(q.pk), action="create").exists()


def test_an_enterprise_claim_through_the_page_shows_pending(client_for: Any, orgs: Any) -> None:
    client = client_for("enterprise")
    form = client.get("/registry/qualifications/claim/").content.decode()
    assert 'name="verification"' not in form and 'name="source"' not in form
    assert orgs["wolong"].name in form  # the claim is for their own organization
    response = client.post("/registry/qualifications/claim/", {**CLAIM, "scan": scan(PNG, "a.png")})
    assert response.status_code == 302
    q = Qualification.objects.get()
    assert (q.verification, q.source, q.organization) == ("claimed", "declaration", orgs["wolong"])
    detail = client.get(response["Location"]).content.decode()
    assert "待核验" in detail and "核验通过前不计入" in detail
    assert 'data-testid="verify"' not in detail  # no buttons for the enterprise
    assert f"/registry/qualifications/{q.pk}/edit/" not in detail  # nor 修改: they claim again
    org_page = client_for("city_staff").get(f"/registry/organizations/{orgs['wolong'].pk}/")
    section = org_page.context["related"][0]
    assert section["headers"][-1] == "今日有效"
    assert section["rows"][0]["cells"][-2:] == ["待核验", "待核验"]


def test_the_new_page_leads_organization_users_to_the_claim(client_for: Any) -> None:
    response = client_for("institution").get("/registry/qualifications/new/")
    assert response.status_code == 302 and response["Location"] == "/registry/qualifications/claim/"
    assert client_for("city_staff").get("/registry/qualifications/new/").status_code == 200


def test_a_claim_needs_a_certificate_number_and_a_scan(client_for: Any) -> None:
    client = client_for("enterprise")
    body = {k: v for k, v in CLAIM.items() if k != "certificate_no"}
    response = client.post("/api/registry/qualification-claims", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["certificate_no"] == ["申报资质须填写证书编号：请按证书原文填写。"]
    assert errors["scan"] == ["请上传证书扫描件（PDF、PNG 或 JPEG 格式）。"]
    page = client.post("/registry/qualifications/claim/", body)
    assert page.status_code == 422 and "申报资质须填写证书编号" in page.content.decode()
    assert not Qualification.objects.exists()


def test_the_scan_is_checked_by_content_and_size(client_for: Any, settings: Any) -> None:
    client = client_for("enterprise")
    fake = api_claim(client, scan=scan(TEXT_AS_PDF, "证书.pdf"))
    assert fake.status_code == 422
    assert (
        "不是 PDF、PNG 或 JPEG 文件（按文件内容判断，与文件名无关）"
        in fake.json()["errors"]["scan"][0]
    )
    settings.QUALIFICATION_SCAN_MAX_BYTES = 1024
    big = api_claim(client, scan=scan(PDF + b"0" * 2048))
    assert big.status_code == 422
    assert big.json()["errors"]["scan"] == [
        "证书扫描件过大（0.0 MB），上限为 0 MB：请降低扫描分辨率或压缩后重新上传。"
    ]
    assert not Qualification.objects.exists()
    settings.QUALIFICATION_SCAN_MAX_BYTES = 10 * 1024 * 1024
    jpeg = api_claim(client, scan=SimpleUploadedFile("photo.txt", JPEG))  # the name is no matter
    assert jpeg.status_code == 201
    assert Qualification.objects.get().scan.name.endswith(".jpg")


def test_a_json_claim_is_told_to_use_multipart(client_for: Any) -> None:
    response = client_for("enterprise").post(
        "/api/registry/qualification-claims", json.dumps(CLAIM), content_type="application/json"
    )
    assert response.status_code == 422
    assert "multipart/form-data" in response.json()["errors"]["scan"][0]


# --- nobody but city staff sets the state ----------------------------------------------------


def test_an_organization_user_cannot_verify_their_own_claim(client_for: Any) -> None:
    client = client_for("enterprise")
    response = api_claim(client, verification="verified", source="official_list")
    assert response.status_code == 403
    assert "核验状态、来源和核验人由系统设置" in response.json()["message"]
    assert "source、verification" in response.json()["message"]
    assert not Qualification.objects.exists()
    plain = client.post(
        "/api/registry/qualifications",
        json.dumps({**CLAIM, "organization": "", "verification": "verified"}),
        content_type="application/json",
    )
    assert plain.status_code == 403 and "单位用户不能直接登记" in plain.json()["message"]
    assert not Qualification.objects.exists()
    claim = api_claim(client).json()
    refused = client.post(f"/api/registry/qualifications/{claim['id']}/verify")
    assert refused.status_code == 403
    assert refused.json()["message"] == "只有市科技局工作人员可以核验资质申报或导入官方认定名单。"
    edit = client.put(
        f"/api/registry/qualifications/{claim['id']}",
        json.dumps({**CLAIM, "organization": claim["organization_uscc"]}),
        content_type="application/json",
    )
    assert edit.status_code == 403
    assert Qualification.objects.get().verification == "claimed"


def test_county_entries_are_claims_and_city_entries_are_verified(
    client_for: Any, users: Any, orgs: Any
) -> None:
    body = {**CLAIM, "organization": orgs["wolong"].uscc}
    county = client_for("county_staff").post(
        "/api/registry/qualifications", json.dumps(body), content_type="application/json"
    )
    assert county.status_code == 201
    assert (county.json()["verification"], county.json()["source"]) == ("claimed", "county_staff")
    city_body = {**body, "issued_on": (ISSUED - dt.timedelta(days=1)).isoformat()}
    city = client_for("city_staff").post(
        "/api/registry/qualifications", json.dumps(city_body), content_type="application/json"
    )
    assert city.status_code == 201
    out = city.json()
    assert (out["verification"], out["source"]) == ("verified", "city_staff")
    assert out["verified_by"] == users["city_staff"].username and out["valid_today"] is True
    # a county correction of a verified row sends it back to review
    changed = client_for("county_staff").put(
        f"/api/registry/qualifications/{out['id']}",
        json.dumps({**city_body, "certificate_no": "GR202441000778"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["verification"] == "claimed"
    assert hnte_today(users["city_staff"]) == 0


# --- verification and rejection ---------------------------------------------------------------


def test_verifying_a_claim_makes_it_count(client_for: Any, users: Any, orgs: Any) -> None:
    claim = api_claim(client_for("enterprise")).json()
    assert hnte_today(users["city_staff"]) == 0
    response = client_for("city_staff").post(f"/api/registry/qualifications/{claim['id']}/verify")
    assert response.status_code == 200
    body = response.json()
    assert body["verification"] == "verified" and body["valid_today"] is True
    assert body["source"] == "declaration"  # where it came from stays on record
    assert body["verified_by"] == users["city_staff"].username
    assert hnte_today(users["city_staff"]) == 1
    assert hnte_today(users["enterprise"]) == 1
    again = client_for("city_staff").post(f"/api/registry/qualifications/{claim['id']}/verify")
    assert again.status_code == 422
    assert again.json()["errors"]["verification"] == ["该资质已核验，无需重复核验。"]
    home = client_for("city_staff").get("/").content.decode()
    assert 'data-testid="hnte-count">1<' in home


def test_rejecting_a_claim_keeps_the_reason_and_never_counts(client_for: Any, users: Any) -> None:
    claim = api_claim(client_for("enterprise")).json()
    staff = client_for("city_staff")
    url = f"/api/registry/qualifications/{claim['id']}/reject"
    empty = staff.post(url, json.dumps({"reason": "  "}), content_type="application/json")
    assert empty.status_code == 422
    assert "驳回须填写理由" in empty.json()["errors"]["reason"][0]
    assert Qualification.objects.get().verification == "claimed"
    reason = "证书编号与扫描件不符"
    response = staff.post(url, json.dumps({"reason": reason}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["verification"] == "rejected"
    assert response.json()["rejection_reason"] == reason
    assert hnte_today(users["city_staff"]) == 0
    detail = client_for("enterprise").get(f"/registry/qualifications/{claim['id']}/")
    text = detail.content.decode()
    assert "已驳回" in text and f"驳回理由：{reason}" in text
    assert [row["cells"][1] for row in detail.context["related"][0]["rows"]] == ["已驳回"] * 2
    # claiming the same certificate again corrects the rejected claim: back to 待核验
    again = api_claim(client_for("enterprise"), certificate_no="GR202441000779")
    assert again.status_code == 201 and again.json()["id"] == claim["id"]
    assert (again.json()["verification"], again.json()["rejection_reason"]) == ("claimed", "")
    assert Qualification.objects.count() == 1


def test_the_city_staffs_queue_verifies_and_rejects_on_the_page(
    client_for: Any, users: Any, orgs: Any
) -> None:
    first, second = stored_claim(orgs["wolong"]), stored_claim(orgs["wancheng"])
    staff = client_for("city_staff")
    queue = staff.get("/registry/qualifications/pending/")
    assert [q.pk for q in queue.context["current"].object_list] == [first.pk, second.pk]
    verified = staff.post(f"/registry/qualifications/{first.pk}/verify/", {"next": "pending"})
    assert verified["Location"] == "/registry/qualifications/pending/"
    no_reason = staff.post(f"/registry/qualifications/{second.pk}/reject/", {"reason": ""})
    assert no_reason.status_code == 302
    second.refresh_from_db()
    assert second.verification == "claimed"
    staff.post(f"/registry/qualifications/{second.pk}/reject/", {"reason": "已过期"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.verification, first.verified_by) == ("verified", users["city_staff"])
    assert (second.verification, second.rejection_reason) == ("rejected", "已过期")
    empty = staff.get("/registry/qualifications/pending/").content.decode()
    assert "没有待核验的申报" in empty


def test_the_list_shows_and_filters_the_state(client_for: Any, orgs: Any) -> None:
    stored_claim(orgs["wolong"])
    stored_claim(orgs["wancheng"], issued_on=dt.date(2023, 11, 1)).delete()
    Qualification.objects.create(
        organization=orgs["wancheng"],
        kind="HNTE",
        issued_on=dt.date(2023, 11, 1),
        issuer_level="national",
        verification="verified",
        source="city_staff",
    )
    staff = client_for("city_staff")
    page = staff.get("/registry/qualifications/", {"verification": "claimed"})
    assert [row[-1] for _, row in page.context["rows"]] == ["待核验"]
    api = staff.get("/api/registry/qualifications", {"verification": "verified"}).json()
    assert [item["organization_uscc"] for item in api["items"]] == [orgs["wancheng"].uscc]
    valid = staff.get("/api/registry/qualifications", {"valid_on": "2024-12-31"}).json()
    assert [item["organization_uscc"] for item in valid["items"]] == [orgs["wancheng"].uscc]


def test_the_scan_is_shown_only_to_those_who_see_the_qualification(
    client_for: Any, orgs: Any
) -> None:
    claim = stored_claim(orgs["wancheng"])
    shown = client_for("city_staff").get(f"/api/registry/qualifications/{claim.pk}/scan")
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert b"".join(shown.streaming_content) == PDF
    assert (
        client_for("county_staff").get(f"/registry/qualifications/{claim.pk}/scan/").status_code
        == 404
    )


def test_organization_users_cannot_import_qualifications_from_excel(users: Any) -> None:
    report = validate_upload("qualifications", b"PK", users["enterprise"], filename="q.xlsx")
    assert [e.problem for e in report.errors] == [
        "单位用户不能批量导入资质认定：资质须逐条申报并附证书扫描件，经市科技局核验后计入统计。"
    ]


def test_the_admin_verifies_and_rejects_claims(client_for: Any, orgs: Any) -> None:
    first, second = stored_claim(orgs["wolong"]), stored_claim(orgs["wancheng"])
    admin = client_for("city_admin")
    listing = admin.get("/admin/registry/qualification/", {"verification__exact": "claimed"})
    assert listing.status_code == 200 and "待核验" in listing.content.decode()
    url = "/admin/registry/qualification/"
    admin.post(url, {"action": "verify_selected", "_selected_action": [first.pk]})
    # a rejection needs its reason first: without one the row stays a claim
    admin.post(url, {"action": "reject_selected", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.verification == "claimed"
    Qualification.objects.filter(pk=second.pk).update(rejection_reason="扫描件不清晰")
    admin.post(url, {"action": "reject_selected", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.verification == "verified" and first.verified_by is not None
    assert (second.verification, second.rejection_reason) == ("rejected", "扫描件不清晰")
