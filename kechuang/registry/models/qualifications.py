"""Qualifications (资质/认定) an organization holds; validity on a date is derived, never stored."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models.organizations import Organization


class QualificationKind(models.TextChoices):
    HNTE = "HNTE", "高新技术企业"
    TSME = "TSME", "科技型中小企业"
    GAZELLE = "gazelle", "瞪羚企业"
    EAGLET = "eaglet", "科技雏鹰企业"
    INNOVATION_LEADER = "innovation_leader", "创新龙头企业"
    SRDI = "srdi", "专精特新中小企业"
    LITTLE_GIANT = "little_giant", "专精特新“小巨人”企业"
    INNOVATIVE_SME = "innovative_sme", "创新型中小企业"
    TECH_GIANT = "tech_giant", "科技小巨人企业"
    OTHER = "other", "其他"


class IssuerLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"


class Qualification(DomainModel):
    organization = models.ForeignKey(
        Organization, verbose_name="单位", on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField(
        "资质类型", max_length=30, choices=QualificationKind.choices, db_index=True
    )
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)
    issued_on = models.DateField("认定日期")
    expires_on = models.DateField("有效期至", null=True, blank=True, help_text="长期有效的留空。")
    issuer_level = models.CharField("认定层级", max_length=20, choices=IssuerLevel.choices)
    issuer = models.CharField("认定机构", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    scope = ScopeRule(area="organization__area", organization="organization")

    class Meta:
        verbose_name = "资质认定"
        verbose_name_plural = "资质认定"
        ordering = ["-issued_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "issued_on"], name="qualification_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "issued_on", "expires_on"]),
            # Covers the per-organization fold of year-end counts (monitoring.selectors).
            models.Index(
                fields=["kind", "organization", "issued_on", "expires_on"],
                name="qualification_kind_org_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()}（{self.issued_on:%Y-%m-%d}）"

    def clean(self) -> None:
        super().clean()
        if self.expires_on and self.issued_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": "有效期截止日不能早于认定日期。"})

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)

    @staticmethod
    def valid_on(day: dt.date) -> Q:
        """The filter for qualifications in force on `day` (both ends inclusive)."""
        return Q(issued_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
