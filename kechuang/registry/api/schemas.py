"""Request and response schemas of the registry API. Amounts in 万元; dates YYYY-MM-DD;
organizations referred to by USCC, areas/industries/fields by code or name."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from kechuang.core.masking import mask_id_number, mask_phone
from kechuang.core.scoping import can
from kechuang.registry.models import (
    IssuerLevel,
    LegalStatus,
    OrganizationKind,
    PatentKind,
    PlatformKind,
    PlatformLevel,
    PlatformStatus,
    QualificationKind,
    SizeClass,
    TeamProgramme,
)
from kechuang.registry.models.talent import Degree

Code = Field(None, max_length=100)


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None = Field(None, alias="parent.code")
    path: str


class IndustryOut(Schema):
    code: str
    name: str
    category: str
    parent_code: str | None = Field(None, alias="parent.code")
    source_section: str
    keywords: list[str]


class TechFieldOut(Schema):
    code: str
    name: str


def show_sensitive(obj: Any) -> bool:
    """Set by the views on objects the requesting user may change (details only, never lists)."""
    return bool(getattr(obj, "show_sensitive", False))


def reveal_to_editors(request: Any, obj: Any) -> Any:
    obj.show_sensitive = can(request.user, "change", obj)
    return obj


class OrganizationOut(Schema):
    id: int
    uscc: str
    name: str
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    industry_code: str | None = Field(None, alias="industry.code")
    tech_field_code: str | None = Field(None, alias="tech_field.code")
    founded_on: dt.date | None
    size_class: str
    is_listed: bool
    is_above_designated_size: bool
    address: str
    contact_name: str
    contact_phone: str
    is_demo: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_contact_phone(obj: Any) -> str:
        return obj.contact_phone if show_sensitive(obj) else mask_phone(obj.contact_phone)


class OrganizationIn(Schema):
    uscc: str = Field(..., max_length=30, description="统一社会信用代码（18 位，含校验位）")
    name: str = Field(..., min_length=2, max_length=200)
    kind: OrganizationKind
    area: str = Field(..., max_length=50, description="区域代码或名称，如 411303 或 卧龙区")
    industry: str | None = Field(None, max_length=60, description="产业代码或名称")
    tech_field: str | None = Field(None, max_length=30, description="高新技术领域代码 01–08 或名称")
    founded_on: dt.date | None = None
    size_class: SizeClass | None = None
    is_listed: bool = False
    is_above_designated_size: bool = False
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class QualificationOut(Schema):
    id: int
    organization_uscc: str = Field(..., alias="organization.uscc")
    organization_name: str = Field(..., alias="organization.name")
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    certificate_no: str
    issued_on: dt.date
    expires_on: dt.date | None
    issuer_level: str
    issuer: str
    note: str
    valid_today: bool

    @staticmethod
    def resolve_valid_today(obj: Any) -> bool:
        return obj.is_valid_on(timezone.localdate())


class QualificationIn(Schema):
    organization: str = Field(..., max_length=30, description="单位统一社会信用代码")
    kind: QualificationKind
    certificate_no: str = Field("", max_length=60)
    issued_on: dt.date
    expires_on: dt.date | None = None
    issuer_level: IssuerLevel
    issuer: str = Field("", max_length=100)
    note: str = Field("", max_length=200)


class AnnualReportOut(Schema):
    id: int
    organization_uscc: str = Field(..., alias="organization.uscc")
    organization_name: str = Field(..., alias="organization.name")
    year: int
    total_revenue: Decimal | None
    sales_revenue: Decimal | None
    main_revenue: Decimal | None
    hightech_revenue: Decimal | None
    rd_expense: Decimal | None
    rd_expense_domestic: Decimal | None
    rd_staff_cost: Decimal | None
    rd_direct_inputs: Decimal | None
    rd_depreciation: Decimal | None
    rd_amortisation: Decimal | None
    rd_design_trial: Decimal | None
    rd_other: Decimal | None
    cost_expense_total: Decimal | None
    employees_avg: Decimal | None
    st_staff_avg: Decimal | None
    rd_staff_fte: Decimal | None
    net_assets_start: Decimal | None
    net_assets_end: Decimal | None
    total_assets_end: Decimal | None
    ip_class_i_granted: int | None
    ip_class_ii_granted: int | None
    ip_class_i_held: int | None
    ip_class_ii_held: int | None
    tech_contract_income: Decimal | None
    tech_conversions: int | None
    confirmed_at: dt.datetime | None


class PlatformOut(Schema):
    id: int
    name: str
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    level: str
    level_display: str = Field(..., alias="get_level_display")
    host_uscc: str = Field(..., alias="host.uscc")
    host_name: str = Field(..., alias="host.name")
    co_builders: list[str]
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    industry_code: str | None = Field(None, alias="industry.code")
    tech_field_code: str | None = Field(None, alias="tech_field.code")
    approved_on: dt.date | None
    approval_document: str
    status: str
    latest_evaluation: str
    latest_evaluation_year: int | None
    note: str
    is_demo: bool

    @staticmethod
    def resolve_co_builders(obj: Any) -> list[str]:
        return [o.uscc for o in obj.co_builders.all()]


class PlatformIn(Schema):
    name: str = Field(..., min_length=2, max_length=200)
    kind: PlatformKind
    level: PlatformLevel
    host: str = Field(..., max_length=30, description="依托单位统一社会信用代码")
    co_builders: list[str] = Field(default_factory=list, description="共建单位统一社会信用代码")
    area: str | None = Field(None, max_length=50, description="省略时取依托单位所在区域")
    industry: str | None = Field(None, max_length=60)
    tech_field: str | None = Field(None, max_length=30)
    approved_on: dt.date | None = None
    approval_document: str = Field("", max_length=100)
    status: PlatformStatus = PlatformStatus.OPERATING
    latest_evaluation: str = Field("", max_length=20)
    latest_evaluation_year: int | None = Field(None, ge=1990, le=2100)
    note: str = Field("", max_length=300)


class TalentOut(Schema):
    id: int
    name: str
    organization_uscc: str = Field(..., alias="organization.uscc")
    organization_name: str = Field(..., alias="organization.name")
    title: str
    degree: str
    tech_fields: list[str]
    expertise: str
    honours: str
    is_st_commissioner: bool
    id_number: str
    phone: str

    @staticmethod
    def resolve_tech_fields(obj: Any) -> list[str]:
        return [f.code for f in obj.tech_fields.all()]

    @staticmethod
    def resolve_id_number(obj: Any) -> str:
        return obj.id_number if show_sensitive(obj) else mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return obj.phone if show_sensitive(obj) else mask_phone(obj.phone)


class TalentIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    organization: str = Field(..., max_length=30, description="工作单位统一社会信用代码")
    title: str = Field("", max_length=50)
    degree: Degree | None = None
    tech_fields: list[str] = Field(default_factory=list, description="技术领域代码或名称")
    expertise: str = Field("", max_length=2000)
    honours: str = Field("", max_length=300)
    is_st_commissioner: bool = False
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)


class TeamOut(Schema):
    id: int
    name: str
    organization_uscc: str = Field(..., alias="organization.uscc")
    organization_name: str = Field(..., alias="organization.name")
    leader_id: int | None
    leader_name: str | None = Field(None, alias="leader.name")
    member_ids: list[int]
    programme: str
    programme_display: str = Field(..., alias="get_programme_display")
    approved_year: int | None
    research_direction: str

    @staticmethod
    def resolve_member_ids(obj: Any) -> list[int]:
        return [m.pk for m in obj.members.all()]


class TeamIn(Schema):
    name: str = Field(..., min_length=2, max_length=200)
    organization: str = Field(..., max_length=30, description="依托单位统一社会信用代码")
    leader_id: int | None = None
    member_ids: list[int] = Field(default_factory=list)
    programme: TeamProgramme
    approved_year: int | None = Field(None, ge=1990, le=2100)
    research_direction: str = Field("", max_length=200)


class PatentOut(Schema):
    id: int
    number: str
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    title: str
    abstract: str
    ipc_codes: str
    applicants: str
    organization_uscc: str = Field(..., alias="organization.uscc")
    organization_name: str = Field(..., alias="organization.name")
    application_date: dt.date
    grant_date: dt.date | None
    legal_status: str
    hv_strategic_industry: bool
    hv_overseas_family: bool
    hv_pledged: bool
    hv_award: bool
    high_value_reasons_today: list[str]

    @staticmethod
    def resolve_high_value_reasons_today(obj: Any) -> list[str]:
        return obj.high_value_reasons(timezone.localdate())


class PatentIn(Schema):
    number: str = Field(..., min_length=5, max_length=30)
    kind: PatentKind
    title: str = Field(..., min_length=2, max_length=300)
    abstract: str = Field("", max_length=5000)
    ipc_codes: str = Field("", max_length=200)
    applicants: str = Field("", max_length=300)
    organization: str = Field(..., max_length=30, description="本市权利人统一社会信用代码")
    application_date: dt.date
    grant_date: dt.date | None = None
    legal_status: LegalStatus
    hv_strategic_industry: bool = False
    hv_overseas_family: bool = False
    hv_pledged: bool = False
    hv_award: bool = False


class NamedActorOut(Schema):
    id: int
    name: str
    kind: str
    role: str
    section: str
    seed: str
    area_name: str | None = Field(None, alias="area.name")
    organization_uscc: str | None = Field(None, alias="organization.uscc")
