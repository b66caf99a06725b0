"""The batch screening's gaps (engine/batch.py: the vector engine's failed conditions and its
column-wise score search, fed to the single-case gap builders) equal the single-case
assessment's gaps, Gap for Gap, on generated cases that sit on the band edges (scores of 70
and 71, Ⅱ类 and conversion counts at each band, pending IP with expected dates)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import numpy as np
import pytest

from kechuang.cultivation.engine import Case, assess, load_case
from kechuang.cultivation.engine.batch import score_searches
from kechuang.cultivation.engine.hnte_2016_gaps import ScoreSearch, collect_failed, search_score
from kechuang.cultivation.engine.tests.factory import hnte_data
from kechuang.cultivation.engine.tests.test_vector import random_case_data
from kechuang.cultivation.engine.vector import figures_from_cases, screen_hnte

SEED = 20251207
N_CASES = 1500


def _with_pending(rng: random.Random, data: dict) -> dict:
    """Some cases wait for IP rights with expected grant dates (the gaps name the date)."""
    if rng.random() < 0.3:
        data["ip"]["pending"] = [
            {"kind": rng.choice(("I", "II")), "expected_on": f"2024-{month:02d}-15"}
            for month in rng.sample(range(1, 13), rng.randint(1, 6))
        ]
    return data


def _near_the_mark() -> list[Case]:
    """factory.hnte_data (77 points at the minimum) without its Ⅰ类 right, with 0–6 Ⅱ类 rights,
    3–15 conversions, 6–20 management points and core support B–D: totals on both sides of
    70, where one Ⅰ类 right, a few Ⅱ类 rights or a few conversions lift it over."""
    return [
        load_case(
            hnte_data(
                ip={"class_i": 0, "class_ii": class_ii, "self_developed": True},
                conversions_3y=conversions,
                expert_grades={"advancement": "A", "core_support": core, "rd_management_points": m},
            )
        )
        for core in "BCD"
        for class_ii in range(7)
        for conversions in (3, 4, 6, 9, 12, 15)
        for m in (6, 10, 14, 18, 20)
    ]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    rng = random.Random(SEED)
    generated = [load_case(_with_pending(rng, random_case_data(rng))) for _ in range(N_CASES)]
    return generated + _near_the_mark()


@pytest.fixture(scope="module")
def searches(cases: list[Case]) -> list[ScoreSearch]:
    return score_searches(figures_from_cases(cases), np.arange(len(cases)))


def test_column_search_equals_the_single_case_search(
    cases: list[Case], searches: list[ScoreSearch]
) -> None:
    mismatches = [
        (i, got, want)
        for i, (case, got) in enumerate(zip(cases, searches, strict=True))
        if got != (want := search_score(case, "min"))
    ]
    assert not mismatches, mismatches[:5]


def test_batch_gaps_equal_the_single_case_gaps(
    cases: list[Case], searches: list[ScoreSearch]
) -> None:
    fig = figures_from_cases(cases)
    verdicts = screen_hnte(fig).conditions
    mismatches = []
    for i, case in enumerate(cases):
        failed = {code for code, values in verdicts.items() if values[i] == 0}
        got = collect_failed(case, failed, "min", searches[i])
        want = list(assess("hnte-2016", case).gaps)
        if got != want:
            mismatches.append((i, got, want))
    assert not mismatches, mismatches[:3]


def test_the_cases_reach_every_lever_and_edge(
    cases: list[Case], searches: list[ScoreSearch]
) -> None:
    """The comparison above is meaningful: totals at 70 and 71, each lever found and not
    found, several Ⅱ类 and conversion counts, gaps of every failing condition, pending dates."""
    totals = Counter(int(s.total) for s in searches)
    assert totals[70] and totals[71]
    assert {True, False} <= {s.class_i_passes for s in searches}
    class_ii = Counter(s.class_ii for s in searches)
    # Ⅱ类 rights change the score at 1, 3 and 5 usable ones: from 0–4 held, 1–5 more
    assert None in class_ii and {1, 2, 3, 4, 5} <= set(class_ii)
    conversions = Counter(s.conversions for s in searches)
    assert None in conversions and len([c for c in conversions if c]) >= 8
    sample = cases[:400] + cases[N_CASES:]
    codes = Counter(gap.code for case in sample for gap in assess("hnte-2016", case).gaps)
    for code in (
        "registration_age",
        "st_staff",
        "rd_expense",
        "rd_expense_domestic",
        "hightech_revenue",
        "innovation_score",
        "ip_class_i",
        "ip_class_ii",
        "conversions_3y",
        "tech_field",
        "incident",
    ):
        assert codes[code] > 0, code
    dated = [
        g
        for case in sample
        for g in assess("hnte-2016", case).gaps
        if isinstance(g.earliest_date, dt.date) and g.code.startswith("ip_")
    ]
    assert dated
