"""Innovation platforms: many municipal engineering and enterprise technology centres, few
national ones; exactly `platforms_2020` operate with approval on or before 2020-12-31.

Names read like real ones with “演示” inserted and “（演示）” appended
(e.g. 河南省演示金刚石微粉工程技术研究中心（演示）); hosts are generated organizations of a
plausible kind for the platform type, founded before the approval; area, industry and field are
the host's. Later years add platforms on 92–99 % of the geometric path to the 2025 target.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from kechuang.registry.synthetic.organizations import OrgSpec
from kechuang.registry.synthetic.params import BASE_YEAR, FIGURE_YEARS, Baseline, geometric_path
from kechuang.registry.synthetic.sampling import WeightedPicker, random_date

# kind: (share, {host kind: weight}, (national, provincial, municipal) weights, label)
KINDS: dict[str, tuple[float, dict[str, float], tuple[float, float, float], str]] = {
    "engineering_center": (
        34,
        {"enterprise": 85, "university": 8, "research_institute": 7},
        (1, 24, 75),
        "工程技术研究中心",
    ),
    "enterprise_tech_center": (24, {"enterprise": 1}, (1, 25, 74), "企业技术中心"),
    "key_lab": (
        9,
        {"university": 30, "research_institute": 30, "enterprise": 30, "hospital": 10},
        (2, 35, 63),
        "重点实验室",
    ),
    "tech_innovation_center": (
        3,
        {"enterprise": 60, "research_institute": 40},
        (0, 40, 60),
        "技术创新中心",
    ),
    "new_rd_institute": (3, {"research_institute": 60, "enterprise": 40}, (0, 50, 50), "研究院"),
    "pilot_base": (1.5, {"enterprise": 1}, (0, 50, 50), "中试基地"),
    "makerspace": (5, {"other": 50, "enterprise": 50}, (5, 30, 65), "众创空间"),
    "incubator": (3.5, {"other": 50, "enterprise": 50}, (5, 30, 65), "科技企业孵化器"),
    "rural_makerspace": (2, {"enterprise": 1}, (5, 40, 55), "星创天地"),
    "academician_station": (
        2,
        {"enterprise": 70, "university": 15, "hospital": 15},
        (0, 70, 30),
        "院士工作站",
    ),
    "zhongyuan_scholar_station": (
        1,
        {"enterprise": 50, "university": 50},
        (0, 1, 0),
        "中原学者工作站",
    ),
    "postdoc_station": (
        2,
        {"enterprise": 70, "university": 15, "hospital": 15},
        (50, 50, 0),
        "博士后科研工作站",
    ),
    "international_joint_lab": (
        1,
        {"university": 50, "enterprise": 50},
        (5, 60, 35),
        "国际联合实验室",
    ),
    "clinical_research_center": (2.5, {"hospital": 1}, (0, 30, 70), "临床医学研究中心"),
    "manufacturing_innovation_center": (0.5, {"enterprise": 1}, (0, 60, 40), "制造业创新中心"),
    "industry_alliance": (1, {"enterprise": 1}, (0, 30, 70), "产业技术创新战略联盟"),
    "tech_transfer_institution": (
        1,
        {"university": 40, "other": 60},
        (3, 40, 57),
        "技术转移示范机构",
    ),
    "field_station": (0.3, {"research_institute": 1}, (10, 60, 30), "野外科学观测研究站"),
    "resource_sharing_platform": (
        0.7,
        {"research_institute": 1},
        (0, 40, 60),
        "科技资源共享服务平台",
    ),
}
LEVELS = ("national", "provincial", "municipal")
LEVEL_PREFIX = {"national": "国家", "provincial": "河南省", "municipal": "南阳市"}
CLINICAL_TOPICS = ("心血管疾病", "肿瘤", "中医骨伤", "呼吸系统疾病", "儿科疾病", "中医药", "康复")
EVALUATIONS = (("优秀", 15), ("良好", 35), ("合格", 45), ("基本合格", 5))


@dataclass(frozen=True, slots=True)
class ChangeSpec:
    """One event of a platform's status history (PlatformStatusChange)."""

    event: str
    date: dt.date
    level: str
    level_before: str
    level_after: str
    status_after: str
    document_no: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    name: str
    kind: str
    level: str
    host: int  # OrgSpec.index
    co_builder: int | None
    approved_on: dt.date
    approval_document: str
    status: str
    latest_evaluation: str
    latest_evaluation_year: int | None
    note: str
    history: tuple[ChangeSpec, ...] = ()

    def status_on(self, day: dt.date) -> str | None:
        """The status on `day` (None before the approval), as the registry reads it."""
        if not self.history:
            return self.status if self.approved_on <= day else None
        past = [c for c in self.history if c.date <= day]
        return past[-1].status_after if past else None


class _Hosts:
    """Weighted host pickers by organization kind; innovative, larger enterprises host more."""

    def __init__(self, orgs: list[OrgSpec]) -> None:
        by_kind: dict[str, list[OrgSpec]] = {}
        for org in orgs:
            by_kind.setdefault(org.kind, []).append(org)
        self.pickers = {
            kind: WeightedPicker(members, [self._weight(o) for o in members])
            for kind, members in by_kind.items()
        }

    @staticmethod
    def _weight(org: OrgSpec) -> float:
        if not org.is_enterprise:
            return 1.0
        size = {"large": 4.0, "medium": 2.5, "small": 1.2}.get(org.size_class, 0.6)
        return math.exp(min(org.innovation, 3.0)) * size

    def pick(self, rng: random.Random, kinds: dict[str, float], year: int) -> OrgSpec | None:
        available = [k for k in kinds if self.pickers.get(k)]
        if not available:
            return None
        for _ in range(30):
            kind = rng.choices(available, weights=[kinds[k] for k in available])[0]
            host = self.pickers[kind].pick(rng)
            if host.founded_on.year < year:
                return host
        return None


def _topic(rng: random.Random, host: OrgSpec, kind: str) -> str:
    if kind == "clinical_research_center" or host.kind == "hospital":
        return rng.choice(CLINICAL_TOPICS)
    if kind in ("makerspace", "incubator", "rural_makerspace") or host.industry is None:
        return host.word
    return rng.choice(host.industry.keywords)


def _stock_year(rng: random.Random) -> int:
    """An approval year for the 2020 stock: 2008–2020, more of them recent."""
    return min(BASE_YEAR, 2008 + int(13 * rng.random() ** 0.6))


def _unique_name(
    taken: set[tuple[str, str]], kind: str, prefix: str, topic: str, label: str, host: OrgSpec
) -> str:
    """A platform name not yet taken for its kind (the host's 字号, then a number, disambiguate)."""
    name = f"{prefix}演示{topic}{label}（演示）"
    if (name, kind) in taken:
        name = f"{prefix}演示{host.word}{topic}{label}（演示）"
    number = 2
    while (name, kind) in taken:
        name = f"{prefix}演示{host.word}{topic}{label}{number}（演示）"
        number += 1
    taken.add((name, kind))
    return name


def _evaluation(rng: random.Random, status: str, year: int) -> tuple[str, int | None]:
    """The latest evaluation (result, year) of a platform approved in `year`."""
    if status == "operating" and year <= BASE_YEAR + 1 and rng.random() < 0.6:
        evaluation = rng.choices([e for e, _ in EVALUATIONS], [w for _, w in EVALUATIONS])[0]
        return evaluation, rng.choice((2023, 2024, 2025))
    if status == "revoked":
        return "不合格", rng.randint(max(year + 1, 2016), 2025)
    return "", None


def generate_platforms(orgs: list[OrgSpec], baseline: Baseline, seed: int) -> list[PlatformSpec]:
    rng = random.Random(f"platforms:{seed}")
    hosts = _Hosts(orgs)
    institutions = [o.index for o in orgs if o.kind in ("university", "research_institute")]
    kind_names = list(KINDS)
    kind_weights = [KINDS[k][0] for k in kind_names]
    taken: set[tuple[str, str]] = set()
    platforms: list[PlatformSpec] = []

    def add(year: int, status: str, note: str = "") -> bool:
        kind = rng.choices(kind_names, weights=kind_weights)[0]
        host_kinds, level_weights, label = KINDS[kind][1], KINDS[kind][2], KINDS[kind][3]
        host = hosts.pick(rng, host_kinds, year)
        if host is None:
            return False
        level = rng.choices(LEVELS, weights=level_weights)[0]
        name = _unique_name(taken, kind, LEVEL_PREFIX[level], _topic(rng, host, kind), label, host)
        approved = random_date(rng, year)
        evaluation, evaluated = _evaluation(rng, status, year)
        co_builder = None
        if host.is_enterprise and institutions and rng.random() < 0.15:
            co_builder = rng.choice(institutions)
        platforms.append(
            PlatformSpec(
                name=name,
                kind=kind,
                level=level,
                host=host.index,
                co_builder=co_builder,
                approved_on=approved,
                approval_document=f"演示批文〔{year}〕{rng.randint(1, 120)}号",
                status=status,
                latest_evaluation=evaluation,
                latest_evaluation_year=evaluated,
                note=note,
            )
        )
        return True

    def add_many(
        count: int, year_of: Callable[[], int], status_of: Callable[[], tuple[str, str]]
    ) -> None:
        added = 0
        while added < count:
            year = year_of()
            status, note = status_of()
            added += add(year, status, note)

    add_many(baseline.platforms_2020, lambda: _stock_year(rng), lambda: ("operating", ""))
    inactive = (
        ("revoked", "考核不合格，已撤销"),
        ("merged", "已整合"),
        ("suspended", "整改期间暂停"),
    )
    add_many(
        round(baseline.platforms_2020 * 0.06),
        lambda: _stock_year(rng),
        lambda: rng.choices(inactive, weights=(5, 3, 2))[0],
    )
    operating = baseline.platforms_2020
    for year in FIGURE_YEARS[1:]:
        target = geometric_path(baseline.platforms_2020, baseline.platforms_2025, year)
        new = max(1, round(target * rng.uniform(0.92, 0.99)) - operating)

        def status_for(y: int = year) -> tuple[str, str]:
            if y == FIGURE_YEARS[-1] and rng.random() < 0.1:
                return ("preparing", "")
            return ("operating", "")

        add_many(new, lambda y=year: y, status_for)
        operating += new
    return with_history(platforms, seed)


# --- status history ----------------------------------------------------------------------------

NEXT_LEVEL = {"municipal": "provincial", "provincial": "national"}
HISTORY_END = dt.date(2025, 12, 31)  # events up to here: a fixed day, never today
END_NOTES = {"revoked": "考核不合格，已撤销", "merged": "已整合", "suspended": "整改期间暂停"}


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _approval(p: PlatformSpec, level: str) -> ChangeSpec:
    return ChangeSpec("approved", p.approved_on, level, "", level, "operating", p.approval_document)


def _history_of(rng: random.Random, p: PlatformSpec) -> PlatformSpec:
    """The platform with a plausible history ending in its status (preparing: none). Platforms
    inactive by 2020 changed on or before 2020-12-31; some operating ones are upgraded, a few
    revoked or suspended and resumed, between 2021 and 2025 (after their approval)."""
    if p.status == "preparing":
        return p
    end_2020 = dt.date(BASE_YEAR, 12, 31)
    if p.status in END_NOTES:
        day = _day_between(rng, p.approved_on, max(p.approved_on, end_2020))
        end = ChangeSpec(p.status, day, "", p.level, p.level, p.status, note=END_NOTES[p.status])
        return replace(p, history=(_approval(p, p.level), end))
    first = max(p.approved_on + dt.timedelta(days=180), dt.date(BASE_YEAR + 1, 1, 1))
    draw = rng.random()
    if first > HISTORY_END or draw >= 0.08:
        return replace(p, history=(_approval(p, p.level),))
    day = _day_between(rng, first, HISTORY_END)
    if draw < 0.05 and p.level in NEXT_LEVEL:  # approved at the drawn level, upgraded later
        old, new = p.level, NEXT_LEVEL[p.level]
        up = ChangeSpec("upgraded", day, new, old, new, "operating", f"演示升级〔{day.year}〕号")
        return replace(p, level=new, history=(_approval(p, old), up))
    if draw < 0.065:  # revoked after 2020: it still counts in the years before
        end = ChangeSpec("revoked", day, "", p.level, p.level, "revoked", note=END_NOTES["revoked"])
        return replace(p, status="revoked", history=(_approval(p, p.level), end))
    pause = ChangeSpec("suspended", day, "", p.level, p.level, "suspended", note="整改期间暂停")
    back_day = min(HISTORY_END, day + dt.timedelta(days=rng.randint(90, 300)))
    back = ChangeSpec("resumed", back_day, "", p.level, p.level, "operating", note="整改合格")
    return replace(p, history=(_approval(p, p.level), pause, back))


def with_history(platforms: list[PlatformSpec], seed: int) -> list[PlatformSpec]:
    """Every platform with its history, drawn from its own stream (the platforms themselves are
    those drawn before histories were kept, for the same seed)."""
    rng = random.Random(f"platform-history:{seed}")
    return [_history_of(rng, p) for p in platforms]
