"""The projects module's named permissions (the vocabulary of `core.permissions`); which rows
stays with scoping (a team's own projects, an expert's reviews)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kechuang.core.permissions import Permission
from kechuang.core.roles import CITY_ROLES, GOVERNMENT_ROLES, ORGANIZATION_ROLES, Role


def _role_in(roles: frozenset[str], superuser: bool = True) -> Callable[[Any], bool]:
    def test(user: Any) -> bool:
        signed_in = bool(getattr(user, "is_authenticated", False) and user.is_active)
        return signed_in and ((superuser and user.is_superuser) or user.role in roles)

    return test


MANAGE_PROJECTS = Permission(
    "manage_projects",
    "管理科技项目（任务书、拨付、评审、赛马评估、验收结论）",
    _role_in(CITY_ROLES),
    "只有市科技局工作人员可以签订任务书、审批变更、拨付经费、组织评审和作出验收结论。",
)
RUN_PROJECT = Permission(
    "run_project",
    "填报本单位项目的进展、支出、变更和验收申请",
    _role_in(ORGANIZATION_ROLES, superuser=False),
    "项目进展、经费支出、变更申请和验收申请由项目承担单位的企业、高校院所用户填报。",
)
VIEW_PROJECT_WORK = Permission(
    "view_project_work",
    "查看科技项目工作台和导出",
    _role_in(GOVERNMENT_ROLES),
    "项目看板和导出仅向市科技局和县区工作人员开放。",
)
REVIEW_PROJECTS = Permission(
    "review_projects",
    "评审科技项目",
    _role_in(frozenset({Role.EXPERT}), superuser=False),
    "只有评审专家可以评审分配给自己的项目。",
)
