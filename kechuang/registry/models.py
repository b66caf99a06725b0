"""Reference data (areas, industries, high-tech fields) and organizations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from kechuang.accounts.scoping import ScopeRule
from kechuang.core.masking import mask_phone
from kechuang.core.models import DomainModel
from kechuang.registry.engine.uscc import USCCError, validate_uscc


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


def validate_uscc_field(value: str) -> None:
    try:
        validate_uscc(value)
    except USCCError as error:
        raise ValidationError(str(error), code="uscc") from error


class Organization(DomainModel):
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
    founded_on = models.DateField("成立日期", null=True, blank=True)
    size_class = models.CharField("企业规模", max_length=10, choices=SizeClass.choices, blank=True)
    is_listed = models.BooleanField("上市企业", default=False)
    is_above_designated_size = models.BooleanField("规上企业", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    is_demo = models.BooleanField(
        "演示数据", default=False, help_text="合成的演示数据，非真实单位。"
    )

    scope = ScopeRule(area="area", organization="pk")

    class Meta:
        verbose_name = "创新主体"
        verbose_name_plural = "创新主体"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.uscc:
            try:
                self.uscc = validate_uscc(self.uscc)
            except USCCError as error:
                raise ValidationError({"uscc": str(error)}) from error

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)
