"""One count everywhere: "how many organizations hold a valid HNTE on day D in area A" is the
same number on the home page, in monitoring's computed series, in the cultivation projection and
beside the funnel, at the edges of validity (issued or expiring on the day), with claims,
rejected rows and overlapping certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from kechuang.cultivation.selectors import funnel, projection_input
from kechuang.monitoring.selectors import commitment_progress, computed_series
from kechuang.monitoring.services import load_plan_file
from kechuang.registry.models import Area, Qualification
from kechuang.registry.selectors import (
    count_holders,
    holder_counts_per_year,
    holders_per_year,
    last_record_year,
    qualification_holders,
    registry_summary,
)

pytestmark = pytest.mark.django_db
D = dt.date


def hnte(org: Any, issued: dt.date, expires: dt.date | None, state: str = "verified") -> None:
    Qualification.objects.create(
        organization=org,
        kind="HNTE",
        issued_on=issued,
        expires_on=expires,
        issuer_level="national",
        verification=state,
    )


@pytest.fixture
def holders(make_org: Any) -> dict[str, Any]:
    """Wolong: a (valid 2021-12-31 … 2024-12-30), b (two overlapping certificates), c (issued on
    2023-12-31), d (a claim), e (rejected); Wancheng: f (expires 2023-12-31, inclusive)."""
    orgs = {name: make_org() for name in "abcde"}
    orgs["f"] = make_org(area="宛城区")
    hnte(orgs["a"], D(2021, 12, 31), D(2024, 12, 30))
    hnte(orgs["b"], D(2020, 11, 1), D(2023, 10, 31))
    hnte(orgs["b"], D(2023, 10, 1), D(2026, 9, 30))
    hnte(orgs["c"], D(2023, 12, 31), D(2026, 12, 30))
    hnte(orgs["d"], D(2022, 1, 1), D(2025, 1, 1), state="claimed")
    hnte(orgs["e"], D(2022, 1, 1), D(2025, 1, 1), state="rejected")
    hnte(orgs["f"], D(2020, 12, 31), D(2023, 12, 31))
    return orgs


# hand-computed year-end holders: city (Wolong, Wancheng)
EXPECTED = {2020: (2, 1, 1), 2021: (3, 2, 1), 2022: (3, 2, 1), 2023: (4, 3, 1), 2024: (2, 2, 0)}


def test_the_count_at_every_edge(holders: dict[str, Any]) -> None:
    city, wolong, wancheng = (Area.objects.get(name=n) for n in ("南阳市", "卧龙区", "宛城区"))
    for year, (n_city, n_wolong, n_wancheng) in EXPECTED.items():
        day = D(year, 12, 31)
        assert count_holders("HNTE", day) == n_city, year
        assert count_holders("HNTE", day, area=city) == n_city, year
        assert count_holders("HNTE", day, area=wolong) == n_wolong, year
        assert count_holders("HNTE", day, area=wancheng) == n_wancheng, year
    assert count_holders("HNTE", D(2021, 12, 30)) == 2  # a's certificate starts the next day
    assert count_holders("HNTE", D(2024, 1, 1)) == 3  # f's ended on 2023-12-31
    assert set(qualification_holders("HNTE", D(2022, 6, 1))) == {
        holders["a"],
        holders["b"],
        holders["f"],
    }


def test_the_two_access_paths_agree_with_the_definition(holders: dict[str, Any]) -> None:
    years = list(EXPECTED)
    per_area = holder_counts_per_year("HNTE", years)
    organizations = holders_per_year("HNTE", years)
    for year in years:
        day = D(year, 12, 31)
        assert sum(n for _, n in per_area[year]) == count_holders("HNTE", day)
        assert organizations[year] == set(
            qualification_holders("HNTE", day).values_list("pk", flat=True)
        )


def test_home_monitoring_projection_and_funnel_show_the_same_count(
    holders: dict[str, Any], users: dict[str, Any]
) -> None:
    staff = users["city_staff"]
    city = Area.objects.get(name="南阳市")
    assert last_record_year(["HNTE"], today=D(2026, 6, 1)) == 2023
    series = computed_series("hnte_count", [2022, 2023], [city])
    assert [series["411300"][y].value for y in (2022, 2023)] == [3, 4]
    projection = projection_input(staff, 2025, 500, None, 2021)
    assert (projection.base_year, projection.hnte_now) == (2023, 4)
    assert dict(projection.hnte_history) == {y: EXPECTED[y][0] for y in (2021, 2022, 2023)}
    today_count = count_holders("HNTE", dt.date.today())
    assert registry_summary(staff)["hnte"] == today_count
    assert funnel(staff)["registry_today"]["hnte"] == today_count


def test_the_count_follows_the_users_scope(holders: dict[str, Any], users: dict[str, Any]) -> None:
    county = users["county_staff"]  # 卧龙区
    assert count_holders("HNTE", D(2023, 12, 31), user=county) == 3
    projection = projection_input(county, 2025, 500, None, 2021)
    assert projection.hnte_now == 3


def test_a_year_without_recorded_issues_says_so(holders: dict[str, Any]) -> None:
    city = Area.objects.get(name="南阳市")
    point = computed_series("hnte_count", [2024], [city])["411300"][2024]
    assert point.value == 2
    assert "登记库尚无 2024 年认定的高新技术企业记录（最新认定在 2023 年）" in point.detail


def test_a_commitment_is_not_judged_on_a_year_the_records_cannot_speak_for(
    holders: dict[str, Any],
) -> None:
    # 高新技术企业突破500家 restates 高新技术企业数: the registry count of 2024 (no issue
    # recorded in 2024) is shown on the indicator but the commitment reads 2023's.
    plan = load_plan_file(settings.DATA_DIR / "plans" / "nanyang-14th.yaml")
    row = {r.commitment.code: r for r in commitment_progress(plan, D(2025, 6, 30))}["hnte_over_500"]
    assert (row.judgement.figure.value, row.judgement.figure.year) == (4, 2023)
