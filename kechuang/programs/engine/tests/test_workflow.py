"""Workflows as data: parsing, structural validation, guards, roles and stable phase codes."""

from __future__ import annotations

import copy

import pytest

from kechuang.programs.engine.builtin import BUILTIN, challenge, regular
from kechuang.programs.engine.errors import ProgramRuleError
from kechuang.programs.engine.workflow import compatibility_problems, parse

ALL = {
    "before_deadline": True,
    "eligible": True,
    "budget_within_cap": True,
    "reason_given": True,
    "reviewers_assigned": True,
    "all_reviews_in": True,
    "defence_scored": True,
    "decision_recorded": True,
}


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_builtin_workflows_are_valid_and_round_trip(code: str) -> None:
    workflow = parse(BUILTIN[code]())
    assert workflow.code == code
    assert parse(workflow.to_dict()).phases == workflow.phases


def walk(workflow_data: dict, path: list[tuple[str, str]]) -> str:
    workflow = parse(workflow_data)
    phase = workflow.start
    for transition, role in path:
        phase = workflow.advance(phase, transition, role, ALL).target
    return phase


def test_challenge_runs_from_bid_to_award_through_defence() -> None:
    path = [
        ("submit", "applicant"),
        ("pass_check", "staff"),
        ("close_review", "staff"),
        ("close_defence", "staff"),
        ("award", "staff"),
    ]
    assert walk(challenge(), path) == "awarded"
    assert parse(challenge()).phases["awarded"].outcome == "awarded"


def test_regular_has_no_defence_and_can_return_for_revision() -> None:
    path = [
        ("submit", "applicant"),
        ("return", "staff"),
        ("submit", "applicant"),
        ("pass_check", "staff"),
        ("close_review", "staff"),
        ("decline", "staff"),
    ]
    assert walk(regular(), path) == "not_funded"
    assert "defence" not in parse(regular()).phases


def test_missing_guard_is_named_in_chinese() -> None:
    workflow = parse(regular())
    with pytest.raises(ProgramRuleError) as caught:
        workflow.advance("draft", "submit", "applicant", {**ALL, "before_deadline": False})
    assert "在申报截止时间之前" in str(caught.value)
    assert "申报资格" not in str(caught.value)


def test_role_not_allowed() -> None:
    workflow = parse(regular())
    with pytest.raises(ProgramRuleError, match="只能由市科技局工作人员、管理员操作"):
        workflow.advance("formal_check", "pass_check", "applicant", ALL)
    assert [t.code for t in workflow.transitions_for("formal_check", "applicant")] == []


def test_unknown_transition_from_phase() -> None:
    with pytest.raises(ProgramRuleError, match="没有操作“award”"):
        parse(regular()).advance("draft", "award", "staff", ALL)


def test_unreachable_phase_is_refused() -> None:
    data = regular()
    data["stages"][3]["phases"].append(
        {"code": "orphan", "name": "孤立环节", "terminal": True, "transitions": []}
    )
    with pytest.raises(ProgramRuleError, match=r"孤立环节.*无法到达"):
        parse(data)


def test_dead_end_and_trap_are_refused() -> None:
    data = regular()
    data["stages"][2]["phases"][0]["transitions"] = []
    with pytest.raises(ProgramRuleError, match=r"专家评审中.*没有后续操作"):
        parse(data)
    trap = regular()
    # review → decision, decision → review only: neither can reach an end any more.
    trap["stages"][3]["phases"][0]["transitions"] = [
        {"code": "back", "name": "重新评审", "to": "review", "roles": ["staff"]}
    ]
    with pytest.raises(ProgramRuleError) as caught:
        parse(trap)
    assert "到不了任何终止环节" in str(caught.value)


def test_bad_codes_roles_guards_and_duplicates_all_reported() -> None:
    data = regular()
    first = data["stages"][0]["phases"][0]
    first["transitions"][0]["roles"] = ["boss"]
    first["transitions"][0]["guards"] = ["moon_is_full"]
    data["stages"][1]["phases"][0]["code"] = "draft"
    data["stages"][3]["phases"][1]["code"] = "Awarded!"
    with pytest.raises(ProgramRuleError) as caught:
        parse(data)
    messages = caught.value.errors["definition"]
    assert any("角色“boss”未知" in m for m in messages)
    assert any("条件“moon_is_full”未知" in m for m in messages)
    assert any("“draft”重复" in m for m in messages)
    assert any("“Awarded!”无效" in m for m in messages)


def test_terminal_with_way_out_is_refused() -> None:
    data = regular()
    data["stages"][3]["phases"][1]["transitions"] = [
        {"code": "again", "name": "再来", "to": "draft", "roles": ["staff"]}
    ]
    with pytest.raises(ProgramRuleError, match="终止环节“已立项”不能再有后续操作"):
        parse(data)


def test_new_version_keeps_phase_codes() -> None:
    old = parse(challenge())
    renamed = copy.deepcopy(challenge())
    renamed["stages"][2]["phases"][1]["name"] = "现场答辩"
    assert compatibility_problems(old, parse(renamed)) == []
    dropped = copy.deepcopy(challenge())
    dropped["stages"][2]["phases"].pop(1)
    dropped["stages"][2]["phases"][0]["transitions"][0]["to"] = "decision"
    problems = compatibility_problems(old, parse(dropped))
    assert problems == [
        "新版本删除了环节“答辩中”（defence）：环节编码必须保持稳定，可修改名称但不能删除。"
    ]


def test_not_a_dict() -> None:
    with pytest.raises(ProgramRuleError, match="流程定义应为 JSON 对象"):
        parse([1, 2])


# --- eligibility rules (band edges) -------------------------------------------------------------

import datetime as dt  # noqa: E402

from kechuang.programs.engine.eligibility import OrganizationFacts, check_rules, reasons  # noqa: E402


def test_founded_years_band_edge() -> None:
    rules = check_rules([{"rule": "founded_years", "years": 1}])
    facts = OrganizationFacts("甲公司", "enterprise", founded_on=dt.date(2024, 3, 1))
    assert reasons(rules, facts, dt.date(2025, 3, 1)) == []  # exactly one year: eligible
    assert reasons(rules, facts, dt.date(2025, 2, 28)) == [
        "申报条件：须注册满 1 年，甲公司成立于 2024-03-01，至 2025-02-28 未满 1 年。"
    ]


def test_qualification_and_kind_rules() -> None:
    rules = check_rules(
        [
            {"rule": "qualification", "kind": "HNTE"},
            {"rule": "organization_kind", "kinds": ["enterprise"]},
        ]
    )
    holder = OrganizationFacts("乙公司", "enterprise", qualifications=frozenset({"HNTE"}))
    assert reasons(rules, holder, dt.date(2025, 1, 1)) == []
    univ = OrganizationFacts("丙学院", "university", "高等院校")
    found = reasons(
        rules, univ, dt.date(2025, 1, 1), {"HNTE": "高新技术企业", "enterprise": "企业"}
    )
    assert found == [
        "申报条件：须持有有效的高新技术企业资质，丙学院在 2025-01-01 没有有效的高新技术企业资质。",
        "申报条件：申报单位须为企业，丙学院为高等院校。",
    ]
    with pytest.raises(ProgramRuleError, match="规则“moon”未知"):
        check_rules([{"rule": "moon"}])


# --- attachments by content -----------------------------------------------------------------------

from kechuang.programs.engine.files import check_attachment  # noqa: E402


def test_attachment_must_be_what_its_name_says() -> None:
    assert check_attachment(b"%PDF-1.4 x", "可行性研究报告.pdf") == "pdf"
    with pytest.raises(ProgramRuleError) as caught:
        check_attachment(b"\x89PNG\r\n\x1a\nxx", "报告.pdf")
    assert "名为 PDF 文件，但内容是PNG 图片" in str(caught.value)
    with pytest.raises(ProgramRuleError, match="扩展名不被接受"):
        check_attachment(b"%PDF-1.4", "报告.exe")
    with pytest.raises(ProgramRuleError, match="空文件"):
        check_attachment(b"", "报告.pdf")
