"""The searchable pickers (core/pickers.py): the search endpoints within the user's scope, the
widget in forms and filter bars showing labels, never codes."""

from typing import Any

import pytest

from kechuang.core.pickers import PickerWidget
from kechuang.registry.models import Organization

pytestmark = pytest.mark.django_db


def picks(client: Any, kind: str, q: str) -> list[dict[str, str]]:
    response = client.get(f"/api/registry/pickers/{kind}", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()


def test_area_picker_finds_wolong_by_part_of_its_name(client_for: Any) -> None:
    found = picks(client_for("enterprise"), "areas", "卧龙")
    assert found == [{"value": "411303", "label": "卧龙区", "hint": "市辖区 · 南阳市"}]
    every = picks(client_for("city_staff"), "areas", "")
    labels = [a["label"] for a in every]
    assert labels[0] == "南阳市" and "河南省" not in labels  # the benchmark is not a choice
    assert labels.index("邓州市") < labels.index("高新区")  # counties, then functional zones
    assert picks(client_for("city_staff"), "areas", "4113")[0]["label"] == "南阳市"


def test_industry_and_field_pickers_search_names(client_for: Any) -> None:
    client = client_for("county_staff")
    industries = picks(client, "industries", "超硬")
    assert industries == [
        {"value": "materials.superhard", "label": "新材料 / 超硬材料", "hint": "细分产业"}
    ]
    under = [i["label"] for i in picks(client, "industries", "新材料")]
    assert under[0] == "新材料" and "新材料 / 超硬材料" in under
    assert picks(client, "tech-fields", "材料") == [
        {"value": "04", "label": "新材料", "hint": "领域 04"}
    ]


def test_organization_picker_stays_in_the_users_scope(client_for: Any, orgs: Any) -> None:
    wancheng = orgs["wancheng"]
    city = [o["label"] for o in picks(client_for("city_staff"), "organizations", "测试")]
    assert sorted(city) == sorted(o.name for o in Organization.objects.all())
    county = [o["label"] for o in picks(client_for("county_staff"), "organizations", "测试")]
    assert sorted(county) == sorted(["卧龙测试企业（测试）", "卧龙测试学院（测试）"])
    assert picks(client_for("county_staff"), "organizations", wancheng.uscc[:12]) == []
    by_code = picks(client_for("city_staff"), "organizations", wancheng.uscc[:12].lower())
    assert by_code == [
        {"value": wancheng.uscc, "label": wancheng.name, "hint": f"{wancheng.uscc} · 宛城区"}
    ]
    assert picks(client_for("enterprise"), "organizations", "") == [
        {
            "value": orgs["wolong"].uscc,
            "label": "卧龙测试企业（测试）",
            "hint": f"{orgs['wolong'].uscc} · 卧龙区",
        }
    ]


def test_a_too_long_query_is_a_chinese_422(client_for: Any) -> None:
    response = client_for("city_staff").get("/api/registry/pickers/areas", {"q": "卧" * 51})
    assert response.status_code == 422
    assert "q" in response.json()["errors"]


def test_forms_show_pickers_with_labels_not_codes(client_for: Any, orgs: Any) -> None:
    client = client_for("city_staff")
    org = orgs["wolong"]
    page = client.get(f"/registry/organizations/{org.pk}/edit/").content.decode()
    assert 'data-kc-picker="/api/registry/pickers/areas"' in page
    assert 'name="area" value="卧龙区" data-kc-value="411303"' in page
    assert 'data-kc-picker="/api/registry/pickers/industries"' in page
    platform_form = client.get("/registry/platforms/new/").content.decode()
    assert 'data-kc-picker="/api/registry/pickers/organizations"' in platform_form
    assert "/static/core/picker.js" in platform_form


def test_a_form_saves_the_label_the_picker_shows(client_for: Any, orgs: Any) -> None:
    """Without its script the picker sends the label itself: 卧龙区, 新材料 / 超硬材料, 新材料."""
    client = client_for("city_staff")
    org = orgs["wancheng"]
    response = client.post(
        f"/registry/organizations/{org.pk}/edit/",
        {
            "uscc": org.uscc,
            "name": org.name,
            "kind": "enterprise",
            "area": "卧龙区",
            "industry": "新材料 / 超硬材料",
            "tech_field": "新材料",
            "contact_phone": "13912345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    org.refresh_from_db()
    assert (org.area.name, org.industry.code, org.tech_field.code) == (
        "卧龙区",
        "materials.superhard",
        "04",
    )


def test_filter_bar_uses_pickers_and_explains_a_label_it_cannot_resolve(
    client_for: Any, orgs: Any
) -> None:
    client = client_for("city_staff")
    page = client.get("/registry/organizations/", {"area": "卧龙"})
    html = page.content.decode()
    assert 'id="f_area" name="area" value="卧龙区"' in html  # resolved to the label shown
    assert page.context["current"].paginator.count == 2
    unknown = client.get("/registry/organizations/", {"area": "火星"}).content.decode()
    assert "没有名称含“火星”的区域，请从下拉列表中选择。" in unknown
    by_org = client.get("/registry/qualifications/", {"organization": "卧龙测试"})
    assert by_org.status_code == 200
    assert "单位（名称或信用代码）" in by_org.content.decode()


def test_the_django_widget_draws_the_same_picker(users: Any) -> None:
    html = PickerWidget("area", users["city_staff"]).render("area", "411303", {"id": "x_area"})
    assert 'id="x_area" name="area" value="卧龙区" data-kc-value="411303"' in html
    assert 'data-kc-picker="/api/registry/pickers/areas"' in html
    industry = PickerWidget("industry").render("industry", "materials.superhard")
    assert 'value="新材料 / 超硬材料"' in industry
    # an organization's name is shown only to a user who may see it
    unseen = PickerWidget("organization").render("organization", "91411303MA0000000X")
    assert 'value="91411303MA0000000X"' in unseen
