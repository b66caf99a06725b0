"""The built-in workflows: 常规申报, 揭榜挂帅 and 赛马制 (plan 九（二）; the 2025-12 announcement of
the city's 重大科技专项 / 重点研发专项 calls). Each is data; administrators edit copies of them as
new versions. The projects issue continues from the `awarded` phase (task agreements, stage gates).
"""

from __future__ import annotations

from typing import Any

APPLICANT = ["applicant"]
STAFF = ["staff", "admin"]


def _t(
    code: str, name: str, to: str, roles: list[str], guards: tuple[str, ...] = (), form: str = ""
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "to": to,
        "roles": roles,
        "guards": list(guards),
        "form": form,
    }


def _end(code: str, name: str, outcome: str) -> dict[str, Any]:
    return {"code": code, "name": name, "terminal": True, "outcome": outcome, "transitions": []}


def _apply_stage(submit_name: str) -> dict[str, Any]:
    return {
        "code": "apply",
        "name": "申报",
        "phases": [
            {
                "code": "draft",
                "name": "填报中",
                "transitions": [
                    _t(
                        "submit",
                        submit_name,
                        "formal_check",
                        APPLICANT,
                        ("before_deadline", "eligible", "budget_within_cap"),
                        "application",
                    ),
                    _t("withdraw", "撤回申报", "withdrawn", APPLICANT),
                ],
            },
            _end("withdrawn", "已撤回", "withdrawn"),
        ],
    }


def _formal_stage(next_phase: str) -> dict[str, Any]:
    return {
        "code": "formal",
        "name": "形式审查",
        "phases": [
            {
                "code": "formal_check",
                "name": "形式审查中",
                "transitions": [
                    _t("pass_check", "形式审查通过", next_phase, STAFF, (), "formal_check"),
                    _t("return", "退回修改", "draft", STAFF, ("reason_given",), "reason"),
                    _t(
                        "fail_check",
                        "形式审查不通过",
                        "ineligible",
                        STAFF,
                        ("reason_given",),
                        "reason",
                    ),
                ],
            },
            _end("ineligible", "形式审查未通过", "rejected"),
        ],
    }


def _decision_stage() -> dict[str, Any]:
    return {
        "code": "decision",
        "name": "立项决定",
        "phases": [
            {
                "code": "decision",
                "name": "待立项决定",
                "transitions": [
                    _t("award", "立项", "awarded", STAFF, ("decision_recorded",), "decision"),
                    _t(
                        "decline",
                        "不予立项",
                        "not_funded",
                        STAFF,
                        ("decision_recorded",),
                        "decision",
                    ),
                ],
            },
            _end("awarded", "已立项", "awarded"),
            _end("not_funded", "未立项", "rejected"),
        ],
    }


def _review_phase(next_phase: str, next_name: str) -> dict[str, Any]:
    return {
        "code": "review",
        "name": "专家评审中",
        "transitions": [
            _t(
                "close_review",
                next_name,
                next_phase,
                STAFF,
                ("reviewers_assigned", "all_reviews_in"),
            ),
        ],
    }


def regular() -> dict[str, Any]:
    return {
        "code": "regular",
        "name": "常规申报",
        "start": "draft",
        "stages": [
            _apply_stage("提交申报"),
            _formal_stage("review"),
            {
                "code": "review",
                "name": "专家评审",
                "phases": [_review_phase("decision", "结束评审")],
            },
            _decision_stage(),
        ],
    }


def challenge() -> dict[str, Any]:
    return {
        "code": "challenge",
        "name": "揭榜挂帅",
        "start": "draft",
        "stages": [
            _apply_stage("提交揭榜"),
            _formal_stage("review"),
            {
                "code": "review",
                "name": "评审与答辩",
                "phases": [
                    _review_phase("defence", "结束评审，进入答辩"),
                    {
                        "code": "defence",
                        "name": "答辩中",
                        "transitions": [
                            _t(
                                "close_defence",
                                "结束答辩",
                                "decision",
                                STAFF,
                                ("defence_scored",),
                                "defence",
                            ),
                        ],
                    },
                ],
            },
            _decision_stage(),
        ],
    }


def horse_race() -> dict[str, Any]:
    data = regular()
    data["code"] = "horse_race"
    data["name"] = "赛马制"
    return data


BUILTIN = {"regular": regular, "challenge": challenge, "horse_race": horse_race}
