"""The demo programmes: every built-in workflow's phases occur, the assignments respect recusal
and load limits, awards exist for the 揭榜挂帅 and 赛马制 calls, everything labelled 演示数据."""

from __future__ import annotations

import pytest

from kechuang.programs import services
from kechuang.programs.engine.assignment import recusal_reasons
from kechuang.programs.models import Application, Assignment, Award, Call, Expert
from kechuang.programs.synthetic import link_demo_expert, write_demo_programs
from kechuang.registry.synthetic.writer import write_ecosystem

pytestmark = pytest.mark.django_db


def test_demo_programmes(make_user: object) -> None:
    write_ecosystem(0.05, 5)
    report = write_demo_programs(7)
    assert report.calls == 3 and report.applications == 21
    apps = Application.objects.all()
    assert all(a.title.endswith("（演示）") and a.is_demo for a in apps)
    phases = set(apps.values_list("phase", flat=True))
    assert phases == {"draft", "formal_check", "review", "decision", "awarded", "not_funded"}
    race = Call.objects.get(mode="horse_race")
    assert Award.objects.filter(application__call=race).count() == 2
    assert Award.objects.filter(application__call__mode="challenge").count() == 1
    for assignment in Assignment.objects.select_related("application__call", "expert"):
        app = services.engine_application(assignment.application)
        expert = services.engine_experts([assignment.expert], assignment.application.call)[0]
        assert recusal_reasons(app, expert) == []
    for expert in Expert.objects.all():
        for call in Call.objects.all():
            count = Assignment.objects.filter(expert=expert, application__call=call).count()
            assert count <= expert.max_load
    user = make_user("expert", "demo_expert")  # type: ignore[operator]
    linked = link_demo_expert(user)
    assert linked is not None and linked.assignments.filter(status="assigned").exists()
    assert report.summary().startswith("演示科技计划：3 个批次、21 项申报")


def test_load_demo_loads_the_programmes_once_and_links_the_expert(monkeypatch: object) -> None:
    from django.core.management import call_command

    from kechuang.site.management.commands import load_demo

    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")  # type: ignore[attr-defined]
    call_command("load_demo", scale=0.05, seed=5)
    count = Application.objects.count()
    # 21 of the programmes' demo, 4 awarded bids of the projects' 2024 demo call
    assert count == 21 + 4
    assert Application.objects.exclude(call__program__year=2024).count() == 21
    assert Expert.objects.get(user__username="expert").assignments.exists()
    call_command("load_demo", scale=0.05, seed=5)
    assert Application.objects.count() == count
