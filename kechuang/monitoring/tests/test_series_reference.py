"""The computed series (one set-based query per indicator for every area and year, the fast path
bench/bench_progress.py times) equal a plain reference computed area by area and year by year
with the registry's own filters, on the demo data, for every computable indicator, every area
of the city and every year of the plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from kechuang.monitoring import selectors
from kechuang.registry.models import (
    AnnualReport,
    Area,
    Organization,
    Patent,
    Qualification,
)
from kechuang.registry.selectors import platforms_operating_on
from kechuang.registry.synthetic.writer import write_ecosystem

pytestmark = pytest.mark.django_db

YEARS = [2020, 2021, 2022, 2023, 2024]


@pytest.fixture
def demo() -> list[Area]:
    write_ecosystem(0.05, 5)  # the demo's synthetic registries (load_demo), small
    areas = list(Area.local().order_by("sort_order"))
    assert len(areas) == 18
    return areas


def in_area(area: Area, prefix: str = "") -> dict[str, str]:
    return {f"{prefix}area__path__startswith": area.path}


def holders(kind: str, area: Area, day: dt.date) -> int:
    valid = Qualification.objects.filter(Qualification.valid_on(day), kind=kind)
    rows = Organization.objects.filter(pk__in=valid.values("organization_id"), **in_area(area))
    return rows.count()


@pytest.mark.parametrize(("code", "kind"), [("hnte_count", "HNTE"), ("tsme_count", "TSME")])
def test_qualification_counts_equal_the_reference(demo: list[Area], code: str, kind: str) -> None:
    # a verified certificate and a claim of the same organization: only the verified one's
    # years count (the organizations with a claim are folded apart from the rest)
    org = Organization.objects.filter(area=demo[3]).order_by("pk").first()
    assert org is not None
    Qualification.objects.filter(organization=org, kind=kind).delete()
    for issued, state in ((dt.date(2020, 3, 1), "verified"), (dt.date(2022, 3, 1), "claimed")):
        Qualification.objects.create(
            organization=org,
            kind=kind,
            issued_on=issued,
            expires_on=issued.replace(year=issued.year + 2),
            issuer_level="national",
            verification=state,
        )
    series = selectors.computed_series(code, YEARS, demo)
    checked = 0
    for area in demo:
        for year in YEARS:
            expected = holders(kind, area, dt.date(year, 12, 31))
            assert series[area.code][year].value == expected, (area.name, year)
            checked += expected
    assert checked > 0  # the demo holds such qualifications: the comparison is not of zeros
    assert series[demo[3].code][2021].value == holders(kind, demo[3], dt.date(2021, 12, 31))


def test_platform_counts_equal_the_reference(demo: list[Area]) -> None:
    series = selectors.computed_series("platforms", YEARS, demo)
    total = 0
    for area in demo:
        for year in YEARS:
            expected = platforms_operating_on(dt.date(year, 12, 31), area=area).count()
            assert series[area.code][year].value == expected, (area.name, year)
            total += expected
    assert total > 0


def test_high_value_patents_equal_the_reference(demo: list[Area]) -> None:
    series = selectors.computed_series("hv_patents_per_10k", YEARS, demo)
    total = 0
    for area in demo:
        for year in YEARS:
            day = dt.date(year, 12, 31)
            n = Patent.objects.filter(
                Patent.high_value_on(day), **in_area(area, "organization__")
            ).count()
            total += n
            assert f"有效高价值发明专利 {n} 件" in series[area.code][year].detail
            population = selectors.published_latest("population", [area], year).get(area.code)
            expected = n / population if population else None
            assert series[area.code][year].value == expected, (area.name, year)
    assert total > 0


def test_industrial_rd_ratio_equals_the_reference(demo: list[Area]) -> None:
    series = selectors.computed_series("industrial_rd_ratio", YEARS, demo)
    shown = 0
    for area in demo:
        for year in YEARS:
            reports = AnnualReport.objects.filter(
                year=year,
                confirmed_at__isnull=False,
                organization__is_above_designated_size=True,
                organization__kind="enterprise",
                **in_area(area, "organization__"),
            )
            sums = reports.filter(Organization.industrial_q("organization__")).aggregate(
                rd=Sum("rd_expense"), revenue=Sum("total_revenue")
            )
            rd, revenue = sums["rd"] or Decimal(0), sums["revenue"] or Decimal(0)
            expected = float(rd / revenue * 100) if revenue else None
            point = series[area.code][year]
            assert point.value == pytest.approx(expected), (area.name, year)
            assert f"研发费用 {rd:.2f} 万元 ÷ 营业收入 {revenue:.2f} 万元" in point.detail
            unknown = (
                reports.filter(organization__industry_section="")
                .values("organization")
                .distinct()
                .count()
            )
            assert (f"另有 {unknown} 家规上企业未登记行业门类" in point.detail) == bool(unknown)
            shown += expected is not None
    assert shown > 0
