"""The one scoping mechanism: which rows of a domain model a user may view, add, change, delete.

Every domain model declares a `ScopeRule` as its `scope` attribute and uses `ScopedManager`, so
views, API endpoints and services write `Model.objects.restrict(user, "view")` and never filter by
hand. `can(user, action, obj)` answers the same question for one (possibly unsaved) instance.

Rules by role (anonymous visitors are the public):
- 市科技局管理员 (and superusers): everything.
- 市科技局工作人员: every domain row; reference data is read-only.
- 县区工作人员: rows whose area lies in their own area's subtree.
- 企业用户 / 高校院所用户: rows of their own organization; never delete.
- 评审专家: rows the model publishes, and rows assigned to them (`expert`: the ORM path to the
  reviewing user, e.g. a review's `assignment__expert__user`); never delete.
- public: rows the model publishes, read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any, Literal

from django.db import models
from django.db.models import Q

from kechuang.core.roles import ORGANIZATION_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser  # the platform's user (accounts.User): role, area, organization

Action = Literal["view", "add", "change", "delete"]
ACTIONS: tuple[Action, ...] = ("view", "add", "change", "delete")


@dataclass(frozen=True)
class ScopeRule:
    """How a model hangs off the area tree and the organizations.

    area: ORM path from the model to its `Area` (e.g. "area", "organization__area"), or None.
    organization: ORM path to its `Organization` ("pk" for Organization itself), or None.
    public: the rows anyone may view (e.g. Q(status="published")), or None for none.
    reference: reference data (areas, industries ...): every signed-in user views, only city
        administrators change.
    """

    area: str | None = None
    organization: str | None = None
    public: Q | None = None
    reference: bool = False
    expert: str | None = None  # ORM path to the assigned reviewer's user (assignment scoping)

    def area_filter(self, user: User) -> Q:
        if self.area is None or user.area_id is None:
            return nothing()
        # By area ids (a subquery), not by a join to the area's path: the database can then use
        # the foreign-key index (see bench/bench_org_list.py).
        subtree = type(user.area).subtree_ids(user.area.path)
        return Q(**{f"{self.area}__in": subtree})

    def organization_filter(self, user: User) -> Q:
        if self.organization is None or user.organization_id is None:
            return nothing()
        return Q(**{self.organization: user.organization_id})


def nothing() -> Q:
    return Q(pk__in=[])


def scope_filter(rule: ScopeRule, user: User | AnonymousUser | None, action: Action) -> Q | None:
    """The filter a user's `action` is limited to; None means unrestricted."""
    if action not in ACTIONS:
        raise ValueError(f"未知操作: {action}")
    if user is None or not user.is_authenticated or not user.is_active:
        return rule.public if (action == "view" and rule.public is not None) else nothing()
    if user.is_superuser or user.role == Role.CITY_ADMIN:
        return None
    if rule.reference:
        return None if action == "view" else nothing()
    if user.role == Role.CITY_STAFF:
        return None
    if user.role == Role.COUNTY_STAFF:
        return rule.area_filter(user)
    if user.role in ORGANIZATION_ROLES:
        return nothing() if action == "delete" else rule.organization_filter(user)
    if user.role == Role.EXPERT and rule.expert is not None and action != "delete":
        assigned = Q(**{rule.expert: user.pk})
        return assigned | rule.public if action == "view" and rule.public is not None else assigned
    # Experts and any role without a rule of its own see only what is published.
    return rule.public if (action == "view" and rule.public is not None) else nothing()


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: Action = "view") -> ScopedQuerySet:
        condition = scope_filter(self.model.scope, user, action)
        return self if condition is None else self.filter(condition)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def _follow(obj: Any, path: str) -> Any:
    """Follow an ORM path ("organization__area") on an instance, tolerating unset links."""
    return reduce(
        lambda o, attr: None if o is None else getattr(o, attr, None), path.split("__"), obj
    )


def can(user: Any, action: Action, obj: models.Model) -> bool:
    """Whether `user` may perform `action` on `obj` as stored (for "add": as it is in memory)."""
    condition = scope_filter(obj.scope, user, action)  # type: ignore[attr-defined]
    if condition is None:
        return True
    if obj.pk is None or action == "add":
        return fits_scope(user, action, obj)
    return type(obj)._default_manager.filter(pk=obj.pk).filter(condition).exists()


def fits_scope(user: Any, action: Action, obj: models.Model) -> bool:
    """The same rule evaluated on the instance in memory: would it, as it is now, lie within the
    user's scope? Services call it after applying changes, so nobody moves a record out of (or
    into) an area or organization they do not manage."""
    rule: ScopeRule = obj.scope  # type: ignore[attr-defined]
    if scope_filter(rule, user, action) is None:
        return True
    if not user.is_authenticated:
        return False
    if user.role == Role.COUNTY_STAFF and rule.area and user.area_id:
        area = _follow(obj, rule.area)
        return area is not None and area.path.startswith(user.area.path)
    if user.role == Role.EXPERT and rule.expert and action != "delete":
        reviewer = _follow(obj, rule.expert)
        return reviewer is not None and reviewer.pk == user.pk
    if user.role in ORGANIZATION_ROLES and rule.organization and user.organization_id:
        if rule.organization == "pk":
            return obj.pk is not None and action != "add" and obj.pk == user.organization_id
        organization = _follow(obj, rule.organization)
        return organization is not None and organization.pk == user.organization_id
    return False


FROZEN_AREA_MESSAGE = "所属区域由县区或市科技部门维护，企业和高校院所用户不能修改。"


def frozen_field_errors(user: Any, obj: models.Model) -> dict[str, list[str]]:
    """Fields the user's role may not set, as field errors (the same rule for the API, the form
    and the import): an enterprise or institution user keeps the area of its own rows — its
    organization's, or a platform's — as it is (on a new row: its organization's area), so its
    figures never move to another county's reviewers."""
    rule: ScopeRule = obj.scope  # type: ignore[attr-defined]
    if (
        not getattr(user, "is_authenticated", False)
        or user.is_superuser  # unrestricted, as in scope_filter
        or user.role not in ORGANIZATION_ROLES
        or not rule.area
        or "__" in rule.area
    ):
        return {}
    attname = obj._meta.get_field(rule.area).attname
    if obj.pk is None:
        allowed = user.organization.area_id if user.organization_id else None
    else:
        allowed = obj.stored_value(rule.area)  # type: ignore[attr-defined]
    if getattr(obj, attname) != allowed:
        return {rule.area: [FROZEN_AREA_MESSAGE]}
    return {}


def missing_scope_link(obj: models.Model) -> dict[str, list[str]]:
    """The required link by which the row hangs off its organization or area, when it is unset
    (e.g. a team sent without its organization): a field error, so the answer is "fill it in"
    rather than "outside your scope"."""
    rule: ScopeRule = obj.scope  # type: ignore[attr-defined]
    errors = {}
    for path in (rule.organization, rule.area):
        name = (path or "").split("__")[0]
        if not name or name == "pk":
            continue
        field = obj._meta.get_field(name)
        if not field.null and getattr(obj, field.attname) is None:
            errors[name] = [f"请填写{field.verbose_name}。"]
    return errors
