"""The plan as data, editable by city administrators (reference scope); observations are entered
and resolved through the monitoring pages and services, so the admin shows them read-only and
offers what the pages offer: withdrawing (作废, with a reason, through the service) and a
correction (更正: the entry form prefilled, a new vintage)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.core.permissions import WITHDRAW_OBSERVATION
from kechuang.monitoring import services
from kechuang.monitoring.models import (
    AreaTarget,
    Commitment,
    Indicator,
    Observation,
    Plan,
    ReviewState,
)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "sort_order",
        "code",
        "name",
        "unit",
        "baseline_year",
        "baseline_value",
        "target_year",
        "target_value",
        "kind",
        "direction",
        "is_auxiliary",
    ]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = [
        "sort_order",
        "code",
        "title",
        "section",
        "comparator",
        "value",
        "unit",
        "target_year",
    ]


@admin.register(Plan)
class PlanAdmin(ScopedAdmin):
    list_display = ["title", "code", "document_number", "start_year", "end_year", "area"]
    inlines = [IndicatorInline, CommitmentInline]


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    list_display = ["name", "code", "plan", "unit", "baseline_value", "target_value", "kind"]
    list_filter = ["plan", "kind", "is_auxiliary"]
    search_fields = ["name", "code"]


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdmin):
    list_display = ["title", "code", "plan", "section", "comparator", "value", "target_year"]
    list_filter = ["plan"]
    search_fields = ["title", "code", "quote"]


@admin.register(AreaTarget)
class AreaTargetAdmin(ScopedAdmin):
    list_display = ["indicator", "area", "baseline_value", "target_value", "method"]
    list_filter = ["indicator__plan", "method"]
    list_select_related = ["indicator", "area"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin, ScopedAdmin):
    """Observations are entered through the pages, the API or the import (with conflicts
    flagged); the admin shows them, withdraws them (action, with a reason) and links to the
    correction form."""

    list_display = [
        "indicator",
        "commitment",
        "area",
        "period",
        "value",
        "kind",
        "as_of",
        "state",
        "withdrawn_reason",
        "correction",
    ]
    list_filter = ["kind", "state", "indicator"]
    search_fields = ["source_title", "period"]
    list_select_related = ["indicator", "commitment", "area"]
    actions = ["withdraw_selected"]

    @admin.display(description="更正")
    def correction(self, obs: Observation) -> str:
        url = reverse("monitoring:observation_create") + f"?from={obs.pk}"
        return format_html('<a href="{}">更正（录入新版本）</a>', url)

    def has_withdraw_permission(self, request: HttpRequest) -> bool:
        return WITHDRAW_OBSERVATION.allows(request.user)

    @admin.action(description="作废所选监测值（须说明理由）", permissions=["withdraw"])
    def withdraw_selected(self, request: HttpRequest, queryset: Any) -> Any:
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") == "yes" and reason:
            self._withdraw(request, queryset, reason)
            return None
        return TemplateResponse(
            request,
            "monitoring/admin/withdraw.html",
            {
                **self.admin_site.each_context(request),
                "title": "作废监测值",
                "opts": self.model._meta,
                "observations": list(queryset),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "reason": reason,
                "error": "请填写作废理由。" if request.POST.get("confirm") == "yes" else "",
            },
        )

    def _withdraw(self, request: HttpRequest, queryset: Any, reason: str) -> None:
        done, problems = 0, []
        for obs in queryset.exclude(state=ReviewState.WITHDRAWN):
            try:
                services.withdraw_observation(request.user, obs, reason)
            except (ValidationError, PermissionDenied) as error:
                text = "；".join(error.messages) if isinstance(error, ValidationError) else error
                problems.append(f"{obs}：{text}")
            else:
                done += 1
        self.message_user(request, f"已作废 {done} 条监测值（记录保留，不再计入）。")
        for problem in problems:
            self.message_user(request, problem, level=messages.ERROR)
