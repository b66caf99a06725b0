"""The register of technology contracts (技术合同认定登记), the registrar's workflow history,
objections, county registration points and the working-day calendar.

Amounts are in 万元 (Decimal). A contract hangs off its seller: registration is by the seller,
where it is (2024 draft 第十一条), so scoping follows the seller's area and organization.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from kechuang.contracts.engine import CATEGORIES, SUBCATEGORIES, DeductionKind
from kechuang.contracts.engine.amounts import check_declared
from kechuang.contracts.engine.categories import category_label, subcategory_label
from kechuang.contracts.engine.errors import ContractRuleError
from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models import Area, IndustryChain, Organization, Patent, TechField

AMOUNT = {"max_digits": 14, "decimal_places": 4}
SUBCATEGORY_CHOICES = [
    (code, f"{CATEGORIES[cat]}·{label}")
    for cat, subs in SUBCATEGORIES.items()
    for code, label in subs.items()
]


class ContractStatus(models.TextChoices):
    APPLIED = "applied", "已申请（待受理）"
    MORE_REQUESTED = "more_requested", "待补正材料"
    ACCEPTED = "accepted", "已受理（审查中）"
    EXPERT_REVIEW = "expert_review", "专家评审中"
    REGISTERED = "registered", "已登记"
    CHANGED = "changed", "已变更登记"
    CANCELLED = "cancelled", "已注销"
    REFUSED = "refused", "不予登记"


# The states counted in figures (a registration date, not cancelled).
COUNTED_STATES = (ContractStatus.REGISTERED, ContractStatus.CHANGED)
OPEN_STATES = (
    ContractStatus.APPLIED,
    ContractStatus.MORE_REQUESTED,
    ContractStatus.ACCEPTED,
    ContractStatus.EXPERT_REVIEW,
)


class ContractSource(models.TextChoices):
    ONLINE = "online", "网上申请"
    IMPORT = "import", "从登记系统导入"
    DEMO = "demo", "演示数据"


class TechContract(DomainModel):
    registration_no = models.CharField(
        "登记编号", max_length=40, unique=True, null=True, blank=True
    )
    check_code = models.CharField("校验码", max_length=12, blank=True, editable=False)
    category = models.CharField(
        "合同类别", max_length=20, choices=list(CATEGORIES.items()), db_index=True
    )
    subcategory = models.CharField("细分类别", max_length=30, choices=SUBCATEGORY_CHOICES)
    title = models.CharField("合同名称", max_length=300)
    seller = models.ForeignKey(
        Organization,
        verbose_name="卖方（本市单位）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts_sold",
    )
    seller_name = models.CharField("卖方名称", max_length=200)
    seller_uscc = models.CharField("卖方统一社会信用代码", max_length=18, blank=True)
    seller_area = models.ForeignKey(
        Area, verbose_name="卖方所在区域", on_delete=models.PROTECT, related_name="+"
    )
    buyer = models.ForeignKey(
        Organization,
        verbose_name="买方（本市单位）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts_bought",
    )
    buyer_name = models.CharField("买方名称", max_length=200)
    buyer_uscc = models.CharField("买方统一社会信用代码", max_length=18, blank=True)
    buyer_area = models.ForeignKey(
        Area,
        verbose_name="买方所在区域（本市）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    buyer_region = models.CharField(
        "买方所在省/市（市外）", max_length=60, blank=True, help_text="买方不在本市时填写"
    )
    tech_field = models.ForeignKey(
        TechField, verbose_name="技术领域", null=True, blank=True, on_delete=models.PROTECT
    )
    industry = models.ForeignKey(
        IndustryChain, verbose_name="所属产业", null=True, blank=True, on_delete=models.PROTECT
    )
    signed_on = models.DateField("签订日期")
    registered_on = models.DateField("登记日期", null=True, blank=True, db_index=True)
    total_amount = models.DecimalField(
        "合同成交额（万元）", validators=[MinValueValidator(Decimal(0))], **AMOUNT
    )
    declared_tech_amount = models.DecimalField(
        "申报技术交易额（万元）", null=True, blank=True, **AMOUNT
    )
    tech_amount = models.DecimalField("核定技术交易额（万元）", null=True, blank=True, **AMOUNT)
    payments_received = models.DecimalField(
        "已到账金额（万元）",
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        **AMOUNT,
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.APPLIED,
        db_index=True,
    )
    disputed = models.BooleanField("存在争议", default=False)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    clock_started_on = models.DateField("计时起算日", null=True, blank=True)
    due_on = models.DateField("办结期限", null=True, blank=True, db_index=True)
    refusal_reason = models.TextField("不予登记理由", blank=True)
    expert_opinion = models.TextField("专家评审意见", blank=True)
    contract_file = models.FileField("合同文本", upload_to="contracts/%Y/", blank=True)
    file_name = models.CharField("合同文本文件名", max_length=200, blank=True)
    patents = models.ManyToManyField(Patent, verbose_name="涉及专利", blank=True, related_name="+")
    source = models.CharField(
        "来源", max_length=10, choices=ContractSource.choices, default=ContractSource.ONLINE
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="seller_area", organization="seller")

    class Meta:
        verbose_name = "技术合同"
        verbose_name_plural = "技术合同"
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["status", "registered_on"])]

    def __str__(self) -> str:
        return f"{self.registration_no or '（未登记）'} {self.title}"

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def subcategory_label(self) -> str:
        return subcategory_label(self.category, self.subcategory)

    @property
    def counted_amount(self) -> Decimal:
        """技术交易额 as counted: the amount the registrar 核定, else the one declared."""
        if self.tech_amount is not None:
            return self.tech_amount
        return self.declared_tech_amount if self.declared_tech_amount is not None else Decimal(0)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.category and self.subcategory not in SUBCATEGORIES.get(self.category, {}):
            errors["subcategory"] = [
                f"{category_label(self.category)}合同的细分类别“{self.subcategory}”无效。"
            ]
        try:
            check_declared(self.total_amount, self.declared_tech_amount)
            check_declared(self.total_amount, self.tech_amount)
        except ContractRuleError as error:
            errors.update(error.errors)
        if self.registered_on and self.signed_on and self.registered_on < self.signed_on:
            errors["registered_on"] = [
                f"登记日期 {self.registered_on} 早于签订日期 {self.signed_on}：合同签订后才能登记。"
            ]
        total = self.total_amount
        if self.payments_received and total is not None and self.payments_received > total:
            errors["payments_received"] = ["已到账金额不能超过合同成交额。"]
        if self.buyer_area_id is None and not self.buyer_region:
            errors["buyer_region"] = ["买方不在本市时请填写其所在省或市（如“湖北省武汉市”）。"]
        if errors:
            raise ValidationError(errors)


class ContractDeduction(DomainModel):
    """One itemised cost inside the price: deducted (non-technical) or a carrier (not)."""

    contract = models.ForeignKey(
        TechContract, verbose_name="技术合同", on_delete=models.CASCADE, related_name="deductions"
    )
    kind = models.CharField("费用类别", max_length=30, choices=list(DeductionKind.LABELS.items()))
    description = models.CharField("说明", max_length=200, blank=True)
    amount = models.DecimalField(
        "金额（万元）", validators=[MinValueValidator(Decimal(0))], **AMOUNT
    )
    quantity = models.PositiveIntegerField("数量", default=1)

    scope = ScopeRule(area="contract__seller_area", organization="contract__seller")

    class Meta:
        verbose_name = "核定扣除项"
        verbose_name_plural = "核定扣除项"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} 万元"

    @property
    def deducted(self) -> bool:
        return self.kind in DeductionKind.DEDUCTED


class EventKind(models.TextChoices):
    APPLIED = "applied", "提交申请"
    ACCEPTED = "accepted", "受理"
    MORE_REQUESTED = "more_requested", "要求补正材料"
    MATERIAL_COMPLETED = "material_completed", "补正材料（重新计时）"
    CATEGORY_DECIDED = "category_decided", "认定类别"
    AMOUNT_ASSESSED = "amount_assessed", "核定技术交易额"
    EXPERT_REVIEW = "expert_review", "专家评审"
    REGISTERED = "registered", "登记"
    REFUSED = "refused", "不予登记"
    CHANGED = "changed", "变更登记"
    CANCELLED = "cancelled", "注销登记"
    IMPORTED = "imported", "导入"
    OBJECTION = "objection", "提出异议"
    OBJECTION_ANSWERED = "objection_answered", "答复异议"


class ContractEvent(DomainModel):
    """One dated step of a contract's history (the register's own record, beside the audit)."""

    contract = models.ForeignKey(
        TechContract, verbose_name="技术合同", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事项", max_length=30, choices=EventKind.choices)
    on = models.DateField("日期")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField("说明", blank=True)
    total_amount = models.DecimalField("成交额（万元）", null=True, blank=True, **AMOUNT)
    tech_amount = models.DecimalField("技术交易额（万元）", null=True, blank=True, **AMOUNT)

    scope = ScopeRule(area="contract__seller_area", organization="contract__seller")

    class Meta:
        verbose_name = "登记事项"
        verbose_name_plural = "登记事项"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class Objection(DomainModel):
    """An objection to a registration (2024 draft 第十七条): by a party, or by the finance or
    tax authorities reviewing a policy application; recorded and answered by the registrar."""

    contract = models.ForeignKey(
        TechContract, verbose_name="技术合同", on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.CharField("异议人", max_length=200)
    raised_on = models.DateField("提出日期")
    text = models.TextField("异议内容")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField("答复", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)

    scope = ScopeRule(area="contract__seller_area", organization="contract__seller")

    class Meta:
        verbose_name = "登记异议"
        verbose_name_plural = "登记异议"
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"{self.raised_on} {self.raised_by}"


class RegistrationPoint(DomainModel):
    """A county registration point: the county's staff register the contracts of sellers in
    its area (the city's registrar registers the others)."""

    area = models.OneToOneField(Area, verbose_name="区域", on_delete=models.PROTECT)
    active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    scope = ScopeRule(area="area", reference=True)

    class Meta:
        verbose_name = "县区登记点"
        verbose_name_plural = "县区登记点"

    def __str__(self) -> str:
        return str(self.area)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班"


class CalendarDay(DomainModel):
    """A holiday or a make-up working day; every other Monday–Friday is a working day."""

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=40, blank=True)
    source = models.CharField("依据", max_length=100, blank=True)

    scope = ScopeRule(reference=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"
