"""The market's demo data: every kind, labelled 演示数据, deterministic, an issued list of each
kind, matches in every pipeline stage with their history; load_demo loads it once."""

from __future__ import annotations

import pytest

from kechuang.market.models import (
    Achievement,
    Broker,
    Expert,
    ListKind,
    MarketNode,
    Match,
    MatchStatus,
    PublishedList,
    Scenario,
    TechDemand,
)
from kechuang.market.synthetic import write_demo_market
from kechuang.registry.synthetic.writer import write_ecosystem

pytestmark = pytest.mark.django_db


def test_demo_market_covers_every_kind_and_stage() -> None:
    write_ecosystem(0.05, 5)
    report = write_demo_market(11)
    assert report.counts["需求"] == TechDemand.objects.count() > 20
    for model in (TechDemand, Achievement, Scenario, Expert, Broker, PublishedList, Match):
        assert model.objects.exists() and not model.objects.filter(is_demo=False).exists()
    assert all(t.endswith("（演示）") for t in TechDemand.objects.values_list("title", flat=True))
    # Named, not linked: generate_demo --replace can still replace the demo organizations.
    assert not TechDemand.objects.filter(organization__isnull=False).exists()
    assert all(d.owner_name.endswith("（演示）") for d in TechDemand.objects.all())
    assert set(PublishedList.objects.values_list("kind", flat=True)) == set(ListKind.values)
    assert set(Match.objects.values_list("status", flat=True)) == set(MatchStatus.values)
    signed = Match.objects.filter(status=MatchStatus.SIGNED).first()
    assert list(signed.events.order_by("on").values_list("to_status", flat=True)) == [
        "recommended",
        "contacted",
        "negotiating",
        "signed",
    ]
    example = Match.objects.filter(demand__title__startswith="防爆电机温升过高").first()
    assert example.achievement.title.startswith("一种隔爆型电动机的冷却装置")
    assert any(row["synonym"] for row in example.explanation)
    assert MarketNode.objects.filter(is_city=True).count() == 1
    assert MarketNode.objects.filter(is_city=False).count() >= 10
    first = sorted(TechDemand.objects.values_list("title", "budget"))
    titles = sorted(Match.objects.values_list("demand__title", "achievement__title"))
    for model in (Match, PublishedList, TechDemand, Achievement, Scenario, Expert, Broker):
        model.objects.all().delete()
    write_demo_market(11)
    assert sorted(TechDemand.objects.values_list("title", "budget")) == first
    assert sorted(Match.objects.values_list("demand__title", "achievement__title")) == titles


def test_load_demo_loads_the_market_once(monkeypatch) -> None:
    from django.core.management import call_command

    from kechuang.site.management.commands import load_demo

    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    count = TechDemand.objects.filter(is_demo=True).count()
    assert count > 0
    call_command("load_demo", scale=0.05, seed=5)
    assert TechDemand.objects.count() == count
