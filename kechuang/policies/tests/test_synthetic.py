"""The demo: the example policies computed over the synthetic registry's last three years, one run
paid within its budget, one in notice; all labelled 示例 / 演示数据; loaded once by load_demo."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kechuang.policies.models import BenefitRun, Entitlement, Objection, PaymentBatch, Policy

pytestmark = pytest.mark.django_db


def test_load_demo_computes_the_example_policies_once(monkeypatch: Any) -> None:
    from kechuang.site.management.commands import load_demo

    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    policies = Policy.objects.all()
    assert policies.count() == 5 and not policies.filter(is_demo=False).exists()
    assert all("示例" in p.name and p.label == "示例政策（待局方按正式文件配置）" for p in policies)
    runs = BenefitRun.objects.all()
    assert runs.count() == 15 and set(runs.values_list("status", flat=True)) == {"done"}
    # the synthetic registry's confirmed reports end in 2025: the last three years
    assert set(runs.values_list("year", flat=True)) == {2023, 2024, 2025}
    by_code = dict(runs.filter(year=2025).values_list("version__policy__code", "entitled"))
    assert by_code["example-rd-increase-subsidy"] > 0  # the registry's facts reach the policies
    paid = PaymentBatch.objects.get(status="paid")
    assert paid.is_demo and paid.run.year == 2024 and paid.total > 0
    assert paid.total <= paid.run.version.budget_total
    assert runs.filter(stage="notice").count() == 2
    call_command("load_demo", scale=0.05, seed=5)
    assert Policy.objects.count() == 5 and BenefitRun.objects.count() == 15


def test_replacing_the_demo_registry_removes_the_demo_policies(monkeypatch: Any) -> None:
    from kechuang.site.management.commands import load_demo

    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    assert Entitlement.objects.exists()
    call_command("generate_demo", scale=0.05, seed=5, replace=True)
    assert (Policy.objects.count(), BenefitRun.objects.count(), Entitlement.objects.count()) == (
        0,
        0,
        0,
    )
    assert not PaymentBatch.objects.exists() and not Objection.objects.exists()
