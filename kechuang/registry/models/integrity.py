"""Research integrity records (科研诚信记录): a finding of misconduct against a person (a talent
of the registry) or an organization, its severity, the decision and the period during which the
subject is excluded from applying, being funded and reviewing (《科研失信行为调查处理规则》
(国科发监〔2022〕221 号) 第三十条: 一定期限内禁止承担或参与财政性资金支持的科技活动).

The record sits in the registry so every domain app can check it without an upward import
(`registry.selectors.integrity_in_force`). The organization a person's record concerns is kept
on the record (the person's employer when recorded), so the organization's users see and
contest it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models.organizations import Organization
from kechuang.registry.models.talent import Talent


class IntegritySeverity(models.TextChoices):
    MINOR = "minor", "较轻"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class IntegritySource(models.TextChoices):
    CITY = "city", "市科技局录入"
    PROVINCE = "province", "省级名单导入"


class ContestStatus(models.TextChoices):
    NONE = "", "未申诉"
    PENDING = "pending", "申诉待处理"
    UPHELD = "upheld", "申诉成立（记录撤销）"
    REJECTED = "rejected", "申诉不成立"


class IntegrityRecord(DomainModel):
    talent = models.ForeignKey(
        Talent,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrity_records",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="责任单位（或责任人所在单位）",
        on_delete=models.PROTECT,
        related_name="integrity_records",
    )
    person_only = models.BooleanField(
        "仅针对个人", default=False, help_text="是：只限制责任人本人；否：限制该单位"
    )
    misconduct = models.TextField("失信行为")
    severity = models.CharField("严重程度", max_length=20, choices=IntegritySeverity.choices)
    decision = models.TextField("处理决定")
    decided_by = models.CharField("作出决定的机关", max_length=200)
    decided_on = models.DateField("决定日期")
    excluded_from = models.DateField("限制开始日期")
    excluded_until = models.DateField("限制截止日期")
    source = models.CharField(
        "来源", max_length=20, choices=IntegritySource.choices, default=IntegritySource.CITY
    )
    contest = models.TextField("申诉理由", blank=True)
    contest_status = models.CharField(
        "申诉状态", max_length=20, choices=ContestStatus.choices, default="", blank=True
    )
    contest_answer = models.TextField("申诉处理意见", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="organization__area", organization="organization")

    class Meta:
        verbose_name = "科研诚信记录"
        verbose_name_plural = "科研诚信记录"
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        who = self.talent.name if self.talent_id else self.organization.name
        return f"{who}：{self.get_severity_display()}（{self.excluded_from}—{self.excluded_until}）"

    def clean(self) -> None:
        super().clean()
        if self.excluded_from and self.excluded_until and self.excluded_until < self.excluded_from:
            raise ValidationError(
                {"excluded_until": ["限制截止日期早于限制开始日期：请改为不早于开始日期的日期。"]}
            )
        if self.person_only and not self.talent_id:
            raise ValidationError({"talent": ["仅针对个人的记录须指定责任人。"]})
        if self.talent_id and self.organization_id is None:
            self.organization_id = self.talent.organization_id

    @staticmethod
    def in_force_on(day: dt.date) -> Q:
        """The records restricting on `day`: within the period, not revoked on contest."""
        return Q(excluded_from__lte=day, excluded_until__gte=day) & ~Q(
            contest_status=ContestStatus.UPHELD
        )
