"""Enterprise self-assessment from confirmed registry figures, the what-if copy, the Word file."""

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document

from kechuang.core.models import AuditEntry
from kechuang.registry.models import AnnualReport, TechField

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
    assert (
        headings == ["高新技术企业：不符合", "科技型中小企业：符合"]
        or headings[0] == "高新技术企业：不符合"
    )
    first = document.tables[0]
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
