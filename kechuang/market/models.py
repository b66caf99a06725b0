"""The technology market (科技大市场, plan 六（二）–（四）): technology demands (技术需求),
achievements (科技成果), application scenarios (应用场景), experts and technology brokers
(技术经理人), the "1+N" network of market nodes (the city market and one node per county), the
published lists (第N期技术需求清单 / 新技术应用场景清单 / 关键技术需求清单) and the matches with
their follow-up pipeline.

A listing belongs to its organization and lies in that organization's area: an enterprise edits
its own demands, a university or institute its own achievements, county staff review their
area's (their node's), city staff the rest (`core.scoping`). Only published, non-confidential
listings are public.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models import Area, IndustryChain, Organization, Patent, Talent, TechField

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class ListingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交（待审核）"
    RETURNED = "returned", "已退回"
    REVIEWED = "reviewed", "已审核（待发布）"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已关闭"


# The workflow: (from, to) → the step's name. Returning needs a reason.
TRANSITIONS = {
    "submit": ({ListingStatus.DRAFT, ListingStatus.RETURNED}, ListingStatus.SUBMITTED),
    "return": ({ListingStatus.SUBMITTED, ListingStatus.REVIEWED}, ListingStatus.RETURNED),
    "review": ({ListingStatus.SUBMITTED}, ListingStatus.REVIEWED),
    "publish": ({ListingStatus.REVIEWED}, ListingStatus.PUBLISHED),
    "close": ({ListingStatus.PUBLISHED}, ListingStatus.CLOSED),
}
STEP_LABELS = {
    "submit": "提交",
    "return": "退回",
    "review": "审核通过",
    "publish": "发布",
    "close": "关闭",
}
EDITABLE = (ListingStatus.DRAFT, ListingStatus.RETURNED)


class CooperationMode(models.TextChoices):
    TRANSFER = "transfer", "技术转让"
    LICENSE = "license", "技术许可"
    EQUITY = "equity", "作价入股"
    JOINT = "joint", "合作开发"
    COMMISSION = "commission", "委托开发"
    SERVICE = "service", "技术服务"


class Maturity(models.TextChoices):
    RESEARCH = "research", "研发阶段"
    PILOT_SMALL = "pilot_small", "小试"
    PILOT = "pilot", "中试"
    INDUSTRIAL = "industrial", "产业化"


class SourceKind(models.TextChoices):
    PATENT = "patent", "专利摘录"
    ABSTRACT = "abstract", "论文摘要"
    PRODUCT = "product", "产品介绍"
    OTHER = "other", "其他"


class MarketNode(DomainModel):
    """One node of the "1+N" technology market: the city market or a county's node."""

    name = models.CharField("节点名称", max_length=100, unique=True)
    area = models.OneToOneField(Area, verbose_name="所在区域", on_delete=models.PROTECT)
    is_city = models.BooleanField("市级大市场", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    is_active = models.BooleanField("运营中", default=True)

    scope = ScopeRule(area="area", public=Q(is_active=True))

    class Meta:
        verbose_name = "市场节点"
        verbose_name_plural = "市场节点"
        ordering = ["-is_city", "area__sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Listing(DomainModel):
    """What demands, achievements and scenarios share: owner, area, industry, workflow."""

    title = models.CharField("名称", max_length=200)
    # The demo's listings name their demo organization without linking it (like the demo
    # contracts), so `generate_demo --replace` can still replace the demo organizations.
    organization = models.ForeignKey(
        Organization,
        verbose_name="发布单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="market_%(class)ss",
    )
    organization_name = models.CharField("发布单位名称", max_length=200, blank=True)
    area = models.ForeignKey(
        Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        IndustryChain,
        verbose_name="所属产业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以顿号或逗号分隔")
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ListingStatus.choices,
        default=ListingStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.CharField("退回理由", max_length=500, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", organization="organization", public=Q(status="published"))

    class Meta:
        abstract = True
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == ListingStatus.PUBLISHED

    @property
    def owner_name(self) -> str:
        return self.organization.name if self.organization_id else self.organization_name

    def clean_owner(self) -> dict[str, list[str]]:
        if self.organization_id is None and not self.is_demo:
            return {"organization": ["请填写发布单位（工作人员代录时填写其统一社会信用代码）。"]}
        return {}

    def clean(self) -> None:
        errors = self.clean_owner()
        if errors:
            raise ValidationError(errors)

    def match_texts(self) -> dict[str, str]:
        """The texts the matching index reads (title, keywords, text)."""
        raise NotImplementedError


class TechDemand(Listing):
    problem = models.TextField("技术难题描述")
    targets = models.TextField("量化指标", blank=True, help_text="如：温升降低 10 K 以上")
    budget = models.DecimalField(
        "预算（万元）",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        **AMOUNT,
    )
    deadline = models.DateField("期望完成日期", null=True, blank=True)
    cooperation_mode = models.CharField(
        "合作方式", max_length=12, choices=CooperationMode.choices, default=CooperationMode.JOINT
    )
    confidential = models.BooleanField("保密（不公开发布单位与预算）", default=False)
    is_key = models.BooleanField("关键技术需求（产业链）", default=False)

    scope = ScopeRule(area="area", organization="organization", public=Q(status="published"))

    class Meta(Listing.Meta):
        verbose_name = "技术需求"
        verbose_name_plural = "技术需求"

    def match_texts(self) -> dict[str, str]:
        return {
            "title": self.title,
            "keywords": self.keywords,
            "text": f"{self.problem}\n{self.targets}",
        }


class Achievement(Listing):
    description = models.TextField("成果简介")
    source_kind = models.CharField(
        "材料来源", max_length=10, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    tech_field = models.ForeignKey(
        TechField,
        verbose_name="技术领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    maturity = models.CharField("成熟度", max_length=12, choices=Maturity.choices)
    trl = models.PositiveSmallIntegerField(
        "技术就绪度（TRL）", validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    people = models.CharField("完成人", max_length=200, blank=True)
    patents = models.ManyToManyField(Patent, verbose_name="关联专利", blank=True, related_name="+")
    transfer_modes = models.JSONField("转化方式", default=list, blank=True)
    price = models.DecimalField(
        "意向价格（万元）",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        **AMOUNT,
    )

    scope = ScopeRule(area="area", organization="organization", public=Q(status="published"))

    class Meta(Listing.Meta):
        verbose_name = "科技成果"
        verbose_name_plural = "科技成果"

    def clean(self) -> None:
        errors = self.clean_owner()
        modes = self.transfer_modes if isinstance(self.transfer_modes, list) else None
        valid = {
            CooperationMode.TRANSFER,
            CooperationMode.LICENSE,
            CooperationMode.EQUITY,
            CooperationMode.JOINT,
        }
        if modes is None or any(m not in valid for m in modes):
            names = "、".join(CooperationMode(m).label for m in sorted(valid))
            errors["transfer_modes"] = [f"转化方式只能是：{names}。"]
        if errors:
            raise ValidationError(errors)

    def transfer_mode_labels(self) -> list[str]:
        return [
            CooperationMode(m).label for m in self.transfer_modes if m in CooperationMode.values
        ]

    def match_texts(self) -> dict[str, str]:
        return {"title": self.title, "keywords": self.keywords, "text": self.description}


class Scenario(Listing):
    problem = models.TextField("场景需求（待解决的问题）")
    offers = models.TextField("场景提供的条件", blank=True, help_text="如：试验线、数据、首购")
    starts_on = models.DateField("开放开始日期", null=True, blank=True)
    ends_on = models.DateField("开放截止日期", null=True, blank=True)

    scope = ScopeRule(area="area", organization="organization", public=Q(status="published"))

    class Meta(Listing.Meta):
        verbose_name = "应用场景"
        verbose_name_plural = "应用场景"

    def clean(self) -> None:
        errors = self.clean_owner()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ["开放截止日期不能早于开始日期。"]
        if errors:
            raise ValidationError(errors)

    def match_texts(self) -> dict[str, str]:
        return {
            "title": self.title,
            "keywords": self.keywords,
            "text": f"{self.problem}\n{self.offers}",
        }


class ListingAttachment(DomainModel):
    """A file attached to a listing (a patent certificate, a product sheet, a test report),
    checked by content against its name (`core.files.sniff`). It hangs off exactly one listing
    and carries that listing's area and organization for scoping; it is public when the listing
    is (a confidential demand's attachments never are)."""

    demand = models.ForeignKey(
        TechDemand,
        verbose_name="技术需求",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    achievement = models.ForeignKey(
        Achievement,
        verbose_name="科技成果",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    scenario = models.ForeignKey(
        Scenario,
        verbose_name="应用场景",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    area = models.ForeignKey(
        Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="发布单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField("附件说明", max_length=100)
    file = models.FileField("文件", upload_to="market/%Y/")
    file_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("识别出的文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    scope = ScopeRule(
        area="area",
        organization="organization",
        public=Q(demand__status="published", demand__confidential=False)
        | Q(achievement__status="published")
        | Q(scenario__status="published"),
    )

    class Meta:
        verbose_name = "供需附件"
        verbose_name_plural = "供需附件"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(demand__isnull=False, achievement__isnull=True, scenario__isnull=True)
                | Q(demand__isnull=True, achievement__isnull=False, scenario__isnull=True)
                | Q(demand__isnull=True, achievement__isnull=True, scenario__isnull=False),
                name="market_attachment_one_listing",
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def listing(self) -> Listing | None:
        return self.demand or self.achievement or self.scenario


class Expert(DomainModel):
    """An expert of the market (from the talent registry where linked): expertise, publications."""

    name = models.CharField("姓名", max_length=50)
    talent = models.ForeignKey(
        Talent,
        verbose_name="人才库记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("职称", max_length=50, blank=True)
    expertise = models.TextField("研究方向与专长")
    publications = models.TextField("代表性论文与专利", blank=True)
    is_public = models.BooleanField("公开展示", default=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", organization="organization", public=Q(is_public=True))

    class Meta:
        verbose_name = "专家"
        verbose_name_plural = "专家"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Broker(DomainModel):
    """A technology broker (技术经理人); `user` is the account with which they follow matches up."""

    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="market_broker",
    )
    institution = models.ForeignKey(
        Organization,
        verbose_name="所在技术转移机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        Area, verbose_name="服务区域", on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "TransferInstitution",
        verbose_name="登记的技术转移机构",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="brokers",
    )
    certificate_no = models.CharField("技术经理人证书编号", max_length=40, blank=True)
    fields = models.CharField("擅长领域", max_length=300)
    deals = models.PositiveIntegerField("促成交易（项）", default=0)
    is_public = models.BooleanField("公开展示", default=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", organization="institution", public=Q(is_public=True))

    class Meta:
        verbose_name = "技术经理人"
        verbose_name_plural = "技术经理人"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class InstitutionLevel(models.TextChoices):
    NATIONAL = "national", "国家技术转移示范机构"
    PROVINCIAL = "provincial", "省级技术转移示范机构"
    CITY = "city", "市级技术转移机构"
    OTHER = "other", "其他（已备案）"


class TransferInstitution(DomainModel):
    """A technology-transfer institution (技术转移机构): its certificate and level, the fields it
    serves, the brokers registered with it (`Broker.agency`) and the deals it brokered."""

    name = models.CharField("机构名称", max_length=200, unique=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name="依托单位（单位库）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area = models.ForeignKey(
        Area, verbose_name="所在区域", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(
        "机构级别", max_length=12, choices=InstitutionLevel.choices, default=InstitutionLevel.OTHER
    )
    certificate_no = models.CharField("认定或备案编号", max_length=60, blank=True)
    fields = models.CharField("服务领域", max_length=300)
    services = models.TextField("服务内容", blank=True, help_text="如：评估、挂牌、交易、投融资")
    deals = models.PositiveIntegerField("促成交易（项）", default=0)
    is_public = models.BooleanField("公开展示", default=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", organization="organization", public=Q(is_public=True))

    class Meta:
        verbose_name = "技术转移机构"
        verbose_name_plural = "技术转移机构"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ListKind(models.TextChoices):
    DEMANDS = "demands", "技术需求清单"
    SCENARIOS = "scenarios", "新技术应用场景清单"
    KEY_DEMANDS = "key_demands", "关键技术需求清单"


class PublishedList(DomainModel):
    """A numbered list issued by staff (第N期…清单), frozen when issued: `items` keeps what each
    listing said on that day, whatever happens to it later."""

    kind = models.CharField("清单类型", max_length=12, choices=ListKind.choices)
    number = models.PositiveIntegerField("期数")
    title = models.CharField("标题", max_length=200)
    area = models.ForeignKey(
        Area, verbose_name="发布节点区域", on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        IndustryChain,
        verbose_name="产业链",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField("发布日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    demands = models.ManyToManyField(
        TechDemand, verbose_name="需求", blank=True, related_name="lists"
    )
    scenarios = models.ManyToManyField(
        Scenario, verbose_name="场景", blank=True, related_name="lists"
    )
    items = models.JSONField("清单内容（发布时冻结）", default=list)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", public=Q())

    class Meta:
        verbose_name = "发布清单"
        verbose_name_plural = "发布清单"
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="market_list_unique_number")
        ]

    def __str__(self) -> str:
        return self.title


class RoadshowKind(models.TextChoices):
    ROADSHOW = "roadshow", "路演"
    MATCHMAKING = "matchmaking", "对接会"


class Roadshow(DomainModel):
    """A roadshow or matchmaking event (路演/对接会, plan 六（三）): the published listings
    presented, the organizations that took part, and the matches it produced (`Match.roadshow`)."""

    title = models.CharField("活动名称", max_length=200)
    kind = models.CharField(
        "活动类型", max_length=12, choices=RoadshowKind.choices, default=RoadshowKind.ROADSHOW
    )
    held_on = models.DateField("举办日期")
    area = models.ForeignKey(
        Area, verbose_name="举办节点区域", on_delete=models.PROTECT, related_name="+"
    )
    venue = models.CharField("地点", max_length=200, blank=True)
    description = models.TextField("活动说明", blank=True)
    demands = models.ManyToManyField(
        TechDemand, verbose_name="推介的需求", blank=True, related_name="roadshows"
    )
    achievements = models.ManyToManyField(
        Achievement, verbose_name="路演的成果", blank=True, related_name="roadshows"
    )
    scenarios = models.ManyToManyField(
        Scenario, verbose_name="发布的场景", blank=True, related_name="roadshows"
    )
    participants = models.ManyToManyField(
        Organization, verbose_name="参会单位", blank=True, related_name="+"
    )
    guests = models.CharField("其他参会单位", max_length=500, blank=True)
    attendance = models.PositiveIntegerField("参会人数", default=0)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area")

    class Meta:
        verbose_name = "路演对接活动"
        verbose_name_plural = "路演对接活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class MatchStatus(models.TextChoices):
    RECOMMENDED = "recommended", "推荐"
    CONTACTED = "contacted", "已联系"
    NEGOTIATING = "negotiating", "洽谈中"
    SIGNED = "signed", "已签约"
    CLOSED = "closed", "已完结"
    FAILED = "failed", "未成"


PIPELINE = [
    MatchStatus.RECOMMENDED,
    MatchStatus.CONTACTED,
    MatchStatus.NEGOTIATING,
    MatchStatus.SIGNED,
    MatchStatus.CLOSED,
]
FINAL = (MatchStatus.CLOSED, MatchStatus.FAILED)


class Match(DomainModel):
    """A recommended pairing followed up by staff or a broker: a demand (or a scenario) and an
    achievement, the engine's score and explanation when it was recommended, the pipeline."""

    demand = models.ForeignKey(
        TechDemand,
        verbose_name="技术需求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
    )
    scenario = models.ForeignKey(
        Scenario,
        verbose_name="应用场景",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
    )
    achievement = models.ForeignKey(
        Achievement, verbose_name="科技成果", on_delete=models.PROTECT, related_name="matches"
    )
    area = models.ForeignKey(
        Area, verbose_name="需求方区域", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="需求方",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.FloatField("匹配得分", default=0)
    explanation = models.JSONField("匹配说明", default=list, blank=True)
    status = models.CharField(
        "跟进状态",
        max_length=12,
        choices=MatchStatus.choices,
        default=MatchStatus.RECOMMENDED,
        db_index=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="跟进人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    broker = models.ForeignKey(
        Broker,
        verbose_name="技术经理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
    )
    roadshow = models.ForeignKey(
        Roadshow,
        verbose_name="来源活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matches",
    )
    failure_reason = models.CharField("未成原因", max_length=500, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="area", organization="organization")

    class Meta:
        verbose_name = "对接匹配"
        verbose_name_plural = "对接匹配"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(demand__isnull=False) | Q(scenario__isnull=False),
                name="market_match_has_a_source",
            )
        ]

    def __str__(self) -> str:
        source = self.demand or self.scenario
        return f"{source} ↔ {self.achievement}"

    @property
    def source(self) -> TechDemand | Scenario | None:
        return self.demand or self.scenario


class MatchEvent(DomainModel):
    """One dated step of a match's follow-up (the pipeline's history)."""

    match = models.ForeignKey(
        Match, verbose_name="对接匹配", on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField("原状态", max_length=12, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=MatchStatus.choices)
    on = models.DateField("日期")
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeRule(area="match__area", organization="match__organization")

    class Meta:
        verbose_name = "跟进记录"
        verbose_name_plural = "跟进记录"
        ordering = ["on", "id"]


def new_lineage() -> str:
    return secrets.token_hex(8)


class IndexWatermark(models.Model):
    """How far the matching index has read: a copy of the index in any app server compares its
    own mark with this row and rebuilds when the database has moved on (derived data)."""

    name = models.CharField("索引", max_length=40, unique=True)
    version = models.PositiveBigIntegerField("版本", default=0)
    # Which database's history the versions count: a persisted copy of the index is loaded only
    # by servers of the same database (a copy from another database is rebuilt instead).
    lineage = models.CharField("数据库标识", max_length=32, default=new_lineage)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "匹配索引水位"
        verbose_name_plural = "匹配索引水位"

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"
