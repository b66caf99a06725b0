"""Official lists (认定名单/入库名单) make qualifications count: matched by credit code, then by
exact name; claims with the same certificate number become verified; unmatched and ambiguous
rows are reported; a second run changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from kechuang.core.models import AuditEntry
from kechuang.registry.models import Qualification
from kechuang.registry.tests.claims import stored_claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def listed(orgs: Any, make_org: Any) -> dict[str, Any]:
    """Organizations a list names: by code (Wolong), by name only (Wancheng), a claim waiting
    (the university), and two organizations sharing a name (ambiguous)."""
    twins = [
        make_org("卧龙区", name="同名科技有限公司"),
        make_org("宛城区", name="同名科技有限公司"),
    ]
    claim = stored_claim(orgs["wolong_univ"], issued_on=dt.date(2024, 11, 1))
    return {**orgs, "twins": twins, "claim": claim}


def rows(listed: dict[str, Any]) -> list[list[Any]]:
    return [
        ["序号", "企业名称", "统一社会信用代码", "证书编号", "发证日期"],
        [1, "任意名称", listed["wolong"].uscc, "GR202441000001", dt.date(2024, 11, 1)],
        [2, "宛城测试企业（测试）", "", "GR202441000002", "2024-11-01"],
        [3, "卧龙测试学院（测试）", "", listed["claim"].certificate_no, "2024/11/1"],
        [4, "同名科技有限公司", "", "GR202441000004", "2024-11-01"],
        [5, "不存在的公司", "91411300MA0000000X", "GR202441000005", "2024-11-01"],
    ]


def write_xlsx(path: Path, data: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in data:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, data: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows([[str(c) for c in row] for row in data])
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_qualification_list", str(path), "--kind", "HNTE", *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_an_xlsx_list_and_reruns_idempotently(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "2024年第一批高企名单.xlsx", rows(listed))
    out = run(path, "--issuer", "河南省科学技术厅")
    assert out.splitlines()[0] == (
        "共 5 行：匹配 3（新增（已核验） 2，申报转为已核验 1，已在库中 0，未匹配到单位 1，"
        "匹配到多个单位 1，数据有误 0）。"
    )
    verified = Qualification.objects.filter(verification="verified").order_by("-pk")
    assert [(q.organization.name, q.certificate_no, q.source) for q in verified] == [
        ("宛城测试企业（测试）", "GR202441000002", "official_list"),
        ("卧龙测试企业（测试）", "GR202441000001", "official_list"),
        ("卧龙测试学院（测试）", listed["claim"].certificate_no, "official_list"),
    ]
    first = verified[1]
    assert (first.issued_on, first.expires_on) == (dt.date(2024, 11, 1), dt.date(2027, 10, 31))
    assert first.issuer == "河南省科学技术厅" and first.issuer_level == "national"
    problems = (tmp_path / "2024年第一批高企名单.unmatched.csv").read_text(encoding="utf-8-sig")
    lines = problems.splitlines()
    assert lines[0] == "行号,企业名称,统一社会信用代码,证书编号,认定日期,结果,说明"
    assert lines[1].startswith("5,同名科技有限公司,,GR202441000004,2024-11-01,匹配到多个单位")
    assert lines[2].startswith("6,不存在的公司,91411300MA0000000X,GR202441000005,")
    assert AuditEntry.objects.filter(action="create", object_id=str(first.pk)).exists()
    again = run(path)
    assert "新增（已核验） 0，申报转为已核验 0，已在库中 3" in again
    assert Qualification.objects.count() == 3


def test_the_command_reads_a_csv_list_without_a_date_column(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    data = [[row[1], row[2], row[3]] for row in rows(listed)]
    data[0] = ["企业（单位）名称", "社会信用代码", "证书号"]
    path = write_csv(tmp_path / "名单.csv", data)
    dry = run(path, "--issued-on", "2024-11-01", "--dry-run")
    assert "匹配 3（新增（已核验） 2，申报转为已核验 1" in dry and "试运行" in dry
    assert Qualification.objects.filter(verification="verified").count() == 0
    run(path, "--issued-on", "2024-11-01")
    assert Qualification.objects.filter(verification="verified").count() == 3
    assert Qualification.objects.filter(verification="claimed").count() == 0


def test_a_list_without_dates_needs_the_date(listed: dict[str, Any], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "名单.csv", [["企业名称"], ["宛城测试企业（测试）"]])
    with pytest.raises(SystemExit):
        call_command("import_qualification_list", str(path), "--kind", "HNTE")
    assert list(Qualification.objects.values_list("verification", flat=True)) == ["claimed"]


def test_city_staff_import_a_list_on_the_page(
    client_for: Any, listed: dict[str, Any], tmp_path: Path
) -> None:
    content = write_xlsx(tmp_path / "list.xlsx", rows(listed)).read_bytes()
    staff = client_for("city_staff")
    upload = SimpleUploadedFile("2024年高企名单.xlsx", content)
    page = staff.post(
        "/registry/qualifications/official-list/",
        {"kind": "HNTE", "issuer_level": "national", "file": upload},
    )
    assert page.status_code == 200
    report = page.context["report"]
    assert report.counts == {
        "created": 2,
        "verified": 1,
        "present": 0,
        "unmatched": 1,
        "ambiguous": 1,
        "invalid": 0,
    }
    text = page.content.decode()
    assert "匹配到多个单位" in text and "名称对应 2 家单位" in text
    claim = Qualification.objects.get(pk=listed["claim"].pk)
    assert claim.verification == "verified" and claim.verified_by.role == "city_staff"
    bad = staff.post(
        "/registry/qualifications/official-list/",
        {"kind": "HNTE", "file": SimpleUploadedFile("x.xlsx", b"\x00\x01binary")},
    )
    assert bad.status_code == 422 and bad.context["report"].errors
    refused = client_for("county_staff").post(
        "/registry/qualifications/official-list/",
        {"kind": "HNTE", "file": SimpleUploadedFile("list.xlsx", content)},
    )
    assert refused.status_code == 403
    assert Qualification.objects.count() == 3
