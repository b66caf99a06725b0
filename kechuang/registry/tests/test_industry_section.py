"""Organizations' national-economy industry (GB/T 4754-2017): the section and division rules,
the `industrial` filter (sections B, C, D), and the form, API and Excel round trip."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from kechuang.conftest import make_uscc
from kechuang.registry.excel.exporter import export_xlsx
from kechuang.registry.excel.importer import commit, validate_upload
from kechuang.registry.models import Organization
from kechuang.registry.models.organizations import section_of_division
from kechuang.registry.tests.test_excel_import import make_xlsx, org_row

pytestmark = pytest.mark.django_db


def test_divisions_belong_to_their_sections() -> None:
    assert [section_of_division(d) for d in ("01", "05", "06", "12", "13", "43", "44", "46")] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]
    assert [section_of_division(d) for d in ("47", "65", "70", "83", "97")] == [
        "E",
        "I",
        "K",
        "P",
        "T",
    ]
    assert [section_of_division(d) for d in ("00", "98", "3", "1a", "134")] == [None] * 5


def test_the_division_tells_the_section_and_must_agree_with_it(make_org: Any) -> None:
    org = make_org()
    org.industry_division = " 34 "
    org.full_clean()
    assert (org.industry_section, org.industry_division) == ("C", "34")
    assert org.is_industrial
    org.industry_section, org.industry_division = "I", "34"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    message = error.value.message_dict["industry_division"][0]
    assert "行业大类代码 34 属于门类 C，与所填门类 I 不符（门类 I 的大类为 63–65）" in message
    org.industry_section, org.industry_division = "", "99"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "行业大类代码“99”不存在" in error.value.message_dict["industry_division"][0]
    org.industry_section, org.industry_division = "F", ""
    org.full_clean()
    assert not org.is_industrial


def test_industrial_filter_and_queryset(make_org: Any, client_for: Any) -> None:
    miner = make_org(industry_section="B", name="矿业（测试）")
    maker = make_org(industry_section="C", name="制造（测试）")
    power = make_org(industry_section="D", name="电力（测试）")
    builder = make_org(industry_section="E", name="建筑（测试）")
    unknown = make_org(name="未登记（测试）")
    assert set(Organization.objects.filter(Organization.industrial_q())) == {miner, maker, power}
    api = client_for("city_staff")
    listed = api.get("/api/registry/organizations", {"industrial": "true", "page_size": 50})
    assert {o["name"] for o in listed.json()["items"]} == {miner.name, maker.name, power.name}
    others = api.get("/api/registry/organizations", {"industrial": "false", "page_size": 50})
    names = {o["name"] for o in others.json()["items"]}
    assert {builder.name, unknown.name} <= names and maker.name not in names
    by_section = api.get("/api/registry/organizations", {"industry_section": "E"}).json()
    assert [o["name"] for o in by_section["items"]] == [builder.name]
    page = client_for("city_staff").get("/registry/organizations/", {"industrial": "true"})
    assert maker.name in page.content.decode() and builder.name not in page.content.decode()


def test_api_creates_with_section_and_refuses_a_wrong_division(
    client_for: Any, users: dict[str, Any]
) -> None:
    api = client_for("city_staff")
    body = {
        "uscc": make_uscc(901, "411303"),
        "name": "南阳行业测试有限公司（测试）",
        "kind": "enterprise",
        "area": "卧龙区",
        "industry_division": "38",
    }
    created = api.post(
        "/api/registry/organizations", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert (created.json()["industry_section"], created.json()["industry_section_display"]) == (
        "C",
        "C 制造业",
    )
    wrong = {**body, "uscc": make_uscc(902, "411303"), "industry_section": "D"}
    refused = api.post(
        "/api/registry/organizations", json.dumps(wrong), content_type="application/json"
    )
    assert refused.status_code == 422
    assert "属于门类 C，与所填门类 D 不符" in refused.json()["errors"]["industry_division"][0]
    assert not Organization.objects.filter(uscc=wrong["uscc"]).exists()
    bad = {**body, "uscc": make_uscc(903, "411303"), "industry_section": "Z"}
    assert (
        api.post(
            "/api/registry/organizations", json.dumps(bad), content_type="application/json"
        ).status_code
        == 422
    )


def test_the_form_takes_the_section(client_for: Any) -> None:
    web = client_for("city_staff")
    form = web.get("/registry/organizations/new/").content.decode()
    assert "国民经济行业门类" in form and "B 采矿业" in form
    response = web.post(
        "/registry/organizations/new/",
        {
            "uscc": make_uscc(904, "411303"),
            "name": "表单行业测试企业（测试）",
            "kind": "enterprise",
            "area": "卧龙区",
            "industry_section": "B",
            "industry_division": "13",
        },
    )
    assert response.status_code == 422
    assert "属于门类 C，与所填门类 B 不符" in response.content.decode()


def test_excel_imports_the_section_by_letter_or_name_and_exports_it(
    users: dict[str, Any],
) -> None:
    staff = users["city_staff"]
    content = make_xlsx(
        "organizations",
        [
            org_row(801, **{"国民经济行业门类": "C", "国民经济行业大类代码": "34"}),
            org_row(802, **{"国民经济行业门类": "D 电力、热力、燃气及水生产和供应业"}),
            org_row(803, **{"国民经济行业门类": "C", "国民经济行业大类代码": "44"}),
        ],
    )
    report = validate_upload("organizations", content, staff, filename="行业.xlsx")
    assert [(e.row, e.column_header) for e in report.errors] == [(4, "国民经济行业大类代码")]
    assert "属于门类 D，与所填门类 C 不符" in report.errors[0].problem
    good = make_xlsx(
        "organizations",
        [
            org_row(801, **{"国民经济行业门类": "C", "国民经济行业大类代码": "34"}),
            org_row(802, **{"国民经济行业门类": "D 电力、热力、燃气及水生产和供应业"}),
        ],
    )
    report = validate_upload("organizations", good, staff, filename="行业.xlsx")
    assert report.errors == []
    commit(report, staff)
    first = Organization.objects.get(uscc=make_uscc(801, "411303"))
    second = Organization.objects.get(uscc=make_uscc(802, "411303"))
    assert (first.industry_section, first.industry_division, second.industry_section) == (
        "C",
        "34",
        "D",
    )
    sheet = load_workbook(
        io.BytesIO(export_xlsx("organizations", Organization.objects.filter(pk=first.pk), staff))
    )["创新主体"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    assert rows[1][headers.index("国民经济行业门类")] == "C 制造业"
    assert rows[1][headers.index("国民经济行业大类代码")] == "34"
