"""The demo projects: the demo's awards become projects at every stage — a 包干制 project with
a negative-list hit, a 赛马制 pair at its gate, one accepted (public), one failed, one in
acceptance, one unsigned — all labelled 演示数据."""

from __future__ import annotations

from typing import Any

import pytest

from kechuang.programs.synthetic import write_demo_programs
from kechuang.projects import selectors
from kechuang.projects.models import Project, Spending
from kechuang.projects.synthetic import write_demo_projects
from kechuang.registry.synthetic.writer import write_ecosystem

pytestmark = pytest.mark.django_db


def test_demo_projects_cover_every_stage(users: dict[str, Any]) -> None:
    write_ecosystem(0.05, 5)
    write_demo_programs(7)
    report = write_demo_projects(users["city_staff"])
    projects = Project.objects.all()
    assert report.projects == projects.count() == 7
    assert all(p.is_demo and p.title.endswith("（演示）") for p in projects)
    statuses = sorted(projects.values_list("status", flat=True))
    assert statuses == [
        "acceptance",
        "agreement",
        "failed",
        "passed",
        "running",
        "running",
        "running",
    ]
    race = projects.exclude(race="").filter(mode="horse_race")
    assert race.count() == 2 and len({p.race for p in race}) == 1
    hit = Spending.objects.exclude(hits=[]).get()
    assert hit.hits[0]["rule"] == "vehicle" and hit.explanation
    assert sorted(p.status for p in selectors.public_results()) == ["failed", "passed"]
    assert selectors.overdue_milestones(users["city_staff"]).count() == 1
    assert report.summary() == "科技项目演示数据：7 个项目（演示数据）。"


def test_replacing_the_demo_registry_removes_the_demo_projects(users: dict[str, Any]) -> None:
    from django.core.management import call_command

    write_ecosystem(0.05, 5)
    write_demo_programs(7)
    write_demo_projects(users["city_staff"])
    assert Project.objects.exists()
    call_command("generate_demo", scale=0.05, seed=5, replace=True)
    assert not Project.objects.exists()
    assert not Spending.objects.exists()
