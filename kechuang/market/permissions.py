"""The market's named permissions (the vocabulary of `core.permissions`). Row-level questions
(whose demand, which county) stay with scoping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kechuang.core.permissions import Permission
from kechuang.core.roles import GOVERNMENT_ROLES, ORGANIZATION_ROLES, Role


def _role_in(roles: frozenset[str]) -> Callable[[Any], bool]:
    def test(user: Any) -> bool:
        signed_in = bool(getattr(user, "is_authenticated", False) and user.is_active)
        return signed_in and (user.is_superuser or user.role in roles)

    return test


def _broker_or_staff(user: Any) -> bool:
    if _role_in(GOVERNMENT_ROLES)(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and hasattr(user, "market_broker"))


POST_LISTING = Permission(
    "post_market_listing",
    "发布技术需求、科技成果与应用场景",
    _role_in(ORGANIZATION_ROLES | GOVERNMENT_ROLES),
    "企业、高校院所用户为本单位发布需求、成果与场景；县区和市科技局工作人员可代为录入。",
)
REVIEW_LISTINGS = Permission(
    "review_market_listing",
    "审核与发布供需信息",
    _role_in(GOVERNMENT_ROLES),
    "只有县区（本节点）和市科技局的工作人员可以审核、退回、发布和关闭供需信息。",
)
ISSUE_LISTS = Permission(
    "issue_market_list",
    "发布需求清单与场景清单",
    _role_in(GOVERNMENT_ROLES),
    "只有县区和市科技局的工作人员可以发布技术需求清单和应用场景清单。",
)
FOLLOW_MATCHES = Permission(
    "follow_market_match",
    "跟进对接匹配",
    _broker_or_staff,
    "对接匹配由县区、市科技局工作人员或登记在册的技术经理人跟进。",
)
MANAGE_PEOPLE = Permission(
    "manage_market_people",
    "维护专家与技术经理人",
    _role_in(frozenset({Role.CITY_ADMIN, Role.CITY_STAFF, Role.COUNTY_STAFF})),
    "专家和技术经理人由县区和市科技局的工作人员维护。",
)
RUN_ROADSHOWS = Permission(
    "run_market_roadshow",
    "组织路演与对接会",
    _role_in(GOVERNMENT_ROLES),
    "路演和对接会由县区（本节点）和市科技局的工作人员组织和登记。",
)
