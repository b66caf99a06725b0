"""The contract list's parameters, one `ContractFilter` for the page, the API and the export."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import QueryDict
from ninja import Field, FilterSchema

from kechuang.contracts.models import COUNTED_STATES, OPEN_STATES, ContractStatus
from kechuang.registry.models import Area


def _area(value: str) -> Q:
    """An area by code or name, with every area below it."""
    return Q(code=value) | Q(name=value)


class ContractFilter(FilterSchema):
    q: str | None = Field(None, max_length=100, description="登记编号、合同名称、卖方或买方")
    year: int | None = Field(None, ge=1990, le=2100, description="登记年度")
    status: ContractStatus | None = None
    category: str | None = Field(None, max_length=20, description="合同类别代码")
    seller_area: str | None = Field(None, max_length=50, description="卖方区域代码或名称（含下级）")
    buyer_area: str | None = Field(None, max_length=50, description="买方区域代码或名称（含下级）")
    counted: bool | None = Field(None, description="true：仅计入统计的（已登记、已变更）")
    open: bool | None = Field(None, description="true：仅办理中的")

    def filter_q(self, value: str | None) -> Q:
        if not value:
            return Q()
        return (
            Q(registration_no__icontains=value)
            | Q(title__icontains=value)
            | Q(seller_name__icontains=value)
            | Q(buyer_name__icontains=value)
        )

    def filter_year(self, value: int | None) -> Q:
        return Q(registered_on__year=value) if value else Q()

    def filter_seller_area(self, value: str | None) -> Q:
        return Q(seller_area__path__startswith=_path(value)) if value else Q()

    def filter_buyer_area(self, value: str | None) -> Q:
        return Q(buyer_area__path__startswith=_path(value)) if value else Q()

    def filter_counted(self, value: bool | None) -> Q:
        return Q(status__in=COUNTED_STATES, registered_on__isnull=False) if value else Q()

    def filter_open(self, value: bool | None) -> Q:
        return Q(status__in=OPEN_STATES) if value else Q()


def _path(value: str) -> str:
    from_db = _area_path(value)
    return from_db if from_db else "#unknown-area#/"  # an unknown area matches nothing


def _area_path(value: str) -> str | None:
    return Area.objects.filter(_area(value)).values_list("path", flat=True).first()


PAGE_FILTERS = ("q", "year", "status", "category", "seller_area", "buyer_area", "counted", "open")


def page_contract_filter(query: QueryDict) -> tuple[ContractFilter, dict[str, str], list[str]]:
    """The page's filters from its query string: (filter, values as typed, problems)."""
    typed = {name: query.get(name, "").strip() for name in PAGE_FILTERS}
    problems: list[str] = []
    values: dict[str, Any] = {name: typed[name] or None for name in PAGE_FILTERS}
    if typed["year"]:
        if typed["year"].isdigit() and 1990 <= int(typed["year"]) <= 2100:
            values["year"] = int(typed["year"])
        else:
            problems.append("登记年度应为四位数字，如 2024。")
            values["year"] = None
    for flag in ("counted", "open"):
        values[flag] = typed[flag] in ("1", "true", "on")
    return ContractFilter.model_construct(**values), typed, problems
