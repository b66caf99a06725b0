"""Template and export: drop-downs and instructions, export → import is the identity for every
registry, formula injection neutralised, sensitive columns masked unless the user may change."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q
from openpyxl import load_workbook

from kechuang.core.scoping import ScopeRule
from kechuang.registry.excel.exporter import export_xlsx
from kechuang.registry.excel.importer import commit, validate_upload
from kechuang.registry.excel.specs import REGISTRIES, get_spec
from kechuang.registry.excel.template import build_template
from kechuang.registry.models import (
    AnnualReport,
    InnovationPlatform,
    Organization,
    Patent,
    Qualification,
    Talent,
    Team,
    TechField,
)

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes, title: str) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook[title].iter_rows(values_only=True))


@pytest.mark.parametrize("code", list(REGISTRIES))
def test_template_has_headers_dropdowns_and_instructions(reference: None, code: str) -> None:
    spec = get_spec(code)
    workbook = load_workbook(io.BytesIO(build_template(code)))
    assert workbook.sheetnames == [spec.sheet_title, "填写说明", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    data = workbook[spec.sheet_title]
    headers = [cell.value for cell in data[1]]
    assert headers == [column.header_zh for column in spec.columns]
    assert all(cell.font.bold for cell in data[1])
    assert data.freeze_panes == "A2"
    assert data.max_row == 1
    coded = {
        c.header_zh
        for c in spec.columns
        if c.kind in ("choice", "bool") or (c.kind in ("fk_area", "fk_industry", "fk_techfield"))
    }
    validated = set()
    for validation in data.data_validations.dataValidation:
        assert validation.type == "list"
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        validated.add(headers[sum((ord(ch) - 64) * 26**i for i, ch in enumerate(column[::-1])) - 1])
        assert str(validation.sqref).endswith("1048576")
    assert validated == coded
    instructions = list(workbook["填写说明"].iter_rows(values_only=True))
    assert instructions[1][2] == spec.key_zh
    listed = {row[0]: row[1] for row in instructions[4 : 4 + len(spec.columns)]}
    assert listed == {
        c.header_zh: "必填" if c.required else ("忽略" if c.kind == "info" else "选填")
        for c in spec.columns
    }
    assert any("2023.5" in (row[0] or "") and "2023-05-01" in row[0] for row in instructions)


def test_short_lists_inline_long_lists_on_the_options_sheet(reference: None) -> None:
    workbook = load_workbook(io.BytesIO(build_template("organizations")))
    by_header = {}
    headers = [cell.value for cell in workbook["创新主体"][1]]
    for validation in workbook["创新主体"].data_validations.dataValidation:
        letter = str(validation.sqref).split(":")[0][:-1]
        by_header[headers[ord(letter) - 65]] = validation.formula1
    assert by_header["单位类型"] == '"企业,高等院校,科研院所,医疗机构,其他"'
    assert by_header["上市企业"] == '"是,否"'
    industry = by_header["所属产业"]
    assert industry.startswith("'选项'!$")
    options = list(workbook["选项"].iter_rows(values_only=True))
    column = options[0].index("所属产业")
    listed = [row[column] for row in options[1:] if row[column]]
    assert "装备制造" in listed and "防爆电气装备" in listed and len(listed) == 45
    assert len('"' + ",".join(listed) + '"') > 255
    assert industry.endswith(f"${len(listed) + 1}")


def build_everything(orgs: dict[str, Any]) -> None:
    """One row or more in every registry, with values that test the round trip."""
    wolong, wancheng, univ = orgs["wolong"], orgs["wancheng"], orgs["wolong_univ"]
    wolong.name = '=HYPERLINK("http://evil.example","点我")'
    wolong.founded_on = dt.date(2010, 3, 9)
    wolong.is_listed = True
    wolong.address = "-1 号楼"
    wolong.save()
    Qualification.objects.create(
        organization=wolong,
        kind="HNTE",
        issued_on=dt.date(2023, 11, 22),
        expires_on=dt.date(2026, 11, 21),
        issuer_level="national",
        verification="verified",
        certificate_no="GR202341000123",
        note="+备注",
    )
    AnnualReport.objects.create(
        organization=wolong,
        year=2023,
        total_revenue=Decimal("1234.57"),
        rd_expense=Decimal("100.10"),
        net_assets_end=Decimal("-20.00"),
        employees_avg=Decimal("56.50"),
        ip_class_i_granted=3,
    )
    platform = InnovationPlatform.objects.create(
        name="防爆工程中心（演示）",
        kind="engineering_center",
        level="municipal",
        host=wolong,
        area=wolong.area,
        approved_on=dt.date(2021, 12, 30),
    )
    platform.co_builders.set([wancheng, univ])
    lisi = Talent.objects.create(
        name="李四",
        organization=wolong,
        degree="doctorate",
        expertise="第一行\n第二行",
        id_number="410303199001011234",
        phone="13800001111",
    )
    lisi.tech_fields.set(TechField.objects.filter(name__in=["新材料", "电子信息"]))
    Team.objects.create(
        name="防爆团队（演示）",
        organization=wolong,
        leader=lisi,
        programme="industry_cultivated",
        approved_year=2022,
    )
    Patent.objects.create(
        number="ZL202310123456.7",
        kind="invention",
        title="@一种结构",
        organization=wolong,
        application_date=dt.date(2023, 5, 1),
        grant_date=dt.date(2024, 8, 16),
        legal_status="in_force",
        hv_award=True,
        abstract="摘要\n第二段",
    )


def values(model: Any) -> list[dict[str, Any]]:
    return list(model.objects.order_by("pk").values())


@pytest.mark.parametrize("code", list(REGISTRIES))
def test_export_then_import_is_the_identity(
    users: dict[str, Any], orgs: dict[str, Any], code: str
) -> None:
    build_everything(orgs)
    staff = users["city_staff"]
    spec = get_spec(code)
    content = export_xlsx(code, spec.model.objects.all(), staff)
    report = validate_upload(code, content, staff, filename="导出.xlsx")
    assert report.errors == []
    count = spec.model.objects.count()
    assert count > 0
    assert (report.rows_total, report.to_create, report.to_update, report.unchanged) == (
        count,
        0,
        0,
        count,
    )
    before = values(spec.model)
    commit(report, staff)
    after = values(spec.model)
    assert after == before


def test_formula_injection_is_neutralised(users: dict[str, Any], orgs: dict[str, Any]) -> None:
    build_everything(orgs)
    content = export_xlsx("organizations", Organization.objects.all(), users["city_staff"])
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["创新主体"]
    headers = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == orgs["wolong"].uscc)
    name = row[headers.index("单位名称")]
    assert name.data_type == "s"
    assert name.value == '\'=HYPERLINK("http://evil.example","点我")'
    assert row[headers.index("地址")].value == "'-1 号楼"
    patents = load_workbook(
        io.BytesIO(export_xlsx("patents", Patent.objects.all(), users["city_staff"]))
    )["专利"]
    assert patents.cell(row=2, column=3).value == "'@一种结构"
    assert not any(cell.data_type == "f" for r in sheet.iter_rows() for cell in r)


def test_sensitive_columns_masked_unless_the_user_may_change_the_row(
    users: dict[str, Any], orgs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    build_everything(orgs)
    phone_column = [c.header_zh for c in get_spec("organizations").columns].index("联系电话")
    full = sheet_rows(
        export_xlsx("organizations", Organization.objects.all(), users["city_staff"]), "创新主体"
    )
    assert {row[phone_column] for row in full[1:]} == {"13912345678"}
    # A role that may view rows it may not change (here: experts, once organizations publish).
    monkeypatch.setattr(
        Organization, "scope", ScopeRule(area="area", organization="pk", public=Q())
    )
    monkeypatch.setattr(
        Talent,
        "scope",
        ScopeRule(area="organization__area", organization="organization", public=Q()),
    )
    masked = sheet_rows(
        export_xlsx("organizations", Organization.objects.all(), users["expert"]), "创新主体"
    )
    assert len(masked) == 4
    assert {row[phone_column] for row in masked[1:]} == {"139****5678"}
    talents = sheet_rows(export_xlsx("talents", Talent.objects.all(), users["expert"]), "科技人才")
    headers = list(talents[0])
    assert talents[1][headers.index("身份证号")] == "410*************34"
    assert talents[1][headers.index("手机号")] == "138****1111"
    own = sheet_rows(
        export_xlsx("talents", Talent.objects.all(), users["county_staff"]), "科技人才"
    )
    assert own[1][headers.index("身份证号")] == "410303199001011234"


def test_export_is_limited_to_what_the_user_may_view(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    rows = sheet_rows(
        export_xlsx("organizations", Organization.objects.all(), users["county_staff"]), "创新主体"
    )
    assert sorted(row[1] for row in rows[1:]) == sorted(
        [orgs["wolong"].name, orgs["wolong_univ"].name]
    )
    filtered = Organization.objects.filter(kind="university")
    rows = sheet_rows(export_xlsx("organizations", filtered, users["city_staff"]), "创新主体")
    assert [row[1] for row in rows[1:]] == [orgs["wolong_univ"].name]
