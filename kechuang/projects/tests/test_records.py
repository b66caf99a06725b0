"""Outputs linked to the registries, the public record of results (closed, non-confidential),
the funds committed/paid/spent, overdue milestones on the workbench, the Excel export and the
acceptance certificate in Word (rendered to PDF by LibreOffice: A4, numbers unbroken)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from openpyxl import load_workbook

from kechuang.core.tests.word import A4_POINTS, page_sizes, render_pdf, split_numbers
from kechuang.projects import selectors, services
from kechuang.projects.certificate import certificate_docx
from kechuang.projects.export import projects_xlsx
from kechuang.projects.tests.conftest import PDF
from kechuang.site.workbench import tasks_for

pytestmark = pytest.mark.django_db


def accept(users: dict[str, Any], project: Any, achieved: str, conclusion: str) -> Any:
    target = project.targets.get()
    evidence = {str(target.pk): {"content": PDF, "name": "报告.pdf", "achieved": achieved}}
    acceptance = services.apply_for_acceptance(
        users["enterprise"], project, {"summary": "总结", "evidence": evidence}
    )
    return services.decide_acceptance(
        users["city_staff"], acceptance, {"conclusion": conclusion, "reasons": "专家组意见"}
    )


def test_a_patent_output_links_the_registry_row_the_team_may_see(
    users: dict[str, Any], running: Any, patents: dict[str, Any]
) -> None:
    patent, foreign = patents["own"], patents["foreign"]
    team = users["enterprise"]
    link = services.output_link(team, "patent", patent.pk)
    output = services.add_output(team, running, {"kind": "patent", "title": patent.title}, link)
    assert output.patent == patent
    with pytest.raises(ValidationError) as error:
        services.output_link(team, "patent", foreign.pk)
    assert "link" in error.value.message_dict
    with pytest.raises(ValidationError, match="请选择关联的专利登记记录"):
        services.add_output(team, running, {"kind": "patent", "title": "x"}, None)
    assert list(selectors.outputs_of(running)) == [output]


def test_the_public_record_shows_closed_non_confidential_projects_only(
    users: dict[str, Any], running: Any
) -> None:
    assert list(selectors.public_results()) == []
    accept(users, running, "510", "passed")
    assert list(selectors.public_results()) == [running]
    running.confidential = True
    running.save()
    assert list(selectors.public_results()) == []


def test_funds_committed_paid_and_spent(users: dict[str, Any], running: Any) -> None:
    services.pay_tranche(users["city_staff"], running.tranches.get(number=1))
    services.report_spending(
        users["enterprise"],
        running,
        [{"category": "材料费", "description": "微粉", "amount": "12.5", "spent_on": "2026-02-01"}],
    )
    rows = selectors.funds_summary(users["city_staff"], "area")
    assert rows == [
        {
            "key": "卧龙区",
            "projects": 1,
            "committed": Decimal(200),
            "paid": Decimal(100),
            "spent": Decimal("12.5"),
        }
    ]
    assert selectors.funds_summary(users["institution"], "area") == []


def test_overdue_milestones_reach_the_workbench(users: dict[str, Any], running: Any) -> None:
    late = running.milestones.order_by("due_on").first()  # due 2026-06-30
    assert list(selectors.overdue_milestones(users["city_staff"], dt.date(2026, 7, 1))) == [late]
    assert list(selectors.overdue_milestones(users["city_staff"], dt.date(2026, 6, 30))) == []
    services.report_progress(
        users["enterprise"],
        running,
        {"period": "上半年", "content": "完成", "milestone": late.pk, "milestone_done": True},
    )
    assert list(selectors.overdue_milestones(users["city_staff"], dt.date(2026, 7, 1))) == []
    labels = {t.label for t in tasks_for(users["enterprise"])}
    assert "本单位项目逾期未报告的里程碑" in labels
    assert "逾期未报告的项目里程碑" in {t.label for t in tasks_for(users["county_staff"])}


def test_the_excel_export_lists_the_users_projects(users: dict[str, Any], running: Any) -> None:
    book = load_workbook(io.BytesIO(projects_xlsx(users["city_staff"])))
    assert book.sheetnames == ["科技项目", "经费（按计划）", "逾期里程碑"]
    rows = list(book["科技项目"].iter_rows(values_only=True))
    assert rows[1][0] == running.title and rows[1][6] == "是" and rows[1][7] == 200


def test_the_certificate_is_an_a4_word_document_in_the_official_format(
    users: dict[str, Any], running: Any, tmp_path: Path
) -> None:
    acceptance = accept(users, running, "520", "passed")
    content = certificate_docx(acceptance)
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "南阳市科技计划项目验收证书" in text
    assert f"证书编号：{acceptance.certificate_number}" in text
    assert "验收结论：通过" in text
    assert "总体完成度：100.00%" in text
    reader = render_pdf(content, tmp_path, "certificate")
    assert page_sizes(reader) == {A4_POINTS}
    assert split_numbers(content, reader) == []
