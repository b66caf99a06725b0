"""Cultivation data: configurable tier rule sets, the reserve-pool policy, screening runs, the
current reserve-pool entry of each enterprise and the history of its tier movements.

The rule engines themselves are pure (``kechuang.cultivation.engine``); these models hold what the
bureau edits (rule sets, policy) and what a screening run writes (entries, movements).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.cultivation.engine import tiers
from kechuang.registry.models import Area, Organization
from kechuang.registry.models.qualifications import IssuerLevel, QualificationKind


class RuleStatus(models.TextChoices):
    VERIFIED = "verified", "已核实"
    NEEDS_CONFIRMATION = "needs_confirmation", "待局方确认"
    HISTORICAL = "historical", "历史标准（仅供参考）"
    INACTIVE = "inactive", "停用"


class TierRuleSet(DomainModel):
    """A provincial or municipal tier (创新龙头、瞪羚、雏鹰、专精特新 ...) as data the bureau edits.

    ``criteria`` uses the format of :mod:`kechuang.cultivation.engine.tiers` (validated on save);
    a threshold left ``null`` means "not verified: the bureau must set it" and evaluates to
    unknown, never to pass.
    """

    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    issuer_level = models.CharField("认定层级", max_length=20, choices=IssuerLevel.choices)
    qualification_kind = models.CharField(
        "对应资质", max_length=30, choices=QualificationKind.choices, blank=True
    )
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    status = models.CharField("状态", max_length=30, choices=RuleStatus.choices)
    source = models.TextField("依据", blank=True)
    note = models.TextField("说明", blank=True)
    criteria = models.JSONField("条件", default=list)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "梯度培育标准"
        verbose_name_plural = "梯度培育标准"
        ordering = ["effective_from", "code"]

    def __str__(self) -> str:
        return self.name

    def as_engine_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "issuer_level": self.issuer_level,
            "qualification_kind": self.qualification_kind or None,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "status": self.status,
            "source": self.source,
            "note": self.note,
            "criteria": self.criteria,
        }

    def to_engine(self) -> tiers.TierRuleSpec:
        return tiers.load_rule_set(self.as_engine_dict())

    def clean(self) -> None:
        try:
            self.to_engine()
        except tiers.RuleError as error:
            raise ValidationError({"criteria": error.errors}) from error


class ReservePolicy(DomainModel):
    """The rules that put an enterprise into a reserve tier (种子/初创/成长/成熟), as data.

    Exactly one policy is active; screening runs record the version they used.
    """

    version = models.CharField("版本", max_length=60, unique=True)
    effective_from = models.DateField("生效日期")
    active = models.BooleanField("当前使用", default=False)
    source = models.TextField("依据", blank=True)
    note = models.TextField("说明", blank=True)
    exclude = models.JSONField("不入库条件", default=list, blank=True)
    tiers = models.JSONField("分级条件", default=list)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "后备库分级规则"
        verbose_name_plural = "后备库分级规则"
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_policy"
            )
        ]

    def __str__(self) -> str:
        return self.version

    def as_engine_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from,
            "source": self.source,
            "note": self.note,
            "exclude": self.exclude,
            "tiers": self.tiers,
        }

    def to_engine(self) -> tiers.ReservePolicySpec:
        return tiers.load_reserve_policy(self.as_engine_dict())

    def clean(self) -> None:
        try:
            self.to_engine()
        except tiers.RuleError as error:
            raise ValidationError({"tiers": error.errors}) from error


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "筛查中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ScreeningRun(DomainModel):
    """One batch screening of the enterprises on record (the whole city or one area)."""

    as_of = models.DateField("评价基准日")
    area = models.ForeignKey(
        Area,
        verbose_name="筛查范围",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="留空为全市。",
    )
    status = models.CharField(
        "状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="发起人", on_delete=models.SET_NULL, null=True, blank=True
    )
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    policy_version = models.CharField("分级规则版本", max_length=60, blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)
    error = models.TextField("错误信息", blank=True)

    scope = ScopeRule(area="area")

    class Meta:
        verbose_name = "批量筛查"
        verbose_name_plural = "批量筛查"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        where = self.area.name if self.area_id else "全市"
        return f"{where} {self.as_of:%Y-%m-%d} 筛查"

    @property
    def stages_text(self) -> str:
        return stage_counts_text(self.summary.get("stages", {}))


class ReserveTier(models.TextChoices):
    MATURE = "mature", "成熟型"
    GROWING = "growing", "成长型"
    STARTUP = "startup", "初创型"
    SEED = "seed", "种子型"


class Stage(models.TextChoices):
    """A step of the cultivation funnel a movement goes from or to ('' = not in the pool)."""

    HNTE = "hnte", "高新技术企业"
    MATURE = "mature", "成熟型"
    GROWING = "growing", "成长型"
    STARTUP = "startup", "初创型"
    SEED = "seed", "种子型"


# Labels of the stages as run summaries count them ("none": outside the pool).
STAGE_LABELS = {**dict(Stage.choices), "none": "未入库"}


def stage_counts_text(stages: dict[str, int]) -> str:
    """“种子型 72，初创型 54 …” in funnel order, for notes and command output."""
    order = ["none", "seed", "startup", "growing", "mature", "hnte"]
    keys = sorted(stages, key=lambda k: order.index(k) if k in order else len(order))
    return "，".join(f"{STAGE_LABELS.get(k, k)} {stages[k]}" for k in keys)


class DataStatus(models.TextChoices):
    COMPLETE = "complete", "数据完整"
    INCOMPLETE = "incomplete", "数据不全"
    NO_DATA = "no_data", "无已确认年报"


ELIGIBLE_CHOICES = [(0, "不符合"), (1, "符合"), (2, "待专家评审")]


class PoolEntry(DomainModel):
    """The latest screening result of one enterprise: its reserve tier and why.

    Written only by screening runs (``services.run_screening``); the history of tier changes is
    :class:`TierMovement`.
    """

    # The entries are derived data, rewritten in bulk by every run (services.pool), so their
    # two references are not database constraints checked row by row (PostgreSQL looked each
    # organization and run up once per entry, locking the organization's row: about 1.5 s of
    # a whole-city run). The writer checks both set-wise under its lock (the organizations
    # locked against writes, the run required), and Django's PROTECT keeps an organization or a
    # run that entries name from being deleted (tested).
    organization = models.OneToOneField(
        Organization,
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="pool_entry",
        db_constraint=False,
    )
    # Every run rewrites this column of every entry it screens: no index either (no page reads
    # the entries by run; the check that keeps a run with entries from being deleted reads the
    # table once).
    run = models.ForeignKey(
        ScreeningRun,
        verbose_name="最近筛查",
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    as_of = models.DateField("评价基准日")
    data_status = models.CharField("数据状态", max_length=12, choices=DataStatus.choices)
    missing = models.JSONField("数据问题", default=list, blank=True)
    latest_year = models.PositiveSmallIntegerField("最近会计年度", null=True, blank=True)
    # read through the (tier, hnte_failed) index of Meta.indexes: no index of its own
    tier = models.CharField("后备库层级", max_length=10, choices=ReserveTier.choices, blank=True)
    tier_since = models.DateField("进入该层级日期", null=True, blank=True)
    is_hnte = models.BooleanField("高新技术企业", default=False)
    is_tsme = models.BooleanField("科技型中小企业", default=False)
    is_gazelle = models.BooleanField("瞪羚企业", default=False)
    is_leader = models.BooleanField("创新龙头企业", default=False)
    hnte_eligible = models.PositiveSmallIntegerField(
        "高企条件", choices=ELIGIBLE_CHOICES, null=True, blank=True
    )
    hnte_failed = models.PositiveSmallIntegerField("高企未达条件数", null=True, blank=True)
    failed_conditions = models.JSONField("高企未达条件", default=list, blank=True)
    gaps = models.JSONField(
        "高企差距",
        default=list,
        blank=True,
        help_text="未达条件不超过 2 项的企业：单案例引擎给出的差距（用户单位）。",
    )
    hnte_total_min = models.PositiveSmallIntegerField("高企评分下限", null=True, blank=True)
    hnte_total_max = models.PositiveSmallIntegerField("高企评分上限", null=True, blank=True)
    tsme_eligible = models.PositiveSmallIntegerField(
        "科小条件", choices=ELIGIBLE_CHOICES, null=True, blank=True
    )
    tsme_total_min = models.PositiveSmallIntegerField("科小评分下限", null=True, blank=True)
    tier_results = models.JSONField("梯度标准结果", default=dict, blank=True)

    scope = ScopeRule(area="organization__area")

    class Meta:
        verbose_name = "高企后备库企业"
        verbose_name_plural = "高企后备库企业"
        ordering = ["organization__name"]
        indexes = [models.Index(fields=["tier", "hnte_failed"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_tier_display() or '未入库'}"


class TierMovement(DomainModel):
    """A change of reserve tier found by a screening run (动态跟踪); '' is "not in the pool"."""

    # Written only by screening runs (services.pool.write_pool), a whole city's at once (172,000
    # rows in a first run), which check both parents set-wise under their lock: the
    # organizations locked against writes, the run required. As database constraints,
    # PostgreSQL looked both up row by row at the commit (about 1.2 s of a first whole-city
    # run). Django's PROTECT keeps an organization with movements from being deleted, and
    # deleting a run deletes its movements (CASCADE, by Django): both tested.
    organization = models.ForeignKey(
        Organization,
        verbose_name="企业",
        on_delete=models.PROTECT,
        related_name="tier_movements",
        db_constraint=False,
    )
    run = models.ForeignKey(
        ScreeningRun,
        verbose_name="筛查",
        on_delete=models.CASCADE,
        related_name="movements",
        db_constraint=False,
    )
    on = models.DateField("日期")
    from_tier = models.CharField("原层级", max_length=10, choices=Stage.choices, blank=True)
    to_tier = models.CharField("新层级", max_length=10, choices=Stage.choices, blank=True)

    scope = ScopeRule(area="organization__area")

    class Meta:
        verbose_name = "后备库层级变动"
        verbose_name_plural = "后备库层级变动"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        before = self.get_from_tier_display() or "未入库"
        after = self.get_to_tier_display() or "未入库"
        return f"{self.organization} {before}→{after}"
