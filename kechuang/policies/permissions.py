"""The policies module's named permissions (the vocabulary of `core.permissions`). Row-level
questions stay with scoping: county staff review their area's entitlements, an enterprise
sees and confirms only its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kechuang.core.permissions import Permission
from kechuang.core.roles import CITY_ROLES, GOVERNMENT_ROLES, Role


def _role_in(roles: frozenset[str], superuser: bool = True) -> Callable[[Any], bool]:
    def test(user: Any) -> bool:
        signed_in = bool(getattr(user, "is_authenticated", False) and user.is_active)
        return signed_in and ((superuser and user.is_superuser) or user.role in roles)

    return test


MANAGE_POLICIES = Permission(
    "manage_policies",
    "配置惠企政策、计算兑现名单、发布公示和拨付批次",
    _role_in(CITY_ROLES),
    "只有市科技局工作人员可以配置政策、计算兑现名单、发布公示和生成拨付批次。",
)
REVIEW_ENTITLEMENTS = Permission(
    "review_entitlements",
    "审核政策兑现名单",
    _role_in(GOVERNMENT_ROLES),
    "只有市科技局和县区工作人员可以审核兑现名单、答复异议。",
)
CLAIM_BENEFITS = Permission(
    "claim_benefits",
    "确认或放弃本单位的政策兑现",
    # The enterprise itself confirms: not even a superuser confirms for it.
    _role_in(frozenset({Role.ENTERPRISE}), superuser=False),
    "政策兑现由企业用户为本单位确认或放弃。",
)
