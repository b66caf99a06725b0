"""Annual figures are consistent: one set of rules (`check_figures`) on the form, the API, the
Excel import and the model; empty submissions refused; a pending submission withdrawn by its
submitter; a returned one corrected and resubmitted from its own page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.models import AuditEntry
from kechuang.registry.excel.importer import validate_upload
from kechuang.registry.models import AnnualReport, FigureSubmission
from kechuang.registry.models.figures import check_figures
from kechuang.registry.services import workflow
from kechuang.registry.tests.test_excel_import import make_xlsx

pytestmark = pytest.mark.django_db

SIX_ITEMS = {
    "rd_staff_cost": "40",
    "rd_direct_inputs": "30",
    "rd_depreciation": "10",
    "rd_amortisation": "5",
    "rd_design_trial": "10",
}
BASE = {"total_revenue": "10000"}

# (name, figures, field, message): every rule once, with the message the user reads.
RULES = [
    (
        "sales above total revenue",
        {"total_revenue": "10,000", "sales_revenue": "12,000.00"},
        "sales_revenue",
        "销售收入（万元）不能大于总收入（万元）（10,000.00）；请核对两项。",
    ),
    (
        "main revenue above total revenue",
        {"total_revenue": "10000", "main_revenue": "10000.01"},
        "main_revenue",
        "主营业务收入（万元）不能大于总收入（万元）（10,000.00）；请核对两项。",
    ),
    (
        "main revenue above sales",
        {"total_revenue": "10000", "sales_revenue": "500", "main_revenue": "600"},
        "main_revenue",
        "主营业务收入（万元）不能大于销售收入（万元）（500.00）；请核对两项。",
    ),
    (
        "high-tech revenue above total revenue",
        {"total_revenue": "1000", "hightech_revenue": "1200"},
        "hightech_revenue",
        "高新技术产品（服务）收入（万元）不能大于总收入（万元）（1,000.00）；请核对两项。",
    ),
    (
        "domestic R&D above R&D",
        {**BASE, "rd_expense": "100", "rd_expense_domestic": "120"},
        "rd_expense_domestic",
        "其中：境内研发费用（万元）不能大于研发费用总额（万元）（100.00）；请核对两项。",
    ),
    (
        "R&D items do not add up to the total",
        {**BASE, "rd_expense": "100", **SIX_ITEMS, "rd_other": "5.07"},
        "rd_expense",
        "研发费用总额（万元）（100.00）应等于人员人工、直接投入、折旧、无形资产摊销、设计和试验、"
        "其他相关费用六项之和（100.07，相差 0.07）；请核对总额及各明细。",
    ),
    (
        "R&D items given in part exceed the total",
        {**BASE, "rd_expense": "100", "rd_staff_cost": "80", "rd_direct_inputs": "30"},
        "rd_expense",
        "已填写的研发费用各明细合计（110.00）大于研发费用总额（万元）（100.00）；"
        "请核对总额及各明细。",
    ),
    (
        "more S&T staff than employees",
        {"employees_avg": "80", "st_staff_avg": "81"},
        "st_staff_avg",
        "科技人员（全年月平均）（人）不能大于职工总数（全年月平均）（人）（80.00）；请核对两项。",
    ),
    (
        "R&D FTE above employees",
        {"employees_avg": "80", "rd_staff_fte": "80.5"},
        "rd_staff_fte",
        "研发人员全时当量（人年）不能大于职工总数（全年月平均）（人）（80.00）；请核对两项。",
    ),
    (
        "net assets above total assets",
        {"net_assets_end": "5000", "total_assets_end": "4000"},
        "net_assets_end",
        "年末净资产（万元）不能大于年末资产总额（万元）（4,000.00）；请核对两项。",
    ),
    (
        "negative amount",
        {"hightech_revenue": "-1"},
        "hightech_revenue",
        "高新技术产品（服务）收入（万元）不能为负数；请填写 0 或正数。",
    ),
    (
        "amount beyond the field's range",
        {"total_revenue": "1e20"},
        "total_revenue",
        "总收入（万元）超出可填写的范围（应小于 100,000,000,000,000）；"
        "请确认单位（金额以万元计）。",
    ),
    (
        "head count beyond the field's range",
        {"employees_avg": "1e10"},
        "employees_avg",
        "职工总数（全年月平均）（人）超出可填写的范围（应小于 10,000,000,000）；请核对该项。",
    ),
]
IDS = [rule[0] for rule in RULES]
EMPTY = (
    "本次填报没有填写任何年度数据，或所填数据与已确认的数据完全相同；请至少填写或修改一项后再提交。"
)


def api_submit(client: Any, org: Any, values: dict[str, Any], year: int = 2024) -> Any:
    return client.post(
        "/api/registry/figure-submissions",
        {"organization": org.uscc, "year": year, "values": values},
        content_type="application/json",
    )


# --- the rules themselves -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "figures", "field", "message"), RULES, ids=IDS)
def test_check_figures_names_the_field_and_the_fix(
    name: str, figures: dict[str, Any], field: str, message: str
) -> None:
    assert check_figures(figures) == {field: [message]}


def test_consistent_figures_pass_and_rounding_is_tolerated() -> None:
    good = {
        "total_revenue": "10000",
        "sales_revenue": "9000",
        "main_revenue": "8000",
        "hightech_revenue": "7000",
        "rd_expense": "100",
        "rd_expense_domestic": "100",
        **SIX_ITEMS,
        "rd_other": "5.06",  # the six items may differ from the total by 0.01 each: 0.06
        "employees_avg": "80",
        "st_staff_avg": "80",
        "rd_staff_fte": "80",
        "net_assets_end": "-50",  # a loss-making company's net assets may be negative
        "total_assets_end": "4000",
    }
    assert check_figures(good) == {}
    assert check_figures({**good, "rd_other": "4.94"}) == {}
    assert check_figures({**good, "total_revenue": "99999999999999.99"}) == {}
    assert "rd_expense" in check_figures({**good, "rd_other": "4.93"})


def test_the_model_applies_the_same_rules() -> None:
    report = AnnualReport(year=2024, sales_revenue=Decimal(12000), total_revenue=Decimal(10000))
    with pytest.raises(ValidationError) as caught:
        report.clean()
    assert caught.value.message_dict == {
        "sales_revenue": ["销售收入（万元）不能大于总收入（万元）（10,000.00）；请核对两项。"]
    }


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "figures", "field", "message"), RULES, ids=IDS)
def test_api_refuses_each_rule_with_a_field_error(
    client_for: Any, orgs: Any, name: str, figures: dict[str, Any], field: str, message: str
) -> None:
    response = api_submit(client_for("enterprise"), orgs["wolong"], figures)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message]}
    assert not FigureSubmission.objects.exists()


def test_api_stores_numbers_as_plain_text(client_for: Any, orgs: Any) -> None:
    response = api_submit(
        client_for("enterprise"), orgs["wolong"], {"total_revenue": "1e3", "sales_revenue": "1,200"}
    )
    assert response.status_code == 422  # 1,200 > 1e3: both read as numbers
    misplaced = api_submit(client_for("enterprise"), orgs["wolong"], {"rd_expense": "1,00"})
    assert misplaced.json()["errors"] == {
        "rd_expense": ["研发费用总额（万元）应为数字，实为“1,00”；请填写数字。"]
    }
    ok = api_submit(
        client_for("enterprise"), orgs["wolong"], {"total_revenue": "1e3", "rd_expense": "100"}
    )
    assert ok.status_code == 201
    assert ok.json()["values"] == {"total_revenue": "1000", "rd_expense": "100"}


def test_api_answers_a_huge_json_number_with_422(client_for: Any, orgs: Any) -> None:
    response = api_submit(client_for("enterprise"), orgs["wolong"], {"rd_expense": 1e30})
    assert response.status_code == 422
    assert "超出可填写的范围" in response.json()["errors"]["rd_expense"][0]


def test_rules_see_the_confirmed_values_beside_the_proposed_ones(
    client_for: Any, orgs: Any
) -> None:
    AnnualReport.objects.create(organization=orgs["wolong"], year=2024, total_revenue=1000)
    response = api_submit(client_for("enterprise"), orgs["wolong"], {"sales_revenue": "1500"})
    assert response.json()["errors"] == {
        "sales_revenue": ["销售收入（万元）不能大于总收入（万元）（1,000.00）；请核对两项。"]
    }


@pytest.mark.parametrize(
    "values", [{}, {"rd_expense": None, "sales_revenue": ""}, {"total_revenue": "1000.00"}]
)
def test_api_refuses_an_empty_submission(client_for: Any, orgs: Any, values: Any) -> None:
    AnnualReport.objects.create(organization=orgs["wolong"], year=2024, total_revenue=1000)
    response = api_submit(client_for("enterprise"), orgs["wolong"], values)
    assert response.status_code == 422
    assert response.json()["errors"] == {"values": [EMPTY]}
    assert not FigureSubmission.objects.exists()


# --- the form -----------------------------------------------------------------------------------


def form_post(client: Any, org: Any, figures: dict[str, Any]) -> Any:
    return client.post(
        "/registry/figures/new/", {"organization": org.uscc, "year": "2024", **figures}
    )


@pytest.mark.parametrize(("name", "figures", "field", "message"), RULES, ids=IDS)
def test_form_refuses_each_rule_beside_the_field(
    client_for: Any, orgs: Any, name: str, figures: dict[str, Any], field: str, message: str
) -> None:
    response = form_post(client_for("enterprise"), orgs["wolong"], figures)
    assert response.status_code == 422
    fields = {f["name"]: f["errors"] for f in response.context["fields"]}
    assert fields[field] == [message]
    assert message in response.content.decode().replace("&amp;", "&")
    assert not FigureSubmission.objects.exists()


def test_form_refuses_an_empty_submission(client_for: Any, orgs: Any) -> None:
    response = form_post(client_for("enterprise"), orgs["wolong"], {})
    assert response.status_code == 422
    assert EMPTY in response.content.decode()
    assert not FigureSubmission.objects.exists()


# --- the Excel import (real files read back) ----------------------------------------------------

HEADERS = {
    "total_revenue": "总收入（万元）",
    "sales_revenue": "销售收入（万元）",
    "main_revenue": "主营业务收入（万元）",
    "hightech_revenue": "高新技术产品（服务）收入（万元）",
    "rd_expense": "研发费用总额（万元）",
    "rd_expense_domestic": "其中：境内研发费用（万元）",
    "rd_staff_cost": "人员人工费用（万元）",
    "rd_direct_inputs": "直接投入费用（万元）",
    "rd_depreciation": "折旧费用（万元）",
    "rd_amortisation": "无形资产摊销（万元）",
    "rd_design_trial": "设计和试验费用（万元）",
    "rd_other": "其他相关费用（万元）",
    "employees_avg": "职工总数（全年月平均）（人）",
    "st_staff_avg": "科技人员（全年月平均）（人）",
    "rd_staff_fte": "研发人员全时当量（人年）",
    "net_assets_end": "年末净资产（万元）",
    "total_assets_end": "年末资产总额（万元）",
}
# The cell parser refuses negative amounts itself, with its own words.
XLSX_RULES = [rule for rule in RULES if rule[0] != "negative amount"]


def xlsx_row(org: Any, figures: dict[str, Any]) -> dict[str, Any]:
    cells = {HEADERS[name]: value for name, value in figures.items()}
    return {"单位统一社会信用代码": org.uscc, "年度": 2023, **cells}


@pytest.mark.parametrize(
    ("name", "figures", "field", "message"), XLSX_RULES, ids=[r[0] for r in XLSX_RULES]
)
def test_import_refuses_each_rule_in_its_row_and_column(
    users: Any, orgs: Any, name: str, figures: dict[str, Any], field: str, message: str
) -> None:
    content = make_xlsx("annual_reports", [xlsx_row(orgs["wolong"], figures)])
    report = validate_upload("annual_reports", content, users["city_staff"], "年报.xlsx")
    assert [(e.row, e.column_header, e.problem) for e in report.errors] == [
        (2, HEADERS[field], message)
    ]
    assert report.errors[0].fix.startswith(f"请核对“{HEADERS[field]}”及问题说明中的相关各项")
    assert report.plans == []


def test_import_of_1e30_is_a_cell_error_not_500(client_for: Any, users: Any, orgs: Any) -> None:
    content = make_xlsx(
        "annual_reports",
        [xlsx_row(orgs["wolong"], {"total_revenue": 1e30, "employees_avg": 1e30})],
    )
    report = validate_upload("annual_reports", content, users["city_staff"], "年报.xlsx")
    assert [(e.row, e.column_header, e.problem, e.fix) for e in report.errors] == [
        (
            2,
            "总收入（万元）",
            "“1e+30”超出总收入（万元）可填写的范围（应小于 100,000,000,000,000）。",
            "请核对数值及单位（金额以万元计）。",
        ),
        (
            2,
            "职工总数（全年月平均）（人）",
            "“1e+30”超出职工总数（全年月平均）（人）可填写的范围（应小于 10,000,000,000）。",
            "请核对数值及单位。",
        ),
    ]
    page = client_for("city_staff").post(
        "/registry/excel/annual_reports/import/",
        {"file": SimpleUploadedFile("年报.xlsx", content)},
    )
    assert page.status_code == 422 and "超出总收入（万元）可填写的范围" in page.content.decode()
    assert not AnnualReport.objects.exists()


# --- withdraw -----------------------------------------------------------------------------------


def audit_of(obj: Any) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).order_by("pk")
    )


def test_submitter_withdraws_a_pending_submission_which_then_blocks_nothing(
    client_for: Any, orgs: Any
) -> None:
    enterprise = client_for("enterprise")
    sid = api_submit(enterprise, orgs["wolong"], {"rd_expense": "12"}).json()["id"]
    blocked = api_submit(enterprise, orgs["wolong"], {"rd_expense": "13"})
    assert blocked.status_code == 422 and "撤回" in blocked.json()["errors"]["year"][0]
    withdrawn = enterprise.post(
        f"/api/registry/figure-submissions/{sid}/withdraw",
        {"comment": "填错了单位"},
        content_type="application/json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["status_display"] == "已撤回"
    assert [(r["decision"], r["comment"]) for r in withdrawn.json()["reviews"]] == [
        ("submit", ""),
        ("withdraw", "填错了单位"),
    ]
    submission = FigureSubmission.objects.get(pk=sid)
    assert [e.changes.get("status") for e in audit_of(submission)][-1] == [
        "submitted",
        "withdrawn",
    ]
    queue = client_for("county_staff").get(
        "/api/registry/figure-submissions", {"status": "submitted"}
    )
    assert sid not in [item["id"] for item in queue.json()["items"]]
    assert api_submit(enterprise, orgs["wolong"], {"rd_expense": "13"}).status_code == 201
    assert FigureSubmission.objects.filter(status="withdrawn").count() == 1  # kept on record


def test_only_the_submitter_withdraws_and_only_before_any_review(
    client_for: Any, orgs: Any, users: Any
) -> None:
    submission = workflow.submit(users["enterprise"], orgs["wolong"], 2024, {"rd_expense": "12"})
    url = f"/api/registry/figure-submissions/{submission.pk}/withdraw"
    for role in ("county_staff", "city_staff"):
        refused = client_for(role).post(url, {}, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["message"] == "只有填报人本人可以撤回该填报。"
    workflow.review(users["county_staff"], submission, "approve")
    late = client_for("enterprise").post(url, {}, content_type="application/json")
    assert late.status_code == 422
    assert late.json()["errors"]["status"] == [
        "当前状态为“县区已审核，待市级确认”，只有待县区审核的填报可以撤回；"
        "如需更正，请联系审核人退回。"
    ]
    assert FigureSubmission.objects.get(pk=submission.pk).status == "area_checked"


def test_withdraw_from_the_submission_page(client_for: Any, orgs: Any, users: Any) -> None:
    submission = workflow.submit(users["enterprise"], orgs["wolong"], 2024, {"rd_expense": "12"})
    enterprise = client_for("enterprise")
    page = enterprise.get(f"/registry/figures/{submission.pk}/").content.decode()
    assert "撤回本次填报" in page
    county_page = client_for("county_staff").get(f"/registry/figures/{submission.pk}/")
    assert "撤回本次填报" not in county_page.content.decode()
    done = enterprise.post(f"/registry/figures/{submission.pk}/withdraw/", {"comment": "重填"})
    assert done.status_code == 302
    after = enterprise.get(done["Location"]).content.decode()
    assert "已撤回" in after and "填报已撤回" in after and "撤回本次填报" not in after


# --- resubmit -----------------------------------------------------------------------------------


@pytest.fixture
def returned(users: Any, orgs: Any) -> FigureSubmission:
    submission = workflow.submit(
        users["enterprise"],
        orgs["wolong"],
        2024,
        {"total_revenue": "1000", "rd_expense": "60", "employees_avg": "50"},
    )
    return workflow.review(users["county_staff"], submission, "return", "研发费用与审计报告不符")


def test_returned_submission_is_corrected_and_resubmitted_from_its_page(
    client_for: Any, returned: FigureSubmission
) -> None:
    enterprise = client_for("enterprise")
    url = f"/registry/figures/{returned.pk}/"
    page = enterprise.get(url)
    fields = {f["name"]: f["value"] for f in page.context["fields"]}
    assert fields["rd_expense"] == "60" and fields["employees_avg"] == "50"
    html = page.content.decode()
    assert "修改后重新提交" in html and "研发费用与审计报告不符" in html
    bad = enterprise.post(
        f"{url}resubmit/",
        {"rd_expense": "1000", "rd_expense_domestic": "1200", "employees_avg": "50"},
    )
    assert bad.status_code == 422
    assert "其中：境内研发费用（万元）不能大于研发费用总额（万元）（1,000.00）；请核对两项。" in (
        bad.content.decode()
    )
    assert FigureSubmission.objects.get(pk=returned.pk).status == "returned"
    done = enterprise.post(
        f"{url}resubmit/",
        {"total_revenue": "1000", "rd_expense": "55", "employees_avg": "50", "comment": "已改正"},
    )
    assert done.status_code == 302
    submission = FigureSubmission.objects.get(pk=returned.pk)
    assert submission.status == "submitted" and submission.values["rd_expense"] == "55"
    assert [(r.decision, r.comment) for r in submission.reviews.all()] == [
        ("submit", ""),
        ("return", "研发费用与审计报告不符"),
        ("resubmit", "已改正"),
    ]
    values_change = [e.changes["values"] for e in audit_of(submission) if "values" in e.changes]
    assert values_change[-1][0]["rd_expense"] == "60"  # the old values stay in the trail
    assert "研发费用与审计报告不符" in enterprise.get(url).content.decode()


def test_resubmit_via_api_refuses_empty_and_others(
    client_for: Any, returned: FigureSubmission
) -> None:
    url = f"/api/registry/figure-submissions/{returned.pk}/resubmit"
    empty = client_for("enterprise").post(url, {"values": {}}, content_type="application/json")
    assert empty.status_code == 422 and empty.json()["errors"] == {"values": [EMPTY]}
    other = client_for("county_staff").post(
        url, {"values": {"rd_expense": "55"}}, content_type="application/json"
    )
    assert other.status_code == 403
    ok = client_for("enterprise").post(
        url, {"values": {"rd_expense": "55"}}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert ok.json()["changes"] == {"rd_expense": [None, "55"]}
    again = client_for("enterprise").post(
        url, {"values": {"rd_expense": "56"}}, content_type="application/json"
    )
    assert again.status_code == 422
    assert again.json()["errors"]["status"] == [
        "当前状态为“已填报，待县区审核”，只有已退回的填报可以修改后重新提交。"
    ]


def test_resubmit_is_refused_while_another_submission_is_pending(
    client_for: Any, returned: FigureSubmission, users: Any, orgs: Any
) -> None:
    workflow.submit(users["enterprise"], orgs["wolong"], 2024, {"rd_expense": "58"})
    response = client_for("enterprise").post(
        f"/api/registry/figure-submissions/{returned.pk}/resubmit",
        {"values": {"rd_expense": "55"}},
        content_type="application/json",
    )
    assert (
        response.status_code == 422 and "已有待审核的填报" in response.json()["errors"]["year"][0]
    )
    assert FigureSubmission.objects.get(pk=returned.pk).status == "returned"
