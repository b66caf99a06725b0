"""Innovation platforms (创新平台): laboratories, centres, carriers, talent stations ..."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models.organizations import Organization
from kechuang.registry.models.reference import Area, IndustryChain, TechField


class PlatformKind(models.TextChoices):
    """The platform types the plan names (二、七 and 五（四）)."""

    KEY_LAB = "key_lab", "重点实验室"
    TECH_INNOVATION_CENTER = "tech_innovation_center", "技术创新中心"
    ENGINEERING_CENTER = "engineering_center", "工程技术研究中心"
    ENTERPRISE_TECH_CENTER = "enterprise_tech_center", "企业技术中心"
    NEW_RD_INSTITUTE = "new_rd_institute", "新型研发机构"
    PILOT_BASE = "pilot_base", "中试基地"
    MAKERSPACE = "makerspace", "众创空间"
    INCUBATOR = "incubator", "科技企业孵化器"
    RURAL_MAKERSPACE = "rural_makerspace", "星创天地"
    ACADEMICIAN_STATION = "academician_station", "院士工作站"
    ZHONGYUAN_SCHOLAR_STATION = "zhongyuan_scholar_station", "中原学者工作站"
    POSTDOC_STATION = "postdoc_station", "博士后科研工作站"
    INTERNATIONAL_JOINT_LAB = "international_joint_lab", "国际联合实验室"
    CLINICAL_RESEARCH_CENTER = "clinical_research_center", "临床医学研究中心"
    MANUFACTURING_INNOVATION_CENTER = "manufacturing_innovation_center", "制造业创新中心"
    INDUSTRY_ALLIANCE = "industry_alliance", "产业技术创新战略联盟"
    TECH_TRANSFER_INSTITUTION = "tech_transfer_institution", "技术转移示范机构"
    FIELD_STATION = "field_station", "野外科学观测研究站"
    RESOURCE_SHARING_PLATFORM = "resource_sharing_platform", "科技资源共享服务平台"
    OTHER = "other", "其他"


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"


class PlatformStatus(models.TextChoices):
    PREPARING = "preparing", "筹建中"
    OPERATING = "operating", "运行中"
    SUSPENDED = "suspended", "暂停"
    REVOKED = "revoked", "已撤销"
    MERGED = "merged", "已整合"


class InnovationPlatform(DomainModel):
    name = models.CharField("平台名称", max_length=200, db_index=True)
    kind = models.CharField("平台类型", max_length=40, choices=PlatformKind.choices, db_index=True)
    level = models.CharField("级别", max_length=20, choices=PlatformLevel.choices, db_index=True)
    host = models.ForeignKey(
        Organization,
        verbose_name="依托单位",
        on_delete=models.PROTECT,
        related_name="hosted_platforms",
    )
    co_builders = models.ManyToManyField(
        Organization, verbose_name="共建单位", blank=True, related_name="co_built_platforms"
    )
    area = models.ForeignKey(
        Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="platforms"
    )
    industry = models.ForeignKey(
        IndustryChain,
        verbose_name="所属产业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platforms",
    )
    tech_field = models.ForeignKey(
        TechField,
        verbose_name="技术领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="platforms",
    )
    approved_on = models.DateField("批准日期", null=True, blank=True)
    approval_document = models.CharField("批准文号", max_length=100, blank=True)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=PlatformStatus.choices,
        default=PlatformStatus.OPERATING,
        db_index=True,
    )
    latest_evaluation = models.CharField("最近评估结果", max_length=20, blank=True)
    latest_evaluation_year = models.PositiveSmallIntegerField("最近评估年度", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", organization="host")

    class Meta:
        verbose_name = "创新平台"
        verbose_name_plural = "创新平台"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="platform_natural_key")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.latest_evaluation and not self.latest_evaluation_year:
            raise ValidationError({"latest_evaluation_year": "填写评估结果时须注明评估年度。"})
