"""The talent pool (科技人才库): people and teams."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from kechuang.core.masking import mask_phone
from kechuang.core.models import Archivable, DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.core.validators import validate_mobile
from kechuang.registry.models.organizations import Organization
from kechuang.registry.models.reference import TechField


class Degree(models.TextChoices):
    DOCTORATE = "doctorate", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"
    OTHER = "other", "其他"


class Talent(Archivable, DomainModel):
    name = models.CharField("姓名", max_length=50, db_index=True)
    organization = models.ForeignKey(
        Organization, verbose_name="工作单位", on_delete=models.PROTECT, related_name="talents"
    )
    title = models.CharField("职称/职务", max_length=50, blank=True)
    degree = models.CharField("学位", max_length=20, choices=Degree.choices, blank=True)
    tech_fields = models.ManyToManyField(
        TechField, verbose_name="技术领域", blank=True, related_name="talents"
    )
    expertise = models.TextField("专业特长", blank=True)
    honours = models.CharField("荣誉与人才计划", max_length=300, blank=True)
    is_st_commissioner = models.BooleanField("科技特派员", default=False)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True, validators=[validate_mobile])
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="organization__area", organization="organization")
    audit_redacted_fields = ("id_number",)

    class Meta:
        verbose_name = "科技人才"
        verbose_name_plural = "科技人才"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organization}）"

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.stored_value("organization") == self.organization_id:
            return
        teams = Team.objects.filter(models.Q(leader=self) | models.Q(members=self)).exclude(
            organization_id=self.organization_id
        )
        if teams.exists():
            names = "、".join(sorted({t.name for t in teams}))
            raise ValidationError(
                {
                    "organization": (
                        f"该人才仍是原单位团队（{names}）的带头人或成员，"
                        "请先在团队中移除后再变更所在单位。"
                    )
                }
            )

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TeamProgramme(models.TextChoices):
    HIGH_LEVEL_INTRODUCED = "high_level_introduced", "高层次科技创新团队（引进）"
    INDUSTRY_CULTIVATED = "industry_cultivated", "产业科技创新人才团队（培育）"
    OTHER = "other", "其他"


class Team(DomainModel):
    name = models.CharField("团队名称", max_length=200, db_index=True)
    organization = models.ForeignKey(
        Organization, verbose_name="依托单位", on_delete=models.PROTECT, related_name="teams"
    )
    leader = models.ForeignKey(
        Talent,
        verbose_name="带头人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(Talent, verbose_name="成员", blank=True, related_name="teams")
    programme = models.CharField("引育计划", max_length=30, choices=TeamProgramme.choices)
    approved_year = models.PositiveSmallIntegerField("入选年度", null=True, blank=True)
    research_direction = models.CharField("研究方向", max_length=200, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="organization__area", organization="organization")

    class Meta:
        verbose_name = "人才团队"
        verbose_name_plural = "人才团队"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "organization"], name="team_natural_key")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.leader is not None and self.leader.organization_id != self.organization_id:
            raise ValidationError({"leader": "带头人须为该团队依托单位的人才。"})

    def check_members(self, members: list[Talent]) -> None:
        """Members must be talents of the team's own organization (as the Excel import says)."""
        outside = "、".join(str(t) for t in members if t.organization_id != self.organization_id)
        if outside:
            message = f"团队成员须为依托单位的人才，以下人员不属于该单位：{outside}"
            raise ValidationError({"members": message})
