"""Synthetic market data for the demo (演示数据): the "1+N" nodes, demands, achievements and
scenarios written from the plan's industries and technology terms (`IndustryChain.keywords`,
from data/reference/nanyang.yaml), experts and brokers with invented names, technology-transfer
institutions with their brokers, an issued list of each kind, matches in every pipeline stage
with their dated history, roadshows and matchmaking events (past ones with the matches they
produced at every stage, upcoming ones with the matches recommended for them), and co-inventors
(achievements naming demo experts among their 完成人 and linking demo patents of the registry).

Owners are the registry's demo organizations (enterprises post demands and scenarios,
universities and institutes post achievements), named and placed in their area but not linked by
foreign key — like the demo contracts. The roadshows' participants, the institutions' host
organizations and the achievements' patents do link demo registry rows; `generate_demo
--replace` deletes every app's demo rows first. Every row is `is_demo`, titles end in “（演示）”;
deterministic for a seed. Written directly (invented data, not a person's entry): each row is
audited by signal, and one run-level entry names the run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from kechuang.core.audit import record
from kechuang.core.models import AuditAction
from kechuang.market import matching
from kechuang.market.engine import MatchIndex, Thesaurus, Tokenizer, default_groups
from kechuang.market.models import (
    PIPELINE,
    Achievement,
    Broker,
    CooperationMode,
    Expert,
    InstitutionLevel,
    ListingStatus,
    ListKind,
    MarketNode,
    Match,
    MatchEvent,
    MatchStatus,
    Maturity,
    PublishedList,
    Roadshow,
    RoadshowKind,
    Scenario,
    SourceKind,
    TechDemand,
    TransferInstitution,
)
from kechuang.registry.models import Area, IndustryChain, Organization, OrganizationKind, Patent

SUFFIX = "（演示）"
START = dt.date(2026, 3, 2)
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦许何吕施张孔曹严华金魏陶姜"
GIVEN = (
    "明远",
    "思齐",
    "立新",
    "晓峰",
    "建华",
    "文博",
    "海涛",
    "雅静",
    "志强",
    "佳怡",
    "振宇",
    "若兰",
)
# The example, so the demo shows a match found through synonyms.
EXAMPLE_DEMAND = (
    "防爆电机温升过高，需要新的散热结构",
    "矿用隔爆电机满载运行温升超过 80 K，现有风扇散热不足，需要新的散热结构，不改变防爆外壳。",
    "温升降低 10 K 以上；防护等级不低于 IP55",
)
EXAMPLE_ACHIEVEMENT = (
    "一种隔爆型电动机的冷却装置",
    "本实用新型公开了一种隔爆型电动机的冷却装置，在机壳内设置轴向风道与散热片，降低绕组温度。",
)
DEMAND_FORMS = (
    ("{kw}关键技术攻关", "我单位在{kw}方面遇到瓶颈：{pain}，希望与高校院所合作攻关。"),
    ("{kw}工艺改进", "现有{kw}工艺{pain}，需要新的工艺方案和中试验证。"),
    ("{kw}国产化替代", "{kw}依赖外购，{pain}，寻求可产业化的国产替代技术。"),
)
PAINS = ("良品率偏低", "能耗偏高", "成本居高不下", "稳定性不足", "检测效率低", "寿命偏短")
ACHIEVEMENT_FORMS = (
    ("一种{kw}的制备方法", "本发明公开了一种{kw}的制备方法，工艺简单，{gain}。"),
    ("{kw}智能检测系统", "研制了面向{kw}的智能检测系统，采用机器视觉与深度学习，{gain}。"),
    ("高性能{kw}关键技术", "突破高性能{kw}关键技术，{gain}，已在企业开展中试。"),
)
GAINS = ("成本降低 20%", "效率提高 30%", "能耗降低 15%", "寿命提高一倍", "良品率提升至 98%")


@dataclass
class MarketReport:
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = "，".join(f"{k} {v}" for k, v in self.counts.items())
        return f"科技大市场演示数据：{parts}。"


def demo_market_count() -> int:
    return TechDemand.objects.filter(is_demo=True).count()


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _nodes() -> int:
    city = Area.objects.filter(parent__isnull=True).first()
    created = 0
    for area in Area.objects.filter(parent=city).order_by("sort_order") if city else []:
        created += MarketNode.objects.get_or_create(
            area=area, defaults={"name": f"{area.name}技术市场节点", "is_city": False}
        )[1]
    if city:
        created += MarketNode.objects.get_or_create(
            area=city, defaults={"name": f"{city.name}科技大市场", "is_city": True}
        )[1]
    return created


def _topics() -> list[tuple[IndustryChain, str]]:
    topics = []
    for industry in IndustryChain.objects.exclude(keywords=[]).order_by("sort_order", "code"):
        topics.extend((industry, kw) for kw in industry.keywords[:2])
    return topics


def _published(rng: random.Random, day: int) -> dict:
    return {"status": ListingStatus.PUBLISHED, "published_on": START + dt.timedelta(days=day)}


def _listings(rng: random.Random, enterprises: list, institutes: list) -> tuple[list, list, list]:
    demands, achievements, scenarios = [], [], []
    topics = _topics()
    electric = IndustryChain.objects.filter(code="equipment.explosion_proof").first()
    first, second = enterprises[0], institutes[0]
    demands.append(
        TechDemand.objects.create(
            title=EXAMPLE_DEMAND[0] + SUFFIX,
            problem=EXAMPLE_DEMAND[1],
            targets=EXAMPLE_DEMAND[2],
            organization_name=first.name,
            area=first.area,
            industry=electric,
            keywords="防爆电机、散热",
            budget=Decimal(80),
            is_demo=True,
            **_published(rng, 0),
        )
    )
    achievements.append(
        Achievement.objects.create(
            title=EXAMPLE_ACHIEVEMENT[0] + SUFFIX,
            description=EXAMPLE_ACHIEVEMENT[1],
            source_kind=SourceKind.PATENT,
            maturity=Maturity.PILOT,
            trl=6,
            transfer_modes=[CooperationMode.LICENSE, CooperationMode.TRANSFER],
            organization_name=second.name,
            area=second.area,
            industry=electric,
            keywords="隔爆电动机、冷却",
            people=_name(rng),
            price=Decimal(60),
            is_demo=True,
            **_published(rng, 1),
        )
    )
    states = [ListingStatus.PUBLISHED] * 6 + [
        ListingStatus.DRAFT,
        ListingStatus.SUBMITTED,
        ListingStatus.REVIEWED,
        ListingStatus.RETURNED,
    ]
    for number, (industry, keyword) in enumerate(topics):
        status = states[number % len(states)]
        extra = _published(rng, number) if status == ListingStatus.PUBLISHED else {"status": status}
        if status == ListingStatus.RETURNED:
            extra["return_reason"] = "请补充量化指标和预算。"
        owner = enterprises[number % len(enterprises)]
        title, text = DEMAND_FORMS[number % len(DEMAND_FORMS)]
        pain = rng.choice(PAINS)
        demands.append(
            TechDemand.objects.create(
                title=title.format(kw=keyword) + SUFFIX,
                problem=text.format(kw=keyword, pain=pain),
                targets=f"{pain.replace('偏', '').replace('不足', '')}指标改善 20% 以上",
                organization_name=owner.name,
                area=owner.area,
                industry=industry,
                keywords=keyword,
                budget=Decimal(rng.choice((20, 50, 100, 200))),
                is_demo=True,
                is_key=number % 4 == 0,
                **extra,
            )
        )
        maker = institutes[number % len(institutes)]
        title, text = ACHIEVEMENT_FORMS[(number + 1) % len(ACHIEVEMENT_FORMS)]
        achievements.append(
            Achievement.objects.create(
                title=title.format(kw=keyword) + SUFFIX,
                description=text.format(kw=keyword, gain=rng.choice(GAINS)),
                source_kind=rng.choice(SourceKind.values),
                maturity=rng.choice(Maturity.values),
                trl=rng.randint(3, 9),
                transfer_modes=[rng.choice(["transfer", "license", "equity", "joint"])],
                organization_name=maker.name,
                area=maker.area,
                industry=industry,
                keywords=keyword,
                people=_name(rng),
                is_demo=True,
                **_published(rng, number),
            )
        )
        if number % 5 == 0:
            scenarios.append(
                Scenario.objects.create(
                    title=f"{keyword}应用场景{SUFFIX}",
                    problem=f"开放{keyword}生产线作为新技术验证场景，寻求{rng.choice(PAINS)}的解决方案。",
                    offers="试验线、运行数据、首购首用",
                    organization_name=owner.name,
                    area=owner.area,
                    industry=industry,
                    keywords=keyword,
                    starts_on=START,
                    ends_on=START + dt.timedelta(days=365),
                    is_demo=True,
                    **_published(rng, number),
                )
            )
    return demands, achievements, scenarios


INSTITUTIONS = (
    (
        "伏牛技术转移服务中心",
        InstitutionLevel.NATIONAL,
        "装备制造、新材料",
        "评估、挂牌、交易、投融资",
    ),
    (
        "白河科技成果转化中心",
        InstitutionLevel.PROVINCIAL,
        "生物医药、现代农业",
        "评估、中试对接、交易",
    ),
    (
        "卧龙岗知识产权运营中心",
        InstitutionLevel.CITY,
        "知识产权运营、专利许可",
        "专利导航、许可、质押",
    ),
    ("宛城技术经纪服务站", InstitutionLevel.OTHER, "数字经济、节能环保", "需求挖掘、技术经纪"),
)


def _institutions(institutes: list) -> list[TransferInstitution]:
    """Technology-transfer institutions hosted by demo universities and institutes."""
    rows = []
    for number, (name, level, fields, services) in enumerate(INSTITUTIONS):
        host = institutes[number % len(institutes)]
        rows.append(
            TransferInstitution.objects.create(
                name=name + SUFFIX,
                organization=host,
                area=host.area,
                level=level,
                certificate_no=f"JSZY-DEMO-{number + 1:03d}",
                fields=fields,
                services=services,
                deals=12 + 9 * (len(INSTITUTIONS) - number),
                is_demo=True,
            )
        )
    return rows


def _people(
    rng: random.Random, institutes: list, agencies: list[TransferInstitution]
) -> tuple[list[Expert], list[Broker]]:
    topics = _topics()
    experts = []
    for number in range(12):
        maker = institutes[number % len(institutes)]
        _, keyword = topics[(number * 7) % len(topics)]
        experts.append(
            Expert.objects.create(
                name=_name(rng) + SUFFIX,
                area=maker.area,
                title="教授",
                expertise=f"{keyword}、{topics[(number * 3) % len(topics)][1]}研究",
                publications=f"《{keyword}关键技术研究》等论文；{keyword}相关发明专利 3 项",
                is_demo=True,
            )
        )
    brokers = []
    for number in range(6):
        agency = agencies[number % len(agencies)]
        _, keyword = topics[(number * 5) % len(topics)]
        brokers.append(
            Broker.objects.create(
                name=_name(rng) + SUFFIX,
                area=agency.area,
                agency=agency,
                institution=agency.organization,
                certificate_no=f"JSJLR-DEMO-{number + 1:03d}",
                fields=f"{keyword}、技术转移、知识产权运营",
                deals=rng.randint(2, 30),
                is_demo=True,
            )
        )
    return experts, brokers


def _index(achievements: list) -> tuple[MatchIndex, dict[int, Achievement]]:
    """The engine over the published demo achievements, and those by primary key."""
    index = MatchIndex(Tokenizer(matching.domain_vocabulary()), Thesaurus(default_groups()))
    published = [a for a in achievements if a.status == ListingStatus.PUBLISHED]
    index.add_many((a.pk, a.match_texts(), {}) for a in published)
    return index, {a.pk: a for a in published}


def _matches(demands: list, achievements: list, brokers: list, rng: random.Random) -> int:
    """Matches found by the engine for the published demands, one in every pipeline stage."""
    index, by_pk = _index(achievements)
    stages = [*PIPELINE, MatchStatus.FAILED]
    created = 0
    sources = [d for d in demands if d.status == ListingStatus.PUBLISHED][: len(stages) * 2]
    for number, demand in enumerate(sources):
        hits = index.search(" ".join(demand.match_texts().values()), k=10).hits
        if not hits:
            continue
        # The example is paired with its patent, to show a match bridged by synonyms.
        wanted = achievements[0].pk if number == 0 else hits[0].doc_id
        hit = next((h for h in hits if h.doc_id == wanted), hits[0])
        target = stages[number % len(stages)]
        day = START + dt.timedelta(days=30 + number)
        _match(demand, by_pk[hit.doc_id], hit, brokers[number % len(brokers)], target, day)
        created += 1
    return created


def _match(
    demand: TechDemand,
    achievement: Achievement,
    hit: Any,
    broker: Broker,
    target: str,
    day: dt.date,
    roadshow: Roadshow | None = None,
) -> Match:
    """One demo match brought to `target` through the pipeline, a week a step from `day`."""
    match = Match.objects.create(
        demand=demand,
        achievement=achievement,
        area=demand.area,
        organization=demand.organization,
        score=hit.score,
        is_demo=True,
        explanation=[
            {
                "query_term": t.query_term.lstrip("~"),
                "matched_term": t.matched_term.lstrip("~"),
                "fields": t.fields,
                "contribution": t.contribution,
                "synonym": t.synonym.reason if t.synonym else "",
                "label": t.label,
            }
            for t in hit.terms
        ],
        broker=broker,
        roadshow=roadshow,
        status=target,
        failure_reason="价格未谈拢（演示）" if target == MatchStatus.FAILED else "",
    )
    path = (
        [MatchStatus.RECOMMENDED, *PIPELINE[1 : PIPELINE.index(target) + 1]]
        if target in PIPELINE
        else [MatchStatus.RECOMMENDED, MatchStatus.FAILED]
    )
    previous = ""
    for step, status in enumerate(path):
        MatchEvent.objects.create(
            match=match,
            from_status=previous,
            to_status=status,
            on=day + dt.timedelta(days=7 * step),
            note=f"推荐对接（{roadshow}）" if roadshow and not step else "演示数据",
        )
        previous = status
    return match


ROADSHOWS_FILE = settings.DATA_DIR / "market" / "demo-roadshows.yaml"


@dataclass(frozen=True)
class DemoEvent:
    """A demo roadshow or matchmaking event of `ROADSHOWS_FILE` and the stages its matches
    reached (one match per stage; "recommended" for an upcoming event)."""

    title: str
    kind: RoadshowKind
    held_on: dt.date
    venue: str
    attendance: int
    stages: tuple[str, ...]


def demo_events(path: Path = ROADSHOWS_FILE) -> list[DemoEvent]:
    """The demo events of the data file, in its order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        DemoEvent(
            title=str(row["title"]),
            kind=RoadshowKind(row["kind"]),
            held_on=row["held_on"],
            venue=str(row["venue"]),
            attendance=int(row["attendance"]),
            stages=tuple(row["stages"]),
        )
        for row in data["roadshows"]
    ]


def _roadshows(
    demands: list, achievements: list, scenarios: list, brokers: list, owners: dict[str, Any]
) -> tuple[int, int]:
    """The demo's roadshows and matchmaking events with the published listings presented, the
    owners of those listings as participants and the matches each produced; (events, matches)."""
    index, by_pk = _index(achievements)
    published = [d for d in demands if d.status == ListingStatus.PUBLISHED]
    # the demands the plain matches above did not use first, so each event has its own
    pool = published[12:] + published[:12]
    city = Area.objects.filter(parent__isnull=True).first()
    cursor, matches = 0, 0
    events = demo_events()
    for number, event in enumerate(events):
        stages = event.stages
        chosen = [pool[(cursor + i) % len(pool)] for i in range(len(stages))]
        cursor += len(stages)
        pairs = []
        for demand in chosen:
            hits = index.search(" ".join(demand.match_texts().values()), k=5).hits
            if hits:
                pairs.append((demand, hits[0]))
        presented = list(dict.fromkeys(by_pk[hit.doc_id] for _demand, hit in pairs))
        roadshow = Roadshow.objects.create(
            title=event.title + SUFFIX,
            kind=event.kind,
            held_on=event.held_on,
            area=chosen[0].area if number % 2 else city,
            venue=event.venue,
            description="演示数据：发布技术需求、路演科技成果、现场洽谈。",
            guests="南阳某创投基金（演示）、某银行科技支行（演示）",
            attendance=event.attendance,
            is_demo=True,
        )
        roadshow.demands.set([d for d, _hit in pairs])
        roadshow.achievements.set(presented)
        roadshow.scenarios.set(scenarios[number % len(scenarios) : number % len(scenarios) + 1])
        names = [d.organization_name for d, _hit in pairs] + [
            a.organization_name for a in presented
        ]
        roadshow.participants.set([owners[n] for n in dict.fromkeys(names) if n in owners])
        for step, ((demand, hit), stage) in enumerate(zip(pairs, stages, strict=False)):
            day = event.held_on - dt.timedelta(days=14) if stage == "recommended" else event.held_on
            broker = brokers[(number + step) % len(brokers)]
            _match(demand, by_pk[hit.doc_id], hit, broker, stage, day, roadshow)
            matches += 1
    return len(events), matches


def _co_inventors(achievements: list, experts: list[Expert]) -> int:
    """Achievements naming two demo experts among their 完成人 and linking demo patents of their
    owner (or any demo patent), so an expert's page shows co-inventors; how many were linked."""
    published = [a for a in achievements if a.status == ListingStatus.PUBLISHED]
    patents = list(Patent.objects.filter(organization__is_demo=True).order_by("pk")[:40])
    if not patents:
        return 0
    linked = 0
    for number, achievement in enumerate(published[1:9]):
        first, second = experts[number % len(experts)], experts[(number + 1) % len(experts)]
        achievement.people = f"{first.name}、{second.name}、{achievement.people}"
        achievement.save(update_fields=["people"])
        achievement.patents.set(
            [patents[(2 * number) % len(patents)], patents[(2 * number + 1) % len(patents)]]
        )
        linked += 1
    return linked


def _lists(demands: list, scenarios: list) -> int:
    city = Area.objects.filter(parent__isnull=True).first()
    published = [d for d in demands if d.status == ListingStatus.PUBLISHED]
    key = [d for d in published if d.is_key]
    specs = [
        (ListKind.DEMANDS, "demands", published[:15], None),
        (ListKind.SCENARIOS, "scenarios", scenarios[:10], None),
        (ListKind.KEY_DEMANDS, "demands", key[:10], key[0].industry if key else None),
    ]
    count = 0
    for kind, relation, rows, industry in specs:
        if not rows:
            continue
        number = PublishedList.objects.filter(kind=kind).count() + 1
        published_list = PublishedList.objects.create(
            kind=kind,
            number=number,
            title=f"第{number}期{ListKind(kind).label}{SUFFIX}",
            area=city,
            industry=industry,
            issued_on=START + dt.timedelta(days=60),
            is_demo=True,
            items=[
                {
                    "id": r.pk,
                    "title": r.title,
                    "organization": r.owner_name,
                    "area": r.area.name,
                    "industry": str(r.industry or ""),
                    "keywords": r.keywords,
                    "problem": r.problem,
                    "targets": getattr(r, "targets", ""),
                    "offers": getattr(r, "offers", ""),
                    "budget": str(getattr(r, "budget", "") or ""),
                }
                for r in rows
            ],
        )
        getattr(published_list, relation).set(rows)
        count += 1
    return count


@transaction.atomic
def write_demo_market(seed: int = 20260301) -> MarketReport:
    rng = random.Random(seed)
    report = MarketReport()
    report.counts["市场节点"] = _nodes()
    demo = Organization.objects.filter(is_demo=True).order_by("pk")
    enterprises = list(demo.filter(kind=OrganizationKind.ENTERPRISE)[:40])
    institutes = list(
        demo.filter(kind__in=[OrganizationKind.UNIVERSITY, OrganizationKind.RESEARCH_INSTITUTE])[
            :10
        ]
    )
    if not enterprises or not institutes:
        report.counts["需求"] = 0
        return report
    demands, achievements, scenarios = _listings(rng, enterprises, institutes)
    agencies = _institutions(institutes)
    experts, brokers = _people(rng, institutes, agencies)
    report.counts.update(
        {
            "需求": len(demands),
            "成果": len(achievements),
            "场景": len(scenarios),
            "专家": len(experts),
            "技术经理人": len(brokers),
            "技术转移机构": len(agencies),
        }
    )
    report.counts["对接"] = _matches(demands, achievements, brokers, rng)
    owners = {o.name: o for o in [*enterprises, *institutes]}
    events, produced = _roadshows(demands, achievements, scenarios, brokers, owners)
    report.counts["路演对接活动"] = events
    report.counts["对接"] += produced
    report.counts["合作完成人成果"] = _co_inventors(achievements, experts)
    report.counts["清单"] = _lists(demands, scenarios)
    record(AuditAction.CREATE, username="manage.py load_demo", note=report.summary())
    matching.bump()
    return report
