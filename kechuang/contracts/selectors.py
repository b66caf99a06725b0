"""Reads of the register: scoped lists, the registrar's work, the calendar, the statistics and
the plan indicator's series (`contract_amount_per_year`, read by monitoring)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from ninja.errors import Throttled

from kechuang.contracts.engine import (
    ContractRecord,
    WorkingCalendar,
    aggregate,
    statistical_category,
)
from kechuang.contracts.engine.categories import STATISTICAL_CATEGORIES
from kechuang.contracts.models import (
    COUNTED_STATES,
    OPEN_STATES,
    CalendarDay,
    ContractStatus,
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
    rows = list(
        queryset.select_related(
            "seller_area", "buyer_area", "tech_field", "industry", "seller"
        ).order_by("registered_on", "id")
    )
    # A seller named only by its credit code (imported or demo rows): its kind from the registry.
    codes = {c.seller_uscc for c in rows if c.seller_id is None and c.seller_uscc}
    kinds = dict(Organization.objects.filter(uscc__in=codes).values_list("uscc", "kind"))
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
            seller_kind=SELLER_KINDS.get(
                c.seller.kind if c.seller else kinds.get(c.seller_uscc, ""), "其他"
            ),
            seller_name=c.seller_name,
            buyer_name=c.buyer_name,
            seller_areas=_names_path(c.seller_area, names),
            buyer_areas=_names_path(c.buyer_area, names),
            buyer_region=c.buyer_region,
        )
        for c in rows
    ]


def statistics_queryset(
    user: Any, year: int | None = None, area: Area | None = None, everything: bool = False
) -> QuerySet:
    """Counted contracts the user may see, of a registration year, with a seller or a buyer in
    `area` (输出 and 吸纳 both need the contract)."""
    queryset = counted_contracts()
    if not everything:
        queryset = queryset & TechContract.objects.restrict(user, "view")
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

    {area code: {year: {"value", "detail", "technology", "absorbed", "count", "trace_url"}}}.
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
                "detail": (
                    f"{year} 年登记、卖方在{area.name}的技术合同 {count} 份：成交额 "
                    f"{total / WAN_PER_YI:.4f} 亿元，技术交易额 {tech / WAN_PER_YI:.4f} 亿元；"
                    f"技术吸纳（买方在{area.name}）{absorbed / WAN_PER_YI:.4f} 亿元"
                ),
                "value": total / WAN_PER_YI,
                "technology": tech / WAN_PER_YI,
                "absorbed": absorbed / WAN_PER_YI,
                "count": count,
                "trace_url": contract_list_url(year=year, seller_area=area.code, counted="1"),
            }
    return out


def contract_with_history(pk: int) -> TechContract:
    """One contract (already checked visible) with its deductions, events and objections."""
    return (
        TechContract.objects.prefetch_related("deductions", "events__actor", "objections")
        .select_related("seller_area", "buyer_area", "tech_field", "industry", "seller")
        .get(pk=pk)
    )


def _sums_rows(sums: dict[str, Any], labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    rows = [
        {
            "key": (labels or {}).get(k, k),
            "count": v.count,
            "total": v.total,
            "technology": v.technology,
        }
        for k, v in sums.items()
    ]
    return sorted(rows, key=lambda r: (-r["total"], r["key"]))


def statistics_answer(
    user: Any,
    year: int | None,
    area_ref: str | None,
    period: str = "year",
    everything: bool = False,
) -> dict[str, Any]:
    """The statistics of the register as plain data (API, pages, exports); `everything` for
    the shell command, which runs with the city's view."""
    area = None
    if area_ref:
        area = Area.objects.filter(Q(code=area_ref) | Q(name=area_ref)).first()
        if area is None:
            raise ValidationError({"area": [f"未知的区域：{area_ref}"]})
    queryset = statistics_queryset(user, year, area, everything)
    stats = aggregate(records(queryset), period)
    output, absorbed = stats.output_by_area, stats.absorbed_by_area
    if area is not None:
        names = set(Area.objects.filter(path__startswith=area.path).values_list("name", flat=True))
        output = {k: v for k, v in output.items() if k in names}
        absorbed = {k: v for k, v in absorbed.items() if k in names}
    by_period = sorted(_sums_rows(stats.by_period), key=lambda r: r["key"])
    return {
        "year": year,
        "area": area.name if area else None,
        "totals": {"key": "合计", **stats.totals.as_dict()},
        "by_period": by_period,
        "output_by_area": _sums_rows(output),
        "absorbed_by_area": _sums_rows(absorbed),
        "by_category": _sums_rows(stats.by_category, STATISTICAL_CATEGORIES),
        "by_field": _sums_rows(stats.by_field),
        "by_industry": _sums_rows(stats.by_industry),
        "by_seller_kind": _sums_rows(stats.by_seller_kind),
        "flows": [
            {"seller": s, "buyer": b, **v.as_dict()}
            for (s, b), v in sorted(stats.flows.items(), key=lambda kv: -kv[1].total)
        ],
        "top_sellers": [{"key": k, **v.as_dict()} for k, v in stats.top_sellers()],
        "top_buyers": [{"key": k, **v.as_dict()} for k, v in stats.top_buyers()],
    }


# --- the public certificate check ------------------------------------------------------------

VERIFY_LIMIT = 60  # checks per client address per window
VERIFY_WINDOW = 600  # seconds


def _client_address(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def verification_allowed(request: Any) -> bool:
    """A simple per-address budget, so guessing check codes is slow."""
    key = f"contracts:verify:{_client_address(request)}"
    cache.add(key, 0, VERIFY_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, VERIFY_WINDOW)
        count = 1
    return count <= VERIFY_LIMIT


def verify_certificate(request: Any, number: str, code: str) -> dict[str, Any]:
    """Genuine or not, from the number and the check code; reveals only the number, date,
    category and status of a genuine certificate — no party, no amount."""
    if not verification_allowed(request):
        raise Throttled(VERIFY_WINDOW)
    number, code = number.strip(), code.strip().upper()
    contract = (
        TechContract.objects.filter(registration_no=number).exclude(check_code="").first()
        if number
        else None
    )
    if contract is None or not constant_time_compare(contract.check_code, code):
        return {"genuine": False, "message": "未查到与该登记编号和校验码相符的登记证明。"}
    message = "登记证明真实有效。"
    if contract.status == ContractStatus.CANCELLED:
        message = "登记证明真实，但该合同已注销登记。"
    return {
        "genuine": True,
        "message": message,
        "registration_no": contract.registration_no,
        "registered_on": contract.registered_on,
        "category": contract.category_label,
        "status": contract.get_status_display(),
    }
