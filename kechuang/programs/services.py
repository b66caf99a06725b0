"""Every write of the programmes module. Every phase change of an application goes through the
call's workflow version (`transition`): the role and every guard are checked by the engine, the
change is saved through `save_instance` (audited by signal) and a `PhaseChange` row records it.
Nothing is saved when anything is wrong (one transaction per service)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kechuang.core.roles import CITY_ROLES, ORGANIZATION_ROLES, Role
from kechuang.core.services import ensure_can, save_instance
from kechuang.programs import selectors
from kechuang.programs.engine import assignment as engine_assignment
from kechuang.programs.engine import builtin
from kechuang.programs.engine.criteria import DEFAULT_CRITERIA, parse_criteria
from kechuang.programs.engine.eligibility import OrganizationFacts, check_rules, reasons
from kechuang.programs.engine.errors import ProgramRuleError
from kechuang.programs.engine.files import check_attachment
from kechuang.programs.engine.scores import weighted_total
from kechuang.programs.engine.workflow import ROLES, compatibility_problems, parse
from kechuang.programs.models import (
    ACTIVE_ASSIGNMENT,
    Application,
    ApplicationAttachment,
    ApplicationPartner,
    ApplicationRevision,
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
    PartnerRole,
    PhaseChange,
    Program,
    Recommendation,
    Review,
    Workflow,
    WorkflowVersion,
)
from kechuang.programs.permissions import (
    APPLY_PROGRAM,
    EDIT_WORKFLOWS,
    MANAGE_PROGRAMS,
    REVIEW_APPLICATIONS,
)
from kechuang.registry import selectors as registry_selectors
from kechuang.registry.models import (
    Organization,
    OrganizationKind,
    Qualification,
    QualificationKind,
    Team,
)

MODE_WORKFLOW = {
    CallMode.REGULAR: "regular",
    CallMode.CHALLENGE: "challenge",
    CallMode.HORSE_RACE: "horse_race",
}
DRAFT = "draft"


def now() -> dt.datetime:
    return timezone.now()


def fmt(value: Decimal | None) -> str:
    """An amount as people write it: 300, 12.5 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


def _rule(error: ProgramRuleError) -> ValidationError:
    return ValidationError(error.errors)


def _decimal(value: Any, field: str, label: str, default: Decimal | None = None) -> Decimal:
    if value in (None, "") and default is not None:
        return default
    if value in (None, ""):
        raise ValidationError({field: [f"请填写{label}（万元）。"]})
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise ValidationError({field: [f"{label}“{value}”应为不小于 0 的数字（万元）。"]})
    return number


# --- workflows ------------------------------------------------------------------------------------


@transaction.atomic
def ensure_builtin_workflows(user: Any = None) -> list[Workflow]:
    """The built-in workflows with their first version (idempotent; run by the migration-free
    setup paths: load_demo, the workflow page, call creation)."""
    found = []
    for code, make in builtin.BUILTIN.items():
        definition = make()
        workflow, created = Workflow.objects.get_or_create(
            code=code, defaults={"name": definition["name"], "description": "内置流程"}
        )
        if created or not workflow.versions.exists():
            WorkflowVersion.objects.create(
                workflow=workflow, number=1, definition=definition, note="内置流程", created_by=None
            )
        found.append(workflow)
    return found


@transaction.atomic
def save_workflow_version(
    user: Any, workflow: Workflow, definition: Any, note: str = ""
) -> WorkflowVersion:
    """A new version of the workflow: validated (structure, stable phase codes against the
    latest version); running calls keep the version they fixed."""
    EDIT_WORKFLOWS.check(user)
    try:
        parsed = parse(definition)
    except ProgramRuleError as error:
        raise _rule(error) from error
    latest = workflow.latest
    if latest is not None:
        problems = compatibility_problems(latest.parsed, parsed)
        if problems:
            raise ValidationError({"definition": problems})
        if latest.definition == parsed.to_dict():
            raise ValidationError({"definition": ["流程定义没有变化，无需保存新版本。"]})
    number = (workflow.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = WorkflowVersion(workflow=workflow)
    return save_instance(
        user,
        version,
        {"number": number, "definition": parsed.to_dict(), "note": note[:300], "created_by": user},
    )


# --- programmes, calls, challenges ----------------------------------------------------------------


@transaction.atomic
def create_program(user: Any, data: dict[str, Any]) -> Program:
    MANAGE_PROGRAMS.check(user)
    fields = {k: data.get(k) for k in ("name", "kind", "year", "description") if k in data}
    return save_instance(user, Program(), fields)


CALL_FIELDS = (
    "title",
    "mode",
    "guide",
    "opens_at",
    "closes_at",
    "max_awards",
    "reviews_per_application",
    "recuse_same_area",
    "required_attachments",
    "budget_categories",
    "form_fields",
    "ranking_method",
)


def _call_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: data[k] for k in CALL_FIELDS if data.get(k) is not None}
    values["budget"] = _decimal(data.get("budget"), "budget", "批次总经费")
    if data.get("max_request") not in (None, ""):
        values["max_request"] = _decimal(data["max_request"], "max_request", "单项申请经费上限")
    try:
        values["criteria"] = [
            {
                "code": c.code,
                "name": c.name,
                "max_points": str(c.max_points),
                "guidance": c.guidance,
            }
            for c in parse_criteria(data.get("criteria") or DEFAULT_CRITERIA)
        ]
        values["eligibility"] = check_rules(data.get("eligibility") or [])
    except ProgramRuleError as error:
        raise _rule(error) from error
    return values


@transaction.atomic
def create_call(user: Any, program: Program, data: dict[str, Any]) -> Call:
    """A call fixes the latest version of its mode's workflow (or the one given)."""
    MANAGE_PROGRAMS.check(user)
    values = _call_values(data)
    mode = values.get("mode")
    if mode not in MODE_WORKFLOW:
        raise ValidationError(
            {"mode": [f"组织方式“{mode}”无效，可选：常规申报、揭榜挂帅、赛马制。"]}
        )
    version = data.get("workflow_version")
    if version is None:
        ensure_builtin_workflows()
        version = Workflow.objects.get(code=MODE_WORKFLOW[mode]).latest
    closes, opens = values.get("closes_at"), values.get("opens_at")
    if closes and opens and closes <= opens:
        raise ValidationError({"closes_at": ["申报截止时间应晚于开始受理时间。"]})
    values.update(program=program, workflow_version=version)
    return save_instance(user, Call(), values)


@transaction.atomic
def set_call_status(user: Any, call: Call, status: str) -> Call:
    MANAGE_PROGRAMS.check(user)
    order = [CallStatus.DRAFT, CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.RESULTS]
    if status not in order or order.index(status) != order.index(call.status) + 1:
        raise ValidationError(
            {"status": [f"批次当前为“{call.get_status_display()}”，不能改为“{status}”。"]}
        )
    values: dict[str, Any] = {"status": status}
    if status == CallStatus.RESULTS:
        values["results_published_at"] = now()
    save_instance(user, call, values)
    if status == CallStatus.PUBLISHED:
        for challenge in call.challenges.filter(status=ChallengeStatus.DRAFT):
            save_instance(user, challenge, {"status": ChallengeStatus.PUBLISHED})
    if status == CallStatus.RESULTS:
        for award in Award.objects.filter(application__call=call, published=False):
            save_instance(user, award, {"published": True})
    return call


def _targets(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise ValidationError({"targets": ["请至少填写一项量化考核指标（名称、单位、目标值）。"]})
    out = []
    for i, row in enumerate(value, 1):
        name = str((row or {}).get("name") or "").strip() if isinstance(row, dict) else ""
        target = row.get("value") if isinstance(row, dict) else None
        if not name or target in (None, ""):
            raise ValidationError(
                {"targets": [f"第 {i} 项考核指标缺少名称或目标值：指标必须量化。"]}
            )
        out.append({"name": name, "unit": str(row.get("unit") or ""), "value": str(target)})
    return out


@transaction.atomic
def create_challenge(user: Any, call: Call, data: dict[str, Any]) -> Challenge:
    MANAGE_PROGRAMS.check(user)
    if call.mode == CallMode.REGULAR:
        raise ValidationError({"call": ["常规申报批次没有榜单：榜单用于揭榜挂帅和赛马制。"]})
    issuer = None
    if data.get("issuer_uscc"):
        issuer = registry_selectors.organization_by_uscc(user, data["issuer_uscc"], "issuer_uscc")
    values = {
        "call": call,
        "code": str(data.get("code") or "").strip(),
        "title": str(data.get("title") or "").strip(),
        "problem": str(data.get("problem") or "").strip(),
        "targets": _targets(data.get("targets")),
        "budget_cap": _decimal(data.get("budget_cap"), "budget_cap", "财政经费上限"),
        "co_funding": _decimal(data.get("co_funding"), "co_funding", "配套经费", Decimal(0)),
        "deadline": data.get("deadline"),
        "issuer": issuer,
        "issuer_name": issuer.name if issuer else str(data.get("issuer_name") or ""),
        "industry": registry_selectors.industry_by_reference(user, data.get("industry")),
        "status": ChallengeStatus.PUBLISHED
        if call.status == CallStatus.PUBLISHED
        else ChallengeStatus.DRAFT,
    }
    challenge = save_instance(user, Challenge(), values)
    fields = registry_selectors.tech_fields_by_reference(
        user, data.get("tech_fields") or [], "tech_fields"
    )
    challenge.tech_fields.set(fields)
    return challenge


# --- applications ---------------------------------------------------------------------------------


def _partners(data: dict[str, Any], own: Organization) -> list[tuple[Organization, str]]:
    """Co-applicants by credit code (a public identifier: any registered organization may be
    named as a partner), each with its role."""
    out = []
    for i, row in enumerate(data.get("partners") or [], 1):
        code = str((row or {}).get("uscc") or "").strip().upper() if isinstance(row, dict) else ""
        role = row.get("role", PartnerRole.CO_APPLICANT) if isinstance(row, dict) else ""
        organization = selectors.organization_for_partner(code)
        if organization is None:
            raise ValidationError(
                {"partners": [f"第 {i} 个合作单位：未知的统一社会信用代码“{code}”。"]}
            )
        if organization == own:
            raise ValidationError({"partners": [f"第 {i} 个合作单位是申报单位本身。"]})
        if role not in PartnerRole.values:
            raise ValidationError({"partners": [f"第 {i} 个合作单位的角色“{role}”无效。"]})
        out.append((organization, role))
    return out


def _budget(call: Call, data: dict[str, Any]) -> tuple[dict[str, str], Decimal, Decimal]:
    """The budget by category; its categories sum to requested + self funding."""
    raw = data.get("budget") or {}
    if not isinstance(raw, dict):
        raise ValidationError({"budget": ["预算应按科目填写（科目: 金额）。"]})
    allowed = call.budget_categories or []
    budget: dict[str, str] = {}
    for category, amount in raw.items():
        if allowed and category not in allowed:
            raise ValidationError(
                {"budget": [f"预算科目“{category}”不在本批次的科目中：{'、'.join(allowed)}。"]}
            )
        budget[str(category)] = str(_decimal(amount, "budget", f"预算科目“{category}”的金额"))
    requested = _decimal(data.get("requested"), "requested", "申请财政经费", Decimal(0))
    own = _decimal(data.get("self_funding"), "self_funding", "自筹经费", Decimal(0))
    total = sum((Decimal(v) for v in budget.values()), Decimal(0))
    if budget and total != requested + own:
        raise ValidationError(
            {
                "budget": [
                    f"各预算科目合计 {fmt(total)} 万元，"
                    f"与申请财政经费 {fmt(requested)} 万元加自筹经费 {fmt(own)} 万元"
                    f"（{fmt(requested + own)} 万元）不一致，请核对。"
                ]
            }
        )
    return budget, requested, own


def _form_data(call: Call, data: dict[str, Any]) -> dict[str, str]:
    sent = data.get("form_data") or {}
    if not isinstance(sent, dict):
        raise ValidationError({"form_data": ["申报书其他内容应为“字段: 内容”形式。"]})
    codes = {f.get("code") for f in call.form_fields}
    unknown = sorted(set(sent) - codes)
    if unknown:
        raise ValidationError({"form_data": [f"本批次申报书没有字段：{'、'.join(unknown)}。"]})
    return {k: str(v) for k, v in sent.items()}


def _challenge(call: Call, value: Any) -> Challenge | None:
    if call.mode == CallMode.REGULAR:
        if value:
            raise ValidationError({"challenge": ["常规申报批次没有榜单，请不要填写榜单。"]})
        return None
    found = (
        call.challenges.filter(pk=value, status=ChallengeStatus.PUBLISHED).first()
        if value
        else None
    )
    if found is None:
        raise ValidationError(
            {"challenge": [f"请选择本批次已发榜的榜单（未知的榜单“{value or ''}”）。"]}
        )
    return found


def _application_values(user: Any, call: Call, data: dict[str, Any]) -> dict[str, Any]:
    budget, requested, own = _budget(call, data)
    leader = None
    if data.get("leader"):
        if not str(data["leader"]).isdigit():
            raise ValidationError(
                {"leader": [f"项目负责人应填写人才编号（数字），而非“{data['leader']}”。"]}
            )
        leader = registry_selectors.talents_by_id(user, [int(data["leader"])], "leader")[0]
    return {
        "title": str(data.get("title") or "").strip(),
        "summary": str(data.get("summary") or "").strip(),
        "budget": budget,
        "requested": requested,
        "self_funding": own,
        "leader": leader,
        "form_data": _form_data(call, data),
    }


def _set_relations(user: Any, application: Application, data: dict[str, Any]) -> None:
    if "members" in data:
        ids = [int(i) for i in data.get("members") or [] if str(i).isdigit()]
        if len(ids) != len(data.get("members") or []):
            raise ValidationError({"members": ["团队成员应填写人才编号（数字）。"]})
        application.members.set(registry_selectors.talents_by_id(user, ids, "members"))
    if "tech_fields" in data:
        application.tech_fields.set(
            registry_selectors.tech_fields_by_reference(
                user, data["tech_fields"] or [], "tech_fields"
            )
        )
    if "partners" in data:
        partners = _partners(data, application.organization)
        application.partners.all().delete()
        for organization, role in partners:
            ApplicationPartner.objects.create(
                application=application, organization=organization, role=role
            )


@transaction.atomic
def create_application(user: Any, call: Call, data: dict[str, Any]) -> Application:
    """A draft application (or bid) of the user's own organization."""
    APPLY_PROGRAM.check(user)
    if not selectors.calls_for(user).filter(pk=call.pk).exists():
        raise PermissionDenied("您无权查看该申报批次。")
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(
            {"call": [f"批次“{call.title}”当前为“{call.get_status_display()}”，不受理申报。"]}
        )
    values = _application_values(user, call, data)
    values.update(
        call=call,
        challenge=_challenge(call, data.get("challenge")),
        organization=user.organization,
        phase=call.workflow.start,
        applicant=user,
    )
    application = save_instance(user, Application(), values)
    _set_relations(user, application, data)
    return application


@transaction.atomic
def update_application(user: Any, application: Application, data: dict[str, Any]) -> Application:
    APPLY_PROGRAM.check(user)
    ensure_can(user, "change", application)
    if application.phase != application.call.workflow.start:
        raise ValidationError(
            {"phase": [f"申报当前为“{application.phase_label}”，只有填报中的申报可以修改。"]}
        )
    values = _application_values(user, application.call, {**_current(application), **data})
    save_instance(user, application, values)
    _set_relations(user, application, data)
    return application


def _current(application: Application) -> dict[str, Any]:
    return {
        "title": application.title,
        "summary": application.summary,
        "budget": application.budget,
        "requested": application.requested,
        "self_funding": application.self_funding,
        "leader": application.leader_id,
        "form_data": application.form_data,
    }


@transaction.atomic
def add_attachment(
    user: Any, application: Application, kind: str, content: bytes, name: str
) -> ApplicationAttachment:
    APPLY_PROGRAM.check(user)
    ensure_can(user, "change", application)
    if application.phase != application.call.workflow.start:
        raise ValidationError({"attachment": ["只有填报中的申报可以上传附件。"]})
    try:
        content_type = check_attachment(content, name)
    except ProgramRuleError as error:
        raise _rule(error) from error
    attachment = ApplicationAttachment(application=application)
    extension = {"jpeg": "jpg"}.get(content_type, content_type)
    attachment.file.save(
        f"app-{secrets.token_hex(8)}.{extension}", ContentFile(content), save=False
    )
    return save_instance(
        user,
        attachment,
        {
            "kind": (kind or "").strip()[:100] or "其他附件",
            "file_name": name[:200],
            "content_type": content_type,
        },
    )


def snapshot(application: Application) -> dict[str, Any]:
    return {
        "项目名称": application.title,
        "项目摘要": application.summary,
        "项目负责人": str(application.leader) if application.leader else "",
        "团队成员": sorted(str(m) for m in application.members.all()),
        "合作单位": sorted(
            f"{p.organization.name}（{p.get_role_display()}）" for p in application.partners.all()
        ),
        "申请财政经费": fmt(application.requested),
        "自筹经费": fmt(application.self_funding),
        "预算": dict(sorted(application.budget.items())),
        "附件": sorted(f"{a.kind}：{a.file_name}" for a in application.attachments.all()),
        **{f"申报书·{k}": v for k, v in sorted(application.form_data.items())},
    }


def revision_diff(application: Application, number: int) -> list[tuple[str, Any, Any]]:
    """(field, before, after) between revision `number` - 1 and `number`."""
    revisions = {r.number: r.content for r in application.revisions.all()}
    after = revisions.get(number, {})
    before = revisions.get(number - 1, {})
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


# --- submission checks --------------------------------------------------------------------------


def organization_facts(organization: Organization, day: dt.date) -> OrganizationFacts:
    kinds = frozenset(
        Qualification.objects.filter(organization=organization)
        .filter(Qualification.in_force_on(day) & Qualification.counted())
        .values_list("kind", flat=True)
    )
    return OrganizationFacts(
        organization.name,
        organization.kind,
        organization.get_kind_display(),
        organization.founded_on,
        kinds,
    )


def submission_problems(application: Application, at: dt.datetime) -> dict[str, list[str]]:
    """Everything that keeps the application from being submitted, by field, in Chinese."""
    call, problems = application.call, {}
    deadline = call.closes_at
    if application.challenge and application.challenge.deadline:
        deadline = min(deadline, application.challenge.deadline)
    if at > deadline:
        local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
        problems["submitted_at"] = [f"已过申报截止时间（{local}），系统不再接受提交。"]
    labels = {**dict(QualificationKind.choices), **dict(OrganizationKind.choices)}
    reasons_found = reasons(
        call.eligibility, organization_facts(application.organization, at.date()), at.date(), labels
    )
    if reasons_found:
        problems["eligibility"] = reasons_found
    cap = application.challenge.budget_cap if application.challenge else call.max_request
    if cap is not None and application.requested > cap:
        where = "榜单" if application.challenge else "本批次"
        problems["requested"] = [
            f"申请财政经费 {fmt(application.requested)} 万元超过{where}上限 {fmt(cap)} 万元。"
        ]
    if application.requested <= 0:
        problems.setdefault("requested", []).append("请填写申请财政经费。")
    have = set(application.attachments.values_list("kind", flat=True))
    missing = [k for k in call.required_attachments if k not in have]
    if missing:
        problems["attachments"] = [f"缺少必备附件：{'、'.join(missing)}。"]
    required = [
        f
        for f in call.form_fields
        if f.get("required") and not application.form_data.get(f.get("code"))
    ]
    if required:
        problems["form_data"] = [
            f"请填写申报书字段：{'、'.join(f.get('name', '') for f in required)}。"
        ]
    if not application.leader_id:
        problems["leader"] = ["请指定项目负责人。"]
    return problems


# --- the workflow ---------------------------------------------------------------------------------


def check_integrity(application: Application, doing: str, field: str) -> None:
    """Refuse while an integrity record (科研诚信) restricts the applying organization, the
    project leader or a team member."""
    people = list(application.members.all())
    if application.leader_id:
        people.insert(0, application.leader)
    records = registry_selectors.integrity_in_force(org=application.organization)
    for person in people:
        records += registry_selectors.integrity_in_force(person=person)
    if records:
        raise ValidationError({field: [registry_selectors.integrity_refusal(records, doing)]})


def workflow_role(user: Any, application: Application) -> str:
    """The workflow role the user holds for this application ("" for none)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser or user.role == Role.CITY_ADMIN:
        return "admin"
    if user.role in CITY_ROLES:
        return "staff"
    if user.role in ORGANIZATION_ROLES and user.organization_id == application.organization_id:
        return "applicant"
    if user.role == Role.EXPERT and application.assignments.filter(expert__user=user).exists():
        return "expert"
    return ""


def facts(application: Application, note: str = "") -> dict[str, bool]:
    call = application.call
    active = selectors.active_assignments(application)
    n = active.count()
    return {
        "before_deadline": True,  # checked with its reason by submission_problems
        "eligible": True,
        "budget_within_cap": True,
        "reason_given": bool(note.strip()),
        "reviewers_assigned": n >= min(call.reviews_per_application, 1) and n > 0,
        "all_reviews_in": n > 0 and not active.filter(review__isnull=True).exists(),
        "defence_scored": application.defence.exists(),
        "decision_recorded": hasattr(application, "decision")
        and Decision.objects.filter(application=application).exists(),
    }


def _allowed_role(workflow: Any, phase: str, transition: str, role: str) -> str:
    """Administrators also hold the staff role."""
    if role == "admin":
        for t in workflow.phase(phase).transitions:
            if t.code == transition and "admin" not in t.roles and "staff" in t.roles:
                return "staff"
    return role


@transaction.atomic
def transition(user: Any, application: Application, code: str, note: str = "") -> Application:
    """Move the application along its call's workflow version: the role and every guard are
    checked by the engine; the change is saved (audited) and recorded in the history."""
    ensure_can(user, "view", application)
    Application.objects.select_for_update().filter(pk=application.pk).exists()
    application.refresh_from_db()
    workflow = application.call.workflow
    role = workflow_role(user, application)
    if not role:
        raise PermissionDenied("您不是该申报的申报单位、评审专家或市科技局工作人员，不能办理。")
    role = _allowed_role(workflow, application.phase, code, role)
    offered = {t.code: t for t in workflow.phase(application.phase).transitions}
    if code in offered and role not in offered[code].roles:
        allowed = "、".join(ROLES.get(r, r) for r in offered[code].roles)
        raise PermissionDenied(f"“{offered[code].label}”只能由{allowed}操作。")
    if code == "submit":
        check_integrity(application, "提交申报", "submitted_at")
        problems = submission_problems(application, now())
        if problems:
            raise ValidationError(problems)
    try:
        step = workflow.advance(application.phase, code, role, facts(application, note))
    except ProgramRuleError as error:
        raise ValidationError({"transition": error.errors["transition"]}) from error
    values: dict[str, Any] = {"phase": step.target}
    if code == "submit":
        values.update(submitted_at=now(), revision=application.revision + 1)
    if step.form == "formal_check" or code in ("return", "fail_check"):
        values["formal_check_note"] = note
    _save_phase(user, application, values)
    if code == "submit":
        ApplicationRevision.objects.create(
            application=application, number=application.revision, content=snapshot(application)
        )
    PhaseChange.objects.create(
        application=application,
        transition=step.code,
        label=step.label,
        source=step.source,
        target=step.target,
        note=note,
        actor=user,
    )
    _after(user, application, step.target)
    return application


def _save_phase(user: Any, application: Application, values: dict[str, Any]) -> None:
    """The phase change is the workflow's, whoever takes the step (an applicant's submission
    changes its own row; staff's steps are within their scope)."""
    save_instance(user, application, values)


def _after(user: Any, application: Application, phase: str) -> None:
    challenge = application.challenge
    if phase == "awarded" and challenge and challenge.status != ChallengeStatus.AWARDED:
        save_instance(user, challenge, {"status": ChallengeStatus.AWARDED})


# --- expert pool and assignment -------------------------------------------------------------------


@transaction.atomic
def add_expert(user: Any, data: dict[str, Any]) -> Expert:
    MANAGE_PROGRAMS.check(user)
    talent = registry_selectors.talents_by_id(user, [data.get("talent")], "talent")[0]
    values = {
        "talent": talent,
        "expertise": str(data.get("expertise") or talent.expertise or ""),
        "max_load": int(data.get("max_load") or 10),
        "available": bool(data.get("available", True)),
        "user": data.get("user"),
    }
    expert = save_instance(user, Expert(), values)
    if data.get("collaborators"):
        expert.collaborators.set(
            registry_selectors.talents_by_id(user, data["collaborators"], "collaborators")
        )
    return expert


def _people(application: Application) -> set[int]:
    people = set(application.members.values_list("pk", flat=True))
    if application.leader_id:
        people.add(application.leader_id)
    return people


def _team_mates(talent_ids: set[int]) -> dict[int, set[int]]:
    """For each talent, the people they worked with in a registry team (leader or member)."""
    mates: dict[int, set[int]] = {t: set() for t in talent_ids}
    for team in Team.objects.prefetch_related("members"):
        people = {m.pk for m in team.members.all()} | (
            {team.leader_id} if team.leader_id else set()
        )
        for t in people & talent_ids:
            mates[t] |= people - {t}
    return mates


def engine_application(
    application: Application, need: int | None = None
) -> engine_assignment.Application:
    organizations = {str(application.organization_id)} | {
        str(p.organization_id) for p in application.partners.all()
    }
    fields = {f.code for f in application.tech_fields.all()}
    if application.challenge:
        fields |= {f.code for f in application.challenge.tech_fields.all()}
    return engine_assignment.Application(
        str(application.pk),
        frozenset(organizations),
        frozenset(str(p) for p in _people(application)),
        frozenset(fields),
        f"{application.title} {application.summary}",
        str(application.organization.area_id),
        need,
    )


def engine_experts(experts: list[Expert], call: Call) -> list[engine_assignment.Expert]:
    load = selectors.expert_load(call)
    mates = _team_mates({e.talent_id for e in experts})
    conflicts: dict[int, set[str]] = {}
    for a in Assignment.objects.filter(expert__in=experts, status=AssignmentStatus.CONFLICT):
        conflicts.setdefault(a.expert_id, set()).add(str(a.application_id))
    out = []
    for e in experts:
        collaborators = {str(c.pk) for c in e.collaborators.all()} | {
            str(m) for m in mates[e.talent_id]
        }
        out.append(
            engine_assignment.Expert(
                str(e.pk),
                str(e.talent_id),
                str(e.talent.organization_id),
                frozenset(f.code for f in e.talent.tech_fields.all()),
                f"{e.expertise} {e.talent.expertise}",
                max(e.max_load - load.get(e.pk, 0), 0) if e.available else 0,
                frozenset(collaborators),
                frozenset(conflicts.get(e.pk, set())),
                str(e.talent.organization.area_id),
            )
        )
    return out


@transaction.atomic
def auto_assign(user: Any, call: Call) -> engine_assignment.Result:
    """Assign reviewers to every application of the call in expert review that still lacks
    them: the engine's min-cost flow under recusal and load limits."""
    MANAGE_PROGRAMS.check(user)
    applications = list(
        call.applications.filter(phase="review")
        .select_related("organization", "challenge")
        .prefetch_related(
            "partners", "members", "tech_fields", "challenge__tech_fields", "assignments"
        )
    )
    k = call.reviews_per_application
    apps = []
    for application in applications:
        have = sum(1 for a in application.assignments.all() if a.status in ACTIVE_ASSIGNMENT)
        if have < k:
            apps.append(engine_application(application, k - have))
    already = {
        (a.application_id, a.expert_id) for a in Assignment.objects.filter(application__call=call)
    }
    experts = list(
        Expert.objects.filter(available=True)
        # An expert under an integrity restriction (科研诚信) reviews nothing.
        .exclude(talent_id__in=registry_selectors.restricted_talent_ids())
        .select_related("talent__organization")
        .prefetch_related("collaborators", "talent__tech_fields")
    )
    pool = engine_experts(experts, call)
    # An expert already assigned to (or excused from) an application is not assigned again.
    seen: dict[str, set[str]] = {}
    for application_id, expert_id in already:
        seen.setdefault(str(expert_id), set()).add(str(application_id))
    pool = [replace(e, conflicts=e.conflicts | seen.get(e.id, set())) for e in pool]
    result = engine_assignment.assign(k, apps, pool, call.recuse_same_area)
    by_id = {str(e.pk): e for e in experts}
    for app_id, expert_ids in result.assignments.items():
        for expert_id in expert_ids:
            save_instance(
                user,
                Assignment(),
                {
                    "application_id": int(app_id),
                    "expert": by_id[expert_id],
                    "fit": result.fits.get((app_id, expert_id), 0.0),
                },
            )
    return result


@transaction.atomic
def assign_manually(user: Any, application: Application, expert: Expert) -> Assignment:
    """Staff's own choice of a reviewer: the same recusal rules and load limit apply."""
    MANAGE_PROGRAMS.check(user)
    call = application.call
    if application.phase != "review":
        raise ValidationError(
            {
                "expert": [
                    f"申报当前为“{application.phase_label}”，只有专家评审中的申报可以分配专家。"
                ]
            }
        )
    existing = Assignment.objects.filter(application=application, expert=expert).first()
    if existing is not None:
        raise ValidationError(
            {"expert": [f"专家{expert}已分配过该申报（{existing.get_status_display()}）。"]}
        )
    records = registry_selectors.integrity_in_force(person=expert.talent)
    if records:
        refusal = registry_selectors.integrity_refusal(records, f"指定专家{expert}评审")
        raise ValidationError({"expert": [refusal]})
    engine_exp = engine_experts([expert], call)[0]
    why = engine_assignment.recusal_reasons(
        engine_application(application), engine_exp, call.recuse_same_area
    )
    if why:
        raise ValidationError({"expert": [f"不能指定专家{expert}：{r}。" for r in why]})
    if not expert.available or engine_exp.max_load <= 0:
        raise ValidationError(
            {
                "expert": [
                    f"专家{expert}本批次评审量已达上限（{expert.max_load} 项）或暂不可参加评审。"
                ]
            }
        )
    return save_instance(
        user, Assignment(), {"application": application, "expert": expert, "manual": True}
    )


@transaction.atomic
def decline(user: Any, assignment: Assignment, reason: str, conflict: bool = False) -> Assignment:
    """The expert declines, or declares a conflict of interest, with a reason."""
    REVIEW_APPLICATIONS.check(user)
    ensure_can(user, "change", assignment)
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise ValidationError(
            {"status": [f"该分配当前为“{assignment.get_status_display()}”，不能再谢绝。"]}
        )
    if not reason.strip():
        raise ValidationError({"reason": ["请填写谢绝或利益冲突的理由。"]})
    status = AssignmentStatus.CONFLICT if conflict else AssignmentStatus.DECLINED
    return save_instance(user, assignment, {"status": status, "reason": reason.strip()})


@transaction.atomic
def submit_review(user: Any, assignment: Assignment, data: dict[str, Any]) -> Review:
    REVIEW_APPLICATIONS.check(user)
    ensure_can(user, "change", assignment)
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise ValidationError(
            {"status": [f"该评审当前为“{assignment.get_status_display()}”，不能提交评审意见。"]}
        )
    if assignment.application.phase != "review":
        raise ValidationError({"status": ["该申报已不在专家评审环节，不能再提交评审意见。"]})
    call = assignment.application.call
    marks = data.get("marks") or {}
    if not isinstance(marks, dict):
        raise ValidationError({"marks": ["各指标得分应为“指标: 分数”形式。"]})
    try:
        total = weighted_total(parse_criteria(call.criteria), marks)
    except ProgramRuleError as error:
        raise _rule(error) from error
    comments = str(data.get("comments") or "").strip()
    if not comments:
        raise ValidationError({"comments": ["请填写评审意见。"]})
    recommendation = data.get("recommendation")
    if recommendation not in Recommendation.values:
        raise ValidationError(
            {"recommendation": ["请选择评审建议：建议立项、修改后立项或不建议立项。"]}
        )
    review = save_instance(
        user,
        Review(assignment=assignment),
        {
            "marks": {k: str(v) for k, v in marks.items()},
            "total": total,
            "comments": comments,
            "recommendation": recommendation,
        },
    )
    save_instance(user, assignment, {"status": AssignmentStatus.SUBMITTED})
    return review


@transaction.atomic
def record_defence(user: Any, application: Application, data: dict[str, Any]) -> DefenceScore:
    MANAGE_PROGRAMS.check(user)
    if application.phase != "defence":
        raise ValidationError({"phase": [f"申报当前为“{application.phase_label}”，不在答辩环节。"]})
    score = _decimal(data.get("score"), "score", "答辩得分")
    if score > 100:
        raise ValidationError(
            {"score": [f"答辩得分 {fmt(score)} 超出范围：应在 0 到 100 分之间。"]}
        )
    panelist = str(data.get("panelist") or "").strip()
    if not panelist:
        raise ValidationError({"panelist": ["请填写答辩评委。"]})
    values = {
        "application": application,
        "panelist": panelist,
        "score": score,
        "comment": str(data.get("comment") or ""),
        "held_on": data.get("held_on") or timezone.localdate(),
    }
    return save_instance(user, DefenceScore(), values)


def _award_checks(application: Application, amount: Decimal) -> None:
    call, challenge = application.call, application.challenge
    if amount <= 0:
        raise ValidationError({"amount": ["立项经费应大于 0。"]})
    if amount > application.requested:
        raise ValidationError(
            {
                "amount": [
                    f"立项经费 {fmt(amount)} 万元"
                    f"超过申请财政经费 {fmt(application.requested)} 万元。"
                ]
            }
        )
    if challenge and amount > challenge.budget_cap:
        raise ValidationError(
            {
                "amount": [
                    f"立项经费 {fmt(amount)} 万元超过榜单上限 {fmt(challenge.budget_cap)} 万元。"
                ]
            }
        )
    awards = Award.objects.filter(application__call=call)
    if challenge is not None:
        same = awards.filter(application__challenge=challenge).count()
        if same >= call.max_awards:
            raise ValidationError(
                {
                    "amount": [
                        f"榜单“{challenge.title}”已立项 {same} 项，"
                        f"本批次每个榜单最多立项 {call.max_awards} 项。"
                    ]
                }
            )
    spent = sum((a.amount for a in awards), Decimal(0))
    if spent + amount > call.budget:
        raise ValidationError(
            {
                "amount": [
                    f"本批次已立项 {fmt(spent)} 万元，"
                    f"再立项 {fmt(amount)} 万元将超过批次总经费 {fmt(call.budget)} 万元。"
                ]
            }
        )


@transaction.atomic
def decide(user: Any, application: Application, data: dict[str, Any]) -> Application:
    """The decision with its reasons (and the budget awarded), then the workflow step."""
    MANAGE_PROGRAMS.check(user)
    funded = bool(data.get("funded"))
    reasons_text = str(data.get("reasons") or "").strip()
    if not reasons_text:
        raise ValidationError({"reasons": ["请填写立项或不予立项的理由。"]})
    if application.phase != "decision":
        raise ValidationError(
            {"phase": [f"申报当前为“{application.phase_label}”，尚未到立项决定环节。"]}
        )
    day = data.get("decided_on") or timezone.localdate()
    if funded:
        amount = _decimal(data.get("amount"), "amount", "立项经费")
        _award_checks(application, amount)
        check_integrity(application, "立项", "funded")
    save_instance(
        user,
        Decision(),
        {"application": application, "funded": funded, "reasons": reasons_text, "decided_on": day},
    )
    if funded:
        rank = next(
            (
                i
                for i, r in enumerate(selectors.ranking(application.call), 1)
                if r["application"].pk == application.pk
            ),
            None,
        )
        save_instance(
            user,
            Award(),
            {
                "application": application,
                "amount": amount,
                "reasons": reasons_text,
                "decided_on": day,
                "rank": rank,
                "is_demo": application.is_demo,
            },
        )
    return transition(user, application, "award" if funded else "decline", reasons_text)


def available_transitions(user: Any, application: Application) -> list[Any]:
    """The steps the user may offer on the application's page (guards checked when taken)."""
    role = workflow_role(user, application)
    if not role:
        return []
    workflow = application.call.workflow
    roles = {"staff", "admin"} if role == "admin" else {role}
    return [t for t in workflow.phase(application.phase).transitions if roles & set(t.roles)]
