"""The projects' demo data (演示数据): the demo's awarded applications become projects at every
stage, and an earlier demo call (2024, results published) adds the closed ones:

- the 揭榜挂帅 award: a 包干制 project running, one spending item hitting the negative list
  (explained), its first milestone overdue;
- the 赛马制 pair: both running at their stage gate, achieved values recorded, not yet decided;
- the 2024 call: a project accepted (通过验收, with outputs, public), one that failed
  acceptance (closed), one in acceptance with its checklist, one with its agreement unsigned.

City-side steps go through the services (the `city_staff` demo account); the team's entries
(signature, spending, achieved values, acceptance application) are written directly, as a team
would have entered them, with the negative list and the completion computed by the engines.
Deterministic; every row is_demo and titled “（演示）”."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kechuang.programs.models import (
    Application,
    Award,
    Call,
    CallMode,
    CallStatus,
    Challenge,
    ChallengeStatus,
    Program,
    ProgramKind,
    Workflow,
)
from kechuang.projects import services
from kechuang.projects.engine import completion
from kechuang.projects.models import (
    Acceptance,
    Output,
    OutputKind,
    Project,
    ProjectStatus,
    Spending,
)
from kechuang.registry.models import Organization, OrganizationKind

DEMO = "（演示）"
EARLIER = [
    ("JB-2024-01", "艾草精油高效提取（演示）", [("提取率", "%", "3.5"), ("新产品", "项", "2")]),
    ("JB-2024-02", "防爆电机能效提升（演示）", [("能效等级", "级", "≤1"), ("发明专利", "件", "3")]),
    (
        "JB-2024-03",
        "玉雕数控加工（演示）",
        [("加工精度", "mm", "≤0.05"), ("销售收入", "万元", "500")],
    ),
    ("JB-2024-04", "食用菌智能温控（演示）", [("增产率", "%", "15"), ("示范基地", "个", "3")]),
]


@dataclass
class DemoReport:
    projects: int = 0

    def summary(self) -> str:
        return f"科技项目演示数据：{self.projects} 个项目（演示数据）。"


def demo_project_count() -> int:
    return Project.objects.filter(is_demo=True).count()


def _team_sign(staff: Any, project: Project) -> Project:
    project.team_signature = f"{project.organization.name} 电子签署（演示数据）"
    project.save()
    return services.sign(staff, project)


def _earlier_awards() -> list[Award]:
    """A 2024 揭榜挂帅 call with four challenges, each awarded to one demo enterprise."""
    program = Program.objects.create(
        name=f"科技攻关（揭榜挂帅）{DEMO}", kind=ProgramKind.CHALLENGE, year=2024, is_demo=True
    )
    start = timezone.now() - dt.timedelta(days=800)
    call = Call.objects.create(
        program=program,
        title=f"2024 年度揭榜挂帅{DEMO}",
        mode=CallMode.CHALLENGE,
        workflow_version=Workflow.objects.get(code="challenge").latest,
        opens_at=start,
        closes_at=start + dt.timedelta(days=30),
        budget=Decimal(2000),
        status=CallStatus.RESULTS,
        is_demo=True,
    )
    orgs = (
        Organization.objects.filter(is_demo=True, kind=OrganizationKind.ENTERPRISE)
        .annotate(n=Count("talents"))
        .filter(n__gte=2)
        .order_by("-pk")[:4]
    )
    awards = []
    for (code, title, targets), org in zip(EARLIER, orgs, strict=False):
        challenge = Challenge.objects.create(
            call=call,
            code=code,
            title=title,
            problem="面向本市产业链的关键技术需求。",
            targets=[{"name": n, "unit": u, "value": v} for n, u, v in targets],
            budget_cap=Decimal(300),
            co_funding=Decimal(100),
            status=ChallengeStatus.AWARDED,
            is_demo=True,
        )
        people = list(org.talents.order_by("pk")[:3])
        app = Application.objects.create(
            call=call,
            challenge=challenge,
            organization=org,
            title=f"{org.name[:12]}·{title.removesuffix(DEMO)}揭榜方案{DEMO}",
            summary="采用新工艺路线，完成中试并在本市产业链应用。",
            leader=people[0],
            requested=Decimal(300),
            self_funding=Decimal(150),
            phase="awarded",
            is_demo=True,
        )
        app.members.set(people[1:])
        awards.append(
            Award.objects.create(
                application=app,
                amount=Decimal(300),
                reasons="评审排名第 1，予以立项。",
                decided_on=dt.date(2024, 6, 30),
                rank=1,
                published=True,
                is_demo=True,
            )
        )
    return awards


def _achieve(project: Project, shares: list[Decimal]) -> None:
    for target, share in zip(project.targets.order_by("pk"), shares, strict=False):
        if target.lower_is_better:
            target.achieved = (target.target_value / share).quantize(Decimal("0.01"))
        else:
            target.achieved = (target.target_value * share).quantize(Decimal("0.01"))
        target.evidence_name = f"{target.name}佐证材料.pdf"
        target.evidence_kind = "pdf"
        target.save()


def _apply(project: Project) -> Acceptance:
    result = completion.checklist(services.target_rows(project))
    acceptance = Acceptance.objects.create(
        project=project,
        summary="项目按任务书完成研发、中试和示范应用（演示数据）。",
        checklist=[line.to_dict() for line in result.lines],
        completion=result.completion,
        suggested=result.suggested,
    )
    project.status = ProjectStatus.ACCEPTANCE
    project.save()
    return acceptance


def _closed(staff: Any, award: Award, shares: list[Decimal], conclusion: str) -> Project:
    project = services.create_project(
        staff, award, {"starts_on": "2024-07-01", "ends_on": "2026-06-30", "lump_sum": True}
    )
    project = _team_sign(staff, project)
    services.pay_tranche(staff, project.tranches.get(number=1), dt.date(2024, 7, 15))
    project.midterm = "passed"
    project.save()
    services.pay_tranche(staff, project.tranches.get(number=2), dt.date(2025, 7, 15))
    _achieve(project, shares)
    reasons = {
        "passed": "各项考核指标均已完成，同意通过验收。",
        "failed": "主要考核指标完成不足六成，且整改期满仍未达到，不予通过。",
    }[conclusion]
    services.decide_acceptance(
        staff, _apply(project), {"conclusion": conclusion, "reasons": reasons}
    )
    return project


def _running_challenge(staff: Any, award: Award) -> Project:
    today = timezone.localdate()
    project = services.create_project(
        staff,
        award,
        {
            "starts_on": (today - dt.timedelta(days=200)).isoformat(),
            "ends_on": (today + dt.timedelta(days=530)).isoformat(),
            "lump_sum": True,
            "milestones": [
                {
                    "title": "完成工艺路线验证",
                    "due_on": (today - dt.timedelta(days=20)).isoformat(),
                },
                {"title": "完成中试", "due_on": (today + dt.timedelta(days=300)).isoformat()},
            ],
        },
    )
    project = _team_sign(staff, project)
    services.pay_tranche(staff, project.tranches.get(number=1))
    rows = [
        {
            "category": "设备费",
            "description": "高温高压合成设备改造",
            "amount": Decimal(120),
            "spent_on": today - dt.timedelta(days=90),
            "explanation": "",
        },
        {
            "category": "业务费",
            "description": "购置试验用越野车一辆",
            "amount": Decimal(28),
            "spent_on": today - dt.timedelta(days=60),
            "explanation": "用于野外取样，已申请改为租赁并退回车辆款（演示数据）",
        },
    ]
    hits = {int(h.item): h.to_dict() for h in services.check_spending(project, rows)}
    for i, row in enumerate(rows):
        Spending.objects.create(project=project, hits=[hits[i]] if i in hits else [], **row)
    return project


def _race(staff: Any, awards: list[Award]) -> list[Project]:
    today = timezone.localdate()
    projects = []
    for award, shares in zip(
        awards, ([Decimal("0.9"), Decimal("0.8")], [Decimal("0.6"), Decimal("0.7")]), strict=False
    ):
        project = services.create_project(
            staff,
            award,
            {
                "starts_on": (today - dt.timedelta(days=180)).isoformat(),
                "ends_on": (today + dt.timedelta(days=550)).isoformat(),
                "lump_sum": True,
            },
        )
        project = _team_sign(staff, project)
        services.pay_tranche(staff, project.tranches.get(number=1))
        _achieve(project, shares)
        projects.append(project)
    return projects


@transaction.atomic
def write_demo_projects(staff: Any) -> DemoReport:
    """Every stage of the project life cycle over the demo awards (once)."""
    demo_awards = Award.objects.filter(is_demo=True, project__isnull=True).select_related(
        "application__call", "application__challenge"
    )
    challenge = [a for a in demo_awards if a.application.call.mode == CallMode.CHALLENGE]
    race = [a for a in demo_awards if a.application.call.mode == CallMode.HORSE_RACE]
    if challenge:
        _running_challenge(staff, challenge[0])
    _race(staff, race[:2])
    earlier = _earlier_awards()
    if len(earlier) == 4:
        _closed(staff, earlier[0], [Decimal("1.05"), Decimal(1)], "passed")
        _closed(staff, earlier[1], [Decimal("0.5"), Decimal("0.34")], "failed")
        in_acceptance = services.create_project(
            staff,
            earlier[2],
            {"starts_on": "2024-07-01", "ends_on": "2026-06-30", "lump_sum": True},
        )
        in_acceptance = _team_sign(staff, in_acceptance)
        _achieve(in_acceptance, [Decimal(1), Decimal("0.9")])
        _apply(in_acceptance)
        services.create_project(
            staff, earlier[3], {"starts_on": "2025-01-01", "ends_on": "2026-12-31"}
        )
        passed = Project.objects.get(award=earlier[0])
        Output.objects.create(
            project=passed,
            kind=OutputKind.PRODUCT,
            title="艾草精油（高纯）新产品（演示）",
            year=2026,
        )
    return DemoReport(projects=demo_project_count())
