"""Benchmark: screen 200,000 enterprises × 3 years against 高企 (hnte-2016) and 科小 (tsme-2022)
with the vectorised screener (kechuang.cultivation.engine.vector). Target: under 2 s, and at
least 20× faster than the single-case engine in a loop.

Builds the synthetic column store with a fixed numpy RNG (amounts in 0.01 万元, some rows exactly
at the 5000 / 20000 万元 and 5 / 4 / 3 % band edges), times both screens (best of 3), times the
single-case engine (`assess`) on a 5,000-row sample and extrapolates to 200,000, and checks the
sample's eligible / total min / total max / condition verdicts are identical. Writes
bench/results/screening.json. No database needed.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kechuang.cultivation.engine import assess, load_case  # noqa: E402
from kechuang.cultivation.engine.case import TECH_FIELDS  # noqa: E402
from kechuang.cultivation.engine.vector import (  # noqa: E402
    CASE_YEAR_FIELDS,
    ELIGIBLE_CODES,
    YEAR_COLUMNS,
    FigureArrays,
    screen,
)

ENTERPRISES = 200_000
SAMPLE = 5_000
TARGET_SECONDS = 2.0
MIN_SPEEDUP = 20.0
SEED = 20240501
AS_OF = date(2024, 5, 1)
LAST_YEAR = 2023
RESULTS = ROOT / "bench" / "results"
RULESETS = ("hnte-2016", "tsme-2022")


def synthetic_figures(n: int, seed: int = SEED) -> FigureArrays:
    """``n`` plausible enterprises (cents of 万元, 0.01 persons) with band-edge rows mixed in."""
    rng = np.random.default_rng(seed)
    n_years = rng.choice(np.array([1, 2, 3, 3, 3, 3, 3, 3], dtype=np.int8), n)
    valid = np.arange(3)[None, :] >= (3 - n_years.astype(np.int64))[:, None]

    def cents(low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
        return rng.integers(int(low * 100), int(high * 100), shape, dtype=np.int64)

    scale = rng.choice(np.array([3000.0, 8000.0, 30000.0]), n)[:, None]
    sales = (rng.random((n, 3)) * scale * 100).astype(np.int64)
    edge = rng.random(n)
    sales[edge < 0.05, 2] = 500000
    sales[(edge >= 0.05) & (edge < 0.1), 2] = 2000000
    rd_pct = rng.choice(np.array([2, 3, 4, 5, 6, 8]), n)[:, None]
    rd = np.where(
        rng.random((n, 1)) < 0.3,
        sales * rd_pct // 100,
        (sales * rng.random((n, 3)) * 0.1).astype(np.int64),
    )
    rd_domestic = (rd * rng.choice(np.array([0.5, 0.6, 0.8, 1.0]), n)[:, None]).astype(np.int64)
    total_revenue = sales + cents(0, 300, (n, 3))
    hightech = (total_revenue * rng.choice(np.array([0.3, 0.59, 0.6, 0.9]), n)[:, None]).astype(
        np.int64
    )
    cost_total = (sales * rng.uniform(0.2, 1.1, (n, 1))).astype(np.int64)
    net_assets = cents(-200, 6000, (n, 3))
    total_assets = cents(0, 30000, (n, 3))
    employees = (
        rng.choice(np.array([10, 50, 80, 100, 500, 501, 800]), (n, 1))
        * 100
        * np.ones((n, 3), np.int64)
    )
    share = rng.choice(np.array([0, 5, 10, 15, 20, 25, 30, 40]), (n, 1))
    st_staff = employees * share // 100
    columns = {
        "sales": sales,
        "total_revenue": total_revenue,
        "hightech_revenue": hightech,
        "rd": rd,
        "rd_domestic": rd_domestic,
        "cost_total": cost_total,
        "net_assets": net_assets,
        "total_assets": total_assets,
        "employees": employees,
        "st_staff": st_staff,
    }
    for name in YEAR_COLUMNS:
        columns[name] = np.where(valid, columns[name], 0).astype(np.int64)
    reg_year = np.where(
        n_years < 3,
        LAST_YEAR - n_years.astype(np.int64) + 1,
        LAST_YEAR - 2 - rng.integers(0, 10, n),
    )
    registered_on = (reg_year - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ) + rng.integers(0, 365, n).astype("timedelta64[D]")
    class_ii = rng.integers(0, 7, n)

    def flags(p: float) -> np.ndarray:
        return rng.random(n) < p

    return FigureArrays(
        as_of=AS_OF,
        n_years=n_years,
        **columns,
        registered_on=registered_on,
        tech_field=rng.choice(np.array([0, 1, 1, 1, 2], dtype=np.int8), n),
        class_i=rng.choice(np.array([0, 0, 1, 2]), n).astype(np.int64),
        class_ii=class_ii.astype(np.int64),
        class_ii_used_before=(class_ii * rng.random(n)).astype(np.int64),
        self_developed=rng.choice(np.array([-1, 0, 1, 1], dtype=np.int8), n),
        standards_drafted=flags(0.3),
        conversions_3y=rng.integers(0, 20, n).astype(np.int64),
        advancement=rng.integers(-1, 5, n).astype(np.int8),
        core_support=rng.integers(-1, 5, n).astype(np.int8),
        rd_management_points=rng.integers(-1, 21, n).astype(np.int8),
        major_incident=flags(0.03),
        has_hnte=flags(0.1),
        national_award_recent=flags(0.01),
        provincial_rd_institution=flags(0.03),
        resident_enterprise=~flags(0.02),
        industry_restricted=flags(0.03),
        listed_abnormal_or_dishonest=flags(0.02),
        led_standard_last_5y=flags(0.03),
        conversion_divisor_three=flags(0.1),
        short_history_zero=flags(0.1),
        tsme_rd_option=rng.choice(np.array([0, 0, 0, 1, 2], dtype=np.int8), n),
    )


def _amount(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def case_dict(fig: FigureArrays, i: int) -> dict[str, Any]:
    """Row ``i`` of ``fig`` in the public case format (for the single-case engine)."""
    k = int(fig.n_years[i])
    years = []
    for j in range(3 - k, 3):
        year: dict[str, Any] = {"year": LAST_YEAR - 2 + j}
        for name, attr in CASE_YEAR_FIELDS.items():
            year[attr] = _amount(getattr(fig, name)[i, j])
        years.append(year)
    grades: dict[str, Any] = {}
    for key in ("advancement", "core_support"):
        if getattr(fig, key)[i] >= 0:
            grades[key] = "ABCDE"[int(getattr(fig, key)[i])]
    if fig.rd_management_points[i] >= 0:
        grades["rd_management_points"] = int(fig.rd_management_points[i])
    ip: dict[str, Any] = {
        "class_i": int(fig.class_i[i]),
        "class_ii": int(fig.class_ii[i]),
        "class_ii_used_before": int(fig.class_ii_used_before[i]),
        "standards_drafted": bool(fig.standards_drafted[i]),
    }
    if fig.self_developed[i] >= 0:
        ip["self_developed"] = bool(fig.self_developed[i])
    tech = int(fig.tech_field[i])
    data: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "registered_on": str(fig.registered_on[i]),
        "years": years,
        "ip": ip,
        "conversions_3y": int(fig.conversions_3y[i]),
        "expert_grades": grades,
        "major_incident_last_year": bool(fig.major_incident[i]),
        "qualifications": ["HNTE"] if fig.has_hnte[i] else [],
        "awards": [{"level": "national", "year": LAST_YEAR, "rank": 1}]
        if fig.national_award_recent[i]
        else [],
        "provincial_rd_institution": bool(fig.provincial_rd_institution[i]),
        "resident_enterprise": bool(fig.resident_enterprise[i]),
        "industry_restricted": bool(fig.industry_restricted[i]),
        "listed_abnormal_or_dishonest": bool(fig.listed_abnormal_or_dishonest[i]),
        "led_standard_last_5y": bool(fig.led_standard_last_5y[i]),
        "options": {
            "hnte_conversion_divisor": "three"
            if fig.conversion_divisor_three[i]
            else "operating_years",
            "hnte_short_history_growth": "zero" if fig.short_history_zero[i] else "ratio",
            "tsme_rd_option": ("best", "sales", "cost")[int(fig.tsme_rd_option[i])],
        },
    }
    if tech:
        data["tech_field"] = TECH_FIELDS[0] if tech == 1 else "其他"
    return data


def main() -> None:
    fig = synthetic_figures(ENTERPRISES)
    vector_runs = []
    for _ in range(3):
        start = time.perf_counter()
        results = {code: screen(code, fig) for code in RULESETS}
        vector_runs.append(time.perf_counter() - start)
    vector_seconds = min(vector_runs)

    rows = np.random.default_rng(SEED + 1).choice(ENTERPRISES, SAMPLE, replace=False)
    cases = [load_case(case_dict(fig, int(i))) for i in rows]
    # Like for like: the vector engine gives verdicts and scores, not gaps; the single-case
    # engine is timed without its gap analysis (the comparison) and with it (for reference).
    start = time.perf_counter()
    answers = [[assess(code, case, with_gaps=False) for code in RULESETS] for case in cases]
    loop_seconds = time.perf_counter() - start
    loop_extrapolated = loop_seconds * ENTERPRISES / SAMPLE
    start = time.perf_counter()
    for case in cases:
        for code in RULESETS:
            assess(code, case)
    loop_gaps_seconds = time.perf_counter() - start

    mismatches = 0
    for i, pair in zip(rows, answers, strict=True):
        for code, expected in zip(RULESETS, pair, strict=True):
            got = results[code]
            verdicts = {
                c.code: 2 if c.passed is None else int(c.passed) for c in expected.conditions
            }
            same = (
                int(got.eligible[i]) == ELIGIBLE_CODES[expected.eligible]
                and int(got.total_min[i]) == expected.total.min
                and int(got.total_max[i]) == expected.total.max
                and {k: int(v[i]) for k, v in got.conditions.items()} == verdicts
            )
            mismatches += not same
    speedup = loop_extrapolated / vector_seconds
    report = {
        "enterprises": ENTERPRISES,
        "years": 3,
        "rulesets": list(RULESETS),
        "vector_seconds": round(vector_seconds, 4),
        "vector_runs_seconds": [round(t, 4) for t in vector_runs],
        "loop_sample": SAMPLE,
        "loop_seconds_sample": round(loop_seconds, 3),
        "loop_seconds_extrapolated": round(loop_extrapolated, 2),
        "speedup": round(speedup, 1),
        "speedup_measures": "single-case engine without gap analysis vs the vector engine",
        "loop_with_gaps_seconds_sample": round(loop_gaps_seconds, 3),
        "speedup_vs_loop_with_gaps": round(
            loop_gaps_seconds * ENTERPRISES / SAMPLE / vector_seconds, 1
        ),
        "identical_on_sample": mismatches == 0,
        "mismatches_on_sample": mismatches,
        "eligible_counts": {
            code: {
                label: int((res.eligible == value).sum()) for label, value in ELIGIBLE_CODES.items()
            }
            for code, res in results.items()
        },
        "target_seconds": TARGET_SECONDS,
        "min_speedup": MIN_SPEEDUP,
        "passed": vector_seconds < TARGET_SECONDS and speedup >= MIN_SPEEDUP and mismatches == 0,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "screening.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if not report["passed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
