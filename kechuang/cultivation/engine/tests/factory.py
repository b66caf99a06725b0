"""Case builders for the engine tests (plain dicts in the public case format, amounts in 万元).

``hnte_data()`` is a 3-year enterprise that passes 高企 with the minimum points (77–100):
sales 2400/3200/4200 and R&D 150/220/300 as in the reference's HT-RD-5, 净资产 1000/1200/1500
as in HT-GR-1.
"""

from __future__ import annotations

import copy
from typing import Any

from kechuang.cultivation.engine import Assessment, Case, assess, load_case

YEARS: list[dict[str, Any]] = [
    {
        "year": 2021,
        "sales_revenue": 2400,
        "total_revenue": 2500,
        "hightech_revenue": 1800,
        "rd_expense": 150,
        "rd_expense_domestic": 150,
        "cost_expense_total": 2000,
        "net_assets_end": 1000,
        "total_assets_end": 3000,
        "employees_avg": 60,
        "st_staff_avg": 15,
    },
    {
        "year": 2022,
        "sales_revenue": 3200,
        "total_revenue": 3300,
        "hightech_revenue": 2400,
        "rd_expense": 220,
        "rd_expense_domestic": 200,
        "cost_expense_total": 2700,
        "net_assets_end": 1200,
        "total_assets_end": 3500,
        "employees_avg": 70,
        "st_staff_avg": 18,
    },
    {
        "year": 2023,
        "sales_revenue": 4200,
        "total_revenue": 4300,
        "hightech_revenue": 3000,
        "rd_expense": 300,
        "rd_expense_domestic": 250,
        "cost_expense_total": 3500,
        "net_assets_end": 1500,
        "total_assets_end": 4000,
        "employees_avg": 80,
        "st_staff_avg": 24,
    },
]


def hnte_data(**overrides: Any) -> dict[str, Any]:
    """A passing 高企 case dict; keyword arguments replace top-level fields."""
    data: dict[str, Any] = {
        "as_of": "2024-05-01",
        "registered_on": "2015-06-01",
        "tech_field": "电子信息",
        "major_incident_last_year": False,
        "years": copy.deepcopy(YEARS),
        "ip": {"class_i": 1, "class_ii": 2, "self_developed": True, "standards_drafted": False},
        "conversions_3y": 15,
        "expert_grades": {"advancement": "A", "core_support": "A", "rd_management_points": 18},
    }
    data.update(copy.deepcopy(overrides))
    return data


def set_year(data: dict[str, Any], index: int, **fields: Any) -> dict[str, Any]:
    """Change fields of ``years[index]`` in place and return ``data``."""
    data["years"][index].update(fields)
    return data


def set_ip(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Change fields of ``ip`` in place and return ``data``."""
    data["ip"].update(fields)
    return data


def set_grades(data: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Change expert grades in place (None removes the grade) and return ``data``."""
    for key, value in fields.items():
        if value is None:
            data["expert_grades"].pop(key, None)
        else:
            data["expert_grades"][key] = value
    return data


def tsme_data(
    *,
    employees: float = 80,
    st_staff: float = 24,
    rd: float = 300,
    sales: float = 4200,
    cost: float | None = 3500,
    assets: float = 4000,
    class_i: int = 0,
    class_ii: int = 0,
    **overrides: Any,
) -> dict[str, Any]:
    """A one-year 科小 case dict built from the last-year figures the TSME rules read."""
    year: dict[str, Any] = {
        "year": 2023,
        "sales_revenue": sales,
        "rd_expense": rd,
        "total_assets_end": assets,
        "employees_avg": employees,
        "st_staff_avg": st_staff,
    }
    if cost is not None:
        year["cost_expense_total"] = cost
    data: dict[str, Any] = {
        "as_of": "2024-05-01",
        "registered_on": "2023-01-10",
        "years": [year],
        "ip": {"class_i": class_i, "class_ii": class_ii},
    }
    data.update(overrides)
    return data


def run(data: dict[str, Any], code: str = "hnte-2016", policy: str = "min") -> Assessment:
    """load_case + assess."""
    return assess(code, load_case(data), policy)  # type: ignore[arg-type]


def hnte(data: dict[str, Any], policy: str = "min") -> Assessment:
    """Assess a dict with ``hnte-2016``."""
    return run(data, "hnte-2016", policy)


def tsme(data: dict[str, Any]) -> Assessment:
    """Assess a dict with ``tsme-2022``."""
    return run(data, "tsme-2022")


def case_of(data: dict[str, Any]) -> Case:
    """load_case."""
    return load_case(data)
