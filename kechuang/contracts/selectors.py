"""Reads of the register: scoped lists, the registrar's work, the calendar, the statistics and
the plan indicator's series (`contract_amount_per_year`, read by monitoring)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from kechuang.contracts.engine import ContractRecord, WorkingCalendar, statistical_category
from kechuang.contracts.models import (
    COUNTED_STATES,
    OPEN_STATES,
    CalendarDay,
    DayKind,
    RegistrationPoint,
    TechContract,
)
from kechuang.contracts.permissions import REGISTRAR
from kechuang.core.roles import CITY_ROLES, Role
from kechuang.core.scoping import can
from kechuang.registry.models import Area, Organization, OrganizationKind

WAN_PER_YI = Decimal(10_000)


def contracts_for(user: Any) -> QuerySet[TechContract]:
    return TechContract.objects.restrict(user, "view").select_related(
        "seller_area", "buyer_area", "tech_field", "industry", "seller", "buyer"
    )


def contract_for(user: Any, pk: int) -> TechContract | None:
    return contracts_for(user).filter(pk=pk).first()


def counted_contracts() -> QuerySet[TechContract]:
    """Every contract the figures count: registered or changed (at its latest amounts, which the
    row holds), never cancelled, refused or pending."""
    return TechContract.objects.filter(status__in=COUNTED_STATES, registered_on__isnull=False)


# --- the registrar ---------------------------------------------------------------------------


def registration_point_of(area: Area | None) -> RegistrationPoint | None:
    """The active county registration point covering `area` (itself or an area above it)."""
    if area is None:
        return None
    codes = [c for c in area.path.split("/") if c]
    return (
        RegistrationPoint.objects.filter(active=True, area__code__in=codes)
        .select_related("area")
        .first()
    )


def may_register(user: Any, contract: TechContract) -> bool:
    """City staff register every contract; county staff those of sellers in their area, when a
    registration point is configured for it."""
    if not REGISTRAR.allows(user) or not can(user, "change", contract):
        return False
    if user.is_superuser or user.role in CITY_ROLES:
        return True
    return user.role == Role.COUNTY_STAFF and registration_point_of(user.area) is not None


def working_calendar() -> WorkingCalendar:
    days = list(CalendarDay.objects.values_list("day", "kind"))
    return WorkingCalendar.of(
        holidays=[d for d, k in days if k == DayKind.HOLIDAY],
        workdays=[d for d, k in days if k == DayKind.WORKDAY],
    )


def workbench(user: Any, today: dt.date) -> dict[str, list[TechContract]]:
    """The registrar's open items: overdue first, then by due date."""
    open_items = list(
        contracts_for(user).filter(status__in=OPEN_STATES).order_by("due_on", "created_at")
    )
    return {
        "overdue": [c for c in open_items if c.due_on and c.due_on < today],
        "due": [c for c in open_items if c.due_on and c.due_on >= today],
        "waiting": [c for c in open_items if c.due_on is None],
    }


# --- references ------------------------------------------------------------------------------


def party_by_uscc(uscc: str) -> Organization | None:
    """A counter-party in the registry by its credit code (the buyer may be any organization:
    the contract names it, so linking reveals nothing the applicant did not send)."""
    return Organization.objects.filter(uscc=uscc).select_related("area").first() if uscc else None


# --- statistics ------------------------------------------------------------------------------

SELLER_KINDS = {
    OrganizationKind.ENTERPRISE: "企业",
    OrganizationKind.UNIVERSITY: "高等院校",
    OrganizationKind.RESEARCH_INSTITUTE: "科研院所",
}


def _area_names() -> dict[str, str]:
    return dict(Area.objects.values_list("code", "name"))


def _names_path(area: Area | None, names: dict[str, str]) -> tuple[str, ...]:
    if area is None:
        return ()
    return tuple(names.get(code, code) for code in area.path.split("/") if code)


def records(queryset: QuerySet[TechContract]) -> list[ContractRecord]:
    """The engine's records of the contracts (latest amounts), areas as name paths."""
    names = _area_names()
    rows = queryset.select_related(
        "seller_area", "buyer_area", "tech_field", "industry", "seller"
    ).order_by("registered_on", "id")
    return [
        ContractRecord(
            registration_no=c.registration_no or f"#{c.pk}",
            status=c.status,
            registered_on=c.registered_on,
            total=c.total_amount,
            technology=c.counted_amount,
            category=statistical_category(c.category, c.subcategory),
            field=c.tech_field.name if c.tech_field else "",
            industry=c.industry.name if c.industry else "",
            seller_kind=SELLER_KINDS.get(c.seller.kind, "其他") if c.seller else "其他",
            seller_name=c.seller_name,
            buyer_name=c.buyer_name,
            seller_areas=_names_path(c.seller_area, names),
            buyer_areas=_names_path(c.buyer_area, names),
            buyer_region=c.buyer_region,
        )
        for c in rows
    ]


def statistics_queryset(user: Any, year: int | None = None, area: Area | None = None) -> QuerySet:
    """Counted contracts the user may see, of a registration year, with a seller or a buyer in
    `area` (输出 and 吸纳 both need the contract)."""
    queryset = counted_contracts() & TechContract.objects.restrict(user, "view")
    if year:
        queryset = queryset.filter(registered_on__year=year)
    if area is not None:
        queryset = queryset.filter(
            Q(seller_area__path__startswith=area.path) | Q(buyer_area__path__startswith=area.path)
        )
    return queryset


# --- the plan indicator (monitoring's SERIES_READERS) -----------------------------------------


def contract_list_url(**params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return reverse("contracts:list") + (f"?{query}" if query else "")


def contract_amount_per_year(
    years: list[int], areas: list[Area], tree: dict[int, Area]
) -> dict[str, dict[int, dict[str, Any]]]:
    """技术合同成交额 per area and year, in 亿元: contracts whose seller is in the area (or below
    it), registered in the year, cancelled ones excluded, changed ones at their latest amount.
    Beside it, 技术交易额 (the same contracts) and 技术吸纳 (buyers in the area), in 亿元.

    {area code: {year: {"value", "technology", "absorbed", "count", "trace_url"}}}.
    `tree` is the area tree {id: Area} read once by the caller.
    """
    rows = list(
        counted_contracts()
        .filter(registered_on__year__in=years)
        .values("seller_area", "buyer_area", "registered_on__year")
        .annotate(total=Sum("total_amount"), tech=Sum("tech_amount"), n=Count("id"))
        .values_list("seller_area", "buyer_area", "registered_on__year", "total", "tech", "n")
    )
    out: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for area in areas:
        for year in years:
            total = tech = absorbed = Decimal(0)
            count = 0
            for seller_id, buyer_id, y, amount, technology, n in rows:
                if y != year:
                    continue
                seller, buyer = tree.get(seller_id), tree.get(buyer_id)
                if seller is not None and seller.path.startswith(area.path):
                    total += amount or 0
                    tech += technology or 0
                    count += n
                if buyer is not None and buyer.path.startswith(area.path):
                    absorbed += amount or 0
            out[area.code][year] = {
                "value": total / WAN_PER_YI,
                "technology": tech / WAN_PER_YI,
                "absorbed": absorbed / WAN_PER_YI,
                "count": count,
                "trace_url": contract_list_url(year=year, seller_area=area.code, counted="1"),
            }
    return out
