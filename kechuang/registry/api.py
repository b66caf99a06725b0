"""Registry endpoints: reference data (read-only) and organizations (CRUD, scoped)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.accounts.scoping import can
from kechuang.core.masking import mask_phone
from kechuang.registry import selectors, services
from kechuang.registry.filters import OrganizationFilter, OrganizationOrdering
from kechuang.registry.models import Area, IndustryChain, OrganizationKind, SizeClass, TechField

router = Router(tags=["创新主体登记"])


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
        # Lists mask the phone; a detail shows it in full to whoever may change the record.
        return (
            obj.contact_phone
            if getattr(obj, "show_full_contact", False)
            else mask_phone(obj.contact_phone)
        )


def _with_full_contact(request: HttpRequest, org: Any) -> Any:
    org.show_full_contact = can(request.user, "change", org)
    return org


class OrganizationIn(Schema):
    uscc: str = Field(..., max_length=30, description="统一社会信用代码（18 位，含校验位）")
    name: str = Field(..., min_length=2, max_length=200)
    kind: OrganizationKind
    area: str = Field(..., description="区域代码或名称，如 411303 或 卧龙区")
    industry: str | None = Field(None, description="产业代码，如 electronics.optical_components")
    tech_field: str | None = Field(None, description="高新技术领域代码 01–08 或名称")
    founded_on: dt.date | None = None
    size_class: SizeClass | None = None
    is_listed: bool = False
    is_above_designated_size: bool = False
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


def _resolve(model: Any, value: str | None, field: str, label: str) -> Any:
    if value in (None, ""):
        return None
    found = model.objects.filter(Q(code=value) | Q(name=value)).first()
    if found is None:
        raise ValidationError({field: f"未知的{label}：{value}"})
    return found


def _organization_data(payload: OrganizationIn) -> dict[str, Any]:
    data = payload.dict()
    data["area"] = _resolve(Area, payload.area, "area", "区域")
    data["industry"] = _resolve(IndustryChain, payload.industry, "industry", "产业")
    data["tech_field"] = _resolve(TechField, payload.tech_field, "tech_field", "高新技术领域")
    data["size_class"] = payload.size_class or ""
    return data


@router.get("/areas", response=list[AreaOut], summary="区域树（南阳市及 17 个县市区、功能区）")
def list_areas(request: HttpRequest) -> Any:
    return selectors.areas_for(request.user)


@router.get("/industries", response=list[IndustryOut], summary="产业（6+N 及细分产业）")
def list_industries(request: HttpRequest) -> Any:
    return selectors.industries_for(request.user)


@router.get("/tech-fields", response=list[TechFieldOut], summary="国家重点支持的高新技术领域")
def list_tech_fields(request: HttpRequest) -> Any:
    return selectors.tech_fields_for(request.user)


@router.get("/organizations", response=list[OrganizationOut], summary="创新主体列表")
@paginate(PageNumberPagination, page_size=50)
def list_organizations(
    request: HttpRequest,
    filters: Query[OrganizationFilter],
    ordering: OrganizationOrdering = "name",
) -> Any:
    return selectors.organizations_for(request.user, filters, ordering)


@router.get("/organizations/{org_id}", response=OrganizationOut, summary="创新主体详情")
def get_organization(request: HttpRequest, org_id: int) -> Any:
    org = get_object_or_404(selectors.organizations_for(request.user), pk=org_id)
    return _with_full_contact(request, org)


@router.post("/organizations", response={201: OrganizationOut}, summary="新增创新主体")
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Any:
    org = services.save_organization(request.user, None, _organization_data(payload))
    return Status(201, _with_full_contact(request, org))


@router.put("/organizations/{org_id}", response=OrganizationOut, summary="修改创新主体")
def update_organization(request: HttpRequest, org_id: int, payload: OrganizationIn) -> Any:
    org = get_object_or_404(selectors.organizations_for(request.user), pk=org_id)
    org = services.save_organization(request.user, org, _organization_data(payload))
    return _with_full_contact(request, org)


@router.delete("/organizations/{org_id}", response={204: None}, summary="删除创新主体")
def delete_organization(request: HttpRequest, org_id: int) -> Any:
    org = get_object_or_404(selectors.organizations_for(request.user), pk=org_id)
    services.delete_organization(request.user, org)
    return Status(204, None)
