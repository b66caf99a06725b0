"""A qualification an enterprise claims (待核验) counts in neither the screening, the registry
case nor the projection until city staff verify it; a rejected claim never does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.roles import Role
from kechuang.cultivation.models import PoolEntry, ScreeningRun
from kechuang.cultivation.selectors import case_for, projection_input
from kechuang.cultivation.services import execute_run
from kechuang.cultivation.tests.conftest import AS_OF
from kechuang.registry.services import qualifications
from kechuang.registry.tests.claims import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def screen() -> None:
    run = ScreeningRun.objects.create(as_of=AS_OF)
    assert execute_run(run.pk).status == "done"


def hnte_now(user: Any) -> int:
    inp = projection_input(user, 2027, 500, 1350, 2021)
    assert inp is not None
    return inp.hnte_now


def test_a_claimed_hnte_counts_only_once_verified(city: dict[str, Any], make_user: Any) -> None:
    mature = city["mature"]
    owner = make_user(Role.ENTERPRISE, username="mature_user", organization=mature)
    staff = make_user(Role.CITY_STAFF, username="city_reviewer")
    claim = qualifications.claim(
        owner,
        None,
        {
            "kind": "HNTE",
            "certificate_no": "GR202441009999",
            "issued_on": dt.date(2024, 11, 1),
            "expires_on": dt.date(2027, 10, 31),
            "issuer_level": "national",
        },
        SimpleUploadedFile("证书.pdf", PDF),
    )
    assert claim.verification == "claimed"
    screen()
    entry = PoolEntry.objects.get(organization=mature)
    assert (entry.is_hnte, entry.tier) == (False, "mature")
    assert case_for(mature, AS_OF)["qualifications"] == []
    assert hnte_now(staff) == 1  # only the verified 高企企业

    qualifications.verify(staff, claim)
    screen()
    entry = PoolEntry.objects.get(organization=mature)
    assert (entry.is_hnte, entry.tier) == (True, "")
    assert case_for(mature, AS_OF)["qualifications"] == ["HNTE"]
    assert hnte_now(staff) == 2


def test_a_rejected_claim_never_counts(city: dict[str, Any], make_user: Any) -> None:
    growing = city["growing"]
    owner = make_user(Role.ENTERPRISE, username="growing_user", organization=growing)
    staff = make_user(Role.CITY_STAFF, username="city_reviewer")
    claim = qualifications.claim(
        owner,
        None,
        {
            "kind": "HNTE",
            "certificate_no": "GR202441008888",
            "issued_on": dt.date(2024, 11, 1),
            "issuer_level": "national",
        },
        SimpleUploadedFile("证书.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16),
    )
    qualifications.reject(staff, claim, "证书编号查无此证")
    screen()
    assert PoolEntry.objects.get(organization=growing).is_hnte is False
    assert hnte_now(staff) == 1
