"""Per-industry parameters of the synthetic economy (orders of magnitude, not statistics).

They are invented for plausibility: a typical firm's revenue, how spread the firms are, R&D
intensity, growth, revenue per employee and the share of S&T staff differ by industry in the
way they do in Chinese prefecture-level cities (equipment and chemicals larger and slower, software
and future industries smaller, more R&D-intensive and faster-growing).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndustryProfile:
    median_revenue: float  # 万元, an established firm in 2020
    sigma: float  # log-normal spread of revenue across firms
    rd_intensity: float  # median R&D expense / sales revenue
    growth: float  # mean yearly revenue growth 2021–2025
    productivity: float  # 万元 of revenue per employee
    st_share: float  # median share of S&T staff among employees
    tech_field: str  # 《国家重点支持的高新技术领域》 code most firms fall under


PROFILES: dict[str, IndustryProfile] = {
    "equipment": IndustryProfile(900, 1.45, 0.032, 0.07, 70, 0.13, "08"),
    "food": IndustryProfile(1000, 1.40, 0.012, 0.05, 80, 0.07, "02"),
    "electronics": IndustryProfile(700, 1.50, 0.045, 0.10, 60, 0.20, "01"),
    "biomedicine": IndustryProfile(800, 1.50, 0.050, 0.09, 75, 0.18, "02"),
    "materials": IndustryProfile(850, 1.45, 0.033, 0.08, 90, 0.12, "04"),
    "new_energy": IndustryProfile(750, 1.55, 0.038, 0.13, 85, 0.15, "06"),
    "chemicals": IndustryProfile(1400, 1.40, 0.015, 0.05, 160, 0.09, "04"),
    "textiles": IndustryProfile(800, 1.30, 0.010, 0.03, 40, 0.06, "04"),
    "metallurgy": IndustryProfile(2000, 1.50, 0.011, 0.04, 220, 0.07, "04"),
    "building_materials": IndustryProfile(900, 1.35, 0.012, 0.03, 90, 0.07, "07"),
    "future": IndustryProfile(300, 1.40, 0.080, 0.18, 45, 0.35, "01"),
}
DEFAULT_PROFILE = PROFILES["equipment"]

# Sub-industries whose high-tech field differs from their industry's.
TECH_FIELD_OVERRIDES = {
    "new_energy.special_vehicles": "08",
    "chemicals.soda_nitrate": "07",
    "future.hydrogen_storage": "06",
    "future.frontier_materials": "04",
    "future.synthetic_biology": "02",
    "equipment.power_transmission": "06",
}

# How many firms each industry has, relative to the others (the "6" lead).
INDUSTRY_WEIGHTS = {
    "equipment": 20,
    "food": 12,
    "electronics": 12,
    "biomedicine": 11,
    "materials": 10,
    "new_energy": 7,
    "chemicals": 6,
    "textiles": 7,
    "metallurgy": 3,
    "building_materials": 6,
    "future": 6,
}

# How many organizations each area has, relative to the others: the central districts and the
# high-tech zone lead, the two small work zones trail.
AREA_WEIGHTS = {
    "宛城区": 12,
    "卧龙区": 12,
    "高新区": 10,
    "城乡一体化示范区": 5,
    "邓州市": 8,
    "唐河县": 6,
    "西峡县": 6,
    "镇平县": 6,
    "内乡县": 5,
    "淅川县": 5,
    "新野县": 5,
    "方城县": 5,
    "社旗县": 4,
    "桐柏县": 4,
    "南召县": 3,
    "鸭河工区": 1.5,
    "官庄工区": 1.5,
}

# Share of organizations by kind: enterprises about 92 %.
KIND_WEIGHTS = {
    "enterprise": 92.0,
    "research_institute": 3.2,
    "hospital": 2.5,
    "other": 1.5,
    "university": 0.8,
}


def tech_field_for(industry_code: str, root: str) -> str:
    return TECH_FIELD_OVERRIDES.get(industry_code) or PROFILES.get(root, DEFAULT_PROFILE).tech_field
