"""The Excel pages: template, upload → report → commit, error workbook, scoped export."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kechuang.registry.models import Organization
from kechuang.registry.tests.test_excel_import import make_xlsx, org_row, wrong_check

pytestmark = pytest.mark.django_db


def upload(client: Any, content: bytes, name: str = "单位.xlsx") -> Any:
    return client.post(
        "/registry/excel/organizations/import/", {"file": SimpleUploadedFile(name, content)}
    )


def test_template_downloads_as_a_real_workbook(client_for: Any, users: Any) -> None:
    response = client_for("county_staff").get("/registry/excel/organizations/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert "填写说明" in workbook.sheetnames
    headers = [c.value for c in next(workbook.worksheets[0].iter_rows(max_row=1))]
    assert "统一社会信用代码" in headers and "单位名称" in headers


def test_upload_shows_the_dry_run_then_commits(client_for: Any, users: Any) -> None:
    client = client_for("county_staff")
    dry = upload(client, make_xlsx("organizations", [org_row(9001), org_row(9002)]))
    assert dry.status_code == 200
    report = dry.context["report"]
    assert (report.rows_total, report.to_create, report.to_update, len(report.errors)) == (
        2,
        2,
        0,
        0,
    )
    assert not Organization.objects.filter(name__startswith="导入单位").exists()  # nothing yet
    done = client.post("/registry/excel/organizations/import/", {"action": "commit"})
    assert done.status_code == 302
    assert Organization.objects.filter(name__startswith="导入单位").count() == 2


def test_one_bad_row_shows_the_report_and_commits_nothing(client_for: Any, users: Any) -> None:
    client = client_for("county_staff")
    bad = org_row(9003, 统一社会信用代码=wrong_check(org_row(9003)["统一社会信用代码"]))
    response = upload(client, make_xlsx("organizations", [org_row(9004), bad]))
    assert response.status_code == 422
    page = response.content.decode()
    assert "统一社会信用代码校验位错误" in page and 'data-testid="commit"' not in page
    marked = client.get("/registry/excel/organizations/report.xlsx")
    assert (
        marked.status_code == 200
        and "校验结果" in load_workbook(io.BytesIO(marked.content)).sheetnames
    )
    refused = client.post("/registry/excel/organizations/import/", {"action": "commit"})
    assert refused.status_code == 422
    assert not Organization.objects.filter(name__startswith="导入单位").exists()


def test_a_renamed_non_xlsx_file_is_refused(client_for: Any, users: Any) -> None:
    response = upload(
        client_for("city_staff"), "统一社会信用代码,单位名称\n1,2\n".encode(), "伪装.xlsx"
    )
    assert response.status_code == 422 and "xlsx" in response.content.decode()


def test_county_export_holds_only_their_area(client_for: Any, orgs: Any) -> None:
    response = client_for("county_staff").get("/registry/excel/organizations/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"卧龙测试企业（测试）", "卧龙测试学院（测试）"}


def test_export_follows_the_list_filters(client_for: Any, orgs: Any) -> None:
    response = client_for("city_staff").get(
        "/registry/excel/organizations/export.xlsx", {"area": "宛城区"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "宛城测试企业（测试）"
    ]


def test_an_export_with_a_misread_filter_is_refused_not_widened(client_for: Any, orgs: Any) -> None:
    response = client_for("city_staff").get(
        "/registry/excel/organizations/export.xlsx", {"kind": "spaceship"}
    )
    assert response.status_code == 422
    assert "筛选条件有误" in response.content.decode()


def test_experts_cannot_import(client_for: Any, users: Any) -> None:
    assert client_for("expert").get("/registry/excel/organizations/import/").status_code == 403
    assert client_for("city_staff").get("/registry/excel/nonsense/template.xlsx").status_code == 404
