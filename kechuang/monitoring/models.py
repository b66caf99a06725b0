"""The plan as data (plans, indicators, commitments), observations with provenance and
vintages, and the county split of targets. The arithmetic lives in `monitoring/engine`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.monitoring.engine.observations import OBSERVATION_KINDS
from kechuang.monitoring.engine.plan_file import (
    COMPARATOR_LABELS,
    COMPARATORS,
    DIRECTIONS,
    GROWTH_LABELS,
    GROWTH_MODELS,
    KINDS,
    MEASURE_LABELS,
    MEASURES,
    NATURE_LABELS,
    NATURES,
    TARGET_KIND_LABELS,
)


class ComputedFrom(models.TextChoices):
    NONE = "", "仅用发布数据"
    HNTE_COUNT = "hnte_count", "登记库：年末有效高新技术企业资质"
    TSME_COUNT = "tsme_count", "登记库：年末有效科技型中小企业资质"
    PLATFORMS = "platforms", "登记库：年末运行中的创新平台"
    HV_PATENTS = "hv_patents_per_10k", "登记库：年末有效高价值发明专利 ÷ 常住人口"
    INDUSTRIAL_RD = "industrial_rd_ratio", "登记库：规上企业研发费用 ÷ 营业收入（已确认年报）"
    TECH_CONTRACTS = (
        "tech_contract_amount",
        "技术合同登记库：卖方在本区域、当年登记的合同成交额（已注销不计，变更按最新金额）",
    )


class Plan(DomainModel):
    code = models.CharField("规划编号", max_length=40, unique=True)
    title = models.CharField("规划名称", max_length=200)
    document_number = models.CharField("文号", max_length=60)
    issued_on = models.DateField("印发日期")
    start_year = models.PositiveSmallIntegerField("起始年")
    end_year = models.PositiveSmallIntegerField("终止年")
    area = models.ForeignKey(
        "registry.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+"
    )
    source_file = models.CharField("来源文件", max_length=200, blank=True)
    notes = models.JSONField("说明", default=list, blank=True)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "规划"
        verbose_name_plural = "规划"
        ordering = ["-start_year"]

    def __str__(self) -> str:
        return f"{self.title}（{self.start_year}—{self.end_year}）"


class Indicator(DomainModel):
    """One indicator of the plan's target table, or an auxiliary series (e.g. population)."""

    plan = models.ForeignKey(
        Plan, verbose_name="规划", on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField("指标代码", max_length=40)
    name = models.CharField("指标名称", max_length=100)
    unit = models.CharField("单位", max_length=20)
    baseline_year = models.PositiveSmallIntegerField("基期年", null=True, blank=True)
    baseline_value = models.DecimalField(
        "基期值", max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField("目标年", null=True, blank=True)
    target_value = models.DecimalField(
        "目标值", max_digits=16, decimal_places=4, null=True, blank=True
    )
    kind = models.CharField(
        "目标类型", max_length=30, choices=[(k, TARGET_KIND_LABELS[k]) for k in KINDS]
    )
    direction = models.CharField(
        "方向",
        max_length=10,
        choices=[(d, {"increase": "越大越好", "decrease": "越小越好"}[d]) for d in DIRECTIONS],
        default="increase",
    )
    growth_model = models.CharField(
        "规划路径",
        max_length=20,
        choices=[(g, GROWTH_LABELS[g]) for g in GROWTH_MODELS],
        default="linear",
    )
    nature = models.CharField(
        "指标属性",
        max_length=10,
        choices=[(n, NATURE_LABELS[n]) for n in NATURES],
        default="expected",
        help_text="预期性：引导方向、争取实现；约束性：必须完成。",
    )
    source_section = models.CharField("出处", max_length=200, blank=True)
    source_quote = models.CharField("原文", max_length=300, blank=True)
    notes = models.JSONField("说明", default=list, blank=True)
    computed_from = models.CharField(
        "计算来源", max_length=40, choices=ComputedFrom.choices, blank=True, default=""
    )
    is_auxiliary = models.BooleanField(
        "辅助数据", default=False, help_text="不在规划目标表中，如常住人口。"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["plan", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_code_per_plan")
        ]

    def __str__(self) -> str:
        return self.name

    # The engine reads these as floats (TargetLike).
    @property
    def target_spec(self) -> dict[str, object]:
        return {
            "code": self.code,
            "kind": self.kind,
            "direction": self.direction,
            "growth_model": self.growth_model,
            "baseline_year": self.baseline_year,
            "baseline_value": float(self.baseline_value),
            "target_year": self.target_year,
            "target_value": float(self.target_value),
        }


class Commitment(DomainModel):
    """A quantitative promise in the plan's text, with the section and wording it comes from."""

    plan = models.ForeignKey(
        Plan, verbose_name="规划", on_delete=models.CASCADE, related_name="commitments"
    )
    code = models.CharField("代码", max_length=60)
    title = models.CharField("承诺事项", max_length=200)
    section = models.CharField("出处章节", max_length=40)
    quote = models.CharField("原文", max_length=400)
    unit = models.CharField("单位", max_length=60, blank=True)
    comparator = models.CharField(
        "比较方式", max_length=10, choices=[(c, COMPARATOR_LABELS[c]) for c in COMPARATORS]
    )
    measure = models.CharField(
        "计量方式", max_length=12, choices=[(m, MEASURE_LABELS[m]) for m in MEASURES]
    )
    target_year = models.PositiveSmallIntegerField("目标年")
    value = models.DecimalField("目标值", max_digits=16, decimal_places=4, null=True, blank=True)
    low = models.DecimalField("下限", max_digits=16, decimal_places=4, null=True, blank=True)
    high = models.DecimalField("上限", max_digits=16, decimal_places=4, null=True, blank=True)
    benchmark = models.CharField("参照标准", max_length=100, blank=True)
    benchmark_area = models.ForeignKey(
        "registry.Area",
        verbose_name="基准区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="对标型承诺以该区域同年的监测值为基准（如河南省）。",
    )
    tolerance_absolute = models.DecimalField(
        "允许偏差（绝对）", max_digits=16, decimal_places=4, null=True, blank=True
    )
    tolerance_relative = models.DecimalField(
        "允许偏差（相对）", max_digits=6, decimal_places=4, null=True, blank=True
    )
    tolerance_note = models.CharField("允许偏差说明", max_length=200, blank=True)
    areas = models.JSONField(
        "适用区域",
        default=list,
        blank=True,
        help_text="逐年承诺适用的区域：city、counties 或区划代码。",
    )
    computed = models.JSONField(
        "登记库计数", default=dict, blank=True, help_text="与发布数并列显示的登记库计数口径。"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="对应指标",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    notes = models.JSONField("说明", default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "量化承诺"
        verbose_name_plural = "量化承诺"
        ordering = ["plan", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="commitment_code_per_plan")
        ]

    def __str__(self) -> str:
        return self.title


class ObservationKind(models.TextChoices):
    ACTUAL = "actual", OBSERVATION_KINDS["actual"]
    PRELIMINARY = "preliminary", OBSERVATION_KINDS["preliminary"]
    PARTIAL = "partial", OBSERVATION_KINDS["partial"]
    FORECAST = "forecast", OBSERVATION_KINDS["forecast"]
    CUMULATIVE = "cumulative", OBSERVATION_KINDS["cumulative"]
    TARGET = "target", OBSERVATION_KINDS["target"]


class ReviewState(models.TextChoices):
    OK = "ok", "有效"
    CONFLICT = "conflict", "来源冲突，待核实"
    REJECTED = "rejected", "核实后不采用"
    WITHDRAWN = "withdrawn", "已作废"


# States whose figures count nowhere (progress, commitments, the report, conflicts).
NOT_COUNTED_STATES = (ReviewState.REJECTED, ReviewState.WITHDRAWN)


class Observation(DomainModel):
    """One value of an indicator (or commitment) for one area and one period, with provenance.

    Every vintage is kept: a revision is a new row with a later `as_of`; the engine counts the
    newest. `period` keeps what was entered ("2023", "2021-2025", "2022-01/2022-10"); `start` and
    `end` are its first and last day, `year` the year it is counted for (the end's year).
    """

    indicator = models.ForeignKey(
        Indicator,
        verbose_name="指标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observations",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name="量化承诺",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observations",
    )
    area = models.ForeignKey(
        "registry.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="observations"
    )
    period = models.CharField("期间", max_length=20)
    start = models.DateField("期间起")
    end = models.DateField("期间止")
    year = models.PositiveSmallIntegerField("计入年度", db_index=True)
    value = models.DecimalField("数值", max_digits=18, decimal_places=4)
    kind = models.CharField("数据类型", max_length=12, choices=ObservationKind.choices)
    as_of = models.DateField("发布/修订日期")
    source_title = models.CharField("来源名称", max_length=200)
    source_issuer = models.CharField("发布机构", max_length=100, blank=True)
    source_url = models.CharField("来源地址", max_length=300, blank=True)
    source_quote = models.CharField("原文摘录", max_length=300, blank=True)
    other_scope = models.CharField(
        "口径说明", max_length=100, blank=True, help_text="如：取自全省口径，非本市数据。"
    )
    state = models.CharField(
        "状态", max_length=10, choices=ReviewState.choices, default=ReviewState.OK, db_index=True
    )
    state_note = models.CharField("核实说明", max_length=300, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User",
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_check = models.CharField(
        "确认事项",
        max_length=300,
        blank=True,
        help_text="录入时数值异常（如较上年变化超过设定倍数）、经录入人确认的事项。",
    )
    confirmed_reason = models.CharField("确认理由", max_length=300, blank=True)
    withdrawn_at = models.DateTimeField("作废时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "accounts.User",
        verbose_name="作废人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.CharField("作废理由", max_length=300, blank=True)

    scope = ScopeRule(area="area")

    class Meta:
        verbose_name = "监测值"
        verbose_name_plural = "监测值"
        ordering = ["-year", "-as_of", "-pk"]
        indexes = [models.Index(fields=["indicator", "area", "year"])]

    def __str__(self) -> str:
        subject = self.indicator or self.commitment
        return f"{subject} · {self.area} · {self.period} · {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        if bool(self.indicator_id) == bool(self.commitment_id):
            raise ValidationError({"indicator": "监测值须对应一个指标或一项量化承诺（二选一）。"})
        if self.as_of and self.as_of > timezone.localdate():
            raise ValidationError({"as_of": "发布日期不能晚于今天。"})


class AreaTarget(DomainModel):
    """An area's share of a city target (by baseline share or set by hand)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="area_targets"
    )
    area = models.ForeignKey(
        "registry.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+"
    )
    baseline_value = models.DecimalField(
        "基期值", max_digits=16, decimal_places=4, null=True, blank=True
    )
    target_value = models.DecimalField("目标值", max_digits=16, decimal_places=4)
    method = models.CharField(
        "分解方式",
        max_length=20,
        choices=[("baseline_share", "按基期占比"), ("manual", "手工设定")],
    )

    scope = ScopeRule(area="area")

    class Meta:
        verbose_name = "区域目标"
        verbose_name_plural = "区域目标"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area"], name="area_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.area}"
