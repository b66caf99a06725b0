"""Annual figures (年报): the confirmed values, and the submissions that change them.

`AnnualReport` holds only confirmed figures, the ones indicators and screening read. A change —
from an enterprise, a county or the city — is a `FigureSubmission` with the proposed values; it
goes 填报 submitted → 县区审核 area_checked → 市级确认 confirmed (or is returned with a comment),
and only confirmation writes the values into the `AnnualReport`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models.organizations import Organization


def amount(label: str, allow_negative: bool = False, **kwargs: Any) -> models.DecimalField:
    validators = [] if allow_negative else [MinValueValidator(Decimal(0), "金额不能为负数。")]
    return models.DecimalField(
        f"{label}（万元）",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=validators,
        **kwargs,
    )


def count(label: str, unit: str = "人") -> models.DecimalField:
    return models.DecimalField(
        f"{label}（{unit}）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), "数量不能为负数。")],
    )


def items(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(f"{label}（项）", null=True, blank=True)


# The figure fields, in the order of the form and the spreadsheet. Names follow the cultivation
# engine's case format (kechuang/cultivation/engine/case.py) where the two meet.
FIGURE_FIELDS = (
    "total_revenue",
    "sales_revenue",
    "main_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "rd_staff_cost",
    "rd_direct_inputs",
    "rd_depreciation",
    "rd_amortisation",
    "rd_design_trial",
    "rd_other",
    "cost_expense_total",
    "employees_avg",
    "st_staff_avg",
    "rd_staff_fte",
    "net_assets_start",
    "net_assets_end",
    "total_assets_end",
    "ip_class_i_granted",
    "ip_class_ii_granted",
    "ip_class_i_held",
    "ip_class_ii_held",
    "tech_contract_income",
    "tech_conversions",
)
RD_CATEGORY_FIELDS = (
    "rd_staff_cost",
    "rd_direct_inputs",
    "rd_depreciation",
    "rd_amortisation",
    "rd_design_trial",
    "rd_other",
)


class AnnualReport(DomainModel):
    organization = models.ForeignKey(
        Organization, verbose_name="单位", on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(
        "年度",
        validators=[
            MinValueValidator(2000, "年度不早于 2000 年。"),
            MaxValueValidator(2100, "年度不晚于 2100 年。"),
        ],
    )
    total_revenue = amount("总收入")
    sales_revenue = amount("销售收入")
    main_revenue = amount("主营业务收入")
    hightech_revenue = amount("高新技术产品（服务）收入")
    rd_expense = amount("研发费用总额")
    rd_expense_domestic = amount("其中：境内研发费用")
    rd_staff_cost = amount("人员人工费用")
    rd_direct_inputs = amount("直接投入费用")
    rd_depreciation = amount("折旧费用")
    rd_amortisation = amount("无形资产摊销")
    rd_design_trial = amount("设计和试验费用")
    rd_other = amount("其他相关费用")
    cost_expense_total = amount("成本费用支出总额")
    employees_avg = count("职工总数（全年月平均）")
    st_staff_avg = count("科技人员（全年月平均）")
    rd_staff_fte = count("研发人员全时当量", "人年")
    net_assets_start = amount("年初净资产", allow_negative=True)
    net_assets_end = amount("年末净资产", allow_negative=True)
    total_assets_end = amount("年末资产总额")
    ip_class_i_granted = items("当年获得Ⅰ类知识产权")
    ip_class_ii_granted = items("当年获得Ⅱ类知识产权")
    ip_class_i_held = items("拥有有效Ⅰ类知识产权")
    ip_class_ii_held = items("拥有有效Ⅱ类知识产权")
    tech_contract_income = amount("技术合同收入")
    tech_conversions = items("科技成果转化")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    scope = ScopeRule(area="organization__area", organization="organization")

    class Meta:
        verbose_name = "年度数据"
        verbose_name_plural = "年度数据"
        ordering = ["organization", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="annual_report_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["year", "organization"]),
            # Covers monitoring's computed industrial_rd_ratio (规上工业企业研发费用占比): the
            # scan reads the index alone, not 890,940 rows (bench/bench_progress.py).
            models.Index(
                fields=["year", "organization", "confirmed_at", "rd_expense", "total_revenue"],
                name="annual_report_rd_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year} 年度"

    def clean(self) -> None:
        super().clean()
        raise_figure_errors(check_figures(self.figures()))

    def figures(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


def check_figures(values: dict[str, Any]) -> dict[str, str]:
    """Cross-field rules of one year's figures; returns {field: Chinese message}."""
    errors: dict[str, str] = {}

    def get(name: str) -> Decimal | None:
        value = values.get(name)
        return None if value is None else Decimal(str(value))

    rd, revenue = get("rd_expense"), get("total_revenue")
    if rd is not None and revenue is not None and rd > revenue:
        errors["rd_expense"] = f"研发费用（{rd} 万元）不能高于总收入（{revenue} 万元）。"
    domestic = get("rd_expense_domestic")
    if rd is not None and domestic is not None and domestic > rd:
        errors["rd_expense_domestic"] = "境内研发费用不能高于研发费用总额。"
    parts = [get(name) for name in RD_CATEGORY_FIELDS]
    if rd is not None and any(p is not None for p in parts):
        total = sum((p for p in parts if p is not None), Decimal(0))
        if total > rd + Decimal("0.01"):
            errors["rd_other"] = (
                f"研发费用各明细合计（{total} 万元）高于研发费用总额（{rd} 万元）。"
            )
    hightech = get("hightech_revenue")
    if hightech is not None and revenue is not None and hightech > revenue:
        errors["hightech_revenue"] = "高新技术产品（服务）收入不能高于总收入。"
    main, sales = get("main_revenue"), get("sales_revenue")
    if main is not None and sales is not None and main > sales:
        errors["main_revenue"] = "主营业务收入不能高于销售收入。"
    staff, st = get("employees_avg"), get("st_staff_avg")
    if staff is not None and st is not None and st > staff:
        errors["st_staff_avg"] = "科技人员数不能多于职工总数。"
    return errors


def raise_figure_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "已填报，待县区审核"
    AREA_CHECKED = "area_checked", "县区已审核，待市级确认"
    CONFIRMED = "confirmed", "市级已确认"
    RETURNED = "returned", "已退回修改"


class FigureSubmission(DomainModel):
    """Proposed figures for one organization and year, on their way to confirmation."""

    organization = models.ForeignKey(
        Organization,
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="figure_submissions",
    )
    year = models.PositiveSmallIntegerField("年度")
    values = models.JSONField("填报数据", default=dict)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
        db_index=True,
    )
    submitted_by = models.ForeignKey(
        "accounts.User",
        verbose_name="填报人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    report = models.ForeignKey(
        AnnualReport,
        verbose_name="确认后的年度数据",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )

    scope = ScopeRule(area="organization__area", organization="organization")

    class Meta:
        verbose_name = "年度数据填报"
        verbose_name_plural = "年度数据填报"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year} 年度填报（{self.get_status_display()}）"


class FigureReview(DomainModel):
    """One step of a submission's way: who checked, what they decided, what they said."""

    class Decision(models.TextChoices):
        SUBMIT = "submit", "填报"
        APPROVE = "approve", "县区审核通过"
        CONFIRM = "confirm", "市级确认"
        RETURN = "return", "退回"

    submission = models.ForeignKey(
        FigureSubmission, verbose_name="填报", on_delete=models.CASCADE, related_name="reviews"
    )
    decision = models.CharField("意见", max_length=10, choices=Decision.choices)
    comment = models.CharField("说明", max_length=500, blank=True)
    reviewer = models.ForeignKey(
        "accounts.User",
        verbose_name="审核人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = ScopeRule(
        area="submission__organization__area", organization="submission__organization"
    )

    class Meta:
        verbose_name = "填报审核记录"
        verbose_name_plural = "填报审核记录"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission} · {self.get_decision_display()}"
