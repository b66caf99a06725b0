"""Shared fixtures: reference data, organizations in two areas, one user per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kechuang.registry.engine.uscc import check_character

# Django models are imported inside the fixtures, so that the pure engine tests also run without
# Django (`pytest -p no:django kechuang/cultivation/engine`).

STRONG_PASSWORD = "Nanyang-2025-pass"


def make_uscc(serial: int, division: str = "411303") -> str:
    body = f"91{division}{serial:09d}"
    return body + check_character(body)


@pytest.fixture
def reference(db: Any) -> None:
    from kechuang.registry.services import load_reference

    load_reference()


@pytest.fixture
def wolong(reference: None) -> Any:
    from kechuang.registry.models import Area

    return Area.objects.get(name="卧龙区")


@pytest.fixture
def wancheng(reference: None) -> Any:
    from kechuang.registry.models import Area

    return Area.objects.get(name="宛城区")


@pytest.fixture
def make_org(reference: None) -> Callable[..., Any]:
    from kechuang.registry.models import Area, Organization, OrganizationKind

    counter = iter(range(1, 10_000))

    def make(area: str = "卧龙区", kind: str = OrganizationKind.ENTERPRISE, **extra: Any) -> Any:
        serial = next(counter)
        area_obj = Area.objects.get(name=area)
        division = area_obj.code if area_obj.code.isdigit() else "411300"
        values = {
            "uscc": make_uscc(serial, division),
            "name": f"测试单位{serial}（测试）",
            "kind": kind,
            "area": area_obj,
            "contact_phone": "13912345678",
        }
        values.update(extra)
        return Organization.objects.create(**values)

    return make


@pytest.fixture
def orgs(make_org: Callable[..., Any]) -> dict[str, Any]:
    from kechuang.registry.models import OrganizationKind

    return {
        "wolong": make_org("卧龙区", name="卧龙测试企业（测试）"),
        "wancheng": make_org("宛城区", name="宛城测试企业（测试）"),
        "wolong_univ": make_org(
            "卧龙区", kind=OrganizationKind.UNIVERSITY, name="卧龙测试学院（测试）"
        ),
    }


@pytest.fixture
def make_user(reference: None) -> Callable[..., Any]:
    from kechuang.accounts.models import User
    from kechuang.accounts.roles import Role

    def make(role: str, username: str | None = None, **extra: Any) -> Any:
        user = User(username=username or role, role=role, **extra)
        if role == Role.CITY_ADMIN:
            user.is_staff = user.is_superuser = True
        user.set_password(STRONG_PASSWORD)
        user.full_clean(exclude=["password"])
        user.save()
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., Any], orgs: dict[str, Any], wolong: Any) -> dict[str, Any]:
    """One account per role; "anonymous" is None."""
    from kechuang.accounts.roles import Role

    return {
        "anonymous": None,
        "city_admin": make_user(Role.CITY_ADMIN),
        "city_staff": make_user(Role.CITY_STAFF),
        "county_staff": make_user(Role.COUNTY_STAFF, area=wolong),
        "enterprise": make_user(Role.ENTERPRISE, organization=orgs["wolong"]),
        "institution": make_user(Role.INSTITUTION, organization=orgs["wolong_univ"]),
        "expert": make_user(Role.EXPERT),
    }


@pytest.fixture
def client_for(users: dict[str, Any]) -> Callable[[str], Client]:
    """A test client signed in as the given role (anonymous for "anonymous")."""

    def make(role: str) -> Client:
        client = Client(REMOTE_ADDR="10.1.2.3")
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return make
