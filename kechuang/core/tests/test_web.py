"""Pages: the home page's scope and empty state, Chinese error pages, production settings."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_counts_only_what_the_user_may_see(client_for: Any, orgs: Any) -> None:
    assert client_for("city_staff").get("/").context["summary"]["organizations"] == 3
    assert client_for("county_staff").get("/").context["summary"]["organizations"] == 2
    assert client_for("enterprise").get("/").context["summary"]["organizations"] == 1


def test_home_empty_state_tells_staff_how_to_start(client_for: Any, users: Any) -> None:
    from kechuang.registry.models import Organization

    Organization.objects.filter(users__isnull=True).delete()
    page = client_for("expert").get("/").content.decode()
    assert 'data-testid="empty-state"' in page and "请联系所在县区科技部门" in page


def test_home_empty_state_shows_staff_where_to_add_the_first_organization(
    make_user: Any,
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(make_user("city_staff"))
    page = client.get("/").content.decode()
    assert 'data-testid="add-first"' in page and "/registry/organizations/new/" in page
    assert "/registry/excel/organizations/import/" in page and "将随" not in page


def test_home_empty_state_when_reference_data_is_missing(no_reference: None) -> None:
    from kechuang.accounts.models import User

    user = User.objects.create_user(
        "first", password="x", role="city_admin", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(user)
    assert "manage.py load_reference" in client.get("/").content.decode()


def test_error_pages_are_chinese(client_for: Any) -> None:
    response = client_for("city_staff").get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    forbidden = client_for("city_staff").get("/accounts/audit/")
    assert (
        forbidden.status_code == 403
        and "只有市科技局管理员可以查看审计记录" in forbidden.content.decode()
    )


def test_admin_is_in_chinese(client_for: Any) -> None:
    page = client_for("city_admin").get("/admin/").content.decode()
    assert "科创平台管理后台" in page and "创新主体" in page and "审计记录" in page


def test_navigation_marks_modules_still_being_built(client_for: Any) -> None:
    items = client_for("county_staff").get("/").context["nav_items"]
    labels = [i["label"] for i in items]
    assert "审计记录" not in labels and "规划监测" in labels
    assert next(i for i in items if i["label"] == "首页")["active"] is True
