"""Policies (惠企政策) as data with their versions, benefit runs (eligibility computed on the
confirmed registry for a year), entitlements with the facts and rule that decided them, the
public notice's objections, and payment batches within the budget.

Money is in 元 (Decimal, to the fen). A version's document is fixed once a run used it: editing a
policy makes a new version, so each run keeps the rules it was computed under.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.policies.engine.vocabulary import FREQUENCIES, MODES
from kechuang.registry.models import Organization

MONEY = {"max_digits": 16, "decimal_places": 2}


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "草拟（测算中）"
    ISSUED = "issued", "已发布"
    RETIRED = "retired", "已停止执行"


class Policy(DomainModel):
    code = models.SlugField("政策编号", max_length=60, unique=True)
    name = models.CharField("政策名称", max_length=200)
    label = models.CharField(
        "标注", max_length=60, blank=True, help_text="如：示例政策（待局方按正式文件配置）"
    )
    mode = models.CharField(
        "兑现方式", max_length=10, choices=list(MODES.items()), default="exempt"
    )
    frequency = models.CharField(
        "兑现频次", max_length=10, choices=list(FREQUENCIES.items()), default="yearly"
    )
    document = models.CharField("依据文件", max_length=300, blank=True)
    article = models.CharField("条款", max_length=100, blank=True)
    department = models.CharField("资金拨付部门", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    is_demo = models.BooleanField("演示数据", default=False)

    # Issued policies are public; drafts and runs are the bureau's (see selectors.policies_for).
    scope = ScopeRule(public=Q(status=PolicyStatus.ISSUED))

    class Meta:
        verbose_name = "惠企政策"
        verbose_name_plural = "惠企政策"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> PolicyVersion | None:
        return self.versions.order_by("-number").first()


class PolicyVersion(DomainModel):
    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    text = models.TextField("规则文本（YAML/JSON）")
    rules = models.JSONField("规则（已校验）")
    budget_total = models.DecimalField(
        "年度预算（元）", null=True, blank=True, validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    note = models.CharField("修订说明", max_length=300, blank=True)

    scope = ScopeRule(public=Q(policy__status=PolicyStatus.ISSUED))

    class Meta:
        verbose_name = "政策版本"
        verbose_name_plural = "政策版本"
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.policy} 第 {self.number} 版"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RunStage(models.TextChoices):
    REVIEW = "review", "审核中"
    NOTICE = "notice", "公示中"
    CLOSED = "closed", "公示结束"


class BenefitRun(DomainModel):
    version = models.ForeignKey(
        PolicyVersion, verbose_name="政策版本", on_delete=models.PROTECT, related_name="runs"
    )
    year = models.PositiveSmallIntegerField("政策年度")
    as_of = models.DateField("数据截止日")
    status = models.CharField(
        "计算状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    stage = models.CharField(
        "阶段", max_length=10, choices=RunStage.choices, default=RunStage.REVIEW
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    evaluated = models.PositiveIntegerField("参评企业数", default=0)
    entitled = models.PositiveIntegerField("符合条件企业数", default=0)
    near_miss = models.PositiveIntegerField("差一项条件企业数", default=0)
    total = models.DecimalField("应兑现合计（元）", default=Decimal(0), **MONEY)
    error = models.CharField("失败原因", max_length=500, blank=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule()  # the bureau's; counties read runs through selectors.runs_for

    class Meta:
        verbose_name = "兑现批次计算"
        verbose_name_plural = "兑现批次计算"
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return f"{self.version.policy} {self.year} 年度"

    @property
    def policy(self) -> Policy:
        return self.version.policy

    def clean(self) -> None:
        super().clean()
        start, end = self.notice_start, self.notice_end
        # (a value that failed its own field check is still the typed text here: skip)
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            raise ValidationError({"notice_end": "公示结束日期不能早于开始日期，请重新填写。"})


class EntitlementStatus(models.TextChoices):
    ENTITLED = "entitled", "符合条件（待确认）"
    NEAR_MISS = "near_miss", "差一项条件"
    REFUSED = "refused", "不符合条件（申报未通过）"
    HELD = "held", "暂缓（异议处理中）"
    EXCLUDED = "excluded", "已剔除"
    CONFIRMED = "confirmed", "企业已确认"
    DECLINED = "declined", "企业已放弃"
    BATCHED = "batched", "已列入拨付批次"
    PAID = "paid", "已拨付"


# States whose amount is still owed (the stacking of later policies counts them).
LIVE_STATES = (
    EntitlementStatus.ENTITLED,
    EntitlementStatus.HELD,
    EntitlementStatus.CONFIRMED,
    EntitlementStatus.BATCHED,
    EntitlementStatus.PAID,
)


class Entitlement(DomainModel):
    run = models.ForeignKey(
        BenefitRun, verbose_name="计算批次", on_delete=models.CASCADE, related_name="entitlements"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="企业", on_delete=models.PROTECT, related_name="entitlements"
    )
    status = models.CharField(
        "状态", max_length=10, choices=EntitlementStatus.choices, db_index=True
    )
    computed_amount = models.DecimalField("测算金额（元）", default=Decimal(0), **MONEY)
    amount = models.DecimalField(
        "核定金额（元）", default=Decimal(0), validators=[MinValueValidator(Decimal(0))], **MONEY
    )
    base = models.DecimalField("计算基数", null=True, blank=True, max_digits=18, decimal_places=4)
    formula = models.CharField("计算过程", max_length=500, blank=True)
    stacking_note = models.CharField("不重复享受说明", max_length=300, blank=True)
    checks = models.JSONField("条件核对", default=list, blank=True)
    gaps = models.JSONField("未满足的条件", default=list, blank=True)
    review_reason = models.CharField("剔除/调整理由", max_length=300, blank=True)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    decline_reason = models.CharField("放弃理由", max_length=300, blank=True)
    batch = models.ForeignKey(
        "PaymentBatch",
        verbose_name="拨付批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entitlements",
    )
    paid_amount = models.DecimalField("拨付金额（元）", null=True, blank=True, **MONEY)
    paid_on = models.DateField("拨付日期", null=True, blank=True)

    scope = ScopeRule(area="organization__area", organization="organization")
    audit_redacted_fields = ("bank_account",)

    class Meta:
        verbose_name = "政策兑现名单"
        verbose_name_plural = "政策兑现名单"
        ordering = ["run", "-amount", "organization"]
        constraints = [
            models.UniqueConstraint(fields=["run", "organization"], name="entitlement_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.run}"

    @staticmethod
    def delete_for_demo_organizations(demo: models.QuerySet) -> int:
        """For `generate_demo --replace` (registry.synthetic.writer): the demo policies' rows
        and every entitlement of a demo organization, with their objections (bulk, no per-row
        audit: demo data). Returns the entitlements deleted."""
        demo_runs = BenefitRun.objects.filter(is_demo=True)
        rows = Entitlement.objects.filter(Q(organization__in=demo) | Q(run__in=demo_runs))
        Objection.objects.filter(entitlement__in=rows)._raw_delete(Objection.objects.db)
        count = rows._raw_delete(rows.db)
        PaymentBatch.objects.filter(run__in=demo_runs)._raw_delete(PaymentBatch.objects.db)
        demo_runs._raw_delete(demo_runs.db)
        versions = PolicyVersion.objects.filter(policy__is_demo=True)
        versions._raw_delete(versions.db)
        Policy.objects.filter(is_demo=True)._raw_delete(Policy.objects.db)
        return count

    @property
    def masked_account(self) -> str:
        account = self.bank_account
        return f"{'*' * max(0, len(account) - 4)}{account[-4:]}" if account else ""


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待答复"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


class Objection(DomainModel):
    entitlement = models.ForeignKey(
        Entitlement, verbose_name="兑现记录", on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("异议内容")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    scope = ScopeRule(
        area="entitlement__organization__area", organization="entitlement__organization"
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entitlement} 的异议"


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "待拨付"
    PAID = "paid", "已拨付"


class PaymentBatch(DomainModel):
    run = models.ForeignKey(
        BenefitRun, verbose_name="计算批次", on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveIntegerField("批次号")
    status = models.CharField(
        "状态", max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    requested = models.DecimalField("应兑现合计（元）", default=Decimal(0), **MONEY)
    total = models.DecimalField("本批拨付合计（元）", default=Decimal(0), **MONEY)
    budget_left = models.DecimalField("本批可用预算（元）", null=True, blank=True, **MONEY)
    budget_note = models.CharField("预算说明", max_length=300, blank=True)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule()

    class Meta:
        verbose_name = "拨付批次"
        verbose_name_plural = "拨付批次"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="payment_batch_number")
        ]

    def __str__(self) -> str:
        return f"{self.run} 第 {self.number} 批"
