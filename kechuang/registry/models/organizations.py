"""Organizations: enterprises, universities, research institutes, hospitals, other bodies."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kechuang.core.models import Archivable, DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.core.validators import validate_phone
from kechuang.registry.engine.uscc import USCCError, normalize_uscc, validate_uscc
from kechuang.registry.models.reference import Area, IndustryChain, TechField


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    UNIVERSITY = "university", "高等院校"
    RESEARCH_INSTITUTE = "research_institute", "科研院所"
    HOSPITAL = "hospital", "医疗机构"
    OTHER = "other", "其他"


class SizeClass(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class IndustrySection(models.TextChoices):
    """The sections (门类) of GB/T 4754-2017《国民经济行业分类》 (with amendment No. 1, 2019)."""

    A = "A", "A 农、林、牧、渔业"
    B = "B", "B 采矿业"
    C = "C", "C 制造业"
    D = "D", "D 电力、热力、燃气及水生产和供应业"
    E = "E", "E 建筑业"
    F = "F", "F 批发和零售业"
    G = "G", "G 交通运输、仓储和邮政业"
    H = "H", "H 住宿和餐饮业"
    I = "I", "I 信息传输、软件和信息技术服务业"  # noqa: E741 (the standard's letter)
    J = "J", "J 金融业"
    K = "K", "K 房地产业"
    L = "L", "L 租赁和商务服务业"
    M = "M", "M 科学研究和技术服务业"
    N = "N", "N 水利、环境和公共设施管理业"
    O = "O", "O 居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "P 教育"
    Q = "Q", "Q 卫生和社会工作"
    R = "R", "R 文化、体育和娱乐业"
    S = "S", "S 公共管理、社会保障和社会组织"
    T = "T", "T 国际组织"


# 工业 in the statistics (规模以上工业): sections B 采矿业, C 制造业 and
# D 电力、热力、燃气及水生产和供应业 of GB/T 4754-2017.
INDUSTRIAL_SECTIONS = ("B", "C", "D")

# The divisions (大类, two digits) of each section in GB/T 4754-2017: A 01–05, B 06–12,
# C 13–43, D 44–46, E 47–50, F 51–52, G 53–60, H 61–62, I 63–65, J 66–69, K 70, L 71–72,
# M 73–75, N 76–79, O 80–82, P 83, Q 84–85, R 86–90, S 91–96, T 97.
SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def section_of_division(division: str) -> str | None:
    """The section a two-digit division code belongs to (None: no such division)."""
    if len(division) != 2 or not division.isdigit():
        return None
    number = int(division)
    return next((s for s, (lo, hi) in SECTION_DIVISIONS.items() if lo <= number <= hi), None)


def validate_uscc_field(value: str) -> None:
    try:
        validate_uscc(value)
    except USCCError as error:
        raise ValidationError(str(error), code="uscc") from error


class Organization(Archivable, DomainModel):
    """An innovation actor: enterprise, university, research institute, hospital or other body."""

    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc_field]
    )
    name = models.CharField("单位名称", max_length=200, db_index=True)
    kind = models.CharField("单位类型", max_length=30, choices=OrganizationKind.choices)
    area = models.ForeignKey(
        Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="organizations"
    )
    industry = models.ForeignKey(
        IndustryChain,
        verbose_name="所属产业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    tech_field = models.ForeignKey(
        TechField,
        verbose_name="高新技术领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    industry_section = models.CharField(
        "国民经济行业门类",
        max_length=1,
        choices=IndustrySection.choices,
        blank=True,
        db_index=True,
        help_text="GB/T 4754-2017 门类；B 采矿业、C 制造业、D 电力热力燃气及水生产和供应业为工业。",
    )
    industry_division = models.CharField(
        "国民经济行业大类代码",
        max_length=2,
        blank=True,
        help_text="GB/T 4754-2017 大类的两位数字代码，如 34（通用设备制造业）；可留空。",
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    size_class = models.CharField("企业规模", max_length=10, choices=SizeClass.choices, blank=True)
    is_listed = models.BooleanField("上市企业", default=False)
    is_above_designated_size = models.BooleanField("规上企业", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField(
        "联系电话", max_length=20, blank=True, validators=[validate_phone]
    )
    is_demo = models.BooleanField(
        "演示数据", default=False, help_text="合成的演示数据，非真实单位。"
    )

    scope = ScopeRule(area="area", organization="pk")

    class Meta:
        verbose_name = "创新主体"
        verbose_name_plural = "创新主体"
        ordering = ["name"]
        # The lists show the organizations not archived, in name order (then id), filtered by
        # kind, area, industry and a text (`q`: name or credit code) in any combination. A
        # page is read keys first (core.pagination.rows_between), and each of these partial
        # indexes holds every column that read and the count need: whichever one the database
        # walks (by name; or from a kind, an area or an industry, then by name), it never reads
        # a row of the table to test a filter. `archived` is a column too: SQLite counts an
        # index covering only if the columns of the WHERE clause are in it, its condition's
        # column included (bench/bench_org_list.py: a filtered page 2,112 ms -> under 100 ms).
        indexes = [
            models.Index(
                fields=[*lead, *rest, "archived"],
                condition=models.Q(archived=False),
                name=f"organization_live_{label}",
            )
            for label, lead, rest in (
                ("by_name", ["name", "id"], ["uscc", "kind", "area", "industry"]),
                ("by_kind", ["kind", "name", "id"], ["area", "industry", "uscc"]),
                ("by_area", ["area", "name", "id"], ["kind", "industry", "uscc"]),
                ("by_industry", ["industry", "name", "id"], ["kind", "area", "uscc"]),
            )
        ] + [
            # The enterprises above designated size (规上) with what monitoring's
            # industrial_rd_ratio tests and groups by, in (kind, area, id) order: that series
            # reads the reports of these alone (`annual_report_org_rd_cover`), each area's in
            # the order of ids the sums always had (bench/bench_progress.py).
            models.Index(
                fields=["kind", "area", "id", "industry_section", "is_above_designated_size"],
                condition=models.Q(is_above_designated_size=True),
                name="organization_above_size_cover",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind == OrganizationKind.ENTERPRISE

    @property
    def is_industrial(self) -> bool:
        """工业 (GB/T 4754-2017 sections B, C, D); False when no section is recorded."""
        return self.industry_section in INDUSTRIAL_SECTIONS

    @staticmethod
    def industrial_q(prefix: str = "") -> Q:
        """A filter: the organization (at ORM `prefix`, e.g. "organization__") is 工业."""
        return Q(**{f"{prefix}industry_section__in": INDUSTRIAL_SECTIONS})

    def clean(self) -> None:
        super().clean()
        division = self.industry_division = (self.industry_division or "").strip()
        if not division:
            return
        section = section_of_division(division)
        if section is None:
            raise ValidationError(
                {
                    "industry_division": f"行业大类代码“{division}”不存在：须为 GB/T 4754-2017 "
                    "的两位数字大类代码（01–97），如 34；不清楚时可留空、只填门类。"
                }
            )
        if not self.industry_section:
            self.industry_section = section  # the division tells the section
        elif self.industry_section != section:
            lo, hi = SECTION_DIVISIONS[self.industry_section]
            raise ValidationError(
                {
                    "industry_division": f"行业大类代码 {division} 属于门类 {section}，"
                    f"与所填门类 {self.industry_section} 不符（门类 {self.industry_section} 的"
                    f"大类为 {lo:02d}–{hi:02d}）；请改正其中之一。"
                }
            )

    def clean_fields(self, exclude: Any = None) -> None:
        # Normalise what people paste (spaces, full width, lower case) before the field's own
        # checks (length, the GB 32100 validator), which then report a bad code once.
        if self.uscc:
            self.uscc = normalize_uscc(self.uscc)
        self.industry_division = (self.industry_division or "").strip()
        if self.industry_division and section_of_division(self.industry_division) is None:
            exclude = {*(exclude or ()), "industry_division"}  # clean() says what a division is
        super().clean_fields(exclude)
