"""import_contracts: CSV and xlsx, Chinese headers, a later row with the same number is a
change, all-or-nothing with row/column errors; the import page and its template."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from kechuang.contracts.imports import COLUMNS, HEADERS_ZH
from kechuang.contracts.models import TechContract

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def line(no: str, total: str, status: str = "registered", **kw: str) -> str:
    values = {
        "registration_no": no,
        "category": "技术开发",
        "subcategory": "委托开发",
        "title": f"合同{no}",
        "seller_uscc": kw.get("seller_uscc", ""),
        "seller_name": kw.get("seller_name", "卖方甲"),
        "seller_area": kw.get("seller_area", "卧龙区"),
        "buyer_uscc": "",
        "buyer_name": kw.get("buyer_name", "买方乙"),
        "buyer_area": kw.get("buyer_area", ""),
        "buyer_region": kw.get("buyer_region", "湖北省武汉市"),
        "signed_on": kw.get("signed_on", "2024-03-01"),
        "registered_on": kw.get("registered_on", "2024-03-15"),
        "total_amount": total,
        "non_technical_costs": kw.get("costs", "0"),
        "field": kw.get("field", "电子信息"),
        "status": status,
    }
    return ",".join(values[c] for c in COLUMNS)


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "contracts.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def run(path: Path, user: str = "city_staff", *extra: str) -> str:
    out = io.StringIO()
    call_command("import_contracts", str(path), "--user", user, *extra, stdout=out)
    return out.getvalue()


def test_csv_import_with_a_change_row(users, tmp_path) -> None:
    path = write(
        tmp_path,
        line("A1", "100", costs="30"),
        line("A2", "20", buyer_area="宛城区", buyer_region=""),
        line("A1", "80", "changed", costs="30"),
    )
    assert "将新增 2 份、变更 1 份" in run(path, "city_staff", "--dry-run")
    assert TechContract.objects.count() == 0
    assert "新增 2 份，变更 1 份" in run(path)
    a1 = TechContract.objects.get(registration_no="A1")
    assert (a1.status, a1.total_amount, a1.tech_amount) == ("changed", Decimal(80), Decimal(50))
    assert a1.buyer_region == "湖北省武汉市" and a1.buyer_area is None
    assert [e.kind for e in a1.events.all()] == ["imported", "changed"]
    assert TechContract.objects.get(registration_no="A2").buyer_area.name == "宛城区"


def test_a_later_file_cancels_an_imported_contract(users, tmp_path) -> None:
    run(write(tmp_path, line("B1", "10")))
    run(write(tmp_path, line("B1", "10", "cancelled")))
    assert TechContract.objects.get(registration_no="B1").status == "cancelled"


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        (line("C1", "-5"), "合同成交额（万元）（N 列）", "金额不能为负数"),
        (line("C1", "10", costs="11"), "非技术性费用（万元）（O 列）", "超过了合同成交额"),
        (line("C1", "10", registered_on="2024-02-01"), "登记日期（M 列）", "早于签订日期"),
        (
            line("C1", "10").replace("技术开发,委托开发", "技术买卖,"),
            "合同类别（B 列）",
            "未知的合同类别",
        ),
        (line("C1", "10", "void"), "状态（Q 列）", "状态无效"),
        (line("C1", "10", seller_area="宛城区"), "卖方所在区域（G 列）", "不在您的管辖范围"),
    ],
)
def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(
    users, tmp_path, row, column, problem
) -> None:
    path = write(tmp_path, line("OK1", "5"), row)
    with pytest.raises(CommandError, match="未导入任何数据"):
        run(path, "county_staff")
    assert TechContract.objects.count() == 0
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contracts", str(path), "--user", "county_staff", stdout=out)
    report = out.getvalue()
    assert "第 3 行" in report and column in report and problem in report
    # users see the Chinese headers only, never the program's column codes
    assert not [code for code in HEADERS_ZH if code in report]


def test_duplicate_number_with_different_parties(users, tmp_path) -> None:
    path = write(tmp_path, line("D1", "5"), line("D1", "6", buyer_name="另一买方"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contracts", str(path), "--user", "city_staff", stdout=out)
    assert "登记编号与第 2 行的合同相同，但卖方或买方不同" in out.getvalue()
    assert TechContract.objects.count() == 0


def test_xlsx_with_chinese_headers_through_the_page(client_for, users) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADERS_ZH.values()))
    sheet.append(line("E1", "12").split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("导出.xlsx", buffer.getvalue())
    response = client_for("city_staff").post("/contracts/import/", {"file": upload})
    assert response.status_code == 302
    assert TechContract.objects.get().registration_no == "E1"
    template = client_for("city_staff").get("/contracts/import/template.xlsx")
    headers = [c.value for c in load_workbook(io.BytesIO(template.content)).active[1]]
    assert headers == list(HEADERS_ZH.values())


def test_error_report_on_the_page(client_for, users) -> None:
    content = "\n".join([HEADER, line("F1", "abc")]).encode()
    response = client_for("city_staff").post(
        "/contracts/import/", {"file": SimpleUploadedFile("x.csv", content)}
    )
    assert response.status_code == 422
    errors = response.context["report"].errors
    assert (errors[0].row, errors[0].value) == (2, "abc")
    assert TechContract.objects.count() == 0


def test_unknown_user_and_refused_role(users, tmp_path) -> None:
    path = write(tmp_path, line("G1", "1"))
    with pytest.raises(CommandError, match="不存在"):
        run(path, "nobody")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contracts", str(path), "--user", "enterprise", stdout=out)
    assert "只有市科技局和县区工作人员可以导入" in out.getvalue()


def test_error_workbook_marks_the_bad_cell(client_for, users) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "技术合同"
    sheet.append(list(HEADERS_ZH.values()))
    sheet.append(line("H1", "-3").split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_for("city_staff")
    response = client.post(
        "/contracts/import/", {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 422
    marked = load_workbook(io.BytesIO(client.get("/contracts/import/report.xlsx").content))
    listing = marked["校验结果"]
    assert [c.value for c in listing[2]][:3] == [
        2,
        "合同成交额（万元）（N 列）",
        "'-3",
    ]  # formula-safe
    cell = marked["技术合同"].cell(row=2, column=14)
    assert "金额不能为负数" in cell.comment.text
    assert TechContract.objects.count() == 0
