"""The market's demo data: every kind, labelled 演示数据, deterministic, an issued list of each
kind, matches in every pipeline stage with their history; load_demo loads it once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kechuang.market import selectors
from kechuang.market.models import (
    Achievement,
    Broker,
    Expert,
    ListKind,
    MarketNode,
    Match,
    MatchStatus,
    PublishedList,
    Roadshow,
    Scenario,
    TechDemand,
    TransferInstitution,
)
from kechuang.market.synthetic import demo_events, write_demo_market
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
    for model in (Match, Roadshow, PublishedList, TechDemand, Achievement, Scenario, Expert):
        model.objects.all().delete()
    Broker.objects.all().delete()
    TransferInstitution.objects.all().delete()
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


def test_demo_market_has_roadshows_institutions_and_co_inventors() -> None:
    """The roadshow, institutions and conversion pages show real numbers in the demo."""
    write_ecosystem(0.05, 5)
    report = write_demo_market(11)
    roadshows = list(Roadshow.objects.order_by("held_on"))
    assert report.counts["路演对接活动"] == len(roadshows) == 5
    # the events of data/market/demo-roadshows.yaml, one match per stage listed there
    events = demo_events()
    assert [(e.title + "（演示）", e.kind, e.held_on, e.venue, e.attendance) for e in events] == [
        (r.title, r.kind, r.held_on, r.venue, r.attendance) for r in roadshows
    ]
    assert events[0].title == "重点产业技术成果路演" and events[0].held_on == dt.date(2026, 4, 16)
    for event, roadshow in zip(events, roadshows, strict=True):
        statuses = sorted(roadshow.matches.values_list("status", flat=True))
        assert statuses == sorted(event.stages[: len(statuses)]), event.title
    assert all(r.is_demo and r.title.endswith("（演示）") for r in roadshows)
    past = [r for r in roadshows if r.held_on < dt.date(2027, 1, 1)]
    upcoming = [r for r in roadshows if r.held_on >= dt.date(2027, 1, 1)]
    assert len(past) == 3 and len(upcoming) == 2
    for roadshow in roadshows:
        matches = list(roadshow.matches.all())
        assert matches, roadshow.title
        presented = set(roadshow.achievements.values_list("pk", flat=True))
        assert {m.achievement_id for m in matches} <= presented
        assert {m.demand_id for m in matches} == set(roadshow.demands.values_list("pk", flat=True))
        assert roadshow.participants.exists()
        assert all(o.is_demo for o in roadshow.participants.all())
    for roadshow in upcoming:  # matches recommended for the coming event
        assert set(roadshow.matches.values_list("status", flat=True)) == {"recommended"}
    assert all(r.attendance > 0 for r in past)
    table = selectors.conversion_table(Match.objects.all())
    by_event = {row["key"]: row for row in table["roadshow"]}
    first = by_event["重点产业技术成果路演（演示）"]
    assert (first["matches"], first["signed"], first["rate"]) == (5, 3, 0.6)
    assert by_event["产学研技术需求对接会（演示）"]["rate"] == 0.25
    assert by_event["2027 年春季科技成果路演（演示）"]["rate"] == 0.0
    assert "（非活动产生）" in by_event
    for dimension in ("area", "industry", "broker"):
        assert any(row["rate"] > 0 for row in table[dimension]), dimension
        assert sum(row["matches"] for row in table[dimension]) == Match.objects.count()
    institutions = list(TransferInstitution.objects.order_by("name"))
    assert report.counts["技术转移机构"] == len(institutions) == 4
    assert all(i.is_demo and i.organization.is_demo for i in institutions)
    assert all(i.brokers.exists() for i in institutions)
    assert Broker.objects.filter(agency__isnull=True).count() == 0
    linked = Achievement.objects.filter(patents__isnull=False).distinct()
    assert report.counts["合作完成人成果"] == linked.count() > 0
    expert = Expert.objects.get(name=linked.first().people.split("、")[0])
    partners = selectors.co_inventors(expert)
    assert partners and all(p["patents"] for p in partners)
    first_run = sorted(Roadshow.objects.values_list("title", "held_on", "attendance"))
    signed = sorted(
        Match.objects.filter(roadshow__isnull=False).values_list(
            "roadshow__title", "demand__title", "status"
        )
    )
    for model in (Match, Roadshow, PublishedList, TechDemand, Achievement, Scenario, Expert):
        model.objects.all().delete()
    Broker.objects.all().delete()
    TransferInstitution.objects.all().delete()
    write_demo_market(11)
    assert sorted(Roadshow.objects.values_list("title", "held_on", "attendance")) == first_run
    assert (
        sorted(
            Match.objects.filter(roadshow__isnull=False).values_list(
                "roadshow__title", "demand__title", "status"
            )
        )
        == signed
    )


def test_a_demo_event_of_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roadshows.yaml"
    row = "\n    ".join(
        ("title: 甲", "held_on: 2026-01-05", "venue: 乙", "attendance: 3", "stages: [signed]")
    )
    path.write_text(f"roadshows:\n  - kind: roadshow\n    {row}\n", encoding="utf-8")
    assert [(e.title, e.kind, e.stages) for e in demo_events(path)] == [
        ("甲", "roadshow", ("signed",))
    ]
    path.write_text(f"roadshows:\n  - kind: fair\n    {row}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fair"):
        demo_events(path)
