"""Archive instead of delete (#17 item 2): an organization, platform or talent that history
points to is archived (注销/停用: status, date, reason), reversible and audited, hidden from the
default lists with a filter to show it, on the API, the pages and the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.registry.models import AnnualReport, InnovationPlatform, Organization, Talent

pytestmark = pytest.mark.django_db

CONFIRMED = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
BODY = {"on": "2025-06-30", "reason": "营业执照已注销"}


@pytest.fixture
def closed(make_org: Any) -> Organization:
    org = make_org("卧龙区", name="将注销的企业（测试）")
    AnnualReport.objects.create(organization=org, year=2024, confirmed_at=CONFIRMED, rd_expense=9)
    return org


def _post(client: Any, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def _listed(client: Any, query: str = "") -> set[int]:
    answer = client.get(f"/api/registry/organizations?page_size=100{query}")
    assert answer.status_code == 200
    return {item["id"] for item in answer.json()["items"]}


def test_archive_keeps_the_row_and_its_history_and_hides_it_from_default_lists(
    client_for: Any, closed: Organization
) -> None:
    client = client_for("city_staff")
    answer = _post(client, f"/api/registry/organizations/{closed.pk}/archive", BODY)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["archived"], body["archived_on"], body["archive_reason"]) == (
        True,
        "2025-06-30",
        "营业执照已注销",
    )
    closed.refresh_from_db()
    assert closed.archived and closed.archived_on == dt.date(2025, 6, 30)
    assert AnnualReport.objects.filter(organization=closed).count() == 1
    entry = AuditEntry.objects.filter(object_id=str(closed.pk), action="update").latest("at")
    assert entry.changes["archived"] == [False, True]
    assert entry.changes["archive_reason"] == ["", "营业执照已注销"]
    assert closed.pk not in _listed(client)
    assert closed.pk in _listed(client, "&archived=archived")
    assert closed.pk in _listed(client, "&archived=all")
    assert client.get(f"/api/registry/organizations/{closed.pk}").status_code == 200


def test_restore_lists_the_row_again_and_is_audited(client_for: Any, closed: Organization) -> None:
    client = client_for("city_staff")
    _post(client, f"/api/registry/organizations/{closed.pk}/archive", BODY)
    answer = _post(client, f"/api/registry/organizations/{closed.pk}/restore")
    assert answer.status_code == 200 and answer.json()["archived"] is False
    assert closed.pk in _listed(client)
    closed.refresh_from_db()
    assert (closed.archived, closed.archived_on, closed.archive_reason) == (False, None, "")
    entry = AuditEntry.objects.filter(object_id=str(closed.pk), action="update").latest("id")
    assert entry.changes["archived"] == [True, False]


def test_bad_archive_requests_are_chinese_4xx_and_change_nothing(
    client_for: Any, closed: Organization
) -> None:
    client = client_for("city_staff")
    url = f"/api/registry/organizations/{closed.pk}/archive"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = _post(client, url, {"on": tomorrow, "reason": "营业执照已注销"})
    assert future.status_code == 422 and "不能晚于今天" in future.json()["errors"]["on"][0]
    no_reason = _post(client, url, {"reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    too_old = _post(client, url, {"on": "1000-01-01", "reason": "营业执照已注销"})
    assert too_old.status_code == 422
    closed.refresh_from_db()
    assert not closed.archived
    assert _post(client, url, BODY).status_code == 200
    again = _post(client, url, BODY)
    assert again.status_code == 409 and "已于 2025-06-30 注销/停用" in again.json()["message"]
    restore = f"/api/registry/organizations/{closed.pk}/restore"
    assert _post(client, restore).status_code == 200
    twice = _post(client, restore)
    assert twice.status_code == 409 and "未注销/停用" in twice.json()["message"]


def test_platforms_and_talents_are_archived_the_same_way(
    client_for: Any, closed: Organization
) -> None:
    platform = InnovationPlatform.objects.create(
        name="将撤销的中心（测试）",
        kind="key_lab",
        level="municipal",
        host=closed,
        area=closed.area,
    )
    talent = Talent.objects.create(name="调离者", organization=closed)
    client = client_for("city_admin")
    for path, row in (("platforms", platform), ("talents", talent)):
        answer = _post(client, f"/api/registry/{path}/{row.pk}/archive", BODY)
        assert answer.status_code == 200 and answer.json()["archived"] is True
        listed = client.get(f"/api/registry/{path}?page_size=100").json()["items"]
        assert row.pk not in {item["id"] for item in listed}
        shown = client.get(f"/api/registry/{path}?page_size=100&archived=all").json()["items"]
        assert row.pk in {item["id"] for item in shown}


def test_the_page_archives_and_restores_with_the_reason_shown(
    client_for: Any, closed: Organization
) -> None:
    client = client_for("city_staff")
    detail = client.get(f"/registry/organizations/{closed.pk}/").content.decode()
    assert 'data-testid="archive-form"' in detail
    bad = client.post(f"/registry/organizations/{closed.pk}/archive/", {"on": "", "reason": "x"})
    assert bad.status_code == 422 and "原因" in bad.content.decode()
    done = client.post(f"/registry/organizations/{closed.pk}/archive/", BODY)
    assert done.status_code == 302
    page = client.get(f"/registry/organizations/{closed.pk}/").content.decode()
    assert (
        "已注销/停用" in page and "营业执照已注销" in page and 'data-testid="archived-note"' in page
    )
    listing = client.get("/registry/organizations/").content.decode()
    assert "将注销的企业（测试）" not in listing
    shown = client.get("/registry/organizations/?archived=archived").content.decode()
    assert "将注销的企业（测试）" in shown
    assert client.post(f"/registry/organizations/{closed.pk}/restore/").status_code == 302
    closed.refresh_from_db()
    assert not closed.archived


def test_the_admin_filters_and_restores_archived_organizations(
    client_for: Any, closed: Organization
) -> None:
    closed.archived, closed.archived_on, closed.archive_reason = True, dt.date(2025, 6, 30), "注销"
    closed.save()
    client = client_for("city_admin")
    listing = client.get("/admin/registry/organization/?archived__exact=1")
    assert listing.status_code == 200 and "将注销的企业（测试）" in listing.content.decode()
    client.post(
        "/admin/registry/organization/",
        {"action": "restore_archived", "_selected_action": [closed.pk]},
    )
    closed.refresh_from_db()
    assert not closed.archived
