"""The permission vocabulary: who may do what, by name, for every page, endpoint, service and
import. Row-level questions (which rows, may this row be changed, does it stay in scope) are
answered by `kechuang.core.scoping`; the questions here come before them.

Use:
- a page: `@requires(ENTER_OBSERVATIONS)` (signs the visitor in first, then 403 in Chinese);
- an API endpoint: `@guard(ENTER_OBSERVATIONS)` under the router decorator (403 in the API's
  error shape; anonymous callers never get here, the API answers them 401);
- a service or a template: `ENTER_OBSERVATIONS.allows(user)`, `ENTER_OBSERVATIONS.check(user)`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models

from kechuang.core.roles import CITY_ROLES, GOVERNMENT_ROLES, ORGANIZATION_ROLES, Role
from kechuang.core.scoping import Action, can, nothing, scope_filter

F = TypeVar("F", bound=Callable[..., Any])


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _role_in(roles: frozenset[str]) -> Callable[[Any], bool]:
    def test(user: Any) -> bool:
        return _signed_in(user) and (user.is_superuser or user.role in roles)

    return test


@dataclass(frozen=True)
class Permission:
    code: str
    doing: str  # what it allows, as the refusal says it: "您无权{doing}。"
    test: Callable[[Any], bool]
    refusal: str = ""  # a more helpful refusal than "您无权{doing}。", saying who may

    def allows(self, user: Any) -> bool:
        return bool(self.test(user))

    def check(self, user: Any) -> None:
        if not self.allows(user):
            raise PermissionDenied(self.refusal or f"您无权{self.doing}。")


CITY_WORK = Permission("city_work", "使用市科技局的工作功能", _role_in(CITY_ROLES))
WORKBENCH = Permission(
    "workbench",
    "使用市、县区科技部门的工作台",
    _role_in(GOVERNMENT_ROLES),
    "该工作台仅向市科技局和县区工作人员开放。",
)
WRITE_DATA = Permission(
    "write_data",
    "新增或修改数据",
    lambda user: _signed_in(user) and (user.is_superuser or user.role != Role.EXPERT),
)
ENTER_OBSERVATIONS = Permission(
    "enter_observations",
    "录入监测数据",
    _role_in(GOVERNMENT_ROLES),
    "只有市科技局工作人员和县区工作人员可以录入监测值。",
)
WITHDRAW_OBSERVATION = Permission(
    "withdraw_observation",
    "作废监测值",
    _role_in(CITY_ROLES),
    "只有市科技局工作人员可以作废监测值；如发现数值有误，请联系市科技局工作人员。",
)
# Plan monitoring has two depths. Every signed-in user sees the plan's progress as published for
# the whole city (the city's figures, its commitments judged on them); the observations
# themselves, each county's progress and ranking, and the counts computed from the registries
# are the government's working data, shown only to those who see observations.
VIEW_PUBLISHED_MONITORING = Permission(
    "view_published_monitoring",
    "查看全市公开发布的规划监测结果",
    _signed_in,
)
VIEW_OBSERVATIONS = Permission(
    "view_observations",
    "查看监测值明细、各县区进度与排名和登记库计数",
    _role_in(GOVERNMENT_ROLES),
    "监测值明细、各县区进度与排名和登记库计数仅向市科技局和县区工作人员开放；"
    "您可以查看全市公开发布的监测结果。",
)
REVIEW_FIGURES = Permission("review_figures", "审核年度数据", _role_in(GOVERNMENT_ROLES))
CONFIRM_FIGURES = Permission("confirm_figures", "市级确认年度数据", _role_in(CITY_ROLES))
IMPORT_CONFIRMED_FIGURES = Permission(
    "import_confirmed_figures", "直接导入已确认的年度数据", _role_in(CITY_ROLES)
)
EDIT_PLAN_TARGETS = Permission(
    "edit_plan_targets",
    "修改规划目标分解",
    _role_in(CITY_ROLES),
    "只有市科技局工作人员可以分解目标。",
)
DOWNLOAD_MONITORING_REPORT = Permission(
    "download_monitoring_report",
    "下载全市监测报告",
    _role_in(CITY_ROLES),
    # The city's report ranks and quotes every county: county staff see their own area on the
    # dashboard instead.
    "监测报告涵盖全市各县区，只有市科技局工作人员可以下载。",
)
SCREEN_ENTERPRISES = Permission(
    "screen_enterprises",
    "发起企业筛查",
    _role_in(GOVERNMENT_ROLES),
    "只有市科技局工作人员和县区工作人员可以发起批量筛查。",
)
VERIFY_QUALIFICATIONS = Permission(
    "verify_qualifications",
    "核验或驳回资质申报、导入官方认定名单",
    _role_in(CITY_ROLES),
    "只有市科技局工作人员可以核验资质申报或导入官方认定名单。",
)
PICK_ANY_AREA = Permission("pick_any_area", "查看其他县区", _role_in(CITY_ROLES))
VIEW_AUDIT_TRAIL = Permission(
    "view_audit_trail",
    "查看审计记录",
    lambda user: _signed_in(user) and (user.is_superuser or user.role == Role.CITY_ADMIN),
    "只有市科技局管理员可以查看审计记录。",
)


def allows_on(permission: Permission, user: Any, action: Action, obj: models.Model) -> bool:
    """The permission, and the row within the user's scope for `action` (e.g. review figures
    of an organization the county user manages)."""
    return permission.allows(user) and can(user, action, obj)


def may_add(user: Any, model: type[models.Model]) -> bool:
    """Whether `user` may add rows of `model` anywhere at all (each row is then checked by
    `scoping.fits_scope`): e.g. enterprise users edit their own organization but add none."""
    rule = model.scope  # type: ignore[attr-defined]
    condition = scope_filter(rule, user, "add")
    if condition is None:
        return True
    if condition == nothing():
        return False
    return not (user.role in ORGANIZATION_ROLES and rule.organization == "pk")


def check_may_add(user: Any, model: type[models.Model]) -> None:
    if not may_add(user, model):
        raise PermissionDenied(f"您无权新增{model._meta.verbose_name}。")


def requires(permission: Permission) -> Callable[[F], F]:
    """A page decorator: anonymous visitors go to the login page, others without the
    permission get the 403 page with the reason."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            permission.check(request.user)
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorate


def guard(permission: Permission) -> Callable[[F], F]:
    """An API endpoint decorator (below `@router.get/post`): 403 in the API's error shape.
    The wrapped function keeps its signature, so django-ninja still reads its parameters."""

    def decorate(endpoint: F) -> F:
        @functools.wraps(endpoint)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            permission.check(request.user)
            return endpoint(request, *args, **kwargs)

        # django-ninja reads the parameters from the signature; evaluate its annotations where
        # the endpoint was written (its module may postpone them as strings).
        wrapped.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate
