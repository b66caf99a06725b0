"""Every write of the projects module, one transaction each: nothing is saved when anything is
wrong. Rows are saved through `core.services.save_instance` (scope, validation, audit trail by
signal); role-level rules are the named permissions of `projects.permissions`."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kechuang.contracts import selectors as contract_selectors
from kechuang.core.files import sniff
from kechuang.core.references import resolve
from kechuang.core.services import ensure_can, save_instance
from kechuang.market import selectors as market_selectors
from kechuang.programs import services as program_services
from kechuang.programs.engine import assignment as engine_assignment
from kechuang.programs.engine.errors import ProgramRuleError
from kechuang.programs.engine.files import check_attachment
from kechuang.programs.models import Award, CallMode, Expert
from kechuang.projects.engine import completion, negative_list
from kechuang.projects.models import (
    Acceptance,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Conclusion,
    FundingScheme,
    GateDecision,
    GateDecisionKind,
    Milestone,
    Output,
    OutputKind,
    ProgressReport,
    Project,
    ProjectReview,
    ProjectStatus,
    ReviewStage,
    Spending,
    StageGate,
    Target,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    Verification,
)
from kechuang.projects.permissions import MANAGE_PROJECTS, REVIEW_PROJECTS, RUN_PROJECT
from kechuang.registry import selectors as registry_selectors

NEGATIVE_LIST_FILE = settings.DATA_DIR / "projects" / "negative-list.yaml"
DEFAULT_TRANCHES = [
    {"share": "50", "condition": TrancheCondition.SIGNING},
    {"share": "30", "condition": TrancheCondition.MIDTERM},
    {"share": "20", "condition": TrancheCondition.ACCEPTANCE},
]
RACE_TRANCHES = [
    {"share": "50", "condition": TrancheCondition.SIGNING},
    {"share": "30", "condition": TrancheCondition.GATE},
    {"share": "20", "condition": TrancheCondition.ACCEPTANCE},
]
PASS_SCORE = Decimal(60)  # a mid-term review passes with a mean score of 60 or more
SCAN_KINDS = {"pdf", "png", "jpeg"}


def fmt(value: Decimal | None) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise ValidationError({field: [f"{label}“{value}”应为不小于 0 的数字。"]})
    return number


def _date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ValidationError({field: [f"{label}“{value}”应为 YYYY-MM-DD 格式的日期。"]}) from error


def _text(data: dict[str, Any], key: str, label: str) -> str:
    text = str(data.get(key) or "").strip()
    if not text:
        raise ValidationError({key: [f"请填写{label}。"]})
    return text


def _own(user: Any, project: Project) -> None:
    """The team's write on its own project (the scope also keeps others out)."""
    RUN_PROJECT.check(user)
    ensure_can(user, "change", project)


def _running(project: Project, doing: str) -> None:
    if project.status not in (ProjectStatus.RUNNING, ProjectStatus.RECTIFICATION):
        raise ValidationError(
            {"status": [f"项目当前为“{project.get_status_display()}”，不能{doing}。"]}
        )


# --- the task agreement ---------------------------------------------------------------------------


def scheme_for(award: Award) -> list[dict[str, Any]]:
    """The programme's tranches, else the default 50/30/20 (gate instead of mid-term for 赛马制)."""
    scheme = FundingScheme.objects.filter(program=award.application.call.program).first()
    if scheme is not None:
        return scheme.tranches
    return RACE_TRANCHES if award.application.call.mode == CallMode.HORSE_RACE else DEFAULT_TRANCHES


@transaction.atomic
def set_funding_scheme(user: Any, program: Any, tranches: list[dict[str, Any]]) -> FundingScheme:
    MANAGE_PROJECTS.check(user)
    total = Decimal(0)
    for i, t in enumerate(tranches, 1):
        if t.get("condition") not in TrancheCondition.values:
            raise ValidationError({"tranches": [f"第 {i} 笔的拨付条件不可识别。"]})
        total += _decimal(t.get("share"), "tranches", f"第 {i} 笔的比例")
    if total != 100:
        raise ValidationError(
            {"tranches": [f"各笔比例合计 {fmt(total)}%，应为 100%：请调整比例。"]}
        )
    scheme = FundingScheme.objects.filter(program=program).first() or FundingScheme(program=program)
    clean = [{"share": str(t["share"]), "condition": t["condition"]} for t in tranches]
    return save_instance(user, scheme, {"tranches": clean})


def _bound(value: Any) -> tuple[Any, bool]:
    """A challenge's target as written: "≤1000" (at most) or "≥80" / "80" (at least)."""
    text = str(value if value is not None else "").strip()
    for prefix, lower in (("≤", True), ("<=", True), ("≥", False), (">=", False)):
        if text.startswith(prefix):
            return text[len(prefix) :].strip(), lower
    return value, False


def _targets(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise ValidationError(
            {"targets": ["请至少填写一项考核指标（名称、单位、目标值、考核方式）。"]}
        )
    rows = []
    for i, t in enumerate(value, 1):
        if not isinstance(t, dict) or not str(t.get("name") or "").strip():
            raise ValidationError({"targets": [f"第 {i} 项考核指标缺少名称。"]})
        verification = t.get("verification") or Verification.OTHER
        if verification not in Verification.values:
            raise ValidationError({"targets": [f"第 {i} 项考核指标的考核方式不可识别。"]})
        value, lower = _bound(t.get("value"))
        rows.append(
            {
                "name": str(t["name"]).strip(),
                "unit": str(t.get("unit") or "").strip() or "项",
                "target_value": _decimal(value, "targets", f"第 {i} 项的目标值"),
                "lower_is_better": lower or bool(t.get("lower_is_better")),
                "verification": verification,
            }
        )
    return rows


def _milestones(value: Any, starts: dt.date, ends: dt.date) -> list[dict[str, Any]]:
    rows = []
    for i, m in enumerate(value or [], 1):
        due = _date(m.get("due_on"), "milestones", f"第 {i} 个里程碑的日期")
        if not (starts <= due <= ends):
            raise ValidationError(
                {"milestones": [f"第 {i} 个里程碑日期 {due} 不在项目起止日期内。"]}
            )
        rows.append({"title": _text(m, "title", f"第 {i} 个里程碑的内容"), "due_on": due})
    return rows


def _budget(value: Any, city_funds: Decimal) -> dict[str, str]:
    """Non-包干 budget categories: they add up to the city funds."""
    if not value:
        return {}
    amounts = {str(k): _decimal(v, "budget", f"科目“{k}”") for k, v in dict(value).items()}
    total = sum(amounts.values(), Decimal(0))
    if total != city_funds:
        raise ValidationError(
            {
                "budget": [
                    f"预算科目合计 {fmt(total)} 万元，应等于市财政经费 {fmt(city_funds)} 万元。"
                ]
            }
        )
    return {k: fmt(v) for k, v in amounts.items()}


def _agreement_values(award: Award, data: dict[str, Any]) -> dict[str, Any]:
    application = award.application
    starts = _date(data.get("starts_on"), "starts_on", "开始日期")
    ends = _date(data.get("ends_on"), "ends_on", "结束日期")
    if ends <= starts:
        raise ValidationError({"ends_on": ["结束日期应晚于开始日期。"]})
    challenge = application.challenge
    lump_sum = bool(data.get("lump_sum"))
    return {
        "award": award,
        "program": application.call.program,
        "organization": application.organization,
        "title": application.title,
        "mode": application.call.mode,
        "race": f"{application.call_id}:{challenge.code}" if challenge else "",
        "leader": application.leader,
        "lump_sum": lump_sum,
        "confidential": bool(data.get("confidential")),
        "city_funds": award.amount,
        "issuer_funds": challenge.co_funding if challenge else Decimal(0),
        "enterprise_funds": application.self_funding,
        "budget": {} if lump_sum else _budget(data.get("budget"), award.amount),
        "starts_on": starts,
        "ends_on": ends,
        "is_demo": award.is_demo,
    }


@transaction.atomic
def create_project(user: Any, award: Award, data: dict[str, Any]) -> Project:
    """The task agreement from an award: targets (default: the challenge's), milestones, the
    team of the application, the budget by source, the tranches of the programme's scheme."""
    MANAGE_PROJECTS.check(user)
    if Project.objects.filter(award=award).exists():
        raise ValidationError({"award": ["该立项已签订任务书，不能重复创建。"]})
    values = _agreement_values(award, data)
    challenge_targets = award.application.challenge.targets if award.application.challenge else []
    targets = _targets(data.get("targets") or challenge_targets)
    milestones = _milestones(data.get("milestones"), values["starts_on"], values["ends_on"])
    project = save_instance(user, Project(), values)
    project.team.set(award.application.members.all())
    for t in targets:
        save_instance(user, Target(project=project), t)
    for m in milestones:
        save_instance(user, Milestone(project=project), m)
    _create_tranches(user, project, scheme_for(award))
    return project


def _create_tranches(user: Any, project: Project, scheme: list[dict[str, Any]]) -> None:
    left = project.city_funds
    for number, t in enumerate(scheme, 1):
        share = Decimal(str(t["share"]))
        last = number == len(scheme)
        amount = left if last else (project.city_funds * share / 100).quantize(Decimal("0.0001"))
        left -= amount
        save_instance(
            user,
            Tranche(project=project),
            {"number": number, "share": share, "amount": amount, "condition": t["condition"]},
        )


def _signature(user: Any, project: Project) -> str:
    digest = hashlib.sha256(
        f"{project.pk}|{project.title}|{fmt(project.total_funds)}".encode()
    ).hexdigest()[:16]
    name = user.get_full_name() or user.username
    return f"{name} 于 {timezone.localtime():%Y-%m-%d %H:%M} 电子签署（任务书摘要 {digest}）"


@transaction.atomic
def sign(user: Any, project: Project, scan: bytes | None = None, scan_name: str = "") -> Project:
    """Each side signs (a recorded e-signature), or the city uploads the scan signed by both
    (checked to be a PDF or an image by its content). Signed by both: the project runs."""
    city = MANAGE_PROJECTS.allows(user)
    if not city:
        _own(user, project)
    if project.status != ProjectStatus.AGREEMENT:
        raise ValidationError({"status": ["任务书已签订，不能重复签署。"]})
    values: dict[str, Any] = {}
    if city:
        if scan is not None:
            kind = sniff(scan)
            if kind not in SCAN_KINDS:
                raise ValidationError(
                    {
                        "signed_scan": [
                            f"签署扫描件“{scan_name}”不是 PDF 或图片（按内容检查），"
                            "请重新扫描上传。"
                        ]
                    }
                )
            project.signed_scan.save(
                scan_name or f"任务书{project.pk}.{kind}", ContentFile(scan), save=False
            )
            values["team_signature"] = project.team_signature or "双方签署的纸质任务书扫描件"
        values["city_signature"] = _signature(user, project)
    else:
        values["team_signature"] = _signature(user, project)
    project = save_instance(user, project, values)
    if project.team_signature and project.city_signature:
        project = save_instance(
            user, project, {"status": ProjectStatus.RUNNING, "signed_on": timezone.localdate()}
        )
    return project


# --- change requests ------------------------------------------------------------------------------


def _current(project: Project, kind: str) -> dict[str, Any]:
    if kind == ChangeKind.TEAM:
        return {"team": sorted(project.team.values_list("pk", flat=True))}
    if kind == ChangeKind.TARGETS:
        return {
            "targets": [
                {"id": t.pk, "name": t.name, "unit": t.unit, "value": fmt(t.target_value)}
                for t in project.targets.filter(removed=False)
            ]
        }
    if kind == ChangeKind.DATES:
        return {
            "ends_on": project.ends_on.isoformat(),
            "milestones": {str(m.pk): m.due_on.isoformat() for m in project.milestones.all()},
        }
    return {"budget": project.budget}


@transaction.atomic
def request_change(user: Any, project: Project, data: dict[str, Any]) -> ChangeRequest:
    """The team asks for a change (team, targets, dates, budget adjustment); nothing changes
    until the city approves it."""
    _own(user, project)
    _running(project, "申请变更")
    kind = data.get("kind")
    if kind not in ChangeKind.values:
        raise ValidationError(
            {"kind": ["请选择变更事项：团队成员、考核指标、时间节点或预算调剂。"]}
        )
    if kind == ChangeKind.BUDGET and project.lump_sum:
        raise ValidationError({"kind": ["包干制项目无需预算调剂审批，请直接按类别报告支出。"]})
    proposed = data.get("proposed")
    if not isinstance(proposed, dict) or not proposed:
        raise ValidationError({"proposed": ["请填写变更后的内容。"]})
    _check_proposal(user, project, kind, proposed, apply=False)
    values = {
        "kind": kind,
        "proposed": proposed,
        "before": _current(project, kind),
        "reason": _text(data, "reason", "变更理由"),
    }
    return save_instance(user, ChangeRequest(project=project), values)


def _check_proposal(
    user: Any, project: Project, kind: str, proposed: dict[str, Any], apply: bool
) -> None:
    handler = {
        ChangeKind.TEAM: _change_team,
        ChangeKind.TARGETS: _change_targets,
        ChangeKind.DATES: _change_dates,
        ChangeKind.BUDGET: _change_budget,
    }[kind]
    handler(user, project, proposed, apply)


def _change_team(user: Any, project: Project, proposed: dict[str, Any], apply: bool) -> None:
    ids = proposed.get("team")
    if not isinstance(ids, list):
        raise ValidationError({"proposed": ["团队成员应为人才编号列表。"]})
    talents = registry_selectors.talents_by_id(user, ids, "proposed") if ids else []
    if apply:
        project.team.set(talents)


def _change_targets(user: Any, project: Project, proposed: dict[str, Any], apply: bool) -> None:
    """Targets changed by id (value, unit), added (no id) or removed (`remove`: ids)."""
    current = {t.pk: t for t in project.targets.filter(removed=False)}
    remove = proposed.get("remove") or []
    unknown = [i for i in remove if i not in current]
    if unknown:
        raise ValidationError({"proposed": [f"要删除的考核指标 {unknown} 不属于本项目。"]})
    changed = proposed.get("targets") or []
    rows = _targets(changed) if changed else []
    for raw in changed:
        if raw.get("id") is not None and raw["id"] not in current:
            raise ValidationError({"proposed": [f"考核指标 {raw['id']} 不属于本项目。"]})
    if not (set(current) - set(remove)) and not any(r.get("id") is None for r in changed):
        raise ValidationError({"proposed": ["变更后至少保留一项考核指标。"]})
    if not apply:
        return
    for target_id in remove:
        save_instance(user, current[target_id], {"removed": True})
    for raw, row in zip(changed, rows, strict=True):
        target = current[raw["id"]] if raw.get("id") is not None else Target(project=project)
        save_instance(user, target, row)


def _change_dates(user: Any, project: Project, proposed: dict[str, Any], apply: bool) -> None:
    ends = _date(proposed.get("ends_on") or project.ends_on, "proposed", "结束日期")
    milestones = {str(m.pk): m for m in project.milestones.all()}
    moves = {}
    for key, value in (proposed.get("milestones") or {}).items():
        if str(key) not in milestones:
            raise ValidationError({"proposed": [f"里程碑 {key} 不属于本项目。"]})
        moves[str(key)] = _date(value, "proposed", f"里程碑“{milestones[str(key)].title}”的日期")
        if not (project.starts_on <= moves[str(key)] <= ends):
            raise ValidationError(
                {"proposed": [f"里程碑“{milestones[str(key)].title}”的新日期不在项目起止日期内。"]}
            )
    if apply:
        save_instance(user, project, {"ends_on": ends})
        for key, day in moves.items():
            save_instance(user, milestones[key], {"due_on": day})


def _change_budget(user: Any, project: Project, proposed: dict[str, Any], apply: bool) -> None:
    budget = _budget(proposed.get("budget"), project.city_funds)
    spent = spent_by_category(project)
    for category, amount in spent.items():
        if Decimal(budget.get(category, "0")) < amount:
            raise ValidationError(
                {"proposed": [f"科目“{category}”已支出 {fmt(amount)} 万元，调剂后不能少于已支出。"]}
            )
    if apply:
        save_instance(user, project, {"budget": budget})


@transaction.atomic
def decide_change(user: Any, change: ChangeRequest, approve: bool, note: str) -> ChangeRequest:
    MANAGE_PROJECTS.check(user)
    if change.status != ChangeStatus.PENDING:
        raise ValidationError(
            {"status": [f"该变更已{change.get_status_display()}，不能再次审批。"]}
        )
    if not note.strip():
        raise ValidationError({"decision_note": ["请填写审批意见。"]})
    if approve:
        _check_proposal(user, change.project, change.kind, change.proposed, apply=True)
    status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    return save_instance(
        user, change, {"status": status, "decision_note": note.strip(), "decided_by": user}
    )


# --- funds ----------------------------------------------------------------------------------------


@functools.cache
def negative_list_rules() -> tuple[negative_list.Rule, ...]:
    data = yaml.safe_load(NEGATIVE_LIST_FILE.read_text(encoding="utf-8"))
    return tuple(negative_list.parse_rules(data))


def spent_by_category(project: Project) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for s in project.spending.all():
        out[s.category] = out.get(s.category, Decimal(0)) + s.amount
    return out


def condition_problem(tranche: Tranche) -> str:
    """Why the tranche may not be paid yet ("" when its condition holds)."""
    project = tranche.project
    earlier = project.tranches.filter(number__lt=tranche.number, status=TrancheStatus.PENDING)
    if earlier.exists():
        return f"第 {earlier.first().number} 笔经费尚未拨付，请按顺序拨付。"
    holds = {
        TrancheCondition.SIGNING: project.signed_on is not None,
        TrancheCondition.MIDTERM: project.midterm == "passed",
        TrancheCondition.GATE: project.gate_decisions.filter(
            decision=GateDecisionKind.CONTINUE
        ).exists(),
        TrancheCondition.ACCEPTANCE: project.status
        in (ProjectStatus.PASSED, ProjectStatus.CONCLUDED),
    }[tranche.condition]
    if holds:
        return ""
    return (
        f"拨付条件“{tranche.get_condition_display()}”尚未满足，不能拨付第 {tranche.number} 笔经费。"
    )


@transaction.atomic
def pay_tranche(user: Any, tranche: Tranche, day: dt.date | None = None) -> Tranche:
    MANAGE_PROJECTS.check(user)
    if tranche.status != TrancheStatus.PENDING:
        raise ValidationError(
            {"status": [f"第 {tranche.number} 笔经费{tranche.get_status_display()}。"]}
        )
    problem = condition_problem(tranche)
    if problem:
        raise ValidationError({"condition": [problem]})
    return save_instance(
        user, tranche, {"status": TrancheStatus.PAID, "paid_on": day or timezone.localdate()}
    )


def _spending_items(data: list[Any]) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not data:
        raise ValidationError({"items": ["请至少填写一笔支出（类别、内容、金额、日期）。"]})
    rows = []
    for i, raw in enumerate(data, 1):
        if not isinstance(raw, dict):
            raise ValidationError({"items": [f"第 {i} 笔支出应为对象。"]})
        rows.append(
            {
                "category": _text(raw, "category", f"第 {i} 笔支出的类别"),
                "description": _text(raw, "description", f"第 {i} 笔支出的内容"),
                "amount": _decimal(raw.get("amount"), "items", f"第 {i} 笔支出的金额"),
                "spent_on": _date(raw.get("spent_on"), "items", f"第 {i} 笔支出的日期"),
                "explanation": str(raw.get("explanation") or "").strip(),
            }
        )
    return rows


def check_spending(project: Project, rows: list[dict[str, Any]]) -> list[negative_list.Hit]:
    """The negative list over the project's spending so far and the new rows (a share limit
    counts what was spent before); only hits on the new rows are returned."""
    before = [
        negative_list.Item(f"s{s.pk}", s.category, s.description, s.amount)
        for s in project.spending.all()
    ]
    new = [
        negative_list.Item(str(i), r["category"], r["description"], r["amount"])
        for i, r in enumerate(rows)
    ]
    hits = negative_list.check(before + new, list(negative_list_rules()), project.total_funds)
    return [h for h in hits if not h.item.startswith("s")]


def _within_budget(project: Project, rows: list[dict[str, Any]]) -> None:
    new_total = sum((r["amount"] for r in rows), Decimal(0))
    spent = sum(spent_by_category(project).values(), Decimal(0))
    if spent + new_total > project.total_funds:
        raise ValidationError(
            {
                "items": [
                    f"已支出 {fmt(spent)} 万元，本次 {fmt(new_total)} 万元，"
                    f"合计超过项目总经费 {fmt(project.total_funds)} 万元。"
                ]
            }
        )
    if project.lump_sum:
        return
    by_category = spent_by_category(project)
    for r in rows:
        by_category[r["category"]] = by_category.get(r["category"], Decimal(0)) + r["amount"]
    for category, amount in by_category.items():
        if category not in project.budget:
            raise ValidationError(
                {"items": [f"科目“{category}”不在预算科目中：{'、'.join(project.budget)}。"]}
            )
        if amount > Decimal(project.budget[category]):
            raise ValidationError(
                {
                    "items": [
                        f"科目“{category}”支出合计 {fmt(amount)} 万元"
                        f"超过预算 {project.budget[category]} 万元，请先申请预算调剂。"
                    ]
                }
            )


@transaction.atomic
def report_spending(user: Any, project: Project, items: list[Any]) -> list[Spending]:
    """The team reports spending. 包干制: each item is checked against the negative list, and an
    item with a hit needs its explanation; otherwise the budget categories bound it. Spending
    over the budget is refused. All items or none."""
    _own(user, project)
    _running(project, "报告经费支出")
    rows = _spending_items(items)
    _within_budget(project, rows)
    hits: dict[int, list[dict[str, str]]] = {}
    if project.lump_sum:
        for hit in check_spending(project, rows):
            hits.setdefault(int(hit.item), []).append(hit.to_dict())
    unexplained = [
        f"第 {i + 1} 笔“{rows[i]['description']}”命中负面清单“{h[0]['title']}”（{h[0]['why']}）"
        for i, h in sorted(hits.items())
        if not rows[i]["explanation"]
    ]
    if unexplained:
        raise ValidationError(
            {"explanation": [f"{u}，请填写情况说明后再提交。" for u in unexplained]}
        )
    return [
        save_instance(user, Spending(project=project), {**r, "hits": hits.get(i, [])})
        for i, r in enumerate(rows)
    ]


# --- progress, reviews and stage gates ------------------------------------------------------------


@transaction.atomic
def report_progress(user: Any, project: Project, data: dict[str, Any]) -> ProgressReport:
    _own(user, project)
    _running(project, "报告进展")
    milestone = None
    if data.get("milestone") is not None:
        milestone = project.milestones.filter(pk=data["milestone"]).first()
        if milestone is None:
            raise ValidationError({"milestone": ["该里程碑不属于本项目。"]})
    done = bool(data.get("milestone_done"))
    report = save_instance(
        user,
        ProgressReport(project=project),
        {
            "milestone": milestone,
            "period": _text(data, "period", "报告期"),
            "content": _text(data, "content", "进展情况"),
            "milestone_done": done,
        },
    )
    if milestone is not None and done and milestone.done_on is None:
        save_instance(user, milestone, {"done_on": timezone.localdate()})
    return report


def _assignable(project: Project, stage: str) -> list[Expert]:
    taken = set(project.reviews.filter(stage=stage).values_list("expert_id", flat=True))
    return list(
        Expert.objects.filter(available=True)
        .exclude(pk__in=taken)
        .exclude(talent_id__in=registry_selectors.restricted_talent_ids())
        .select_related("talent__organization")
        .prefetch_related("collaborators", "talent__tech_fields")
    )


@transaction.atomic
def assign_reviewers(user: Any, project: Project, stage: str, k: int = 3) -> list[ProjectReview]:
    """Reviewers for a mid-term review or an acceptance panel: the programmes' min-cost flow
    under recusal (own organization, team members, collaborators, declared conflicts), over
    the programmes' expert pool, without anyone under an integrity restriction."""
    MANAGE_PROJECTS.check(user)
    if stage not in ReviewStage.values:
        raise ValidationError(
            {"stage": ["评审环节应为 midterm（中期评估）或 acceptance（验收评审）。"]}
        )
    application = project.award.application
    need = k - project.reviews.filter(stage=stage).count()
    if need <= 0:
        return []
    experts = _assignable(project, stage)
    pool = program_services.engine_experts(experts, application.call)
    pool = [replace(e, max_load=max(e.max_load, 1)) if e.max_load else e for e in pool]
    app = program_services.engine_application(application, need)
    try:
        result = engine_assignment.assign(k, [app], pool, application.call.recuse_same_area)
    except ProgramRuleError as error:
        raise ValidationError(error.errors) from error
    by_id = {str(e.pk): e for e in experts}
    chosen = result.assignments.get(app.id, [])
    if not chosen:
        raise ValidationError({"stage": ["专家库中没有可回避规则下分配的专家，请先补充专家。"]})
    return [
        save_instance(
            user,
            ProjectReview(project=project),
            {"stage": stage, "expert": by_id[e], "fit": result.fits.get((app.id, e), 0.0)},
        )
        for e in chosen
    ]


@transaction.atomic
def submit_project_review(user: Any, review: ProjectReview, data: dict[str, Any]) -> ProjectReview:
    REVIEW_PROJECTS.check(user)
    ensure_can(user, "change", review)
    if review.submitted:
        raise ValidationError({"submitted": ["评审意见已提交，不能修改。"]})
    score = _decimal(data.get("score"), "score", "评分")
    if score > 100:
        raise ValidationError({"score": [f"评分 {fmt(score)} 超出范围：应在 0 到 100 之间。"]})
    return save_instance(
        user,
        review,
        {"score": score, "opinion": _text(data, "opinion", "评审意见"), "submitted": True},
    )


def _mean_score(project: Project, stage: str) -> Decimal:
    reviews = list(project.reviews.filter(stage=stage))
    if not reviews or any(not r.submitted for r in reviews):
        raise ValidationError({"reviews": ["尚有专家未提交评审意见（或尚未分配专家）。"]})
    return sum((r.score for r in reviews), Decimal(0)) / len(reviews)


@transaction.atomic
def conclude_midterm(user: Any, project: Project) -> Project:
    """The mid-term result from the experts' mean score (≥ 60 passes); a failed mid-term keeps
    the next tranche unpaid."""
    MANAGE_PROJECTS.check(user)
    _running(project, "作出中期评估结论")
    mean = _mean_score(project, ReviewStage.MIDTERM)
    return save_instance(user, project, {"midterm": "passed" if mean >= PASS_SCORE else "failed"})


def target_rows(project: Project) -> list[completion.TargetRow]:
    return [
        completion.TargetRow(
            str(t.pk), t.name, t.unit, t.target_value, t.achieved, t.lower_is_better
        )
        for t in project.targets.filter(removed=False)
    ]


def race_comparison(race: str) -> list[dict[str, Any]]:
    """The parallel teams of a race compared on their targets (completion so far)."""
    rows = []
    for project in Project.objects.filter(race=race, status=ProjectStatus.RUNNING).order_by("pk"):
        result = completion.checklist(target_rows(project))
        rows.append(
            {
                "project": project.pk,
                "title": project.title,
                "organization": project.organization.name,
                "completion": f"{result.completion:f}",
                "lines": [line.to_dict() for line in result.lines],
            }
        )
    return sorted(rows, key=lambda r: Decimal(r["completion"]), reverse=True)


@transaction.atomic
def record_achieved(user: Any, project: Project, values: dict[str, Any]) -> list[Target]:
    """The team records what each target has achieved so far (for the gate and acceptance)."""
    _own(user, project)
    _running(project, "填报指标完成值")
    targets = {str(t.pk): t for t in project.targets.filter(removed=False)}
    saved = []
    for key, value in values.items():
        if str(key) not in targets:
            raise ValidationError({"achieved": [f"考核指标 {key} 不属于本项目。"]})
        amount = _decimal(value, "achieved", f"“{targets[str(key)].name}”的完成值")
        saved.append(save_instance(user, targets[str(key)], {"achieved": amount}))
    return saved


def _gate_decisions(
    race: str, data: dict[str, Any]
) -> list[tuple[Project, str, Project | None, str]]:
    running = {p.pk: p for p in Project.objects.filter(race=race, status=ProjectStatus.RUNNING)}
    if len(running) < 2:
        raise ValidationError({"race": ["赛马阶段评估需要同一赛马组至少两个实施中的项目。"]})
    decisions = data.get("decisions") or {}
    missing = [p.title for pk, p in running.items() if str(pk) not in decisions]
    if missing:
        raise ValidationError(
            {"decisions": [f"请对每个团队作出决定：缺少“{'、'.join(missing)}”。"]}
        )
    out = []
    for key, raw in decisions.items():
        project = running.get(int(key)) if str(key).isdigit() else None
        if project is None:
            raise ValidationError({"decisions": [f"项目 {key} 不在该赛马组的实施中项目里。"]})
        kind = raw.get("decision")
        if kind not in GateDecisionKind.values:
            raise ValidationError({"decisions": [f"“{project.title}”的决定应为继续、合并或终止。"]})
        into = running.get(raw.get("merged_into")) if kind == GateDecisionKind.MERGE else None
        if kind == GateDecisionKind.MERGE and (into is None or into == project):
            raise ValidationError(
                {"decisions": [f"“{project.title}”合并时请指定并入的另一个项目。"]}
            )
        out.append((project, kind, into, _text(raw, "reasons", f"“{project.title}”的决定理由")))
    if not any(kind == GateDecisionKind.CONTINUE for _, kind, _, _ in out):
        raise ValidationError({"decisions": ["至少应有一个团队继续，否则请终止整个榜单。"]})
    return out


@transaction.atomic
def hold_gate(user: Any, race: str, data: dict[str, Any]) -> StageGate:
    """A 赛马制 stage gate: the teams compared on their targets; each continues (its gate
    tranche becomes payable), merges into another (its remaining tranches are cancelled) or is
    stopped (likewise)."""
    MANAGE_PROJECTS.check(user)
    decisions = _gate_decisions(race, data)
    comparison = race_comparison(race)
    completion_of = {r["project"]: Decimal(r["completion"]) for r in comparison}
    gate = save_instance(
        user,
        StageGate(),
        {
            "race": race,
            "held_on": data.get("held_on") or timezone.localdate(),
            "comparison": comparison,
            "note": str(data.get("note") or ""),
        },
    )
    for project, kind, into, reasons in decisions:
        save_instance(
            user,
            GateDecision(gate=gate, project=project),
            {
                "decision": kind,
                "merged_into": into,
                "completion": completion_of[project.pk],
                "reasons": reasons,
            },
        )
        if kind != GateDecisionKind.CONTINUE:
            _end_in_race(user, project, kind)
    for decision in gate.decisions.filter(decision=GateDecisionKind.MERGE):
        moved = merge_into(user, decision.project, decision.merged_into)
        save_instance(user, decision, {"moved": moved})
    return gate


def _end_in_race(user: Any, project: Project, kind: str) -> None:
    status = ProjectStatus.STOPPED if kind == GateDecisionKind.STOP else ProjectStatus.MERGED
    save_instance(user, project, {"status": status})
    for tranche in project.tranches.filter(status=TrancheStatus.PENDING):
        save_instance(user, tranche, {"status": TrancheStatus.CANCELLED})


def merge_into(user: Any, merged: Project, into: Project) -> dict[str, Any]:
    """A 赛马 merge: the merged team's targets (those the joined project does not already have
    by name and unit) become targets of the joined project, with the value achieved so far;
    its team members (and its leader) join the joined project's team. Returns what moved (kept
    on the gate decision; each new target is audited by `save_instance`)."""
    have = {(t.name, t.unit) for t in into.targets.filter(removed=False)}
    targets = []
    for t in merged.targets.filter(removed=False):
        if (t.name, t.unit) in have:
            continue
        values = {
            "name": t.name,
            "unit": t.unit,
            "target_value": t.target_value,
            "lower_is_better": t.lower_is_better,
            "verification": t.verification,
            "achieved": t.achieved,
        }
        new = save_instance(user, Target(project=into), values)
        have.add((t.name, t.unit))
        targets.append({"id": new.pk, "from": t.pk, "name": t.name, "unit": t.unit})
    team = set(into.team.values_list("pk", flat=True))
    joining = set(merged.team.values_list("pk", flat=True))
    if merged.leader_id:
        joining.add(merged.leader_id)
    added = sorted(joining - team - ({into.leader_id} if into.leader_id else set()))
    into.team.add(*added)
    return {"from": merged.pk, "into": into.pk, "targets": targets, "team": added}


# --- acceptance -----------------------------------------------------------------------------------


def _evidence(user: Any, project: Project, evidence: dict[str, Any]) -> None:
    targets = {str(t.pk): t for t in project.targets.filter(removed=False)}
    missing = [t.name for k, t in targets.items() if k not in evidence and not t.evidence]
    if missing:
        raise ValidationError(
            {"evidence": [f"请为每项考核指标上传佐证材料：缺少“{'、'.join(missing)}”。"]}
        )
    for key, item in evidence.items():
        target = targets.get(str(key))
        if target is None:
            raise ValidationError({"evidence": [f"考核指标 {key} 不属于本项目。"]})
        content, name = item["content"], item["name"]
        try:
            kind = check_attachment(content, name, "evidence")
        except ProgramRuleError as error:
            raise ValidationError(
                {"evidence": [f"“{target.name}”的{m}" for m in error.errors["evidence"]]}
            ) from error
        target.evidence.save(name, ContentFile(content), save=False)
        values = {"evidence_name": name, "evidence_kind": kind}
        if item.get("achieved") is not None:
            values["achieved"] = _decimal(item["achieved"], "evidence", f"“{target.name}”的完成值")
        save_instance(user, target, values)


@transaction.atomic
def apply_for_acceptance(user: Any, project: Project, data: dict[str, Any]) -> Acceptance:
    """The team applies with evidence per target (each file checked to be what its name
    says); the checklist compares achieved with target value and computes the completion."""
    _own(user, project)
    _running(project, "申请验收")
    if project.acceptances.filter(conclusion="").exists():
        raise ValidationError({"status": ["已有待评审的验收申请。"]})
    summary = _text(data, "summary", "总结报告摘要")
    _evidence(user, project, data.get("evidence") or {})
    result = completion.checklist(target_rows(project))
    acceptance = save_instance(
        user,
        Acceptance(project=project),
        {
            "summary": summary,
            "checklist": [line.to_dict() for line in result.lines],
            "completion": result.completion,
            "suggested": result.suggested,
        },
    )
    save_instance(user, project, {"status": ProjectStatus.ACCEPTANCE})
    return acceptance


@transaction.atomic
def decide_acceptance(user: Any, acceptance: Acceptance, data: dict[str, Any]) -> Acceptance:
    """The panel's conclusion 通过 / 结题 / 不通过 with reasons; a failed project gets a
    rectification period (and applies again) or is closed."""
    MANAGE_PROJECTS.check(user)
    project = acceptance.project
    if acceptance.conclusion:
        raise ValidationError({"conclusion": ["该验收已有结论。"]})
    conclusion = data.get("conclusion")
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": ["请选择验收结论：通过、结题或不通过。"]})
    reasons = _text(data, "reasons", "结论理由")
    if project.reviews.filter(stage=ReviewStage.ACCEPTANCE).exists():
        _mean_score(project, ReviewStage.ACCEPTANCE)  # every panel member has reviewed
    rectify = data.get("rectify_until")
    values: dict[str, Any] = {
        "conclusion": conclusion,
        "reasons": reasons,
        "decided_on": data.get("decided_on") or timezone.localdate(),
    }
    if conclusion == Conclusion.FAILED and rectify:
        values["rectify_until"] = _date(rectify, "rectify_until", "整改期限")
        status = ProjectStatus.RECTIFICATION
    else:
        status = {
            Conclusion.PASSED: ProjectStatus.PASSED,
            Conclusion.CONCLUDED: ProjectStatus.CONCLUDED,
            Conclusion.FAILED: ProjectStatus.FAILED,
        }[conclusion]
    if conclusion != Conclusion.FAILED:
        values["certificate_number"] = f"NYKJ-YS-{values['decided_on']:%Y}-{project.pk:05d}"
    acceptance = save_instance(user, acceptance, values)
    save_instance(user, project, {"status": status})
    if status == ProjectStatus.FAILED:
        for tranche in project.tranches.filter(status=TrancheStatus.PENDING):
            save_instance(user, tranche, {"status": TrancheStatus.CANCELLED})
    return acceptance


# --- outputs --------------------------------------------------------------------------------------


def output_link(user: Any, kind: str, value: int | None) -> Any:
    """The registry row an output links, resolved within what the user may view: a row they
    may not see answers like a missing one."""
    readers = {
        OutputKind.PATENT: (registry_selectors.patents_for, "专利"),
        OutputKind.ACHIEVEMENT: (
            lambda u: market_selectors.listings_for(u, "achievement"),
            "科技成果",
        ),
        OutputKind.CONTRACT: (contract_selectors.contracts_for, "技术合同"),
    }
    if kind not in readers or value is None:
        return None
    reader, label = readers[kind]
    return resolve(reader(user), value, Q(pk=value), "link", label)


@transaction.atomic
def add_output(user: Any, project: Project, data: dict[str, Any], link: Any = None) -> Output:
    """An output of the project: a registry row it links (patent, achievement, contract,
    resolved by the caller within the user's view) or a row of its own."""
    if not MANAGE_PROJECTS.allows(user):
        _own(user, project)
    kind = data.get("kind")
    if kind not in OutputKind.values:
        raise ValidationError(
            {"kind": ["请选择成果类型：专利、科技成果、技术合同、新产品、论文或标准。"]}
        )
    values: dict[str, Any] = {
        "kind": kind,
        "title": _text(data, "title", "成果名称"),
        "year": int(data.get("year") or timezone.localdate().year),
        "reference": str(data.get("reference") or ""),
    }
    field = {"patent": "patent", "achievement": "achievement", "contract": "contract"}.get(kind)
    if field:
        if link is None:
            raise ValidationError({field: [f"请选择关联的{OutputKind(kind).label}登记记录。"]})
        values[field] = link
    return save_instance(user, Output(project=project), values)
