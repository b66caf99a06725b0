"""The home page's to-do list per role: what waits, with a count and a link that works, and
only what the user may act on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from kechuang.core.tests.permissions import ROLES
from kechuang.monitoring.models import Observation
from kechuang.monitoring.services import load_plan_file
from kechuang.registry.models import FigureSubmission, Qualification

pytestmark = pytest.mark.django_db


def tasks(client: Any) -> dict[str, Any]:
    return {t.label: t for t in client.get("/").context["tasks"]}


@pytest.fixture
def waiting(users: dict[str, Any], orgs: dict[str, Any]) -> None:
    """One submission per step (卧龙区), one returned to the enterprise, one claim."""
    enterprise = users["enterprise"]
    for status in ("submitted", "area_checked", "returned"):
        FigureSubmission.objects.create(
            organization=orgs["wolong"],
            year={"submitted": 2022, "area_checked": 2023, "returned": 2024}[status],
            values={"rd_expense": "10"},
            status=status,
            submitted_by=enterprise,
        )
    Qualification.objects.create(
        organization=orgs["wolong"],
        kind="HNTE",
        issued_on=dt.date(2023, 11, 1),
        issuer_level="national",
        certificate_no="GR202341000001",
        verification="claimed",
    )


def test_each_role_sees_what_waits_for_it(client_for: Any, waiting: None) -> None:
    county = tasks(client_for("county_staff"))
    assert county["待县区审核的年度数据"].count == 1
    assert "待市级确认的年度数据" not in county  # the county does not confirm
    assert "待核验的资质申报" not in county
    city = tasks(client_for("city_staff"))
    assert city["待市级确认的年度数据"].count == 1
    assert city["待核验的资质申报"].count == 1
    assert "待县区审核的年度数据" not in city
    enterprise = tasks(client_for("enterprise"))
    assert enterprise["被退回、待修改的填报"].count == 1
    assert enterprise["本单位待核验的资质申报"].count == 1
    assert "待市级确认的年度数据" not in enterprise
    assert tasks(client_for("expert")) == {}
    assert "暂无需要您处理的事项" in client_for("expert").get("/").content.decode()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_every_task_link_works(role: str, client_for: Any, waiting: None) -> None:
    client = client_for(role)
    for task in tasks(client).values():
        assert client.get(task.url, follow=True).status_code == 200, (role, task)


def test_conflicts_wait_for_city_staff_once_a_plan_is_loaded(client_for: Any, users: Any) -> None:
    assert "来源冲突、待核实的监测值" not in tasks(client_for("city_staff"))  # no plan: no page
    load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    assert Observation.objects.count() == 0
    task = tasks(client_for("city_staff"))["来源冲突、待核实的监测值"]
    assert task.count == 0
    assert client_for("city_staff").get(task.url).status_code == 200
    assert "来源冲突、待核实的监测值" not in tasks(client_for("county_staff"))
