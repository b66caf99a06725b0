"""Talents (invented people: common surname + given-name characters) and their teams.

ID numbers are left blank (an invented but valid-looking number would be a real person's);
phones are 139 + 8 digits. Universities and institutes carry most talents and teams; HNTE
enterprises a few. Team programmes follow the plan's two (introduced high-level teams,
cultivated industry teams) with approval years 2016–2025.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kechuang.registry.synthetic.names import mobile_phone, person_name
from kechuang.registry.synthetic.organizations import OrgSpec
from kechuang.registry.synthetic.reference import IndustryRef

TITLES = {  # (title, degree, weight)
    "university": (("教授", "doctorate", 3), ("副教授", "doctorate", 4), ("讲师", "master", 2)),
    "research_institute": (
        ("研究员", "doctorate", 2),
        ("副研究员", "doctorate", 3),
        ("高级工程师", "master", 3),
    ),
    "hospital": (
        ("主任医师", "doctorate", 2),
        ("副主任医师", "master", 3),
        ("主治医师", "master", 2),
    ),
    "enterprise": (
        ("正高级工程师", "master", 1),
        ("高级工程师", "bachelor", 4),
        ("总工程师", "master", 2),
        ("技术总监", "master", 2),
        ("工程师", "bachelor", 3),
    ),
    "other": (("高级经济师", "bachelor", 1), ("工程师", "bachelor", 2)),
}
HONOURS = (
    ("", 90),
    ("南阳市学术技术带头人", 5),
    ("河南省学术技术带头人", 2),
    ("中原英才计划入选者", 1.5),
    ("河南省优秀专家", 1.5),
)
PROGRAMMES = (("high_level_introduced", 45), ("industry_cultivated", 35), ("other", 20))
TEAM_WORDS = ("创新团队", "科研创新团队", "技术攻关团队", "产业化团队")


@dataclass(frozen=True, slots=True)
class TalentSpec:
    org: int
    name: str
    title: str
    degree: str
    tech_fields: tuple[str, ...]
    expertise: str
    honours: str
    is_st_commissioner: bool
    phone: str


@dataclass(frozen=True, slots=True)
class TeamSpec:
    org: int
    name: str
    leader: int  # position in the organization's talent list
    members: tuple[int, ...]  # positions in the organization's talent list, leader included
    programme: str
    approved_year: int
    research_direction: str


class TalentGenerator:
    def __init__(self, seed: int, industries: tuple[IndustryRef, ...], fields: tuple[str, ...]):
        self.rng = random.Random(f"talents:{seed}")
        self.industries = industries
        self.medical = tuple(i for i in industries if i.root == "biomedicine") or industries
        self.fields = fields

    def _team_count(self, org: OrgSpec, hnte: bool) -> int:
        rng = self.rng
        if org.kind == "university":
            return rng.randint(1, 3)
        if org.kind == "research_institute":
            return int(rng.random() < 0.5)
        if org.kind == "hospital":
            return int(rng.random() < 0.3)
        return int(hnte and org.innovation > 1.3 and rng.random() < 0.12)

    def _talent_count(self, org: OrgSpec, hnte: bool, teams: int) -> int:
        rng = self.rng
        low, high = {
            "university": (8, 20),
            "research_institute": (4, 10),
            "hospital": (3, 8),
            "other": (0, 2),
        }.get(org.kind, (1, 3) if hnte else (0, 2) if org.innovation > 1 else (0, 0))
        count = rng.randint(low, high)
        if org.is_enterprise and not hnte and count == 0 and rng.random() < 0.2:
            count = 1
        return max(count, 4 * teams)

    def _keywords(self, org: OrgSpec) -> tuple[IndustryRef, tuple[str, ...]]:
        industry = org.industry
        if industry is None:
            pool = self.medical if org.kind == "hospital" else self.industries
            industry = self.rng.choice(pool)
        return industry, industry.keywords

    def for_organization(self, org: OrgSpec, hnte: bool) -> tuple[list[TalentSpec], list[TeamSpec]]:
        rng = self.rng
        teams = self._team_count(org, hnte)
        talents: list[TalentSpec] = []
        for _ in range(self._talent_count(org, hnte, teams)):
            industry, keywords = self._keywords(org)
            title, degree, _ = rng.choices(TITLES[org.kind], [t[2] for t in TITLES[org.kind]])[0]
            topics = rng.sample(keywords, min(2, len(keywords)))
            field = org.tech_field or rng.choice(self.fields)
            fields = (
                (field,) if rng.random() < 0.8 else tuple(sorted({field, rng.choice(self.fields)}))
            )
            talents.append(
                TalentSpec(
                    org=org.index,
                    name=person_name(rng),
                    title=title,
                    degree=degree,
                    tech_fields=fields,
                    expertise=f"长期从事{'、'.join(topics)}等{industry.name}方向的研究与开发。",
                    honours=rng.choices([h for h, _ in HONOURS], [w for _, w in HONOURS])[0],
                    is_st_commissioner=rng.random() < (0.05 if org.is_enterprise else 0.18),
                    phone=mobile_phone(rng),
                )
            )
        team_specs: list[TeamSpec] = []
        names: set[str] = set()
        for _ in range(teams):
            industry, keywords = self._keywords(org)
            topics = rng.sample(keywords, min(2, len(keywords)))
            name = f"{topics[0]}{rng.choice(TEAM_WORDS)}（演示）"
            while name in names:
                name = f"{org.word}{name}"
            names.add(name)
            size = rng.randint(3, min(8, len(talents)))
            members = tuple(sorted(rng.sample(range(len(talents)), size)))
            team_specs.append(
                TeamSpec(
                    org=org.index,
                    name=name,
                    leader=members[0],
                    members=members,
                    programme=rng.choices([p for p, _ in PROGRAMMES], [w for _, w in PROGRAMMES])[
                        0
                    ],
                    approved_year=rng.randint(min(2025, max(2016, org.founded_on.year + 1)), 2025),
                    research_direction=f"{'、'.join(topics)}关键技术研究与产业化",
                )
            )
        return talents, team_specs
