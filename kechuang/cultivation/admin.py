from django.contrib import admin

from kechuang.core.admin import ReadOnlyAdmin, ScopedAdmin
from kechuang.cultivation.models import (
    PoolEntry,
    ReservePolicy,
    ScreeningRun,
    TierMovement,
    TierRuleSet,
)


@admin.register(TierRuleSet)
class TierRuleSetAdmin(ScopedAdmin):
    """The bureau edits thresholds here; the engine validates `criteria` on save."""

    list_display = ["name", "code", "issuer_level", "status", "effective_from", "effective_to"]
    list_filter = ["status", "issuer_level"]
    search_fields = ["name", "code"]


@admin.register(ReservePolicy)
class ReservePolicyAdmin(ScopedAdmin):
    list_display = ["version", "effective_from", "active"]


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["__str__", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(PoolEntry)
class PoolEntryAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["organization", "tier", "is_hnte", "is_tsme", "hnte_failed", "as_of"]
    list_filter = ["tier", "data_status"]
    search_fields = ["organization__name", "organization__uscc"]
    list_select_related = ["organization"]


@admin.register(TierMovement)
class TierMovementAdmin(ReadOnlyAdmin, ScopedAdmin):
    list_display = ["organization", "from_tier", "to_tier", "on"]
    list_filter = ["to_tier"]
    list_select_related = ["organization"]
