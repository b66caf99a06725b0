"""Annual figures: 填报 → 县区审核 → 市级确认, returns with comments, diffs, staff edits."""

from decimal import Decimal
from typing import Any

import pytest

from kechuang.registry.models import AnnualReport, FigureSubmission

pytestmark = pytest.mark.django_db

FIGURES = {
    "total_revenue": "5200",
    "sales_revenue": "5000",
    "rd_expense": "260",
    "rd_expense_domestic": "250",
    "employees_avg": "80",
    "st_staff_avg": "12",
}


def submit(client: Any, org: Any, values: dict[str, Any] = FIGURES, **extra: Any) -> Any:
    return client.post(
        "/api/registry/figure-submissions",
        {"organization": org.uscc, "year": 2024, "values": values, **extra},
        content_type="application/json",
    )


def review(client: Any, submission_id: int, decision: str, comment: str = "") -> Any:
    return client.post(
        f"/api/registry/figure-submissions/{submission_id}/review",
        {"decision": decision, "comment": comment},
        content_type="application/json",
    )


def test_full_way_from_enterprise_to_city_confirmation(client_for: Any, orgs: Any) -> None:
    org = orgs["wolong"]
    created = submit(client_for("enterprise"), org)
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["status"] == "submitted"
    assert created.json()["changes"]["rd_expense"] == [None, "260"]
    assert not AnnualReport.objects.filter(
        organization=org
    ).exists()  # not counted before confirmation

    assert review(client_for("enterprise"), sid, "approve").status_code == 403
    assert review(client_for("city_staff"), sid, "confirm").status_code == 422  # area check first
    approved = review(client_for("county_staff"), sid, "approve", "数据与报表一致")
    assert approved.json()["status"] == "area_checked"
    confirmed = review(client_for("city_staff"), sid, "confirm", "确认")
    assert confirmed.json()["status"] == "confirmed"
    assert [r["decision"] for r in confirmed.json()["reviews"]] == ["submit", "approve", "confirm"]

    report = AnnualReport.objects.get(organization=org, year=2024)
    assert report.rd_expense == Decimal("260") and report.st_staff_avg == Decimal("12")
    assert report.confirmed_at is not None


def test_second_submission_diffs_against_confirmed_values(client_for: Any, orgs: Any) -> None:
    org = orgs["wolong"]
    submit(client_for("city_staff"), org, confirm_now=True)
    changed = submit(client_for("enterprise"), org, {"rd_expense": "300", "employees_avg": "80"})
    assert changed.status_code == 201
    assert changed.json()["changes"] == {"rd_expense": ["260.00", "300"]}


def test_return_needs_a_reason_and_allows_resubmission(client_for: Any, orgs: Any) -> None:
    sid = submit(client_for("enterprise"), orgs["wolong"]).json()["id"]
    no_reason = review(client_for("county_staff"), sid, "return")
    assert no_reason.status_code == 422 and "comment" in no_reason.json()["errors"]
    returned = review(client_for("county_staff"), sid, "return", "研发费用与审计报告不符")
    assert returned.json()["status"] == "returned"
    assert submit(client_for("enterprise"), orgs["wolong"]).status_code == 201


def test_one_pending_submission_per_organization_and_year(client_for: Any, orgs: Any) -> None:
    submit(client_for("enterprise"), orgs["wolong"])
    again = submit(client_for("enterprise"), orgs["wolong"])
    assert again.status_code == 422 and "已有待审核的填报" in again.json()["errors"]["year"][0]


def test_domestic_rd_above_total_rd_is_refused(client_for: Any, orgs: Any) -> None:
    bad = submit(
        client_for("enterprise"),
        orgs["wolong"],
        {"rd_expense": "100", "rd_expense_domestic": "120"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"]["rd_expense_domestic"] == [
        "其中：境内研发费用（万元）不能大于研发费用总额（万元）（100.00）；请核对两项。"
    ]
    assert not FigureSubmission.objects.exists()


def test_rd_above_revenue_is_accepted(client_for: Any, orgs: Any) -> None:
    # A start-up may spend on R&D more than it earns: not a contradiction.
    ok = submit(
        client_for("enterprise"), orgs["wolong"], {"total_revenue": "100", "rd_expense": "120"}
    )
    assert ok.status_code in (200, 201), ok.content
    assert FigureSubmission.objects.get().values["rd_expense"] == "120"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"rd_expense": "-5"},
            "rd_expense",
            "研发费用总额（万元）不能为负数；请填写 0 或正数。",
        ),
        (
            {"rd_expense": "abc"},
            "rd_expense",
            "研发费用总额（万元）应为数字，实为“abc”；请填写数字。",
        ),
        (
            {"tech_conversions": "1.5"},
            "tech_conversions",
            "科技成果转化（项）应为整数；请填写整数。",
        ),
        (
            {"profit": "1"},
            "profit",
            "“profit”不是可填报的年度数据项；请删除该项，可填报的项见接口文档。",
        ),
        (
            {"employees_avg": "10", "st_staff_avg": "11"},
            "st_staff_avg",
            "科技人员（全年月平均）（人）不能大于职工总数（全年月平均）（人）（10.00）；请核对两项。",
        ),
    ],
)
def test_bad_figures_get_field_errors(
    client_for: Any, orgs: Any, values: Any, field: str, message: str
) -> None:
    bad = submit(client_for("enterprise"), orgs["wolong"], values)
    assert bad.status_code == 422 and bad.json()["errors"][field] == [message]


def test_other_areas_and_organizations_cannot_submit_or_review(client_for: Any, orgs: Any) -> None:
    assert submit(client_for("enterprise"), orgs["wancheng"]).status_code == 404
    assert submit(client_for("county_staff"), orgs["wancheng"]).status_code == 404
    sid = submit(client_for("city_staff"), orgs["wancheng"]).json()["id"]
    assert review(client_for("county_staff"), sid, "approve").status_code == 404
    assert (
        client_for("enterprise").get(f"/api/registry/figure-submissions/{sid}").status_code == 404
    )


def test_staff_edit_is_confirmed_at_once_and_recorded(client_for: Any, orgs: Any) -> None:
    done = submit(
        client_for("city_staff"), orgs["wancheng"], confirm_now=True, comment="据审计报告更正"
    )
    assert done.json()["status"] == "confirmed"
    assert [r["decision"] for r in done.json()["reviews"]] == ["submit", "confirm"]
    assert AnnualReport.objects.get(organization=orgs["wancheng"], year=2024).sales_revenue == 5000


def test_county_staff_cannot_confirm(client_for: Any, orgs: Any) -> None:
    sid = submit(client_for("county_staff"), orgs["wolong"]).json()["id"]
    review(client_for("county_staff"), sid, "approve")
    assert review(client_for("county_staff"), sid, "confirm").status_code == 403
