"""The plan is editable in the admin by city administrators; observations are read-only there."""

from typing import Any

import pytest

from kechuang.monitoring.models import Indicator

pytestmark = pytest.mark.django_db


def test_city_admin_edits_an_indicator_target_in_the_admin(client_for: Any, plan: Any) -> None:
    client = client_for("city_admin")
    assert client.get(f"/admin/monitoring/plan/{plan.pk}/change/").status_code == 200
    indicator = Indicator.objects.get(plan=plan, code="hnte_count")
    page = client.get(f"/admin/monitoring/indicator/{indicator.pk}/change/")
    assert page.status_code == 200
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(target_value="520", notes="[]")
    response = client.post(f"/admin/monitoring/indicator/{indicator.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator.refresh_from_db()
    assert indicator.target_value == 520
    assert client.get("/admin/monitoring/observation/add/").status_code == 403


def test_other_roles_cannot_reach_the_plan_admin(client_for: Any, plan: Any) -> None:
    response = client_for("city_staff").get(f"/admin/monitoring/plan/{plan.pk}/change/")
    assert response.status_code == 302  # not admin staff: sent to the admin's login
    assert response["Location"].startswith("/admin/login/")
