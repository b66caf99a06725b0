"""The plan progress and the commitments are cached, keyed on the version of the data they read
(`selectors.progress_version`, core.audit.data_version): a repeated request costs one query, and
every write the services make to what they read (observations, withdrawals, area targets,
registry rows, bulk loads) is seen by the next request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kechuang.core.audit import data_version
from kechuang.monitoring import selectors, services
from kechuang.monitoring.models import Indicator, Observation
from kechuang.monitoring.tests import progress_data as pd
from kechuang.registry.models import Area, InnovationPlatform, Qualification

pytestmark = pytest.mark.django_db

AS_OF = pd.AS_OF


def city_row(plan: Any, code: str, as_of: dt.date = AS_OF) -> Any:
    areas = list(Area.local().order_by("sort_order"))
    rows = selectors.plan_progress(plan, as_of, areas)[plan.area.code]
    return next(r for r in rows if r.indicator.code == code)


def latest(plan: Any, code: str = "hnte_count") -> float | None:
    row = city_row(plan, code)
    return row.published.latest_value if row.published else None


@pytest.fixture
def hnte(plan: Any, users: dict[str, Any]) -> None:
    pd.record_hnte(users["city_staff"])


def test_a_repeated_request_is_one_query_with_the_same_answer(
    plan: Any, hnte: None, django_assert_num_queries: Any
) -> None:
    areas = list(Area.local().order_by("sort_order"))
    first = selectors.plan_progress(plan, AS_OF, areas)
    with django_assert_num_queries(1):  # the data version only
        again = selectors.plan_progress(plan, AS_OF, areas)
    assert again["411300"][0].indicator.code == first["411300"][0].indicator.code
    assert [r.status for r in again["411300"]] == [r.status for r in first["411300"]]
    assert latest(plan) == 420.0
    cold = selectors.commitment_progress(plan, AS_OF)
    with django_assert_num_queries(1):
        warm = selectors.commitment_progress(plan, AS_OF)
    assert [r.status for r in warm] == [r.status for r in cold] and len(warm) == len(cold) > 0


def test_the_key_holds_the_day_the_areas_and_the_indicators(plan: Any, hnte: None) -> None:
    assert city_row(plan, "hnte_count").published.latest_value == 420.0
    before = city_row(plan, "hnte_count", pd.BEFORE_REVISION)
    assert before.published.latest_value == 410.0  # not the cached answer of another day
    one = selectors.plan_progress(plan, AS_OF, [plan.area], codes=["tsme_count"])
    assert [r.indicator.code for r in one["411300"]] == ["tsme_count"]
    assert list(one) == ["411300"]


def test_a_new_observation_is_seen_at_once(plan: Any, hnte: None, users: Any) -> None:
    assert latest(plan) == 420.0
    pd.record(
        users["city_staff"],
        "hnte_count",
        "南阳市",
        "2024",
        480,
        "actual",
        as_of=dt.date(2025, 3, 1),
    )
    assert city_row(plan, "hnte_count", dt.date(2025, 6, 30)).published.latest_value == 480.0
    # and the day already cached before the write is recomputed too (a new version): another
    # source's 2023 正式数 disagrees with 420, so neither counts until a person decides and the
    # 初步数 410 is the latest counted figure
    pd.record(
        users["city_staff"],
        "hnte_count",
        "南阳市",
        "2023",
        430,
        "actual",
        as_of=dt.date(2024, 6, 1),
        source_title="2023 年南阳市统计公报（修订）",
    )
    assert latest(plan) == 410.0
    assert city_row(plan, "hnte_count").conflicts == 2


def test_a_withdrawal_is_seen_at_once(plan: Any, hnte: None, users: Any) -> None:
    assert latest(plan) == 420.0
    revised = Observation.objects.get(indicator__code="hnte_count", year=2023, kind="actual")
    services.withdraw_observation(users["city_staff"], revised, "录入错误")
    assert latest(plan) == 410.0  # the 初步数 counts again


def test_an_area_target_is_seen_at_once(plan: Any, hnte: None, users: Any) -> None:
    areas = list(Area.local().order_by("sort_order"))
    wolong = Area.objects.get(name="卧龙区")

    def wolong_target() -> Any:
        rows = selectors.plan_progress(plan, AS_OF, areas)[wolong.code]
        return next(r for r in rows if r.indicator.code == "hnte_count").target

    assert wolong_target() is None
    indicator = Indicator.objects.get(code="hnte_count")
    services.split_indicator_target(
        users["city_staff"], indicator, {"卧龙区": 100, "宛城区": 64, "邓州市": 100}, {}
    )
    target = wolong_target()
    assert target is not None and target.baseline_value == 100.0


def test_a_registry_write_is_seen_at_once(plan: Any, orgs: Any) -> None:
    assert city_row(plan, "hnte_count").computed_points[-1].value == 0.0
    Qualification.objects.create(
        organization=orgs["wolong"],
        kind="HNTE",
        issued_on=dt.date(2022, 11, 1),
        expires_on=dt.date(2025, 10, 31),
        issuer_level="national",
        verification="verified",
    )
    points = {p.year: p.value for p in city_row(plan, "hnte_count").computed_points}
    assert points[2022] == 1.0 and points[2023] == 1.0
    host = orgs["wolong"]
    InnovationPlatform.objects.create(
        name="甲平台",
        kind="key_lab",
        level="municipal",
        host=host,
        area=host.area,
        approved_on=dt.date(2021, 5, 1),
    )
    row = city_row(plan, "platforms")
    assert {p.year: p.value for p in row.computed_points}[2023] == 1.0


def test_rows_loaded_in_bulk_without_audit_change_the_version(plan: Any) -> None:
    indicator = Indicator.objects.get(code="hnte_count")
    before = data_version(Observation)
    Observation.objects.bulk_create(
        [
            Observation(
                indicator=indicator,
                area=plan.area,
                period="2022",
                start=dt.date(2022, 1, 1),
                end=dt.date(2022, 12, 31),
                year=2022,
                value=Decimal(333),
                kind="actual",
                as_of=dt.date(2023, 3, 1),
                source_title="批量载入",
            )
        ]
    )
    assert data_version(Observation) != before
    assert latest(plan) == 333.0


def test_the_version_names_the_newest_audit_entry_of_each_model(plan: Any, users: Any) -> None:
    audit_before, max_before = data_version(Observation)
    pd.record(users["city_staff"], "hnte_count", "南阳市", "2021", 300, "actual")
    audit_after, max_after = data_version(Observation)
    assert audit_after is not None and audit_after != audit_before
    assert max_after == Observation.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert max_before is None and audit_before is None
