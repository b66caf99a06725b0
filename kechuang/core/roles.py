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
