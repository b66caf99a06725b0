"""The Nanyang plan's commitments judged from the database as the plan means them
(`selectors.commitment_progress`), with hand-computed figures: the floor, the 左右 tolerance from
the plan file, `new` from yearly counts, `annual` per county and year, the provincial benchmark,
a restated indicator, registry counts with links to their records; and the API shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kechuang.monitoring.models import Commitment, Indicator, Observation, ReviewState
from kechuang.monitoring.selectors import commitment_progress
from kechuang.registry.models import Area, InnovationPlatform, Talent, Team

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 30)


def put(subject: Commitment | Indicator, area: str, year: int, value: float, **kw: Any) -> Any:
    """An observation row as stored (entry checks are tested with the entry paths)."""
    kind = kw.pop("kind", "actual")
    start = kw.pop("start", year)
    period = str(year) if start == year else f"{start}-{year}"
    return Observation.objects.create(
        indicator=subject if isinstance(subject, Indicator) else None,
        commitment=subject if isinstance(subject, Commitment) else None,
        area=Area.objects.get(name=area),
        period=period,
        start=dt.date(start, 1, 1),
        end=dt.date(year, 12, 31),
        year=year,
        value=value,
        kind=kind,
        as_of=kw.pop("as_of", dt.date(year + 1, 3, 1)),
        source_title=f"{year} 年测试来源",
        **kw,
    )


def rows(plan: Any, as_of: dt.date = AS_OF) -> dict[str, Any]:
    return {r.commitment.code: r for r in commitment_progress(plan, as_of)}


def test_75_new_enterprises_against_70_meet_the_floor(plan: Any) -> None:
    c = Commitment.objects.get(code="new_leader_gazelle_eaglet_enterprises")
    for year, n in ((2021, 15), (2022, 20), (2023, 20), (2024, 20)):
        put(c, "南阳市", year, n)
    row = rows(plan)[c.code]
    assert (row.status, row.judgement.figure.value) == ("met", 75)
    assert row.status_label == "已达标（2024 年）"
    assert row.judgement.target_text == "≥ 70"


def test_one_under_the_floor_is_not_yet_before_2025(plan: Any) -> None:
    c = Commitment.objects.get(code="new_leader_gazelle_eaglet_enterprises")
    for year, n in ((2021, 15), (2022, 20), (2023, 20), (2024, 14)):
        put(c, "南阳市", year, n)
    assert rows(plan)[c.code].status == "not_yet"


@pytest.mark.parametrize(
    ("value", "status"), [(8, "not_met"), (9, "met"), (11, "met"), (12, "not_met")]
)
def test_about_ten_leaders_uses_the_plan_files_tolerance(
    plan: Any, value: int, status: str
) -> None:
    c = Commitment.objects.get(code="innovation_leader_enterprises")
    put(c, "南阳市", 2025, value, as_of=dt.date(2026, 3, 1))
    row = rows(plan, dt.date(2026, 6, 30))[c.code]
    assert row.status == status
    assert row.judgement.target_text == "10 左右（9—11）"
    assert row.judgement.notes[0].startswith("“左右”的允许偏差：规划未给出")


def test_fiscal_spending_fails_in_one_county_in_one_year(plan: Any) -> None:
    c = Commitment.objects.get(code="fiscal_st_spending_yearly_growth")
    areas = [
        plan.area,
        *Area.objects.filter(parent=plan.area, kind__in=("district", "county", "county_city")),
    ]
    assert len(areas) == 14  # the city and its 13 县市区 (not the 4 functional zones)
    for area in areas:
        for year in (2021, 2022, 2023, 2024):
            value = -2.5 if (area.name, year) == ("卧龙区", 2022) else 4.0
            put(c, area.name, year, value)
    row = rows(plan)[c.code]
    assert row.status == "not_met"
    assert [(row.area_name(a), y, v) for a, y, v in row.judgement.failures] == [
        ("卧龙区", 2022, -2.5)
    ]
    assert row.judgement.figure.value == 14 * 4 - 1


def test_fiscal_spending_missing_a_county_is_incomplete(plan: Any) -> None:
    c = Commitment.objects.get(code="fiscal_st_spending_yearly_growth")
    areas = [
        plan.area,
        *Area.objects.filter(parent=plan.area, kind__in=("district", "county", "county_city")),
    ]
    for area in areas:
        if area.name != "桐柏县":
            put(c, area.name, 2021, 3.0)
    row = rows(plan, dt.date(2022, 6, 30))[c.code]
    assert row.status == "incomplete"
    assert [(row.area_name(a), y) for a, y in row.judgement.missing] == [("桐柏县", 2021)]


def test_rd_intensity_is_judged_against_henans_same_year(plan: Any) -> None:
    c = Commitment.objects.get(code="rd_intensity_vs_province")
    assert c.benchmark_area.name == "河南省"
    put(c, "南阳市", 2023, 1.62)
    put(c, "河南省", 2023, 2.05)
    put(c, "河南省", 2024, 2.10)  # no city figure for 2024 yet: 2023 is compared
    row = rows(plan)[c.code]
    assert row.status == "not_yet"
    assert (row.judgement.figure.value, row.judgement.benchmark.value) == (1.62, 2.05)
    assert row.judgement.target_text == "≥ 基准值 2.05"


def test_hnte_over_500_reads_the_indicator_it_restates(plan: Any) -> None:
    put(Indicator.objects.get(code="hnte_count"), "南阳市", 2024, 736)
    row = rows(plan)["hnte_over_500"]
    assert (row.status, row.judgement.figure.value) == ("met", 736)
    assert row.judgement.figure.basis == "指标“高新技术企业数”发布数：2024 年正式数"


def test_a_rejected_or_conflicting_figure_does_not_count(plan: Any) -> None:
    c = Commitment.objects.get(code="provincial_st_awards")
    put(c, "南阳市", 2021, 30, state=ReviewState.REJECTED)
    put(c, "南阳市", 2022, 30, state=ReviewState.CONFLICT)
    assert rows(plan)[c.code].status == "no_data"


def test_new_makerspaces_are_counted_from_the_registry_with_links(plan: Any, make_org: Any) -> None:
    host = make_org()
    wolong = Area.objects.get(name="卧龙区")
    for i, (kind, day) in enumerate(
        [
            ("makerspace", dt.date(2020, 12, 31)),  # before the plan: not new
            ("makerspace", dt.date(2021, 1, 1)),
            ("incubator", dt.date(2022, 7, 1)),
            ("rural_makerspace", dt.date(2024, 12, 31)),
            ("key_lab", dt.date(2023, 3, 1)),  # another kind
        ]
    ):
        InnovationPlatform.objects.create(
            name=f"载体{i}（测试）",
            kind=kind,
            level="municipal",
            host=host,
            area=wolong,
            approved_on=day,
        )
    row = rows(plan)["new_makerspaces_incubators"]
    assert row.status == "not_yet"
    assert (row.judgement.figure.value, row.judgement.figure.basis) == (
        3,
        "登记库计数：累计数（2021—2024 年）",
    )
    labels = [label for label, _ in row.links]
    assert labels == ["众创空间", "科技企业孵化器", "星创天地"]
    assert "new_from=2021-01-01" in row.links[0][1] and "kind=makerspace" in row.links[0][1]


def test_a_published_figure_comes_first_the_registry_count_beside_it(
    plan: Any, make_org: Any
) -> None:
    c = Commitment.objects.get(code="new_high_level_innovation_teams")
    host = make_org()
    for year in (2020, 2021, 2023):
        Team.objects.create(
            name=f"团队{year}（测试）",
            organization=host,
            programme="high_level_introduced",
            approved_year=year,
        )
    put(c, "南阳市", 2024, 52, kind="cumulative", start=2021)
    row = rows(plan)[c.code]
    assert (row.status, row.judgement.figure.value) == ("met", 52)
    assert [(f.value, f.basis) for f in row.judgement.others] == [
        (2, "登记库计数：累计数（2021—2024 年）")
    ]


def test_st_commissioners_are_counted_now(plan: Any, make_org: Any) -> None:
    org = make_org()
    for i in range(3):
        Talent.objects.create(name=f"特派员{i}", organization=org, is_st_commissioner=True)
    row = rows(plan)["municipal_st_commissioners"]
    assert (row.judgement.figure.value, row.status) == (3, "not_met")


def test_the_api_shows_the_reading(client_for: Any, plan: Any) -> None:
    c = Commitment.objects.get(code="fiscal_st_spending_yearly_growth")
    put(c, "卧龙区", 2021, -1.0)
    put(c, "南阳市", 2021, 5.0)
    body = (
        client_for("city_staff")
        .get("/api/monitoring/plans/nanyang-14/progress?as_of=2022-06-30")
        .json()
    )
    by_code = {d["code"]: d for d in body["commitments"]}
    fiscal = by_code[c.code]
    assert fiscal["status"] == "not_met" and fiscal["status_label"] == "未达标"
    assert fiscal["failures"] == [
        {"area": "卧龙区", "area_code": "411303", "year": 2021, "value": -1.0}
    ]
    assert fiscal["areas"] == ["city", "counties"]
    leaders = by_code["innovation_leader_enterprises"]
    assert leaders["tolerance"]["absolute"] == 1.0 and "规划未给出" in leaders["tolerance"]["note"]
    makers = by_code["new_makerspaces_incubators"]
    assert [r["label"] for r in makers["records"]] == ["众创空间", "科技企业孵化器", "星创天地"]
