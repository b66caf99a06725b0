"""Fixtures of the projects tests: the programmes' fixtures (a published 揭榜挂帅 call, the
expert pool), a helper that takes a bid from submission to award, a 赛马制 call whose one
challenge is awarded to two teams, and projects built from the awards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kechuang.programs.tests.conftest import (  # noqa: F401 (fixtures)
    MARKS,
    PDF,
    bid_data,
    in_review,
    programme,
    submitted,
)

DOCX_NAME = "检测报告.pdf"
START = dt.date(2026, 1, 1)
END = dt.date(2027, 12, 31)


def expert_account(expert: Any) -> Any:
    """The expert's user account, created (role expert) when the pool's expert has none."""
    from kechuang.accounts.models import User

    if expert.user is None:
        expert.user = User.objects.create(username=f"e{expert.pk}", role="expert")
        expert.save()
    return expert.user


def through_review(users: dict[str, Any], app: Any) -> Any:
    """A bid in review taken through every review (all "fund") and the defence, if its mode has
    one (揭榜挂帅; 赛马制 goes straight to the decision): ready for the decision."""
    from kechuang.programs import services

    staff = users["city_staff"]
    for assignment in app.assignments.all():
        services.submit_review(
            expert_account(assignment.expert),
            assignment,
            {"marks": MARKS, "comments": "可行", "recommendation": "fund"},
        )
    app = services.transition(staff, app, "close_review")
    if app.phase == "defence":
        services.record_defence(staff, app, {"panelist": "评委甲", "score": "85"})
        app = services.transition(staff, app, "close_defence")
    return app


def to_award(users: dict[str, Any], app: Any, amount: str = "200") -> Any:
    """A bid in review taken through every review, the defence and the decision to fund."""
    from kechuang.programs import services

    app = through_review(users, app)
    services.decide(
        users["city_staff"], app, {"funded": True, "amount": amount, "reasons": "评审排名第一"}
    )
    app.refresh_from_db()
    return app.award


def signed(users: dict[str, Any], project: Any, team: Any = None) -> Any:
    """The project's agreement signed by its team (default the 卧龙 enterprise's account), then
    by city staff: running."""
    from kechuang.projects import services

    services.sign(team or users["enterprise"], project)
    return services.sign(users["city_staff"], project)


@pytest.fixture
def awarded(users: dict[str, Any], in_review: Callable[..., Any]) -> Callable[..., Any]:  # noqa: F811
    def make(**extra: Any) -> Any:
        return to_award(users, in_review(**extra))

    return make


AGREEMENT = {
    "starts_on": "2026-01-01",
    "ends_on": "2027-12-31",
    "milestones": [
        {"title": "完成涂层工艺验证", "due_on": "2026-06-30"},
        {"title": "样机通过寿命测试", "due_on": "2027-06-30"},
    ],
}


@pytest.fixture
def project(users: dict[str, Any], awarded: Callable[..., Any]) -> Any:
    """A 揭榜挂帅 project of the 卧龙 enterprise (包干制), agreement created, not yet signed:
    city funds 200, self-funded 100; one target (刀具寿命 500 小时)."""
    from kechuang.projects import services

    return services.create_project(users["city_staff"], awarded(), {**AGREEMENT, "lump_sum": True})


@pytest.fixture
def running(users: dict[str, Any], project: Any) -> Any:
    return signed(users, project)


@pytest.fixture
def race(users: dict[str, Any], programme: dict[str, Any], orgs: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """A 赛马制 call whose challenge is awarded to two teams: the 卧龙 enterprise and the 卧龙
    institution; both projects created and signed."""
    from kechuang.programs import services
    from kechuang.projects import services as project_services
    from kechuang.registry.models import Talent

    staff = users["city_staff"]
    start = timezone.now() - dt.timedelta(days=3)
    call = services.create_call(
        staff,
        programme["program"],
        {
            "title": "2026 年赛马制（测试）",
            "mode": "horse_race",
            "opens_at": start,
            "closes_at": start + dt.timedelta(days=30),
            "budget": "1000",
            "max_awards": 2,
            "reviews_per_application": 2,
        },
    )
    challenge = services.create_challenge(
        staff,
        call,
        {
            "code": "SM-01",
            "title": "中药材有效成分提取（测试）",
            "problem": "提取率低",
            "targets": [
                {"name": "提取率", "unit": "%", "value": "90"},
                {"name": "发明专利", "unit": "件", "value": "2"},
            ],
            "budget_cap": "300",
        },
    )
    services.set_call_status(staff, call, "published")
    apps = []
    for role, org in (("enterprise", "wolong"), ("institution", "wolong_univ")):
        leader = Talent.objects.create(name=f"{role}负责人", organization=orgs[org])
        user = users[role]
        app = services.create_application(
            user,
            call,
            {
                "challenge": challenge.pk,
                "title": f"提取工艺赛马方案（{role}）",
                "summary": "中药 提取",
                "leader": leader.pk,
                "requested": "200",
            },
        )
        app = services.transition(user, app, "submit")
        apps.append((user, services.transition(staff, app, "pass_check", "齐全")))
    services.auto_assign(staff, call)
    projects = []
    for user, app in apps:
        award = to_award(users, app, "150")
        projects.append(
            signed(users, project_services.create_project(staff, award, AGREEMENT), user)
        )
    return {"call": call, "challenge": challenge, "projects": projects}


@pytest.fixture
def patents(orgs: dict[str, Any]) -> dict[str, Any]:
    """Two invention patents in the registry: "own" of the 卧龙 enterprise (the project team),
    "foreign" of the 宛城 organization."""
    from kechuang.registry.models import Patent

    return {
        key: Patent.objects.create(
            number=number,
            kind="invention",
            title=title,
            organization=orgs[org],
            application_date=dt.date(2026, 3, 1),
        )
        for key, number, title, org in (
            ("own", "ZL202610000001.1", "一种金刚石涂层刀具", "wolong"),
            ("foreign", "ZL202610000002.X", "他人专利", "wancheng"),
        )
    }
