"""The vectorised screener (:mod:`..vector`) equals the single-case engines exactly.

A deterministic generator (``random.Random(SEED)``) builds a few thousand varied cases with the
band edges of 国科发火〔2016〕32号 第十一条 and 国科发政〔2017〕115号 第六、七条 (sales 5000 /
20000 万元, R&D ratio exactly 5/4/3 %, staff share exactly 10 %, growth 0 / negative / exactly at
a 195号 指引 band edge, totals around 70, under-3-year companies, missing grades), and every
case is compared on ``eligible``, the total interval, the policy points and each condition.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from kechuang.cultivation.engine import Case, assess, load_case
from kechuang.cultivation.engine.case import TECH_FIELDS
from kechuang.cultivation.engine.tests.factory import hnte_data
from kechuang.cultivation.engine.vector import (
    DEPENDS,
    ELIGIBLE_CODES,
    FAIL,
    PASS,
    VectorInputError,
    figures_from_cases,
    screen,
)

SEED = 20240501
N_CASES = 3000
AS_OF = "2024-05-01"
RULESETS = ("hnte-2016", "tsme-2022")


def _amount(rng: random.Random, low: float, high: float) -> Decimal:
    """A random amount with 0–2 decimals."""
    places = rng.choice((0, 1, 2))
    return round(Decimal(rng.uniform(low, high)), places)


def _sales_last(rng: random.Random) -> Decimal:
    """Last year's 销售收入, often exactly at or next to the 5000 / 20000 万元 band edges."""
    pick = rng.random()
    if pick < 0.15:
        return Decimal(rng.choice((5000, 20000)))
    if pick < 0.25:
        return Decimal(rng.choice(("4999.99", "5000.01", "19999.99", "20000.01")))
    if pick < 0.3:
        return Decimal(0)
    return _amount(rng, 10, rng.choice((3000, 8000, 40000)))


def _growth_series(rng: random.Random, n: int, last: Decimal, signed: bool) -> list[Decimal]:
    """``n`` year-end values ending near ``last``: random, flat, falling, or at a band edge."""
    pick = rng.random()
    if pick < 0.15:
        return [last] * n
    if pick < 0.3 and n == 3:
        edge = Decimal(rng.choice((0, 5, 15, 25, 35))) / 100
        base = Decimal(int(max(last, Decimal(100))))
        return [base, base, base * (1 + 2 * edge)]
    if pick < 0.4 and n >= 2:
        edge = Decimal(rng.choice((0, 5, 15, 25, 35))) / 100
        base = Decimal(int(max(last, Decimal(100))))
        return [base] * (n - 2) + [base, base * (1 + edge)]
    values = [_amount(rng, 0, float(last) * 1.5 + 50) for _ in range(n - 1)] + [last]
    if signed and rng.random() < 0.15:
        values[rng.randrange(n)] *= -1
    if rng.random() < 0.08:
        values[rng.randrange(n)] = Decimal(0)
    return values


def _registration(rng: random.Random, last_year: int) -> tuple[int, str]:
    """The number of reported years and the registration date (some around the first
    anniversary before as_of, some on 29 February)."""
    n = rng.choice((1, 2, 3, 3, 3, 3))
    reg_year = last_year - n + 1 - (rng.choice((0, 0, 1, 5)) if n == 3 else 0)
    if rng.random() < 0.1:  # registered just around the first anniversary before as_of
        return 1, rng.choice(("2023-05-01", "2023-05-02", "2023-04-30", "2023-01-01"))
    if rng.random() < 0.03:
        return 3, "2020-02-29"
    return n, f"{reg_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _rd_expense(rng: random.Random, sales: Decimal, rd_mode: float) -> Decimal:
    """R&D expense, in a third of the cases exactly at a ratio edge of the window."""
    if rd_mode >= 0.3:
        return _amount(rng, 0, float(sales) * 0.12 + 1)
    rd = sales * Decimal(rng.choice((5, 4, 3, 6, 2, 30))) / 100
    rd = rd.quantize(Decimal("0.01")) if rd == rd.quantize(Decimal("0.01")) else sales / 20
    return rd if rd == rd.quantize(Decimal("0.01")) else Decimal(0)


def _staff(rng: random.Random) -> tuple[Decimal, Decimal]:
    """Employees (some half persons) and S&T staff at a share around the 10 % edge."""
    employees = Decimal(rng.choice((0, 10, 50, 80, 100, 499, 500, 501, 600)))
    if rng.random() < 0.2:
        employees += Decimal("0.5")
    share = rng.choice((0, 5, 10, 10, 15, 20, 25, 30, 9.99, 40))
    st = (employees * Decimal(str(share)) / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return employees, st


def _year_row(
    rng: random.Random, year: int, s: Decimal, net: Decimal, rd_mode: float
) -> dict[str, Any]:
    """One accounting year with sales ``s`` and net assets ``net``."""
    rd = _rd_expense(rng, s, rd_mode)
    domestic = rd if rng.random() < 0.5 else (rd * Decimal(rng.choice((60, 59, 80)) / 100))
    domestic = domestic.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    total = s + _amount(rng, 0, 300)
    hightech = (total * Decimal(rng.choice((60, 59, 61, 90, 30))) / 100).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    employees, st = _staff(rng)
    row: dict[str, Any] = {
        "year": year,
        "sales_revenue": s,
        "total_revenue": total,
        "hightech_revenue": hightech,
        "rd_expense": rd,
        "rd_expense_domestic": domestic,
        "net_assets_end": net,
        "total_assets_end": rng.choice(
            (Decimal(20000), Decimal("20000.01"), _amount(rng, 0, 30000))
        ),
        "employees_avg": employees,
        "st_staff_avg": st,
    }
    if rng.random() < 0.8:
        row["cost_expense_total"] = rng.choice(
            (Decimal(0), rd * 10, rd * 4, _amount(rng, 0, float(s) + 10))
        )
    return row


def _years(rng: random.Random, n: int, last_year: int) -> list[dict[str, Any]]:
    """``n`` accounting years ending with ``last_year``, sales near the band edges."""
    sales_last = _sales_last(rng)
    sales = _growth_series(rng, n, sales_last, signed=False)
    net = _growth_series(rng, n, _amount(rng, -200, 5000), signed=True)
    rd_mode = rng.random()
    return [_year_row(rng, last_year - n + 1 + i, sales[i], net[i], rd_mode) for i in range(n)]


def _expert_grades(rng: random.Random, strong: bool) -> dict[str, Any]:
    grades: dict[str, Any] = {}
    for key in ("advancement", "core_support"):
        if rng.random() < 0.7:
            grades[key] = rng.choice("ABC" if strong else "ABCDE")
    if rng.random() < 0.7:
        grades["rd_management_points"] = rng.randint(8 if strong else 0, 20)
    return grades


def _ip(rng: random.Random, strong: bool) -> dict[str, Any]:
    class_ii = rng.choice((0, 0, 1, 2, 3, 4, 5, 6))
    ip: dict[str, Any] = {
        "class_i": 1 if strong else rng.choice((0, 0, 0, 1, 2)),
        "class_ii": class_ii,
        "class_ii_used_before": rng.randint(0, class_ii),
        "standards_drafted": rng.random() < 0.3,
    }
    if rng.random() < 0.7:
        ip["self_developed"] = rng.random() < 0.7
    return ip


def _add_optional_facts(rng: random.Random, data: dict[str, Any]) -> None:
    """Tech field, qualifications, awards and the rarely set flags."""
    if rng.random() < 0.85:
        data["tech_field"] = rng.choice((*TECH_FIELDS, "其他"))
    if rng.random() < 0.1:
        data["qualifications"] = ["HNTE"]
    if rng.random() < 0.05:
        data["awards"] = [
            {
                "level": rng.choice(("national", "provincial")),
                "year": rng.choice((2018, 2020)),
                "rank": rng.choice((1, 3, 4)),
            }
        ]
    for key in (
        "provincial_rd_institution",
        "led_standard_last_5y",
        "industry_restricted",
        "listed_abnormal_or_dishonest",
    ):
        if rng.random() < 0.04:
            data[key] = True
    if rng.random() < 0.03:
        data["resident_enterprise"] = False


def _options(rng: random.Random) -> dict[str, str]:
    options: dict[str, str] = {}
    if rng.random() < 0.15:
        options["hnte_conversion_divisor"] = "three"
    if rng.random() < 0.15:
        options["hnte_short_history_growth"] = "zero"
    if rng.random() < 0.2:
        options["tsme_rd_option"] = rng.choice(("sales", "cost", "best"))
    return options


def random_case_data(rng: random.Random) -> dict[str, Any]:
    """One random case dict in the public case format (amounts in 万元)."""
    last_year = 2023
    n, registered = _registration(rng, last_year)
    years = _years(rng, n, last_year)
    strong = rng.random() < 0.5  # scores around the 70-point mark of 第十一条（七）
    grades = _expert_grades(rng, strong)
    ip = _ip(rng, strong)
    data: dict[str, Any] = {
        "as_of": AS_OF,
        "registered_on": registered,
        "years": years,
        "ip": ip,
        "conversions_3y": rng.choice((6, 9, 12, 15) if strong else (0, 1, 2, 3, 5, 6, 9, 12)),
        "expert_grades": grades,
        "major_incident_last_year": rng.random() < 0.05,
    }
    _add_optional_facts(rng, data)
    options = _options(rng)
    if options:
        data["options"] = options
    return data


def random_cases(seed: int = SEED, count: int = N_CASES) -> list[Case]:
    """``count`` valid random cases (deterministic for ``seed``)."""
    rng = random.Random(seed)
    return [load_case(random_case_data(rng)) for _ in range(count)]


def _condition_code(passed: bool | None) -> int:
    return 2 if passed is None else int(passed)


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return random_cases()


@pytest.mark.parametrize("code", RULESETS)
@pytest.mark.parametrize("policy", ["min", "mid", "max"])
def test_vector_equals_single_case_engine(cases: list[Case], code: str, policy: str) -> None:
    result = screen(code, figures_from_cases(cases), policy)
    mismatches = []
    for i, case in enumerate(cases):
        expected = assess(code, case, policy)  # type: ignore[arg-type]
        got = (
            int(result.eligible[i]),
            int(result.total_min[i]),
            int(result.total_max[i]),
            Decimal(str(result.points[i])),
            {k: int(v[i]) for k, v in result.conditions.items()},
        )
        want = (
            ELIGIBLE_CODES[expected.eligible],
            int(expected.total.min),
            int(expected.total.max),
            expected.total_points_by_policy,
            {c.code: _condition_code(c.passed) for c in expected.conditions},
        )
        if got != want:
            mismatches.append((i, got, want))
    assert not mismatches, mismatches[:5]


def test_generator_covers_the_band_edges(cases: list[Case]) -> None:
    """The random set really contains the edges the comparison is meant to exercise."""
    fig = figures_from_cases(cases)
    hnte = screen("hnte-2016", fig)
    last_sales = fig.sales[:, 2]
    assert (last_sales == 500000).any() and (last_sales == 2000000).any()
    assert (fig.n_years < 3).sum() > 100
    assert {FAIL, PASS, DEPENDS} <= set(hnte.eligible.tolist())
    assert (hnte.total_min == 70).any() and (hnte.total_min == 71).any()
    assert (hnte.total_max == 70).any()
    assert (fig.advancement < 0).any() and (fig.rd_management_points < 0).any()
    emp, st = fig.employees[:, 2], fig.st_staff[:, 2]
    assert ((st * 10 == emp) & (emp > 0)).any()
    assert set(screen("tsme-2022", fig).eligible.tolist()) == {FAIL, PASS}


def test_hand_computed_case() -> None:
    """factory.hnte_data: 高企 IP (A 7–8, A 7–8, Ⅰ类 A 7–8, 自主研发 1–6) = 22–30,
    转化 15/3 = 5 → 25–30, 管理 18,
    净资产 ½(1200/1000 + 1500/1200) − 1 = 22.5 % → C 5–6, 销售 ½(3200/2400 + 4200/3200) − 1
    = 32.3 % → B 7–8: total 77–92, pass. 科小: 科技人员 24/80 = 30 % → 20, 研发 300/4200 = 7.1 %
    → 50 (方案一), Ⅰ类 1 → 30: 100, but 第六条（二）holds (sales 4200 ≤ 20000) → pass.
    """
    case = load_case(hnte_data())
    fig = figures_from_cases([case])
    hnte = screen("hnte-2016", fig, "mid")
    assert (int(hnte.total_min[0]), int(hnte.total_max[0])) == (77, 92)
    assert hnte.points[0] == 84.5
    assert hnte.eligible[0] == PASS
    tsme = screen("tsme-2022", fig)
    assert int(tsme.total_min[0]) == 100 and tsme.eligible[0] == PASS
    assert assess("hnte-2016", case).total.min == 77


def test_rd_ratio_exactly_at_the_edge_is_integer_exact() -> None:
    """Σ研发 / Σ销售 exactly 5 % with amounts whose float ratio is not exact (0.1 steps)."""
    data = hnte_data()
    for year, sales in zip(data["years"], ("1000.20", "1000.40", "1000.60"), strict=True):
        year["sales_revenue"] = Decimal(sales)
        year["rd_expense"] = Decimal(sales) * Decimal("0.05")
        year["rd_expense_domestic"] = year["rd_expense"]
    data["years"][2]["rd_expense"] += Decimal("-0.01")
    data["years"][2]["rd_expense_domestic"] = data["years"][2]["rd_expense"]
    below = load_case(data)
    data["years"][2]["rd_expense"] += Decimal("0.01")
    data["years"][2]["rd_expense_domestic"] = data["years"][2]["rd_expense"]
    at = load_case(data)
    result = screen("hnte-2016", figures_from_cases([below, at]))
    assert result.conditions["hnte.c5.rd_ratio"].tolist() == [0, 1]


def test_rejects_cases_the_vector_path_does_not_cover() -> None:
    monthly = hnte_data()
    year = monthly["years"][2]
    del year["employees_avg"]
    year["employees_monthly"] = [[80, 80]] * 12
    with pytest.raises(VectorInputError, match="月度人数"):
        figures_from_cases([load_case(monthly)])
    fine = hnte_data()
    fine["years"][2]["rd_expense"] = Decimal("300.001")
    with pytest.raises(VectorInputError, match="两位小数"):
        figures_from_cases([load_case(fine)])
    other_day = load_case(hnte_data(as_of="2024-06-01"))
    with pytest.raises(VectorInputError, match="评估日期"):
        figures_from_cases([load_case(hnte_data()), other_day])
    assert date.fromisoformat(AS_OF) == load_case(hnte_data()).as_of
    assert np.array_equal(figures_from_cases([load_case(hnte_data())]).n_years, [3])
