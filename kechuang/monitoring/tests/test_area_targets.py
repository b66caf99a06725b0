"""Splitting a city target across the county-level areas from the indicator's page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kechuang.monitoring.models import AreaTarget
from kechuang.registry.models import Area

pytestmark = pytest.mark.django_db

URL = "/monitoring/indicators/{}/targets/"


def baselines(values: dict[str, float]) -> dict[str, str]:
    """Form data: every county-level area, the given ones with their value, the others 0."""
    data = {}
    for area in Area.objects.filter(parent__parent=None, parent__isnull=False):
        data[f"baseline_{area.code}"] = str(values.get(area.name, 0))
    return data


def test_city_staff_split_a_quantity_by_baseline_share(client_for: Any, plan: Any) -> None:
    client = client_for("city_staff")
    page = client.get(URL.format("hnte_count"))
    assert page.status_code == 200 and page.context["additive"] is True
    assert len(page.context["rows"]) == 17
    data = baselines({"卧龙区": 100, "宛城区": 164})
    data["target_" + Area.objects.get(name="卧龙区").code] = "150"
    response = client.post(URL.format("hnte_count"), data)
    assert response.status_code == 302
    targets = {t.area.name: t for t in AreaTarget.objects.filter(indicator__code="hnte_count")}
    assert len(targets) == 17
    assert targets["卧龙区"].target_value == 150 and targets["卧龙区"].method == "manual"
    assert targets["宛城区"].target_value == 350  # the rest of 500, all of it by baseline share
    assert sum(t.target_value for t in targets.values()) == Decimal(500)
    again = client.get(URL.format("hnte_count"))
    assert again.context["total_target"] == 500


def test_baselines_that_do_not_cover_the_city_are_refused(client_for: Any, plan: Any) -> None:
    response = client_for("city_staff").post(URL.format("hnte_count"), baselines({"卧龙区": 10}))
    assert response.status_code == 422
    assert "相差超过" in response.content.decode()
    assert AreaTarget.objects.count() == 0
    bad = client_for("city_staff").post(
        URL.format("hnte_count"), {**baselines({"卧龙区": 264}), "baseline_411303": "abc"}
    )
    assert bad.status_code == 422 and "应为数字" in bad.content.decode()


def test_intensities_and_shares_are_set_area_by_area(client_for: Any, plan: Any) -> None:
    client = client_for("city_staff")
    page = client.get(URL.format("hv_patents_per_10k"))
    assert page.context["additive"] is False
    missing = client.post(URL.format("hv_patents_per_10k"), {"target_411303": "3.5"})
    assert missing.status_code == 422 and "逐一设定" in missing.content.decode()
    data = {
        f"target_{a.code}": "3.5"
        for a in Area.objects.filter(parent__parent=None, parent__isnull=False)
    }
    assert client.post(URL.format("hv_patents_per_10k"), data).status_code == 302
    assert set(
        AreaTarget.objects.filter(indicator__code="hv_patents_per_10k").values_list(
            "target_value", flat=True
        )
    ) == {Decimal("3.5")}


def test_county_staff_read_only_and_others_refused(client_for: Any, plan: Any) -> None:
    county = client_for("county_staff")
    page = county.get(URL.format("hnte_count"))
    assert page.status_code == 200 and page.context["may_edit"] is False
    assert county.post(URL.format("hnte_count"), baselines({"卧龙区": 264})).status_code == 403
    assert client_for("enterprise").get(URL.format("hnte_count")).status_code == 403
    assert client_for("city_staff").get(URL.format("nope")).status_code == 404


def test_a_target_equal_to_its_baseline_is_refused_and_never_breaks_the_dashboard(
    client_for: Any, plan: Any
) -> None:
    client = client_for("city_staff")
    data = {}
    for a in Area.objects.filter(parent__parent=None, parent__isnull=False):
        data[f"baseline_{a.code}"] = data[f"target_{a.code}"] = "3.5"
    refused = client.post(URL.format("hv_patents_per_10k"), data)
    assert refused.status_code == 422 and "不能等于基期值" in refused.content.decode()
    assert not AreaTarget.objects.exists()
    # One written some other way (admin, older data) shows its reason instead of a 500.
    wolong = Area.objects.get(name="卧龙区")
    AreaTarget.objects.create(
        indicator=plan.indicators.get(code="hv_patents_per_10k"),
        area=wolong,
        baseline_value=Decimal("3.5"),
        target_value=Decimal("3.5"),
        method="manual",
    )
    page = client.get(f"/monitoring/?area={wolong.code}")
    assert page.status_code == 200
    assert "目标值与基期值相同" in page.content.decode()


def test_a_count_is_split_into_whole_numbers(client_for: Any, plan: Any) -> None:
    # 500 家 by baselines 100 : 100 : 64 (= 264): 189.39 / 189.39 / 121.21 in exact shares;
    # whole 家 by largest remainder: 190 + 189 + 121 = 500 (the tie goes to the larger name).
    client = client_for("city_staff")
    data = baselines({"卧龙区": 100, "宛城区": 100, "南召县": 64})
    assert client.post(URL.format("hnte_count"), data).status_code == 302
    targets = {t.area.name: t.target_value for t in AreaTarget.objects.all()}
    assert all(v == v.to_integral_value() for v in targets.values())
    assert sorted([targets["卧龙区"], targets["宛城区"], targets["南召县"]]) == [121, 189, 190]
    assert sum(targets.values()) == 500
