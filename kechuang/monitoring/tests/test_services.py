"""Plan loading, observations (vintages, conflicts, kinds), progress and computed indicators."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.models import AuditEntry
from kechuang.monitoring import selectors, services
from kechuang.monitoring.models import Indicator, Observation, ReviewState
from kechuang.registry.models import Area, InnovationPlatform, Qualification

pytestmark = pytest.mark.django_db


def obs(
    user: Any,
    code: str,
    period: str,
    value: float,
    kind: str = "actual",
    as_of: dt.date = dt.date(2024, 3, 1),
    source: str = "南阳市统计公报",
    area: str = "南阳市",
) -> Any:
    return services.record_observation(
        user,
        {
            "indicator": Indicator.objects.get(code=code),
            "area": Area.objects.get(name=area),
            "period": period,
            "value": Decimal(str(value)),
            "kind": kind,
            "as_of": as_of,
            "source_title": source,
        },
    )


def city_row(plan: Any, code: str, as_of: dt.date = dt.date(2025, 6, 30)) -> Any:
    rows = selectors.plan_progress(plan, as_of, [Area.objects.get(name="南阳市")])["411300"]
    return next(r for r in rows if r.indicator.code == code)


def test_plan_loads_the_table_and_commitments_once(plan: Any) -> None:
    indicators = plan.indicators.filter(is_auxiliary=False)
    assert indicators.count() == 11
    hnte = indicators.get(code="hnte_count")
    assert (hnte.baseline_value, hnte.target_value, hnte.computed_from) == (264, 500, "hnte_count")
    assert indicators.get(code="rd_growth").kind == "average_annual_growth"
    assert plan.commitments.count() >= 30
    before = AuditEntry.objects.count()
    services.load_plan_file(plan.source_file and services.PLAN_FILES["nanyang-14"])
    assert AuditEntry.objects.count() == before


def test_latest_actual_wins_and_forecasts_do_not_count(plan: Any, users: Any) -> None:
    staff = users["city_staff"]
    obs(staff, "hnte_count", "2021", 300)
    obs(staff, "hnte_count", "2022", 350)
    obs(staff, "hnte_count", "2023", 410, kind="preliminary", as_of=dt.date(2024, 1, 20))
    obs(staff, "hnte_count", "2023", 420, as_of=dt.date(2024, 4, 1))
    obs(staff, "hnte_count", "2025", 490, kind="forecast", source="市科技局工作总结")
    row = city_row(plan, "hnte_count")
    assert (row.published.latest_year, row.published.latest_value, row.published.latest_kind) == (
        2023,
        420.0,
        "actual",
    )
    assert row.published.completion == pytest.approx((420 - 264) / (500 - 264))
    assert [s.observation.value for s in row.published.not_counted] == [490.0]
    assert [s.observation.value for s in row.published.superseded] == [410.0]


def test_as_of_date_shows_what_was_known_then(plan: Any, users: Any) -> None:
    staff = users["city_staff"]
    obs(staff, "hnte_count", "2023", 410, kind="preliminary", as_of=dt.date(2024, 1, 20))
    obs(staff, "hnte_count", "2023", 420, as_of=dt.date(2024, 4, 1))
    assert city_row(plan, "hnte_count", dt.date(2024, 2, 1)).published.latest_value == 410.0


def test_two_sources_disagreeing_are_a_conflict_until_resolved(plan: Any, users: Any) -> None:
    staff = users["city_staff"]
    a = obs(staff, "platforms", "2022", 820, source="统计公报")
    b = obs(staff, "platforms", "2022", 835, source="科技局年报")
    assert {o.state for o in Observation.objects.all()} == {ReviewState.CONFLICT}
    row = city_row(plan, "platforms")
    assert row.published.status == "no_data" and "来源冲突" in row.warnings[0]
    with pytest.raises(ValidationError):
        services.resolve_conflict(staff, a, keep=True, note=" ")
    services.resolve_conflict(staff, a, keep=True, note="以统计公报为准")
    b.refresh_from_db()
    assert (b.state, b.state_note) == (ReviewState.REJECTED, "以统计公报为准")
    assert city_row(plan, "platforms").published.latest_value == 820.0


def test_a_revision_from_the_same_source_is_a_vintage_not_a_conflict(plan: Any, users: Any) -> None:
    staff = users["city_staff"]
    obs(staff, "platforms", "2022", 820, as_of=dt.date(2023, 3, 1))
    obs(staff, "platforms", "2022", 826, as_of=dt.date(2023, 9, 1))
    assert not Observation.objects.filter(state=ReviewState.CONFLICT).exists()
    assert city_row(plan, "platforms").published.latest_value == 826.0


def test_average_growth_indicator_uses_the_mean_rate(plan: Any, users: Any) -> None:
    for year, rate in ((2021, 15), (2022, 17), (2023, 21)):
        obs(users["city_staff"], "rd_growth", str(year), rate)
    row = city_row(plan, "rd_growth")
    assert row.published.achieved_mean_rate == pytest.approx(53 / 3)
    assert row.published.completion == pytest.approx(53 / 3 / 19)


def test_kind_and_period_must_match(plan: Any, users: Any) -> None:
    with pytest.raises(ValidationError) as error:
        obs(users["city_staff"], "tech_contract_amount", "2023", 40, kind="cumulative")
    assert "累计数的期间应为年份区间" in str(error.value)
    with pytest.raises(ValidationError) as error:
        obs(users["city_staff"], "tech_contract_amount", "2022-01/2022-10", 9, kind="actual")
    cumulative = obs(
        users["city_staff"], "tech_contract_amount", "2021-2025", 160, kind="cumulative"
    )
    assert (cumulative.year, cumulative.start, cumulative.end) == (
        2025,
        dt.date(2021, 1, 1),
        dt.date(2025, 12, 31),
    )
    partial = obs(users["city_staff"], "tech_contract_amount", "2022-01/2022-10", 9, kind="partial")
    assert city_row(plan, "tech_contract_amount").published.latest_value is None
    assert partial.period == "2022-01/2022-10"


def test_county_staff_enter_only_their_area(plan: Any, users: Any) -> None:
    obs(users["county_staff"], "hnte_count", "2023", 40, area="卧龙区")
    with pytest.raises(PermissionDenied):
        obs(users["county_staff"], "hnte_count", "2023", 30, area="宛城区")


def test_computed_hnte_count_is_traceable_to_the_qualifications(plan: Any, orgs: Any) -> None:
    Qualification.objects.create(
        organization=orgs["wolong"],
        kind="HNTE",
        issued_on=dt.date(2022, 11, 1),
        expires_on=dt.date(2025, 10, 31),
        issuer_level="national",
        verification="verified",
    )
    Qualification.objects.create(
        organization=orgs["wancheng"],
        kind="HNTE",
        issued_on=dt.date(2019, 11, 1),
        expires_on=dt.date(2022, 10, 31),
        issuer_level="national",
        verification="verified",
    )
    areas = list(Area.objects.all())
    series = selectors.computed_series("hnte_count", [2022, 2023], areas)
    assert series["411300"][2022].value == 1 and series["411303"][2022].value == 1
    assert series["411302"][2022].value == 0  # expired on 2022-10-31
    point = series["411303"][2023]
    # The newest issue is of 2022: the 2023 count says it holds none of 2023's issues.
    assert point.detail == (
        "2023-12-31 有效（已核验且在有效期内）的高新技术企业资质 1 家；"
        "登记库尚无 2023 年认定的高新技术企业记录（最新认定在 2022 年），该年新认定录入前此数偏低"
    )
    assert (
        series["411303"][2022].detail
        == "2022-12-31 有效（已核验且在有效期内）的高新技术企业资质 1 家"
    )
    assert point.trace_url == "/registry/qualifications/?kind=HNTE&valid_on=2023-12-31&area=411303"


def test_computed_platforms_count_operating_approved_by_year_end(plan: Any, orgs: Any) -> None:
    host = orgs["wolong"]
    InnovationPlatform.objects.create(
        name="甲平台",
        kind="key_lab",
        level="municipal",
        host=host,
        area=host.area,
        approved_on=dt.date(2021, 5, 1),
    )
    InnovationPlatform.objects.create(
        name="乙平台",
        kind="key_lab",
        level="municipal",
        host=host,
        area=host.area,
        approved_on=dt.date(2023, 5, 1),
    )
    InnovationPlatform.objects.create(
        name="丙平台",
        kind="key_lab",
        level="municipal",
        host=host,
        area=host.area,
        approved_on=dt.date(2021, 5, 1),
        status="revoked",
    )
    series = selectors.computed_series("platforms", [2022, 2023], list(Area.objects.all()))
    assert (series["411300"][2022].value, series["411300"][2023].value) == (1, 2)


def test_computed_and_published_are_shown_side_by_side(plan: Any, users: Any, orgs: Any) -> None:
    Qualification.objects.create(
        organization=orgs["wolong"],
        kind="HNTE",
        issued_on=dt.date(2022, 11, 1),
        expires_on=dt.date(2025, 10, 31),
        issuer_level="national",
        verification="verified",
    )
    obs(users["city_staff"], "hnte_count", "2023", 420)
    row = city_row(plan, "hnte_count")
    assert row.published.latest_value == 420.0
    assert [p.value for p in row.computed_points if p.year == 2023] == [1.0]


def test_split_target_by_baseline_share_sums_to_the_city_target(plan: Any, users: Any) -> None:
    indicator = Indicator.objects.get(code="hnte_count")
    baselines = {"卧龙区": 100, "宛城区": 64, "邓州市": 100}
    rows = services.split_indicator_target(
        users["city_staff"], indicator, baselines, {"邓州市": 150}
    )
    targets = {r.area.name: r.target_value for r in rows}
    assert targets["邓州市"] == 150 and sum(targets.values()) == 500
    # 350 × 100/164 = 213.41 家: a count splits into whole 家 by largest remainder
    assert (targets["卧龙区"], targets["宛城区"]) == (Decimal(213), Decimal(137))
    with pytest.raises(PermissionDenied):
        services.split_indicator_target(users["county_staff"], indicator, baselines)


def test_population_uses_the_actual_figure_over_a_later_preliminary(plan: Any, users: Any) -> None:
    staff = users["city_staff"]
    obs(staff, "population", "2023", 950.0, kind="actual", as_of=dt.date(2024, 3, 1))
    obs(staff, "population", "2023", 940.0, kind="preliminary", as_of=dt.date(2024, 5, 1))
    city = [Area.objects.get(name="南阳市")]
    assert selectors.published_latest("population", city, 2023) == {"411300": 950.0}


def test_heatmap_labels_where_each_completion_comes_from(plan: Any, users: Any, orgs: Any) -> None:
    Qualification.objects.create(
        organization=orgs["wolong"],
        kind="HNTE",
        issued_on=dt.date(2022, 11, 1),
        expires_on=dt.date(2025, 10, 31),
        issuer_level="national",
        verification="verified",
    )
    obs(users["city_staff"], "platforms", "2023", 882)
    city = [Area.objects.get(name="南阳市")]
    data = selectors.heatmap(selectors.plan_progress(plan, dt.date(2025, 6, 30), city), city)
    by_name = dict(zip(data["indicators"], data["cells"], strict=True))
    assert by_name["科技创新平台数"] == {
        "value": [1, 0, 50.0],
        "source": "published",
    }  # (882-764)/236
    assert by_name["高新技术企业数"]["source"] == "computed"
    assert by_name["公民具备基本科学素质比例"] == {"value": [10, 0, None], "source": None}
