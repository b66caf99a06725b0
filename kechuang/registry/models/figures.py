"""Annual figures (年报): the confirmed values, and the submissions that change them.

`AnnualReport` holds only confirmed figures, the ones indicators and screening read. A change —
from an enterprise, a county or the city — is a `FigureSubmission` with the proposed values; it
goes 填报 submitted → 县区审核 area_checked → 市级确认 confirmed (or is returned with a comment),
and only confirmation writes the values into the `AnnualReport`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal, InvalidOperation
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
        Organization, verbose_name="单位", on_delete=models.PROTECT, related_name="annual_reports"
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
            # The same columns by organization: industrial_rd_ratio starts from the few 规上
            # enterprises (`organization_above_size_cover`) and reads their reports here, rather
            # than reading every report and its organization's row (bench/bench_progress.py).
            models.Index(
                fields=["organization", "year", "confirmed_at", "rd_expense", "total_revenue"],
                name="annual_report_org_rd_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.year} 年度"

    def clean_fields(self, exclude: Any = None) -> None:
        # The figures' own checks (sign, range, places) are check_figures', in clean(): one
        # message per problem, the same as the form, the API and the import give.
        super().clean_fields(exclude={*(exclude or ()), *FIGURE_FIELDS})

    def clean(self) -> None:
        super().clean()
        raise_figure_errors(check_figures(self.figures()))

    def figures(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


# The figures that may be negative (a loss-making company's net assets).
SIGNED_FIELDS = frozenset({"net_assets_start", "net_assets_end"})
# A number written with thousands separators: 12,000.5
GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
# Rounding each R&D item may carry (0.01 万元 = 100 元); the items' sum may differ from the
# total by this much per item.
ITEM_ROUNDING = Decimal("0.01")

# part ≤ whole: (part, whole). A rule is checked when both are given.
PART_OF_WHOLE = (
    ("sales_revenue", "total_revenue"),  # 销售收入 is part of 收入总额 (case.py)
    ("main_revenue", "sales_revenue"),  # 销售收入 = 主营业务收入 + 其他业务收入
    ("main_revenue", "total_revenue"),
    ("hightech_revenue", "total_revenue"),  # 高企条件（六）: share of 总收入
    # R&D is not capped by revenue: a start-up may spend on R&D more than it earns.
    ("rd_expense_domestic", "rd_expense"),  # 高企条件（五）
    ("st_staff_avg", "employees_avg"),
    ("rd_staff_fte", "employees_avg"),  # a full-time equivalent is at most one per employee
    ("net_assets_end", "total_assets_end"),  # 净资产 = 资产 − 负债, liabilities ≥ 0
)


def figure_label(name: str) -> str:
    return str(AnnualReport._meta.get_field(name).verbose_name)


def _show(number: Decimal) -> str:
    return f"{number:,.2f}"


def _limit(name: str) -> Decimal:
    """The first number the field cannot store (10^(max_digits − decimal_places))."""
    model_field = AnnualReport._meta.get_field(name)
    if isinstance(model_field, models.DecimalField):
        return Decimal(10) ** (model_field.max_digits - model_field.decimal_places)
    return Decimal(2147483647) + 1  # PositiveIntegerField, the smallest database's range


def _field_problem(name: str, number: Decimal) -> str | None:
    label = figure_label(name)
    if not number.is_finite():
        return f"{label}应为有限的数字；请填写数字。"
    if number < 0 and name not in SIGNED_FIELDS:
        return f"{label}不能为负数；请填写 0 或正数。"
    limit = _limit(name)
    if abs(number) >= limit:
        unit = "请确认单位（金额以万元计）" if "万元" in label else "请核对该项"
        return f"{label}超出可填写的范围（应小于 {limit:,.0f}）；{unit}。"
    places = getattr(AnnualReport._meta.get_field(name), "decimal_places", 0)
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN):
        if places == 0:
            return f"{label}应为整数；请填写整数。"
        return f"{label}最多保留 {places} 位小数；请四舍五入后再填。"
    return None


def parse_figures(values: Mapping[str, Any]) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    """The given figures as numbers, and the problems of each one on its own."""
    numbers: dict[str, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for name in FIGURE_FIELDS:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = str(value).strip()
        if "," in text and not GROUPED.fullmatch(text):
            text = "not a number"  # 1,00: a misplaced separator, not 100
        try:
            number = Decimal(text.replace(",", ""))
        except (InvalidOperation, ValueError):
            errors[name] = [f"{figure_label(name)}应为数字，实为“{value}”；请填写数字。"]
            continue
        problem = _field_problem(name, number)
        if problem:
            errors[name] = [problem]
        else:
            numbers[name] = number
    return numbers, errors


def _rd_items_problem(n: dict[str, Decimal]) -> str | None:
    rd = n.get("rd_expense")
    given = [n[name] for name in RD_CATEGORY_FIELDS if name in n]
    if rd is None or not given:
        return None
    total = sum(given, Decimal(0))
    tolerance = ITEM_ROUNDING * len(given)
    label = figure_label("rd_expense")
    if len(given) == len(RD_CATEGORY_FIELDS) and abs(total - rd) > tolerance:
        return (
            f"{label}（{_show(rd)}）应等于人员人工、直接投入、折旧、无形资产摊销、设计和试验、"
            f"其他相关费用六项之和（{_show(total)}，相差 {_show(abs(total - rd))}）；"
            "请核对总额及各明细。"
        )
    if total > rd + tolerance:
        return (
            f"已填写的研发费用各明细合计（{_show(total)}）大于{label}（{_show(rd)}）；"
            "请核对总额及各明细。"
        )
    return None


def check_figures(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every rule of one year's figures, each field on its own and across fields; returns
    {field: [Chinese message naming the field and the fix]}. Pure: reads no database.

    `values` may hold numbers or their text (as submitted); absent and empty ones are skipped.
    """
    numbers, errors = parse_figures(values)
    for part, whole in PART_OF_WHOLE:
        p, w = numbers.get(part), numbers.get(whole)
        if p is not None and w is not None and p > w:
            errors.setdefault(part, []).append(
                f"{figure_label(part)}不能大于{figure_label(whole)}（{_show(w)}）；请核对两项。"
            )
    problem = _rd_items_problem(numbers)
    if problem:
        errors.setdefault("rd_expense", []).append(problem)
    return errors


def raise_figure_errors(errors: Mapping[str, Any]) -> None:
    if errors:
        raise ValidationError(dict(errors))


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "已填报，待县区审核"
    AREA_CHECKED = "area_checked", "县区已审核，待市级确认"
    CONFIRMED = "confirmed", "市级已确认"
    RETURNED = "returned", "已退回修改"
    WITHDRAWN = "withdrawn", "已撤回"


class FigureSubmission(DomainModel):
    """Proposed figures for one organization and year, on their way to confirmation."""

    organization = models.ForeignKey(
        Organization,
        verbose_name="单位",
        on_delete=models.PROTECT,
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
        WITHDRAW = "withdraw", "填报人撤回"
        RESUBMIT = "resubmit", "修改后重新提交"

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
