"""Engine cases (the `manage.py assess` format, amounts in 万元) built from the registry.

One builder serves the enterprise self-assessment (one organization) and the batch screening
(every enterprise in a queryset), so both see exactly the same figures:

* the last three *confirmed* annual reports before the year of ``as_of`` (oldest first);
* the Ⅰ/Ⅱ-class IP held according to the latest of them, the conversions summed over them;
* the HNTE/TSME qualifications valid on ``as_of``; the registration date and technical field.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kechuang.registry.models import AnnualReport, Organization, Qualification

CASE_YEAR_FIELDS = (
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "cost_expense_total",
    "net_assets_end",
    "total_assets_end",
    "employees_avg",
    "st_staff_avg",
)
REPORT_FIELDS = (
    *CASE_YEAR_FIELDS,
    "main_revenue",
    "ip_class_i_held",
    "ip_class_ii_held",
    "tech_conversions",
)
WINDOW = 3


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def build_case(
    *,
    as_of: dt.date,
    founded_on: dt.date | None,
    tech_field: str | None,
    reports: list[dict[str, Any]],
    qualifications: Iterable[str],
) -> dict[str, Any]:
    """The case from up to three reports (oldest first, each with `year` and REPORT_FIELDS)."""
    years = [
        {"year": r["year"], **{f: _plain(r[f]) for f in CASE_YEAR_FIELDS if r[f] is not None}}
        for r in reports
    ]
    latest = reports[-1] if reports else None
    case: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "registered_on": founded_on.isoformat() if founded_on else None,
        "years": years,
        "ip": {
            "class_i": (latest["ip_class_i_held"] or 0) if latest else 0,
            "class_ii": (latest["ip_class_ii_held"] or 0) if latest else 0,
        },
        "conversions_3y": sum(r["tech_conversions"] or 0 for r in reports),
        "qualifications": sorted({k for k in qualifications if k in ("HNTE", "TSME")}),
    }
    if tech_field:
        case["tech_field"] = tech_field
    return case


def _reports(organizations: QuerySet[Organization], as_of: dt.date) -> dict[int, list[dict]]:
    """The last WINDOW confirmed reports before as_of's year per organization, oldest first."""
    rows = (
        AnnualReport.objects.filter(
            organization__in=organizations.values("pk"),
            year__lt=as_of.year,
            confirmed_at__isnull=False,
        )
        .order_by("organization_id", "-year")
        .values_list("organization_id", "year", *REPORT_FIELDS)
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for row in rows.iterator(chunk_size=20000):
        kept = out[row[0]]
        if len(kept) < WINDOW:
            kept.append(dict(zip(("year", *REPORT_FIELDS), row[1:], strict=True)))
    for kept in out.values():
        kept.reverse()
    return out


def valid_qualifications(
    organizations: QuerySet[Organization], as_of: dt.date
) -> dict[int, set[str]]:
    """Every qualification kind each organization holds on `as_of`."""
    held: dict[int, set[str]] = defaultdict(set)
    rows = Qualification.objects.filter(
        Qualification.valid_on(as_of), organization__in=organizations.values("pk")
    ).values_list("organization_id", "kind")
    for organization_id, kind in rows.iterator(chunk_size=20000):
        held[organization_id].add(kind)
    return held


def cases_for(
    organizations: QuerySet[Organization], as_of: dt.date
) -> tuple[dict[int, dict[str, Any]], dict[int, list[dict]], dict[int, set[str]]]:
    """Cases of every organization of the queryset, plus the raw reports and qualifications
    they were built from (the screening derives its tier metrics from the same rows)."""
    reports = _reports(organizations, as_of)
    held = valid_qualifications(organizations, as_of)
    cases = {}
    rows = organizations.values_list("pk", "founded_on", "tech_field__name")
    for pk, founded_on, tech_field in rows.iterator(chunk_size=20000):
        cases[pk] = build_case(
            as_of=as_of,
            founded_on=founded_on,
            tech_field=tech_field,
            reports=reports.get(pk, []),
            qualifications=held.get(pk, ()),
        )
    return cases, reports, held


def case_for(organization: Organization, as_of: dt.date) -> dict[str, Any]:
    """The case of one organization (the self-assessment's starting point)."""
    cases, _, _ = cases_for(Organization.objects.filter(pk=organization.pk), as_of)
    return cases[organization.pk]
