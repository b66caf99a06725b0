"""Review criteria as data, under the 破"四唯" reform (中办 国办
《关于深化项目评审、人才评价、机构评估改革的意见》2018; 科技部
《关于破除科技评价中"唯论文"不良导向的若干措施（试行）》2020).

Review judges the problem, the technical route, the quantified targets and the team's fitness
for this task — never counts of papers, titles (帽子), awards or degrees. A call's criteria are
checked here before they are saved, so no configuration can reintroduce them. No Django.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kechuang.programs.engine.errors import ProgramRuleError
from kechuang.programs.engine.scores import Criterion

# Words that mark a criterion scoring papers, titles, awards or degrees
# (唯论文、唯职称、唯学历、唯奖项).
FORBIDDEN = {
    "论文": "唯论文",
    "SCI": "唯论文",
    "影响因子": "唯论文",
    "发表": "唯论文",
    "职称": "唯职称",
    "头衔": "唯帽子",
    "帽子": "唯帽子",
    "人才称号": "唯帽子",
    "院士": "唯帽子",
    "杰青": "唯帽子",
    "学历": "唯学历",
    "学位": "唯学历",
    "博士": "唯学历",
    "获奖": "唯奖项",
    "奖项": "唯奖项",
}

DEFAULT_CRITERIA: list[dict[str, Any]] = [
    {
        "code": "problem",
        "name": "需求与问题的准确性",
        "max_points": 15,
        "guidance": "是否抓住产业链的真实技术瓶颈",
    },
    {
        "code": "route",
        "name": "技术路线的创新性与可行性",
        "max_points": 30,
        "guidance": "方案是否可行、有无关键创新",
    },
    {
        "code": "targets",
        "name": "考核指标的先进性与可考核性",
        "max_points": 20,
        "guidance": "指标是否量化、可检验，是否达到榜单要求",
    },
    {
        "code": "team",
        "name": "团队与任务的匹配度",
        "max_points": 15,
        "guidance": "团队在同类任务上的实际工作与分工，不看头衔与论文数量",
    },
    {
        "code": "budget",
        "name": "经费预算的合理性",
        "max_points": 10,
        "guidance": "预算与任务量是否匹配，自筹与配套是否落实",
    },
    {
        "code": "impact",
        "name": "成果转化与产业带动",
        "max_points": 10,
        "guidance": "在本市落地转化、带动产业链的可能",
    },
]


def forbidden_in(text: str) -> str | None:
    """The 四唯 tendency a text names, if any."""
    upper = text.upper()
    for word, tendency in FORBIDDEN.items():
        if word.upper() in upper:
            return f"{tendency}（含“{word}”）"
    return None


def _parse_criterion(i: int, row: Any, errors: list[str]) -> Criterion | None:
    if not isinstance(row, dict):
        errors.append(f"第 {i} 项评审指标应为对象。")
        return None
    code, name = str(row.get("code") or "").strip(), str(row.get("name") or "").strip()
    try:
        points = Decimal(str(row.get("max_points")))
    except Exception:
        points = Decimal(-1)
    if not code or not name:
        errors.append(f"第 {i} 项评审指标缺少编码或名称。")
    if not points.is_finite() or points <= 0:
        errors.append(f"第 {i} 项评审指标“{name}”的分值应为正数。")
        points = Decimal(0)
    tendency = forbidden_in(name)
    if tendency:
        errors.append(
            f"第 {i} 项评审指标“{name}”有{tendency}倾向：按破“四唯”要求，评审指标不得按论文、"
            "头衔、奖项或学历计分，请改为评价问题、技术路线、考核指标和团队与任务的匹配度。"
        )
    return Criterion(code, name, points, str(row.get("guidance") or "").strip())


def parse_criteria(data: Any) -> list[Criterion]:
    """Criteria of a call: a list of `{code, name, max_points, guidance}`; total points 100;
    no criterion that scores papers, titles, awards or degrees."""
    if not isinstance(data, list) or not data:
        raise ProgramRuleError.on("criteria", "评审指标应为非空列表。")
    errors: list[str] = []
    criteria: list[Criterion] = []
    for i, row in enumerate(data, 1):
        parsed = _parse_criterion(i, row, errors)
        if parsed:
            criteria.append(parsed)
    codes = [c.code for c in criteria]
    if len(codes) != len(set(codes)):
        errors.append("评审指标编码重复。")
    total = sum((c.max_points for c in criteria if c.max_points > 0), Decimal(0))
    if not errors and total != 100:
        errors.append(f"评审指标的分值合计为 {total} 分，应为 100 分。")
    if errors:
        raise ProgramRuleError({"criteria": errors})
    return criteria
