"""Patents with Chinese titles and abstracts built from the plan's technology keywords.

Numbers follow CNIPA's application-number format ZL + year (4) + kind (1: invention, 2: utility
model, 3: design) + serial (7) + "." + check character (weights 2,3,4,5,6,7,8,9,2,3,4,5, sum
mod 11, 10 written "X"). Demo serials start at 9,000,000, a block that marks them as invented.
Legal statuses are as of `params.AS_OF`; the date a patent stopped being in force is kept (not
stored) so that the annual figures' "held" counts agree with the patents.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from kechuang.registry.synthetic.organizations import OrgSpec
from kechuang.registry.synthetic.params import AS_OF
from kechuang.registry.synthetic.reference import IndustryRef
from kechuang.registry.synthetic.sampling import add_years, random_date

KIND_DIGIT = {"invention": "1", "utility_model": "2", "design": "3"}
_CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
DEMO_SERIAL_START = 9_000_000


def check_digit(application_number: str) -> str:
    """The check character of a 12-digit CNIPA application number (e.g. 201710601862 → 3)."""
    total = sum(int(d) * w for d, w in zip(application_number, _CHECK_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def patent_number(year: int, kind: str, serial: int) -> str:
    digits = f"{year}{KIND_DIGIT[kind]}{serial:07d}"
    return f"ZL{digits}.{check_digit(digits)}"


# IPC main groups per industry (leaf code, else its root), plausible not exhaustive.
IPC = {
    "equipment.explosion_proof": ("H02K 5/136", "H02K 9/04", "F04D 25/08"),
    "equipment.power_transmission": ("H01C 7/12", "H01F 27/28", "H02B 13/035", "H02J 3/32"),
    "equipment.auto_parts": ("F01N 13/10", "F16D 69/02", "B60G 17/015", "F04D 13/06"),
    "equipment.robots": ("B25J 9/16", "B25J 11/00", "F16H 1/32", "A62C 27/00"),
    "equipment.cnc": ("G05B 19/18", "B23F 5/16", "B23Q 1/70", "B23B 3/16"),
    "equipment.agri_machinery": ("A01K 5/02", "A01C 7/06", "B01D 33/00", "A01K 1/01"),
    "equipment": ("B22D 25/02", "F16C 33/58", "E21B 43/00"),
    "food": ("A23L 13/40", "A23L 7/113", "A23J 1/14", "A23L 31/00", "B01D 11/02", "C12G 3/02"),
    "electronics.optical_components": ("G02B 1/11", "G02B 13/18", "G03B 21/20", "G02B 27/00"),
    "electronics.optoelectronic_materials": ("G03F 7/004", "B41N 1/14", "G03C 1/00"),
    "electronics.optoelectronic_devices": ("H01L 33/00", "G01J 5/20", "H01C 7/10"),
    "electronics.smart_sensors": ("G01D 5/00", "G06K 19/077", "H04W 4/70"),
    "electronics.ic": ("H01L 21/02", "H01L 23/31", "H01L 29/16"),
    "electronics.displays_terminals": ("G09G 3/32", "G02B 27/01", "G06F 3/01"),
    "electronics.software": ("G06F 16/00", "G06Q 50/04", "H04L 67/12"),
    "biomedicine.pharma": ("A61K 31/7056", "C12N 15/00", "G01N 33/53", "A61K 39/00"),
    "biomedicine.tcm": ("A61K 36/00", "A61K 36/282", "A61P 1/00"),
    "biomedicine.devices": ("A61B 5/00", "A61L 24/00", "A61M 25/06", "G01N 21/76"),
    "materials.superhard": ("C01B 32/25", "C04B 35/5831", "B24D 3/00", "C23C 16/27"),
    "materials.metallurgical_functional": ("B22D 11/108", "C22B 9/18"),
    "materials.new_functional": ("C01B 32/182", "B33Y 70/00", "B01J 20/00", "B01D 71/00"),
    "new_energy.special_vehicles": ("B60L 50/00", "B60W 60/00", "B60K 1/00"),
    "new_energy.batteries": ("H01M 10/0562", "H01M 4/36", "H01M 10/54"),
    "new_energy.pv_biomass": ("H02J 3/32", "C12P 7/10", "C12N 9/42"),
    "chemicals": ("C01D 7/00", "C01B 17/22", "C09B 49/00", "C08F 110/06", "C08L 91/06"),
    "textiles": ("D02G 3/04", "D04H 1/00", "A41H 3/00"),
    "metallurgy": ("C22C 38/00", "C21D 9/08", "F16L 9/02", "B22D 13/02"),
    "building_materials": ("E04B 1/00", "C04B 7/44", "C09D 5/00", "E06B 3/54"),
    "future.ai": ("G06N 3/08", "G06T 19/00", "G06N 20/00"),
    "future.blockchain": ("H04L 9/06", "G06F 21/64", "H04L 9/00"),
    "future.hydrogen_storage": ("H01M 8/24", "F17D 1/04", "C01B 3/00"),
    "future.frontier_materials": ("D01F 6/00", "H01B 12/00", "C08L 101/00"),
    "future.synthetic_biology": ("C12N 15/10", "C12P 21/00", "C12N 1/21"),
}
# (things, methods) a title can be about, per industry.
OBJECTS = {
    "equipment": (("装置", "系统", "组件", "设备", "控制器"), ("控制方法", "检测方法", "加工方法")),
    "food": (("生产线", "加工设备", "杀菌装置", "萃取装置"), ("制备方法", "加工工艺", "保鲜方法")),
    "electronics": (("模组", "器件", "装置", "电路"), ("制备方法", "封装方法", "检测方法")),
    "biomedicine": (("检测试剂盒", "装置", "器械"), ("制备方法", "提取工艺", "纯化方法")),
    "materials": (("制品", "复合片", "涂层结构", "成型模具"), ("制备方法", "烧结工艺", "合成方法")),
    "new_energy": (("电池模组", "管理系统", "储能装置"), ("制备方法", "回收方法", "控制方法")),
    "chemicals": (("反应装置", "分离装置", "生产系统"), ("制备方法", "提纯工艺", "回收工艺")),
    "textiles": (("纺纱装置", "面料", "织造设备"), ("生产工艺", "染整方法", "制备方法")),
    "metallurgy": (("铸造模具", "浇注装置", "连铸设备"), ("冶炼方法", "热处理工艺", "铸造工艺")),
    "building_materials": (("墙板", "构件", "幕墙结构"), ("制备方法", "施工方法", "处置工艺")),
    "future": (("系统", "平台", "装置"), ("方法", "训练方法", "调度方法")),
}
PARTS = ("壳体", "底座", "驱动机构", "传感单元", "控制模块", "冷却组件", "连接件", "支撑架")
EFFECTS = ("提高了运行稳定性", "显著降低了能耗", "提升了生产效率", "延长了使用寿命", "提高了精度")
BENEFITS = (
    "工艺简单、成本低",
    "结构紧凑、便于维护",
    "性能稳定、易于产业化",
    "绿色环保、适合规模化生产",
)
KIND_MIX = {  # invention, utility model, design
    "enterprise": (30, 55, 15),
    "university": (70, 28, 2),
    "research_institute": (55, 43, 2),
    "hospital": (35, 60, 5),
    "other": (30, 60, 10),
}
KINDS = ("invention", "utility_model", "design")


@dataclass(frozen=True, slots=True)
class PatentSpec:
    org: int
    number: str
    kind: str
    title: str
    abstract: str
    ipc_codes: str
    applicants: str
    application_date: dt.date
    grant_date: dt.date | None
    legal_status: str
    hv_strategic_industry: bool
    hv_overseas_family: bool
    hv_pledged: bool
    hv_award: bool
    ended_on: dt.date | None  # not stored: when it stopped being in force (lapse, expiry ...)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def patent_count(rng: random.Random, org: OrgSpec, hnte: bool) -> int:
    if org.kind == "university":
        return rng.randint(20, 60)
    if org.kind == "research_institute":
        return rng.randint(5, 20)
    if org.kind == "hospital":
        return rng.randint(2, 12)
    if org.kind == "other":
        return rng.randint(0, 2)
    size = {"large": 4.0, "medium": 2.0, "small": 1.0}.get(org.size_class, 0.5)
    mean = 0.6 * math.exp(0.9 * min(org.innovation, 3.0)) * size + (3.0 if hnte else 0.0)
    return min(_poisson(rng, mean), 80)


def _title(rng: random.Random, kind: str, keyword: str, root: str) -> tuple[str, str]:
    """(title, the thing it is about) for the patent kind."""
    things, methods = OBJECTS.get(root, OBJECTS["equipment"])
    thing = rng.choice(things)
    if kind == "design":
        return f"{thing}（{keyword}）", thing
    if kind == "utility_model":
        pattern = rng.randrange(2)
        return (f"一种{keyword}{thing}" if pattern else f"一种用于{keyword}的{thing}"), thing
    method = rng.choice(methods)
    return (
        rng.choice(
            (
                f"一种基于{keyword}的{thing}",
                f"一种{keyword}{method}",
                f"一种{keyword}{thing}及其{method}",
                f"{keyword}{thing}的{method}",
            )
        ),
        thing,
    )


def _abstract(
    rng: random.Random, kind: str, title: str, thing: str, keywords: tuple[str, ...], field: str
) -> str:
    if kind == "design":
        return (
            f"1．本外观设计产品的名称：{title}。2．本外观设计产品的用途：用于{field}领域。"
            "3．本外观设计产品的设计要点：在于形状。4．最能表明设计要点的图片或照片：立体图。"
        )
    parts = rng.sample(PARTS, 3)
    other = rng.choice(keywords)
    subject = "本发明" if kind == "invention" else "本实用新型"
    core = title.removeprefix("一种")
    return (
        f"{subject}公开了一种{core}，属于{field}技术领域。该{thing}包括{parts[0]}、{parts[1]}"
        f"和{parts[2]}，{parts[0]}与{parts[1]}相连；通过{other}相关技术的协同设计，"
        f"{rng.choice(EFFECTS)}。{subject}{rng.choice(BENEFITS)}。"
    )


def _legal(
    rng: random.Random, kind: str, applied: dt.date
) -> tuple[dt.date | None, str, dt.date | None]:
    """(grant date, legal status as of AS_OF, the day it stopped being in force)."""
    if kind == "invention":
        if rng.random() < 0.3:
            decided = applied + dt.timedelta(days=rng.randint(500, 1200))
            return (None, "withdrawn", None) if decided <= AS_OF else (None, "pending", None)
        granted = applied + dt.timedelta(days=rng.randint(540, 1300))
        term, yearly_lapse = 20, 0.04
    else:
        granted = applied + dt.timedelta(days=rng.randint(120, 330))
        long_design = kind == "design" and applied >= dt.date(2021, 6, 1)
        term, yearly_lapse = (15 if long_design else 10), 0.12
    if granted > AS_OF:
        return None, "pending", None
    ended = add_years(applied, term)
    for year in range(granted.year + 1, min(ended.year, AS_OF.year) + 1):
        if rng.random() < yearly_lapse:
            ended = random_date(rng, year)
            break
    if ended > AS_OF:
        if kind == "invention" and rng.random() < 0.004:
            return granted, "invalidated", max(granted, AS_OF - dt.timedelta(days=90))
        return granted, "in_force", None
    ended = max(ended, granted + dt.timedelta(days=1))
    return granted, ("expired" if ended == add_years(applied, term) else "lapsed"), ended


class PatentGenerator:
    """Patents of one organization after another; numbers stay unique across the whole run."""

    def __init__(self, seed: int, industries: tuple[IndustryRef, ...]) -> None:
        self.rng = random.Random(f"patents:{seed}")
        self.industries = industries
        self.medical = tuple(i for i in industries if i.root == "biomedicine") or industries
        self.serials: dict[tuple[int, str], int] = {}

    def _industry(self, org: OrgSpec) -> IndustryRef:
        if org.industry is not None:
            return org.industry
        pool = self.medical if org.kind == "hospital" else self.industries
        return self.rng.choice(pool)

    def _serial(self, year: int, kind: str) -> int:
        value = self.serials.get((year, kind), DEMO_SERIAL_START) + self.rng.randint(1, 4)
        self.serials[(year, kind)] = value
        return value

    def for_organization(self, org: OrgSpec, first_hnte_batch: int | None) -> list[PatentSpec]:
        rng = self.rng
        count = patent_count(rng, org, first_hnte_batch is not None)
        low = max(org.founded_on.year, 2008)
        patents = []
        for n in range(count):
            industry = self._industry(org)
            # HNTE applicants need granted IP before their first batch: the first two come early
            if first_hnte_batch is not None and n < 2:
                high = max(low, first_hnte_batch - 2)
                kind = "utility_model"
            else:
                high = AS_OF.year - 1
                kind = rng.choices(KINDS, KIND_MIX[org.kind])[0]
            year = low + int((max(high, low) - low + 1) * rng.random() ** 0.7)
            applied = random_date(rng, min(year, high) if high >= low else low)
            if applied < org.founded_on:
                applied = org.founded_on + dt.timedelta(days=rng.randint(30, 300))
            granted, status, ended = _legal(rng, kind, applied)
            title, thing = _title(rng, kind, rng.choice(industry.keywords), industry.root)
            field = industry.name
            flags = [False, False, False, False]
            if kind == "invention" and granted is not None:
                flags = [
                    industry.category != "traditional" and rng.random() < 0.45,
                    rng.random() < 0.03,
                    rng.random() < 0.02,
                    rng.random() < 0.01,
                ]
            ipc = IPC.get(industry.code) or IPC.get(industry.root) or ("G06F 16/00",)
            codes = (
                ""
                if kind == "design"
                else ";".join(sorted(set(rng.sample(ipc, 1 + (len(ipc) > 2)))))
            )
            patents.append(
                PatentSpec(
                    org=org.index,
                    number=patent_number(applied.year, kind, self._serial(applied.year, kind)),
                    kind=kind,
                    title=title,
                    abstract=_abstract(rng, kind, title, thing, industry.keywords, field),
                    ipc_codes=codes,
                    applicants=org.name,
                    application_date=applied,
                    grant_date=granted,
                    legal_status=status,
                    hv_strategic_industry=flags[0],
                    hv_overseas_family=flags[1],
                    hv_pledged=flags[2],
                    hv_award=flags[3],
                    ended_on=ended,
                )
            )
        return patents
