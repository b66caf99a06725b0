"""Patents, with CNIPA's high-value criteria for invention patents."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kechuang.core.models import DomainModel
from kechuang.core.scoping import ScopeRule
from kechuang.registry.models.organizations import Organization


class PatentKind(models.TextChoices):
    INVENTION = "invention", "发明专利"
    UTILITY_MODEL = "utility_model", "实用新型"
    DESIGN = "design", "外观设计"


class LegalStatus(models.TextChoices):
    PENDING = "pending", "审中"
    IN_FORCE = "in_force", "有效"
    LAPSED = "lapsed", "未缴年费终止"
    EXPIRED = "expired", "期限届满"
    INVALIDATED = "invalidated", "被宣告无效"
    WITHDRAWN = "withdrawn", "撤回/驳回"


# CNIPA's definition of a high-value invention patent (每万人口高价值发明专利拥有量): one of
# the five reasons below; "maintained over 10 years" is derived from the application date.
HIGH_VALUE_REASONS = {
    "hv_strategic_industry": "战略性新兴产业的发明专利",
    "hv_overseas_family": "在海外有同族专利权的发明专利",
    "hv_pledged": "质押融资 1000 万元以上的发明专利",
    "hv_award": "获得国家科学技术奖或中国专利奖的发明专利",
}
MAINTAINED_YEARS = 10


class Patent(DomainModel):
    number = models.CharField("专利号", max_length=30, unique=True)
    kind = models.CharField("专利类型", max_length=20, choices=PatentKind.choices, db_index=True)
    title = models.CharField("名称", max_length=300)
    abstract = models.TextField("摘要", blank=True)
    ipc_codes = models.CharField(
        "IPC 分类号", max_length=200, blank=True, help_text="多个以分号分隔"
    )
    applicants = models.CharField("申请人/专利权人", max_length=300, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name="本市权利人", on_delete=models.PROTECT, related_name="patents"
    )
    application_date = models.DateField("申请日")
    grant_date = models.DateField("授权公告日", null=True, blank=True)
    legal_status = models.CharField(
        "法律状态", max_length=20, choices=LegalStatus.choices, db_index=True
    )
    hv_strategic_industry = models.BooleanField(
        HIGH_VALUE_REASONS["hv_strategic_industry"], default=False
    )
    hv_overseas_family = models.BooleanField(
        HIGH_VALUE_REASONS["hv_overseas_family"], default=False
    )
    hv_pledged = models.BooleanField(HIGH_VALUE_REASONS["hv_pledged"], default=False)
    hv_award = models.BooleanField(HIGH_VALUE_REASONS["hv_award"], default=False)
    is_demo = models.BooleanField("演示数据", default=False)

    scope = ScopeRule(area="organization__area", organization="organization")

    class Meta:
        verbose_name = "专利"
        verbose_name_plural = "专利"
        ordering = ["-application_date", "number"]
        indexes = [
            models.Index(fields=["kind", "legal_status", "application_date"]),
            # Covers monitoring's high-value patents per 10,000 residents (hv_patents_per_10k):
            # the in-force inventions are counted from the index alone, every reason of
            # `high_value_on` in it, instead of reading 69,427 rows (bench/bench_progress.py).
            models.Index(
                fields=[
                    "kind",
                    "legal_status",
                    "organization",
                    "application_date",
                    *HIGH_VALUE_REASONS,
                ],
                name="patent_high_value_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        super().clean()
        if self.grant_date and self.application_date and self.grant_date < self.application_date:
            raise ValidationError({"grant_date": "授权公告日不能早于申请日。"})
        if self.legal_status == LegalStatus.IN_FORCE and not self.grant_date:
            raise ValidationError({"grant_date": "有效专利须填写授权公告日。"})
        flagged = [name for name in HIGH_VALUE_REASONS if getattr(self, name)]
        if flagged and self.kind != PatentKind.INVENTION:
            raise ValidationError({flagged[0]: "高价值专利标识只适用于发明专利。"})

    def high_value_reasons(self, on: dt.date) -> list[str]:
        """Why this patent counts as a high-value invention patent on `on` (empty: it does not)."""
        if self.kind != PatentKind.INVENTION or self.legal_status != LegalStatus.IN_FORCE:
            return []
        reasons = [label for name, label in HIGH_VALUE_REASONS.items() if getattr(self, name)]
        if self.application_date <= maintained_since(on):
            reasons.append(f"维持年限超过 {MAINTAINED_YEARS} 年的发明专利")
        return reasons

    @staticmethod
    def high_value_on(on: dt.date) -> Q:
        """Filter: high-value invention patents in force on `on`."""
        any_reason = Q(application_date__lte=maintained_since(on))
        for name in HIGH_VALUE_REASONS:
            any_reason |= Q(**{name: True})
        return Q(kind=PatentKind.INVENTION, legal_status=LegalStatus.IN_FORCE) & any_reason


def maintained_since(on: dt.date) -> dt.date:
    """Applications filed on or before this date have been maintained over 10 years on `on`."""
    try:
        return on.replace(year=on.year - MAINTAINED_YEARS)
    except ValueError:  # 29 February
        return on.replace(year=on.year - MAINTAINED_YEARS, day=28)
