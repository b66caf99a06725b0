"""Innovation platforms (创新平台): laboratories, centres, carriers, talent stations ..."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When

from kechuang.core.models import Archivable, DomainModel
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


class InnovationPlatform(Archivable, DomainModel):
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
        self._check_history_fields()

    # The fields the status history decides (registry/services/platforms.py keeps them in step).
    HISTORY_FIELDS = ("status", "level", "approved_on")

    def _check_history_fields(self) -> None:
        """Once a platform has a recorded status history, its status, level and approval date
        follow that history: a form, the API or an import may not change them directly."""
        if self.pk is None or not self.status_changes.exists():
            return
        errors = {}
        for name in self.HISTORY_FIELDS:
            stored = self.stored_value(name)
            value = getattr(self, name)
            shown = value.isoformat() if isinstance(value, dt.date) else value
            if stored != shown:
                label = self._meta.get_field(name).verbose_name
                errors[name] = (
                    f"{label}由平台的状态变更记录决定，不能直接修改；"
                    "请在平台详情页“状态变更”中记录批准、升级、暂停、撤销等事项。"
                )
        if errors:
            raise ValidationError(errors)


class PlatformEvent(models.TextChoices):
    """What happened to a platform on a day (the status history)."""

    APPROVED = "approved", "批准"
    UPGRADED = "upgraded", "升级"
    DOWNGRADED = "downgraded", "降级"
    SUSPENDED = "suspended", "暂停"
    RESUMED = "resumed", "恢复"
    REVOKED = "revoked", "撤销"
    MERGED = "merged", "整合"


class PlatformStatusChange(DomainModel):
    """One dated event of a platform's history. `status_after` and `level_after` are the
    platform's status and level from that day on; the service (registry/services/platforms.py)
    computes them by replaying the platform's events in order (engine/platform_history.py), so
    "the status on day D" is the `status_after` of the latest event on or before D."""

    platform = models.ForeignKey(
        InnovationPlatform,
        verbose_name="创新平台",
        on_delete=models.PROTECT,
        related_name="status_changes",
    )
    event = models.CharField("事项", max_length=20, choices=PlatformEvent.choices)
    date = models.DateField("日期", db_index=True)
    level = models.CharField(
        "新级别",
        max_length=20,
        choices=PlatformLevel.choices,
        blank=True,
        help_text="升级、降级时必填；批准时留空表示平台现有级别。",
    )
    merged_into = models.ForeignKey(
        InnovationPlatform,
        verbose_name="整合进入的平台",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    document_no = models.CharField("文号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    status_after = models.CharField(
        "变更后状态", max_length=20, choices=PlatformStatus.choices, editable=False
    )
    level_before = models.CharField(
        "变更前级别", max_length=20, choices=PlatformLevel.choices, blank=True, editable=False
    )
    level_after = models.CharField(
        "变更后级别", max_length=20, choices=PlatformLevel.choices, editable=False
    )

    scope = ScopeRule(area="platform__area", organization="platform__host")

    class Meta:
        verbose_name = "平台状态变更"
        verbose_name_plural = "平台状态变更"
        ordering = ["platform", "date", "pk"]
        indexes = [models.Index(fields=["platform", "date"], name="platform_change_day")]

    def __str__(self) -> str:
        return f"{self.platform} {self.date} {self.get_event_display()}"


# --- the state of platforms on a day --------------------------------------------------------


def _latest_change(day: dt.date) -> QuerySet[PlatformStatusChange]:
    return PlatformStatusChange.objects.filter(platform=OuterRef("pk"), date__lte=day).order_by(
        "-date", "-pk"
    )


def with_state_on(queryset: QuerySet[InnovationPlatform], day: dt.date) -> QuerySet:
    """Annotate `status_on` and `level_on`: the platform's status and level on `day`.

    With a recorded history they come from the latest event on or before `day` (no event yet:
    status None, not yet approved). A platform without any recorded event (created by a form or
    an import before its history was kept) falls back to its current fields: its current status
    from `approved_on` on, nothing before (nor when `approved_on` is empty, as before).
    One query: two correlated subqueries on the (platform, date) index.
    """
    has_history = Exists(PlatformStatusChange.objects.filter(platform=OuterRef("pk")))
    latest = _latest_change(day)
    fallback_status = Case(When(approved_on__lte=day, then=F("status")), default=Value(None))
    return queryset.annotate(
        status_on=Case(
            When(has_history, then=Subquery(latest.values("status_after")[:1])),
            default=fallback_status,
            output_field=models.CharField(),
        ),
        level_on=Case(
            When(has_history, then=Subquery(latest.values("level_after")[:1])),
            default=F("level"),
            output_field=models.CharField(),
        ),
    )


def operating_on(queryset: QuerySet[InnovationPlatform], day: dt.date) -> QuerySet:
    """The platforms of `queryset` operating (运行中) on `day`, with `level_on` annotated."""
    return with_state_on(queryset, day).filter(status_on=PlatformStatus.OPERATING)


def operating_on_q(day: dt.date) -> Q:
    """A filter condition: the platform operates on `day` (for filter schemas)."""
    return Q(pk__in=operating_on(InnovationPlatform.objects.all(), day).values("pk"))


def new_between_q(
    start: dt.date | None, end: dt.date | None, levels: tuple[str, ...] | list[str] | None = None
) -> Q:
    """Platforms new between `start` and `end` inclusive (either bound may be open), at one of
    `levels` (any level when None).

    New at a level means approved at it, or upgraded into it from a level outside `levels`: a
    municipal platform upgraded to provincial is a new provincial platform (the province's
    approval lists count it as such), and a new 省级以上 one, while a provincial platform
    upgraded to national is a new national platform but not a new 省级以上 one. Without a
    recorded history the approval date and the current level stand in (as in `with_state_on`).
    """
    events, without_history = new_between_parts(start, end, levels)
    return Q(pk__in=events.values("platform")) | Q(pk__in=without_history.values("pk"))


def new_between_parts(
    start: dt.date | None, end: dt.date | None, levels: tuple[str, ...] | list[str] | None = None
) -> tuple[QuerySet[PlatformStatusChange], QuerySet[InnovationPlatform]]:
    """The two halves of `new_between_q`: the events that make a platform new between `start`
    and `end` (approval at, or upgrade into, `levels`), and the platforms without a recorded
    history approved then at one of `levels` (their approval date and level standing in)."""
    approved = Q(event=PlatformEvent.APPROVED)
    upgraded = Q(event=PlatformEvent.UPGRADED)
    plain = Q(approved_on__isnull=False)
    dates = Q()
    if start:
        dates &= Q(date__gte=start)
        plain &= Q(approved_on__gte=start)
    if end:
        dates &= Q(date__lte=end)
        plain &= Q(approved_on__lte=end)
    if levels:
        approved &= Q(level_after__in=levels)
        upgraded &= Q(level_after__in=levels) & ~Q(level_before__in=levels)
        plain &= Q(level__in=levels)
    else:
        upgraded = Q(pk__in=[])  # any level: only the approval makes a platform new
    events = PlatformStatusChange.objects.filter(dates & (approved | upgraded))
    without_history = InnovationPlatform.objects.filter(plain).filter(
        ~Exists(PlatformStatusChange.objects.filter(platform=OuterRef("pk")))
    )
    return events, without_history
