"""The platform's roles. Anonymous visitors are the public and hold no role."""

from django.db import models


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市科技局管理员"
    CITY_STAFF = "city_staff", "市科技局工作人员"
    COUNTY_STAFF = "county_staff", "县区工作人员"
    ENTERPRISE = "enterprise", "企业用户"
    INSTITUTION = "institution", "高校院所用户"
    EXPERT = "expert", "评审专家"


CITY_ROLES = frozenset({Role.CITY_ADMIN, Role.CITY_STAFF})
ORGANIZATION_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION})
GOVERNMENT_ROLES = CITY_ROLES | {Role.COUNTY_STAFF}


def is_city(user: object) -> bool:
    """The city bureau's own staff (or a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in CITY_ROLES)


def is_government(user: object) -> bool:
    """City or county staff (or a superuser): the bureau's own working tools are theirs."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        getattr(user, "is_superuser", False) or getattr(user, "role", None) in GOVERNMENT_ROLES
    )
