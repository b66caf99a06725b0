"""Organizations: enterprises, universities, research institutes, hospitals, other bodies."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
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

    @property
    def is_enterprise(self) -> bool:
        return self.kind == OrganizationKind.ENTERPRISE

    def clean_fields(self, exclude: Any = None) -> None:
        # Normalise what people paste (spaces, full width, lower case) before the field's own
        # checks (length, the GB 32100 validator), which then report a bad code once.
        if self.uscc:
            self.uscc = normalize_uscc(self.uscc)
        super().clean_fields(exclude)
