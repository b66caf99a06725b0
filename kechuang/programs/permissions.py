"""The programmes module's named permissions (the vocabulary of `core.permissions`). Row-level
questions stay with scoping (an applicant's own organization, an expert's assignments)."""

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


APPLY_PROGRAM = Permission(
    "apply_program",
    "申报科技计划项目或揭榜",
    # An applicant applies for its own organization: not even a superuser applies for it.
    _role_in(ORGANIZATION_ROLES, superuser=False),
    "科技计划项目由企业、高校院所用户为本单位申报或揭榜。",
)
MANAGE_PROGRAMS = Permission(
    "manage_programs",
    "管理科技计划、申报批次、榜单和评审",
    _role_in(CITY_ROLES),
    "只有市科技局工作人员可以管理科技计划、形式审查、分配专家和作出立项决定。",
)
VIEW_PROGRAM_WORK = Permission(
    "view_program_work",
    "查看科技计划工作台",
    _role_in(GOVERNMENT_ROLES),
    "科技计划工作台仅向市科技局和县区工作人员开放。",
)
EDIT_WORKFLOWS = Permission(
    "edit_workflows",
    "修改评审流程",
    _role_in(frozenset({Role.CITY_ADMIN})),
    "只有市科技局管理员可以修改评审流程。",
)
REVIEW_APPLICATIONS = Permission(
    "review_applications",
    "评审项目",
    _role_in(frozenset({Role.EXPERT}), superuser=False),
    "只有评审专家可以评审分配给自己的项目。",
)
