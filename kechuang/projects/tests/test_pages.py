"""The project pages added for issue #15's remaining steps: the task agreement created from an
award, the signed scan, change requests proposed on the page and decided by the city (history
shown), outputs registered on the page; the dashboard by industry chain with the outputs
credited and its Word export; a 赛马 merge moving the merged team's targets and members."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from kechuang.core.tests.word import A4_POINTS, page_sizes, render_pdf, split_numbers
from kechuang.projects import selectors, services
from kechuang.projects.export import dashboard_docx
from kechuang.projects.models import ChangeRequest, Output, Project, ProjectStatus, Target
from kechuang.projects.tests.conftest import PDF
from kechuang.registry.models import IndustryChain

pytestmark = pytest.mark.django_db


def test_city_staff_create_the_agreement_from_an_award_on_its_page(
    users: dict[str, Any], client_for: Any, awarded: Any
) -> None:
    award = awarded()
    staff = client_for("city_staff")
    listing = staff.get("/projects/").content.decode()
    assert f"/projects/awards/{award.pk}/agreement/" in listing
    assert staff.get(f"/projects/awards/{award.pk}/agreement/").status_code == 200
    form = {
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "milestone_1": "完成涂层工艺验证",
        "due_1": "2026-06-30",
        "budget": "设备费：120\n材料费：80",
    }
    bad = staff.post(f"/projects/awards/{award.pk}/agreement/", {**form, "budget": "设备费 120"})
    assert bad.status_code == 400
    assert "预算科目第 1 行“设备费 120”应写作“科目：金额（万元）”" in bad.content.decode()
    short = staff.post(f"/projects/awards/{award.pk}/agreement/", {**form, "budget": "设备费：20"})
    assert short.status_code == 400
    assert "预算科目合计 20 万元，应等于市财政经费 200 万元" in short.content.decode()
    assert not Project.objects.filter(award=award).exists()
    response = staff.post(f"/projects/awards/{award.pk}/agreement/", form)
    project = Project.objects.get(award=award)
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.budget == {"设备费": "120", "材料费": "80"} and not project.lump_sum
    assert [(m.title, m.due_on) for m in project.milestones.all()] == [
        ("完成涂层工艺验证", dt.date(2026, 6, 30))
    ]
    assert [t.name for t in project.targets.all()] == ["刀具寿命"]
    again = staff.post(f"/projects/awards/{award.pk}/agreement/", form)
    assert again.status_code == 400 and "该立项已签订任务书，不能重复创建" in again.content.decode()


def test_the_city_uploads_the_signed_scan_and_the_project_runs(
    client_for: Any, project: Any
) -> None:
    staff = client_for("city_staff")
    url = f"/projects/{project.pk}/act/"
    fake = SimpleUploadedFile("任务书.pdf", b"just text, not a pdf")
    refused = staff.post(url, {"action": "scan", "scan": fake})
    assert refused.status_code == 400
    assert "签署扫描件“任务书.pdf”不是 PDF 或图片" in refused.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.AGREEMENT and not project.signed_scan
    team = client_for("enterprise").post(
        url, {"action": "scan", "scan": SimpleUploadedFile("任务书.pdf", PDF)}
    )
    assert team.status_code == 403
    project.refresh_from_db()
    assert project.team_signature == "" and not project.signed_scan
    done = staff.post(url, {"action": "scan", "scan": SimpleUploadedFile("任务书.pdf", PDF)})
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.RUNNING and project.signed_scan.read() == PDF
    assert project.team_signature == "双方签署的纸质任务书扫描件"


def test_a_change_proposed_on_the_page_waits_for_the_city_and_keeps_its_history(
    client_for: Any, running: Any
) -> None:
    team, staff = client_for("enterprise"), client_for("city_staff")
    url = f"/projects/{running.pk}/act/"
    late = running.milestones.order_by("due_on").first()
    no_reason = team.post(url, {"action": "change", "kind": "dates", "ends_on": "2028-03-31"})
    assert no_reason.status_code == 400 and "请填写变更理由" in no_reason.content.decode()
    outside = team.post(
        url, {"action": "change", "kind": "dates", f"due_{late.pk}": "2029-01-01", "reason": "x"}
    )
    assert outside.status_code == 400
    assert "“完成涂层工艺验证”的新日期不在项目起止日期内" in outside.content.decode()
    assert ChangeRequest.objects.count() == 0
    team.post(
        url,
        {
            "action": "change",
            "kind": "dates",
            "ends_on": "2028-03-31",
            f"due_{late.pk}": "2026-09-30",
            "reason": "设备延期到货",
        },
    )
    change = ChangeRequest.objects.get()
    assert change.proposed == {"ends_on": "2028-03-31", "milestones": {str(late.pk): "2026-09-30"}}
    running.refresh_from_db()
    assert running.ends_on == dt.date(2027, 12, 31)  # nothing changes before approval
    refused = team.post(
        url, {"action": "decide_change", "change": change.pk, "approve": "1", "note": "同意"}
    )
    assert refused.status_code == 403
    no_note = staff.post(url, {"action": "decide_change", "change": change.pk, "approve": "1"})
    assert no_note.status_code == 400 and "请填写审批意见" in no_note.content.decode()
    staff.post(
        url, {"action": "decide_change", "change": change.pk, "approve": "1", "note": "同意"}
    )
    change.refresh_from_db()
    running.refresh_from_db()
    late.refresh_from_db()
    assert change.status == "approved" and change.before["ends_on"] == "2027-12-31"
    assert running.ends_on == dt.date(2028, 3, 31) and late.due_on == dt.date(2026, 9, 30)
    page = team.get(f"/projects/{running.pk}/").content.decode()
    assert "设备延期到货" in page and "已批准" in page and "2027-12-31" in page


def test_a_target_removed_by_the_page_form_only_after_approval(
    client_for: Any, running: Any
) -> None:
    team, staff = client_for("enterprise"), client_for("city_staff")
    url = f"/projects/{running.pk}/act/"
    life = running.targets.get()
    only_one = team.post(
        url, {"action": "change", "kind": "targets", f"remove_{life.pk}": "on", "reason": "调整"}
    )
    assert only_one.status_code == 400 and "变更后至少保留一项考核指标" in only_one.content.decode()
    team.post(
        url,
        {
            "action": "change",
            "kind": "targets",
            f"remove_{life.pk}": "on",
            "new_name": "涂层硬度",
            "new_unit": "HV",
            "new_value": "8000",
            "new_verification": "test_report",
            "reason": "用户需求变化",
        },
    )
    change = ChangeRequest.objects.get()
    assert Target.objects.filter(project=running, removed=False).count() == 1
    staff.post(
        url, {"action": "decide_change", "change": change.pk, "approve": "1", "note": "同意"}
    )
    assert [(t.name, t.target_value) for t in running.targets.filter(removed=False)] == [
        ("涂层硬度", Decimal(8000))
    ]
    life.refresh_from_db()
    assert life.removed


def test_outputs_registered_on_the_page_link_rows_within_the_users_view(
    client_for: Any, running: Any, patents: dict[str, Any]
) -> None:
    own, foreign = patents["own"], patents["foreign"]
    team = client_for("enterprise")
    url = f"/projects/{running.pk}/act/"
    theirs = team.post(
        url, {"action": "output", "kind": "patent", "title": "x", "link": foreign.pk}
    )
    assert theirs.status_code == 400 and "专利" in theirs.content.decode()
    bad_year = team.post(url, {"action": "output", "kind": "paper", "title": "x", "year": "20x6"})
    assert bad_year.status_code == 400
    assert "年份“20x6”应为 1990 到 2100 之间的四位数字" in bad_year.content.decode()
    assert Output.objects.count() == 0
    team.post(
        url,
        {
            "action": "output",
            "kind": "patent",
            "title": "涂层刀具专利",
            "link": own.pk,
            "year": "2026",
        },
    )
    team.post(
        url,
        {
            "action": "output",
            "kind": "paper",
            "title": "寿命研究",
            "year": "2027",
            "reference": "超硬材料工程",
        },
    )
    outputs = list(Output.objects.order_by("pk").values_list("kind", "patent", "year", "reference"))
    assert outputs == [("patent", own.pk, 2026, ""), ("paper", None, 2027, "超硬材料工程")]
    page = team.get(f"/projects/{running.pk}/").content.decode()
    assert "ZL202610000001.1" in page and "寿命研究" in page


def test_the_dashboard_by_chain_with_outputs_credited_and_its_word_export(
    users: dict[str, Any], client_for: Any, running: Any, orgs: dict[str, Any]
) -> None:
    chain = IndustryChain.objects.filter(parent__isnull=False).select_related("parent").first()
    orgs["wolong"].industry = chain
    orgs["wolong"].save()
    team = users["enterprise"]
    for kind, title, year in (
        ("paper", "论文甲", 2026),
        ("paper", "论文乙", 2027),
        ("product", "样机", 2026),
    ):
        services.add_output(team, running, {"kind": kind, "title": title, "year": year})
    staff = users["city_staff"]
    credited = selectors.outputs_credited(staff)
    kinds = credited["kinds"]
    assert [r["year"] for r in credited["rows"]] == [2026, 2027]
    first = dict(zip(kinds, credited["rows"][0]["counts"], strict=True))
    assert first["论文"] == 1 and first["新产品"] == 1 and credited["rows"][0]["total"] == 2
    assert credited["total"] == 3
    assert selectors.outputs_credited(users["institution"])["total"] == 0
    parent = chain.parent.name
    by_chain = selectors.status_by(staff, "chain")
    assert by_chain == [
        {
            "key": parent,
            "total": 1,
            "counts": [1 if s == "running" else 0 for s in ProjectStatus.values],
        }
    ]
    funds = selectors.funds_summary(staff, "chain")
    assert [(r["key"], r["projects"], r["committed"]) for r in funds] == [(parent, 1, Decimal(200))]
    page = client_for("city_staff").get("/projects/dashboard/").content.decode()
    assert 'data-testid="status-chain"' in page and parent in page
    assert 'data-testid="outputs-total">3<' in page
    document = Document(io.BytesIO(dashboard_docx(staff)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "南阳市科技计划项目看板" in text and "一、项目状态（按产业链）" in text
    chain_table = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert chain_table == [["产业链", "项目数", "实施中"], [parent, "1", "1"]]
    output_table = [[c.text for c in row.cells] for row in document.tables[4].rows]
    assert output_table[0][0] == "年份" and output_table[-1][0] == "合计"
    assert output_table[-1][-1] == "3" and [r[0] for r in output_table[1:-1]] == ["2026", "2027"]
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.top_margin.mm) == 37
    response = client_for("county_staff").get("/projects/dashboard.docx")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_a_race_merge_moves_the_targets_and_members_into_the_project_it_joins(
    users: dict[str, Any], client_for: Any, race: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    ours, theirs = race["projects"]
    cost = Target.objects.create(
        project=theirs,
        name="提取成本",
        unit="元/千克",
        target_value=Decimal(300),
        lower_is_better=True,
        verification="other",
        achieved=Decimal(280),
    )
    before = set(ours.team.values_list("pk", flat=True))
    gate = services.hold_gate(
        staff,
        ours.race,
        {
            "decisions": {
                str(ours.pk): {"decision": "continue", "reasons": "提取率领先"},
                str(theirs.pk): {
                    "decision": "merge",
                    "merged_into": ours.pk,
                    "reasons": "成本工艺互补",
                },
            }
        },
    )
    theirs.refresh_from_db()
    assert theirs.status == ProjectStatus.MERGED
    moved = ours.targets.get(name="提取成本")
    assert (moved.unit, moved.target_value, moved.lower_is_better, moved.achieved) == (
        "元/千克",
        Decimal(300),
        True,
        Decimal(280),
    )
    # the shared targets (提取率, 发明专利) are not doubled
    assert sorted(ours.targets.values_list("name", flat=True)) == ["发明专利", "提取成本", "提取率"]
    assert theirs.leader_id in set(ours.team.values_list("pk", flat=True)) - before
    decision = gate.decisions.get(project=theirs)
    assert decision.moved == {
        "from": theirs.pk,
        "into": ours.pk,
        "targets": [{"id": moved.pk, "from": cost.pk, "name": "提取成本", "unit": "元/千克"}],
        "team": [theirs.leader_id],
    }
    assert gate.decisions.get(project=ours).moved == {}
    page = client_for("institution").get(f"/projects/{theirs.pk}/").content.decode()
    assert "并入项目转入考核指标 1 项（提取成本）、团队成员 1 人" in page


def test_the_dashboard_word_export_renders_on_a4_with_numbers_unbroken(
    users: dict[str, Any], running: Any, tmp_path: Path
) -> None:
    services.add_output(
        users["enterprise"], running, {"kind": "paper", "title": "论文", "year": 2026}
    )
    content = dashboard_docx(users["city_staff"])
    reader = render_pdf(content, tmp_path, "dashboard")
    assert page_sizes(reader) == {A4_POINTS}
    assert split_numbers(content, reader) == []
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "—1—" in text.replace(" ", "")  # the page number between dashes (GB/T 9704 7.5)
