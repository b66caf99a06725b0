"""The organization list under every combination of its filters (kind, area, industry, text),
read keys first through the covering `organization_live_*` indexes (core.pagination): the same
rows in the same order, on every page, as a plain reference computed here in Python, for the
city and for a county user; the indexes hold every column the keys read tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kechuang.core import pagination
from kechuang.registry.filters import OrganizationFilter
from kechuang.registry.models import IndustryChain, Organization, OrganizationKind
from kechuang.registry.selectors import organizations_for

pytestmark = pytest.mark.django_db

URL = "/api/registry/organizations"
AREAS = ("卧龙区", "宛城区")
KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY)
# (filter value, the industry codes it means: the industry and its sub-industries)
ELECTRONICS = ("electronics", "electronics")
# names sharing parts, so the text filter and the name order both have work to do
NAMES = ("光电{}（测试）", "南阳光电{}（测试）", "新材料{}（测试）", "光学{}（测试）")


@pytest.fixture
def population(make_org: Callable[..., Any]) -> list[Organization]:
    """40 organizations over both areas, two kinds, electronics (a parent and a child industry)
    or another industry or none; every fifth one archived; some names equal (the id decides)."""
    industries = [
        IndustryChain.objects.get(code="electronics"),
        IndustryChain.objects.get(code="electronics.ic"),
        IndustryChain.objects.get(code="materials.superhard"),
        None,
    ]
    rows = []
    for i in range(40):
        org = make_org(
            AREAS[i % 2],
            kind=KINDS[(i // 2) % 2],
            name=NAMES[i % 4].format(i % 7),
            industry=industries[(i // 3) % 4],
            archived=i % 5 == 0,
        )
        rows.append(org)
    return rows


def expected(rows: list[Organization], params: dict[str, str], area: str | None) -> list[int]:
    """The ids the list must show, in its order, computed without the database's filters."""

    def keep(org: Organization) -> bool:
        industry = org.industry.code if org.industry else ""
        text = params.get("q", "")
        return (
            not org.archived
            and (area is None or org.area.name == area)
            and org.area.name == params.get("area", org.area.name)
            and org.kind == params.get("kind", org.kind)
            and (
                "industry" not in params
                or industry == ELECTRONICS[1]
                or industry.startswith(f"{ELECTRONICS[1]}.")
            )
            and (not text or text in org.name or text.upper() in org.uscc)
        )

    return [org.pk for org in sorted(filter(keep, rows), key=lambda o: (o.name, o.pk))]


FILTERS = {"area": "卧龙区", "kind": "enterprise", "industry": ELECTRONICS[0], "q": "光电"}
COMBINATIONS = [
    dict(chosen)
    for size in range(len(FILTERS) + 1)
    for chosen in itertools.combinations(FILTERS.items(), size)
]


@pytest.mark.parametrize(("role", "area"), [("city_staff", None), ("county_staff", "卧龙区")])
def test_every_filter_combination_lists_the_reference_rows_on_every_page(
    population: list[Organization], client_for: Any, role: str, area: str | None
) -> None:
    client = client_for(role)  # its fixtures add a few organizations of their own
    everyone = list(Organization.objects.select_related("area", "industry"))
    assert len(everyone) > len(population) and len(COMBINATIONS) == 16
    for params in COMBINATIONS:
        want = expected(everyone, params, area)
        got: list[int] = []
        for page in (1, 2, 3, 4):
            answer = client.get(URL, {**params, "page": page, "page_size": 4})
            assert answer.status_code == 200, (params, answer.content)
            body = answer.json()
            assert body["count"] == len(want), params
            got += [item["id"] for item in body["items"]]
        assert got == want[:16], params
    # the combinations are not all empty or all alike: the reference has work to do
    sizes = [len(expected(everyone, params, area)) for params in COMBINATIONS]
    assert len(set(sizes)) >= 5 and sizes[-1] > 0, sizes


def test_a_page_is_read_keys_first_by_key_alone(
    population: list[Organization], make_user: Any, wolong: Any
) -> None:
    """Two queries for the page (the keys under the filters, then the rows by key alone, not
    the filters again: repeated, they let the database walk a filter's index), the same rows
    as one slice, for a shallow page too."""
    user = make_user("county_staff", username="county2", area=wolong)
    rows = OrganizationFilter(kind="enterprise", q="光电").filter(organizations_for(user))
    rows = rows.order_by("name", "pk")
    want = [org.pk for org in rows[2:7]]
    assert len(want) == 5
    with CaptureQueriesContext(connection) as captured:
        got = pagination.rows_between(rows, 2, 7)
        areas = [org.area.name for org in got]  # joined: no query per row
    assert [org.pk for org in got] == want
    assert areas == ["卧龙区"] * 5
    keys, by_key = (q["sql"] for q in captured.captured_queries)
    assert "LIKE" in keys and "LIKE" not in by_key and '"kind"' not in by_key.split("WHERE")[1]
    assert " LIMIT 5 OFFSET 2" in keys


def test_the_live_indexes_hold_every_column_the_keys_read_tests() -> None:
    """Each partial index (rows not archived) holds the list's order and every filter column
    of the combinations, `archived` too (SQLite takes an index as covering only then)."""
    tested = {"name", "id", "kind", "area", "industry", "uscc", "archived"}
    live = {
        index.name: index
        for index in Organization._meta.indexes
        if index.name.startswith("organization_live_")
    }
    assert sorted(live) == [
        "organization_live_by_area",
        "organization_live_by_industry",
        "organization_live_by_kind",
        "organization_live_by_name",
    ]
    for name, index in live.items():
        assert set(index.fields) == tested, name
        lead = name.removeprefix("organization_live_by_")
        assert index.fields[: index.fields.index("id") + 1] == (
            ["name", "id"] if lead == "name" else [lead, "name", "id"]
        )
        assert str(index.condition) == "(AND: ('archived', False))"


def test_the_keys_of_a_filtered_page_are_read_from_an_index_alone(
    population: list[Organization], make_user: Any, wolong: Any
) -> None:
    """The plan of the keys read: an index of its own (a covering one on SQLite; PostgreSQL,
    told to avoid the table, can answer it with an index-only scan), whichever filters."""
    user = make_user("county_staff", username="county3", area=wolong)
    for params in ({"industry": "electronics"}, {"kind": "enterprise", "q": "光电"}, {}):
        rows = OrganizationFilter(**params).filter(organizations_for(user)).order_by("name", "pk")
        sql, values = rows.values_list("pk", flat=True)[:20].query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, values)
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
                assert "COVERING INDEX organization_live_by_" in plan, (params, plan)
            else:
                # only an index-only scan left unpenalised: the tiny test table's statistics
                # would otherwise decide between plans the size of the real one never sees
                for kind in ("seqscan", "bitmapscan", "indexscan"):
                    cursor.execute(f"SET LOCAL enable_{kind} = off")
                cursor.execute("EXPLAIN " + sql, values)
                plan = " ".join(row[0] for row in cursor.fetchall())
                assert "Index Only Scan using organization_live_by_" in plan, (params, plan)


def test_the_text_matches_whatever_its_case_chinese_as_typed(
    make_org: Callable[..., Any], client_for: Any
) -> None:
    """Latin letters in any case (a case-insensitive match); Chinese and digits as typed (the
    plain match, the same rows); the credit code too."""
    abc = make_org("卧龙区", name="Abc光电（测试）")
    other = make_org("卧龙区", name="ABD光学（测试）")
    client = client_for("city_staff")

    def found(text: str) -> set[int]:
        answer = client.get(URL, {"q": text, "page_size": 100})
        assert answer.status_code == 200, answer.content
        return {item["id"] for item in answer.json()["items"]} & {abc.pk, other.pk}

    assert found("abc光电") == found("ABC") == found("光电") == {abc.pk}
    assert found("ab") == found("（测试）") == {abc.pk, other.pk}
    assert found(abc.uscc[-6:].lower()) == found(abc.uscc[-6:]) == {abc.pk}
    assert found("光电 ") == found("光学光电") == set()
