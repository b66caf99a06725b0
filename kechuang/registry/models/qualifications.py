"""Qualifications (资质/认定) an organization holds; validity on a date is derived, never stored.

A qualification counts (indicators, screening, the projection, the home page) only when it is in
force on the day AND verified: entered by city staff or matched from an official list
(认定名单/入库名单). An enterprise's or institution's own declaration is a claim (待核验) with its
certificate scan until city staff verify it; a rejected claim (已驳回) never counts.
`Qualification.valid_on(day)` is the one filter every counting site uses.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
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


class Verification(models.TextChoices):
    VERIFIED = "verified", "已核验"
    CLAIMED = "claimed", "待核验"
    REJECTED = "rejected", "已驳回"


class QualificationSource(models.TextChoices):
    CITY_STAFF = "city_staff", "市级工作人员录入"
    OFFICIAL_LIST = "official_list", "官方名单导入"
    DECLARATION = "declaration", "单位申报"
    COUNTY_STAFF = "county_staff", "县区工作人员录入"


class Qualification(DomainModel):
    organization = models.ForeignKey(
        Organization, verbose_name="单位", on_delete=models.PROTECT, related_name="qualifications"
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
    # Only verified rows count; the model's default is the safe one (a row nobody vouched for
    # is a claim). Services set these fields; no payload, form or spreadsheet column does.
    verification = models.CharField(
        "核验状态",
        max_length=10,
        choices=Verification.choices,
        default=Verification.CLAIMED,
        db_index=True,
    )
    source = models.CharField(
        "来源", max_length=20, choices=QualificationSource.choices, default="", blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核验人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    rejection_reason = models.CharField("驳回理由", max_length=300, blank=True)
    scan = models.FileField(
        "证书扫描件", upload_to="qualifications/scans/%Y/%m/", max_length=200, blank=True
    )

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

    def is_in_force_on(self, day: dt.date) -> bool:
        """Whether the certificate's dates cover `day` (whatever its verification)."""
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether it counts on `day`: verified and in force (the row form of `valid_on`)."""
        return self.verification == Verification.VERIFIED and self.is_in_force_on(day)

    def validity_label(self, day: dt.date) -> str:
        """What the pages show for "有效": 是 / 否 for a verified row, else its state."""
        if self.verification != Verification.VERIFIED:
            return self.get_verification_display()
        return "是" if self.is_in_force_on(day) else "否"

    @staticmethod
    def counted() -> Q:
        """The filter for rows that may count at all: verified ones."""
        return Q(verification=Verification.VERIFIED)

    @staticmethod
    def in_force_on(day: dt.date) -> Q:
        """The filter for certificates whose dates cover `day` (both ends inclusive)."""
        return Q(issued_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))

    @staticmethod
    def valid_on(day: dt.date) -> Q:
        """The filter for qualifications that count on `day`: verified and in force. Every
        counting site (indicators, screening, projection, home page) uses it."""
        return Qualification.counted() & Qualification.in_force_on(day)
