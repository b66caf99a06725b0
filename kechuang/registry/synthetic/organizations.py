"""Organizations and the hidden traits the later generators share (size path, innovativeness).

Revenue is log-normal per industry (a heavy right tail: a few firms carry much of the city's
revenue); young firms start small and grow faster; employees follow revenue through an industry
productivity with a per-firm spread. 规上 (above designated size) is main revenue ≥ 2000 万元 in
the latest year, which puts about a quarter of the enterprises above it.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from kechuang.registry.synthetic.names import (
    demo_uscc,
    mobile_phone,
    organization_name,
    person_name,
    zihao,
)
from kechuang.registry.synthetic.params import FIGURE_YEARS
from kechuang.registry.synthetic.profiles import (
    AREA_WEIGHTS,
    DEFAULT_PROFILE,
    INDUSTRY_WEIGHTS,
    KIND_WEIGHTS,
    PROFILES,
    tech_field_for,
)
from kechuang.registry.synthetic.reference import AreaRef, IndustryRef, Reference
from kechuang.registry.synthetic.sampling import WeightedPicker, lognormal, random_date

ABOVE_SIZE_THRESHOLD = 2000.0  # 万元 of main business revenue (规模以上工业企业)
ROADS = ("建设路", "工业路", "仲景路", "光武路", "独山大道", "信臣路", "张衡路", "范蠡路", "滨河路")


@dataclass(slots=True)
class OrgSpec:
    index: int
    uscc: str
    name: str
    kind: str
    area: AreaRef
    industry: IndustryRef | None
    tech_field: str | None
    founded_on: dt.date
    size_class: str
    is_listed: bool
    is_above_designated_size: bool
    address: str
    contact_name: str
    contact_phone: str
    word: str  # the invented 字号, reused in platform and team names
    innovation: float  # standard-normal innovativeness: drives R&D, patents, qualifications
    revenue: tuple[float | None, ...]  # sales revenue 万元 per FIGURE_YEARS (None: not founded)
    employees: tuple[int | None, ...]
    main_share: float  # main business revenue / sales revenue
    industry_section: str = ""  # GB/T 4754-2017 门类 ("" = not recorded)
    industry_division: str = ""  # 大类, two digits

    @property
    def root(self) -> str | None:
        return self.industry.root if self.industry else None

    @property
    def is_enterprise(self) -> bool:
        return self.kind == "enterprise"

    def revenue_in(self, year: int) -> float | None:
        return self.revenue[year - FIGURE_YEARS[0]]

    def employees_in(self, year: int) -> int | None:
        return self.employees[year - FIGURE_YEARS[0]]


def _founded(rng: random.Random, kind: str) -> dt.date:
    if kind == "enterprise":
        year = (
            rng.randint(2021, 2023)
            if rng.random() < 0.08
            else 2020 - min(int(rng.expovariate(1 / 9)), 32)
        )
    else:
        low, high = {"university": (1950, 2005), "hospital": (1950, 2012)}.get(kind, (1960, 2018))
        year = rng.randint(low, high)
    return random_date(rng, year)


def _trajectory(
    rng: random.Random, root: str, founded: dt.date, innovation: float
) -> tuple[tuple[float | None, ...], tuple[int | None, ...]]:
    """Sales revenue (万元) and employees for each figure year, None before founding."""
    profile = PROFILES.get(root, DEFAULT_PROFILE)
    age = max(0, FIGURE_YEARS[0] - founded.year)
    established = lognormal(rng, profile.median_revenue, profile.sigma)
    if rng.random() < 0.02:  # a Pareto tail on top: the city's few very large groups
        established *= min(rng.paretovariate(1.2), 150.0)
    revenue = established * min(1.0, (age + 1) / 6) ** 1.2
    trend = rng.gauss(0.0, 0.06) + 0.02 * innovation
    productivity = lognormal(rng, profile.productivity, 0.35)
    revenues: list[float | None] = []
    staff: list[int | None] = []
    for year in FIGURE_YEARS:
        if year < founded.year:
            revenues.append(None)
            staff.append(None)
            continue
        if year == founded.year and year > FIGURE_YEARS[0]:
            revenue = lognormal(rng, profile.median_revenue * 0.08, 1.0) * (13 - founded.month) / 12
        elif year > FIGURE_YEARS[0]:
            young = 0.25 if year - founded.year < 5 else 0.0
            growth = profile.growth + trend + young + rng.gauss(0.0, 0.12)
            revenue *= math.exp(max(-0.7, min(1.2, growth)))
        revenue = max(revenue, 5.0)
        revenues.append(revenue)
        staff.append(max(3, round(revenue / productivity * math.exp(rng.gauss(0.0, 0.05)))))
    return tuple(revenues), tuple(staff)


def size_class_for(employees: int, revenue: float) -> str:
    """工业企业划型 (统计上大中小微型企业划分办法 2017): both thresholds must be met."""
    if employees >= 1000 and revenue >= 40000:
        return "large"
    if employees >= 300 and revenue >= 2000:
        return "medium"
    if employees >= 20 and revenue >= 300:
        return "small"
    return "micro"


class _UniqueNames:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def draw(self, rng: random.Random, spec: tuple[str, str, str | None, str]) -> tuple[str, str]:
        kind, place, root, industry_name = spec
        for attempt in range(40):
            word = zihao(rng)
            if attempt >= 20:  # a crowded pattern: widen the 字号 with a third character
                word += rng.choice("光宝金辉云星海山恩宁")
            name = organization_name(rng, kind, place, root, industry_name, word)
            if name not in self.taken:
                self.taken.add(name)
                return name, word
        raise RuntimeError("无法生成不重复的单位名称")


def generate_organizations(reference: Reference, count: int, seed: int) -> list[OrgSpec]:
    """`count` invented organizations over the reference areas and leaf industries."""
    rng = random.Random(f"organizations:{seed}")
    areas = WeightedPicker(reference.areas, [AREA_WEIGHTS.get(a.name, 3) for a in reference.areas])
    by_root: dict[str, list[IndustryRef]] = {}
    for industry in reference.industries:
        by_root.setdefault(industry.root, []).append(industry)
    leaf_weights = [
        INDUSTRY_WEIGHTS.get(i.root, 3) / len(by_root[i.root]) for i in reference.industries
    ]
    industries = WeightedPicker(reference.industries, leaf_weights)
    kinds = WeightedPicker(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))
    names = _UniqueNames()
    specs: list[OrgSpec] = []
    for index in range(count):
        kind = kinds.pick(rng)
        area = areas.pick(rng)
        industry: IndustryRef | None = industries.pick(rng)
        if kind in ("university", "hospital", "other"):
            industry = None
        tech_field = tech_field_for(industry.code, industry.root) if industry else None
        if kind == "hospital":
            tech_field = "02"
        place = area.short_name if rng.random() < 0.45 else "南阳"
        name, word = names.draw(
            rng, (kind, place, industry.root if industry else None, _short(industry))
        )
        founded = _founded(rng, kind)
        innovation = rng.gauss(0.0, 1.0) + _industry_bonus(industry)
        revenue: tuple[float | None, ...] = (None,) * len(FIGURE_YEARS)
        employees: tuple[int | None, ...] = (None,) * len(FIGURE_YEARS)
        main_share = 0.85 + 0.15 * rng.random()
        size_class, above, listed = "", False, False
        if kind == "enterprise" and industry is not None:
            revenue, employees = _trajectory(rng, industry.root, founded, innovation)
            last_revenue, last_staff = revenue[-1] or 0.0, employees[-1] or 0
            size_class = size_class_for(last_staff, last_revenue)
            above = last_revenue * main_share >= ABOVE_SIZE_THRESHOLD
            listed = last_revenue >= 50_000 and rng.random() < 0.3
        specs.append(
            OrgSpec(
                index=index,
                uscc=demo_uscc(index, kind, area.division, seed),
                name=name,
                kind=kind,
                area=area,
                industry=industry,
                tech_field=tech_field,
                founded_on=founded,
                size_class=size_class,
                is_listed=listed,
                is_above_designated_size=above,
                address=f"{area.name}{rng.choice(ROADS)}{rng.randint(1, 999)}号（演示地址）",
                contact_name=person_name(rng),
                contact_phone=mobile_phone(rng),
                word=word,
                innovation=innovation,
                revenue=revenue,
                employees=employees,
                main_share=main_share,
            )
        )
    assign_sections(specs, seed)
    return specs


# --- national-economy industry (GB/T 4754-2017) -------------------------------------------------
# (section, division, weight) per industry root: most enterprises manufacture (C); some mine (B),
# generate power (D), or serve (I software, M technical services); a few have none recorded.
ROOT_SECTIONS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "equipment": (("C", "34", 45), ("C", "35", 35), ("C", "38", 15), ("M", "74", 5)),
    "food": (("C", "13", 40), ("C", "14", 35), ("C", "15", 20), ("A", "01", 5)),
    "electronics": (("C", "39", 70), ("I", "65", 25), ("M", "75", 5)),
    "biomedicine": (("C", "27", 85), ("M", "73", 10), ("F", "51", 5)),
    "materials": (("C", "30", 45), ("C", "32", 25), ("B", "10", 20), ("C", "33", 10)),
    "new_energy": (("C", "38", 55), ("D", "44", 40), ("M", "74", 5)),
    "chemicals": (("C", "26", 80), ("B", "10", 15), ("C", "29", 5)),
    "textiles": (("C", "17", 60), ("C", "18", 40)),
    "metallurgy": (("C", "31", 50), ("C", "32", 25), ("B", "09", 25)),
    "building_materials": (("C", "30", 85), ("E", "48", 15)),
    "future": (("I", "65", 40), ("M", "73", 35), ("C", "39", 25)),
}
KIND_SECTIONS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "enterprise": (("F", "51", 30), ("L", "72", 25), ("M", "75", 25), ("I", "65", 20)),
    "university": (("P", "83", 1),),
    "research_institute": (("M", "73", 1),),
    "hospital": (("Q", "84", 1),),
    "other": (("M", "75", 50), ("S", "95", 50)),
}
UNRECORDED_SHARE = 0.03  # enterprises whose section is not recorded


def assign_sections(specs: list[OrgSpec], seed: int) -> None:
    """Give each organization its GB/T 4754-2017 section and division, from its own stream (the
    organizations themselves are those drawn before sections were kept, for the same seed)."""
    rng = random.Random(f"sections:{seed}")
    for org in specs:
        options = (
            ROOT_SECTIONS.get(org.root or "", KIND_SECTIONS["enterprise"])
            if org.kind == "enterprise" and org.industry is not None
            else KIND_SECTIONS.get(org.kind, KIND_SECTIONS["other"])
        )
        section, division, _ = rng.choices(options, weights=[w for *_, w in options])[0]
        if org.kind == "enterprise" and rng.random() < UNRECORDED_SHARE:
            section, division = "", ""
        org.industry_section, org.industry_division = section, division


def _short(industry: IndustryRef | None) -> str:
    """The industry as it appears inside an institute's name (the first clause, no 及/、)."""
    if industry is None:
        return "科技"
    return industry.name.split("、")[0].split("及")[0]


def _industry_bonus(industry: IndustryRef | None) -> float:
    if industry is None:
        return 0.5
    if industry.category == "traditional":
        return -0.3
    return 0.3 if industry.root in ("electronics", "biomedicine", "future") else 0.0
