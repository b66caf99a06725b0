"""Engine cases (the ``manage.py assess`` format, amounts in 万元) from registry rows.

One builder serves the enterprise self-assessment (one organization) and the batch screening
(every enterprise in a queryset), so both see exactly the same figures:

* the last three *confirmed* annual reports before the year of ``as_of`` (oldest first);
* the Ⅰ/Ⅱ-class IP held according to the latest of them, the conversions summed over them;
* the HNTE/TSME qualifications valid on ``as_of``; the registration date and technical field.

Pure: the caller reads the rows (``kechuang.cultivation.selectors.cases_for``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

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


def case_from_reports(
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
