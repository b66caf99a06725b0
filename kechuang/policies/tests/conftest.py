"""Fixtures of the policies tests: a small confirmed registry in two counties and the example
policies' rule texts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[3] / "data" / "policies"
CONFIRMED = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

RD_TEXT = """
code: rd
name: 研发后补助（测试）
mode: exempt
conditions:
  - {fact: figure, field: rd_expense, op: ">=", value: 100}
  - {fact: increase, field: rd_expense, op: ">", value: 0}
amount:
  {kind: rate, rate: 0.1, base: {fact: increase, field: rd_expense}, floor: 10000, cap: 500000}
stacking: {group: rd, rule: highest}
budget: {total: 100000, shortfall: pro_rata}
"""


def example(name: str) -> str:
    return (DATA / f"{name}.yaml").read_text(encoding="utf-8")


def report(org: Any, year: int, rd: str | None, confirmed: bool = True) -> None:
    from kechuang.registry.models import AnnualReport

    AnnualReport.objects.create(
        organization=org,
        year=year,
        rd_expense=None if rd is None else Decimal(rd),
        confirmed_at=CONFIRMED if confirmed else None,
    )


def qualify(org: Any, kind: str, issued: dt.date, verified: bool = True) -> None:
    from kechuang.registry.models import Qualification

    Qualification.objects.create(
        organization=org,
        kind=kind,
        issued_on=issued,
        expires_on=issued + dt.timedelta(days=3 * 365),
        issuer_level="national",
        verification="verified" if verified else "claimed",
    )


@pytest.fixture
def city(orgs: dict[str, Any], make_org: Callable[..., Any]) -> dict[str, Any]:
    """卧龙 enterprise: R&D 150 → 300 万 (+150 万: 15 万元); 宛城 enterprise: 100 → 160 (+60 万:
    6 万元); a third (卧龙) 200 → 210 (+10 万: 1 万元, the floor); a fourth (宛城) 99 → 120 (under
    the 100 万 threshold last year is irrelevant; 2025 is 120: +21 万 = 2.1 万元); a fifth (卧龙)
    whose 2024 report is not confirmed: a near miss (数据缺失)."""
    wolong, wancheng = orgs["wolong"], orgs["wancheng"]
    third = make_org("卧龙区", name="卧龙第三企业（测试）")
    fourth = make_org("宛城区", name="宛城第四企业（测试）")
    fifth = make_org("卧龙区", name="卧龙第五企业（测试）")
    for org, before, now in (
        (wolong, "150", "300"),
        (wancheng, "100", "160"),
        (third, "200", "210"),
        (fourth, "99", "120"),
    ):
        report(org, 2024, before)
        report(org, 2025, now)
    report(fifth, 2024, "100", confirmed=False)
    report(fifth, 2025, "150")
    qualify(wolong, "HNTE", dt.date(2025, 11, 20))
    qualify(wancheng, "HNTE", dt.date(2022, 11, 20))
    qualify(third, "HNTE", dt.date(2025, 10, 1), verified=False)  # a claim: never counts
    return {
        "wolong": wolong,
        "wancheng": wancheng,
        "third": third,
        "fourth": fourth,
        "fifth": fifth,
    }


@pytest.fixture
def computed(users: dict[str, Any], city: dict[str, Any]) -> Callable[..., Any]:
    """A policy from `text`, computed for `year` (the task run inline)."""
    from kechuang.policies import services
    from kechuang.policies.compute import execute_run

    def make(text: str = RD_TEXT, year: int = 2025, policy: Any = None) -> Any:
        staff = users["city_staff"]
        policy = policy or services.create_policy(staff, text)
        run = services.start_run(staff, policy, year, as_of=dt.date(2026, 4, 1))
        return execute_run(run.pk)

    return make


@pytest.fixture
def in_notice(users: dict[str, Any], computed: Callable[..., Any]) -> Any:
    """The R&D run in a notice that runs until tomorrow."""
    from django.utils import timezone

    from kechuang.policies import services

    run = computed()
    today = timezone.localdate()
    return services.publish_notice(
        users["city_staff"], run, today - dt.timedelta(days=6), today + dt.timedelta(days=1)
    )
