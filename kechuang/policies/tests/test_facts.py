"""The facts gathered from the confirmed registry (platform history, contracts, patents,
qualifications) and the simulation over them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from kechuang.policies import selectors
from kechuang.policies.engine import read_document
from kechuang.policies.tests.conftest import RD_TEXT, example

pytestmark = pytest.mark.django_db


def platform(host: Any, level: str, approved: dt.date, **extra: Any) -> Any:
    from kechuang.registry.models import InnovationPlatform

    return InnovationPlatform.objects.create(
        name=f"测试平台{level}{approved}",
        kind="engineering_center",
        level=level,
        host=host,
        area=host.area,
        approved_on=approved,
        status="operating",
        **extra,
    )


def contract(seller: Any, amount: str, registered: dt.date, status: str = "registered") -> None:
    from kechuang.contracts.models import TechContract

    TechContract.objects.create(
        category="development",
        subcategory="entrusted",
        title="测试合同",
        seller=seller,
        seller_name=seller.name,
        seller_area=seller.area,
        buyer_name="某买方",
        signed_on=registered - dt.timedelta(days=10),
        registered_on=registered,
        total_amount=D(amount),
        tech_amount=D(amount),
        status=status,
    )


def facts_of(city: dict[str, Any], year: int = 2025) -> dict[int, Any]:
    return {f.organization_id: f for f in selectors.registry_facts(year, dt.date(2026, 4, 1))}


def test_qualifications_and_figures(city: dict[str, Any]) -> None:
    facts = facts_of(city)
    assert facts[city["wolong"].pk].first_granted == {"HNTE"}
    assert facts[city["wancheng"].pk].first_granted == frozenset()  # granted in 2022
    assert facts[city["wolong"].pk].held == {"HNTE"}
    # 宛城's certificate (2022-11-20, three years) expired on 2025-11-19: not held at year end
    assert facts[city["wancheng"].pk].held == frozenset()
    assert facts_of(city, 2024)[city["wancheng"].pk].held == {"HNTE"}
    assert facts[city["third"].pk].held == frozenset()  # a claim is not counted
    assert facts[city["fifth"].pk].figures == {2025: facts[city["fifth"].pk].figures[2025]}
    assert facts[city["wolong"].pk].figures[2024]["rd_expense"] == D("150")


def test_platforms_contracts_patents(city: dict[str, Any]) -> None:
    from kechuang.registry.models import Patent, PlatformStatusChange

    wolong, wancheng = city["wolong"], city["wancheng"]
    platform(wolong, "provincial", dt.date(2025, 6, 1))  # no history: approval date stands in
    upgraded = platform(wancheng, "provincial", dt.date(2020, 6, 1))
    PlatformStatusChange.objects.create(
        platform=upgraded,
        event="approved",
        date=dt.date(2020, 6, 1),
        status_after="operating",
        level_after="municipal",
    )
    PlatformStatusChange.objects.create(
        platform=upgraded,
        event="upgraded",
        date=dt.date(2025, 9, 1),
        level="provincial",
        status_after="operating",
        level_before="municipal",
        level_after="provincial",
    )
    contract(wolong, "600", dt.date(2025, 3, 1))
    contract(wolong, "500", dt.date(2025, 8, 1))
    contract(wolong, "900", dt.date(2024, 8, 1))  # another year
    contract(wolong, "900", dt.date(2025, 8, 1), status="cancelled")
    Patent.objects.create(
        number="ZL202510000001.1",
        kind="invention",
        title="测试",
        organization=wolong,
        application_date=dt.date(2023, 1, 1),
        grant_date=dt.date(2025, 5, 1),
    )
    facts = facts_of(city)
    assert facts[wolong.pk].new_platforms == (("engineering_center", "provincial", ""),)
    assert facts[wancheng.pk].new_platforms == (("engineering_center", "provincial", "municipal"),)
    assert facts[wolong.pk].contract_amount == D("1100")
    assert facts[wolong.pk].patents_granted == 1
    # the example policies over these facts
    award = selectors.simulate(read_document(example("platform-award")), 2025)
    assert (award.eligible, award.total) == (2, D("600000.00"))
    tiers = selectors.simulate(read_document(example("tech-contract-award")), 2025)
    assert (tiers.eligible, tiers.total) == (1, D("100000.00"))  # 1100 万: the ≥ 1000 tier


def test_simulation_and_a_changed_threshold(city: dict[str, Any]) -> None:
    document = read_document(RD_TEXT)
    summary = selectors.simulate(document, 2025)
    assert (summary.eligible, summary.total, summary.near_miss) == (4, D("241000.00"), 1)
    assert {k: g.count for k, g in summary.by_area.items()} == {"卧龙区": 2, "宛城区": 2}
    changed = selectors.simulate_change(document, {"conditions[0].value": 150}, 2025)
    # 宛城第四 (120 万) drops out; 宛城 (160 万) stays
    assert changed.lost == {city["fourth"].pk}
    assert changed.after.total == D("220000.00")
