"""`generate_demo --replace` removes the demo rows of every app — those linked through hidden
`related_name="+"` links (market, programmes, contracts) included — so the demo loaded again
after a replace has the same number of rows in every table as the demo loaded once."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from kechuang.core.models import AuditEntry
from kechuang.market.models import Achievement, Match, Roadshow, TechDemand, TransferInstitution
from kechuang.registry.models import Organization
from kechuang.site.management.commands import load_demo

pytestmark = pytest.mark.django_db

# tables that record what happened rather than what the demo is
LOGS = {AuditEntry._meta.label}


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label not in LOGS and model._meta.managed:
            counts[model._meta.label] = model._base_manager.count()
    return counts


def test_replace_twice_gives_the_same_rows_as_once(
    reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    once = row_counts()
    # the demo links registry rows through hidden links, which a replace used to orphan
    assert Roadshow.objects.filter(is_demo=True, participants__is_demo=True).exists()
    assert TransferInstitution.objects.filter(organization__is_demo=True).exists()
    assert once["market.TechDemand"] > 0 and once["registry.Organization"] > 0
    for _ in range(2):
        call_command("generate_demo", scale=0.05, seed=5, replace=True)
        # every app's demo rows went with the organizations; none is left pointing at nothing
        assert not TechDemand.objects.filter(is_demo=True).exists()
        assert not Roadshow.objects.exists()
        call_command("load_demo", scale=0.05, seed=5)
        again = row_counts()
        changed = {k: (once[k], again[k]) for k in once if once[k] != again[k]}
        assert changed == {}
    assert Organization.objects.filter(is_demo=True).count() == once["registry.Organization"]


def test_replace_refuses_when_real_data_points_at_a_demo_row(
    reference: None, monkeypatch: pytest.MonkeyPatch, users: Any
) -> None:
    """A real (non-demo) match protecting a demo achievement stops the replace with the reason,
    and nothing is deleted."""
    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    demand = TechDemand.objects.filter(is_demo=True).first()
    real = Match.objects.create(
        demand=demand, achievement=Achievement.objects.first(), area=demand.area
    )
    TechDemand.objects.filter(pk=demand.pk).update(is_demo=False)
    before = row_counts()
    with pytest.raises(Exception, match="引用了演示数据"):
        call_command("generate_demo", scale=0.05, seed=5, replace=True)
    assert row_counts() == before and Match.objects.filter(pk=real.pk).exists()
