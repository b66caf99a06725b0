"""Excel import: dry run, every rejection rule with a real bad file, all-or-nothing commit,
upsert by natural key, scope, annual figures through confirmed submissions, the error report."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from kechuang.conftest import make_uscc
from kechuang.core.audit import audit_context
from kechuang.core.models import AuditAction, AuditEntry
from kechuang.registry.engine.uscc import check_character
from kechuang.registry.excel.importer import (
    MAX_UPLOAD_BYTES,
    ImportRefused,
    ImportReport,
    commit,
    validate_upload,
)
from kechuang.registry.excel.report import report_xlsx
from kechuang.registry.excel.specs import get_spec
from kechuang.registry.models import (
    AnnualReport,
    FigureReview,
    FigureSubmission,
    InnovationPlatform,
    Organization,
    Patent,
    Qualification,
    SubmissionStatus,
    Talent,
    Team,
)

pytestmark = pytest.mark.django_db


def make_xlsx(
    code: str,
    rows: list[dict[str, Any]],
    headers: list[str] | None = None,
    title: str | None = None,
) -> bytes:
    """A real workbook laid out like the template, rows given as {header: value}."""
    spec = get_spec(code)
    headers = headers or [column.header_zh for column in spec.data_columns]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title or spec.sheet_title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def org_row(serial: int, area: str = "卧龙区", **overrides: Any) -> dict[str, Any]:
    division = {"卧龙区": "411303", "宛城区": "411302"}.get(area, "411300")
    row = {
        "统一社会信用代码": make_uscc(serial, division),
        "单位名称": f"导入单位{serial}（演示）",
        "单位类型": "企业",
        "所在区域": area,
        "联系电话": "13700001234",
    }
    row.update(overrides)
    return row


def wrong_check(code: str) -> str:
    good = check_character(code[:17])
    return code[:17] + ("1" if good != "1" else "2")


def entry_for(obj: Any, action: str) -> AuditEntry:
    return AuditEntry.objects.get(
        action=action, content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )


def problems(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.column_header, e.problem) for e in report.errors]


@pytest.fixture
def staff(users: dict[str, Any]) -> Any:
    return users["city_staff"]


def run(code: str, content: bytes, user: Any, name: str = "导入.xlsx") -> ImportReport:
    return validate_upload(code, content, user, filename=name)


# --- the happy path, and the forms people type ------------------------------------------------


def test_dry_run_counts_then_commit_creates_with_typed_forms(staff: Any) -> None:
    content = make_xlsx(
        "organizations",
        [
            org_row(
                501,
                单位名称="  南阳  星河 科技\u3000有限公司（演示） ",
                所在区域="411303",
                所属产业="防爆电气装备",
                高新技术领域="新材料",
                成立日期="2015年6月18日",
                企业规模="小型",
                上市企业="Y",
                规上企业="1",
            ),
            org_row(
                502,
                统一社会信用代码=" " + make_uscc(502, "411302").lower() + " ",
                所在区域="南阳市宛城区",
                成立日期="2019.5",
                单位类型="高等院校",
            ),
        ],
    )
    before = Organization.objects.count()
    report = run("organizations", content, staff)
    assert report.errors == []
    assert (report.rows_total, report.to_create, report.to_update) == (2, 2, 0)
    assert Organization.objects.count() == before  # a dry run writes nothing
    result = commit(report, staff)
    assert (result.created, result.updated) == (2, 0)
    first = Organization.objects.get(uscc=make_uscc(501, "411303"))
    assert first.name == "南阳 星河 科技 有限公司（演示）"
    assert first.area.name == "卧龙区"
    assert first.industry.code == "equipment.explosion_proof"
    assert first.tech_field.name == "新材料"
    assert first.founded_on == dt.date(2015, 6, 18)
    assert (first.size_class, first.is_listed, first.is_above_designated_size) == (
        "small",
        True,
        True,
    )
    second = Organization.objects.get(uscc=make_uscc(502, "411302"))
    assert second.area.name == "宛城区"
    assert second.founded_on == dt.date(2019, 5, 1)
    assert second.kind == "university"


def test_excel_date_cells_and_fullwidth_digits(staff: Any, orgs: dict[str, Any]) -> None:
    uscc = orgs["wolong"].uscc
    rows = [
        {
            "单位统一社会信用代码": uscc,
            "资质类型": "高新技术企业",
            "认定日期": dt.datetime(2023, 11, 22),
            "有效期至": "２０２６－１１－２１",
            "认定层级": "国家级",
        },
        {
            "单位统一社会信用代码": uscc,
            "资质类型": "专精特新'小巨人'企业",
            "认定日期": "2022/7/1",
            "认定层级": "国家级",
        },
    ]
    report = run("qualifications", make_xlsx("qualifications", rows), staff)
    assert report.errors == []
    commit(report, staff)
    hnte = Qualification.objects.get(organization=orgs["wolong"], kind="HNTE")
    assert (hnte.issued_on, hnte.expires_on) == (dt.date(2023, 11, 22), dt.date(2026, 11, 21))
    giant = Qualification.objects.get(organization=orgs["wolong"], kind="little_giant")
    assert giant.issued_on == dt.date(2022, 7, 1) and giant.expires_on is None


def test_upsert_updates_by_natural_key_and_audits_field_changes(
    staff: Any, orgs: dict[str, Any]
) -> None:
    wolong = orgs["wolong"]
    content = make_xlsx(
        "organizations",
        [
            org_row(
                0,
                统一社会信用代码=wolong.uscc,
                单位名称="卧龙测试企业（改名）",
                联系电话="13912345678",
            ),
            org_row(503),
        ],
    )
    with audit_context(label="test"):
        report = run("organizations", content, staff)
        assert (report.to_create, report.to_update, report.unchanged) == (1, 1, 0)
        assert report.plans[0].changes["name"] == ["卧龙测试企业（测试）", "卧龙测试企业（改名）"]
        result = commit(report, staff)
    assert (result.created, result.updated) == (1, 1)
    wolong.refresh_from_db()
    assert wolong.name == "卧龙测试企业（改名）"
    assert Organization.objects.filter(uscc=wolong.uscc).count() == 1
    update = entry_for(wolong, AuditAction.UPDATE)
    assert update.changes == {"name": ["卧龙测试企业（测试）", "卧龙测试企业（改名）"]}
    assert update.actor == staff and update.actor_username == "city_staff"
    assert update.note == "Excel 导入：导入.xlsx 第 2 行"
    created = Organization.objects.get(uscc=make_uscc(503))
    entry = entry_for(created, AuditAction.CREATE)
    assert entry.changes["uscc"] == [None, make_uscc(503)]
    assert entry.note == "Excel 导入：导入.xlsx 第 3 行"
    # Re-importing the same file changes nothing.
    again = run("organizations", content, staff)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 2)


# --- rejections -------------------------------------------------------------------------------


def test_wrong_uscc_check_character(staff: Any) -> None:
    bad = wrong_check(make_uscc(504))
    report = run(
        "organizations", make_xlsx("organizations", [org_row(504, 统一社会信用代码=bad)]), staff
    )
    expected = check_character(bad[:17])
    assert problems(report) == [
        (
            2,
            "统一社会信用代码",
            f"统一社会信用代码校验位错误：第 18 位应为 {expected}，实为 {bad[17]}。",
        )
    ]
    assert report.errors[0].value == bad
    assert "统一社会信用代码" in report.errors[0].fix


def test_unknown_area_and_industry(staff: Any) -> None:
    content = make_xlsx(
        "organizations", [org_row(505, 所在区域="火星区", 所属产业="星际航运", 高新技术领域="玄学")]
    )
    report = run("organizations", content, staff)
    assert problems(report) == [
        (2, "所在区域", "未知的区域“火星区”。"),
        (2, "所属产业", "未知的产业“星际航运”。"),
        (2, "高新技术领域", "未知的高新技术领域“玄学”。"),
    ]
    assert report.errors[0].fix == "请从下拉列表中选择区域名称，或填写区域代码，如 411303。"


def figures_row(uscc: str, **figures: Any) -> dict[str, Any]:
    return {"单位统一社会信用代码": uscc, "年度": 2023, **figures}


def test_negative_amount_and_domestic_rd_above_total(staff: Any, orgs: dict[str, Any]) -> None:
    uscc = orgs["wolong"].uscc
    rows = [
        figures_row(uscc, **{"总收入（万元）": "-5"}),
        figures_row(
            orgs["wancheng"].uscc,
            **{"研发费用总额（万元）": "1,000万元", "其中：境内研发费用（万元）": "1.2亿元"},
        ),
    ]
    report = run("annual_reports", make_xlsx("annual_reports", rows), staff)
    assert problems(report) == [
        (2, "总收入（万元）", "金额不能为负数。"),
        (
            3,
            "其中：境内研发费用（万元）",
            "其中：境内研发费用（万元）不能大于研发费用总额（万元）（1,000.00）；请核对两项。",
        ),
    ]
    assert AnnualReport.objects.count() == 0


def test_key_repeated_within_the_file_reports_both_rows(staff: Any) -> None:
    content = make_xlsx("organizations", [org_row(506), org_row(507), org_row(506)])
    report = run("organizations", content, staff)
    assert problems(report) == [
        (4, "统一社会信用代码", "与第 2 行重复：统一社会信用代码相同的记录在文件中出现了多次。"),
        (2, "统一社会信用代码", "与第 4 行重复：统一社会信用代码相同的记录在文件中出现了多次。"),
    ]


def test_composite_key_repeated_within_the_file(staff: Any, orgs: dict[str, Any]) -> None:
    row = {
        "单位统一社会信用代码": orgs["wolong"].uscc,
        "资质类型": "高新技术企业",
        "认定日期": "2023-11-22",
        "认定层级": "国家级",
    }
    report = run(
        "qualifications",
        make_xlsx("qualifications", [row, dict(row, 认定日期="2023年11月22日")]),
        staff,
    )
    assert sorted(e.row for e in report.errors) == [2, 3]
    assert "统一社会信用代码、资质类型、认定日期相同" in report.errors[0].problem


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
            "该文件是旧版 Excel 97-2003（.xls）或加密的工作簿，不是 .xlsx 文件。",
        ),
        (
            "统一社会信用代码,单位名称\n91411303000000001X,某某\n".encode(),
            "该文件不是 .xlsx 工作簿（看起来是文本、CSV 或其他格式的文件），改扩展名无效。",
        ),
        (docx_bytes(), "该文件是 Word 文档（.docx），不是 Excel 工作簿。"),
        (b"%PDF-1.7\n", "该文件是 PDF 文档，不是 Excel 工作簿。"),
        (b"", "文件是空的。"),
    ],
    ids=["xls", "csv", "docx", "pdf", "empty"],
)
def test_files_that_are_not_xlsx_are_refused_whatever_their_name(
    staff: Any, content: bytes, problem: str
) -> None:
    upload = SimpleUploadedFile("创新主体.xlsx", content)
    report = validate_upload("organizations", upload, staff)
    assert problems(report) == [(0, "（文件）", problem)]
    assert "另存为" in report.errors[0].fix


def test_a_zip_that_is_not_a_workbook(staff: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    report = run("organizations", buffer.getvalue(), staff)
    assert problems(report) == [(0, "（文件）", "该文件是压缩包，但不是 .xlsx 工作簿。")]


def test_more_than_20_mb_is_refused(staff: Any) -> None:
    content = make_xlsx("organizations", [org_row(508)])
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/media/padding.bin", os.urandom(MAX_UPLOAD_BYTES))
    big = buffer.getvalue()
    assert len(big) > MAX_UPLOAD_BYTES
    upload = SimpleUploadedFile("大文件.xlsx", big)
    report = validate_upload("organizations", upload, staff)
    assert len(report.errors) == 1
    assert (
        report.errors[0].problem == f"文件过大（{len(big) / 1024 / 1024:.1f} MB），上限为 20 MB。"
    )
    assert run("organizations", big, staff).errors[0].problem.startswith("文件过大")


def test_headers_must_match_the_template(staff: Any) -> None:
    headers = [
        c.header_zh for c in get_spec("organizations").data_columns if c.header_zh != "单位类型"
    ]
    headers += ["备注", "单位名称"]
    report = run(
        "organizations", make_xlsx("organizations", [org_row(509)], headers=headers), staff
    )
    assert problems(report) == [
        (1, "备注", "无法识别的列“备注”。"),
        (1, "单位名称", "列“单位名称”出现了两次。"),
        (1, "单位类型", "缺少列“单位类型”。"),
    ]


def test_headers_tolerate_order_widths_and_required_marks(staff: Any) -> None:
    spec = get_spec("annual_reports")
    headers = [c.header_zh for c in reversed(spec.data_columns)]
    headers = [h.replace("（万元）", "(万元)") for h in headers]
    headers[0] = headers[0] + "*"
    report = run("annual_reports", make_xlsx("annual_reports", [], headers=headers), staff)
    assert problems(report) == [(2, "（文件）", "表格中没有数据行。")]


def test_required_cells_and_bad_choices(staff: Any) -> None:
    content = make_xlsx(
        "organizations", [org_row(510, 单位名称="", 单位类型="个体户", 上市企业="也许")]
    )
    report = run("organizations", content, staff)
    assert problems(report) == [
        (2, "单位名称", "“单位名称”为必填项，不能为空。"),
        (2, "单位类型", "“个体户”不是可选的单位类型。"),
        (2, "上市企业", "“也许”不是有效的是/否值。"),
    ]
    assert report.errors[1].fix == "请从下拉列表中选择：企业、高等院校、科研院所、医疗机构、其他。"


def test_one_bad_row_commits_nothing(staff: Any, orgs: dict[str, Any]) -> None:
    rows = [org_row(511), org_row(512, 所在区域="火星区"), org_row(513)]
    report = run("organizations", make_xlsx("organizations", rows), staff)
    assert report.to_create == 2 and len(report.errors) == 1
    counts = (Organization.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ImportRefused, match="校验发现 1 处错误，未导入任何数据"):
        commit(report, staff)
    assert (Organization.objects.count(), AuditEntry.objects.count()) == counts


def test_commit_is_all_or_nothing_when_the_database_changed_meanwhile(
    staff: Any, make_org: Callable[..., Any]
) -> None:
    report = run("organizations", make_xlsx("organizations", [org_row(514), org_row(515)]), staff)
    assert report.ok
    make_org(uscc=make_uscc(515), name="抢先登记（演示）")  # someone else, after validation
    counts = (Organization.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ImportRefused, match="请重新上传校验"):
        commit(report, staff)
    assert (Organization.objects.count(), AuditEntry.objects.count()) == counts
    assert not Organization.objects.filter(uscc=make_uscc(514)).exists()


def test_commit_only_by_the_validating_user(users: dict[str, Any]) -> None:
    report = run("organizations", make_xlsx("organizations", [org_row(516)]), users["city_staff"])
    with pytest.raises(ImportRefused, match="只能由校验该文件的用户确认导入"):
        commit(report, users["city_admin"])


# --- scope ------------------------------------------------------------------------------------


def test_county_user_cannot_import_another_areas_organization(users: dict[str, Any]) -> None:
    content = make_xlsx("organizations", [org_row(517), org_row(518, area="宛城区")])
    report = run("organizations", content, users["county_staff"])
    assert problems(report) == [
        (3, "所在区域", "超出您的管辖范围：您只能导入卧龙区（含下级区域）的数据。")
    ]
    assert report.errors[0].value == "宛城区"
    assert report.to_create == 1


def test_county_user_cannot_update_or_move_rows_outside_their_area(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    rows = [
        org_row(0, 统一社会信用代码=orgs["wancheng"].uscc, 单位名称="改名", 所在区域="卧龙区"),
        org_row(0, 统一社会信用代码=orgs["wolong"].uscc, 单位名称="搬走", 所在区域="宛城区"),
    ]
    report = run("organizations", make_xlsx("organizations", rows), users["county_staff"])
    assert problems(report) == [
        (2, "统一社会信用代码", "该记录已登记，但不在您的管辖范围内，您无权修改。"),
        (3, "所在区域", "超出您的管辖范围：您只能导入卧龙区（含下级区域）的数据。"),
    ]


def test_county_user_cannot_reference_organizations_outside_their_area(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    row = {
        "单位统一社会信用代码": orgs["wancheng"].uscc,
        "资质类型": "科技型中小企业",
        "认定日期": "2024-04-01",
        "认定层级": "省级",
    }
    report = run("qualifications", make_xlsx("qualifications", [row]), users["county_staff"])
    assert report.errors[0].problem == (
        f"未找到统一社会信用代码为 {orgs['wancheng'].uscc} 的单位，或该单位不在您的管辖范围内。"
    )


def test_enterprise_user_updates_only_its_own_organization(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    rows = [
        org_row(0, 统一社会信用代码=orgs["wolong"].uscc, 单位名称="本单位新名（测试）"),
        org_row(519),
    ]
    report = run("organizations", make_xlsx("organizations", rows), users["enterprise"])
    assert problems(report) == [
        (3, "统一社会信用代码", "单位用户不能新增单位，只能修改本单位的信息。")
    ]


def test_experts_may_not_import(users: dict[str, Any]) -> None:
    report = run("organizations", make_xlsx("organizations", [org_row(520)]), users["expert"])
    assert problems(report) == [(0, "（文件）", "评审专家无权导入登记数据。")]


# --- annual figures ---------------------------------------------------------------------------


def test_annual_figures_go_through_confirmed_submissions(staff: Any, orgs: dict[str, Any]) -> None:
    existing = AnnualReport.objects.create(
        organization=orgs["wancheng"], year=2023, total_revenue=Decimal("100.00")
    )
    rows = [
        figures_row(
            orgs["wolong"].uscc,
            **{
                "总收入（万元）": "12,345,678元",
                "研发费用总额（万元）": "100",
                "年末净资产（万元）": "-20万元",
                "职工总数（全年月平均）（人）": "５６",
                "当年获得Ⅰ类知识产权（项）": "3项",
            },
        ),
        figures_row(orgs["wancheng"].uscc, **{"总收入（万元）": "0.02亿元"}),
    ]
    with audit_context(label="test"):
        report = run("annual_reports", make_xlsx("annual_reports", rows), staff)
        assert (report.to_create, report.to_update) == (1, 1)
        result = commit(report, staff)
    assert (result.created, result.updated) == (1, 1)
    new = AnnualReport.objects.get(organization=orgs["wolong"], year=2023)
    assert new.total_revenue == Decimal("1234.57")
    assert new.net_assets_end == Decimal("-20.00")
    assert new.employees_avg == Decimal("56.00")
    assert new.ip_class_i_granted == 3
    assert new.confirmed_at is not None
    existing.refresh_from_db()
    assert existing.total_revenue == Decimal("200.00")
    submissions = FigureSubmission.objects.order_by("organization__name")
    assert [(s.organization, s.status, s.submitted_by) for s in submissions] == [
        (orgs["wolong"], SubmissionStatus.CONFIRMED, staff),
        (orgs["wancheng"], SubmissionStatus.CONFIRMED, staff),
    ]
    wolong_submission = submissions.get(organization=orgs["wolong"])
    assert wolong_submission.report == new
    assert wolong_submission.values["total_revenue"] == "1234.57"
    assert wolong_submission.values["net_assets_end"] == "-20.00"
    review = FigureReview.objects.get(submission=wolong_submission)
    assert (review.decision, review.reviewer) == (FigureReview.Decision.CONFIRM, staff)
    update = entry_for(existing, AuditAction.UPDATE)
    assert update.changes["total_revenue"] == ["100.00", "200.00"]
    assert entry_for(wolong_submission, AuditAction.CREATE).actor == staff
    assert entry_for(review, AuditAction.CREATE).changes["decision"] == [None, "confirm"]


def test_annual_figures_only_by_city_staff(users: dict[str, Any], orgs: dict[str, Any]) -> None:
    content = make_xlsx("annual_reports", [figures_row(orgs["wolong"].uscc)])
    for role in ("county_staff", "enterprise"):
        report = run("annual_reports", content, users[role])
        assert problems(report) == [
            (0, "（文件）", "年度数据导入即视为市级确认，只有市科技局工作人员可以批量导入。")
        ]


# --- the other registries ---------------------------------------------------------------------


def test_platforms_talents_teams_and_patents(staff: Any, orgs: dict[str, Any]) -> None:
    wolong, wancheng = orgs["wolong"].uscc, orgs["wancheng"].uscc
    platform = {
        "平台名称": "南阳市防爆电机工程技术研究中心（演示）",
        "平台类型": "工程技术研究中心",
        "级别": "市级",
        "依托单位统一社会信用代码": wolong,
        "共建单位统一社会信用代码": f"{wancheng}；{orgs['wolong_univ'].uscc}",
        "所在区域": "卧龙区",
        "状态": "",
        "最近评估结果": "优秀",
        "最近评估年度": 2023,
    }
    report = run("platforms", make_xlsx("platforms", [platform]), staff)
    assert report.errors == []
    commit(report, staff)
    saved = InnovationPlatform.objects.get()
    assert (saved.kind, saved.level, saved.status) == (
        "engineering_center",
        "municipal",
        "operating",
    )
    assert set(saved.co_builders.values_list("uscc", flat=True)) == {
        wancheng,
        orgs["wolong_univ"].uscc,
    }

    talents = [
        {
            "姓名": "李四",
            "工作单位统一社会信用代码": wolong,
            "学位": "博士",
            "技术领域": "新材料；电子信息",
            "科技特派员": "是",
            "手机号": "13800001111",
        },
        {"姓名": "李四", "工作单位统一社会信用代码": wolong, "手机号": "13900002222"},
        {"姓名": "王五", "工作单位统一社会信用代码": wolong},
    ]
    report = run("talents", make_xlsx("talents", talents), staff)
    assert report.errors == [] and report.to_create == 3
    commit(report, staff)
    lisi = Talent.objects.get(phone="13800001111")
    assert sorted(lisi.tech_fields.values_list("name", flat=True)) == ["新材料", "电子信息"]
    assert lisi.is_st_commissioner and lisi.degree == "doctorate"
    # Same name, same organization, same last 4 phone digits: the same person, updated.
    again = run("talents", make_xlsx("talents", [dict(talents[0], 学位="硕士")]), staff)
    assert (again.to_create, again.to_update) == (0, 1)

    team = {
        "团队名称": "防爆材料创新团队（演示）",
        "依托单位统一社会信用代码": wolong,
        "带头人姓名": "王五",
        "引育计划": "产业科技创新人才团队(培育)",
        "入选年度": "2022年",
    }
    ambiguous = dict(team, 团队名称="另一团队（演示）", 带头人姓名="李四")
    report = run("teams", make_xlsx("teams", [team, ambiguous]), staff)
    assert problems(report) == [
        (3, "带头人姓名", "依托单位有 2 位名为“李四”的科技人才，无法确定带头人。")
    ]
    report = run("teams", make_xlsx("teams", [team]), staff)
    commit(report, staff)
    saved_team = Team.objects.get()
    assert saved_team.leader.name == "王五" and saved_team.programme == "industry_cultivated"
    assert saved_team.approved_year == 2022

    patent = {
        "专利号": "ZL202310123456.7",
        "专利类型": "发明专利",
        "名称": "一种防爆电机散热结构",
        "本市权利人统一社会信用代码": wolong,
        "申请日": "2023.5",
        "授权公告日": "2024/8/16",
        "法律状态": "有效",
        "战略性新兴产业的发明专利": "是",
    }
    bad = dict(patent, 专利号="ZL202320000001.1", 专利类型="实用新型", 授权公告日="")
    report = run("patents", make_xlsx("patents", [patent, bad]), staff)
    assert problems(report) == [
        (3, "授权公告日", "有效专利须填写授权公告日。"),
    ]
    report = run("patents", make_xlsx("patents", [patent]), staff)
    commit(report, staff)
    saved_patent = Patent.objects.get()
    assert saved_patent.application_date == dt.date(2023, 5, 1)
    assert saved_patent.hv_strategic_industry is True


def test_masked_numbers_are_not_imported_as_new_values(staff: Any) -> None:
    report = run(
        "organizations", make_xlsx("organizations", [org_row(521, 联系电话="138****5678")]), staff
    )
    assert problems(report) == [(2, "联系电话", "这是脱敏后的号码，不能作为新值导入。")]


# --- the error report and the command ---------------------------------------------------------


def test_report_xlsx_highlights_bad_cells_and_lists_errors(staff: Any) -> None:
    content = make_xlsx("organizations", [org_row(522), org_row(523, 所在区域="@火星")])
    report = run("organizations", content, staff)
    workbook = load_workbook(io.BytesIO(report_xlsx(report, content)))
    assert workbook.sheetnames == ["校验结果", "创新主体"]
    listing = list(workbook["校验结果"].iter_rows(values_only=True))
    assert listing[0] == ("行号", "列名", "单元格内容", "问题", "修改建议")
    assert listing[1][:4] == (3, "所在区域", "'@火星", "未知的区域“@火星”。")
    data = workbook["创新主体"]
    area_column = [c.header_zh for c in get_spec("organizations").data_columns].index(
        "所在区域"
    ) + 1
    bad = data.cell(row=3, column=area_column)
    assert bad.fill.fgColor.rgb == "00FF9999"
    assert "问题：未知的区域" in bad.comment.text and "修改：" in bad.comment.text
    assert data.cell(row=2, column=area_column).comment is None


def test_report_xlsx_for_a_file_that_could_not_be_read(staff: Any) -> None:
    report = run("organizations", b"not a workbook", staff)
    workbook = load_workbook(io.BytesIO(report_xlsx(report, b"not a workbook")))
    assert workbook.sheetnames == ["校验结果"]
    assert list(workbook.active.iter_rows(values_only=True))[1][1] == "（文件）"


def test_command_dry_run_errors_and_commit(
    staff: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(make_xlsx("organizations", [org_row(524), org_row(525)]))
    call_command("import_registry", "organizations", str(good), "--user", "city_staff", "--dry-run")
    assert "校验通过：共 2 行，将新增 2 条，更新 0 条，无变化 0 条。" in capsys.readouterr().out
    assert not Organization.objects.filter(uscc=make_uscc(524)).exists()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(make_xlsx("organizations", [org_row(526, 所在区域="火星区")]))
    out = tmp_path / "report.xlsx"
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import_registry",
            "organizations",
            str(bad),
            "--user",
            "city_staff",
            "--report",
            str(out),
        )
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "第 2 行【所在区域】“火星区”：未知的区域“火星区”。" in captured.err
    assert load_workbook(out).sheetnames[0] == "校验结果"

    call_command("import_registry", "organizations", str(good), "--user", "city_staff")
    assert "已导入：新增 2 条，更新 0 条。" in capsys.readouterr().out
    assert Organization.objects.filter(uscc=make_uscc(524)).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.CREATE).latest("id")
    assert entry.actor_username == "city_staff"


def test_a_masked_export_reimported_keeps_the_stored_number(
    staff: Any, orgs: dict[str, Any]
) -> None:
    wolong = orgs["wolong"]
    row = org_row(
        0, 统一社会信用代码=wolong.uscc, 单位名称="卧龙新名（测试）", 联系电话="139****5678"
    )
    report = run("organizations", make_xlsx("organizations", [row]), staff)
    assert report.errors == [] and report.to_update == 1
    assert set(report.plans[0].changes) == {"name"}
    commit(report, staff)
    wolong.refresh_from_db()
    assert (wolong.name, wolong.contact_phone) == ("卧龙新名（测试）", "13912345678")


def test_figures_awaiting_review_are_not_overwritten_by_an_import(
    staff: Any, users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    from kechuang.registry.services import workflow

    workflow.submit(users["enterprise"], orgs["wolong"], 2023, {"total_revenue": "100"})
    rows = [figures_row(orgs["wolong"].uscc, **{"总收入（万元）": "900"})]
    report = run("annual_reports", make_xlsx("annual_reports", rows), staff)
    assert problems(report) == [
        (
            2,
            "单位统一社会信用代码",
            "该单位 2023 年度已有待审核的填报，导入的数据会被其后的审核覆盖。",
        )
    ]
    assert report.to_create == 0
    assert not AnnualReport.objects.filter(organization=orgs["wolong"], year=2023).exists()
