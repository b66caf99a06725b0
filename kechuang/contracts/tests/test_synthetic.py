"""The demo contracts: consistent with the synthetic registry, every category and state,
labelled 演示数据, deterministic, and the plan indicator reads them."""

from __future__ import annotations

import pytest

from kechuang.contracts.engine import SUBCATEGORIES
from kechuang.contracts.models import ContractStatus, TechContract
from kechuang.contracts.synthetic import write_demo_contracts
from kechuang.registry.models import Organization
from kechuang.registry.synthetic.writer import write_ecosystem

pytestmark = pytest.mark.django_db


def test_demo_contracts_cover_every_category_and_state() -> None:
    write_ecosystem(0.05, 5)
    report = write_demo_contracts(0.2, 7)
    contracts = TechContract.objects.all()
    assert report.created == contracts.count() > 0
    assert contracts.filter(is_demo=False).count() == 0
    assert all(c.title.endswith("（演示）") for c in contracts)
    pairs = set(contracts.values_list("category", "subcategory"))
    assert pairs == {(c, s) for c, subs in SUBCATEGORIES.items() for s in subs}
    assert set(contracts.values_list("status", flat=True)) == set(ContractStatus.values)
    years = set(contracts.exclude(registered_on=None).values_list("registered_on__year", flat=True))
    assert years == {2021, 2022, 2023, 2024, 2025}
    demo = {o.uscc: o for o in Organization.objects.filter(is_demo=True)}
    for c in contracts:
        assert c.seller_id is None and demo[c.seller_uscc].area_id == c.seller_area_id
    assert all(c.tech_amount <= c.total_amount for c in contracts.exclude(tech_amount=None))
    assert contracts.filter(buyer_area=None).exclude(buyer_region="").exists()
    first = sorted(contracts.values_list("registration_no", "total_amount"), key=str)
    TechContract.objects.all().delete()
    write_demo_contracts(0.2, 7)
    assert (
        sorted(TechContract.objects.values_list("registration_no", "total_amount"), key=str)
        == first
    )


def test_load_demo_loads_the_calendar_and_the_contracts_once(monkeypatch) -> None:
    from django.core.management import call_command

    from kechuang.contracts.models import CalendarDay
    from kechuang.site.management.commands import load_demo

    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    count = TechContract.objects.filter(is_demo=True).count()
    assert count > 0 and CalendarDay.objects.exists()
    call_command("load_demo", scale=0.05, seed=5)
    assert TechContract.objects.count() == count
