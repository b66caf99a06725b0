"""The contracts module's named permissions (the vocabulary of `core.permissions`): who may
apply, who may work as registrar. Row-level questions stay with scoping; whether a county user
registers depends on a configured registration point (`selectors.may_register`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kechuang.core.permissions import Permission
from kechuang.core.roles import GOVERNMENT_ROLES, ORGANIZATION_ROLES, Role


def _role_in(roles: frozenset[str], superuser: bool = True) -> Callable[[Any], bool]:
    def test(user: Any) -> bool:
        signed_in = bool(getattr(user, "is_authenticated", False) and user.is_active)
        return signed_in and ((superuser and user.is_superuser) or user.role in roles)

    return test


APPLY_CONTRACT = Permission(
    "apply_contract",
    "申请技术合同登记",
    # Only the seller applies, for its own organization: not even a superuser applies for it.
    _role_in(ORGANIZATION_ROLES, superuser=False),
    "技术合同由卖方（企业、高校院所用户）为本单位申请登记。",
)
REGISTRAR = Permission(
    "contract_registrar",
    "办理技术合同登记",
    _role_in(GOVERNMENT_ROLES),
    "只有技术合同登记机构（市科技局，或已设登记点的县区）的工作人员可以办理登记。",
)
CONTRACT_STATS = Permission(
    "contract_stats",
    "查看技术合同统计",
    _role_in(GOVERNMENT_ROLES),
    "技术合同统计仅向市科技局和县区工作人员开放。",
)
IMPORT_CONTRACTS = Permission(
    "import_contracts",
    "导入技术合同登记数据",
    _role_in(GOVERNMENT_ROLES),
    "只有市科技局和县区工作人员可以导入登记系统的数据。",
)
EDIT_CALENDAR = Permission(
    "edit_contract_calendar",
    "维护节假日安排",
    _role_in(frozenset({Role.CITY_ADMIN})),
    "只有市科技局管理员可以维护节假日安排。",
)
