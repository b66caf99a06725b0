"""Enterprise self-assessment from confirmed registry figures, the what-if copy, the Word file."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document

from kechuang.core.models import AuditEntry
from kechuang.registry.models import AnnualReport, Qualification, TechField

pytestmark = pytest.mark.django_db

YEARS = {
    # year: sales, total, hightech, rd, rd_domestic, net assets, total assets, employees, st staff
    2022: (2400, 2500, 1800, 150, 150, 1000, 3000, 80, 10),
    2023: (3200, 3300, 2500, 220, 220, 1200, 3500, 85, 8),
    2024: (4200, 4300, 3300, 300, 280, 1500, 4000, 90, 8),
}


@pytest.fixture
def enterprise(orgs: Any) -> Any:
    org = orgs["wolong"]
    org.founded_on = dt.date(2018, 3, 1)
    org.tech_field = TechField.objects.get(name="电子信息")
    org.save()
    now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    for year, (sales, total, ht, rd, dom, na, ta, emp, st) in YEARS.items():
        AnnualReport.objects.create(
            organization=org,
            year=year,
            sales_revenue=sales,
            total_revenue=total,
            hightech_revenue=ht,
            rd_expense=rd,
            rd_expense_domestic=dom,
            cost_expense_total=total - 200,
            net_assets_end=na,
            total_assets_end=ta,
            employees_avg=emp,
            st_staff_avg=st,
            ip_class_i_held=1,
            ip_class_ii_held=2,
            tech_conversions=5,
            confirmed_at=now,
        )
    return org


def test_enterprise_sees_its_own_result_from_confirmed_figures(
    client_for: Any, enterprise: Any
) -> None:
    page = client_for("enterprise").get("/cultivation/self-assessment/")
    assert page.status_code == 200
    results = {code: r for code, _, r in page.context["results"]}
    hnte = results["hnte-2016"]
    assert hnte.eligible == "fail"
    staff = next(c for c in hnte.conditions if c.passed is False)
    assert "科技人员" in staff.title
    assert any("科技人员需增加 2 人" in g.message_zh for g in hnte.gaps)
    assert page.context["case"]["years"][-1]["rd_expense"] == 300.0
    html = page.content.decode()
    assert '<th scope="row" class="fw-normal">销售收入（万元）</th>' in html  # labels, not codes
    assert ">sales_revenue<" not in html and ">st_staff_avg<" not in html


def test_what_if_changes_the_result_but_not_the_records(client_for: Any, enterprise: Any) -> None:
    client = client_for("enterprise")
    changes = AuditEntry.objects.filter(action__in=["create", "update", "delete"])
    staff_before = list(
        AnnualReport.objects.order_by("year").values_list("st_staff_avg", flat=True)
    )
    changes_before = changes.count()
    page = client.post(
        "/cultivation/self-assessment/",
        {"y2_st_staff_avg": "10", "advancement": "A", "core_support": "A", "action": "assess"},
    )
    assert page.status_code == 200 and page.context["what_if"] is True
    hnte = dict((code, r) for code, _, r in page.context["results"])["hnte-2016"]
    assert not any("科技人员" in c.title and c.passed is False for c in hnte.conditions)
    assert changes.count() == changes_before
    staff_after = list(AnnualReport.objects.order_by("year").values_list("st_staff_avg", flat=True))
    assert staff_after == staff_before == [Decimal("10"), Decimal("8"), Decimal("8")]


def test_word_download_holds_both_rule_sets(client_for: Any, enterprise: Any) -> None:
    response = client_for("enterprise").get("/cultivation/self-assessment/", {"format": "docx"})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings[0] == "测算所用数据"
    assert headings[1] == "高新技术企业：不符合"
    assert headings[2].startswith("科技型中小企业：")
    first = next(t for t in document.tables if t.rows[0].cells[0].text == "条件")
    assert [c.text for c in first.rows[0].cells] == ["条件", "结果", "实际值", "要求"]
    assert any(row.cells[1].text == "未通过" for row in first.rows[1:])


def test_missing_figures_are_explained(client_for: Any, orgs: Any) -> None:
    page = client_for("enterprise").get("/cultivation/self-assessment/")
    assert page.status_code == 200 and page.context["errors"]
    assert "填报并确认年度数据" in page.content.decode()


def test_other_organizations_are_out_of_scope(client_for: Any, orgs: Any) -> None:
    url = "/cultivation/self-assessment/"
    assert (
        client_for("enterprise").get(url, {"organization": orgs["wancheng"].uscc}).status_code
        == 404
    )
    assert (
        client_for("county_staff").get(url, {"organization": orgs["wancheng"].uscc}).status_code
        == 404
    )
    assert (
        client_for("county_staff").get(url, {"organization": orgs["wolong"].uscc}).status_code
        == 200
    )
    assert client_for("anonymous").get(url).status_code == 302


def _docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return [p.text for p in document.paragraphs], tables


def test_word_report_lists_every_input_and_keeps_the_expert_grades_after_a_what_if(
    client_for: Any, enterprise: Any
) -> None:
    client = client_for("enterprise")
    posted = {"y2_st_staff_avg": "10", "advancement": "B", "core_support": "A"}
    page = client.post("/cultivation/self-assessment/", {**posted, "action": "assess"})
    html = page.content.decode()
    # the what-if page shows the grades again, so the next submit (the Word button) keeps them
    assert 'name="advancement" maxlength="1" value="B"' in html
    assert 'name="core_support" maxlength="1" value="A"' in html
    response = client.post("/cultivation/self-assessment/", {**posted, "action": "docx"})
    assert response.status_code == 200
    paragraphs, tables = _docx_text(response.content)
    figures = tables[0]
    assert figures[0] == ["项目（万元 / 人）", "2022 年", "2023 年", "2024 年"]
    rows = {row[0]: row[1:] for row in figures[1:]}
    assert rows["销售收入（万元）"] == ["2400", "3200", "4200"]
    rd = next(values for label, values in rows.items() if label.startswith("研发费用"))
    assert rd == ["150", "220", "300"]
    staff = next(values for label, values in rows.items() if "科技人员" in label)
    assert staff == ["10", "8", "10"]  # the what-if value, not the record's 8
    text = "\n".join(paragraphs)
    assert "Ⅰ类知识产权 1 项；Ⅱ类知识产权 2 项；近三年科技成果转化 15 项。" in text
    assert "现有有效资质：无。" in text
    assert "技术领域 电子信息" in text
    grades = {row[0]: row[1] for row in tables[1][1:]}
    assert grades["技术的先进程度（A–E）"] == "B"
    assert grades["对企业主要产品（服务）的核心支持作用（A–E）"] == "A"
    assert grades["研究开发组织管理水平（0–20 分）"].startswith("未评")


def test_word_report_names_the_qualifications_held(client_for: Any, enterprise: Any) -> None:
    Qualification.objects.create(
        organization=enterprise,
        kind="TSME",
        certificate_no="2024411303000001",
        issued_on=dt.date(2024, 5, 1),
        expires_on=dt.date(2099, 12, 31),
        verification="verified",
    )
    response = client_for("enterprise").get("/cultivation/self-assessment/", {"format": "docx"})
    paragraphs, tables = _docx_text(response.content)
    assert "现有有效资质：科技型中小企业。" in paragraphs
    assert all(row[1].startswith("未评") for row in tables[1][1:])
