"""The plan as data, editable by city administrators (reference scope); observations are entered
and resolved through the monitoring pages and services, so the admin shows them read-only."""

from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.monitoring.models import AreaTarget, Commitment, Indicator, Observation, Plan


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
    flagged); the admin only shows them."""

    list_display = ["indicator", "commitment", "area", "period", "value", "kind", "as_of", "state"]
    list_filter = ["kind", "state", "indicator"]
    search_fields = ["source_title", "period"]
    list_select_related = ["indicator", "commitment", "area"]
