"""A 揭榜挂帅 project and a 赛马制 pair from award to closure through the services: the task
agreement, signatures, every tranche and its condition, spending under the negative list,
progress reports, the mid-term review by the programmes' experts, the stage gate, acceptance
with evidence, the panel's conclusion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.audit import AuditEntry
from kechuang.projects import services
from kechuang.projects.models import (
    ChangeRequest,
    ProjectStatus,
    Spending,
    Target,
    TrancheStatus,
)
from kechuang.projects.tests.conftest import PDF, expert_account

pytestmark = pytest.mark.django_db


def review_all(project: Any, stage: str, score: str) -> None:
    for review in project.reviews.filter(stage=stage):
        services.submit_project_review(
            expert_account(review.expert), review, {"score": score, "opinion": "进展符合任务书"}
        )


def test_the_agreement_takes_targets_team_budget_and_tranches_from_the_award(
    project: Any,
) -> None:
    assert project.status == ProjectStatus.AGREEMENT
    assert (project.city_funds, project.enterprise_funds, project.total_funds) == (
        Decimal(200),
        Decimal(100),
        Decimal(300),
    )
    assert [(t.name, t.unit, t.target_value) for t in project.targets.all()] == [
        ("刀具寿命", "小时", Decimal(500))
    ]
    assert [m.name for m in project.team.all()] == ["李成员"]
    tranches = [(t.number, t.share, t.amount, t.condition) for t in project.tranches.all()]
    assert tranches == [
        (1, Decimal(50), Decimal(100), "signing"),
        (2, Decimal(30), Decimal(60), "midterm"),
        (3, Decimal(20), Decimal(40), "acceptance"),
    ]


def test_a_tranche_before_its_condition_is_refused_and_nothing_is_paid(
    users: dict[str, Any], project: Any
) -> None:
    first = project.tranches.get(number=1)
    with pytest.raises(ValidationError, match=r"任务书签订后.*尚未满足"):
        services.pay_tranche(users["city_staff"], first)
    first.refresh_from_db()
    assert first.status == TrancheStatus.PENDING


def test_the_challenge_project_runs_from_award_to_acceptance(
    users: dict[str, Any], project: Any
) -> None:
    staff, team = users["city_staff"], users["enterprise"]
    services.sign(team, project)
    assert project.status == ProjectStatus.AGREEMENT  # one side only
    project = services.sign(staff, project)
    assert project.status == ProjectStatus.RUNNING and "电子签署" in project.team_signature
    services.pay_tranche(staff, project.tranches.get(number=1))
    second = project.tranches.get(number=2)
    with pytest.raises(ValidationError, match="中期评估通过后"):
        services.pay_tranche(staff, second)

    milestone = project.milestones.first()
    services.report_progress(
        team,
        project,
        {
            "period": "2026 上半年",
            "content": "完成涂层工艺",
            "milestone": milestone.pk,
            "milestone_done": True,
        },
    )
    milestone.refresh_from_db()
    assert milestone.done_on is not None

    reviews = services.assign_reviewers(staff, project, "midterm", 3)
    assert len(reviews) == 3
    assert all(r.expert.talent.organization_id != project.organization_id for r in reviews)
    review_all(project, "midterm", "75")
    project = services.conclude_midterm(staff, project)
    assert project.midterm == "passed"
    services.pay_tranche(staff, second)

    target = project.targets.get()
    acceptance = services.apply_for_acceptance(
        team,
        project,
        {
            "summary": "刀具寿命达到 520 小时",
            "evidence": {
                str(target.pk): {"content": PDF, "name": "寿命检测报告.pdf", "achieved": "520"}
            },
        },
    )
    assert (acceptance.completion, acceptance.suggested) == (Decimal(1), "passed")
    services.assign_reviewers(staff, project, "acceptance", 3)
    review_all(project, "acceptance", "88")
    acceptance = services.decide_acceptance(
        staff, acceptance, {"conclusion": "passed", "reasons": "全部指标完成"}
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.PASSED
    assert acceptance.certificate_number.startswith("NYKJ-YS-")
    services.pay_tranche(staff, project.tranches.get(number=3))
    paid = [t.status for t in project.tranches.all()]
    assert paid == ["paid", "paid", "paid"]


def test_evidence_that_is_not_what_its_name_says_is_refused(
    users: dict[str, Any], running: Any
) -> None:
    target = running.targets.get()
    with pytest.raises(ValidationError, match=r"刀具寿命.*名为 PDF 文件，但内容是"):
        services.apply_for_acceptance(
            users["enterprise"],
            running,
            {"summary": "x", "evidence": {str(target.pk): {"content": b"hello", "name": "a.pdf"}}},
        )
    running.refresh_from_db()
    assert running.status == ProjectStatus.RUNNING
    assert running.acceptances.count() == 0


def test_a_negative_list_hit_needs_an_explanation_and_is_kept_with_its_rule(
    users: dict[str, Any], running: Any
) -> None:
    team = users["enterprise"]
    items = [
        {"category": "设备费", "description": "涂层炉", "amount": "50", "spent_on": "2026-03-01"},
        {"category": "业务费", "description": "购置轿车", "amount": "20", "spent_on": "2026-03-02"},
    ]
    with pytest.raises(ValidationError, match="第 2 笔“购置轿车”命中负面清单“不得购置车辆”"):
        services.report_spending(team, running, items)
    assert Spending.objects.count() == 0
    items[1]["explanation"] = "误录，实为租用试验车辆，已退回"
    saved = services.report_spending(team, running, items)
    assert saved[0].hits == []
    assert [h["rule"] for h in saved[1].hits] == ["vehicle"]


def test_spending_over_the_budget_is_refused(users: dict[str, Any], running: Any) -> None:
    items = [
        {"category": "设备费", "description": "设备", "amount": "300.01", "spent_on": "2026-03-01"}
    ]
    with pytest.raises(ValidationError, match="合计超过项目总经费 300 万元"):
        services.report_spending(users["enterprise"], running, items)
    assert Spending.objects.count() == 0


def test_a_change_removing_a_target_waits_for_approval_and_keeps_its_history(
    users: dict[str, Any], running: Any
) -> None:
    target = running.targets.get()
    change = services.request_change(
        users["enterprise"],
        running,
        {
            "kind": "targets",
            "reason": "调整考核口径",
            "proposed": {
                "remove": [target.pk],
                "targets": [{"name": "刀具寿命（连续切削）", "unit": "小时", "value": "450"}],
            },
        },
    )
    assert Target.objects.filter(project=running, removed=False).count() == 1  # unchanged
    with pytest.raises(PermissionDenied):
        services.decide_change(users["enterprise"], change, True, "同意")
    services.decide_change(users["city_staff"], change, True, "同意调整")
    names = list(running.targets.filter(removed=False).values_list("name", flat=True))
    assert names == ["刀具寿命（连续切削）"]
    change = ChangeRequest.objects.get(pk=change.pk)
    assert change.before["targets"][0]["name"] == "刀具寿命"
    kind = ContentType.objects.get_for_model(ChangeRequest)
    actions = AuditEntry.objects.filter(content_type=kind, object_id=str(change.pk))
    assert actions.count() == 2  # requested, then approved


def test_a_failed_acceptance_gets_rectification_then_closure(
    users: dict[str, Any], running: Any
) -> None:
    staff, team = users["city_staff"], users["enterprise"]
    target = running.targets.get()
    evidence = {str(target.pk): {"content": PDF, "name": "检测.pdf", "achieved": "300"}}
    acceptance = services.apply_for_acceptance(
        team, running, {"summary": "未达标", "evidence": evidence}
    )
    assert (acceptance.completion, acceptance.suggested) == (Decimal("0.6"), "failed")
    services.decide_acceptance(
        staff,
        acceptance,
        {"conclusion": "failed", "reasons": "寿命未达标", "rectify_until": "2028-06-30"},
    )
    running.refresh_from_db()
    assert running.status == ProjectStatus.RECTIFICATION
    again = services.apply_for_acceptance(
        team, running, {"summary": "整改后仍未达标", "evidence": evidence}
    )
    services.decide_acceptance(
        staff, again, {"conclusion": "failed", "reasons": "整改期满仍未达标"}
    )
    running.refresh_from_db()
    assert running.status == ProjectStatus.FAILED
    assert running.tranches.filter(status=TrancheStatus.CANCELLED).count() == 3


def test_the_race_pair_runs_through_the_gate_to_closure(
    users: dict[str, Any], race: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    ours, theirs = race["projects"]
    assert ours.race == theirs.race and ours.race.endswith(":SM-01")
    assert [t.condition for t in ours.tranches.all()] == ["signing", "gate", "acceptance"]
    for p in (ours, theirs):
        services.pay_tranche(staff, p.tranches.get(number=1))
    rate, patents = ours.targets.order_by("pk")
    services.record_achieved(users["enterprise"], ours, {str(rate.pk): "85", str(patents.pk): "2"})
    rate2, patents2 = theirs.targets.order_by("pk")
    services.record_achieved(
        users["institution"], theirs, {str(rate2.pk): "60", str(patents2.pk): "1"}
    )
    with pytest.raises(ValidationError, match="请对每个团队作出决定"):
        services.hold_gate(
            staff,
            ours.race,
            {"decisions": {str(ours.pk): {"decision": "continue", "reasons": "领先"}}},
        )
    gate = services.hold_gate(
        staff,
        ours.race,
        {
            "decisions": {
                str(ours.pk): {"decision": "continue", "reasons": "提取率领先"},
                str(theirs.pk): {"decision": "stop", "reasons": "差距较大"},
            }
        },
    )
    # ours: (85/90 → 0.9444, 1) → 0.9722; theirs: (60/90 → 0.6666, 1/2 → 0.5) → 0.5833
    assert [(r["project"], r["completion"]) for r in gate.comparison] == [
        (ours.pk, "0.9722"),
        (theirs.pk, "0.5833"),
    ]
    theirs.refresh_from_db()
    assert theirs.status == ProjectStatus.STOPPED
    assert theirs.tranches.get(number=2).status == TrancheStatus.CANCELLED
    services.pay_tranche(staff, ours.tranches.get(number=2))
    evidence = {
        str(rate.pk): {"content": PDF, "name": "提取率检测.pdf", "achieved": "91"},
        str(patents.pk): {"content": PDF, "name": "专利证书.pdf"},
    }
    acceptance = services.apply_for_acceptance(
        users["enterprise"], ours, {"summary": "完成", "evidence": evidence}
    )
    assert acceptance.suggested == "passed"
    services.decide_acceptance(staff, acceptance, {"conclusion": "passed", "reasons": "达标"})
    services.pay_tranche(staff, ours.tranches.get(number=3))
    ours.refresh_from_db()
    assert ours.status == ProjectStatus.PASSED
    assert ours.tranches.filter(status=TrancheStatus.PAID).count() == 3


def test_a_team_cannot_report_on_another_organizations_project(
    users: dict[str, Any], running: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.report_progress(users["institution"], running, {"period": "x", "content": "y"})
    assert running.reports.count() == 0
