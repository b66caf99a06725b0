"""The computed HNTE and TSME series count verified qualifications only: a claim (待核验) or a
rejected claim is no 高新技术企业 in the indicator, whatever its dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.monitoring import selectors
from kechuang.registry.models import Area, Qualification

pytestmark = pytest.mark.django_db


def hnte(org: Any, state: str, issued: dt.date = dt.date(2022, 11, 1), kind: str = "HNTE") -> Any:
    return Qualification.objects.create(
        organization=org,
        kind=kind,
        issued_on=issued,
        expires_on=issued.replace(year=issued.year + 3) - dt.timedelta(days=1),
        issuer_level="national",
        verification=state,
    )


def test_only_verified_qualifications_enter_the_computed_series(orgs: Any) -> None:
    hnte(orgs["wolong"], "verified")
    claim = hnte(orgs["wolong_univ"], "claimed")
    hnte(orgs["wancheng"], "rejected")
    hnte(orgs["wancheng"], "claimed", kind="TSME")
    areas = list(Area.objects.all())
    series = selectors.computed_series("hnte_count", [2022, 2023], areas)
    assert series["411300"][2022].value == 1 and series["411300"][2023].value == 1
    assert series["411303"][2023].value == 1  # 卧龙区: the verified one, not the claim
    assert series["411302"][2023].value == 0  # 宛城区: only a rejected claim
    assert selectors.computed_series("tsme_count", [2023], areas)["411302"][2023].value == 0
    claim.verification = "verified"
    claim.save()
    series = selectors.computed_series("hnte_count", [2022, 2023], areas)
    assert series["411303"][2023].value == 2 and series["411300"][2023].value == 2


def test_two_verified_certificates_of_one_organization_count_once(orgs: Any) -> None:
    hnte(orgs["wolong"], "verified", dt.date(2019, 11, 1))
    hnte(orgs["wolong"], "verified", dt.date(2021, 10, 1))  # both in force on 2021-12-31
    series = selectors.computed_series("hnte_count", [2021, 2022], list(Area.objects.all()))
    assert series["411303"][2021].value == 1 and series["411303"][2022].value == 1
