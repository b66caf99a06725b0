"""Annual figures (年报) 2020–2025 for enterprises, consistent across fields and years.

Sales revenue follows the organization's trajectory; total ≥ sales ≥ main revenue; R&D expense
is sales × an industry intensity scaled by innovativeness, split into the six categories in
cents so that they add up to it exactly; domestic R&D ≤ R&D; net assets carry over from one
year's end to the next year's start. In every year an HNTE certificate is being applied for or
held, the figures meet the HNTE rules (R&D ≥ 5 / 4 / 3 % of sales by revenue band, S&T staff
≥ 10 %, high-tech revenue ≥ 60 %, domestic R&D ≥ 60 %). IP counts come from the patents.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import Any

from kechuang.registry.synthetic.organizations import OrgSpec
from kechuang.registry.synthetic.params import FIGURE_YEARS
from kechuang.registry.synthetic.patents import PatentSpec
from kechuang.registry.synthetic.profiles import DEFAULT_PROFILE, PROFILES
from kechuang.registry.synthetic.sampling import cents, money, split_cents

# (staff, direct inputs, depreciation, amortisation, design & trials, other): typical shares
RD_SHARES = ((0.45, 0.60), (0.18, 0.32), (0.04, 0.09), (0.005, 0.02), (0.01, 0.05), (0.02, 0.08))


def hnte_rd_threshold(sales: float) -> float:
    """HNTE 认定办法 (国科发火〔2016〕32号) 第十一条（五）: the R&D ratio by sales band (万元)."""
    if sales <= 5000:
        return 0.05
    if sales <= 20000:
        return 0.04
    return 0.03


def _ip_counts(patents: list[PatentSpec], year: int) -> tuple[int, int, int, int]:
    """(class I granted in the year, class II granted, class I held at year end, class II held)."""
    granted_i = granted_ii = held_i = held_ii = 0
    for patent in patents:
        if patent.grant_date is None or patent.grant_date.year > year:
            continue
        invention = patent.kind == "invention"
        if patent.grant_date.year == year:
            granted_i += invention
            granted_ii += not invention
        if patent.ended_on is None or patent.ended_on.year > year:
            held_i += invention
            held_ii += not invention
    return granted_i, granted_ii, held_i, held_ii


def annual_figures(
    rng: random.Random, org: OrgSpec, hnte_years: set[int], patents: list[PatentSpec]
) -> list[tuple[int, dict[str, Any]]]:
    """[(year, {field: value})] for each figure year the enterprise existed."""
    if not org.is_enterprise or org.root is None:
        return []
    profile = PROFILES.get(org.root, DEFAULT_PROFILE)
    innovation = min(org.innovation, 3.0)
    rd_base = profile.rd_intensity * math.exp(0.5 * innovation)
    no_rd = innovation < -1.2 and rng.random() < 0.6
    st_base = profile.st_share * math.exp(0.3 * innovation)
    net_assets: float | None = None
    reports = []
    for year in FIGURE_YEARS:
        sales = org.revenue_in(year)
        staff = org.employees_in(year)
        if sales is None or staff is None:
            continue
        hnte = year in hnte_years
        total = sales * (1 + 0.06 * rng.random())
        main = sales * org.main_share
        ratio = 0.0 if no_rd and not hnte else min(0.35, rd_base * math.exp(rng.gauss(0, 0.15)))
        st_share = min(0.8, st_base * math.exp(rng.gauss(0, 0.2)))
        hightech_share = min(0.6, 0.15 + 0.2 * innovation) * rng.random() if innovation > 0 else 0
        domestic_share = 0.88 + 0.12 * rng.random()
        if hnte:
            ratio = max(ratio, hnte_rd_threshold(sales) * rng.uniform(1.08, 1.6))
            st_share = max(st_share, 0.1 * rng.uniform(1.15, 2.5))
            hightech_share = rng.uniform(0.62, 0.95)
        rd_cents = round(sales * ratio * 100)
        parts = split_cents(rd_cents, [rng.uniform(*share) for share in RD_SHARES])
        st_staff = min(staff, math.ceil(staff * st_share))
        margin = max(-0.3, min(0.35, rng.gauss(0.06, 0.07)))
        if net_assets is None:
            net_assets = total * rng.uniform(0.25, 0.9)
        start = net_assets
        net_assets = start + total * margin * 0.8
        granted_i, granted_ii, held_i, held_ii = _ip_counts(patents, year)
        contract = (
            sales * rng.uniform(0.002, 0.03) if innovation > 0.8 and rng.random() < 0.35 else 0
        )
        values: dict[str, Any] = {
            "total_revenue": money(total),
            "sales_revenue": money(sales),
            "main_revenue": money(min(main, sales)),
            "hightech_revenue": money(total * hightech_share),
            "rd_expense": cents(rd_cents),
            "rd_expense_domestic": cents(round(rd_cents * domestic_share)),
            "rd_staff_cost": cents(parts[0]),
            "rd_direct_inputs": cents(parts[1]),
            "rd_depreciation": cents(parts[2]),
            "rd_amortisation": cents(parts[3]),
            "rd_design_trial": cents(parts[4]),
            "rd_other": cents(parts[5]),
            "cost_expense_total": money(max(total * (1 - margin), rd_cents / 100)),
            "employees_avg": Decimal(staff),
            "st_staff_avg": Decimal(st_staff),
            "rd_staff_fte": money(st_staff * rng.uniform(0.4, 0.85)),
            "net_assets_start": money(start),
            "net_assets_end": money(net_assets),
            "total_assets_end": money(max(net_assets, 0.0) + total * rng.uniform(0.3, 1.1)),
            "ip_class_i_granted": granted_i,
            "ip_class_ii_granted": granted_ii,
            "ip_class_i_held": held_i,
            "ip_class_ii_held": held_ii,
            "tech_contract_income": money(contract),
            "tech_conversions": (
                rng.randint(1, 6) if hnte else rng.randint(0, 2) if innovation > 0.5 else 0
            ),
        }
        reports.append((year, values))
    return reports
