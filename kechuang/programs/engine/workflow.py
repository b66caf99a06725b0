"""Workflows as data: a definition is stages → phases → transitions, each transition with the
roles allowed, its guards and the form that applies. The definition is a plain dict (stored as
JSON by the app, one row per version); this module parses it, validates it and moves an
application from phase to phase. No Django.

Roles are the workflow's own: `applicant` (the applying organization's users), `staff` (city
bureau staff), `expert` (an assigned reviewer), `admin`. Guards are named facts the caller
computes ("形式审查已通过", "评审意见已全部提交" …); the engine only says which are missing.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from kechuang.programs.engine.errors import ProgramRuleError

ROLES = {
    "applicant": "申报单位",
    "staff": "市科技局工作人员",
    "expert": "评审专家",
    "admin": "管理员",
}

GUARDS = {
    "before_deadline": "在申报截止时间之前",
    "eligible": "申报资格审核通过",
    "budget_within_cap": "申请经费不超过榜单或指南上限",
    "formal_check_passed": "形式审查已通过",
    "reviewers_assigned": "已分配足够的评审专家",
    "all_reviews_in": "评审意见已全部提交",
    "defence_scored": "答辩已评分",
    "decision_recorded": "已录入立项决定及理由",
    "reason_given": "已填写理由",
}

FORMS = {
    "": "（无表单）",
    "application": "申报书",
    "formal_check": "形式审查表",
    "review": "专家评审表",
    "defence": "答辩评分表",
    "decision": "立项决定",
    "reason": "理由说明",
}

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    source: str
    target: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    form: str = ""


@dataclass(frozen=True)
class Phase:
    code: str
    label: str
    stage: str
    terminal: bool = False
    outcome: str = ""  # for terminal phases: "awarded", "rejected", "withdrawn", …
    transitions: tuple[Transition, ...] = ()


@dataclass(frozen=True)
class Workflow:
    code: str
    label: str
    start: str
    stages: tuple[tuple[str, str], ...]
    phases: dict[str, Phase] = field(default_factory=dict)

    def phase(self, code: str) -> Phase:
        try:
            return self.phases[code]
        except KeyError:
            raise ProgramRuleError.on("phase", f"流程“{self.label}”中没有环节“{code}”。") from None

    def transitions_for(self, phase: str, role: str) -> list[Transition]:
        """The transitions `role` may take from `phase` (guards not yet checked)."""
        return [t for t in self.phase(phase).transitions if role in t.roles]

    def advance(self, phase: str, transition: str, role: str, facts: dict[str, bool]) -> Transition:
        """The transition to take, after checking the role and every guard; raises otherwise."""
        current = self.phase(phase)
        found = next((t for t in current.transitions if t.code == transition), None)
        if found is None:
            raise ProgramRuleError.on(
                "transition", f"环节“{current.label}”没有操作“{transition}”，请刷新页面后重试。"
            )
        if role not in found.roles:
            allowed = "、".join(ROLES.get(r, r) for r in found.roles)
            raise ProgramRuleError.on(
                "transition", f"“{found.label}”只能由{allowed}操作，您的角色不能执行此操作。"
            )
        missing = [g for g in found.guards if not facts.get(g)]
        if missing:
            names = "；".join(GUARDS.get(g, g) for g in missing)
            raise ProgramRuleError.on(
                "transition", f"暂不能“{found.label}”，以下条件尚未满足：{names}。"
            )
        return found

    def to_dict(self) -> dict[str, Any]:
        stages = []
        for code, label in self.stages:
            phases = [p for p in self.phases.values() if p.stage == code]
            stages.append({"code": code, "name": label, "phases": [_phase_dict(p) for p in phases]})
        return {"code": self.code, "name": self.label, "start": self.start, "stages": stages}


def _phase_dict(phase: Phase) -> dict[str, Any]:
    data: dict[str, Any] = {"code": phase.code, "name": phase.label}
    if phase.terminal:
        data["terminal"] = True
        data["outcome"] = phase.outcome
    data["transitions"] = [
        {
            "code": t.code,
            "name": t.label,
            "to": t.target,
            "roles": list(t.roles),
            "guards": list(t.guards),
            "form": t.form,
        }
        for t in phase.transitions
    ]
    return data


def _text(data: dict[str, Any], key: str, where: str, errors: list[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}缺少“{key}”（文字）。")
        return ""
    return value.strip()


def _code(data: dict[str, Any], where: str, errors: list[str]) -> str:
    code = _text(data, "code", where, errors)
    if code and not CODE_RE.match(code):
        errors.append(
            f"{where}的编码“{code}”无效：请用小写字母开头，"
            "只含小写字母、数字和下划线，不超过 40 个字符。"
        )
    return code


def _parse_transition(data: Any, source: str, where: str, errors: list[str]) -> Transition | None:
    if not isinstance(data, dict):
        errors.append(f"{where}应为对象。")
        return None
    code = _code(data, where, errors)
    label = _text(data, "name", where, errors)
    target = _text(data, "to", where, errors)
    roles = tuple(data.get("roles") or ())
    guards = tuple(data.get("guards") or ())
    form = data.get("form") or ""
    if not roles:
        errors.append(f"{where}（{label or code}）没有指定可操作的角色。")
    errors.extend(
        f"{where}（{label or code}）的角色“{r}”未知，可选：{'、'.join(ROLES)}。"
        for r in roles
        if r not in ROLES
    )
    errors.extend(
        f"{where}（{label or code}）的条件“{g}”未知，可选：{'、'.join(GUARDS)}。"
        for g in guards
        if g not in GUARDS
    )
    if form not in FORMS:
        errors.append(f"{where}（{label or code}）的表单“{form}”未知，可选：{'、'.join(FORMS)}。")
    return Transition(code, label, source, target, roles, guards, form)


def _parse_phase(data: Any, stage: str, where: str, errors: list[str]) -> Phase | None:
    if not isinstance(data, dict):
        errors.append(f"{where}应为对象。")
        return None
    code = _code(data, where, errors)
    label = _text(data, "name", where, errors)
    raw = data.get("transitions") or []
    if not isinstance(raw, list):
        errors.append(f"{where}（{label or code}）的 transitions 应为列表。")
        raw = []
    transitions = []
    for j, item in enumerate(raw, 1):
        parsed = _parse_transition(item, code, f"{where}（{label or code}）第 {j} 个操作", errors)
        if parsed:
            transitions.append(parsed)
    terminal = bool(data.get("terminal"))
    return Phase(code, label, stage, terminal, str(data.get("outcome") or ""), tuple(transitions))


def parse(data: Any) -> Workflow:
    """The workflow of a definition dict; every problem in one ProgramRuleError."""
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ProgramRuleError.on("definition", "流程定义应为 JSON 对象。")
    code = _code(data, "流程", errors)
    label = _text(data, "name", "流程", errors)
    start = _text(data, "start", "流程", errors)
    stages: list[tuple[str, str]] = []
    phases: dict[str, Phase] = {}
    for i, stage in enumerate(data.get("stages") or [], 1):
        if not isinstance(stage, dict):
            errors.append(f"第 {i} 个阶段应为对象。")
            continue
        scode = _code(stage, f"第 {i} 个阶段", errors)
        stages.append((scode, _text(stage, "name", f"第 {i} 个阶段", errors)))
        for j, raw in enumerate(stage.get("phases") or [], 1):
            phase = _parse_phase(raw, scode, f"第 {i} 个阶段第 {j} 个环节", errors)
            if phase is None:
                continue
            if phase.code in phases:
                errors.append(f"环节编码“{phase.code}”重复：每个环节的编码必须唯一。")
            phases[phase.code] = phase
    if not phases:
        errors.append("流程至少需要一个环节。")
    if errors:
        raise ProgramRuleError({"definition": errors})
    workflow = Workflow(code, label, start, tuple(stages), phases)
    problems = structural_problems(workflow)
    if problems:
        raise ProgramRuleError({"definition": problems})
    return workflow


def _reachable(workflow: Workflow, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for t in workflow.phases[queue.popleft()].transitions:
            if t.target in workflow.phases and t.target not in seen:
                seen.add(t.target)
                queue.append(t.target)
    return seen


def structural_problems(workflow: Workflow) -> list[str]:
    """Start exists, targets exist, every phase reachable, terminals have no way out, and
    every non-terminal phase has a way out and can still reach a terminal phase."""
    problems: list[str] = []
    phases = workflow.phases
    if workflow.start not in phases:
        return [f"起始环节“{workflow.start}”不存在。"]
    for phase in phases.values():
        codes = [t.code for t in phase.transitions]
        if len(codes) != len(set(codes)):
            problems.append(f"环节“{phase.label}”中有重复的操作编码。")
        problems.extend(
            f"环节“{phase.label}”的操作“{t.label}”指向不存在的环节“{t.target}”。"
            for t in phase.transitions
            if t.target not in phases
        )
        if phase.terminal and phase.transitions:
            problems.append(f"终止环节“{phase.label}”不能再有后续操作。")
        if not phase.terminal and not phase.transitions:
            problems.append(f"环节“{phase.label}”没有后续操作：请添加操作，或将其标为终止环节。")
    if problems:
        return problems
    reachable = _reachable(workflow, workflow.start)
    problems.extend(
        f"环节“{p.label}”（{p.code}）从起始环节无法到达。"
        for code, p in phases.items()
        if code not in reachable
    )
    terminals = {c for c, p in phases.items() if p.terminal}
    if not terminals:
        problems.append("流程没有终止环节。")
    problems.extend(
        f"从环节“{p.label}”（{p.code}）出发到不了任何终止环节（死循环）。"
        for code, p in phases.items()
        if not p.terminal and not (_reachable(workflow, code) & terminals)
    )
    return problems


def compatibility_problems(previous: Workflow, new: Workflow) -> list[str]:
    """Phase codes are stable: a new version keeps every phase code of the previous one (reports,
    filters and the projects issue refer to them), with the same terminal character."""
    problems = []
    for code, phase in previous.phases.items():
        if code not in new.phases:
            problems.append(
                f"新版本删除了环节“{phase.label}”（{code}）：环节编码必须保持稳定，可修改名称但不能删除。"
            )
        elif new.phases[code].terminal != phase.terminal:
            problems.append(f"环节“{phase.label}”（{code}）不能在新版本中改变是否为终止环节。")
    if new.code != previous.code:
        problems.append(f"流程编码不能修改（原为“{previous.code}”）。")
    return problems
