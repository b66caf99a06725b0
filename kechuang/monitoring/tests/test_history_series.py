"""Computed series that look back: platforms by their status on each 31 December, and the
industrial R&D ratio over 规上工业企业 only (GB/T 4754-2017 sections B, C, D)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kechuang.monitoring import selectors
from kechuang.registry.models import AnnualReport, Area, InnovationPlatform
from kechuang.registry.services.platforms import record_status_change

pytestmark = pytest.mark.django_db

D = dt.date
YEARS = [2020, 2021, 2022, 2023, 2024]


def _platform(host: Any, name: str, level: str = "municipal") -> InnovationPlatform:
    return InnovationPlatform.objects.create(
        name=name, kind="key_lab", level=level, host=host, area=host.area
    )


def _event(user: Any, platform: Any, event: str, day: dt.date, **extra: Any) -> None:
    record_status_change(user, platform, {"event": event, "date": day, **extra})


def test_a_platform_revoked_in_2024_still_counts_for_2021_to_2023(
    users: dict[str, Any], orgs: dict[str, Any]
) -> None:
    staff, host = users["city_staff"], orgs["wolong"]
    revoked = _platform(host, "甲平台")
    _event(staff, revoked, "approved", D(2021, 3, 1))
    _event(staff, revoked, "revoked", D(2024, 6, 30))
    merged = _platform(orgs["wancheng"], "乙平台", "provincial")
    _event(staff, merged, "approved", D(2019, 5, 1))
    _event(staff, merged, "merged", D(2022, 12, 31), merged_into=revoked)  # gone on 2022-12-31
    suspended = _platform(host, "丙平台")
    _event(staff, suspended, "approved", D(2020, 1, 1))
    _event(staff, suspended, "suspended", D(2023, 2, 1))
    _event(staff, suspended, "resumed", D(2024, 2, 1))
    areas = [Area.objects.get(code=c) for c in ("411300", "411303", "411302")]
    series = selectors.computed_series("platforms", YEARS, areas)
    city = [series["411300"][y].value for y in YEARS]
    assert city == [2, 3, 2, 1, 1]  # 乙 until 2021; 甲 2021–2023; 丙 except 2023
    assert [series["411303"][y].value for y in YEARS] == [1, 2, 2, 1, 1]
    assert [series["411302"][y].value for y in YEARS] == [1, 1, 0, 0, 0]
    point = series["411303"][2023]
    assert point.detail.startswith("2023-12-31 运行中的创新平台 1 个（按当日的状态")
    assert point.trace_url == "/registry/platforms/?operating_on=2023-12-31&area=411303"


def test_the_platforms_trace_lists_the_platforms_counted(
    users: dict[str, Any], orgs: dict[str, Any], client_for: Any
) -> None:
    staff, host = users["city_staff"], orgs["wolong"]
    gone = _platform(host, "已撤销的演示平台")
    _event(staff, gone, "approved", D(2021, 3, 1))
    _event(staff, gone, "revoked", D(2024, 6, 30))
    areas = [Area.objects.get(code="411303")]
    series = selectors.computed_series("platforms", [2023, 2024], areas)
    page_2023 = client_for("city_staff").get(series["411303"][2023].trace_url).content.decode()
    page_2024 = client_for("city_staff").get(series["411303"][2024].trace_url).content.decode()
    assert "已撤销的演示平台" in page_2023 and "已撤销的演示平台" not in page_2024


def _report(org: Any, year: int, rd: str, revenue: str) -> AnnualReport:
    return AnnualReport.objects.create(
        organization=org,
        year=year,
        rd_expense=Decimal(rd),
        total_revenue=Decimal(revenue),
        confirmed_at=timezone.now(),
    )


def test_industrial_rd_counts_only_industrial_enterprises_above_size(make_org: Any) -> None:
    manufacturer = make_org(is_above_designated_size=True, industry_section="C")
    power = make_org(is_above_designated_size=True, industry_section="D", industry_division="44")
    software = make_org(is_above_designated_size=True, industry_section="I")
    unknown = make_org(is_above_designated_size=True)
    small = make_org(is_above_designated_size=False, industry_section="C")
    _report(manufacturer, 2023, "30", "1000")
    _report(power, 2023, "10", "3000")
    _report(software, 2023, "500", "1000")  # 规上, but not 工业: excluded
    _report(unknown, 2023, "99", "100")  # no section: excluded, and said so
    _report(small, 2023, "50", "100")  # not 规上
    series = selectors.computed_series(
        "industrial_rd_ratio", [2023], [Area.objects.get(code="411303")]
    )
    point = series["411303"][2023]
    assert point.value == pytest.approx(1.0)  # (30 + 10) ÷ (1000 + 3000) × 100
    assert (
        "规上工业企业（国民经济行业门类 B 采矿业、C 制造业、D 电力、热力、燃气及水生产和供应业）"
        in (point.detail)
    )
    assert "研发费用 40.00 万元 ÷ 营业收入 4000.00 万元" in point.detail
    assert point.detail.endswith("另有 1 家规上企业未登记行业门类，无法判断是否工业，未计入")
    assert point.trace_url == (
        "/registry/annual_reports/?year=2023&area=411303&above_designated_size=true&industrial=true"
    )


def test_industrial_rd_detail_says_nothing_is_left_out_when_all_are_classified(
    make_org: Any, client_for: Any, users: dict[str, Any]
) -> None:
    miner = make_org(is_above_designated_size=True, industry_section="B")
    shop = make_org(is_above_designated_size=True, industry_section="F")
    _report(miner, 2022, "5", "200")
    _report(shop, 2022, "5", "200")
    point = selectors.computed_series(
        "industrial_rd_ratio", [2022], [Area.objects.get(code="411300")]
    )["411300"][2022]
    assert point.value == pytest.approx(2.5)
    assert "未登记行业门类" not in point.detail
    listed = client_for("city_staff").get(point.trace_url).content.decode()
    assert miner.name in listed and shop.name not in listed
