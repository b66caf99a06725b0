"""Nothing history-bearing is lost by a delete (#17 item 2).

The first tests are generated from the apps registry: every model a delete of a registry or
reference row reaches by CASCADE, in every installed app (modules merged later included), must
be on the allow-list with its reason, or be a many-to-many link the guard refuses. The others
delete an organization that confirmed figures point at, through the API, the page and the admin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.sites import site as admin_site
from django.db import models

from kechuang.core.models import AuditEntry
from kechuang.core.protection import (
    CASCADE_ALLOWED,
    cascade_reached,
    guarded_links,
    registry_models,
)
from kechuang.registry.models import AnnualReport, Organization, Qualification

CONFIRMED = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def test_no_record_of_history_is_reached_by_cascade_from_a_registry_row() -> None:
    guarded = {link._meta.label for link, _row, _record in guarded_links()}
    reached = cascade_reached()
    offending = {
        label: " → ".join(chain)
        for label, chain in reached.items()
        if label not in CASCADE_ALLOWED and label not in guarded
    }
    assert offending == {}, (
        "删除登记/参考数据会级联删除这些记录（请改为 on_delete=PROTECT，或在 "
        f"core/protection.py 的 CASCADE_ALLOWED 中写明理由）：{offending}"
    )


def test_the_walk_covers_every_app_and_finds_the_known_links() -> None:
    starts = {m._meta.label for m in registry_models()}
    assert {"registry.Organization", "registry.InnovationPlatform", "registry.Talent"} <= starts
    assert "accounts.User" in starts
    reached = cascade_reached()
    # Django's own link tables hanging off registry rows are found (the walk is not hand-made).
    assert reached["registry.Team_members"][0] in {"registry.Team", "registry.Talent"}
    assert reached["accounts.ApiToken"] == ["accounts.User", "accounts.ApiToken"]
    # The records of history the issue names are no longer reached.
    for label in (
        "registry.AnnualReport",
        "registry.Qualification",
        "registry.FigureSubmission",
        "registry.PlatformStatusChange",
        "cultivation.PoolEntry",
        "cultivation.TierMovement",
    ):
        assert label not in reached, label


def test_the_allow_list_names_only_reached_models_with_a_chinese_reason() -> None:
    reached = cascade_reached()
    for label, reason in CASCADE_ALLOWED.items():
        assert label in reached, f"{label} 不再被级联到达，请从允许清单中删去"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reason)


def test_history_links_of_other_apps_are_guarded() -> None:
    guarded = {
        (link._meta.label, row.related_model._meta.label) for link, row, _rec in guarded_links()
    }
    assert ("programs.Application_members", "registry.Talent") in guarded
    assert ("contracts.TechContract_patents", "registry.Patent") in guarded
    assert ("market.Achievement_patents", "registry.Patent") in guarded
    # Every guarded link belongs to a model outside the registry (a record, not a registry row).
    for link, _row, record_key in guarded_links():
        assert record_key.related_model._meta.app_label != "registry", link


def test_every_cascade_into_history_is_a_foreign_key_of_its_own_app_or_allowed() -> None:
    """A CASCADE key across apps (another app's row deleting this app's records) is allowed only
    for Django's own bookkeeping tables and the allow-list."""
    framework = {"admin", "auth", "contenttypes", "sessions"}
    crossing = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            remote = field.remote_field
            if remote is None or getattr(remote, "on_delete", None) is not models.CASCADE:
                continue
            source, target = model._meta.app_label, field.related_model._meta.app_label
            if source == target or source in framework or model._meta.label in CASCADE_ALLOWED:
                continue
            if model._meta.auto_created:  # a link table: guarded (see above) or own-app
                continue
            crossing.append(f"{model._meta.label}.{field.name} → {field.related_model._meta.label}")
    assert crossing == []


# --- an organization with confirmed figures and a qualification -------------------------------


@pytest.fixture
def reported(make_org: Any) -> Organization:
    org = make_org("卧龙区", name="有年报的企业（测试）")
    AnnualReport.objects.create(
        organization=org, year=2024, confirmed_at=CONFIRMED, sales_revenue=1200
    )
    Qualification.objects.create(
        organization=org,
        kind="HNTE",
        issued_on=dt.date(2023, 11, 20),
        expires_on=dt.date(2026, 11, 19),
        issuer_level="national",
        verification="verified",
    )
    return org


def _kept(org: Organization) -> None:
    assert Organization.objects.filter(pk=org.pk).exists()
    assert AnnualReport.objects.filter(organization=org, year=2024).count() == 1
    assert Qualification.objects.filter(organization=org).count() == 1


def test_api_delete_of_an_organization_with_history_is_409_and_keeps_everything(
    client_for: Any, reported: Organization
) -> None:
    deletes = AuditEntry.objects.filter(action="delete").count()
    answer = client_for("city_admin").delete(f"/api/registry/organizations/{reported.pk}")
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "delete_refused"
    assert "有年报的企业（测试）" in body["message"] and "不能删除" in body["message"]
    assert "年报" in body["message"] or "年度" in body["message"]
    assert "注销/停用" in body["message"]
    _kept(reported)
    assert AuditEntry.objects.filter(action="delete").count() == deletes


def test_page_delete_of_an_organization_with_history_is_409_with_the_reason(
    client_for: Any, reported: Organization
) -> None:
    answer = client_for("city_admin").post(f"/registry/organizations/{reported.pk}/delete/")
    assert answer.status_code == 409
    text = answer.content.decode()
    assert "不能删除" in text and "有年报的企业（测试）" in text
    _kept(reported)


def test_admin_lists_the_history_that_blocks_a_delete(
    client_for: Any, reported: Organization
) -> None:
    client = client_for("city_admin")
    url = f"/admin/registry/organization/{reported.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["protected"], "管理后台应列出阻止删除的历史记录"
    client.post(url, {"post": "yes"})
    _kept(reported)


def test_an_organization_without_history_can_still_be_deleted(
    client_for: Any, make_org: Any
) -> None:
    org = make_org("卧龙区", name="无历史的企业（测试）")
    answer = client_for("city_admin").delete(f"/api/registry/organizations/{org.pk}")
    assert answer.status_code == 204
    assert not Organization.objects.filter(pk=org.pk).exists()


def test_admin_registers_organizations_with_the_scoped_admin() -> None:
    # The admin guard above lives in ScopedAdmin.get_deleted_objects.
    admin = admin_site._registry[Organization]
    assert type(admin).get_deleted_objects.__qualname__.startswith("ScopedAdmin")
