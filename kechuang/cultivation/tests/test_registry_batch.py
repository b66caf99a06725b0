"""The whole-city screening from columns (engine/registry_batch.py) gives exactly what the
case-by-case screening (engine/batch.py, every case built and read on its own) gives: the same
data status and reasons, HNTE/TSME results, failed conditions, gaps, reserve tier and tier rule
set results, on generated registry rows with every kind of flaw the case reader words (missing
figures, negatives, parts above their whole, a year missing, a founding date after the reports,
an unknown technical field, amounts the vector path cannot hold) and values on the band edges.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from typing import Any

import numpy as np
import pytest

from kechuang.core.parallel import apart
from kechuang.cultivation.engine import batch as batch_engine
from kechuang.cultivation.engine.batch import BatchInput, Screened, screen
from kechuang.cultivation.engine.case import TECH_FIELDS
from kechuang.cultivation.engine.registry_batch import (
    Columns,
    clean_rows,
    columns_from_rows,
    reports_of_row,
    screen_columns,
)
from kechuang.cultivation.engine.registry_case import REPORT_FIELDS, case_from_reports
from kechuang.cultivation.models import ReservePolicy, TierRuleSet

AS_OF = dt.date(2024, 6, 30)
N = 2500
EDGES = (0, 5000, 20000, 4999.99, 20000.01, 0.01)
KINDS = ("HNTE", "TSME", "gazelle", "innovation_leader", "srdi", "eaglet")


def _amount(rng: random.Random, field: str, flawed: bool) -> float | None:
    pick = rng.random() if flawed else 0.07 + 0.93 * rng.random()
    if pick < 0.03:
        return None
    if pick < 0.05:
        return -round(rng.uniform(1, 500), 2) if field != "net_assets_end" else -1234.5
    if pick < 0.06:
        return 2.5e13  # beyond the vector path's exact range
    if pick < 0.065:
        return 12.345  # three places
    if pick < 0.15:
        return float(rng.choice(EDGES))
    return round(rng.uniform(0, 30000), rng.choice((0, 1, 2)))


def _report(rng: random.Random, year: int) -> list[float]:
    flawed = rng.random() < 0.1
    values: dict[str, Any] = {f: _amount(rng, f, flawed) for f in REPORT_FIELDS}
    employees = float(rng.randint(0, 300))
    values["employees_avg"] = employees if rng.random() > 0.01 else None
    share = rng.choice((0.1, 0.1, 0.05, 0.3, 0.3, 0.3, 1.2 if flawed else 0.2))
    values["st_staff_avg"] = round(employees * share, 2) if rng.random() > 0.01 else None
    if values["total_revenue"] is not None and rng.random() < 0.97:
        values["hightech_revenue"] = round(values["total_revenue"] * rng.choice((0.6, 0.5, 0.9)), 2)
    if values["sales_revenue"] is not None and values["rd_expense"] is not None:
        values["rd_expense"] = round(values["sales_revenue"] * rng.choice((0.05, 0.04, 0.03)), 2)
    if values["rd_expense"] is not None and rng.random() < 0.97:
        values["rd_expense_domestic"] = round(values["rd_expense"] * rng.choice((0.6, 1, 0.3)), 2)
    for name in ("ip_class_i_held", "ip_class_ii_held", "tech_conversions"):
        values[name] = rng.choice((None, 0, 0, 1, 2, 3, 5, 8))
    return [np.nan if values[f] is None else values[f] for f in REPORT_FIELDS]


def _organization(rng: random.Random, pk: int) -> tuple[tuple[Any, ...], list[list[float]]]:
    odd = (None, dt.date(2025, 1, 1), dt.date(2021, 1, 1), dt.date(2022, 7, 1))
    founded = rng.choice(odd) if rng.random() < 0.15 else dt.date(2015, 3, 1)
    field = rng.choice((None, "", "其他", "未知领域", *TECH_FIELDS, *TECH_FIELDS))
    n = rng.choice((0, 1, 2, 3, 3, 3, 4))
    last = rng.choice((2023, 2023, 2022))
    years = [last - k for k in range(n)]
    if n >= 2 and rng.random() < 0.05:
        years[1] -= 1  # a year missing
    rows = [[float(pk), float(y), *_report(rng, y)] for y in years]
    return (pk, founded, field), rows


@pytest.fixture
def columns(tier_rules: None) -> Columns:
    rng = random.Random(20251207)
    organizations, rows = [], []
    for pk in rng.sample(range(1, 10 * N), N):  # not in id order, as a queryset may give them
        organization, reports = _organization(rng, pk)
        organizations.append(organization)
        rows.extend(reports)
    rng.shuffle(rows)  # in no particular order, as PostgreSQL may give them
    held = {pk: set(rng.sample(KINDS, rng.randint(0, 2))) for pk, _, _ in organizations[: N // 2]}
    hosts = {pk for pk, _, _ in organizations[::7]}
    return columns_from_rows(AS_OF, organizations, np.array(rows), held, hosts)


def _case_by_case(data: Columns, policy: Any, rule_sets: list[Any]) -> Screened:
    reports = {pk: reports_of_row(data, i) for i, pk in enumerate(data.org_ids)}
    cases = {
        pk: case_from_reports(
            as_of=AS_OF,
            founded_on=data.founded_on[i],
            tech_field=data.tech_field[i],
            reports=reports[pk],
            qualifications=data.held.get(pk, ()),
        )
        for i, pk in enumerate(data.org_ids)
    }
    batch = BatchInput(
        AS_OF, cases, {k: v for k, v in reports.items() if v}, data.held, data.rd_platform_hosts
    )
    return screen(batch, policy, rule_sets)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


def test_columns_screen_exactly_as_case_by_case(columns: Columns) -> None:
    policy = ReservePolicy.objects.get(active=True).to_engine()
    rule_sets = [r.to_engine() for r in TierRuleSet.objects.exclude(status="inactive")]
    got = screen_columns(columns, policy, rule_sets)
    want = _case_by_case(columns, policy, rule_sets)
    assert got.org_ids == want.org_ids
    assert got.data_status == want.data_status
    assert got.missing == want.missing
    assert got.latest_year == want.latest_year
    for key in want.hnte:
        assert _same(got.hnte[key], want.hnte[key]), key
    for key in want.tsme:
        assert _same(got.tsme[key], want.tsme[key]), key
    assert got.failed == want.failed
    assert got.gaps == want.gaps
    assert _same(got.tier, want.tier)
    assert got.tier_codes == want.tier_codes
    assert set(got.rule_sets) == set(want.rule_sets)
    for code in want.rule_sets:
        assert _same(got.rule_sets[code], want.rule_sets[code]), code


def test_the_generated_rows_reach_both_paths_and_every_outcome(columns: Columns) -> None:
    """The comparison above is meaningful: clean rows and flawed ones, all three statuses,
    several distinct reasons, gaps, and each HNTE and TSME outcome."""
    policy = ReservePolicy.objects.get(active=True).to_engine()
    got = screen_columns(columns, policy, [])
    clean = clean_rows(columns)
    assert 0.2 < clean.mean() < 0.9
    statuses = list(got.data_status.values())
    assert {statuses.count(s) > 20 for s in ("complete", "incomplete", "no_data")} == {True}
    reasons = {m for ms in got.missing.values() for m in ms}
    for part in (
        "缺少必填字段",
        "不能为负数",
        "不能大于",
        "年度须连续",
        "向量化",
        "未知的技术领域",
    ):
        assert any(part in r for r in reasons), part
    assert len(got.gaps) > 20
    # without expert grades a registry case is at best "depends on the experts" for HNTE
    hnte = got.hnte["eligible"]
    assert set(np.unique(hnte[~np.isnan(hnte)]).tolist()) == {0.0, 2.0}
    tsme = got.tsme["eligible"]
    assert set(np.unique(tsme[~np.isnan(tsme)]).tolist()) == {0.0, 1.0}


def test_gaps_computed_in_another_process_are_the_same(
    columns: Columns, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's gaps computed apart (a forked process, kechuang.core.parallel) equal the ones
    computed here; until settled, the screening has none and says they are pending."""
    policy = ReservePolicy.objects.get(active=True).to_engine()
    here = screen_columns(columns, policy, [])
    monkeypatch.setattr(batch_engine, "APART_MIN", 1)
    started: list[int] = []

    def counted_apart(compute: Any) -> Any:
        started.append(os.getpid())
        return apart(compute)

    elsewhere = screen_columns(columns, policy, [], counted_apart)
    assert started == [os.getpid()]
    assert elsewhere.pending_gaps is not None and elsewhere.gaps == {}
    assert elsewhere.settle().gaps == here.gaps
    assert len(here.gaps) > 10 and elsewhere.pending_gaps is None
