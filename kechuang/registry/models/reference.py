"""Reference data: the area tree, the industries, the high-tech fields."""

from __future__ import annotations

from django.db import models

from kechuang.accounts.scoping import ScopeRule
from kechuang.core.models import DomainModel


class AreaKind(models.TextChoices):
    CITY = "city", "地级市"
    DISTRICT = "district", "市辖区"
    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    FUNCTIONAL_ZONE = "functional_zone", "功能区"


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
