"""Reference data: the area tree, the industries, the high-tech fields."""

from __future__ import annotations

from django.db import models

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule


class AreaKind(models.TextChoices):
    CITY = "city", "地级市"
    DISTRICT = "district", "市辖区"
    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    FUNCTIONAL_ZONE = "functional_zone", "功能区"
    PROVINCE = "province", "省（对标区域）"


class Area(DomainModel):
    """A node of the area tree: the city, its counties/districts and its functional zones.

    `path` is the chain of codes from the root, ending in "/" (e.g. "411300/411302/"), so a
    subtree is one `path__startswith` filter.
    """

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类型", max_length=20, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=200, unique=True, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    source = models.CharField("来源", max_length=200, blank=True)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.path = (self.parent.path if self.parent else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    @classmethod
    def subtree_ids(cls, path: str) -> models.QuerySet:
        """The ids of the area at `path` and every area below it, as a subquery: filtering on
        `area__in` lets the database use the foreign-key index (bench/bench_org_list.py)."""
        return cls.objects.filter(path__startswith=path).values("pk")

    @classmethod
    def local(cls) -> models.QuerySet:
        """The city's own tree: every area but the benchmark areas outside it (a province
        whose figures a commitment is judged against). Pickers, lists and rankings use this."""
        return cls.objects.exclude(kind=AreaKind.PROVINCE)

    @property
    def is_benchmark(self) -> bool:
        return self.kind == AreaKind.PROVINCE

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class IndustryCategory(models.TextChoices):
    LEADING = "leading", "主导产业（6）"
    TRADITIONAL = "traditional", "传统产业（N）"
    FUTURE = "future", "未来产业"


class IndustryChain(DomainModel):
    """An industry of the plan's "6+N" layout, or a sub-industry it names in 三（二）/（三）."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级产业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    category = models.CharField("类别", max_length=20, choices=IndustryCategory.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)
    source_section = models.CharField("规划出处", max_length=60, blank=True)
    keywords = models.JSONField("技术关键词", default=list, blank=True)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "产业"
        verbose_name_plural = "产业"
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="industry_unique_name_under_parent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class TechField(DomainModel):
    """One of the 8 《国家重点支持的高新技术领域》 (2016) used in HNTE recognition."""

    code = models.CharField("代码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    source = models.CharField("来源", max_length=200, blank=True)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "高新技术领域"
        verbose_name_plural = "高新技术领域"
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class NamedActorKind(models.TextChoices):
    LABORATORY = "laboratory", "实验室"
    PLATFORM = "platform", "创新平台"
    UNIVERSITY = "university", "高等院校"
    RESEARCH_INSTITUTE = "research_institute", "科研院所"
    ENTERPRISE = "enterprise", "企业"
    HOSPITAL = "hospital", "医疗机构"


class NamedActor(DomainModel):
    """A body the plan or the bureau's announcement names, with the role the text gives it.

    Names and roles only: no figure or identifier is invented for a real body. Staff link the row
    to its `Organization` once the body is registered with its real USCC.
    """

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=30, choices=NamedActorKind.choices)
    role = models.CharField("规划中的定位", max_length=300)
    section = models.CharField("出处章节", max_length=30)
    seed = models.CharField(
        "出处文件", max_length=10, help_text="000 = 规划原文；003 = 2025-12 市科技局新闻发布"
    )
    area = models.ForeignKey(
        Area,
        verbose_name="所在区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="对应登记单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="named_as",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "规划点名主体"
        verbose_name_plural = "规划点名主体"
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name
