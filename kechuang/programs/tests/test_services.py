"""The programmes services: a 揭榜挂帅 bid from publication to award through the workflow, and
each bad input of issue 14 refused with its rule, nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.programs import selectors, services
from kechuang.programs.models import (
    Application,
    Assignment,
    AssignmentStatus,
    Award,
    PhaseChange,
    Review,
)
from kechuang.programs.tests.conftest import MARKS, PDF

pytestmark = pytest.mark.django_db


def review_all(app: Any, users: dict[str, Any], totals: list[int] | None = None) -> None:
    for i, assignment in enumerate(app.assignments.all()):
        expert_user = assignment.expert.user
        if expert_user is None:  # the pool's other experts: give them accounts
            from kechuang.accounts.models import User

            expert_user = User.objects.create(username=f"x{assignment.expert_id}", role="expert")
            assignment.expert.user = expert_user
            assignment.expert.save()
        marks = dict(MARKS)
        if totals:
            marks["route"] = totals[i]
        services.submit_review(
            expert_user,
            assignment,
            {"marks": marks, "comments": "方案可行", "recommendation": "fund"},
        )


def test_challenge_bid_runs_from_publication_to_award(
    users: dict[str, Any], programme: dict[str, Any], in_review: Any
) -> None:
    staff = users["city_staff"]
    app = in_review()
    assert app.phase == "review"
    assert app.assignments.count() == 3  # reviews_per_application
    review_all(app, users)
    app = services.transition(staff, app, "close_review")
    assert app.phase == "defence"
    services.record_defence(staff, app, {"panelist": "评委甲", "score": "88"})
    app = services.transition(staff, app, "close_defence")
    assert app.phase == "decision"
    app = services.decide(
        staff, app, {"funded": True, "amount": "180", "reasons": "评审与答辩排名第一"}
    )
    assert app.phase == "awarded"
    award = Award.objects.get(application=app)
    assert award.amount == Decimal(180) and award.rank == 1 and not award.published
    programme["challenge"].refresh_from_db()
    assert programme["challenge"].status == "awarded"
    services.set_call_status(staff, app.call, "closed")
    services.set_call_status(staff, app.call, "results")
    award.refresh_from_db()
    assert award.published
    assert list(selectors.public_awards()) == [award]
    history = list(PhaseChange.objects.filter(application=app).values_list("transition", flat=True))
    assert history == ["submit", "pass_check", "close_review", "close_defence", "award"]
    assert app.revisions.get(number=1).content["申请财政经费"] == "200"


def test_guard_all_reviews_in(users: dict[str, Any], in_review: Any) -> None:
    app = in_review()
    with pytest.raises(ValidationError) as caught:
        services.transition(users["city_staff"], app, "close_review")
    assert "评审意见已全部提交" in str(caught.value)
    assert Application.objects.get(pk=app.pk).phase == "review"


def test_after_the_deadline_nothing_changes(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    user = users["enterprise"]
    app = services.create_application(user, programme["call"], bid_data)
    services.add_attachment(user, app, "可行性研究报告", PDF, "可研报告.pdf")
    call = programme["call"]
    call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    with pytest.raises(ValidationError) as caught:
        services.transition(user, app, "submit")
    assert "已过申报截止时间" in str(caught.value)
    app.refresh_from_db()
    assert app.phase == "draft" and app.submitted_at is None and app.revisions.count() == 0


def test_ineligible_organization_gets_the_reason(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    call = programme["call"]
    call.eligibility = [{"rule": "qualification", "kind": "HNTE"}]
    call.save()
    user = users["enterprise"]
    app = services.create_application(user, call, bid_data)
    services.add_attachment(user, app, "可行性研究报告", PDF, "可研报告.pdf")
    with pytest.raises(ValidationError) as caught:
        services.transition(user, app, "submit")
    assert "须持有有效的高新技术企业资质" in caught.value.message_dict["eligibility"][0]
    assert Application.objects.get(pk=app.pk).phase == "draft"


def test_budget_above_cap_and_not_summing(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    user = users["enterprise"]
    with pytest.raises(ValidationError) as caught:
        services.create_application(
            user, programme["call"], {**bid_data, "budget": {"设备费": "10"}}
        )
    assert "各预算科目合计 10 万元" in caught.value.message_dict["budget"][0]
    assert Application.objects.count() == 0
    big = {**bid_data, "requested": "400", "budget": {"设备费": "500"}}
    app = services.create_application(user, programme["call"], big)
    services.add_attachment(user, app, "可行性研究报告", PDF, "可研报告.pdf")
    with pytest.raises(ValidationError) as caught:
        services.transition(user, app, "submit")
    assert caught.value.message_dict["requested"] == [
        "申请财政经费 400 万元超过榜单上限 300 万元。"
    ]


def test_member_from_another_organization_is_unknown(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_application(
            users["enterprise"],
            programme["call"],
            {**bid_data, "members": [programme["outsider"].pk]},
        )
    assert "members" in caught.value.message_dict
    assert Application.objects.count() == 0


def test_attachment_that_is_not_what_its_name_says(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> None:
    user = users["enterprise"]
    app = services.create_application(user, programme["call"], bid_data)
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(user, app, "可行性研究报告", b"\x89PNG\r\n\x1a\n..", "可研.pdf")
    assert "名为 PDF 文件" in str(caught.value)
    assert app.attachments.count() == 0


def test_review_score_out_of_range(users: dict[str, Any], in_review: Any) -> None:
    app = in_review()
    assignment = app.assignments.get(expert__user=users["expert"])
    with pytest.raises(ValidationError) as caught:
        services.submit_review(
            users["expert"],
            assignment,
            {"marks": {**MARKS, "route": 31}, "comments": "x", "recommendation": "fund"},
        )
    assert caught.value.message_dict["route"] == [
        "评审指标“技术路线的创新性与可行性”的得分 31 超出范围：应在 0 到 30 分之间。"
    ]
    assert Review.objects.count() == 0


def test_manual_assignment_breaking_recusal(
    users: dict[str, Any], programme: dict[str, Any], submitted: Any, orgs: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    app = services.transition(staff, submitted(), "pass_check", "齐全")
    from kechuang.registry.models import Talent

    colleague = Talent.objects.create(name="同单位专家", organization=orgs["wolong"])
    expert = services.add_expert(staff, {"talent": colleague.pk})
    with pytest.raises(ValidationError) as caught:
        services.assign_manually(staff, app, expert)
    assert "回避：本单位" in str(caught.value)
    collaborator = programme["experts"][1]
    collaborator.collaborators.add(programme["member"])
    with pytest.raises(ValidationError, match="回避：合作关系"):
        services.assign_manually(staff, app, collaborator)
    assert Assignment.objects.filter(application=app).count() == 0
    ok = services.assign_manually(staff, app, programme["experts"][2])
    assert ok.manual


def test_expert_sees_only_assigned_and_declares_conflict(
    users: dict[str, Any], in_review: Any, programme: dict[str, Any]
) -> None:
    app = in_review()
    expert = users["expert"]
    assert list(selectors.applications_for(expert)) == [app]
    other = Application.objects.create(
        call=app.call, organization=app.organization, title="别的", summary="x", phase="draft"
    )
    assert other not in selectors.applications_for(expert)
    assignment = app.assignments.get(expert__user=expert)
    services.decline(expert, assignment, "与申报单位负责人曾同一课题组", conflict=True)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    services.auto_assign(users["city_staff"], app.call)  # a replacement, never the same expert
    active = selectors.active_assignments(app)
    assert active.count() == 3 and not active.filter(expert__user=expert).exists()
    with pytest.raises(PermissionDenied):
        services.decline(users["enterprise"], assignment, "x")


def test_editing_a_workflow_never_strands_running_calls(
    users: dict[str, Any], programme: dict[str, Any], submitted: Any
) -> None:
    from kechuang.programs.engine.builtin import challenge
    from kechuang.programs.models import Workflow

    app = submitted()
    workflow = Workflow.objects.get(code="challenge")
    definition = challenge()
    definition["stages"][2]["phases"][1]["name"] = "现场答辩"
    version = services.save_workflow_version(users["city_admin"], workflow, definition, "改名")
    assert version.number == 2
    assert app.call.workflow_version.number == 1  # the running call keeps its version
    new_call = services.create_call(
        users["city_staff"],
        programme["program"],
        {
            "title": "第二批",
            "mode": "challenge",
            "opens_at": timezone.now(),
            "closes_at": timezone.now() + dt.timedelta(days=5),
            "budget": "10",
        },
    )
    assert new_call.workflow_version == version
    with pytest.raises(PermissionDenied):
        services.save_workflow_version(users["city_staff"], workflow, definition)
    dropped = challenge()
    dropped["stages"][2]["phases"].pop(1)
    dropped["stages"][2]["phases"][0]["transitions"][0]["to"] = "decision"
    with pytest.raises(ValidationError, match="环节编码必须保持稳定"):
        services.save_workflow_version(users["city_admin"], workflow, dropped)
    assert workflow.versions.count() == 2


def test_horse_race_awards_several_and_respects_the_cap(
    users: dict[str, Any], programme: dict[str, Any], in_review: Any
) -> None:
    staff = users["city_staff"]
    call = programme["call"]
    call.max_awards = 2
    call.save()
    apps = [in_review(title=f"团队{i}") for i in range(3)]
    for app in apps:
        review_all(app, users)
        services.transition(staff, app, "close_review")
        services.record_defence(staff, app, {"panelist": "评委", "score": "80"})
        services.transition(staff, app, "close_defence")
    services.decide(staff, apps[0], {"funded": True, "amount": "100", "reasons": "第一"})
    services.decide(staff, apps[1], {"funded": True, "amount": "100", "reasons": "第二"})
    with pytest.raises(ValidationError, match="最多立项 2 项"):
        services.decide(staff, apps[2], {"funded": True, "amount": "100", "reasons": "第三"})
    assert Award.objects.count() == 2
    apps[2].refresh_from_db()
    assert apps[2].phase == "decision"


def test_award_without_amount_names_the_field(
    users: dict[str, Any], programme: dict[str, Any], in_review: Any
) -> None:
    staff = users["city_staff"]
    app = in_review()
    review_all(app, users)
    services.transition(staff, app, "close_review")
    services.record_defence(staff, app, {"panelist": "评委", "score": "80"})
    services.transition(staff, app, "close_defence")
    with pytest.raises(ValidationError) as caught:
        services.decide(staff, app, {"funded": True, "reasons": "第一"})
    assert caught.value.message_dict == {"amount": ["请填写立项经费（万元）。"]}
    with pytest.raises(ValidationError, match="立项经费 301 万元超过申请财政经费 200 万元"):
        services.decide(staff, app, {"funded": True, "amount": "301", "reasons": "第一"})
    app.refresh_from_db()
    assert app.phase == "decision" and not Award.objects.exists()
