"""The programmes' access matrix: every API operation and page, every role (the specification,
written out per role); writes refused to a role change nothing.

The setup: a published 揭榜挂帅 call of the city; bids of the 卧龙区 enterprise in every phase
(draft, formal check, review with the `expert` user assigned, defence, decision). 404 = outside
the caller's scope (the 卧龙 institution does not see the enterprise's bids; the expert sees
only what is assigned to them); 403 = visible but not the role's step; 401/302 = anonymous.
"""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.core.tests.permissions import ROLES, Row, check_row
from kechuang.programs.tests.conftest import MARKS

pytestmark = pytest.mark.django_db

GOVERNMENT = {"city_admin", "city_staff", "county_staff"}
CITY = {"city_admin", "city_staff"}
SELLERS = {"enterprise", "institution"}
SIGNED_IN = set(ROLES) - {"anonymous"}
EVERYONE = set(ROLES)


def only(allowed: set[str], ok: int, anonymous: int, others: int = 403) -> dict[str, int]:
    return {
        role: anonymous if role == "anonymous" else (ok if role in allowed else others)
        for role in ROLES
    }


def own_bid(ok: int, anonymous: int, expert: int = 404) -> dict[str, int]:
    """Reading a 卧龙 enterprise's bid: the city, 卧龙 county staff and the enterprise; the
    expert only when assigned to it."""
    return {**only(GOVERNMENT | {"enterprise"}, ok, anonymous, 404), "expert": expert}


def staff_step(ok: int, anonymous: int) -> dict[str, int]:
    """A city staff step on a 卧龙 bid: county staff and the enterprise see it but may not act
    (403); the institution and an unassigned expert do not see it (404)."""
    return {**only(CITY, ok, anonymous), "institution": 404, "expert": 404}


def _count_kept(model: str, ok_roles: set[str], key: str = "counts") -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.programs import models

        count = getattr(models, model).objects.count()
        wanted = context[key][model] + (1 if role in ok_roles else 0)
        assert count == wanted, f"{model} 数应为 {wanted}，实为 {count}"

    return check


def _grew(model: str, ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.programs import models

        count = getattr(models, model).objects.count()
        before = context["counts"][model]
        assert (count > before) == (role in ok_roles), f"{model} 数 {before} → {count}"

    return check


def _phase_kept(key: str, ok_phase: str, other: str, ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.programs.models import Application

        phase = Application.objects.get(pk=context[key]).phase
        wanted = ok_phase if role in ok_roles else other
        assert phase == wanted, f"环节应为 {wanted}，实为 {phase}"

    return check


def _call_status(ok_roles: set[str]) -> Any:
    def check(role: str, response: Any, context: dict[str, Any]) -> None:
        from kechuang.programs.models import Call

        status = Call.objects.get(pk=context["call"]).status
        wanted = "closed" if role in ok_roles else "published"
        assert status == wanted, f"批次状态应为 {wanted}，实为 {status}"

    return check


def _bid(context: dict[str, Any]) -> dict[str, Any]:
    return {
        "challenge": context["challenge"],
        "title": "揭榜方案（权限测试）",
        "summary": "技术路线",
        "requested": "100",
    }


def _workflow(context: dict[str, Any]) -> dict[str, Any]:
    return {"definition": context["definition"], "note": "改名"}


A = "/api/programs"
ROWS = [
    Row("GET", f"{A}/calls", only(EVERYONE, 200, 200)),
    Row(
        "POST",
        f"{A}/programs",
        only(CITY, 201, 401),
        body={"name": "前沿探索（权限测试）", "kind": "frontier", "year": 2026},
        check=_count_kept("Program", CITY),
    ),
    Row(
        "POST",
        f"{A}/programs/{{program}}/calls",
        only(CITY, 201, 401),
        body={
            "title": "第二批（权限测试）",
            "mode": "regular",
            "opens_at": "2026-01-01T00:00:00+08:00",
            "closes_at": "2026-03-01T00:00:00+08:00",
            "budget": "100",
        },
        check=_count_kept("Call", CITY),
    ),
    Row(
        "POST",
        f"{A}/calls/{{call}}/challenges",
        only(CITY, 201, 401),
        body={
            "code": "JB-99",
            "title": "新榜单",
            "problem": "难题",
            "targets": [{"name": "效率", "unit": "%", "value": "90"}],
            "budget_cap": "100",
        },
        check=_count_kept("Challenge", CITY),
    ),
    Row("GET", f"{A}/calls/{{call}}", only(EVERYONE, 200, 200)),
    Row("GET", f"{A}/challenges", only(EVERYONE, 200, 200)),
    Row("GET", f"{A}/awards", only(EVERYONE, 200, 200)),
    Row(
        "POST",
        f"{A}/calls/{{call}}/applications",
        only(SELLERS, 201, 401),
        body=_bid,
        name="POST bid",
        check=_count_kept("Application", SELLERS),
    ),
    Row("GET", f"{A}/applications", only(SIGNED_IN, 200, 401)),
    Row("GET", f"{A}/applications/{{draft}}", own_bid(200, 401), name="GET draft bid"),
    Row(
        "GET",
        f"{A}/applications/{{review}}",
        own_bid(200, 401, expert=200),
        name="GET assigned bid",
    ),
    Row(
        "POST",
        f"{A}/applications/{{draft}}/attachments",
        {**only({"enterprise"}, 201, 401), "institution": 404, "expert": 404},
        body={"kind": "可行性研究报告", "file_name": "可研.pdf", "file_base64": "JVBERi0xLjQ="},
        check=_count_kept("ApplicationAttachment", {"enterprise"}),
    ),
    Row(
        "POST",
        f"{A}/applications/{{formal}}/transition",
        staff_step(200, 401),
        body={"transition": "pass_check", "note": "齐全"},
        check=_phase_kept("formal", "review", "formal_check", CITY),
    ),
    Row(
        "POST",
        f"{A}/calls/{{call}}/assign",
        only(CITY, 200, 401),
        body={},
        check=_grew("Assignment", CITY),
    ),
    Row("GET", f"{A}/calls/{{call}}/ranking", only(GOVERNMENT, 200, 401)),
    Row(
        "POST",
        f"{A}/calls/{{call}}/status",
        only(CITY, 200, 401),
        body={"status": "closed"},
        check=_call_status(CITY),
    ),
    Row(
        "POST",
        f"{A}/applications/{{review}}/assignments",
        only(CITY, 201, 401),
        body={"expert": "{spare_expert}"},
        check=_count_kept("Assignment", CITY),
    ),
    Row(
        "POST",
        f"{A}/applications/{{defence}}/defence",
        only(CITY, 201, 401),
        body={"panelist": "评委", "score": "85"},
        check=_count_kept("DefenceScore", CITY),
    ),
    Row(
        "POST",
        f"{A}/applications/{{decision}}/decision",
        only(CITY, 200, 401),
        body={"funded": True, "amount": "50", "reasons": "排名第一"},
        check=_count_kept("Award", CITY),
    ),
    Row("GET", f"{A}/assignments", only({"expert"}, 200, 401)),
    Row(
        "POST",
        f"{A}/assignments/{{mine}}/review",
        only({"expert"}, 201, 401),
        body={"marks": MARKS, "comments": "可行", "recommendation": "fund"},
        check=_count_kept("Review", {"expert"}),
    ),
    Row(
        "POST",
        f"{A}/assignments/{{mine}}/decline",
        only({"expert"}, 200, 401),
        body={"reason": "与负责人同一课题组", "conflict": True},
    ),
    Row("GET", f"{A}/workflows", only(GOVERNMENT, 200, 401)),
    Row(
        "POST",
        f"{A}/workflows/challenge/versions",
        only({"city_admin"}, 201, 401),
        body=_workflow,
        check=_count_kept("WorkflowVersion", {"city_admin"}),
    ),
    # pages
    Row("GET", "/programs/", only(EVERYONE, 200, 200)),
    Row("GET", "/programs/results/", only(EVERYONE, 200, 200)),
    Row("GET", "/programs/calls/{call}/", only(EVERYONE, 200, 200)),
    Row("GET", "/programs/calls/{call}/apply/", only(SELLERS, 200, 302)),
    Row(
        "POST",
        "/programs/calls/{call}/assign/",
        only(CITY, 200, 302),
        body={},
        check=_grew("Assignment", CITY),
    ),
    Row("GET", "/programs/calls/{call}/ranking/", only(GOVERNMENT, 200, 302)),
    Row(
        "POST",
        "/programs/calls/{call}/status/",
        only(CITY, 302, 302),
        body={"status": "closed"},
        check=_call_status(CITY),
    ),
    Row("GET", "/programs/calls/{call}/results.docx", only(GOVERNMENT, 200, 302)),
    Row("GET", "/programs/applications/", only(SIGNED_IN, 200, 302)),
    Row("GET", "/programs/applications/{draft}/", own_bid(200, 302), name="draft bid page"),
    Row(
        "GET",
        "/programs/applications/{review}/",
        own_bid(200, 302, expert=200),
        name="assigned bid page",
    ),
    Row(
        "POST",
        "/programs/applications/{formal}/act/",
        staff_step(302, 302),
        body={"action": "transition", "transition": "pass_check", "note": "齐全"},
        name="formal check on the page",
        check=_phase_kept("formal", "review", "formal_check", CITY),
    ),
    Row("GET", "/programs/workbench/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/programs/reviews/", only({"expert"}, 200, 302)),
    Row("GET", "/programs/reviews/{mine}/", only({"expert"}, 200, 302)),
    Row("GET", "/programs/workflows/", only(GOVERNMENT, 200, 302)),
    Row("GET", "/programs/workflows/challenge/", only({"city_admin"}, 200, 302)),
]


@pytest.fixture
def context(
    users: dict[str, Any], programme: dict[str, Any], submitted: Any, in_review: Any
) -> dict[str, Any]:
    from kechuang.programs import models, services
    from kechuang.programs.engine.builtin import challenge
    from kechuang.registry.models import Talent

    staff = users["city_staff"]
    call = programme["call"]
    draft = services.create_application(
        users["enterprise"],
        call,
        {
            "challenge": programme["challenge"].pk,
            "title": "草稿",
            "summary": "x",
            "requested": "10",
        },
    )
    formal = submitted(title="形式审查中")
    review = in_review(title="评审中")
    defence = in_review(title="答辩中")
    decision = in_review(title="待决定")
    for app in (defence, decision):
        for assignment in app.assignments.all():
            user = assignment.expert.user
            if user is None:
                from kechuang.accounts.models import User

                user = User.objects.create(username=f"e{assignment.expert_id}", role="expert")
                assignment.expert.user = user
                assignment.expert.save()
            services.submit_review(
                user, assignment, {"marks": MARKS, "comments": "可", "recommendation": "fund"}
            )
        services.transition(staff, app, "close_review")
    services.record_defence(staff, decision, {"panelist": "评委", "score": "80"})
    services.transition(staff, decision, "close_defence")
    spare = Talent.objects.create(
        name="备用专家", organization=programme["experts"][4].talent.organization
    )
    spare_expert = services.add_expert(staff, {"talent": spare.pk})
    # A new application in review still lacking reviewers, for the automatic assignment.
    services.transition(staff, submitted(title="待分配"), "pass_check", "齐全")
    definition = challenge()
    definition["stages"][2]["phases"][1]["name"] = "现场答辩"
    mine = review.assignments.get(expert__user=users["expert"])
    return {
        "call": call.pk,
        "program": programme["program"].pk,
        "challenge": programme["challenge"].pk,
        "draft": draft.pk,
        "formal": formal.pk,
        "review": review.pk,
        "defence": defence.pk,
        "decision": decision.pk,
        "mine": mine.pk,
        "spare_expert": spare_expert.pk,
        "definition": definition,
        "counts": {
            name: getattr(models, name).objects.count()
            for name in (
                "Program",
                "Call",
                "Challenge",
                "Application",
                "ApplicationAttachment",
                "Assignment",
                "DefenceScore",
                "Award",
                "Review",
                "WorkflowVersion",
            )
        },
    }


@pytest.mark.parametrize("r", ROWS, ids=Row.label)
def test_programs_access(client_for: Any, context: dict[str, Any], r: Row) -> None:
    check_row(client_for, context, r)
