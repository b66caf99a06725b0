"""The demo's monitoring values (`manage.py load_demo_observations`): the cited data file of
Nanyang's published figures, the synthetic 演示数据 around them, and the dashboard they fill."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kechuang.accounts.models import User
from kechuang.monitoring import selectors, services
from kechuang.monitoring.engine.figure_rules import blocking
from kechuang.monitoring.engine.observations import OBSERVATION_KINDS
from kechuang.monitoring.engine.periods import parse_period
from kechuang.monitoring.management.commands.load_demo_observations import (
    DATA_FILE,
    DEMO_TITLE,
)
from kechuang.monitoring.models import AreaTarget, Observation
from kechuang.registry.models import Area
from kechuang.registry.synthetic.writer import write_ecosystem
from kechuang.site.management.commands import load_demo

DATA = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
SOURCES = DATA["sources"]
FIGURES = DATA["figures"]
REAL_TITLES = {s["title"] for s in SOURCES.values()}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# --- the data file -----------------------------------------------------------------------------


def test_every_source_names_its_issuer_date_and_is_not_demo_data() -> None:
    assert len(SOURCES) >= 10
    for key, source in SOURCES.items():
        assert source["title"] and source["issuer"], key
        assert isinstance(source["published"], dt.date), key
        assert "演示" not in source["title"], key
        # an address, or the reprint it was read at
        assert source.get("url") or source.get("read_at") or key == "plan", key


@pytest.mark.parametrize(
    "figure",
    FIGURES,
    ids=lambda f: f"{f.get('indicator') or f.get('commitment')}-{f['area']}-{f['period']}",
)
def test_every_figure_has_source_date_kind_and_quote(figure: dict[str, Any]) -> None:
    source = SOURCES[figure["source"]]
    assert figure["kind"] in OBSERVATION_KINDS and figure["kind"] != "target"
    assert isinstance(figure["as_of"], dt.date)
    assert figure["as_of"] >= source["published"] or figure["source"] == "plan"
    period = parse_period(str(figure["period"]))
    if figure["kind"] != "forecast":  # a figure is published after its period (or months) end
        assert figure["as_of"] > period.end
    # the quote states the number (census figures in persons, the value in 10,000 persons)
    number = format(Decimal(str(figure["value"])).normalize(), "f")
    assert _digits(number).lstrip("0") in _digits(figure["quote"]), figure["quote"]


def test_the_file_holds_the_figures_found() -> None:
    found = {
        (f.get("indicator") or f.get("commitment"), f["area"], str(f["period"])): f["value"]
        for f in FIGURES
    }
    assert found[("hnte_count", "411300", "2021")] == 353
    assert found[("rd_growth", "411300", "2022")] == 16.2
    assert found[("population", "411300", "2020")] == 971.3112
    province = {
        k[2]: v for k, v in found.items() if k[:2] == ("rd_intensity_vs_province", "410000")
    }
    assert province == {"2022": 1.86, "2023": 2.05, "2024": 2.01}


# --- the command -------------------------------------------------------------------------------


@pytest.fixture
def demo(plan: Any, users: dict[str, Any]) -> Any:
    write_ecosystem(0.05, 5)
    out = io.StringIO()
    call_command("load_demo_observations", user=users["city_staff"].username, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loader_stores_checked_labelled_figures_once(
    demo: str, plan: Any, users: dict[str, Any]
) -> None:
    """One load (it takes a while) checked for everything the loader promises."""
    _published_and_labelled(demo)
    _entry_checks()
    _county_sums(plan)
    _second_run_changes_nothing(users)


def _published_and_labelled(demo: str) -> None:
    observations = list(Observation.objects.select_related("indicator", "commitment"))
    real = [o for o in observations if o.source_title in REAL_TITLES]
    synthetic = [o for o in observations if o.source_title not in REAL_TITLES]
    assert len(real) == sum(f["as_of"] <= dt.date.today() for f in FIGURES) >= 30
    assert synthetic and all(o.source_title == DEMO_TITLE for o in synthetic)
    assert all("演示数据" in o.source_title and "演示数据" in o.other_scope for o in synthetic)
    assert not any("演示" in o.source_title for o in real)
    # the real figure of a year is never doubled by a synthetic one
    hnte_2021 = Observation.objects.filter(
        indicator__code="hnte_count", area__code="411300", year=2021, kind="actual"
    )
    assert [(o.value, o.source_title) for o in hnte_2021] == [
        (Decimal("353"), SOURCES["press-2022-08"]["title"])
    ]
    # the province's R&D intensity is the benchmark of its commitment
    bench = Observation.objects.filter(
        commitment__code="rd_intensity_vs_province", area__code="410000"
    )
    assert sorted((o.year, o.value) for o in bench) == [
        (2022, Decimal("1.86")),
        (2023, Decimal("2.05")),
        (2024, Decimal("2.01")),
    ]
    assert Observation.objects.filter(state="conflict").count() == 0
    # the synthetic city series passes through the published forecasts and partial counts
    demo_city = Observation.objects.filter(area__code="411300", source_title=DEMO_TITLE)
    assert demo_city.get(indicator__code="hnte_count", year=2025).value == 736
    assert demo_city.get(indicator__code="hnte_count", year=2022).value == 490
    assert demo_city.get(indicator__code="tech_contract_amount", year=2022).value == 75
    assert not demo_city.filter(indicator__code="hnte_count", year=2021).exists()
    assert f"新增 {len(observations)} 条" in demo


def _entry_checks() -> None:
    observations = Observation.objects.select_related("indicator", "commitment")
    confirmed = 0
    for obs in observations:
        subject = obs.indicator or obs.commitment
        previous = (
            Observation.objects.filter(
                indicator=obs.indicator,
                commitment=obs.commitment,
                area=obs.area,
                year=obs.year - 1,
                kind__in=("actual", "preliminary"),
            )
            .values_list("value", flat=True)
            .first()
            if obs.kind in ("actual", "preliminary")
            else None
        )
        findings = services.figure_findings(
            subject, obs.value, obs.kind, parse_period(obs.period), previous
        )
        assert blocking(findings, obs.confirmed_reason) == [], (obs, findings)
        confirmed += bool(obs.confirmed_reason)
    # the synthetic county counts of a small registry jump: those carry the reason
    assert all(o.confirmed_check for o in observations.exclude(confirmed_reason=""))


def _second_run_changes_nothing(users: dict[str, Any]) -> None:
    before = list(Observation.objects.order_by("pk").values_list("pk", "value", "as_of"))
    targets = list(AreaTarget.objects.order_by("pk").values_list("pk", "target_value"))
    out = io.StringIO()
    call_command("load_demo_observations", user=users["city_staff"].username, stdout=out)
    assert "新增 0 条" in out.getvalue() and "新分解区域目标 0 项" in out.getvalue()
    assert list(Observation.objects.order_by("pk").values_list("pk", "value", "as_of")) == before
    assert list(AreaTarget.objects.order_by("pk").values_list("pk", "target_value")) == targets


def _county_sums(plan: Any) -> None:
    counties = selectors.split_areas(plan)
    for code, year in (("hnte_count", 2021), ("tsme_count", 2023), ("tech_contract_amount", 2024)):
        rows = Observation.objects.filter(indicator__code=code, year=year, kind="actual")
        city = rows.get(area=plan.area).value
        assert sum(rows.filter(area__in=counties).values_list("value", flat=True)) == city
    # every county has its own target for every indicator (split by the synthetic 2020 values)
    assert AreaTarget.objects.count() == 11 * len(counties)
    hnte = AreaTarget.objects.filter(indicator__code="hnte_count")
    assert sum(t.target_value for t in hnte) == Decimal(500)


@pytest.fixture
def demo_loaded(plan: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`manage.py load_demo` as `make demo` runs it (after load_plan): the observations come
    with the organizations and accounts, entered as the demo's admin."""
    monkeypatch.setattr(load_demo, "demo_password", lambda: "Demo-pass-2025x")
    call_command("load_demo", scale=0.05, seed=5, stdout=io.StringIO())
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.force_login(User.objects.get(username="city_staff"))
    return client


@pytest.mark.django_db
def test_the_demo_dashboard_shows_a_traceable_value_on_every_card(
    demo_loaded: Any, plan: Any
) -> None:
    assert {o.entered_by.username for o in Observation.objects.select_related("entered_by")} == {
        "admin"
    }
    response = demo_loaded.get(reverse("monitoring:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-observations"' not in html
    assert html.count('data-testid="indicator-card"') == 11
    assert html.count('data-testid="latest-value"') == 11
    cards = html.split('data-testid="indicator-cards"')[1].split("量化承诺（全市）")[0]
    assert "暂无数据" not in cards
    # each card's latest counted value is a published figure or labelled 演示数据
    board = selectors.build_dashboard(plan, dt.date.today(), plan.area, list(Area.local()))
    for row in board.rows:
        latest = row.published.latest_value
        obs = Observation.objects.get(
            indicator=row.indicator, area=plan.area, kind="actual", year=row.published.latest_year
        )
        assert float(obs.value) == pytest.approx(latest)
        assert obs.source_title in REAL_TITLES or "演示数据" in obs.source_title
    # the heat map and the ranking have a completion for every county and indicator
    cells = board.heatmap()["cells"]
    assert cells and all(c["value"][2] is not None for c in cells)
    for _indicator, ranks in board.rankings():
        assert all(r.completion is not None for r in ranks)
