"""The audit trail: field-level before/after, actor and address, and no way to change it."""

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from kechuang.core.models import AuditAction, AuditEntry
from kechuang.registry.models import Organization

pytestmark = pytest.mark.django_db


def org_entries(org_id: int) -> Any:
    ct = ContentType.objects.get_for_model(Organization)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(org_id)).order_by("id")


def test_api_create_update_delete_are_recorded_with_actor_ip_and_fields(
    client_for: Any, users: Any, orgs: Any
) -> None:
    client = client_for("county_staff")
    org = orgs["wolong"]
    payload = {
        "uscc": org.uscc,
        "name": "卧龙改名企业（测试）",
        "kind": "enterprise",
        "area": "卧龙区",
        "contact_phone": "13900001111",
    }
    assert (
        client.put(
            f"/api/registry/organizations/{org.pk}", payload, content_type="application/json"
        ).status_code
        == 200
    )
    entry = org_entries(org.pk).filter(action=AuditAction.UPDATE).get()
    assert entry.actor == users["county_staff"] and entry.actor_username == "county_staff"
    assert entry.ip == "10.1.2.3"
    assert entry.changes["name"] == ["卧龙测试企业（测试）", "卧龙改名企业（测试）"]
    assert entry.changes["contact_phone"] == ["13912345678", "13900001111"]
    assert "updated_at" not in entry.changes and "area" not in entry.changes

    assert (
        client.delete(f"/api/registry/organizations/{org.pk}").status_code == 409
    )  # users bound to it: refused, a conflict with the data (core/protection.py)
    spare = Organization.objects.create(
        uscc=org.uscc[:-1] + "0", name="x", kind="enterprise", area=org.area
    )
    assert client.delete(f"/api/registry/organizations/{spare.pk}").status_code == 204
    deleted = org_entries(spare.pk).get(action=AuditAction.DELETE)
    assert deleted.changes["name"] == ["x", None] and deleted.actor_username == "county_staff"


def test_create_records_every_filled_field(client_for: Any, users: Any) -> None:
    from kechuang.conftest import make_uscc

    response = client_for("city_staff").post(
        "/api/registry/organizations",
        {
            "uscc": make_uscc(4242),
            "name": "新建企业（测试）",
            "kind": "enterprise",
            "area": "411303",
            "tech_field": "电子信息",
            "founded_on": "2019-05-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    entry = org_entries(response.json()["id"]).get(action=AuditAction.CREATE)
    assert entry.changes["name"] == [None, "新建企业（测试）"]
    assert entry.changes["founded_on"] == [None, "2019-05-01"]
    assert entry.changes["area"][1] == users["county_staff"].area.pk


def test_saving_without_changes_writes_nothing(orgs: Any) -> None:
    org = Organization.objects.get(pk=orgs["wolong"].pk)
    before = AuditEntry.objects.count()
    org.save()
    assert AuditEntry.objects.count() == before


def test_entries_cannot_be_edited_or_deleted(orgs: Any) -> None:
    entry = AuditEntry.objects.first()
    entry.note = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_api_offers_no_way_to_write_the_trail(client_for: Any) -> None:
    client = client_for("city_admin")
    entry_id = AuditEntry.objects.first().pk
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/accounts/audit").status_code == 405
        assert getattr(client, method)(f"/api/accounts/audit/{entry_id}").status_code in (404, 405)


def test_admin_shows_the_trail_read_only(client_for: Any) -> None:
    client = client_for("city_admin")
    entry = AuditEntry.objects.first()
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    page = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and "保存" not in page.content.decode()
    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_page_filters_by_action_actor_and_model(client_for: Any, orgs: Any) -> None:
    client = client_for("city_admin")
    client_for("county_staff").put(
        f"/api/registry/organizations/{orgs['wolong'].pk}",
        {
            "uscc": orgs["wolong"].uscc,
            "name": "改名（测试）",
            "kind": "enterprise",
            "area": "卧龙区",
        },
        content_type="application/json",
    )
    page = client.get(
        "/accounts/audit/",
        {"action": "update", "actor": "county", "model": "registry.organization"},
    )
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert len(rows) == 1 and rows[0].object_repr == "改名（测试）"
    api = client.get("/api/accounts/audit", {"action": "update", "actor": "county"}).json()
    assert api["count"] == 1 and api["items"][0]["changes"]["name"][1] == "改名（测试）"
    bad = client.get("/api/accounts/audit", {"action": "rename"})
    assert bad.status_code == 422 and "action" in bad.json()["errors"]
