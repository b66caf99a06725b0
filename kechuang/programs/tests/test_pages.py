"""The programmes' pages: the applicant's form with a Chinese error and nothing saved, the
application page's steps, the expert's review form, the workflow editor, the Word summary."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from docx import Document

from kechuang.programs import services
from kechuang.programs.models import Application, Review, WorkflowVersion
from kechuang.programs.tests.conftest import MARKS, PDF

pytestmark = pytest.mark.django_db


def test_public_lists_show_published_calls_and_challenges(
    client: Any, programme: dict[str, Any]
) -> None:
    page = client.get("/programs/").content.decode()
    assert "2026 年揭榜挂帅（测试）" in page and "超硬材料精密刀具（测试）" in page
    assert "刀具寿命 500小时" in page


def test_apply_form_refuses_a_budget_that_does_not_sum(
    client_for: Any, programme: dict[str, Any]
) -> None:
    client = client_for("enterprise")
    call = programme["call"]
    body = {
        "challenge": programme["challenge"].pk,
        "title": "揭榜方案",
        "summary": "内容",
        "leader": programme["leader"].pk,
        "requested": "200",
        "self_funding": "0",
        "budget_0": "50",
    }
    response = client.post(f"/programs/calls/{call.pk}/apply/", body)
    assert response.status_code == 200
    assert "各预算科目合计 50 万元" in response.content.decode()
    assert Application.objects.count() == 0
    body["budget_0"] = "200"
    response = client.post(f"/programs/calls/{call.pk}/apply/", body)
    assert response.status_code == 302, response.context["errors"]
    app = Application.objects.get()
    assert response["Location"] == f"/programs/applications/{app.pk}/"
    assert app.budget == {"设备费": "200"} and app.phase == "draft"


def test_application_page_upload_and_submit(
    client_for: Any, users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    app = services.create_application(users["enterprise"], programme["call"], bid_data)
    client = client_for("enterprise")
    url = f"/programs/applications/{app.pk}/act/"
    upload = io.BytesIO(b"\x89PNG\r\n\x1a\nxx")
    upload.name = "可研.pdf"
    response = client.post(url, {"action": "attach", "kind": "可行性研究报告", "file": upload})
    assert "名为 PDF 文件，但内容是PNG 图片" in response.content.decode()
    response = client.post(url, {"action": "transition", "transition": "submit"})
    assert "缺少必备附件：可行性研究报告" in response.content.decode()
    upload = io.BytesIO(PDF)
    upload.name = "可研.pdf"
    client.post(url, {"action": "attach", "kind": "可行性研究报告", "file": upload})
    response = client.post(url, {"action": "transition", "transition": "submit"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.phase == "formal_check"
    page = client.get(f"/programs/applications/{app.pk}/").content.decode()
    assert "形式审查中" in page and "提交揭榜" in page


def test_expert_review_form(client_for: Any, users: dict[str, Any], in_review: Any) -> None:
    app = in_review()
    assignment = app.assignments.get(expert__user=users["expert"])
    client = client_for("expert")
    page = client.get(f"/programs/reviews/{assignment.pk}/").content.decode()
    assert "技术路线的创新性与可行性（0–30 分）" in page
    body = {f"mark_{k}": v for k, v in MARKS.items()}
    body.update(comments="可行", recommendation="fund", action="review")
    response = client.post(f"/programs/reviews/{assignment.pk}/", {**body, "mark_route": "40"})
    assert "得分 40 超出范围" in response.content.decode()
    assert Review.objects.count() == 0
    response = client.post(f"/programs/reviews/{assignment.pk}/", body)
    assert response.status_code == 302
    assert Review.objects.get().total == 80


def test_workflow_editor_saves_a_new_version(client_for: Any, programme: dict[str, Any]) -> None:
    client = client_for("city_admin")
    page = client.get("/programs/workflows/challenge/")
    definition = json.loads(page.context["text"])
    definition["stages"][2]["phases"][1]["name"] = "现场答辩"
    response = client.post(
        "/programs/workflows/challenge/", {"definition": json.dumps(definition), "note": "改名"}
    )
    assert response.status_code == 302
    assert WorkflowVersion.objects.filter(workflow__code="challenge").count() == 2
    response = client.post("/programs/workflows/challenge/", {"definition": "{"})
    assert "不是有效的 JSON" in response.content.decode()


def test_results_docx(client_for: Any, users: dict[str, Any], in_review: Any) -> None:
    app = in_review()
    for assignment in app.assignments.all():
        if assignment.expert.user is None:
            continue
        services.submit_review(
            assignment.expert.user,
            assignment,
            {"marks": MARKS, "comments": "好", "recommendation": "fund"},
        )
    response = client_for("city_staff").get(f"/programs/calls/{app.call_id}/results.docx")
    document = Document(io.BytesIO(response.content))
    cells = [c.text for c in document.tables[0].rows[1].cells]
    assert cells[0] == "1" and cells[1] == app.title and cells[4] == "80.00"


def test_application_list_filters(
    client_for: Any, users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    services.create_application(users["enterprise"], programme["call"], bid_data)
    services.create_application(
        users["enterprise"], programme["call"], {**bid_data, "title": "另一个方案"}
    )
    client = client_for("city_staff")
    rows = client.get("/programs/applications/?q=另一个").context["applications"]
    assert [a.title for a in rows] == ["另一个方案"]
    response = client.get("/programs/applications/?call=abc")
    assert response.context["problems"] == ["筛选条件“call”的值无效，已忽略。"]
    assert len(response.context["applications"]) == 2
    api = client.get("/api/programs/applications?phase=draft&q=另一个").json()
    assert [a["title"] for a in api] == ["另一个方案"]


def test_excel_exports(client_for: Any, users: dict[str, Any], in_review: Any) -> None:
    from openpyxl import load_workbook

    app = in_review(title='=HYPERLINK("x")')
    client = client_for("city_staff")
    sheet = load_workbook(
        io.BytesIO(client.get("/programs/applications/?format=xlsx").content)
    ).active
    assert sheet["A1"].value == "项目名称" and sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["H2"].value == "专家评审中"
    assignment = app.assignments.get(expert__user=users["expert"])
    services.submit_review(
        users["expert"], assignment, {"marks": MARKS, "comments": "好", "recommendation": "fund"}
    )
    content = client.get(f"/programs/calls/{app.call_id}/ranking/?format=xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    assert rows[0][:4] == ("排名", "项目名称", "申报单位", "评审数")
    assert rows[1][0] == 1 and rows[1][3] == 1 and rows[1][4] == 80
