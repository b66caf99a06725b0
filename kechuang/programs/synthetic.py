"""Synthetic programmes for the demo (演示数据): a 揭榜挂帅 call with challenges from the plan's
industries (超硬材料, 光电, 中医药·艾草, 防爆装备), a 赛马制 call with two parallel awards, and an
open 常规 call; bids and applications of the registry's demo organizations at every phase, an
expert pool from the demo talents, assignments solved by the engine under recusal, reviews with
reviewer-specific harshness (so the z-score ranking differs from the raw one), defence scores,
decisions and published awards. Every title ends in “（演示）”; deterministic for a seed. Rows
are written with the ORM (each audited by signal): invented data, not anybody's entry.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kechuang.programs import services
from kechuang.programs.engine import assignment as engine
from kechuang.programs.engine.criteria import DEFAULT_CRITERIA
from kechuang.programs.models import (
    Application,
    Assignment,
    AssignmentStatus,
    Award,
    Call,
    CallMode,
    CallStatus,
    Challenge,
    ChallengeStatus,
    Decision,
    DefenceScore,
    Expert,
    PhaseChange,
    Program,
    ProgramKind,
    Review,
    Workflow,
)
from kechuang.registry.models import Organization, OrganizationKind, Talent

DEMO = "（演示）"
CHALLENGES = [
    (
        "JB-2026-01",
        "大尺寸高品级金刚石单晶生长（演示）",
        "超硬材料",
        "金刚石 单晶 生长 超硬材料",
        [("单晶尺寸", "mm", "15"), ("位错密度", "cm⁻²", "≤1000")],
        "500",
    ),
    (
        "JB-2026-02",
        "车载激光雷达光学窗口镀膜（演示）",
        "光电",
        "光电 镀膜 激光 光学",
        [("透过率", "%", "99.5"), ("耐候试验", "小时", "1000")],
        "300",
    ),
    (
        "JB-2026-03",
        "艾草有效成分标准化提取（演示）",
        "中医药",
        "艾草 中药 提取 标准化",
        [("挥发油得率", "%", "1.2"), ("批间差异", "%", "≤5")],
        "200",
    ),
    (
        "JB-2026-04",
        "煤矿用高效防爆永磁电机（演示）",
        "装备",
        "防爆电机 永磁 装备 煤矿",
        [("效率", "%", "96"), ("防护等级", "", "IP65")],
        "400",
    ),
]
RACE = (
    "SM-2026-01",
    "全钒液流储能电堆（赛马，演示）",
    "储能",
    "钒电池 储能 电堆 液流",
    [("能量效率", "%", "80"), ("电堆功率", "kW", "250")],
    "600",
)
BUDGET_CATEGORIES = ["设备费", "业务费", "劳务费"]
CHALLENGE_PATH = ["submit", "pass_check", "close_review", "close_defence"]
REGULAR_PATH = ["submit", "pass_check", "close_review"]


@dataclass
class DemoReport:
    calls: int = 0
    applications: int = 0
    experts: int = 0
    assignments: int = 0
    reviews: int = 0
    awards: int = 0
    by_phase: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        phases = "，".join(f"{k} {v}" for k, v in sorted(self.by_phase.items()))
        return (
            f"演示科技计划：{self.calls} 个批次、{self.applications} 项申报（{phases}）、"
            f"{self.experts} 位专家、{self.assignments} 次分配、{self.reviews} 份评审意见、"
            f"{self.awards} 项立项。"
        )


def demo_program_count() -> int:
    return Program.objects.filter(is_demo=True).count()


def _pool(rng: random.Random) -> list[Expert]:
    talents = list(
        Talent.objects.filter(is_demo=True, organization__is_demo=True)
        .select_related("organization")
        .order_by("pk")
    )
    rng.shuffle(talents)
    chosen, seen = [], set()
    for talent in talents:
        if talent.organization_id in seen:
            continue
        seen.add(talent.organization_id)
        chosen.append(talent)
        if len(chosen) == 40:
            break
    return [
        Expert.objects.create(
            talent=t, expertise=t.expertise, max_load=rng.randint(6, 10), is_demo=True
        )
        for t in chosen
    ]


def _applicants() -> list[tuple[Organization, list[Talent]]]:
    orgs = (
        Organization.objects.filter(is_demo=True, kind=OrganizationKind.ENTERPRISE)
        .annotate(n=Count("talents"))
        .filter(n__gte=2)
        .order_by("pk")
    )
    return [(o, list(o.talents.order_by("pk")[:4])) for o in orgs[:40]]


def _call(program: Program, title: str, mode: str, status: str, days: int, **extra: Any) -> Call:
    workflow = Workflow.objects.get(code=services.MODE_WORKFLOW[mode]).latest
    now = timezone.now()
    return Call.objects.create(
        program=program,
        title=title,
        mode=mode,
        workflow_version=workflow,
        opens_at=now - dt.timedelta(days=days + 30),
        closes_at=now - dt.timedelta(days=days),
        budget=Decimal(extra.pop("budget", "3000")),
        reviews_per_application=5,
        required_attachments=["可行性研究报告"],
        budget_categories=BUDGET_CATEGORIES,
        criteria=[{**c, "max_points": str(c["max_points"])} for c in DEFAULT_CRITERIA],
        status=status,
        is_demo=True,
        **extra,
    )


def _challenge(call: Call, spec: tuple, status: str) -> Challenge:
    code, title, _industry, problem, targets, cap = spec
    return Challenge.objects.create(
        call=call,
        code=code,
        title=title,
        problem=f"{problem}：面向本市产业链的关键技术需求。",
        targets=[{"name": n, "unit": u, "value": v} for n, u, v in targets],
        budget_cap=Decimal(cap),
        co_funding=Decimal(cap) / 2,
        issuer_name="市科技局",
        status=status,
        is_demo=True,
    )


def _application(
    rng: random.Random, call: Call, challenge: Challenge | None, applicant: Any, topic: str
) -> Application:
    organization, people = applicant
    cap = challenge.budget_cap if challenge else Decimal(200)
    requested = (cap * Decimal(rng.choice(["0.6", "0.8", "1.0"]))).quantize(Decimal(1))
    own = (requested / 2).quantize(Decimal(1))
    total = requested + own
    budget = {
        "设备费": str(total * 6 / 10),
        "业务费": str(total * 3 / 10),
        "劳务费": str(total / 10),
    }
    app = Application.objects.create(
        call=call,
        challenge=challenge,
        organization=organization,
        title=f"{organization.name[:12]}·{topic}攻关方案{DEMO}",
        summary=f"{topic}：采用新工艺路线，完成中试并在本市产业链应用。",
        leader=people[0],
        budget=budget,
        requested=requested,
        self_funding=own,
        phase="draft",
        is_demo=True,
    )
    app.members.set(people[1:])
    return app


def _step(app: Application, code: str) -> None:
    workflow = app.call.workflow
    step = next(t for t in workflow.phase(app.phase).transitions if t.code == code)
    PhaseChange.objects.create(
        application=app, transition=code, label=step.label, source=app.phase, target=step.target
    )
    app.phase = step.target
    if code == "submit":
        app.submitted_at = app.call.closes_at - dt.timedelta(days=2)
        app.revision = 1
    app.save()
    if code == "submit":
        app.revisions.create(number=1, content=services.snapshot(app))


def _assign(call: Call, apps: list[Application], experts: list[Expert]) -> list[Assignment]:
    problem = [services.engine_application(a) for a in apps]
    pool = services.engine_experts(experts, call)
    result = engine.assign(call.reviews_per_application, problem, pool)
    by_id = {str(e.pk): e for e in experts}
    return [
        Assignment.objects.create(
            application_id=int(a), expert=by_id[e], fit=result.fits.get((a, e), 0.0)
        )
        for a, chosen in result.assignments.items()
        for e in chosen
    ]


def _review(rng: random.Random, assignment: Assignment, quality: float, bias: float) -> Review:
    marks = {}
    for c in DEFAULT_CRITERIA:
        top = c["max_points"]
        value = max(0, min(top, round(top * (quality + bias + rng.uniform(-0.05, 0.05)))))
        marks[c["code"]] = str(value)
    review = Review.objects.create(
        assignment=assignment,
        marks=marks,
        total=Decimal(sum(int(v) for v in marks.values())),
        comments="技术路线清楚，考核指标可检验。" if quality > 0.7 else "方案尚需细化。",
        recommendation="fund" if quality > 0.75 else "revise",
    )
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.save()
    return review


def _decide(app: Application, funded: bool, rank: int) -> None:
    day = timezone.localdate()
    reasons = f"评审排名第 {rank}，" + ("予以立项。" if funded else "未进入立项名额。")
    Decision.objects.create(application=app, funded=funded, reasons=reasons, decided_on=day)
    if funded:
        Award.objects.create(
            application=app,
            amount=app.requested,
            reasons=reasons,
            decided_on=day,
            rank=rank,
            published=app.call.status == CallStatus.RESULTS,
            is_demo=True,
        )
    _step(app, "award" if funded else "decline")


@transaction.atomic
def write_demo_programs(seed: int = 2026) -> DemoReport:
    """The demo programmes (once; nothing when the registry has no demo organizations)."""
    rng = random.Random(seed)
    applicants = _applicants()
    if len(applicants) < 12:
        return DemoReport()
    services.ensure_builtin_workflows()
    experts = _pool(rng)
    bias = {e.pk: rng.choice([-0.25, -0.1, 0.0, 0.0, 0.05, 0.1]) for e in experts}
    state = _State(rng, experts, bias, applicants)
    major = Program.objects.create(
        name=f"重大科技专项{DEMO}", kind=ProgramKind.MAJOR, year=2026, is_demo=True
    )
    key = Program.objects.create(
        name=f"市级重点研发专项{DEMO}", kind=ProgramKind.KEY_RD, year=2026, is_demo=True
    )
    tackle = Program.objects.create(
        name=f"科技攻关计划{DEMO}", kind=ProgramKind.TACKLING, year=2026, is_demo=True
    )
    state.challenge_call(major)
    state.horse_race_call(key)
    state.regular_call(tackle)
    return state.report()


class _State:
    def __init__(
        self, rng: random.Random, experts: list[Expert], bias: dict[int, float], applicants: list
    ) -> None:
        self.rng, self.experts, self.bias = rng, experts, bias
        self.applicants = applicants
        self.next = 0

    def applicant(self) -> Any:
        found = self.applicants[self.next % len(self.applicants)]
        self.next += 1
        return found

    def reviewed(self, call: Call, apps: list[Application], partial: bool = False) -> None:
        for a in apps:
            _step(a, "submit")
            _step(a, "pass_check")
        assignments = _assign(call, apps, self.experts)
        quality = {a.pk: self.rng.uniform(0.6, 0.9) for a in apps}
        for i, assignment in enumerate(assignments):
            if partial and i % 3 == 0:
                continue
            _review(
                self.rng,
                assignment,
                quality[assignment.application_id],
                self.bias[assignment.expert_id],
            )

    def challenge_call(self, program: Program) -> None:
        call = _call(
            program,
            f"2026 年度揭榜挂帅项目{DEMO}",
            CallMode.CHALLENGE,
            CallStatus.RESULTS,
            20,
            budget="1500",
        )
        for index, spec in enumerate(CHALLENGES):
            challenge = _challenge(call, spec, ChallengeStatus.CLOSED)
            bids = [
                _application(self.rng, call, challenge, self.applicant(), spec[2]) for _ in range(3)
            ]
            if index == 3:  # the last challenge: bids still in the formal check and in draft
                _step(bids[0], "submit")
                _step(bids[1], "submit")
                continue
            self.reviewed(call, bids, partial=index == 2)
            if index == 2:
                continue
            for bid in bids:
                _step(bid, "close_review")
                for j in range(3):
                    DefenceScore.objects.create(
                        application=bid,
                        panelist=f"答辩评委{j + 1}",
                        score=Decimal(self.rng.randint(70, 92)),
                        held_on=timezone.localdate() - dt.timedelta(days=5),
                    )
                _step(bid, "close_defence")
            if index == 0:
                for rank, bid in enumerate(bids, 1):
                    _decide(bid, rank == 1, rank)
                challenge.status = ChallengeStatus.AWARDED
                challenge.save()

    def horse_race_call(self, program: Program) -> None:
        call = _call(
            program,
            f"2026 年度重点研发专项（赛马制）{DEMO}",
            CallMode.HORSE_RACE,
            CallStatus.RESULTS,
            15,
            budget="2000",
            max_awards=2,
        )
        challenge = _challenge(call, RACE, ChallengeStatus.CLOSED)
        bids = [
            _application(self.rng, call, challenge, self.applicant(), RACE[2]) for _ in range(3)
        ]
        self.reviewed(call, bids)
        for bid in bids:
            _step(bid, "close_review")
        for rank, bid in enumerate(bids, 1):
            _decide(bid, rank <= 2, rank)
        challenge.status = ChallengeStatus.AWARDED
        challenge.save()

    def regular_call(self, program: Program) -> None:
        call = _call(
            program,
            f"2026 年度科技攻关项目（常规申报）{DEMO}",
            CallMode.REGULAR,
            CallStatus.PUBLISHED,
            -30,
            budget="800",
            max_request=Decimal(100),
        )
        topics = ["智能农机", "食用菌", "玉雕数控", "新能源汽车零部件", "生物育种", "节能环保"]
        apps = [_application(self.rng, call, None, self.applicant(), t) for t in topics]
        for a in apps[:2]:
            a.requested, a.self_funding = Decimal(80), Decimal(40)
            a.budget = {"设备费": "72", "业务费": "36", "劳务费": "12"}
            a.save()
        _step(apps[2], "submit")
        _step(apps[3], "submit")
        call.closes_at = timezone.now() + dt.timedelta(days=30)
        call.save()
        self.reviewed(call, apps[4:], partial=True)

    def report(self) -> DemoReport:
        apps = Application.objects.filter(is_demo=True)
        report = DemoReport(
            calls=Call.objects.filter(is_demo=True).count(),
            applications=apps.count(),
            experts=Expert.objects.filter(is_demo=True).count(),
            assignments=Assignment.objects.filter(application__is_demo=True).count(),
            reviews=Review.objects.filter(assignment__application__is_demo=True).count(),
            awards=Award.objects.filter(is_demo=True).count(),
        )
        for phase in apps.values_list("phase", flat=True):
            report.by_phase[phase] = report.by_phase.get(phase, 0) + 1
        return report


def link_demo_expert(user: Any) -> Expert | None:
    """Give the demo expert account the pool's expert with the most open assignments."""
    if user is None or Expert.objects.filter(user=user).exists():
        return None
    expert = (
        Expert.objects.filter(is_demo=True, user__isnull=True)
        .annotate(open=Count("assignments", filter=Q(assignments__status="assigned")))
        .order_by("-open", "pk")
        .first()
    )
    if expert is not None:
        expert.user = user
        expert.save()
    return expert
