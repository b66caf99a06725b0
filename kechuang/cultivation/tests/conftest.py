"""A small, hand-built city for the screening and pool tests: one enterprise per tier."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.registry.models import AnnualReport, Qualification, TechField

AS_OF = dt.date(2025, 6, 30)
CONFIRMED = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)

# year: sales, total, hightech, rd, rd_domestic, net assets, total assets, employees, st staff
READY = {
    2022: (2400, 2500, 1800, 150, 150, 1000, 3000, 80, 10),
    2023: (3200, 3300, 2500, 220, 220, 1200, 3500, 85, 10),
    2024: (4200, 4300, 3300, 300, 280, 1500, 4000, 90, 10),
}
# The same, but S&T staff 8 of 90 in 2024: fails 第十一条（四） only.
STAFF_SHORT = {**READY, 2024: (4200, 4300, 3300, 300, 280, 1500, 4000, 90, 8)}
# Little R&D, no high-tech revenue, few S&T staff: several HNTE conditions fail.
FAR = {
    2022: (2000, 2000, 0, 20, 20, 800, 2000, 60, 3),
    2023: (2100, 2100, 0, 25, 25, 850, 2100, 60, 3),
    2024: (2200, 2200, 0, 30, 30, 900, 2200, 60, 3),
}
# Too big for TSME (employees > 500), R&D but far from HNTE.
BIG = {year: (*row[:7], 800, 20) for year, row in FAR.items()}


def add_reports(
    org: Any, years: dict[int, tuple], ip: tuple[int, int] = (1, 2), **over: Any
) -> None:
    for year, (sales, total, ht, rd, dom, na, ta, emp, st) in years.items():
        values = {
            "sales_revenue": sales,
            "total_revenue": total,
            "hightech_revenue": ht,
            "rd_expense": rd,
            "rd_expense_domestic": dom,
            "cost_expense_total": total - 200,
            "net_assets_end": na,
            "total_assets_end": ta,
            "employees_avg": emp,
            "st_staff_avg": st,
            "ip_class_i_held": ip[0],
            "ip_class_ii_held": ip[1],
            "tech_conversions": 5,
        }
        values.update(over)
        AnnualReport.objects.create(organization=org, year=year, confirmed_at=CONFIRMED, **values)


def qualify(org: Any, kind: str, issued: dt.date, expires: dt.date | None) -> None:
    Qualification.objects.create(
        organization=org,
        kind=kind,
        issued_on=issued,
        expires_on=expires,
        issuer_level="national",
        verification="verified",
    )


@pytest.fixture
def tier_rules(db: Any, reference: None) -> None:
    from kechuang.cultivation.services import load_tier_rules

    load_tier_rules()


@pytest.fixture
def city(make_org: Any, tier_rules: None) -> dict[str, Any]:
    """Enterprises named by the tier the shipped policy must give them on AS_OF."""
    field = TechField.objects.get(name="电子信息")
    founded = dt.date(2018, 3, 1)

    def enterprise(key: str, area: str = "卧龙区") -> Any:
        return make_org(area, name=f"{key}企业（测试）", founded_on=founded, tech_field=field)

    made = {
        "mature": enterprise("成熟"),
        "growing": enterprise("成长"),
        "startup": enterprise("初创"),
        "seed": enterprise("种子"),
        "hnte": enterprise("高企"),
        "no_data": enterprise("无数据"),
        "incomplete": enterprise("缺数"),
        "wancheng": enterprise("宛城成长", area="宛城区"),
    }
    add_reports(made["mature"], READY)
    add_reports(made["growing"], STAFF_SHORT)
    qualify(made["growing"], "TSME", dt.date(2025, 5, 10), dt.date(2026, 12, 31))
    add_reports(made["startup"], FAR)
    qualify(made["startup"], "TSME", dt.date(2025, 5, 10), dt.date(2026, 12, 31))
    add_reports(made["seed"], BIG, ip=(0, 0))
    add_reports(made["hnte"], READY)
    qualify(made["hnte"], "HNTE", dt.date(2023, 11, 20), dt.date(2026, 11, 19))
    add_reports(made["incomplete"], READY, rd_expense_domestic=None)
    add_reports(made["wancheng"], STAFF_SHORT)
    qualify(made["wancheng"], "TSME", dt.date(2025, 5, 10), dt.date(2026, 12, 31))
    return made


@pytest.fixture
def plan(reference: None) -> Any:
    from django.conf import settings

    from kechuang.monitoring.services import load_plan_file

    return load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")


@pytest.fixture
def screened(city: dict[str, Any]) -> dict[str, Any]:
    """The city screened on AS_OF by the command-line path (no queue)."""
    from kechuang.cultivation.models import ScreeningRun
    from kechuang.cultivation.services import execute_run

    execute_run(ScreeningRun.objects.create(as_of=AS_OF).pk)
    return city
