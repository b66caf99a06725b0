"""Fixtures of the programmes tests: a published 揭榜挂帅 call with one challenge, talents of
the applying organization, an expert pool of five (the `expert` user among them), and helpers
that take a bid through the workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MARKS = {"problem": 12, "route": 25, "targets": 16, "team": 12, "budget": 8, "impact": 7}


@pytest.fixture
def programme(users: dict[str, Any], orgs: dict[str, Any], make_org: Any) -> dict[str, Any]:
    from kechuang.programs import services
    from kechuang.registry.models import Talent

    staff = users["city_staff"]
    program = services.create_program(
        staff, {"name": "重大科技专项（测试）", "kind": "challenge", "year": 2026}
    )
    start = timezone.now() - dt.timedelta(days=3)
    call = services.create_call(
        staff,
        program,
        {
            "title": "2026 年揭榜挂帅（测试）",
            "mode": "challenge",
            "opens_at": start,
            "closes_at": start + dt.timedelta(days=30),
            "budget": "1000",
            "reviews_per_application": 3,
            "required_attachments": ["可行性研究报告"],
            "budget_categories": ["设备费", "业务费", "劳务费"],
        },
    )
    challenge = services.create_challenge(
        staff,
        call,
        {
            "code": "JB-01",
            "title": "超硬材料精密刀具（测试）",
            "problem": "金刚石刀具寿命不足",
            "targets": [{"name": "刀具寿命", "unit": "小时", "value": "500"}],
            "budget_cap": "300",
        },
    )
    services.set_call_status(staff, call, "published")
    challenge.refresh_from_db()
    own = orgs["wolong"]
    leader = Talent.objects.create(name="张负责", organization=own, expertise="超硬材料")
    member = Talent.objects.create(name="李成员", organization=own)
    outsider = Talent.objects.create(name="王外单位", organization=orgs["wancheng"])
    experts = []
    for i in range(5):
        home = make_org("宛城区", name=f"专家单位{i}（测试）")
        # Expert 0 (the `expert` user) fits the challenge best; 3 and 4 least.
        text = "金刚石刀具 涂层 寿命" if i == 0 else ("金刚石" if i < 3 else "中药")
        talent = Talent.objects.create(name=f"专家{i}", organization=home, expertise=text)
        user = users["expert"] if i == 0 else None
        experts.append(
            services.add_expert(staff, {"talent": talent.pk, "max_load": 5, "user": user})
        )
    return {
        "program": program,
        "call": call,
        "challenge": challenge,
        "leader": leader,
        "member": member,
        "outsider": outsider,
        "experts": experts,
    }


@pytest.fixture
def bid_data(programme: dict[str, Any]) -> dict[str, Any]:
    return {
        "challenge": programme["challenge"].pk,
        "title": "高寿命金刚石刀具揭榜方案（测试）",
        "summary": "采用新型涂层提升金刚石刀具寿命",
        "leader": programme["leader"].pk,
        "members": [programme["member"].pk],
        "requested": "200",
        "self_funding": "100",
        "budget": {"设备费": "150", "业务费": "100", "劳务费": "50"},
    }


@pytest.fixture
def submitted(
    users: dict[str, Any], programme: dict[str, Any], bid_data: dict[str, Any]
) -> Callable[..., Any]:
    """A bid of the 卧龙 enterprise, submitted (phase formal_check)."""
    from kechuang.programs import services

    def make(**extra: Any) -> Any:
        user = users["enterprise"]
        app = services.create_application(user, programme["call"], {**bid_data, **extra})
        services.add_attachment(user, app, "可行性研究报告", PDF, "可研报告.pdf")
        return services.transition(user, app, "submit")

    return make


@pytest.fixture
def in_review(users: dict[str, Any], submitted: Callable[..., Any]) -> Callable[..., Any]:
    """A bid past the formal check, reviewers assigned (phase review)."""
    from kechuang.programs import services

    def make(**extra: Any) -> Any:
        staff = users["city_staff"]
        app = services.transition(staff, submitted(**extra), "pass_check", "材料齐全")
        services.auto_assign(staff, app.call)
        return app

    return make
