"""A talent named as a member of an application is part of that record: deleting the talent
would silently drop it from the application's members (Django's own link table cascades), so
the delete is refused (core/protection.py), through the API and the admin alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from kechuang.registry.models import Talent

pytestmark = pytest.mark.django_db


def test_deleting_a_member_of_an_application_is_refused(
    client_for: Any, programme: dict[str, Any], submitted: Any
) -> None:
    app = submitted()
    member = programme["member"]
    answer = client_for("city_admin").delete(f"/api/registry/talents/{member.pk}")
    assert answer.status_code == 409
    message = answer.json()["message"]
    assert "李成员" in message and "不能删除" in message and "项目申报" in message
    assert Talent.objects.filter(pk=member.pk).exists()
    assert list(app.members.values_list("pk", flat=True)) == [member.pk]


def test_the_model_delete_itself_is_refused(programme: dict[str, Any], submitted: Any) -> None:
    app = submitted()
    with pytest.raises(ProtectedError), transaction.atomic():
        programme["member"].delete()
    assert app.members.count() == 1


def test_a_talent_in_no_record_is_deleted(client_for: Any, programme: dict[str, Any]) -> None:
    loose = Talent.objects.create(name="无关人员", organization=programme["member"].organization)
    answer = client_for("city_admin").delete(f"/api/registry/talents/{loose.pk}")
    assert answer.status_code == 204
    assert not Talent.objects.filter(pk=loose.pk).exists()
