"""Synthetic Nanyang: exact 2020 baselines, plausible figures, invented names, determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import CaptureQueriesContext

from kechuang.registry.engine.uscc import validate_uscc
from kechuang.registry.models.figures import RD_CATEGORY_FIELDS, check_figures
from kechuang.registry.selectors import platforms_operating_on
from kechuang.registry.synthetic.ecosystem import EcosystemPlan, digest, iter_details
from kechuang.registry.synthetic.ecosystem import plan_ecosystem as plan_from
from kechuang.registry.synthetic.figures import hnte_rd_threshold
from kechuang.registry.synthetic.names import demo_uscc
from kechuang.registry.synthetic.params import Baseline
from kechuang.registry.synthetic.patents import check_digit, patent_number
from kechuang.registry.synthetic.reference import Reference, reference_from_yaml

END_2020 = dt.date(2020, 12, 31)
_PLANS: dict[tuple[float, int], EcosystemPlan] = {}


@pytest.fixture(scope="module")
def yaml_reference() -> Reference:
    from django.conf import settings

    return reference_from_yaml(settings.DATA_DIR / "reference" / "nanyang.yaml")


def plan(reference: Reference, scale: float, seed: int = 7) -> EcosystemPlan:
    """Plans are pure and deterministic, so tests share them."""
    if (scale, seed) not in _PLANS:
        _PLANS[(scale, seed)] = plan_from(reference, scale, seed)
    return _PLANS[(scale, seed)]


def valid_count(plan: EcosystemPlan, kind: str, day: dt.date) -> int:
    return sum(
        1 for q in plan.qualifications.qualifications if q.kind == kind and q.is_valid_on(day)
    )


def operating_platforms(plan: EcosystemPlan, day: dt.date) -> int:
    """Platforms operating on `day` by their status history (status on that day)."""
    return sum(1 for p in plan.platforms if p.status_on(day) == "operating")


# --- pure generators ----------------------------------------------------------------------


def test_patent_check_digit_matches_the_cnipa_worked_example() -> None:
    assert check_digit("201710601862") == "3"  # 申请号 201710601862.3
    assert re.fullmatch(r"ZL2021[123]\d{7}\.[0-9X]", patent_number(2021, "invention", 9000123))
    assert patent_number(2021, "utility_model", 9000001)[6] == "2"


def test_demo_usccs_are_valid_unique_and_carry_the_area_code() -> None:
    codes = [demo_uscc(i, "enterprise", "411323", seed=5) for i in range(5000)]
    assert len(set(codes)) == 5000
    for code in codes[:500]:
        assert validate_uscc(code) == code
        assert code[2:8] == "411323" and code[8:10] == "DM"
    assert demo_uscc(0, "university", "411300", seed=5).startswith("12411300")


def test_baseline_scales_and_rounds() -> None:
    assert Baseline().scaled(1) == Baseline()
    small = Baseline().scaled(0.05)
    assert (small.organizations, small.hnte_2020, small.tsme_2020, small.platforms_2020) == (
        100,
        13,
        23,
        38,
    )
    with pytest.raises(ValueError):
        Baseline().scaled(0)


@pytest.mark.parametrize("scale", [0.05, 0.25, 1.0])
def test_2020_totals_equal_the_scaled_plan_baselines(
    yaml_reference: Reference, scale: float
) -> None:
    city = plan(yaml_reference, scale)
    expected = Baseline().scaled(scale)
    assert valid_count(city, "HNTE", END_2020) == expected.hnte_2020
    assert valid_count(city, "TSME", END_2020) == expected.tsme_2020
    assert operating_platforms(city, END_2020) == expected.platforms_2020


def test_scale_1_gives_the_plans_264_450_764(yaml_reference: Reference) -> None:
    city = plan(yaml_reference, 1.0)
    assert len(city.organizations) == 2000
    assert valid_count(city, "HNTE", END_2020) == 264
    assert valid_count(city, "TSME", END_2020) == 450
    assert operating_platforms(city, END_2020) == 764


def test_baselines_are_a_parameter(yaml_reference: Reference) -> None:
    custom = Baseline(organizations=300, hnte_2020=31, tsme_2020=57, platforms_2020=80)
    city = plan_from(yaml_reference, 1, 3, custom)
    assert valid_count(city, "HNTE", END_2020) == 31
    assert valid_count(city, "TSME", END_2020) == 57
    assert operating_platforms(city, END_2020) == 80


def test_later_years_grow_toward_but_not_onto_the_2025_targets(yaml_reference: Reference) -> None:
    city = plan(yaml_reference, 1.0)
    end_2024 = dt.date(2024, 12, 31)
    assert 264 < valid_count(city, "HNTE", end_2024) < 500
    assert 450 < valid_count(city, "TSME", end_2024) < 1350
    assert 764 < operating_platforms(city, end_2024) < 1000


def test_the_registry_runs_through_2025_so_screening_in_2026_sees_no_artificial_lapse(
    yaml_reference: Reference,
) -> None:
    """The figures and the qualifications run through 2025 (the plan's last year): HNTE
    holders renew in 2025 as in every year, so the count on a day of 2026 is the 2025 year-end
    count less only the 2023 batch's certificates that were not renewed, not a collapse."""
    city = plan(yaml_reference, 1.0)
    end_2024, end_2025 = dt.date(2024, 12, 31), dt.date(2025, 12, 31)
    hnte_2024, hnte_2025 = valid_count(city, "HNTE", end_2024), valid_count(city, "HNTE", end_2025)
    assert hnte_2024 < hnte_2025 < 500  # still growing toward, not onto, the 2025 target
    assert any(
        q.kind == "HNTE" and q.issued_on.year == 2025 for q in city.qualifications.qualifications
    )
    assert valid_count(city, "HNTE", dt.date(2026, 6, 30)) == hnte_2025
    # TSME: the 2025 registrations are valid through 2026; only a 2024 registration not renewed
    # in 2025 has ended (a real lapse, the enterprise's own)
    registered_2025 = sum(
        1
        for q in city.qualifications.qualifications
        if q.kind == "TSME" and q.issued_on.year == 2025
    )
    tsme_2026 = valid_count(city, "TSME", dt.date(2026, 6, 30))
    assert tsme_2026 == registered_2025 > 0.85 * valid_count(city, "TSME", end_2025)
    assert 764 < operating_platforms(city, end_2024) < operating_platforms(city, end_2025) <= 1000
    founded = [o for o in city.organizations if o.is_enterprise and o.founded_on.year <= 2025]
    assert all(o.revenue_in(2025) is not None for o in founded)


def test_one_valid_tsme_registration_per_enterprise_at_any_year_end(
    yaml_reference: Reference,
) -> None:
    city = plan(yaml_reference, 0.25)
    for year in range(2017, 2026):
        day = dt.date(year, 12, 31)
        valid = [
            q.org
            for q in city.qualifications.qualifications
            if q.kind == "TSME" and q.is_valid_on(day)
        ]
        assert len(valid) == len(set(valid)), year


def test_hnte_certificates_last_three_years(yaml_reference: Reference) -> None:
    for q in plan(yaml_reference, 0.25).qualifications.qualifications:
        if q.kind == "HNTE":
            assert q.expires_on == q.issued_on.replace(year=q.issued_on.year + 3) - dt.timedelta(
                days=1
            )


def test_same_scale_and_seed_give_identical_data(yaml_reference: Reference) -> None:
    first = digest(plan_from(yaml_reference, 0.05, 11))
    assert digest(plan_from(yaml_reference, 0.05, 11)) == first
    assert digest(plan_from(yaml_reference, 0.05, 12)) != first


def test_every_name_is_invented_and_marked_demo(yaml_reference: Reference) -> None:
    city = plan(yaml_reference, 0.25)
    names = [o.name for o in city.organizations]
    assert len(set(names)) == len(names)
    assert all(name.endswith("（演示）") for name in names)
    assert all(p.name.endswith("（演示）") and "演示" in p.name[:-4] for p in city.platforms)
    for details in iter_details(city):
        assert all(team.name.endswith("（演示）") for team in details.teams)
        assert all(not t.phone or re.fullmatch(r"139\d{8}", t.phone) for t in details.talents)


def test_about_92_percent_enterprises_and_a_quarter_above_designated_size(
    yaml_reference: Reference,
) -> None:
    orgs = plan(yaml_reference, 1.0).organizations
    enterprises = [o for o in orgs if o.is_enterprise]
    assert 0.89 < len(enterprises) / len(orgs) < 0.95
    share = sum(o.is_above_designated_size for o in enterprises) / len(enterprises)
    assert 0.20 <= share <= 0.30
    areas = {o.area.name for o in orgs}
    assert len(areas) == 17


def test_revenue_is_heavy_tailed(yaml_reference: Reference) -> None:
    revenue = sorted(
        o.revenue[-1] for o in plan(yaml_reference, 1.0).organizations if o.revenue[-1]
    )
    top = revenue[int(len(revenue) * 0.99) :]
    assert sum(top) / sum(revenue) > 0.1  # the top 1 % carry more than a tenth
    assert revenue[-1] > 50 * revenue[len(revenue) // 2]


def test_figures_pass_the_cross_field_rules(yaml_reference: Reference) -> None:
    city = plan(yaml_reference, 0.25)
    checked = 0
    for details in iter_details(city):
        for _, values in details.reports:
            assert check_figures(values) == {}
            parts = sum((values[name] for name in RD_CATEGORY_FIELDS), Decimal(0))
            assert parts == values["rd_expense"]
            assert values["rd_expense_domestic"] <= values["rd_expense"] <= values["total_revenue"]
            assert values["main_revenue"] <= values["sales_revenue"] <= values["total_revenue"]
            checked += 1
        years = [year for year, _ in details.reports]
        assert years == sorted(years)
        for (_, before), (_, after) in zip(details.reports, details.reports[1:], strict=False):
            assert after["net_assets_start"] == before["net_assets_end"]
    assert checked > 300


def test_hnte_holders_meet_the_hnte_ratios_in_their_years(yaml_reference: Reference) -> None:
    city = plan(yaml_reference, 0.25)
    checked = 0
    for details in iter_details(city):
        years = city.qualifications.hnte_years(details.org.index)
        for year, v in details.reports:
            if year not in years:
                continue
            sales = float(v["sales_revenue"])
            assert float(v["rd_expense"]) >= hnte_rd_threshold(sales) * sales
            assert v["st_staff_avg"] >= v["employees_avg"] * Decimal("0.1")
            assert v["hightech_revenue"] >= v["total_revenue"] * Decimal("0.6")
            assert v["rd_expense_domestic"] >= v["rd_expense"] * Decimal("0.6")
            checked += 1
    assert checked > 100


def test_patent_text_comes_from_the_plans_technology_terms(yaml_reference: Reference) -> None:
    city = plan(yaml_reference, 0.05)
    keywords = {k for i in yaml_reference.industries for k in i.keywords}
    patents = [p for details in iter_details(city) for p in details.patents]
    assert len(patents) > 50
    assert len({p.number for p in patents}) == len(patents)
    for p in patents:
        assert re.fullmatch(r"ZL\d{4}[123]9\d{6}\.[0-9X]", p.number)
        assert p.number[6] == {"invention": "1", "utility_model": "2", "design": "3"}[p.kind]
        assert any(k in p.title for k in keywords), p.title
        assert p.abstract
        assert p.legal_status != "in_force" or p.grant_date is not None
        if p.kind != "invention":
            assert not (p.hv_strategic_industry or p.hv_award or p.hv_pledged)


# --- the database writer and the commands -------------------------------------------------


def stable_digest() -> str:
    """A digest of the stored demo rows' stable fields (no keys, no timestamps)."""
    from kechuang.registry.models import AnnualReport, InnovationPlatform, Organization, Patent

    sha = hashlib.sha256()
    for row in (
        Organization.objects.filter(is_demo=True)
        .order_by("uscc")
        .values_list("uscc", "name", "kind", "area__code", "industry__code", "founded_on")
    ):
        sha.update(repr(row).encode())
    for row in (
        AnnualReport.objects.filter(organization__is_demo=True)
        .order_by("organization__uscc", "year")
        .values_list("organization__uscc", "year", "sales_revenue", "rd_expense")
    ):
        sha.update(repr(row).encode())
    for row in (
        Patent.objects.filter(is_demo=True)
        .order_by("number")
        .values_list("number", "title", "organization__uscc")
    ):
        sha.update(repr(row).encode())
    for row in (
        InnovationPlatform.objects.filter(is_demo=True)
        .order_by("name", "kind")
        .values_list("name", "kind", "host__uscc", "approved_on")
    ):
        sha.update(repr(row).encode())
    return sha.hexdigest()


@pytest.mark.django_db
def test_generate_demo_writes_flagged_rows_meeting_the_baselines(reference: None) -> None:
    from kechuang.core.models import AuditEntry
    from kechuang.registry.models import (
        InnovationPlatform,
        Organization,
        Patent,
        Qualification,
        Talent,
        Team,
    )

    audit_before = AuditEntry.objects.count()
    call_command("generate_demo", scale=0.05, seed=3)
    expected = Baseline().scaled(0.05)
    demo = Organization.objects.filter(is_demo=True)
    assert demo.count() == Organization.objects.count() == expected.organizations
    assert not demo.exclude(name__endswith="（演示）").exists()
    valid = Qualification.objects.filter(Qualification.valid_on(END_2020))
    assert valid.filter(kind="HNTE").count() == expected.hnte_2020
    assert valid.filter(kind="TSME").count() == expected.tsme_2020
    assert platforms_operating_on(END_2020).count() == expected.platforms_2020
    for model in (InnovationPlatform, Patent, Talent, Team):
        assert model.objects.exists() and not model.objects.filter(is_demo=False).exists()
    assert AuditEntry.objects.count() == audit_before + 1  # one entry for the whole run
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.action == "create"
    assert entry.note.startswith("generate_demo --scale 0.05 --seed 3：100 家单位")


@pytest.mark.django_db
def test_sampled_rows_pass_full_clean(reference: None) -> None:
    from kechuang.registry.models import (
        AnnualReport,
        InnovationPlatform,
        Organization,
        Patent,
        Qualification,
        Talent,
        Team,
    )

    call_command("generate_demo", scale=0.05, seed=4)
    for model in (
        Organization,
        AnnualReport,
        Qualification,
        InnovationPlatform,
        Patent,
        Talent,
        Team,
    ):
        rows = list(model.objects.order_by("pk")[:: max(1, model.objects.count() // 25)])
        assert rows, model
        for row in rows:
            row.full_clean()


@pytest.mark.django_db
def test_rerun_refuses_and_replace_regenerates_identical_data(reference: None) -> None:
    call_command("generate_demo", scale=0.05, seed=9)
    first = stable_digest()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_demo", scale=0.05, seed=9)
    call_command("generate_demo", scale=0.05, seed=9, replace=True)
    assert stable_digest() == first
    call_command("generate_demo", scale=0.05, seed=10, replace=True)
    assert stable_digest() != first


@pytest.mark.django_db
def test_load_demo_generates_once_and_binds_the_demo_accounts(
    reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kechuang.accounts.models import User
    from kechuang.registry.models import Organization
    from kechuang.site.management.commands import load_demo

    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5)
    count = Organization.objects.count()
    enterprise = User.objects.get(username="enterprise")
    assert enterprise.organization.is_demo and enterprise.organization.area.name == "卧龙区"
    call_command("load_demo", scale=0.05, seed=5)  # fast: generation is skipped
    assert Organization.objects.count() == count
    uscc = enterprise.organization.uscc
    call_command("generate_demo", scale=0.05, seed=5, replace=True)
    enterprise.refresh_from_db()
    assert enterprise.organization.uscc == uscc


@pytest.mark.django_db
def test_organization_list_query_count_does_not_grow_with_page_size(
    reference: None, client_for: Any
) -> None:
    from django.db import connection

    call_command("generate_demo", scale=0.1, seed=6)
    client = client_for("city_staff")
    counts = []
    for size in (20, 100):
        caches["pages"].clear()  # both sizes cold: the kept count and page would hide queries
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                "/api/registry/organizations", {"kind": "enterprise", "page_size": size}
            )
        assert response.status_code == 200
        assert len(response.json()["items"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
