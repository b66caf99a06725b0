"""The plan indicator 技术合同成交额 (tech_contract_amount, 亿元) computed from the register: the
sum over the register by year and area, through `plan_progress` and the progress API; cancelled
contracts out, changed ones at their latest amount, 12-31 and 01-01 in their own years, a buyer
outside the city still counted in the seller's area."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from kechuang.contracts import services
from kechuang.contracts.models import TechContract
from kechuang.contracts.tests.conftest import PDF
from kechuang.monitoring import selectors as monitoring_selectors
from kechuang.monitoring.models import ComputedFrom
from kechuang.monitoring.services import load_plan_file
from kechuang.registry.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(users: dict[str, Any], orgs: dict[str, Any], make_user: Any) -> dict[str, Any]:
    staff = users["city_staff"]
    wancheng_seller = make_user("enterprise", "wc", organization=orgs["wancheng"])

    def make(user: Any, total: str, on: dt.date, **extra: Any) -> TechContract:
        data = {
            "category": "技术服务",
            "subcategory": "技术服务",
            "title": f"测试 {total}",
            "buyer_uscc": orgs["wancheng"].uscc,
            "signed_on": dt.date(2023, 1, 1),
            "total_amount": Decimal(total),
            **extra,
        }
        contract = services.apply(user, data, PDF)
        services.accept(staff, contract)
        services.assess(staff, contract, [])
        if contract.status == "expert_review":
            services.record_expert_review(staff, contract, "同意")
        return services.register(staff, contract, on=on)

    seller = users["enterprise"]
    make(seller, "100", dt.date(2024, 12, 31))
    make(seller, "50", dt.date(2025, 1, 1))
    outside = make(
        seller,
        "40",
        dt.date(2024, 3, 1),
        buyer_uscc="",
        buyer_name="武汉某公司",
        buyer_region="湖北省",
    )
    changed = make(wancheng_seller, "200", dt.date(2024, 6, 1), buyer_uscc=orgs["wolong"].uscc)
    services.change(staff, changed, {"total_amount": Decimal(150)})
    cancelled = make(seller, "300", dt.date(2024, 5, 1))
    services.cancel(staff, cancelled, "合同解除")
    return {"outside": outside}


def register_sum(area: Area, year: int) -> float:
    """The sum over the register, read independently of the selectors (万元 → 亿元)."""
    total = sum(
        (
            c.total_amount
            for c in TechContract.objects.filter(registered_on__year=year)
            .exclude(status__in=("cancelled", "refused"))
            .select_related("seller_area")
            if c.seller_area.path.startswith(area.path)
        ),
        Decimal(0),
    )
    return float(total / 10000)


def test_the_plan_file_makes_the_indicator_computed_from_the_register() -> None:
    plan = load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    indicator = plan.indicators.get(code="tech_contract_amount")
    assert indicator.computed_from == ComputedFrom.TECH_CONTRACTS
    assert "卖方在本区域" in indicator.get_computed_from_display()


def test_plan_progress_equals_the_register_by_year_and_area(register) -> None:
    plan = load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    areas = [Area.objects.get(name=n) for n in ("南阳市", "卧龙区", "宛城区", "邓州市")]
    progress = monitoring_selectors.plan_progress(
        plan, dt.date(2025, 12, 31), areas, codes=["tech_contract_amount"]
    )
    expected = {  # hand-computed, 亿元
        ("南阳市", 2024): 0.029,  # 100 (12-31) + 40 (buyer outside) + 150 (changed); 300 cancelled
        ("南阳市", 2025): 0.005,  # 50 registered on 01-01
        ("卧龙区", 2024): 0.014,
        ("宛城区", 2024): 0.015,
        ("邓州市", 2024): 0.0,
    }
    for area in areas:
        (row,) = progress[area.code]
        points = {p.year: p for p in row.computed_points}
        for year in (2024, 2025):
            assert points[year].value == pytest.approx(register_sum(area, year))
            if (area.name, year) in expected:
                assert points[year].value == pytest.approx(expected[(area.name, year)])
    city_2024 = {p.year: p for p in progress[areas[0].code][0].computed_points}[2024]
    assert "技术交易额 0.0290 亿元" in city_2024.detail
    assert "技术吸纳（买方在南阳市）0.0250 亿元" in city_2024.detail  # 40 went outside
    assert city_2024.trace_url == f"/contracts/?year=2024&seller_area={areas[0].code}&counted=1"


def test_progress_api_reports_the_register_value(client_for, register) -> None:
    load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    body = (
        client_for("city_staff")
        .get("/api/monitoring/plans/nanyang-14/progress?as_of=2025-12-31")
        .json()
    )
    row = next(i for i in body["indicators"] if i["code"] == "tech_contract_amount")
    assert row["computed"]["year"] == 2025
    assert row["computed"]["value"] == pytest.approx(0.005)
    assert row["computed"]["trace_url"].startswith("/contracts/?year=2025")
    wolong = (
        client_for("city_staff")
        .get("/api/monitoring/plans/nanyang-14/progress?as_of=2024-12-31&area=卧龙区")
        .json()
    )
    row = next(i for i in wolong["indicators"] if i["code"] == "tech_contract_amount")
    assert row["computed"]["value"] == pytest.approx(0.014)


def test_trace_url_lists_the_contracts_behind_the_number(client_for, register) -> None:
    city = Area.objects.get(name="南阳市")
    page = client_for("city_staff").get(f"/contracts/?year=2024&seller_area={city.code}&counted=1")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3  # 100, 40, changed 150; not the cancelled


def test_indicator_page_shows_the_definition_and_the_trace(client_for, register) -> None:
    load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    page = client_for("city_staff").get(
        "/monitoring/indicators/tech_contract_amount/?as_of=2024-12-31"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "卖方在本区域、当年登记的合同成交额" in text
    assert "技术吸纳" in text and "技术交易额" in text
    assert "/contracts/?year=2024&amp;seller_area=" in text
